"""A run's file goes with the run: deleted from the storage once the deletion is committed."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import ImportRun


@receiver(post_delete, sender=ImportRun, dispatch_uid="imports_delete_run_file")
def delete_run_file(sender, instance, **kwargs):
    if not instance.file:
        return
    storage, name = instance.file.storage, instance.file.name
    transaction.on_commit(lambda: storage.delete(name))
