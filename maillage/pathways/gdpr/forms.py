"""Forms of the GDPR pages (right of access, erasure) and of the merge of duplicates."""

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.core.text import normalise

from ..models import PersonAccess


class EraseForm(forms.Form):
    """Erasure asks for a reason and the person's full name typed again."""

    reason = forms.CharField(
        label=_("Why are this person's data erased?"),
        help_text=_("For example: the person asked for it, by e-mail on 3 March."),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirmation = forms.CharField(
        label=_("Type the person's full name to confirm"),
        max_length=210,
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["confirmation"].help_text = _(
            "Type “%(name)s”. Accents and capitals do not matter."
        ) % {"name": person.display_name}

    def clean_confirmation(self):
        typed = normalise(self.cleaned_data["confirmation"])
        expected = {
            normalise(f"{self.person.first_name} {self.person.last_name}"),
            normalise(f"{self.person.last_name} {self.person.first_name}"),
        }
        if typed not in expected:
            raise forms.ValidationError(
                _("The name typed is not the person's full name: nothing was erased.")
            )
        return typed


class AccessRequestForm(forms.Form):
    """The right of access is the person's: say who asked for their data before making it."""

    requested_by = forms.ChoiceField(
        label=_("Who asked for the data?"),
        choices=PersonAccess.Requester.choices,
        widget=forms.RadioSelect,
    )
    requester_name = forms.CharField(
        label=_("Name of the legal representative"),
        help_text=_("Only when a legal representative asked for the data."),
        max_length=200,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("requested_by") == PersonAccess.Requester.LEGAL_REPRESENTATIVE
            and not data.get("requester_name", "").strip()
        ):
            self.add_error("requester_name", _("Give the name of the legal representative."))
        return data


class MergeSearchForm(forms.Form):
    q = forms.CharField(label=_("Name of the other record"), max_length=200, required=False)


class MergeForm(forms.Form):
    duplicate = forms.UUIDField(label=_("Record to merge into this one"))
    confirm = forms.BooleanField(
        label=_("I checked that both records are the same person"),
        error_messages={"required": _("Tick the box to confirm that it is the same person.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(person.uuid): person for person in candidates}

    def clean_duplicate(self):
        chosen = self.candidates.get(str(self.cleaned_data["duplicate"]))
        if chosen is None:
            raise forms.ValidationError(_("Choose one of the records listed."))
        return chosen
