"""Forms of the assessments app's collective appraisal sessions (the other pages read their
instrument-shaped forms with `views.parse_answers`)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from .appraisals import AMOUNTS
from .models import Side


def _person_label(user) -> str:
    return user.get_full_name() or user.email


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _person_label(obj)


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _person_label(obj)


class AppraisalForm(forms.Form):
    """Open a session: the instrument, the subject, who holds it, who is present."""

    version = forms.ChoiceField(label=_("Instrument"))
    subject = forms.ChoiceField(label=_("Subject"))
    structure = forms.ChoiceField(label=_("Held by"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    held_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    participants = PeopleField(
        label=_("People present besides you"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least two: a collective appraisal needs three people or more."),
    )

    def __init__(self, *args, versions, subjects, structures, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [(v.pk, f"{v.title} (v{v.number})") for v in versions]
        self.fields["subject"].choices = [("", "—"), *subjects]
        self.fields["structure"].choices = [("", _("The network (its coordinators)"))] + [
            (s.pk, s.name) for s in structures
        ]
        self.fields["participants"].queryset = candidates


class ArgumentForm(forms.Form):
    """One argument, as the facilitator writes it down."""

    speaker = PersonField(label=_("Who spoke"), queryset=get_user_model().objects.none())
    side = forms.ChoiceField(label=_("For or against"), choices=Side.choices)
    axis = forms.ChoiceField(label=_("Axis"))
    text = forms.CharField(label=_("Argument"), widget=forms.Textarea(attrs={"rows": 3}))
    amount = forms.ChoiceField(
        label=_("Move agreed by the group"),
        choices=[(str(a), str(a)) for a in AMOUNTS],
        initial="0.5",
    )

    def __init__(self, *args, people, axes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = people
        self.fields["axis"].choices = axes
        self.fields["amount"].choices = [(str(a), number_format(a)) for a in AMOUNTS]


class PriorityForm(forms.Form):
    axis = forms.ChoiceField(label=_("Axis"))

    def __init__(self, *args, axes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["axis"].choices = axes


class SessionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.offer.title} — {date_format(obj.starts_on, 'SHORT_DATE_FORMAT')}"


class VersionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} (v{obj.number})"


class CommitteeForm(forms.Form):
    """Set up an admission committee on one of the user's offer sessions."""

    offer_session = SessionField(label=_("Offer session"), queryset=None)
    version = VersionField(label=_("Grid"), queryset=None)
    chair = PersonField(label=_("Chair"), queryset=None)
    members = PeopleField(
        label=_("Members"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The chair sits on the committee too."),
    )
    held_on = forms.DateField(
        label=_("Held on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, sessions, versions, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer_session"].queryset = sessions
        self.fields["version"].queryset = versions
        self.fields["chair"].queryset = people
        self.fields["members"].queryset = people
