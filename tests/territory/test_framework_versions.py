"""Issue 20: frameworks are versioned like instruments (a new version never changes the past
values of the earlier one; declared continuities join the series and say where they break), and
shared as templates between networks (a copy with its provenance; a file out and back in)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.accounts.rules import can
from maillage.territory.frameworks import definition, selectors, services
from maillage.territory.models import Framework, Measurement
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    StructureFactory,
    StructureMembershipFactory,
)

pytestmark = pytest.mark.django_db
YEARS = [2024, 2025, 2026]


@pytest.fixture
def world():
    structure = StructureFactory(name="Intermade")
    admin = StructureMembershipFactory(structure=structure, admin=True).user
    framework = services.create_framework(title="Utilité sociale", structure=structure)
    criterion = services.add_criterion(
        dimension=services.add_dimension(framework=framework, name="Sociale"), name="Engagement"
    )
    volunteers = services.add_indicator(
        criterion=criterion, name="Bénévoles", kind="entered", code="benevoles"
    )
    partners = services.add_indicator(criterion=criterion, name="Partenaires", kind="entered")
    for year, value in ((2024, 4), (2025, 6)):
        services.record_measurement(indicator=volunteers, year=year, value=value, user=admin)
    services.record_measurement(indicator=partners, year=2025, value=2, user=admin)
    return {
        "structure": structure,
        "admin": admin,
        "framework": framework,
        "volunteers": volunteers,
        "partners": partners,
    }


def series(framework, user, name):
    tree = selectors.framework_tree(framework, user, YEARS)
    for _dimension, criteria in tree:
        for _criterion, indicators in criteria:
            for indicator, points in indicators:
                if indicator.name == name:
                    return indicator, [(p.year, p.value, p.version) for p in points]
    raise AssertionError(name)


def test_a_new_version_keeps_the_past_and_joins_the_declared_series(world):
    v1, admin = world["framework"], world["admin"]
    before = series(v1, admin, "Bénévoles")[1]
    v2 = services.new_version(framework=v1)
    assert (v2.number, v2.previous) == (2, v1)
    # The earlier version is frozen: nothing is added to it.
    with pytest.raises(ValidationError, match="plus récente"):
        services.add_dimension(framework=v1, name="Gouvernance")
    with pytest.raises(ValidationError, match="plus récente"):
        services.new_version(framework=v1)
    # Values are never copied: they stay attached to the version they were entered for.
    new_volunteers = v2.dimensions.get().criteria.get().indicators.get(code="benevoles")
    assert not new_volunteers.measurements.exists()
    services.record_measurement(indicator=new_volunteers, year=2025, value=9, user=admin)
    services.record_measurement(indicator=new_volunteers, year=2026, value=11, user=admin)
    assert series(v1, admin, "Bénévoles")[1] == before  # the past did not change
    indicator, points = series(v2, admin, "Bénévoles")
    # 2024 comes from version 1 (marked), 2025 and 2026 are version 2's own.
    assert points == [(2024, Decimal(4), 1), (2025, Decimal(9), 2), (2026, Decimal(11), 2)]
    assert "version 1" in indicator.series_note
    # A continuity removed: the series starts with version 2 and says so.
    new_partners = v2.dimensions.get().criteria.get().indicators.get(name="Partenaires")
    services.set_continuity(indicator=new_partners, continues=None)
    indicator, points = series(v2, admin, "Partenaires")
    assert [p[1] for p in points] == [None, None, None]
    assert "version 2" in indicator.series_note
    # Two indicators cannot continue the same earlier one; an indicator of another framework
    # is never continued.
    with pytest.raises(ValidationError, match="déjà prolongé"):
        services.set_continuity(indicator=new_partners, continues=world["volunteers"])
    services.set_continuity(indicator=new_partners, continues=world["partners"])
    assert series(v2, admin, "Partenaires")[1][1] == (2025, Decimal(2), 1)


def test_a_series_breaks_where_the_measure_changed(world):
    v2 = services.new_version(framework=world["framework"])
    criterion = v2.dimensions.get().criteria.get()
    counted = services.add_indicator(
        criterion=criterion, name="Bénévoles (heures)", kind="entered", unit="h"
    )
    # The copied "Bénévoles" continues version 1's: free it first.
    copied = criterion.indicators.get(code="benevoles")
    services.set_continuity(indicator=copied, continues=None)
    services.set_continuity(indicator=counted, continues=world["volunteers"])
    indicator, points = series(v2, world["admin"], "Bénévoles (heures)")
    assert "rompt à la version" in indicator.series_note
    assert [p[1] for p in points] == [None, None, None]  # counts are not joined to hours


def test_the_continuity_page_saves_the_mapping(client, world):
    v2 = services.new_version(framework=world["framework"])
    client.force_login(world["admin"])
    copied = {i.code: i for i in services.framework_indicators(v2)}
    response = client.post(
        reverse("territory:framework_continuity", args=[v2.pk]),
        {f"continues-{copied['benevoles'].pk}": world["volunteers"].pk},
    )
    assert response.status_code == 302
    copied["benevoles"].refresh_from_db()
    assert copied["benevoles"].continues == world["volunteers"]
    others = [i for code, i in copied.items() if code != "benevoles"]
    assert all(
        i.continues_id is None
        for i in services.framework_indicators(v2).filter(pk__in=[o.pk for o in others])
    )
    # The superseded version refuses new content through its page too.
    response = client.post(
        reverse("territory:framework", args=[world["framework"].pk]),
        {"action": "dimension", "dimension-name": "Gouvernance"},
        follow=True,
    )
    assert "a une version plus récente" in response.content.decode()
    assert world["framework"].dimensions.count() == 1


def test_a_template_is_copied_by_another_network_with_its_provenance(client, world):
    other_network = NetworkFactory(name="Réseau voisin")
    coordinator = NetworkRoleFactory(network=other_network).user
    template = world["framework"]
    assert not can(coordinator, "use_framework_template", template)
    client.force_login(world["admin"])
    client.post(reverse("territory:framework_publish", args=[template.pk]), {"published": "1"})
    template.refresh_from_db()
    assert template.is_template
    assert can(coordinator, "use_framework_template", template)
    client.force_login(coordinator)
    page = client.get(reverse("territory:framework_templates"))
    assert "Utilité sociale" in page.content.decode()
    response = client.post(
        reverse("territory:framework_templates"),
        {"template": template.pk, "owner": f"network-{other_network.pk}", "title": "Notre UTS"},
    )
    copy = Framework.objects.get(title="Notre UTS")
    assert response.url == reverse("territory:framework", args=[copy.pk])
    assert (copy.network, copy.copied_from, copy.number) == (other_network, template, 1)
    assert "Intermade" in copy.provenance
    assert set(services.framework_indicators(copy).values_list("code", flat=True)) == {
        "benevoles",
        "partenaires",
    }
    assert not Measurement.objects.filter(indicator__criterion__dimension__framework=copy).exists()
    # Someone else's network is not theirs to act for.
    response = client.post(
        reverse("territory:framework_templates"),
        {"template": template.pk, "owner": f"structure-{world['structure'].pk}"},
    )
    assert response.status_code == 403


def test_a_framework_file_goes_out_and_back_in_and_errors_name_the_path(client, world):
    content = definition.definition_yaml(world["framework"])
    parsed = definition.read_definition(content)
    copy = definition.import_definition(parsed, structure=world["structure"])
    assert set(services.framework_indicators(copy).values_list("code", "kind")) == {
        ("benevoles", "entered"),
        ("partenaires", "entered"),
    }
    client.force_login(world["admin"])
    bad = (
        b'{"title": "X", "dimensions": [{"name": "D", "criteria": [{"name": "C", "indicators":'
        b' [{"name": "I", "measurement": "guessed"}, {"name": "J", "measurement": "computed",'
        b' "report_code": "nope", "target": "many"}]}]}]}'
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("territory:framework_import"),
        {
            "file": SimpleUploadedFile("uts.json", bad),
            "owner": f"structure-{world['structure'].pk}",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    page = response.content.decode()
    assert "dimensions[0].criteria[0].indicators[0].measurement" in page
    assert "dimensions[0].criteria[0].indicators[1].report_code" in page
    assert "dimensions[0].criteria[0].indicators[1].target" in page
    assert "Écrivez un nombre" in page
    assert not Framework.objects.filter(title="X").exists()


def test_a_group_of_structures_builds_one_framework(client):
    network = NetworkFactory()
    owner, partner, stranger = (
        StructureFactory(networks=[network]),
        StructureFactory(networks=[network]),
        StructureFactory(),
    )
    admin = StructureMembershipFactory(structure=owner, admin=True).user
    partner_staff = StructureMembershipFactory(structure=partner).user
    framework = services.create_framework(title="UTS commune", structure=owner)
    assert not can(partner_staff, "change_framework", framework)
    with pytest.raises(ValidationError):
        services.set_partners(framework=framework, structures=[stranger])
    client.force_login(admin)
    client.post(
        reverse("territory:framework", args=[framework.pk]),
        {"action": "partners", "partners": [partner.pk]},
    )
    assert list(framework.partners.all()) == [partner]
    assert can(partner_staff, "view_framework", framework)
    assert can(partner_staff, "change_framework", framework)
    assert not can(partner_staff, "publish_framework", framework)
    assert list(selectors.frameworks_visible_to(partner_staff)) == [framework]
    # The next version is built by the same group.
    assert list(services.new_version(framework=framework).partners.all()) == [partner]


def test_the_demo_framework_is_shared_as_a_template_once():
    from maillage.territory.demo import load_framework

    network = NetworkFactory()
    load_framework(network)
    load_framework(network)
    (framework,) = Framework.objects.filter(network=network)
    assert framework.is_template
    assert services.framework_indicators(framework).count() == 3
