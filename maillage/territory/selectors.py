"""Reads of actor systems: who may see which, and the current state of a snapshot.

`actor_map(snapshot)` is the one reading of a snapshot's grids: the matrix table, the graph and
the positioning are all drawn from it, so they cannot disagree.
"""

import math
from dataclasses import dataclass, field

from django.db.models import Q

from maillage.accounts.rules import member_networks, roles_of

from .models import (
    RESOURCE_FIELDS,
    RESOURCE_MAX,
    Actor,
    ActorSystem,
    ProfileProposal,
    ProposalStatus,
    RelationNature,
    RelationProposal,
    Snapshot,
)


def actor_systems_visible_to(user):
    roles = roles_of(user)
    return (
        ActorSystem.objects.filter(
            Q(structure_id__in=roles.staff_of | roles.coordinated_structures)
            | Q(network_id__in=roles.coordinator_of | member_networks(user))
        )
        .select_related("structure", "network")
        .order_by("pk")
    )


def snapshots_visible_to(user):
    return Snapshot.objects.filter(system__in=actor_systems_visible_to(user)).select_related(
        "system__structure", "system__network"
    )


def _latest_accepted(queryset, key):
    current = {}
    for proposal in queryset.filter(status=ProposalStatus.ACCEPTED).order_by("decided_at", "pk"):
        current[key(proposal)] = proposal
    return current


def current_profiles(snapshot) -> dict[int, ProfileProposal]:
    """Grid I: the latest accepted proposal of each actor of the snapshot, by actor id."""
    members = snapshot.memberships.values("actor_id")
    return _latest_accepted(
        ProfileProposal.objects.filter(snapshot=snapshot, actor_id__in=members).select_related(
            "proposed_by"
        ),
        lambda p: p.actor_id,
    )


def current_relations(snapshot) -> dict[tuple[int, int], RelationProposal]:
    """Grid II: the latest accepted proposal of each pair, by (smaller id, larger id); pairs
    whose latest says "no relation", or with an actor no longer in the snapshot, are left out."""
    members = snapshot.memberships.values("actor_id")
    current = _latest_accepted(
        RelationProposal.objects.filter(
            snapshot=snapshot, actor_a_id__in=members, actor_b_id__in=members
        ).select_related("proposed_by"),
        lambda p: (p.actor_a_id, p.actor_b_id),
    )
    return {pair: proposal for pair, proposal in current.items() if proposal.nature}


def proposals_history(snapshot):
    """Every proposal of the snapshot, newest first: who proposed what, when."""
    profiles = ProfileProposal.objects.filter(snapshot=snapshot).select_related(
        "actor", "proposed_by"
    )
    relations = RelationProposal.objects.filter(snapshot=snapshot).select_related(
        "actor_a", "actor_b", "proposed_by"
    )
    return sorted([*profiles, *relations], key=lambda p: (p.proposed_at, p.pk), reverse=True)


# Colours with a dash pattern each, so the legend reads without colour too.
NATURE_STYLES = {
    RelationNature.ALLIANCE: ("#1b7a3a", ""),
    RelationNature.OPPOSITION: ("#b3261e", "8 4"),
    RelationNature.NEGOTIATION: ("#a15c00", "2 3"),
    RelationNature.NEUTRALITY: ("#5f6368", "1 5"),
    RelationNature.INTERDEPENDENCE: ("#1a5fb4", "10 3 2 3"),
    RelationNature.ADAPTABLE: ("#7b3fa0", "4 2 4 6"),
}


@dataclass
class Cell:
    row: Actor
    column: Actor
    relation: RelationProposal | None = None

    @property
    def is_self(self):
        return self.row.pk == self.column.pk

    @property
    def pair(self):
        """The pair as "smaller id-larger id", as the graph's edges name it."""
        return "-".join(str(pk) for pk in sorted((self.row.pk, self.column.pk)))


@dataclass
class ActorMap:
    snapshot: Snapshot
    actors: list[Actor]
    profiles: dict[int, ProfileProposal]
    relations: dict[tuple[int, int], RelationProposal]
    resources: dict[int, int] = field(default_factory=dict)

    def relation(self, one: Actor, other: Actor):
        return self.relations.get((min(one.pk, other.pk), max(one.pk, other.pk)))

    def rows(self):
        """The matrix, actors by actors; each unordered pair appears twice (symmetric)."""
        return [
            (row, [Cell(row, column, self.relation(row, column)) for column in self.actors])
            for row in self.actors
        ]

    def edges(self):
        """Each relation once: (actor a, actor b, relation)."""
        by_id = {actor.pk: actor for actor in self.actors}
        return [
            (by_id[a], by_id[b], relation) for (a, b), relation in sorted(self.relations.items())
        ]


def actor_map(snapshot) -> ActorMap:
    actors = list(snapshot.actors.order_by("name", "pk"))
    profiles = current_profiles(snapshot)
    resources = {
        actor.pk: profiles[actor.pk].total_resources if actor.pk in profiles else 0
        for actor in actors
    }
    return ActorMap(
        snapshot=snapshot,
        actors=actors,
        profiles=profiles,
        relations=current_relations(snapshot),
        resources=resources,
    )


# --- The graph ----------------------------------------------------------------------------------

GRAPH_WIDTH, GRAPH_HEIGHT = 760, 540
_CENTRE_X, _CENTRE_Y = GRAPH_WIDTH / 2, GRAPH_HEIGHT / 2
_RING = GRAPH_HEIGHT / 2 - 50
_MIN_RADIUS, _MAX_RADIUS = 8, 26


@dataclass(frozen=True)
class Node:
    actor: Actor
    x: float
    y: float
    radius: float
    resources: int
    label_x: float
    label_y: float
    anchor: str


@dataclass(frozen=True)
class Edge:
    a: Node
    b: Node
    relation: RelationProposal
    colour: str
    dash: str

    @property
    def pair(self):
        return f"{self.a.actor.pk}-{self.b.actor.pk}"


def graph(amap: ActorMap):
    """Nodes on a circle, sized by their total resources; one edge per relation."""
    count = len(amap.actors)
    top = len(RESOURCE_FIELDS) * RESOURCE_MAX
    nodes = {}
    for index, actor in enumerate(amap.actors):
        angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
        x = _CENTRE_X + _RING * math.cos(angle)
        y = _CENTRE_Y + _RING * math.sin(angle)
        total = amap.resources[actor.pk]
        radius = _MIN_RADIUS + (_MAX_RADIUS - _MIN_RADIUS) * total / top
        outward = radius + 6
        nodes[actor.pk] = Node(
            actor=actor,
            x=round(x, 1),
            y=round(y, 1),
            radius=round(radius, 1),
            resources=total,
            label_x=round(x + outward * math.cos(angle), 1),
            label_y=round(y + outward * math.sin(angle) + 4, 1),
            anchor="start"
            if math.cos(angle) > 0.1
            else "end"
            if math.cos(angle) < -0.1
            else "middle",
        )
    edges = [
        Edge(nodes[a.pk], nodes[b.pk], relation, *NATURE_STYLES[relation.nature])
        for a, b, relation in amap.edges()
    ]
    legend = [(value, label, *NATURE_STYLES[value]) for value, label in RelationNature.choices]
    return {
        "width": GRAPH_WIDTH,
        "height": GRAPH_HEIGHT,
        "nodes": list(nodes.values()),
        "edges": edges,
        "legend": legend,
    }


# --- Positioning and comparison -----------------------------------------------------------------

WIN_NATURES = {RelationNature.NEUTRALITY, RelationNature.ADAPTABLE}


def positioning(amap: ActorMap):
    """Where the owner stands: its allies, oppositions, negotiations, and the actors to win
    (neutral or adaptable towards it, or with no relation yet, and holding at least half the
    resources an actor can hold), strongest first."""
    owner = next((actor for actor in amap.actors if actor.is_owner), None)
    result = {"owner": owner, "allies": [], "oppositions": [], "negotiations": [], "to_win": []}
    if owner is None:
        return result
    threshold = len(RESOURCE_FIELDS) * RESOURCE_MAX / 2
    for actor in amap.actors:
        if actor.pk == owner.pk:
            continue
        relation = amap.relation(owner, actor)
        nature = relation.nature if relation else None
        entry = (actor, relation, amap.resources[actor.pk])
        if nature == RelationNature.ALLIANCE:
            result["allies"].append(entry)
        elif nature == RelationNature.OPPOSITION:
            result["oppositions"].append(entry)
        elif nature == RelationNature.NEGOTIATION:
            result["negotiations"].append(entry)
        if (nature is None or nature in WIN_NATURES) and entry[2] >= threshold:
            result["to_win"].append(entry)
    for key in ("allies", "oppositions", "negotiations", "to_win"):
        result[key].sort(key=lambda entry: (-entry[2], entry[0].name))
    return result


@dataclass
class Comparison:
    actors_added: list
    actors_removed: list
    relations_added: list
    relations_removed: list
    relations_changed: list  # (actor a, actor b, before, after)

    @property
    def is_empty(self):
        return not (
            self.actors_added
            or self.actors_removed
            or self.relations_added
            or self.relations_removed
            or self.relations_changed
        )


def compare(before: Snapshot, after: Snapshot) -> Comparison:
    old, new = actor_map(before), actor_map(after)
    old_actors = {actor.pk: actor for actor in old.actors}
    new_actors = {actor.pk: actor for actor in new.actors}
    names = {**old_actors, **new_actors}
    added, removed, changed = [], [], []
    for pair in sorted(new.relations.keys() - old.relations.keys()):
        added.append((names[pair[0]], names[pair[1]], new.relations[pair]))
    for pair in sorted(old.relations.keys() - new.relations.keys()):
        removed.append((names[pair[0]], names[pair[1]], old.relations[pair]))
    for pair in sorted(old.relations.keys() & new.relations.keys()):
        was, now = old.relations[pair], new.relations[pair]
        if (was.nature, was.object) != (now.nature, now.object):
            changed.append((names[pair[0]], names[pair[1]], was, now))
    return Comparison(
        actors_added=[new_actors[pk] for pk in sorted(new_actors.keys() - old_actors.keys())],
        actors_removed=[old_actors[pk] for pk in sorted(old_actors.keys() - new_actors.keys())],
        relations_added=added,
        relations_removed=removed,
        relations_changed=changed,
    )
