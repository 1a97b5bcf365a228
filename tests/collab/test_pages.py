"""The pages that replace the Django admin for the network's life (issue 22): events and their
roster of representatives, budget lines and contributions one at a time, the budget made public,
pooling arrangements and shared job posts, the group's settings and its decisions timeline.

Each page: the permitted user saves, a refused input shows its translated error on the form
(status 400) and saves nothing, another user is refused."""

import datetime

from django.urls import reverse

from maillage.collab import services
from maillage.collab.models import (
    Arrangement,
    BudgetLine,
    Contribution,
    Event,
    EventDocument,
    JobShare,
    PoolingEntry,
    Representative,
)
from tests.factories import NetworkRoleFactory

from .conftest import in_days


def _local(moment):
    return moment.strftime("%Y-%m-%dT%H:%M")


# --- Events -------------------------------------------------------------------------------------


def test_a_coordinator_creates_and_edits_a_public_event(world, login):
    client = login(world.coordinator)
    url = reverse("collab:event_create", args=[world.network.slug])
    form = {
        "title": "Salon des entrepreneurs",
        "kind": "fair",
        "starts_at": _local(in_days(20, 9)),
        "ends_at": _local(in_days(20, 8)),  # ends before it starts
        "place": "Parc Chanot",
        "is_public": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 400
    assert "Un événement ne peut pas finir avant de commencer." in response.content.decode()
    assert not Event.objects.exists()

    response = client.post(url, form | {"ends_at": _local(in_days(20, 18))})
    event = Event.objects.get()
    assert response.url == reverse("collab:event", args=[event.uuid])
    assert (event.network, event.kind, event.place) == (world.network, "fair", "Parc Chanot")

    edit = reverse("collab:event_edit", args=[event.uuid])
    assert "Parc Chanot" in client.get(edit).content.decode()
    client.post(edit, form | {"ends_at": "", "title": "Forum de l'ESS", "kind": "forum"})
    event.refresh_from_db()
    assert (event.title, event.kind, event.ends_at) == ("Forum de l'ESS", "forum", None)
    calendar = client.get(reverse("collab:calendar")).content.decode()
    assert "Forum de l&#x27;ESS" in calendar and url in calendar

    # A facilitator or a member of the network does not manage the calendar.
    for user in (world.facilitator, world.outsider):
        assert login(user).get(url).status_code == 403
        assert login(user).post(edit, form).status_code == 403


def test_the_roster_names_representatives_their_structures_and_the_documents(world, login):
    event = services.plan_event(
        network=world.network,
        title="Salon des entrepreneurs",
        kind="fair",
        starts_at=in_days(20),
        by=world.coordinator,
    )
    client = login(world.coordinator)
    roster_url = reverse("collab:event_roster", args=[event.uuid])
    # A structure outside the network is not offered; a person from elsewhere is refused.
    response = client.post(
        roster_url,
        {"kind": "representative", "user": world.stranger.pk, "structures": [world.first.pk]},
    )
    assert response.status_code == 400
    assert not Representative.objects.exists()
    response = client.post(
        roster_url,
        {"kind": "representative", "user": world.member.pk, "structures": [world.elsewhere.pk]},
    )
    assert response.status_code == 400
    funder = NetworkRoleFactory(network=world.network, funder=True).user
    response = client.post(
        roster_url,
        {"kind": "representative", "user": funder.pk, "structures": [world.first.pk]},
    )
    assert response.status_code == 400  # funders do not stand for the network
    assert not Representative.objects.exists()

    response = client.post(
        roster_url,
        {
            "kind": "representative",
            "user": world.member.pk,
            "structures": [world.first.pk, world.second.pk],
            "slot": "Samedi matin",
        },
    )
    assert response.status_code == 302
    response = client.post(
        roster_url,
        {"kind": "document", "title": "Kakémono du réseau", "url": "https://example.org/k.pdf"},
    )
    assert response.status_code == 302

    page = login(world.outsider).get(reverse("collab:event", args=[event.uuid])).content.decode()
    name = world.member.full_name or world.member.email
    row = page[page.index("<tbody>") : page.index("</tbody>")]
    assert name in row and "Samedi matin" in row
    assert "Couveuse Sud, Intermade" in row  # the structures each representative stands for
    assert '<a href="https://example.org/k.pdf">Kakémono du réseau</a>' in page
    assert roster_url not in page  # the outsider does not manage the roster

    representative = Representative.objects.get()
    document = EventDocument.objects.get()
    remove = reverse("collab:representative_remove", args=[event.uuid, representative.pk])
    assert login(world.outsider).post(remove).status_code == 403
    client = login(world.coordinator)
    client.post(remove)
    client.post(reverse("collab:document_remove", args=[event.uuid, document.pk]))
    assert not Representative.objects.exists() and not EventDocument.objects.exists()


# --- Budgets ------------------------------------------------------------------------------------


def _line(code, label, planned, parent="", **extra):
    return (
        {"code": code, "label": label, "planned": planned, "committed": 0, "actual": 0}
        | {"parent": parent}
        | extra
    )


def test_budget_lines_are_added_edited_and_deleted_one_at_a_time(world, meeting, login, client):
    item = services.propose_agenda_item(meeting=meeting, title="Budget", by=world.member)
    decision = services.record_decision(
        item=item, text="Budget 2027 adopté", method="vote", by=world.facilitator
    )
    coordinator = login(world.coordinator)
    response = coordinator.post(
        reverse("collab:budget_create", args=[world.network.slug]),
        {"title": "Budget du réseau", "year": 2027, "currency": "eur"},
    )
    budget = world.network.collab_budgets.get()
    assert budget.currency == "EUR"
    assert response.url == reverse("collab:budget", args=[budget.uuid])
    add = reverse("collab:line_create", args=[budget.uuid])
    coordinator.post(add, _line("1", "Événements", "1000", decision=decision.pk))
    events = BudgetLine.objects.get(code="1")
    assert events.decision == decision
    coordinator.post(add, _line("1.1", "Salon", "600", parent=events.pk, actual="400"))

    # A sub-line that would plan more than its parent: the error on the form, nothing saved.
    response = coordinator.post(add, _line("1.2", "Forum", "500", parent=events.pk))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Les sous-lignes de" in text and "Événements" in text
    assert "prévoiraient 1\xa0100,00, plus que ses 1\xa0000,00." in text
    assert not BudgetLine.objects.filter(code="1.2").exists()
    # Lowering the parent under its sub-lines is refused too.
    edit = reverse("collab:line_edit", args=[budget.uuid, events.pk])
    response = coordinator.post(edit, _line("1", "Événements", "500"))
    assert response.status_code == 400
    assert "Les sous-lignes de cette ligne prévoient déjà 600,00." in response.content.decode()
    # A line cannot move under its own sub-line.
    salon = BudgetLine.objects.get(code="1.1")
    response = coordinator.post(edit, _line("1", "Événements", "1000", parent=salon.pk))
    assert response.status_code == 400
    events.refresh_from_db()
    assert (events.planned, events.parent) == (1000, None)

    # Editing changes the code too; the page shows the line and the decision links back.
    coordinator.post(
        reverse("collab:line_edit", args=[budget.uuid, salon.pk]),
        _line("1.5", "Salon de l'emploi", "600", parent=events.pk, actual="450"),
    )
    salon.refresh_from_db()
    assert (salon.code, salon.label, salon.actual) == ("1.5", "Salon de l'emploi", 450)
    page = coordinator.get(reverse("collab:budget", args=[budget.uuid])).content.decode()
    assert "1.5 Salon de l&#x27;emploi" in page
    assert reverse("collab:meeting", args=[meeting.uuid]) + f"#item-{item.pk}" in page

    # Only the network's coordinator (or the group's facilitator) edits.
    assert login(world.outsider).post(add, _line("2", "Com", "10")).status_code == 403
    assert login(world.outsider).get(edit).status_code == 403
    coordinator = login(world.coordinator)
    coordinator.post(reverse("collab:line_delete", args=[budget.uuid, events.pk]))
    assert not BudgetLine.objects.exists()  # the line and its sub-line

    # The network chooses to make it public: visitors read it.
    budget_url = reverse("collab:budget", args=[budget.uuid])
    client.logout()
    assert client.get(budget_url).status_code == 404
    login(world.coordinator).post(
        reverse("collab:budget_edit", args=[budget.uuid]),
        {"title": "Budget du réseau", "year": 2027, "is_public": "on"},
    )
    client.logout()
    assert client.get(budget_url).status_code == 200


def test_contributions_in_each_kind_and_only_in_the_budgets_currency(world, login):
    budget = services.create_budget(
        network=world.network, year=2027, title="Budget", by=world.coordinator
    )
    client = login(world.coordinator)
    add = reverse("collab:contribution_create", args=[budget.uuid])
    form = {
        "structure": world.second.pk,
        "kind": "staff_days",
        "amount": "3000",
        "currency": "USD",
        "quantity": "10",
        "description": "Chargée de mission",
    }
    response = client.post(add, form)
    assert response.status_code == 400
    assert "Ce budget est tenu en EUR ; convertissez d&#x27;abord" in response.content.decode()
    assert not Contribution.objects.exists()
    assert client.post(add, form | {"structure": world.elsewhere.pk}).status_code == 400

    for kind, amount in (("staff_days", "3000"), ("money", "500"), ("premises", "800")):
        client.post(add, form | {"currency": "EUR", "kind": kind, "amount": amount})
    client.post(add, form | {"currency": "eur", "kind": "material", "amount": "100"})
    assert sorted(Contribution.objects.values_list("kind", flat=True)) == [
        "material",
        "money",
        "premises",
        "staff_days",
    ]
    money = Contribution.objects.get(kind="money")
    client.post(
        reverse("collab:contribution_edit", args=[budget.uuid, money.pk]),
        form | {"currency": "EUR", "kind": "money", "amount": "700", "structure": world.first.pk},
    )
    money.refresh_from_db()
    assert (money.amount, money.structure) == (700, world.first)
    page = client.get(reverse("collab:budget", args=[budget.uuid])).content.decode()
    assert '<th scope="row">Couveuse Sud</th><td>0,00</td><td>3000,00</td><td>800,00</td>' in page
    client.post(reverse("collab:contribution_delete", args=[budget.uuid, money.pk]))
    assert Contribution.objects.count() == 3
    outsider = login(world.outsider)
    assert outsider.post(add, form | {"currency": "EUR"}).status_code == 403
    assert Contribution.objects.count() == 3


# --- Pooling ------------------------------------------------------------------------------------


def test_an_arrangement_is_recorded_from_a_matched_need(world, login):
    offer = services.post_pooling_entry(
        network=world.network,
        structure=world.first,
        direction="offer",
        kind="premises",
        title="Salle du mardi",
        by=world.facilitator,
    )
    need = services.post_pooling_entry(
        network=world.network,
        structure=world.second,
        direction="need",
        kind="premises",
        title="Une salle pour nos ateliers",
        by=world.member,
    )
    client = login(world.member)
    page = client.get(reverse("collab:pooling_entry", args=[need.uuid])).content.decode()
    url = reverse("collab:arrangement_create", args=[need.uuid])
    assert "Salle du mardi" in page and url in page
    form = {
        "counterpart": offer.pk,
        "starts_on": "2027-01-10",
        "ends_on": "2027-01-05",
        "terms": "Le mardi matin, gratuit",
    }
    response = client.post(url, form)
    assert response.status_code == 400
    assert "Un accord ne peut pas finir avant de commencer." in response.content.decode()
    assert not Arrangement.objects.exists()
    client.post(url, form | {"ends_on": "2027-06-30"})
    arrangement = Arrangement.objects.get()
    assert (arrangement.offer, arrangement.need) == (offer, need)
    assert arrangement.ends_on == datetime.date(2027, 6, 30)
    assert not PoolingEntry.objects.filter(is_open=True).exists()
    page = client.get(reverse("collab:pooling_entry", args=[offer.uuid])).content.decode()
    assert "Le mardi matin, gratuit" in page
    # Once arranged, nothing more to arrange; a stranger to both structures never could.
    assert client.get(url).status_code == 403
    assert login(world.stranger).get(url).status_code == 404


def test_a_shared_job_post_page_carries_its_description_and_shares_up_to_100(world, login):
    post = services.post_pooling_entry(
        network=world.network,
        structure=world.first,
        direction="offer",
        kind="job_post",
        title="Chargé·e de mission mutualisé·e",
        by=world.facilitator,
    )
    url = reverse("collab:job_post_edit", args=[post.uuid])
    client = login(world.facilitator)
    form = {
        "description": "Animer les groupes de travail du réseau",
        f"share_{world.first.pk}": "70",
        f"share_{world.second.pk}": "40",
    }
    response = client.post(url, form)
    assert response.status_code == 400
    assert "Les parts d&#x27;un poste ne peuvent pas dépasser 100 %." in response.content.decode()
    post.refresh_from_db()
    assert post.description == "" and not JobShare.objects.exists()
    client.post(url, form | {f"share_{world.second.pk}": "30"})
    post.refresh_from_db()
    assert post.description == "Animer les groupes de travail du réseau"
    assert dict(post.shares.values_list("structure__name", "percent")) == {
        "Intermade": 70,
        "Couveuse Sud": 30,
    }
    page = client.get(reverse("collab:pooling_entry", args=[post.uuid])).content.decode()
    assert "Intermade : 70 %" in page and "Couveuse Sud : 30 %" in page
    # Only its structure's staff change the post.
    assert login(world.member).get(url).status_code == 403


# --- Groups -------------------------------------------------------------------------------------


def test_facilitators_edit_the_group_and_its_page_keeps_the_decisions_timeline(
    world, meeting, login
):
    item = services.propose_agenda_item(meeting=meeting, title="Salon", by=world.member)
    services.record_decision(
        item=item, text="Un stand commun", method="consensus", by=world.facilitator
    )
    url = reverse("collab:group_edit", args=[world.group.uuid])
    client = login(world.facilitator)
    form = {
        "name": "Groupe emploi et salons",
        "purpose": "Coordonner",
        "public_description": "Ouvert aux structures",
        "join_policy": "request",
    }
    assert client.post(url, form | {"join_policy": "nope"}).status_code == 400
    client.post(url, form | {"is_public": "on"})
    world.group.refresh_from_db()
    assert (world.group.name, world.group.is_public, world.group.join_policy) == (
        "Groupe emploi et salons",
        True,
        "request",
    )
    page = login(world.member).get(reverse("collab:group", args=[world.group.uuid]))
    text = page.content.decode()
    assert "Un stand commun" in text
    assert reverse("collab:meeting", args=[meeting.uuid]) + f"#item-{item.pk}" in text
    assert login(world.member).get(url).status_code == 403


def test_a_facilitator_declines_a_request_to_join(world, login):
    world.group.join_policy = "request"
    world.group.save()
    request = services.request_to_join(group=world.group, user=world.outsider)
    url = reverse("collab:group_decline", args=[world.group.uuid, request.pk])
    assert login(world.member).post(url).status_code == 403
    page = login(world.facilitator).get(reverse("collab:group", args=[world.group.uuid]))
    assert url in page.content.decode()
    login(world.facilitator).post(url)
    assert not world.group.members.filter(user=world.outsider).exists()
    # The person may ask again.
    services.request_to_join(group=world.group, user=world.outsider)


def test_a_public_budget_is_listed_for_visitors_and_its_decision_links_both_ways(
    world, meeting, login, client
):
    item = services.propose_agenda_item(meeting=meeting, title="Budget", by=world.member)
    decision = services.record_decision(
        item=item, text="Budget adopté", method="vote", by=world.facilitator
    )
    budget = services.create_budget(
        network=world.network, year=2027, title="Budget du réseau", by=world.coordinator
    )
    services.save_budget_line(
        budget=budget,
        code="1",
        label="Événements",
        planned=100,
        decision=decision,
        by=world.coordinator,
    )
    budget_url = reverse("collab:budget", args=[budget.uuid])
    assert budget_url not in client.get(reverse("collab:calendar")).content.decode()
    services.update_budget(
        budget=budget, title=budget.title, year=2027, is_public=True, by=world.coordinator
    )
    assert budget_url in client.get(reverse("collab:calendar")).content.decode()
    page = login(world.member).get(reverse("collab:meeting", args=[meeting.uuid]))
    assert budget_url in page.content.decode()  # the decision names the line it approved


def test_a_facilitator_reschedules_a_meeting_and_the_open_actions_follow(world, meeting, login):
    earlier = services.plan_meeting(
        group=world.group, starts_at=in_days(3), place="Siège", by=world.facilitator
    )
    item = services.propose_agenda_item(meeting=earlier, title="Salon", by=world.member)
    services.record_action(
        item=item,
        title="Réserver le stand",
        owner=world.member,
        due_on=in_days(10).date(),
        by=world.facilitator,
    )
    url = reverse("collab:meeting_edit", args=[meeting.uuid])
    client = login(world.facilitator)
    form = {"starts_at": _local(in_days(9)), "place": "", "video_url": ""}
    response = client.post(url, form)
    assert response.status_code == 400
    assert "Indiquez un lieu ou un lien de visioconférence." in response.content.decode()
    client.post(url, form | {"place": "Maison des associations, salle 2"})
    meeting.refresh_from_db()
    assert meeting.place == "Maison des associations, salle 2"
    assert meeting.starts_at == in_days(9)
    assert meeting.items.filter(carried_action__title="Réserver le stand").count() == 1
    assert login(world.member).get(url).status_code == 403


def test_a_facilitator_creates_and_keeps_the_groups_own_budget(world, login):
    client = login(world.facilitator)
    url = reverse("collab:group_budget_create", args=[world.group.uuid])
    client.post(url, {"title": "Salon 2027", "year": 2027})
    budget = world.group.budgets.get()
    assert (budget.network, budget.currency) == (world.network, "EUR")
    # Once per year: the second one is refused on the form.
    response = client.post(url, {"title": "Encore", "year": 2027})
    assert response.status_code == 400
    assert "Un budget existe déjà pour cette année." in response.content.decode()
    client.post(
        reverse("collab:line_create", args=[budget.uuid]),
        {"code": "1", "label": "Stand", "planned": "300", "committed": 0, "actual": 0},
    )
    assert budget.lines.get().label == "Stand"
    page = client.get(reverse("collab:group", args=[world.group.uuid])).content.decode()
    assert reverse("collab:budget", args=[budget.uuid]) in page
