import pytest
from django.core.exceptions import ValidationError

from maillage.territory import selectors, services
from maillage.territory.models import ProposalStatus, RelationNature, RelationObject
from tests.factories import UserFactory
from tests.territory.conftest import add_actors

pytestmark = pytest.mark.django_db


def test_every_proposal_is_kept_and_the_latest_accepted_is_the_current_value(system, staff):
    colleague = UserFactory()
    snapshot = services.start_snapshot(system=system, year=2025, user=staff)
    owner = snapshot.actors.get(is_owner=True)
    (region,) = add_actors(snapshot, staff, "Région Sud")
    services.propose_relation(
        snapshot=snapshot,
        actor_a=region,
        actor_b=owner,
        user=staff,
        nature=RelationNature.NEGOTIATION,
        object=RelationObject.MEANS,
    )
    services.propose_relation(
        snapshot=snapshot,
        actor_a=owner,
        actor_b=region,
        user=colleague,
        nature=RelationNature.ALLIANCE,
        object=RelationObject.VALUES,
    )
    pending = services.propose_relation(
        snapshot=snapshot,
        actor_a=owner,
        actor_b=region,
        user=colleague,
        nature=RelationNature.OPPOSITION,
        object=RelationObject.GLOBAL,
        accept=False,
    )
    history = selectors.proposals_history(snapshot)
    assert [(p.proposed_by, p.nature) for p in history] == [
        (colleague, "opposition"),
        (colleague, "alliance"),
        (staff, "negotiation"),
    ]
    (current,) = selectors.current_relations(snapshot).values()
    assert (current.nature, current.object, current.proposed_by) == (
        "alliance",
        "values",
        colleague,
    )

    with pytest.raises(ValidationError, match="attendent encore une décision"):
        services.validate_snapshot(snapshot=snapshot, user=staff)
    services.decide_proposal(proposal=pending, user=staff, accept=False)
    assert pending.status == ProposalStatus.REJECTED
    services.validate_snapshot(snapshot=snapshot, user=staff)
    with pytest.raises(ValidationError, match="validé par le groupe"):
        services.propose_profile(snapshot=snapshot, actor=region, user=staff, resource_rules=3)


def test_a_new_year_starts_as_a_copy_and_the_comparison_shows_what_changed(system, staff):
    first = services.start_snapshot(system=system, year=2025, user=staff)
    owner = first.actors.get(is_owner=True)
    region, bank, mayor = add_actors(first, staff, "Région Sud", "Banque", "Mairie")
    services.propose_profile(
        snapshot=first, actor=bank, user=staff, resource_financial=3, references="Rentabilité"
    )
    for actor, nature in ((region, "alliance"), (bank, "neutrality"), (mayor, "opposition")):
        services.propose_relation(
            snapshot=first, actor_a=owner, actor_b=actor, user=staff, nature=nature, object="means"
        )
    services.validate_snapshot(snapshot=first, user=staff)

    second = services.start_snapshot(system=system, year=2026, user=staff)
    copied = selectors.actor_map(second)
    assert [a.name for a in copied.actors] == ["Banque", "Intermade", "Mairie", "Région Sud"]
    assert copied.profiles[bank.pk].references == "Rentabilité"
    assert copied.profiles[bank.pk].carried_over
    assert selectors.compare(first, second).is_empty

    services.remove_actor(snapshot=second, actor=mayor, user=staff)
    (fund,) = add_actors(second, staff, "Fondation")
    services.propose_relation(
        snapshot=second, actor_a=bank, actor_b=owner, user=staff, nature="alliance", object="means"
    )
    services.propose_relation(
        snapshot=second, actor_a=region, actor_b=owner, user=staff, nature="", object=""
    )
    services.propose_relation(
        snapshot=second, actor_a=fund, actor_b=owner, user=staff, nature="alliance", object="values"
    )
    diff = selectors.compare(first, second)
    assert [a.name for a in diff.actors_added] == ["Fondation"]
    assert [a.name for a in diff.actors_removed] == ["Mairie"]
    assert [(a.name, b.name) for a, b, _r in diff.relations_added] == [("Intermade", "Fondation")]
    assert sorted(b.name for _a, b, _r in diff.relations_removed) == ["Mairie", "Région Sud"]
    ((_a, b, before, after),) = diff.relations_changed
    assert (b.name, before.nature, after.nature) == ("Banque", "neutrality", "alliance")
    # The first year is untouched.
    assert selectors.actor_map(first).relation(owner, bank).nature == "neutrality"


def test_the_grids_refuse_what_makes_no_sense(system, staff):
    snapshot = services.start_snapshot(system=system, year=2025, user=staff)
    owner = snapshot.actors.get(is_owner=True)
    (region,) = add_actors(snapshot, staff, "Région Sud")
    with pytest.raises(ValidationError, match="une nature et un objet"):
        services.propose_relation(
            snapshot=snapshot,
            actor_a=owner,
            actor_b=region,
            user=staff,
            nature="alliance",
            object="",
        )
    with pytest.raises(ValidationError, match="deux acteurs différents"):
        services.propose_relation(
            snapshot=snapshot,
            actor_a=owner,
            actor_b=owner,
            user=staff,
            nature="alliance",
            object="means",
        )
    with pytest.raises(ValidationError):
        services.propose_profile(snapshot=snapshot, actor=region, user=staff, resource_rules=4)
    with pytest.raises(ValidationError, match="déjà un instantané"):
        services.start_snapshot(system=system, year=2025, user=staff)
