"""Forms of the referrals: sending one, filtering the inbox, and the receiving structure's
answers (each a `ReferralAnswerForm`: the version the page showed, and the referral)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.directory.models import Offer, Structure

from .. import choices
from ..choices import staff_structure_queryset
from ..form_fields import (
    DATE_WIDGET,
    OfferChoiceField,
    StructureChoiceField,
    StructureChoiceMixin,
    VersionedForm,
)
from ..models import DeclineReason, ReferralStatus
from . import selectors as ws


class ReferralFilterForm(forms.Form):
    """What the referral inbox lists (GET)."""

    box = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[(ws.RECEIVED, ws.RECEIVED), (ws.SENT, ws.SENT)],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *ReferralStatus.choices],
    )

    def selected(self) -> tuple[str, str]:
        if not self.is_valid():
            return ws.RECEIVED, ""
        return self.cleaned_data.get("box") or ws.RECEIVED, self.cleaned_data.get("status") or ""


class ReferralCreateForm(StructureChoiceMixin, forms.Form):
    structure_label = _("Your structure")
    structure_help = _("The structure that sends the referral.")

    to_structure = StructureChoiceField(
        label=_("Structure to refer the person to"), queryset=Structure.objects.none()
    )
    to_offer = OfferChoiceField(
        label=_("Offer (optional)"),
        required=False,
        queryset=Offer.objects.none(),
        help_text=_("One of the published offers of that structure."),
    )
    reason = forms.CharField(
        label=_("Why this structure"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shared_info = forms.CharField(
        label=_("Information shared with the structure"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Only sent when the person consented to share within the network. Without that "
            "consent the structure receives an anonymous orientation, without this information."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        targets = choices.referral_targets(user)
        self.fields["to_structure"].queryset = targets
        self.fields["to_offer"].queryset = choices.published_offers_of(targets)
        self.setup_structure(staff_structure_queryset(user))

    def clean(self):
        cleaned = super().clean()
        offer, structure = cleaned.get("to_offer"), cleaned.get("to_structure")
        if offer is not None and structure is not None and offer.structure_id != structure.pk:
            self.add_error("to_offer", _("This offer belongs to another structure."))
        return cleaned


class ReferralAnswerForm(VersionedForm):
    """An answer to a referral: the version the page showed, and the referral answered."""

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral


class AnswerForm(ReferralAnswerForm):
    """An answer that needs nothing but an optional note (accept, close, cancel)."""

    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeclineForm(ReferralAnswerForm):
    decline_reason = forms.ModelChoiceField(
        label=_("Reason"), queryset=DeclineReason.objects.none()
    )
    decline_note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    share_reason_with_person = forms.BooleanField(
        label=_("The reason may be told to the person"), required=False
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, referral=referral, **kwargs)
        self.fields["decline_reason"].queryset = choices.decline_reasons_for(referral.to_structure)


class RedirectForm(ReferralAnswerForm):
    to_structure = StructureChoiceField(
        label=_("Better-placed structure"), queryset=Structure.objects.none()
    )
    to_offer = OfferChoiceField(
        label=_("Offer (optional)"), required=False, queryset=Offer.objects.none()
    )
    note = forms.CharField(
        label=_("Why this structure"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, referral=referral, **kwargs)
        targets = choices.partner_structures([referral.to_structure_id])
        self.fields["to_structure"].queryset = targets
        self.fields["to_offer"].queryset = choices.published_offers_of(targets)

    def clean(self):
        cleaned = super().clean()
        offer, structure = cleaned.get("to_offer"), cleaned.get("to_structure")
        if offer is not None and structure is not None and offer.structure_id != structure.pk:
            self.add_error("to_offer", _("This offer belongs to another structure."))
        return cleaned


class FirstMeetingForm(ReferralAnswerForm):
    first_meeting_on = forms.DateField(label=_("Date of the first meeting"), widget=DATE_WIDGET)

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, referral=referral, **kwargs)
        self.needs_identity = referral.is_anonymous and referral.matched_at is None
        if self.needs_identity:
            self.fields["first_name"] = forms.CharField(label=_("First name"), max_length=100)
            self.fields["last_name"] = forms.CharField(label=_("Last name"), max_length=100)
            self.fields["birth_date"] = forms.DateField(
                label=_("Birth date"),
                required=False,
                widget=DATE_WIDGET,
                help_text=_("As the person tells it; it confirms the match when known."),
            )

    def identity(self) -> dict | None:
        if not self.needs_identity:
            return None
        return {
            "first_name": self.cleaned_data["first_name"],
            "last_name": self.cleaned_data["last_name"],
            "birth_date": self.cleaned_data.get("birth_date"),
        }


# --- Applications ------------------------------------------------------------------------------


# --- Acts --------------------------------------------------------------------------------------
