"""Form of the notification preferences: at once, or in the daily digest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import NotificationPreference


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["daily_digest"]
        help_texts = {
            "daily_digest": _(
                "Instead of one e-mail for each notification, receive one e-mail a day with "
                "all of them."
            )
        }
