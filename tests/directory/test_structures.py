import pytest
from django.core.exceptions import ValidationError

from maillage.directory import services
from maillage.directory.validators import validate_siret


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",  # a real, published SIRET
        "732 829 320 00074",  # as people type it
        "35600000000048",  # La Poste's head office (Luhn)
        "35600000049922",  # a La Poste establishment: digit sum multiple of 5, not Luhn
    ],
)
def test_valid_sirets_pass(siret):
    validate_siret(siret)


@pytest.mark.parametrize(
    ("siret", "code"),
    [
        ("73282932000075", "siret_checksum"),
        ("7328293200007", "siret_format"),
        ("7328293200007A", "siret_format"),
        ("35600000049923", "siret_checksum"),
    ],
)
def test_invalid_sirets_say_what_is_wrong(siret, code):
    with pytest.raises(ValidationError) as error:
        validate_siret(siret)
    assert error.value.code == code


@pytest.mark.django_db
def test_structure_service_normalises_and_validates_the_siret():
    structure = services.upsert_structure(
        slug="intermade",
        name="Intermade",
        legal_form="association",
        siret="732 829 320 00074",
    )
    assert structure.siret == "73282932000074"
    with pytest.raises(ValidationError) as error:
        services.upsert_structure(
            slug="autre", name="Autre", legal_form="association", siret="73282932000075"
        )
    assert "siret" in error.value.message_dict


@pytest.mark.django_db
def test_two_structures_cannot_share_a_siret():
    services.upsert_structure(slug="a", name="A", legal_form="association", siret="73282932000074")
    with pytest.raises(ValidationError):
        services.upsert_structure(
            slug="b", name="B", legal_form="association", siret="73282932000074"
        )
