"""Forms of the advisors' person pages: they parse and check input; services save it.

When the user works in several structures, forms ask which one acts (a select limited to
theirs); otherwise the structure is implicit.
"""

import hashlib

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from maillage.core.text import normalise
from maillage.directory.models import LegalForm, Stage

from ..choices import network_ids_of, referential_for
from ..form_fields import DATE_WIDGET, StructureChoiceMixin, refuse_future
from ..models import ConsentMethod, ConsentScope, Person, PersonNote, Project, Sector, Situation


class PersonForm(StructureChoiceMixin, forms.ModelForm):
    """Identity and contact of a person. `version` carries what the form read (locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "birth_date",
            "gender",
            "email",
            "phone",
            "postal_code",
            "situation",
            "priority_neighbourhood",
        ]
        widgets = {
            "birth_date": DATE_WIDGET,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
        }

    def __init__(self, *args, user, structures=(), **kwargs):
        super().__init__(*args, **kwargs)
        current = [self.instance.situation_id] if self.instance.situation_id else []
        self.fields["situation"].queryset = referential_for(Situation, user) | (
            Situation.objects.filter(pk__in=current)
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
            self.setup_structure(structures)

    def clean_birth_date(self):
        return refuse_future(
            self.cleaned_data.get("birth_date"),
            _("This date is in the future: enter the person's birth date."),
        )

    def clean_postal_code(self):
        postal_code = self.cleaned_data["postal_code"].strip()
        if postal_code and not (len(postal_code) == 5 and postal_code.isdigit()):
            raise ValidationError(_("A postal code has 5 digits, e.g. 13001."))
        return postal_code

    def person_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PersonCreateForm(PersonForm):
    """A new person, with the network-sharing consent when the person gave it."""

    share_with_network = forms.BooleanField(
        label=_("The person agrees to share their record within the network, for orientation"),
        required=False,
    )
    consent_method = forms.ChoiceField(
        label=_("How the consent was given"),
        choices=[("", "---------"), *ConsentMethod.choices],
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("share_with_network") and not cleaned.get("consent_method"):
            self.add_error("consent_method", _("Say how the person gave their consent."))
        return cleaned

    def duplicate_signature(self) -> str:
        """A fingerprint of what the duplicate search looked at: "create anyway" is only
        accepted for the data the advisor saw the duplicates of."""
        data = self.cleaned_data
        text = "|".join(
            [
                normalise(f"{data.get('last_name', '')} {data.get('first_name', '')}"),
                str(data.get("birth_date") or ""),
                (data.get("email") or "").lower(),
                "".join(ch for ch in data.get("phone") or "" if ch.isdigit()),
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)


# --- Consents and notes ------------------------------------------------------------------------


class ConsentForm(StructureChoiceMixin, forms.Form):
    scope = forms.ChoiceField(label=_("Scope"), choices=ConsentScope.choices)
    method = forms.ChoiceField(label=_("How it was given"), choices=ConsentMethod.choices)
    proof = forms.CharField(
        label=_("Proof"),
        max_length=300,
        required=False,
        help_text=_("Where the proof is kept, e.g. 'signed form filed on 3 March'."),
    )

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_structure(structures)


class NoteForm(StructureChoiceMixin, forms.ModelForm):
    class Meta:
        model = PersonNote
        fields = ["body", "is_shared"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_structure(structures)


# --- Projects and outcomes ---------------------------------------------------------------------


class ProjectForm(StructureChoiceMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = ["title", "description", "kind", "sector", "envisaged_legal_form", "current_stage"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, structures=(), **kwargs):
        super().__init__(*args, **kwargs)
        project = self.instance
        self.fields["sector"].queryset = referential_for(Sector, user) | Sector.objects.filter(
            pk__in=[project.sector_id] if project.sector_id else []
        )
        self.fields["envisaged_legal_form"].queryset = LegalForm.objects.filter(
            Q(is_active=True) | Q(pk=project.envisaged_legal_form_id)
        )
        self.fields["current_stage"].queryset = Stage.objects.filter(
            network_id__in=network_ids_of(user)
        ).select_related("network")
        self.fields["current_stage"].label_from_instance = lambda stage: (
            f"{stage.network.name} — {stage.position}. {stage.name}"
        )
        if project.pk:
            self.fields["version"].initial = project.version
        else:
            del self.fields["version"]
            self.setup_structure(structures)

    def project_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


# --- The shared plan ---------------------------------------------------------------------------
