"""A budget readable by all: sub-lines within their parent, contributions in the budget's
currency, the page with its charts and tables, the XLSX round trip (issue 22, acceptance 3)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.collab import budgets, services
from maillage.collab.models import BudgetLine, Contribution, ContributionKind


@pytest.fixture
def budget(world, meeting):
    item = services.propose_agenda_item(meeting=meeting, title="Budget", by=world.member)
    decision = services.record_decision(
        item=item, text="Budget 2027 adopté", method="vote", by=world.facilitator
    )
    budget = services.create_budget(
        network=world.network, year=2027, title="Budget du réseau", by=world.coordinator
    )
    events = services.save_budget_line(
        budget=budget,
        code="1",
        label="Événements",
        planned=10000,
        by=world.coordinator,
        decision=decision,
    )
    services.save_budget_line(
        budget=budget,
        code="1.1",
        label="Salon",
        planned=6000,
        committed=5000,
        actual=4500,
        parent=events,
        by=world.coordinator,
    )
    services.save_budget_line(
        budget=budget,
        code="1.2",
        label="Forum",
        planned=3000,
        committed=1000,
        actual=800,
        parent=events,
        by=world.coordinator,
    )
    services.save_budget_line(
        budget=budget,
        code="2",
        label="Communication",
        planned=2000,
        committed=2000,
        actual=1500,
        by=world.coordinator,
    )
    services.add_contribution(
        budget=budget,
        structure=world.first,
        kind=ContributionKind.MONEY,
        amount=7000,
        by=world.coordinator,
    )
    services.add_contribution(
        budget=budget,
        structure=world.second,
        kind=ContributionKind.STAFF_DAYS,
        amount=3000,
        quantity=Decimal("10"),
        description="Chargée de mission",
        by=world.coordinator,
    )
    return budget


def test_a_sub_line_exceeding_its_parent_is_refused_and_nothing_saved(world, budget):
    events = BudgetLine.objects.get(budget=budget, code="1")
    with pytest.raises(ValidationError) as error:
        services.save_budget_line(
            budget=budget,
            code="1.3",
            label="Trop",
            planned=1001,
            parent=events,
            by=world.coordinator,
        )
    assert "plus que" in error.value.message_dict["planned"][0]
    with pytest.raises(ValidationError):  # nor may the parent shrink below its sub-lines
        services.save_budget_line(
            budget=budget, code="1", label="Événements", planned=8000, by=world.coordinator
        )
    assert not BudgetLine.objects.filter(code="1.3").exists()
    assert BudgetLine.objects.get(code="1").planned == 10000


def test_a_contribution_in_another_currency_is_refused(world, budget):
    with pytest.raises(ValidationError) as error:
        services.add_contribution(
            budget=budget,
            structure=world.first,
            kind=ContributionKind.MONEY,
            amount=100,
            currency="USD",
            by=world.coordinator,
        )
    assert "EUR" in error.value.message_dict["currency"][0]
    assert Contribution.objects.count() == 2


def test_sub_budgets_roll_up_to_their_parent_and_the_total(budget):
    summary = budgets.rollup(budget)
    events = summary.top[0]
    assert (events.committed, events.actual) == (Decimal("6000"), Decimal("5300"))
    assert events.children_planned == sum(child.planned for child in events.children)
    assert events.actual == sum(child.actual for child in events.children)
    assert (summary.planned, summary.committed, summary.actual) == (
        Decimal("12000"),
        Decimal("8000"),
        Decimal("6800"),
    )


def test_the_budget_page_shows_planned_vs_actual_and_contributions_per_structure(
    world, budget, login, client
):
    response = login(world.outsider).get(reverse("collab:budget", args=[budget.uuid]))
    page = response.content.decode()
    assert page.count('src="data:image/svg+xml;base64,') == 2  # both charts, tables beside
    assert "Prévu" in page and "Réalisé" in page
    assert "<td>12000,00</td><td>8000,00</td><td>6800,00</td>" in page  # the totals
    assert '<td>10000,00 <span class="muted">(sous-lignes : 9000,00)</span></td>' in page
    assert '<th scope="row">Intermade</th><td>7000,00</td>' in page
    assert "Budget 2027 adopté" in page
    # Not public unless the network chooses.
    client.logout()
    assert client.get(reverse("collab:budget", args=[budget.uuid])).status_code == 404
    assert (
        login(world.stranger).get(reverse("collab:budget", args=[budget.uuid])).status_code == 404
    )
    budget.is_public = True
    budget.save()
    client.logout()
    assert client.get(reverse("collab:budget", args=[budget.uuid])).status_code == 200


def _state(budget):
    lines = sorted(
        (
            line.code,
            line.parent.code if line.parent else "",
            line.label,
            line.planned,
            line.committed,
            line.actual,
            line.decision_id,
        )
        for line in budget.lines.select_related("parent")
    )
    contributions = sorted(
        (c.structure_id, c.kind, c.amount, c.currency, c.quantity, c.description)
        for c in budget.contributions.all()
    )
    return lines, contributions


def test_the_xlsx_round_trips(world, budget, login):
    before = _state(budget)
    content = login(world.coordinator).get(reverse("collab:budget_export", args=[budget.uuid]))
    budgets.import_xlsx(budget=budget, content=content.content, by=world.coordinator)
    assert _state(budget) == before
    # Into another budget (another year) of the same network, too.
    other = services.create_budget(
        network=world.network, year=2028, title="Budget du réseau", by=world.coordinator
    )
    budgets.import_xlsx(budget=other, content=budgets.export_xlsx(budget), by=world.coordinator)
    assert _state(other) == before


def test_an_import_with_one_bad_row_saves_nothing(world, budget):
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(budgets.export_xlsx(budget)))
    workbook["contributions"]["D3"] = "USD"  # the second contribution in dollars
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = _state(budget)
    with pytest.raises(ValidationError) as error:
        budgets.import_xlsx(budget=budget, content=buffer.getvalue(), by=world.coordinator)
    assert "ligne 3" in error.value.messages[0]
    assert _state(budget) == before
