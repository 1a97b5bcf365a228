"""Form fields and helpers of the directory's forms: territories typed as codes, model
constraints shown on the field they are about, https as the default scheme of web addresses."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Territory, TerritoryKind
from .territories import read_code, territories_by_codes

COMMUNE_KINDS = (TerritoryKind.COMMUNE, TerritoryKind.ARRONDISSEMENT)


class ConstraintErrorsOnFields:
    """Show the model's check-constraint messages on the field they are about.

    Django reports a failed `CheckConstraint` as an error of the whole form; `constraint_fields`
    maps a constraint's name to the field a person has to correct.
    """

    constraint_fields: dict[str, str] = {}

    def _post_clean(self):
        super()._post_clean()
        errors = self._errors.pop(NON_FIELD_ERRORS, None)
        if not errors:
            return
        by_message = {
            str(constraint.get_violation_error_message()): self.constraint_fields[constraint.name]
            for constraint in self._meta.model._meta.constraints
            if constraint.name in self.constraint_fields
        }
        for error in errors.as_data():
            self.add_error(by_message.get(" ".join(error.messages)), error)


# --- Territories, typed as codes (there are some 35,000 communes) ------------------------------

_COMMUNE_CODE = RegexValidator(r"^[0-9][0-9AB][0-9]{3}$")


def territory_token(territory: Territory) -> str:
    """How a territory is typed in a codes field (regions need their prefix)."""
    if territory.kind == TerritoryKind.REGION:
        return f"reg:{territory.code}"
    return territory.code


class TerritoryCodesField(forms.Field):
    """Territories typed as comma-separated codes, each checked against the loaded territories."""

    widget = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    default_help_text = _(
        "Codes separated by commas: a commune's INSEE code (13055), a département (13), "
        "an intercommunality's SIREN (200054807) or a region with reg: before it (reg:93)."
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", self.default_help_text)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str) or value is None:
            return value or ""
        return ", ".join(territory_token(territory) for territory in value)

    def to_python(self, value):
        tokens = [token.strip() for token in (value or "").split(",") if token.strip()]
        if not tokens:
            return []
        try:
            return territories_by_codes(tokens)
        except ValidationError as error:
            raise ValidationError(
                _("Unknown territory code: %(codes)s. Check the codes, separated by commas."),
                params=error.params,
                code="unknown_territory",
            ) from error


class CommuneField(forms.ModelChoiceField):
    """A commune typed as its INSEE code (read first as such), or else as the postal code of
    one commune (`territories.read_code`)."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Territory.objects.filter(kind__in=COMMUNE_KINDS),
            to_field_name="code",
            required=False,
            widget=forms.TextInput(
                attrs={"autocomplete": "off", "inputmode": "text", "size": 6, "maxlength": 5}
            ),
            error_messages={
                "invalid_choice": _(
                    "No commune has the INSEE code %(value)s. The INSEE code is not the "
                    "postal code: Marseille is 13055, for example."
                )
            },
            **kwargs,
        )

    def to_python(self, value):
        value = (value or "").strip().upper()
        if value and not _COMMUNE_CODE.regex.match(value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        if not value:
            return None
        reading = read_code(value, postal_first=False)
        if reading.place is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return reading.place


def formfield(model_field, **kwargs):
    """Web addresses typed without a scheme are taken as https (Django 6's default)."""
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)
