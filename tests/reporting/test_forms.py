"""The report filter form shared by the pages and the JSON API."""

import copy
from datetime import date

import pytest

from maillage.reporting.forms import ReportFilterForm
from tests.factories import NetworkFactory, NetworkRoleFactory, StructureFactory

from .shared import module_world

shared_world = module_world(persons=10)


@pytest.fixture
def world(shared_world, db):
    return copy.deepcopy(shared_world)


def test_defaults_are_the_last_twelve_full_months_of_the_only_network(world):
    form = ReportFilterForm({}, user=world.funder, today=date(2026, 3, 18))
    assert form.is_valid(), form.errors
    filters = form.filters()
    assert filters.network == world.network
    assert (filters.date_from, filters.date_to) == (date(2025, 3, 1), date(2026, 2, 28))
    assert filters.structure is filters.offer is filters.stage is filters.territory is None
    assert filters.previous().date_from == date(2024, 3, 1)


def test_a_structure_admin_gets_their_structure(world):
    form = ReportFilterForm({}, user=world.admins["intermade"])
    assert form.is_valid(), form.errors
    assert form.filters().structure.slug == "intermade"
    assert [value for value, _label in form.fields["structure"].choices] == ["intermade"]


def test_choices_follow_the_network(world):
    form = ReportFilterForm({"network": world.network.slug}, user=world.coordinator)
    structures = [value for value, _label in form.fields["structure"].choices]
    assert structures == ["", "apeas", "intermade", "place"]
    offers = [value for value, _label in form.fields["offer"].widget.choices]
    assert "apeas/accueil" in offers and "place/accueil" in offers and "starter" in offers
    stages = [value for value, _label in form.fields["stage"].choices]
    assert stages == ["", "accueil", "emergence", "faisabilite", "test"]


def test_several_networks_need_a_choice(world):
    other = NetworkFactory(name="Second réseau")
    StructureFactory(name="Ailleurs", networks=[other])
    NetworkRoleFactory(user=world.funder, network=other, funder=True)
    form = ReportFilterForm({}, user=world.funder)
    assert not form.is_valid()
    assert form.errors["network"] == ["Choisissez un réseau dont vous pouvez lire les rapports."]
    form = ReportFilterForm({"network": other.slug}, user=world.funder)
    assert form.is_valid(), form.errors


def test_territory_codes(world):
    for code, name in (
        ("13", "Bouches-du-Rhône"),
        ("13055", "Marseille"),
        ("200054807", "Métropole"),
    ):
        form = ReportFilterForm({"territory": code}, user=world.coordinator)
        form.is_valid()  # may be refused as a whole when it singles out a few people
        assert "territory" not in form.errors, form.errors
        assert form.cleaned_data["territory"].name == name
    form = ReportFilterForm({"territory": "nulle part"}, user=world.coordinator)
    assert not form.is_valid()
    assert "département (13)" in form.errors["territory"][0]


def test_an_offer_of_another_structure_is_refused(world):
    form = ReportFilterForm({"structure": "apeas", "offer": "starter"}, user=world.coordinator)
    assert not form.is_valid()
    assert "autre structure" in form.errors["offer"][0]


def test_periods_are_checked(world):
    form = ReportFilterForm({"from": "2025-06-01", "to": "2025-05-31"}, user=world.coordinator)
    assert not form.is_valid()
    form = ReportFilterForm({"from": "2010-01-01", "to": "2025-05-31"}, user=world.coordinator)
    assert not form.is_valid()
    assert "dix ans" in form.errors["to"][0]


def test_the_chosen_structure_and_offer_are_read_whole_for_the_report(
    world, django_assert_num_queries
):
    """The options read only names; the report's filters get the whole records, so that the
    report reads any of their fields without a query per field."""
    form = ReportFilterForm({"offer": "accueil"}, user=world.admins["apeas"])
    assert form.is_valid(), form.errors
    filters = form.filters()
    with django_assert_num_queries(0):
        assert (filters.structure.slug, filters.offer.structure.slug) == ("apeas", "apeas")
        assert filters.structure.get_deferred_fields() == set()
        assert filters.offer.get_deferred_fields() == set()
        assert filters.offer.structure.get_deferred_fields() == set()
