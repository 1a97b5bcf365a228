"""Forms of the advisors' workflow: referrals and their answers, applications, acts.

Forms only parse input and offer the choices the user may make; the services decide and raise
translated errors, which `add_service_errors` shows on the field they are about.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from maillage.accounts.rules import roles_of

from ..models import ActType, ApplicationStatus, ReferralStatus
from ..persons.selectors import staff_structure_queryset
from ..states import APPLICATION_TRANSITIONS
from . import selectors as ws

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOT_NEGATIVE = MinValueValidator(0, message=_("The duration cannot be negative."))


def add_service_errors(form, error: ValidationError, aliases: dict[str, str] | None = None):
    """Show a service's ValidationError on the form: on its field when the form has it."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        field = aliases.get(field, field)
        form.add_error(field if field in form.fields else None, messages)


class OfferChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, offer):
        return f"{offer.structure.name} — {offer.title}"


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, session):
        return _("%(offer)s — from %(start)s to %(end)s") % {
            "offer": session.offer.title,
            "start": session.starts_on.strftime("%d/%m/%Y"),
            "end": session.ends_on.strftime("%d/%m/%Y"),
        }


class StructureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, structure):
        return structure.name


class PersonChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, person):
        return person.display_name


class OwnStructureMixin:
    """A `structure` field when the user works for several structures; else it is implied."""

    structure_help = _("The structure you act for.")

    def add_structure_field(self, user):
        self.structures = list(staff_structure_queryset(user))
        if len(self.structures) > 1:
            self.fields["structure"] = StructureChoiceField(
                label=_("Your structure"),
                queryset=staff_structure_queryset(user),
                help_text=self.structure_help,
            )
            self.order_fields(["structure"])

    def chosen_structure(self):
        if "structure" in self.fields:
            return self.cleaned_data["structure"]
        return self.structures[0] if self.structures else None


# --- Referrals ---------------------------------------------------------------------------------


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


class ReferralCreateForm(OwnStructureMixin, forms.Form):
    structure_help = _("The structure that sends the referral.")

    to_structure = StructureChoiceField(
        label=_("Structure to refer the person to"), queryset=ws.Structure.objects.none()
    )
    to_offer = OfferChoiceField(
        label=_("Offer (optional)"),
        required=False,
        queryset=ws.Offer.objects.none(),
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
        targets = ws.referral_targets(user)
        self.fields["to_structure"].queryset = targets
        self.fields["to_offer"].queryset = ws.published_offers_of(targets)
        self.add_structure_field(user)

    def clean(self):
        cleaned = super().clean()
        offer, structure = cleaned.get("to_offer"), cleaned.get("to_structure")
        if offer is not None and structure is not None and offer.structure_id != structure.pk:
            self.add_error("to_offer", _("This offer belongs to another structure."))
        return cleaned


class VersionedForm(forms.Form):
    """Carries the version of the record the page showed (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class NoteForm(VersionedForm):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeclineForm(VersionedForm):
    decline_reason = forms.ModelChoiceField(
        label=_("Reason"), queryset=ws.DeclineReason.objects.none()
    )
    decline_note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    share_reason_with_person = forms.BooleanField(
        label=_("The reason may be told to the person"), required=False
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decline_reason"].queryset = ws.decline_reasons_for(referral.to_structure)


class RedirectForm(VersionedForm):
    to_structure = StructureChoiceField(
        label=_("Better-placed structure"), queryset=ws.Structure.objects.none()
    )
    to_offer = OfferChoiceField(
        label=_("Offer (optional)"), required=False, queryset=ws.Offer.objects.none()
    )
    note = forms.CharField(
        label=_("Why this structure"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        targets = ws.partner_structures([referral.to_structure_id])
        self.fields["to_structure"].queryset = targets
        self.fields["to_offer"].queryset = ws.published_offers_of(targets)

    def clean(self):
        cleaned = super().clean()
        offer, structure = cleaned.get("to_offer"), cleaned.get("to_structure")
        if offer is not None and structure is not None and offer.structure_id != structure.pk:
            self.add_error("to_offer", _("This offer belongs to another structure."))
        return cleaned


class FirstMeetingForm(VersionedForm):
    first_meeting_on = forms.DateField(label=_("Date of the first meeting"), widget=DATE_WIDGET)

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
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


class ApplicationCreateForm(forms.Form):
    offer = OfferChoiceField(label=_("Offer"), queryset=ws.Offer.objects.none())
    session = SessionChoiceField(
        label=_("Session (optional)"),
        required=False,
        queryset=ws.OfferSession.objects.none(),
        help_text=_("A session of the chosen offer."),
    )
    submitted_on = forms.DateField(label=_("Date of the application"), widget=DATE_WIDGET)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = ws.offers_of_user(user)
        self.fields["session"].queryset = ws.sessions_of_user(user)

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
        label=_("Refer the person to"), required=False, queryset=ws.Structure.objects.none()
    )
    refer_to_offer = OfferChoiceField(
        label=_("Offer of that structure (optional)"),
        required=False,
        queryset=ws.Offer.objects.none(),
    )
    referral_reason = forms.CharField(
        label=_("Why this structure"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    no_next_step_reason = forms.ModelChoiceField(
        label=_("Or: why there is no next step"),
        required=False,
        queryset=ws.NoNextStepReason.objects.none(),
    )
    no_next_step_note = forms.CharField(
        label=_("Note on the next step"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    end_reason = forms.ModelChoiceField(
        label=_("Drop-out reason"), required=False, queryset=ws.EndReason.objects.none()
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
        targets = ws.partner_structures([application.structure_id])
        self.fields["refer_to_structure"].queryset = targets
        self.fields["refer_to_offer"].queryset = ws.published_offers_of(targets)
        self.fields["no_next_step_reason"].queryset = ws.no_next_step_reasons_for(
            application.structure
        )
        self.fields["end_reason"].queryset = ws.end_reasons_for(application.structure)

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


# --- Acts --------------------------------------------------------------------------------------


class ActTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, act_type):
        return act_type.label


class ActForm(OwnStructureMixin, forms.Form):
    act_type = ActTypeChoiceField(label=_("Type of act"), queryset=ActType.objects.none())
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    duration_hours = forms.IntegerField(
        label=_("Duration: hours"), required=False, validators=[NOT_NEGATIVE]
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration: minutes"),
        required=False,
        validators=[NOT_NEGATIVE],
        help_text=_("For example 1 hour 30 minutes, or 0 hours 90 minutes."),
    )
    offer = OfferChoiceField(
        label=_("Offer (optional)"), required=False, queryset=ws.Offer.objects.none()
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duration_hours"].widget.attrs["min"] = 0
        self.fields["duration_minutes"].widget.attrs["min"] = 0
        self.fields["offer"].queryset = ws.offers_of_user(user)
        self.fields["act_type"].queryset = ws.act_types_for(roles_of(user).staff_of)
        self.add_structure_field(user)

    def total_minutes(self) -> int:
        hours = self.cleaned_data.get("duration_hours") or 0
        minutes = self.cleaned_data.get("duration_minutes") or 0
        return hours * 60 + minutes


class CollectiveActForm(ActForm):
    title = forms.CharField(label=_("Title (optional)"), required=False, max_length=200)
    session = SessionChoiceField(
        label=_("Session (optional)"), required=False, queryset=ws.OfferSession.objects.none()
    )
    attendees = PersonChoices(
        label=_("Who attended"),
        queryset=ws.Person.objects.none(),
        required=False,
        help_text=_("Tick the persons who came."),
    )
    record_absent = forms.BooleanField(
        label=_("Record the session's applicants who were not ticked as absent"),
        required=False,
    )

    field_order = ["structure", "act_type", "title", "occurred_on"]

    def __init__(self, *args, user, session=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        sessions = ws.sessions_of_user(user)
        self.fields["session"].queryset = sessions
        if self.is_bound:
            chosen = str(self.data.get("session") or "")
            session = sessions.filter(pk=chosen).first() if chosen.isdigit() else None
        elif session is not None:
            self.initial.setdefault("session", session.pk)
            self.initial.setdefault("offer", session.offer_id)
        self.fields["attendees"].queryset = ws.attendance_candidates(
            user, structure_ids=roles_of(user).staff_of, session=session
        )
        self.session = session

    def clean(self):
        cleaned = super().clean()
        offer, session = cleaned.get("offer"), cleaned.get("session")
        if session is not None and offer is None:
            cleaned["offer"] = session.offer
        elif session is not None and session.offer_id != offer.pk:
            self.add_error("session", _("This session belongs to another offer."))
        return cleaned

    def persons_and_absent(self) -> tuple[list, set[int]]:
        """Who is on the attendance list, and the ids of those recorded as absent."""
        attended = list(self.cleaned_data.get("attendees") or [])
        if not self.cleaned_data.get("record_absent") or self.session is None:
            return attended, set()
        ticked = {person.pk for person in attended}
        applicants = ws.session_applicant_ids(self.session)
        invited = [
            person
            for person in self.fields["attendees"].queryset
            if person.pk in applicants and person.pk not in ticked
        ]
        return attended + invited, {person.pk for person in invited}
