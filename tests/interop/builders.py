"""Directory data for the open-data tests: an offer with every field filled, and a bare one."""

import datetime

from django.utils import timezone

from maillage.directory.models import (
    AccessMode,
    Audience,
    OfferDocument,
    OfferFormat,
    ReceptionMode,
    TerritoryKind,
)
from tests.factories import (
    NetworkFactory,
    OfferFactory,
    OfferSessionFactory,
    StageFactory,
    StructureFactory,
    TerritoryFactory,
)


def territories():
    """Marseille (with its 1st arrondissement), the métropole, the département, the region and
    a second département of the region."""
    marseille = TerritoryFactory(
        code="13055", name="Marseille", epci_code="200054807", postal_codes=["13001"]
    )
    arrondissement = TerritoryFactory(
        kind=TerritoryKind.ARRONDISSEMENT,
        code="13201",
        name="Marseille 1er Arrondissement",
        commune_code="13055",
        epci_code="200054807",
    )
    aubagne = TerritoryFactory(code="13005", name="Aubagne", epci_code="200054807")
    epci = TerritoryFactory(
        kind=TerritoryKind.EPCI, code="200054807", name="Métropole d'Aix-Marseille-Provence"
    )
    departement = TerritoryFactory(departement=True)
    vaucluse = TerritoryFactory(
        kind=TerritoryKind.DEPARTEMENT, code="84", name="Vaucluse", departement_code="84"
    )
    region = TerritoryFactory(region=True)
    return {
        "marseille": marseille,
        "arrondissement": arrondissement,
        "aubagne": aubagne,
        "epci": epci,
        "departement": departement,
        "vaucluse": vaucluse,
        "region": region,
    }


def full_offer(network=None, places=None):
    """A published offer and its structure with every optional field the exports read."""
    places = places or territories()
    network = network or NetworkFactory()
    stage = StageFactory(
        network=network,
        di_thematiques=[
            "creer-une-entreprise--definir-son-projet-de-creation-dentreprise",
            "not-a-data-inclusion-theme",
        ],
    )
    second_stage = StageFactory(
        network=network,
        di_thematiques=["creer-une-entreprise--structurer-son-projet-de-creation-dentreprise"],
    )
    structure = StructureFactory(
        name="Intermade",
        networks=[network],
        siret="73282932000074",
        address="12 rue de la République",
        postal_code="13001",
        city="Marseille",
        commune=places["arrondissement"],
        website="https://intermade.example.org",
        email="contact@intermade.example.org",
        phone="04 91 00 00 00",
        contact_name="Camille Accueil",
        opening_hours="Du lundi au vendredi",
        summary="Couveuse d'activités et accompagnement à la création.",
        positioning="Une économie au service des personnes.",
    )
    structure.territories.set([places["departement"]])
    offer = OfferFactory(
        structure=structure,
        title="Starter",
        summary="Une étude de faisabilité accompagnée, en groupe et en individuel.",
        description="Une dizaine de demi-journées collectives sur trois mois.",
        stages=[stage, second_stage],
        format=OfferFormat.objects.get(code="collective-cycle"),
        duration="Trois mois",
        duration_weeks=13,
        hours_per_week=3.5,
        selection_mode="committee",
        capacity=10,
        audience_details="Projets collectifs bienvenus.",
        prerequisites="Avoir une idée de projet formulée.",
        is_free=False,
        cost_details="Participation de 30 € par mois",
        funding="Région Sud, Département des Bouches-du-Rhône",
        how_to_apply="Envoyez un courriel de présentation.",
        contact_name="Dominique Starter",
        contact_email="starter@intermade.example.org",
        contact_phone="04 91 00 00 01",
        external_url="https://intermade.example.org/starter",
        audiences=list(
            Audience.objects.filter(code__in=["demandeurs-emploi", "femmes", "collectifs"])
        ),
    )
    offer.access_modes.set(
        AccessMode.objects.filter(code__in=["envoyer-un-courriel", "orientation-partenaire"])
    )
    offer.reception_modes.set(ReceptionMode.objects.all())
    offer.territories.set(
        [places["marseille"], places["arrondissement"], places["epci"], places["region"]]
    )
    OfferDocument.objects.create(
        offer=offer, title="Plaquette", url="https://intermade.example.org/plaquette.pdf"
    )
    today = timezone.localdate()
    OfferSessionFactory(
        offer=offer,
        starts_on=today + datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=110),
        place="Intermade, Marseille",
        commune=places["marseille"],
        application_deadline=today + datetime.timedelta(days=10),
    )
    OfferSessionFactory(offer=offer)
    return offer


def minimal_offer(network=None):
    """An offer with only what the forms require (a structure with nothing but its name)."""
    network = network or NetworkFactory()
    structure = StructureFactory(name="Abc", city="", summary="", networks=[network])
    return OfferFactory(
        structure=structure, title="Go", summary="Aide.", stages=[StageFactory(network=network)]
    )
