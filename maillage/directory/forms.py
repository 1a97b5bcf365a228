"""Forms of the directory's back office: structures, offers, sessions, stages.

The forms only parse and check input; the views hand the result to `services` to be saved.
"""

from data_inclusion.schema.v1 import Thematique
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .form_fields import CommuneField, ConstraintErrorsOnFields, TerritoryCodesField, formfield
from .models import (
    AccessMode,
    Audience,
    LegalForm,
    Offer,
    OfferFormat,
    OfferSession,
    ReceptionMode,
    Stage,
    Structure,
)
from .validators import normalise_siret, validate_siret

LOGO_MAX_BYTES = 1024 * 1024
DI_THEME_PREFIX = "creer-une-entreprise--"
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOT_NEGATIVE = MinValueValidator(0, message=_("Enter a number that is zero or more."))
NEGATIVE_PLACES = MinValueValidator(0, message=_("The number of places cannot be negative."))


def _referential_queryset(model, current):
    """Active rows, and the inactive ones the object already has (so that saving keeps them)."""
    return model.objects.filter(Q(is_active=True) | Q(pk__in=[row.pk for row in current]))


def _set_commune_initial(form):
    if form.instance.commune_id:
        form.initial["commune"] = form.instance.commune


# --- Structures --------------------------------------------------------------------------------


class StructureForm(ConstraintErrorsOnFields, forms.ModelForm):
    constraint_fields = {
        "directory_structure_siret_unique": "siret",
        "directory_structure_siret_digits": "siret",
    }

    siret = forms.CharField(
        label=_("SIRET"),
        max_length=20,
        required=False,
        help_text=_("14 digits, from the Sirene register."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    commune = CommuneField(
        label=_("Commune (INSEE code)"),
        help_text=_("The INSEE code of the commune of the address, e.g. 13055 for Marseille."),
    )
    territories = TerritoryCodesField(label=_("Territory served"))

    class Meta:
        model = Structure
        formfield_callback = formfield
        fields = [
            "name",
            "legal_form",
            "siret",
            "address",
            "postal_code",
            "city",
            "commune",
            "website",
            "email",
            "phone",
            "contact_name",
            "opening_hours",
            "summary",
            "positioning",
            "summary_en",
            "positioning_en",
            "logo",
            "territories",
        ]
        widgets = {
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "positioning": forms.Textarea(attrs={"rows": 6}),
            "summary_en": forms.Textarea(attrs={"rows": 4}),
            "positioning_en": forms.Textarea(attrs={"rows": 6}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }
        help_texts = {
            "logo": _("A PNG, JPEG or WebP image of 1 MB at most."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = [self.instance.legal_form] if self.instance.legal_form_id else []
        self.fields["legal_form"].queryset = _referential_queryset(LegalForm, current)
        self.fields["legal_form"].empty_label = None
        _set_commune_initial(self)

    def clean_siret(self):
        siret = normalise_siret(self.cleaned_data["siret"].strip())
        if siret:
            validate_siret(siret)
        return siret

    def clean_postal_code(self):
        postal_code = self.cleaned_data["postal_code"].strip()
        if postal_code and not (len(postal_code) == 5 and postal_code.isdigit()):
            raise ValidationError(_("A postal code has 5 digits, e.g. 13001."))
        return postal_code

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > LOGO_MAX_BYTES:
            raise ValidationError(_("The logo weighs more than 1 MB: send a lighter image."))
        return logo


# --- Offers ------------------------------------------------------------------------------------


class StageChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, stage):
        return f"{stage.network.name} — {stage.position}. {stage.name}"


class OfferForm(forms.ModelForm):
    stages = StageChoiceField(
        label=_("Stages"),
        queryset=Stage.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The stages of the pathway where people find this offer."),
    )
    territories = TerritoryCodesField(
        label=_("Territory"),
        help_text=_(
            "Leave empty when the offer serves the structure's whole territory. Otherwise, codes "
            "separated by commas: a commune's INSEE code (13055), a département (13), an "
            "intercommunality's SIREN (200054807) or a region with reg: before it (reg:93)."
        ),
    )

    class Meta:
        model = Offer
        formfield_callback = formfield
        fields = [
            "title",
            "slug",
            "summary",
            "description",
            "stages",
            "format",
            "duration",
            "duration_weeks",
            "hours_per_week",
            "selection_mode",
            "capacity",
            "audiences",
            "audience_details",
            "prerequisites",
            "is_free",
            "cost_details",
            "funding",
            "access_modes",
            "reception_modes",
            "how_to_apply",
            "territories",
            "contact_name",
            "contact_email",
            "contact_phone",
            "external_url",
            "title_en",
            "summary_en",
            "description_en",
            "duration_en",
            "is_published",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "summary_en": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "audiences": forms.CheckboxSelectMultiple,
            "access_modes": forms.CheckboxSelectMultiple,
            "reception_modes": forms.CheckboxSelectMultiple,
            "audience_details": forms.Textarea(attrs={"rows": 3}),
            "prerequisites": forms.Textarea(attrs={"rows": 3}),
            "how_to_apply": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "slug": _(
                "The end of the offer's web address: lower-case letters, digits and hyphens. "
                "Leave empty to make it from the title."
            ),
        }

    def __init__(self, *args, stage_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["stages"].queryset = stage_queryset
        offer = self.instance
        for name, model in (
            ("audiences", Audience),
            ("access_modes", AccessMode),
            ("reception_modes", ReceptionMode),
        ):
            current = list(getattr(offer, name).all()) if offer.pk else []
            self.fields[name].queryset = _referential_queryset(model, current)
        current_format = [offer.format] if offer.format_id else []
        self.fields["format"].queryset = _referential_queryset(OfferFormat, current_format)
        self.fields["capacity"].validators = [NEGATIVE_PLACES]
        for name in ("duration_weeks", "hours_per_week"):
            self.fields[name].validators.append(NOT_NEGATIVE)
            self.fields[name].widget.attrs["min"] = 0

    def clean_slug(self):
        return slugify(self.cleaned_data.get("slug") or "")

    def clean(self):
        cleaned = super().clean()
        slug = cleaned.get("slug") or self.instance.slug or slugify(cleaned.get("title") or "")[:80]
        if not slug and "title" in cleaned:
            self.add_error("slug", _("Give a slug made of letters and digits."))
            return cleaned
        taken = Offer.objects.filter(structure=self.instance.structure, slug=slug).exclude(
            pk=self.instance.pk
        )
        if slug and taken.exists():
            self.add_error("slug", _("Another offer of this structure already has this slug."))
        cleaned["slug"] = slug
        return cleaned

    def m2m(self) -> dict:
        names = ("stages", "audiences", "access_modes", "reception_modes", "territories")
        return {name: self.cleaned_data[name] for name in names}


# --- Sessions ----------------------------------------------------------------------------------


class SessionForm(ConstraintErrorsOnFields, forms.ModelForm):
    constraint_fields = {
        "directory_session_ends_after_start": "ends_on",
        "directory_session_deadline_before_end": "application_deadline",
    }

    commune = CommuneField(
        label=_("Commune (INSEE code)"),
        help_text=_("Optional: the INSEE code of the commune, e.g. 13055 for Marseille."),
    )

    class Meta:
        model = OfferSession
        formfield_callback = formfield
        fields = ["starts_on", "ends_on", "application_deadline", "place", "commune", "capacity"]
        widgets = {
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
            "application_deadline": DATE_WIDGET,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].validators = [NEGATIVE_PLACES]
        _set_commune_initial(self)


# --- Stages ------------------------------------------------------------------------------------


def di_theme_choices(stored: list[str]) -> list[tuple[str, str]]:
    """The 'creer-une-entreprise' themes of data·inclusion, and any code already stored."""
    choices = {
        t.value: f"{t.label} ({t.value})" for t in Thematique if t.value.startswith(DI_THEME_PREFIX)
    }
    for code in stored:
        choices.setdefault(code, code)
    return list(choices.items())


class StageForm(forms.ModelForm):
    di_thematiques = forms.MultipleChoiceField(
        label=_("data·inclusion themes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The themes the offers of this stage carry when they are exported."),
    )

    class Meta:
        model = Stage
        formfield_callback = formfield
        fields = [
            "name",
            "slug",
            "summary",
            "questions",
            "di_thematiques",
            "name_en",
            "summary_en",
            "questions_en",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "questions": forms.Textarea(attrs={"rows": 6}),
            "summary_en": forms.Textarea(attrs={"rows": 3}),
            "questions_en": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "slug": _(
                "The end of the stage's web address: lower-case letters, digits and hyphens."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["di_thematiques"].choices = di_theme_choices(self.instance.di_thematiques or [])

    def clean_questions(self):
        lines = self.cleaned_data["questions"].splitlines()
        return "\n".join(line.strip() for line in lines if line.strip())

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        taken = Stage.objects.filter(network=self.instance.network, slug=slug).exclude(
            pk=self.instance.pk
        )
        if taken.exists():
            raise ValidationError(_("Another stage of this network already has this slug."))
        return slug


class MoveStageForm(forms.Form):
    direction = forms.TypedChoiceField(
        choices=[("-1", _("Earlier")), ("1", _("Later"))], coerce=int
    )
