"""Demo step of the pathways app: about 300 fictional people over two years in the demo network.

Runs the generator's demo scale through the services with a fixed seed, after the accounts step
(the Intermade and APEAS demo advisors are referents of part of the caseload, and a few recent
referrals wait for an answer). Idempotent: once the demo network has people, nothing is done.
"""

from django.conf import settings

from maillage.pathways.models import Person

from .generator import generate

DEMO_SEED = 2026


def load_demo(demo) -> None:
    network = demo.network
    if Person.objects.filter(created_by_structure__networks=network).exists():
        return
    # DEMO_PERSONS (tests only) loads fewer people where a test needs the network, not a crowd.
    persons = getattr(settings, "DEMO_PERSONS", None)
    overrides = {"persons": persons} if persons else {}
    generate(scale="demo", seed=DEMO_SEED, network_slug=network.slug, **overrides)
