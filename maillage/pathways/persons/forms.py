"""Forms of the advisors' person pages: they parse and check input; services save it.

When the user works in several structures, forms ask which one acts (a select limited to
theirs); otherwise the structure is implicit.
"""

import hashlib

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.accounts.rules import roles_of
from maillage.core.text import normalise
from maillage.directory.models import LegalForm, Offer, Stage, Structure

from ..models import (
    ConsentMethod,
    ConsentScope,
    Person,
    PersonNote,
    PlanStepStatus,
    Project,
    Sector,
    Situation,
)
from .selectors import outcome_types_for

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def network_ids_of(user):
    """Ids of the networks the user's structures belong to (a subquery)."""
    return Structure.networks.through.objects.filter(
        structure_id__in=roles_of(user).staff_of
    ).values("network_id")


def referential_for(model, user):
    """Active entries shared by every network or added by one of the user's networks."""
    return model.objects.filter(
        Q(network__isnull=True) | Q(network_id__in=network_ids_of(user)), is_active=True
    )


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields when they exist."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class StructureChoiceMixin:
    """Adds a "structure" select when the user works in several structures."""

    def setup_structure(self, structures):
        self.structures = list(structures)
        if len(self.structures) > 1:
            self.fields["structure"] = forms.ModelChoiceField(
                label=_("On behalf of"),
                queryset=Structure.objects.filter(pk__in=[s.pk for s in self.structures]),
                help_text=_("The structure you act for."),
            )
            # Shown first: it frames the rest of the form.
            self.order_fields(["structure", *[n for n in self.fields if n != "structure"]])

    def chosen_structure(self):
        if "structure" in self.fields:
            return self.cleaned_data["structure"]
        return self.structures[0]


def _refuse_future(value, message):
    if value and value > timezone.localdate():
        raise ValidationError(message)
    return value


# --- Persons -----------------------------------------------------------------------------------


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
        return _refuse_future(
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
        self.fields["outcome_type"].queryset = outcome_types_for(user)
        self.fields["project"].queryset = Project.objects.filter(persons=person)
        self.setup_structure(structures)

    def clean_occurred_on(self):
        return _refuse_future(
            self.cleaned_data.get("occurred_on"),
            _("This date is in the future: enter the day it happened."),
        )


# --- The shared plan ---------------------------------------------------------------------------


class OfferChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, offer):
        return f"{offer.structure.name} — {offer.title}"


class PlanForm(StructureChoiceMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_structure(structures)


class PlanStepForm(forms.Form):
    offer = OfferChoiceField(label=_("Offer"), queryset=None, required=False)
    action = forms.CharField(
        label=_("Or an action"),
        max_length=300,
        required=False,
        help_text=_("When the step is not an offer, e.g. 'prepare the business plan'."),
    )
    responsible_structure = forms.ModelChoiceField(label=_("Responsible structure"), queryset=None)
    target_date = forms.DateField(label=_("Target date"), required=False, widget=DATE_WIDGET)
    status = forms.ChoiceField(
        label=_("Status"), choices=PlanStepStatus.choices, initial=PlanStepStatus.PLANNED
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        partners = Structure.objects.filter(networks__in=network_ids_of(user)).distinct()
        self.fields["responsible_structure"].queryset = partners.order_by("name")
        self.fields["offer"].queryset = (
            Offer.objects.filter(structure__in=partners)
            .select_related("structure")
            .order_by("structure__name", "title")
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("offer") and not (cleaned.get("action") or "").strip():
            raise ValidationError(_("Choose an offer or describe the action."))
        return cleaned

    def step(self) -> dict:
        data = self.cleaned_data
        return {
            "offer": data["offer"],
            "action": (data["action"] or "").strip(),
            "responsible_structure": data["responsible_structure"],
            "target_date": data["target_date"],
            "status": data["status"],
        }


PlanStepFormSet = forms.formset_factory(PlanStepForm, extra=2, can_delete=True)
