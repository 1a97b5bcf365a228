"""The demo network: facts from the source documents (names, programmes), our own words.

The sources only name six of the twelve structures (Accès conseil, Essor13, Les Têtes de l'Art,
Profession Sport 13, Agodis, FSPVA): their presentation, statement and offer are written for the
demo (plausible, not their actual programmes). Every text has an English version (`*_en`).
"""

import datetime
import json
from pathlib import Path

from django.utils import timezone

from maillage.directory import services
from maillage.directory.models import (
    AccessMode,
    Audience,
    Network,
    OfferFormat,
    OfferSession,
    ReceptionMode,
    Territory,
    TerritoryKind,
)

DATA_FILE = Path(__file__).with_name("network.json")
PATHWAY_FILE = Path(__file__).with_name("pathway.json")


def load_demo_network() -> Network:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    info = data["network"]
    network = services.upsert_network(
        slug=info["slug"],
        name=info["name"],
        name_article=info.get("name_article", ""),
        description=info["description_fr"],
        description_en=info.get("description_en", ""),
    )
    # When the territories are loaded (make run does it first), the structures serve the
    # département and sit in Marseille.
    departement = Territory.objects.filter(kind=TerritoryKind.DEPARTEMENT, code="13").first()
    marseille = Territory.objects.filter(kind=TerritoryKind.COMMUNE, code="13055").first()
    for item in data["structures"]:
        services.upsert_structure(
            slug=item["slug"],
            name=item["name"],
            legal_form=item["legal_form"],
            siret=item["siret"],
            address=item["address"],
            postal_code=item["postal_code"],
            city=item["city"],
            website=item["website"],
            summary=item["summary_fr"],
            summary_en=item.get("summary_en", ""),
            positioning=item.get("positioning_fr", ""),
            positioning_en=item.get("positioning_en", ""),
            commune=marseille if item["city"] == "Marseille" else None,
            territories=[departement] if departement else None,
            networks=[network],
        )
    return network


def first_monday_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7 or 7)


def load_demo_pathway(network: Network) -> None:
    """The six default stages and the programmes the seeds describe, with coming sessions."""
    data = json.loads(PATHWAY_FILE.read_text(encoding="utf-8"))
    stages = {}
    for position, item in enumerate(data["stages"], start=1):
        stages[item["slug"]] = services.upsert_stage(
            network=network,
            slug=item["slug"],
            position=position,
            name=item["name"],
            summary=item["summary"],
            questions=item["questions"],
            di_thematiques=item["di_thematiques"],
            name_en=item.get("name_en", ""),
            summary_en=item.get("summary_en", ""),
            questions_en=item.get("questions_en"),
        )
    structures = {s.slug: s for s in network.structures.all()}
    formats = {f.code: f for f in OfferFormat.objects.all()}
    audiences = {a.code: a for a in Audience.objects.all()}
    access_modes = {a.code: a for a in AccessMode.objects.all()}
    reception_modes = {r.code: r for r in ReceptionMode.objects.all()}
    start = first_monday_after(timezone.localdate())
    for item in data["offers"]:
        offer = services.upsert_offer(
            structure=structures[item["structure"]],
            slug=item["slug"],
            title=item["title"],
            summary=item["summary"],
            description=item.get("description", ""),
            title_en=item.get("title_en", ""),
            summary_en=item.get("summary_en", ""),
            description_en=item.get("description_en", ""),
            duration_en=item.get("duration_en", ""),
            format=formats[item["format"]],
            duration=item.get("duration", ""),
            duration_weeks=item.get("duration_weeks"),
            hours_per_week=item.get("hours_per_week"),
            selection_mode=item["selection_mode"],
            capacity=item.get("capacity"),
            prerequisites=item.get("prerequisites", ""),
            is_free=item.get("is_free", True),
            cost_details=item.get("cost_details", ""),
            stages=[stages[slug] for slug in item["stages"]],
            audiences=[audiences[code] for code in item["audiences"]],
            access_modes=[access_modes[code] for code in item["access_modes"]],
            reception_modes=[reception_modes[code] for code in item["reception_modes"]],
        )
        # Sessions in the coming months: replace the future ones so that reloading is harmless.
        OfferSession.objects.filter(offer=offer, starts_on__gte=timezone.localdate()).delete()
        every = item.get("session_every", 42)
        for index in range(item.get("sessions", 0)):
            starts_on = start + datetime.timedelta(days=14 + index * every)
            ends_on = starts_on + datetime.timedelta(days=max(item.get("session_days", 1) - 1, 0))
            services.save_session(
                session=OfferSession(
                    offer=offer,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    place=f"{offer.structure.name}, Marseille",
                    commune=offer.structure.commune,
                    capacity=offer.capacity,
                    application_deadline=(
                        starts_on - datetime.timedelta(days=7)
                        if offer.selection_mode != "none"
                        else None
                    ),
                )
            )


def load_demo(demo) -> None:
    """Demo step of the directory app: the network, its structures, stages, offers, sessions."""
    demo.network = load_demo_network()
    load_demo_pathway(demo.network)
