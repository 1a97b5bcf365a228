from django.contrib import admin

from . import models

for model in (
    models.WorkingGroup,
    models.GroupMember,
    models.Meeting,
    models.Event,
    models.Representative,
    models.Budget,
    models.BudgetLine,
    models.Contribution,
):
    admin.site.register(model)

for model in (models.PoolingEntry, models.JobShare, models.Arrangement):
    admin.site.register(model)
