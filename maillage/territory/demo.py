"""Demo step of the territory app: the network's actor system, one validated year (2025) and
next year's draft, a handful of invented actors; and the network's social-utility framework,
shared as a template. Idempotent: a network that has a system (a framework) is left alone."""

from decimal import Decimal

from . import services
from .frameworks import services as framework_services
from .models import ActorSystem, Framework

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


FRAMEWORK = (
    ("Sociale", "Accompagner les personnes", [("Actes réalisés", "computed", "acts", None)]),
    (
        "Territoriale",
        "Faire vivre les coopérations",
        [("Partenaires engagés", "entered", "", Decimal(12))],
    ),
    ("Gouvernance", "Décider ensemble", [("Bénévoles actifs", "entered", "", Decimal(30))]),
)


def load_framework(network) -> None:
    if Framework.objects.filter(network=network).exists():
        return
    framework = framework_services.create_framework(
        title="Utilité sociale du réseau",
        network=network,
        stakeholders="Structures membres, collectivités, financeurs",
    )
    for dimension_name, criterion_name, indicators in FRAMEWORK:
        criterion = framework_services.add_criterion(
            dimension=framework_services.add_dimension(framework=framework, name=dimension_name),
            name=criterion_name,
        )
        for name, kind, report_code, target in indicators:
            framework_services.add_indicator(
                criterion=criterion, name=name, kind=kind, report_code=report_code, target=target
            )
    framework_services.publish_template(framework=framework, published=True)


def load_demo(demo) -> None:
    network = demo.network
    if network is None:
        return
    load_framework(network)
    if ActorSystem.objects.filter(network=network).exists():
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
