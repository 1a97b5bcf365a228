"""Demo step of the territory app: the network's actor system, one validated year (2025) and
next year's draft, a handful of invented actors. Idempotent: a network that has a system is
left alone."""

from . import services
from .models import ActorSystem

ACTORS = (
    ("Conseil régional", "institution", "regional", 3),
    ("Conseil départemental", "institution", "departmental", 2),
    ("Métropole", "elected_body", "local", 3),
    ("Fondation locale", "organisation", "local", 1),
)
RELATIONS = (
    (None, "Conseil régional", "negotiation", "means"),
    (None, "Conseil départemental", "alliance", "values"),
    (None, "Métropole", "neutrality", "global"),
    ("Conseil régional", "Métropole", "interdependence", "practices"),
)


def load_demo(demo) -> None:
    network = demo.network
    if network is None or ActorSystem.objects.filter(network=network).exists():
        return
    system = services.create_actor_system(network=network)
    snapshot = services.start_snapshot(system=system, year=2025, user=None)
    actors = {None: snapshot.actors.get()}
    for name, kind, level, score in ACTORS:
        actor = services.add_actor(snapshot=snapshot, user=None, name=name, kind=kind, level=level)
        services.propose_profile(
            snapshot=snapshot,
            actor=actor,
            user=None,
            resource_financial=score,
            resource_rules=score,
            resource_symbolic=score,
        )
        actors[name] = actor
    for a, b, nature, obj in RELATIONS:
        services.propose_relation(
            snapshot=snapshot,
            actor_a=actors[a],
            actor_b=actors[b],
            user=None,
            nature=nature,
            object=obj,
        )
    services.validate_snapshot(snapshot=snapshot, user=None)
    services.start_snapshot(system=system, year=2026, user=None)
