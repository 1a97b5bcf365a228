"""Forms of the acts (individual and collective, with the attendance list) and outcomes."""

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from maillage.accounts.rules import roles_of
from maillage.directory.models import LegalForm, Offer, OfferSession

from .. import choices
from ..choices import staff_structure_queryset
from ..form_fields import (
    DATE_WIDGET,
    OfferChoiceField,
    PersonChoices,
    SessionChoiceField,
    StructureChoiceMixin,
    refuse_future,
)
from ..models import ActType, Person, Project
from . import selectors

NOT_NEGATIVE = MinValueValidator(0, message=_("The duration cannot be negative."))


class ActTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, act_type):
        return act_type.label


class ActForm(StructureChoiceMixin, forms.Form):
    structure_label = _("Your structure")

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
        label=_("Offer (optional)"), required=False, queryset=Offer.objects.none()
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duration_hours"].widget.attrs["min"] = 0
        self.fields["duration_minutes"].widget.attrs["min"] = 0
        self.fields["offer"].queryset = choices.offers_of_user(user)
        self.fields["act_type"].queryset = choices.act_types_for(roles_of(user).staff_of)
        self.setup_structure(staff_structure_queryset(user))

    def total_minutes(self) -> int:
        hours = self.cleaned_data.get("duration_hours") or 0
        minutes = self.cleaned_data.get("duration_minutes") or 0
        return hours * 60 + minutes


class CollectiveActForm(ActForm):
    title = forms.CharField(label=_("Title (optional)"), required=False, max_length=200)
    session = SessionChoiceField(
        label=_("Session (optional)"), required=False, queryset=OfferSession.objects.none()
    )
    attendees = PersonChoices(
        label=_("Who attended"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Tick the persons who came."),
    )
    # Not saved: narrows the attendance list (htmx as one types; a button without JavaScript).
    attendee_search = forms.CharField(
        label=_("Find a person"),
        required=False,
        max_length=100,
        help_text=_(
            "Type part of a name: the persons your structures follow come first. Birth year and "
            "file number tell namesakes apart."
        ),
    )
    record_absent = forms.BooleanField(
        label=_("Record the session's applicants who were not ticked as absent"),
        required=False,
    )

    field_order = ["structure", "act_type", "title", "occurred_on"]

    def __init__(self, *args, user, session=None, query="", **kwargs):
        super().__init__(*args, user=user, **kwargs)
        sessions = choices.sessions_of_user(user)
        self.fields["session"].queryset = sessions
        if self.is_bound:
            chosen = str(self.data.get("session") or "")
            session = sessions.filter(pk=chosen).first() if chosen.isdigit() else None
            keep = self.data.getlist("attendees") if hasattr(self.data, "getlist") else ()
        else:
            chosen = str(self.initial.get("session") or "")
            if session is None and chosen.isdigit():
                session = sessions.filter(pk=chosen).first()
            if session is not None:
                self.initial.setdefault("session", session.pk)
                self.initial.setdefault("offer", session.offer_id)
            keep = self.initial.get("attendees") or ()
        accepted, shown = selectors.attendee_choices(
            user,
            structure_ids=roles_of(user).staff_of,
            session=session,
            query=query,
            keep=keep,
        )
        self.fields["attendees"].queryset = accepted
        # The persons the page lists, each with `checked`: the ticked ones first, then the matches.
        ticked = {str(pk) for pk in keep}
        self.attendee_options = [(person, str(person.pk) in ticked) for person in shown]
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
        applicants = selectors.session_applicant_ids(self.session)
        invited = [
            person
            for person in self.fields["attendees"].queryset
            if person.pk in applicants and person.pk not in ticked
        ]
        return attended + invited, {person.pk for person in invited}


class OutcomeForm(StructureChoiceMixin, forms.Form):
    outcome_type = forms.ModelChoiceField(label=_("Outcome"), queryset=None)
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    project = forms.ModelChoiceField(label=_("Project"), queryset=None, required=False)
    legal_form = forms.ModelChoiceField(
        label=_("Legal form of the activity"),
        queryset=LegalForm.objects.filter(is_active=True),
        required=False,
        help_text=_("When an activity was created."),
    )
    details = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, user, person, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome_type"].queryset = choices.outcome_types_for(user)
        self.fields["project"].queryset = Project.objects.filter(persons=person)
        self.setup_structure(structures)

    def clean_occurred_on(self):
        return refuse_future(
            self.cleaned_data.get("occurred_on"),
            _("This date is in the future: enter the day it happened."),
        )
