"""Validators for French identifiers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# La Poste's establishments are numbered so that the digit sum is a multiple of 5 (not Luhn).
LA_POSTE_SIREN = "356000000"


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits whose check digit follows the Luhn algorithm (La Poste excepted)."""
    compact = value.replace(" ", "")
    if len(compact) != 14 or not compact.isdigit():
        raise ValidationError(
            _("A SIRET number has exactly 14 digits (spaces allowed), e.g. 732 829 320 00074."),
            code="siret_format",
        )
    valid = luhn_is_valid(compact) or (
        compact.startswith(LA_POSTE_SIREN) and sum(int(c) for c in compact) % 5 == 0
    )
    if not valid:
        raise ValidationError(
            _("This SIRET number's check digit is wrong: check it against the Sirene register."),
            code="siret_checksum",
        )


def normalise_siret(value: str) -> str:
    return value.replace(" ", "")
