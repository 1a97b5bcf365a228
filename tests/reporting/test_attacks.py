"""Masking that no comparison defeats (issue 15.1): each test performs an attack a funder could
make on the figures they are given, on a small world built for it, and fails if it recovers a
count from 1 to 4.

The attacker reads every figure shown (a "<5" lies between 1 and 4, another hidden figure is at
least 5) and uses what they know of the network: the rows of a table with a total add up to it,
and each structure's flows add up to its referrals sent and received.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from maillage.pathways.models import Act, ActParticipant
from maillage.reporting.catalogue import COUNT_UNITS
from maillage.reporting.report import ReportFilters
from maillage.reporting.selectors import build_report
from tests.factories import (
    ApplicationFactory,
    NetworkFactory,
    NetworkRoleFactory,
    OfferFactory,
    PersonFactory,
    ReferralFactory,
    StageFactory,
    StructureFactory,
    act_type,
)

from .privacy import assert_private, pinned_cells
from .world import local

YEAR = (date(2025, 1, 1), date(2025, 12, 31))


def funder_report(network, start=YEAR[0], end=YEAR[1], **filters):
    funder = NetworkRoleFactory(network=network, funder=True).user
    report = build_report(
        user=funder, filters=ReportFilters(network=network, date_from=start, date_to=end, **filters)
    )
    assert report.masked
    return report


def recovered(rows, total) -> list[str]:
    """The labels of the rows a total and the shown rows pin to one value."""
    return [rows[index][0] for index in pinned_cells([f for _l, f in rows], total)]


def present(structure, day, people, offer=None):
    act = Act.objects.create(
        act_type=act_type(),
        structure=structure,
        offer=offer,
        occurred_on=day,
        duration_minutes=60,
    )
    ActParticipant.objects.bulk_create(
        ActParticipant(act=act, person=person, attended=True) for person in people
    )


def test_a_structure_whose_flows_are_all_small_does_not_show_its_total(db):
    """Seen: a structure with 13 referrals sent showed 13 flows of "<5": each was 1."""
    network = NetworkFactory()
    sender = StructureFactory(networks=[network])
    others = [StructureFactory(networks=[network]) for _ in range(6)]
    for other in others:  # one referral to each: six flows of 1, six referrals sent
        ReferralFactory(from_structure=sender, to_structure=other, sent_at=local(date(2025, 3, 3)))
    # Enough elsewhere for the network's totals to be shown.
    for _ in range(7):
        ReferralFactory(
            from_structure=others[0], to_structure=others[1], sent_at=local(date(2025, 4, 1))
        )
    report = funder_report(network)
    by_structure = next(
        b for b in report.indicators["referrals_sent"].breakdowns if b.dimension == "structure"
    )
    row = dict(by_structure.rows)[sender.name]
    flows = [(f.target, f.figure) for f in report.flows if f.source == sender.name]
    assert len(flows) == 6 and all(f.display == "<5" for _t, f in flows)
    assert not recovered(flows, row), "the sender's total pins each of its flows to 1"
    assert row.masked
    assert_private(report)


def test_a_stage_table_whose_rows_add_up_is_protected_like_a_partition(db):
    """Stage tables are declared overlapping (an offer may sit on several stages); when each
    offer sits on one stage, as the public map shows, the rows add up to the total: seen,
    26 minus the shown rows gave 2."""
    network = NetworkFactory()
    stages = [StageFactory(network=network, position=i) for i in (1, 2, 3)]
    structures = [StructureFactory(networks=[network]) for _ in stages]
    offers = [
        OfferFactory(structure=structure, stages=[stage])
        for structure, stage in zip(structures, stages, strict=True)
    ]
    # 20 people at the first stage's offer, 2 at the second's, 6 at the third's.
    for offer, n in zip(offers, (20, 2, 6), strict=True):
        present(offer.structure, date(2025, 5, 5), [PersonFactory() for _ in range(n)], offer)
    report = funder_report(network)
    persons = report.indicators["persons_accompanied"]
    assert persons.value.value == 28
    for dimension in ("stage", "structure", "offer"):
        rows = next(b.rows for b in persons.breakdowns if b.dimension == dimension)
        assert not recovered(list(rows), persons.value), dimension
    assert not recovered(list(report.funnel), persons.value)
    # The acts by stage too (one act per offer: 1, 1, 1 of 3 acts is hidden whole).
    acts = report.indicators["acts"]
    rows = next(b.rows for b in acts.breakdowns if b.dimension == "stage")
    assert not recovered(list(rows), acts.value)


def shown_counts(report) -> dict:
    """Every count a reader is shown, by where it is."""
    found = {}
    for code, item in report.indicators.items():
        if item.unit not in COUNT_UNITS:
            continue
        found[code] = item.value
        for breakdown in item.breakdowns:
            for label, figure in breakdown.rows:
                found[(code, breakdown.dimension, label)] = figure
    for flow in report.flows:
        found[("flow", flow.source, flow.target)] = flow.figure
    return {where: f.value for where, f in found.items() if not f.masked and f.value is not None}


def differences(first, second) -> dict:
    """What subtracting one report from the other gives, where it is a count from 1 to 4."""
    a, b = shown_counts(first), shown_counts(second)
    return {
        where: a[where] - b[where]
        for where in a.keys() & b.keys()
        if 1 <= abs(a[where] - b[where]) <= 4
    }


@pytest.fixture
def november(db):
    """Eleven people met at one structure in November 2026, and one woman met there on the
    30th only (seen: one-day differencing gave her gender, situation and neighbourhood)."""
    network = NetworkFactory()
    structure = StructureFactory(networks=[network])
    present(structure, date(2026, 11, 10), [PersonFactory(gender="male") for _ in range(11)])
    present(structure, date(2026, 11, 30), [PersonFactory(gender="female")])
    return network


def test_one_day_differencing_gives_nothing_away(november, client):
    network = november
    on_30th = funder_report(network, date(2026, 11, 1), date(2026, 11, 30))
    on_29th = funder_report(network, date(2026, 11, 1), date(2026, 11, 29))
    assert not differences(on_30th, on_29th)
    # The period read is the whole month, and the page or the API says why.
    assert on_29th.filters.date_to == date(2026, 11, 30)
    funder = NetworkRoleFactory(network=network, funder=True).user
    client.force_login(funder)
    response = client.get(
        "/api/v1/reports/indicators",
        {"network": network.slug, "from": "2026-11-01", "to": "2026-11-29"},
    )
    assert response.status_code == 400
    assert "mois entiers" in response.json()["__all__"][0]


def test_differencing_two_periods_of_whole_months_gives_nothing_away(db):
    """June to November against June to October: the difference is November's people."""
    network = NetworkFactory()
    structure = StructureFactory(networks=[network])
    for month in (6, 7, 8, 9, 10):
        present(structure, date(2026, month, 3), [PersonFactory(gender="male") for _ in range(6)])
    present(structure, date(2026, 11, 3), [PersonFactory(gender="female") for _ in range(2)])
    june_november = funder_report(network, date(2026, 6, 1), date(2026, 11, 30))
    june_october = funder_report(network, date(2026, 6, 1), date(2026, 10, 31))
    assert not differences(june_november, june_october)
    # From the other end too: July to November.
    july_november = funder_report(network, date(2026, 7, 1), date(2026, 11, 30))
    assert not differences(june_november, july_november)
    assert june_november.indicators["persons_accompanied"].value.masked  # 32 - 30 = 2


def acts_of(structure, day, people, times):
    for _ in range(times):
        present(structure, day, people)


def test_a_quarter_minus_its_first_and_last_months_gives_nothing_away(db):
    """The three-report attack: January and March are shown (10 acts each), the quarter too;
    22 - 10 - 10 = 2 would give back February's "<5" (and its hours)."""
    network = NetworkFactory()
    structure = StructureFactory(networks=[network])
    people = [PersonFactory() for _ in range(6)]
    acts_of(structure, date(2025, 1, 7), people, 10)
    acts_of(structure, date(2025, 2, 7), people, 2)
    acts_of(structure, date(2025, 3, 7), people, 10)
    quarter = funder_report(network, date(2025, 1, 1), date(2025, 3, 31))
    january = funder_report(network, date(2025, 1, 1), date(2025, 1, 31))
    february = funder_report(network, date(2025, 2, 1), date(2025, 2, 28))
    march = funder_report(network, date(2025, 3, 1), date(2025, 3, 31))
    assert february.indicators["acts"].value.display == "<5"
    assert january.indicators["acts"].value.value == 10 == march.indicators["acts"].value.value
    q, jan, mar = shown_counts(quarter), shown_counts(january), shown_counts(march)
    recovered_counts = {
        where: q[where] - jan[where] - mar[where]
        for where in q.keys() & jan.keys() & mar.keys()
        if 1 <= q[where] - jan[where] - mar[where] <= 4
    }
    assert not recovered_counts
    assert quarter.indicators["act_hours"].value.masked
    # Nor from the acts per month beside the quarter's acts.
    assert not recovered(
        [(m.month, m.acts) for m in quarter.acts_per_month], quarter.indicators["acts"].value
    )


def test_a_period_without_a_masked_month_shows_its_counts(db):
    """No over-suppression: when no month of the quarter hides a count, the quarter shows every
    count as it is."""
    network = NetworkFactory()
    structure = StructureFactory(networks=[network])
    people = [PersonFactory(gender="female") for _ in range(6)]
    acts_of(structure, date(2025, 1, 7), people, 10)
    acts_of(structure, date(2025, 2, 7), people, 6)
    acts_of(structure, date(2025, 3, 7), people, 10)
    quarter = funder_report(network, date(2025, 1, 1), date(2025, 3, 31))
    acts = quarter.indicators["acts"]
    assert acts.value.value == 26
    assert [m.acts.value for m in quarter.acts_per_month] == [10, 6, 10]
    assert [m.hours.value for m in quarter.acts_per_month] == [10, 6, 10]
    assert quarter.indicators["act_hours"].value.value == 26
    for breakdown in acts.breakdowns:
        assert not any(f.masked for _l, f in breakdown.rows), breakdown.dimension
    persons = quarter.indicators["persons_accompanied"]
    assert persons.value.value == 6
    gender = dict(next(b.rows for b in persons.breakdowns if b.dimension == "gender"))
    assert not any(f.masked for f in gender.values())


def test_a_filter_keeping_a_few_applicants_is_refused(db, client):
    """The few-people refusal is judged on every population the report breaks down, not only
    the people accompanied: structure A has 8 people accompanied but 3 applications, all
    women; its report would show applications by gender as "<5" women and 0 men."""
    network = NetworkFactory()
    first, second = (StructureFactory(networks=[network]) for _ in range(2))
    present(first, date(2025, 3, 3), [PersonFactory() for _ in range(8)])
    present(second, date(2025, 3, 3), [PersonFactory() for _ in range(8)])
    offer = OfferFactory(structure=first)
    for _ in range(3):
        ApplicationFactory(
            offer=offer, person=PersonFactory(gender="female"), submitted_on=date(2025, 3, 4)
        )
    other = OfferFactory(structure=second)
    for _ in range(10):
        ApplicationFactory(offer=other, submitted_on=date(2025, 3, 4))
    with pytest.raises(ValidationError):
        funder_report(network, structure=first)
    funder = NetworkRoleFactory(network=network, funder=True).user
    client.force_login(funder)
    response = client.get(
        "/api/v1/reports/indicators",
        {
            "network": network.slug,
            "structure": first.slug,
            "from": "2025-01-01",
            "to": "2025-12-31",
        },
    )
    assert response.status_code == 400
    assert "candidatures" in response.json()["__all__"][0]
    # The network's report (which masks A's applications as a row) is still read.
    assert funder_report(network).indicators["applications"].value.value == 13
