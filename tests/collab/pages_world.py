"""The network's life added to the page registry's world (tests/pages.py), built on first use:
a group facilitated by the structure admin with the advisor as member, a meeting ahead with
an item, a decision and an action, a public fair with its roster, a budget."""

import datetime

from django.utils import timezone


def collab_world(world: dict) -> dict:
    from maillage.collab import services
    from maillage.collab.models import EventKind, JoinPolicy, WorkingGroup

    # The browser scan restores the database before each page (tests/snapshots.py) but keeps
    # the same world dict: what an earlier page built here may be gone since.
    cached = world.get("collab")
    if cached is not None and WorkingGroup.objects.filter(pk=cached["group"].pk).exists():
        return cached

    users = world["users"]
    # Fresh user rows: the world's users carry the roles and groups cached by earlier pages.
    admin, advisor, coordinator = (
        type(users[role]).objects.get(pk=users[role].pk)
        for role in ("structure_admin", "advisor", "coordinator")
    )
    group = services.create_group(
        network=world["network"],
        name="Groupe emploi",
        purpose="Coordonner les actions emploi",
        public_description="Ouvert aux structures du réseau.",
        is_public=True,
        join_policy=JoinPolicy.OPEN,
        facilitator=admin,
        facilitator_structure=world["structure"],
    )
    services.request_to_join(group=group, user=advisor)
    starts_at = timezone.now() + datetime.timedelta(days=7)
    meeting = services.plan_meeting(group=group, starts_at=starts_at, place="Siège", by=admin)
    item = services.propose_agenda_item(meeting=meeting, title="Salon de l'emploi", by=advisor)
    services.record_decision(item=item, text="Un stand commun", method="consensus", by=admin)
    services.record_action(
        item=item,
        title="Réserver le stand",
        owner=advisor,
        due_on=(starts_at + datetime.timedelta(days=3)).date(),
        by=admin,
    )
    event = services.plan_event(
        network=world["network"],
        title="Salon des entrepreneurs",
        kind=EventKind.FAIR,
        starts_at=starts_at,
        place="Parc Chanot",
        by=coordinator,
    )
    services.add_representative(
        event=event, user=advisor, structures=[world["structure"]], by=coordinator
    )
    budget = services.create_budget(
        network=world["network"], year=2027, title="Budget du réseau", by=coordinator
    )
    line = services.save_budget_line(
        budget=budget, code="1", label="Événements", planned=1000, by=coordinator
    )
    services.save_budget_line(
        budget=budget,
        code="1.1",
        label="Salon",
        planned=600,
        actual=400,
        parent=line,
        by=coordinator,
    )
    services.add_contribution(
        budget=budget, structure=world["structure"], kind="money", amount=1000, by=coordinator
    )
    contribution = services.add_contribution(
        budget=budget, structure=world["partner"], kind="premises", amount=200, by=coordinator
    )
    services.add_event_document(event=event, title="Kakémono du réseau", by=coordinator)
    # Pooling: a shared job post and a need of the structure, an offer of the partner.
    from maillage.collab.models import PoolingEntry

    job_post, need, _offer = PoolingEntry.objects.bulk_create(
        [
            PoolingEntry(
                network=world["network"],
                structure=world["structure"],
                direction="offer",
                kind="job_post",
                title="Chargé·e de mission mutualisé·e",
            ),
            PoolingEntry(
                network=world["network"],
                structure=world["structure"],
                direction="need",
                kind="premises",
                title="Une salle pour nos ateliers",
            ),
            PoolingEntry(
                network=world["network"],
                structure=world["partner"],
                direction="offer",
                kind="premises",
                title="Salle du mardi",
            ),
        ]
    )
    world["collab"] = {
        "group": group,
        "meeting": meeting,
        "event": event,
        "budget": budget,
        "line": line,
        "contribution": contribution,
        "job_post": job_post,
        "need": need,
    }
    return world["collab"]
