"""The pages `make bench` loads, read from the generated data: who visits what.

An advisor of the busiest structure of the scale's first network (its home, its referral inbox,
the API list of its persons and the page of its person with the longest history), a funder of the
network (the report page), and anyone (the public pathway map and an offer page). The funder is a
temporary account, deleted by `forget`.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from maillage.accounts.models import NetworkRole, NetworkRoleKind, StructureMembership, User
from maillage.directory.models import Network, Offer, Structure
from maillage.pathways.models import Accompaniment, ActParticipant

BENCH_FUNDER = "bench-funder@maillage.invalid"


@dataclass
class Visit:
    key: str
    label: str
    path: str
    cookie: str | None = None


@dataclass
class Visits:
    network: Network
    pages: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def visits(network: Network) -> Visits:
    structure = (
        Structure.objects.filter(networks=network)
        .annotate(n=Count("accompaniments"))
        .order_by("-n", "pk")
        .first()
    )
    advisor = (
        User.objects.filter(structure_memberships__structure=structure, is_active=True)
        .order_by("pk")
        .first()
    )
    if advisor is None:
        raise RuntimeError(f"No advisor in {structure}: generate the scale's data first.")
    caseload = Accompaniment.objects.filter(structure=structure).values("person")
    longest = (
        ActParticipant.objects.filter(person__in=caseload)
        .values("person__uuid")
        .annotate(n=Count("pk"))
        .order_by("-n", "person__uuid")
        .first()
    )
    offer = Offer.objects.filter(structure=structure).order_by("pk").first()
    funder, _created = User.objects.get_or_create(email=BENCH_FUNDER)
    NetworkRole.objects.get_or_create(user=funder, network=network, role=NetworkRoleKind.FUNDER)
    as_advisor, as_funder = _cookie(advisor), _cookie(funder)
    result = Visits(network=network)
    result.notes = {
        "structure": structure.name,
        "caseload": caseload.count(),
        "history": longest["n"] if longest else 0,
    }
    result.pages = [
        Visit("map", "public pathway map", reverse("directory:map", args=[network.slug])),
        Visit(
            "offer",
            "an offer page",
            reverse("directory:offer", kwargs={"slug": structure.slug, "offer_slug": offer.slug}),
        ),
        Visit("home", "advisor home", reverse("pathways:home"), as_advisor),
        Visit(
            "person",
            f"person page ({result.notes['history']} acts)",
            reverse("pathways:person_detail", args=[longest["person__uuid"]]),
            as_advisor,
        ),
        Visit("inbox", "referral inbox", reverse("pathways:referral_inbox"), as_advisor),
        Visit(
            "report",
            "funder report page",
            reverse("reporting:network", args=[network.slug]),
            as_funder,
        ),
        Visit("api", "API list of persons", reverse("api:person-list"), as_advisor),
    ]
    return result


def forget() -> None:
    """Delete the temporary funder (its sessions expire with it)."""
    StructureMembership.objects.filter(user__email=BENCH_FUNDER).delete()
    User.objects.filter(email=BENCH_FUNDER).delete()
