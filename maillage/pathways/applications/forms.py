"""Forms of the applications: a person applies to an offer; the offer's structure answers."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from maillage.directory.models import Offer, OfferSession, Structure

from .. import choices
from ..form_fields import (
    DATE_WIDGET,
    OfferChoiceField,
    SessionChoiceField,
    StructureChoiceField,
    VersionedForm,
)
from ..models import ApplicationStatus, EndReason, NoNextStepReason
from ..states import APPLICATION_TRANSITIONS


class ApplicationCreateForm(forms.Form):
    offer = OfferChoiceField(label=_("Offer"), queryset=Offer.objects.none())
    session = SessionChoiceField(
        label=_("Session (optional)"),
        required=False,
        queryset=OfferSession.objects.none(),
        help_text=_("A session of the chosen offer."),
    )
    submitted_on = forms.DateField(label=_("Date of the application"), widget=DATE_WIDGET)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = choices.offers_of_user(user)
        self.fields["session"].queryset = choices.sessions_of_user(user)

    def clean(self):
        cleaned = super().clean()
        offer, session = cleaned.get("offer"), cleaned.get("session")
        if offer is not None and session is not None and session.offer_id != offer.pk:
            self.add_error("session", _("This session belongs to another offer."))
        return cleaned


class ApplicationStatusForm(VersionedForm):
    to_status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    refer_to_structure = StructureChoiceField(
        label=_("Refer the person to"), required=False, queryset=Structure.objects.none()
    )
    refer_to_offer = OfferChoiceField(
        label=_("Offer of that structure (optional)"),
        required=False,
        queryset=Offer.objects.none(),
    )
    referral_reason = forms.CharField(
        label=_("Why this structure"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    no_next_step_reason = forms.ModelChoiceField(
        label=_("Or: why there is no next step"),
        required=False,
        queryset=NoNextStepReason.objects.none(),
    )
    no_next_step_note = forms.CharField(
        label=_("Note on the next step"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    end_reason = forms.ModelChoiceField(
        label=_("Drop-out reason"), required=False, queryset=EndReason.objects.none()
    )
    end_note = forms.CharField(
        label=_("Note on the end"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    # Service error keys shown on this form's fields.
    aliases = {"to_structure": "refer_to_structure", "to_offer": "refer_to_offer"}

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = APPLICATION_TRANSITIONS.get(application.status, frozenset())
        self.fields["to_status"].choices = [
            (value, label) for value, label in ApplicationStatus.choices if value in allowed
        ]
        self.offers_not_selected = ApplicationStatus.NOT_SELECTED in allowed
        self.offers_drop_out = ApplicationStatus.DROPPED_OUT in allowed
        targets = choices.partner_structures([application.structure_id])
        self.fields["refer_to_structure"].queryset = targets
        self.fields["refer_to_offer"].queryset = choices.published_offers_of(targets)
        self.fields["no_next_step_reason"].queryset = choices.no_next_step_reasons_for(
            application.structure
        )
        self.fields["end_reason"].queryset = choices.end_reasons_for(application.structure)

    def clean(self):
        cleaned = super().clean()
        structure, offer = cleaned.get("refer_to_structure"), cleaned.get("refer_to_offer")
        if cleaned.get("to_status") == ApplicationStatus.NOT_SELECTED:
            if structure is not None and cleaned.get("no_next_step_reason") is not None:
                raise ValidationError(
                    _(
                        "Choose one next step: either a referral to a structure, or a reason "
                        "for no next step, not both."
                    ),
                    code="both_next_steps",
                )
            if offer is not None and structure is None:
                self.add_error("refer_to_structure", _("Choose the structure of this offer."))
        if offer is not None and structure is not None and offer.structure_id != structure.pk:
            self.add_error("refer_to_offer", _("This offer belongs to another structure."))
        return cleaned
