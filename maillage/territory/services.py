"""Every write to an actor system: one transaction each, translated errors.

Permissions are the callers' business (views ask `can(user, "change_actor_system", system)`);
these functions keep the rules of the data: a validated snapshot is frozen, a relation links two
actors of the snapshot, a new year starts from the last one.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    RESOURCE_FIELDS,
    Actor,
    ActorKind,
    ActorLevel,
    ActorSystem,
    ProfileProposal,
    ProposalStatus,
    RelationProposal,
    Snapshot,
    SnapshotActor,
    SnapshotStatus,
)
from .selectors import current_profiles, current_relations


def _check_draft(snapshot: Snapshot) -> None:
    """Refuse writes to a validated snapshot, as the database has it now (the row is locked
    until the end of the transaction, so a validation cannot slip in between)."""
    status = (
        Snapshot.objects.select_for_update().values_list("status", flat=True).get(pk=snapshot.pk)
    )
    if status == SnapshotStatus.VALIDATED:
        raise ValidationError(
            _("This snapshot was validated by the group: it can no longer change.")
        )


def _check_in_snapshot(snapshot: Snapshot, *actors: Actor) -> None:
    present = set(
        SnapshotActor.objects.filter(snapshot=snapshot, actor__in=actors).values_list(
            "actor_id", flat=True
        )
    )
    if any(actor.pk not in present for actor in actors):
        raise ValidationError(_("This actor is not part of this snapshot."))


@transaction.atomic
def create_actor_system(*, structure=None, network=None) -> ActorSystem:
    if (structure is None) == (network is None):
        raise ValidationError(_("An actor system belongs to a structure or to a network."))
    owner = structure or network
    if ActorSystem.objects.filter(structure=structure, network=network).exists():
        raise ValidationError(_("This owner already has an actor system."))
    system = ActorSystem(structure=structure, network=network)
    system.full_clean()
    system.save()
    Actor.objects.create(
        system=system,
        name=owner.name,
        kind=ActorKind.ORGANISATION if structure else ActorKind.NETWORK,
        level=ActorLevel.LOCAL if structure else ActorLevel.REGIONAL,
        structure=structure,
        is_owner=True,
    )
    return system


@transaction.atomic
def start_snapshot(*, system: ActorSystem, year: int, user) -> Snapshot:
    """A new year's snapshot: a copy of the latest earlier one (its actors, and the current
    value of each grid cell, carried over with who proposed it and when), or empty but for the
    owner when there is none."""
    if Snapshot.objects.filter(system=system, year=year).exists():
        raise ValidationError(_("This system already has a snapshot for that year."))
    previous = Snapshot.objects.filter(system=system, year__lt=year).order_by("-year").first()
    snapshot = Snapshot(system=system, year=year, copied_from=previous, created_by=user)
    snapshot.full_clean()
    snapshot.save()
    if previous is None:
        owner = system.actors.filter(is_owner=True).first()
        if owner is not None:
            SnapshotActor.objects.create(snapshot=snapshot, actor=owner)
        return snapshot
    SnapshotActor.objects.bulk_create(
        SnapshotActor(snapshot=snapshot, actor_id=actor_id)
        for actor_id in previous.memberships.values_list("actor_id", flat=True)
    )
    keep = ("proposed_by_id", "proposed_at", "decided_at")
    ProfileProposal.objects.bulk_create(
        ProfileProposal(
            snapshot=snapshot,
            carried_over=True,
            actor_id=profile.actor_id,
            references=profile.references,
            practices=profile.practices,
            resources_note=profile.resources_note,
            **{name: getattr(profile, name) for name in RESOURCE_FIELDS + keep},
        )
        for profile in current_profiles(previous).values()
    )
    RelationProposal.objects.bulk_create(
        RelationProposal(
            snapshot=snapshot,
            carried_over=True,
            actor_a_id=relation.actor_a_id,
            actor_b_id=relation.actor_b_id,
            nature=relation.nature,
            object=relation.object,
            note=relation.note,
            **{name: getattr(relation, name) for name in keep},
        )
        for relation in current_relations(previous).values()
    )
    return snapshot


@transaction.atomic
def add_actor(*, snapshot: Snapshot, user, name: str, kind: str, level: str, structure=None):
    """Add an actor to a draft snapshot: an actor of the system already known by that name comes
    back, otherwise a new one is created."""
    _check_draft(snapshot)
    name = name.strip()
    actor = Actor.objects.filter(system=snapshot.system, name__iexact=name).first()
    if actor is None:
        actor = Actor(
            system=snapshot.system, name=name, kind=kind, level=level, structure=structure
        )
        actor.full_clean()
        actor.save()
    if SnapshotActor.objects.filter(snapshot=snapshot, actor=actor).exists():
        raise ValidationError(_("This actor is already part of this snapshot."))
    SnapshotActor.objects.create(snapshot=snapshot, actor=actor)
    return actor


@transaction.atomic
def remove_actor(*, snapshot: Snapshot, actor: Actor, user) -> None:
    _check_draft(snapshot)
    if actor.is_owner:
        raise ValidationError(_("The owner of the system stays in it."))
    SnapshotActor.objects.filter(snapshot=snapshot, actor=actor).delete()


@transaction.atomic
def propose_profile(
    *, snapshot: Snapshot, actor: Actor, user, accept: bool = True, **values
) -> ProfileProposal:
    """Grid I for one actor. `values`: references, practices, resources_note and the six
    resource scores (0 to 3)."""
    _check_draft(snapshot)
    _check_in_snapshot(snapshot, actor)
    now = timezone.now()
    proposal = ProfileProposal(
        snapshot=snapshot,
        actor=actor,
        proposed_by=user,
        proposed_at=now,
        status=ProposalStatus.ACCEPTED if accept else ProposalStatus.PROPOSED,
        decided_at=now if accept else None,
        **values,
    )
    proposal.full_clean()
    proposal.save()
    return proposal


@transaction.atomic
def propose_relation(
    *,
    snapshot: Snapshot,
    actor_a: Actor,
    actor_b: Actor,
    user,
    nature: str,
    object: str,
    note: str = "",
    accept: bool = True,
) -> RelationProposal:
    """Grid II for one pair (in either order). A blank nature and object: no relation."""
    _check_draft(snapshot)
    if actor_a.pk == actor_b.pk:
        raise ValidationError(_("A relation links two different actors."))
    if bool(nature) != bool(object):
        raise ValidationError(_("A relation has both a nature and an object."))
    _check_in_snapshot(snapshot, actor_a, actor_b)
    if actor_a.pk > actor_b.pk:
        actor_a, actor_b = actor_b, actor_a
    now = timezone.now()
    proposal = RelationProposal(
        snapshot=snapshot,
        actor_a=actor_a,
        actor_b=actor_b,
        nature=nature,
        object=object,
        note=note,
        proposed_by=user,
        proposed_at=now,
        status=ProposalStatus.ACCEPTED if accept else ProposalStatus.PROPOSED,
        decided_at=now if accept else None,
    )
    proposal.full_clean()
    proposal.save()
    return proposal


@transaction.atomic
def decide_proposal(*, proposal, user, accept: bool):
    """Accept or reject a pending proposal (Grid I or Grid II); an accepted one becomes the
    cell's current value."""
    snapshot = proposal.snapshot
    _check_draft(snapshot)
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError(_("This proposal was already decided."))
    proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.REJECTED
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    return proposal


@transaction.atomic
def validate_snapshot(*, snapshot: Snapshot, user) -> Snapshot:
    """The group validates the year's snapshot: from now on it is frozen."""
    _check_draft(snapshot)
    if (
        ProfileProposal.objects.filter(snapshot=snapshot, status=ProposalStatus.PROPOSED).exists()
        or RelationProposal.objects.filter(
            snapshot=snapshot, status=ProposalStatus.PROPOSED
        ).exists()
    ):
        raise ValidationError(_("Some proposals are still waiting for a decision."))
    snapshot.status = SnapshotStatus.VALIDATED
    snapshot.validated_at = timezone.now()
    snapshot.validated_by = user
    snapshot.save(update_fields=["status", "validated_at", "validated_by"])
    return snapshot
