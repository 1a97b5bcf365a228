"""Demo step of the knowledge base: a short family on the network's own practices, written for
the demo, that shows every feature (typed links, a broken-free set of references, validated
sheets, a new draft over a validated one, an internal sheet). Idempotent and cheap."""

import datetime

from maillage.accounts.models import User
from maillage.directory.models import Stage, Structure

from . import services
from .models import Family, Sheet

FAMILY_SLUG = "pratiques"

SHEETS = [
    (
        "P-1",
        "Accueillir une personne qui porte un projet",
        "Le premier accueil est un temps d'écoute, pas un entretien de sélection. "
        "On présente le réseau, les étapes du parcours et ce que chaque structure propose.\n\n"
        "## Ce qu'on fait\n\n"
        "- écouter le projet tel qu'il est dit, sans le reformuler trop vite ;\n"
        "- noter ce dont la personne a besoin maintenant ;\n"
        "- proposer le diagnostic partagé : voir [[method-for:P-3]].\n\n"
        "Si la structure n'est pas la bonne, on oriente tout de suite : voir [[P-2]].\n",
    ),
    (
        "P-2",
        "Réorienter les personnes non retenues",
        "Une personne non retenue par un dispositif n'est pas une personne perdue. "
        "La structure qui ne retient pas propose une autre porte, dans le réseau, "
        "avant de clore sa réponse.\n\n"
        "## Ce qu'on fait\n\n"
        "1. dire pourquoi, avec des mots simples ;\n"
        "2. chercher une offre d'une autre étape ou d'une autre structure ;\n"
        "3. faire l'orientation avec l'accord de la personne.\n\n"
        "Cette fiche prolonge l'accueil : [[builds-on:P-1]].\n",
    ),
    (
        "P-3",
        "Le diagnostic partagé",
        "Un seul diagnostic, lu par toutes les structures qui accompagnent la personne, "
        "évite de lui faire raconter son projet cinq fois.\n\n"
        "Il se fait à l'accueil ([[example-of:P-1]]) et se complète à chaque étape. "
        "La personne le relit et décide de ce qui est partagé.\n",
    ),
]


ACCUEIL_TEMPLATE = """# Trame du premier accueil

1. Présenter le réseau et les étapes du parcours.
2. Écouter le projet tel qu'il est dit.
3. Noter ce dont la personne a besoin maintenant.
4. Proposer le diagnostic partagé (fiche P-3).
"""


def load_demo(demo) -> None:
    network = demo.network
    if network is None or Family.objects.filter(network=network, slug=FAMILY_SLUG).exists():
        return
    apeas = Structure.objects.filter(slug="apeas").first()
    author = User.objects.filter(email="conseil.apeas@demo.maillage.test").first()
    reviewers = list(
        User.objects.filter(
            email__in=["admin.intermade@demo.maillage.test", "conseil.intermade@demo.maillage.test"]
        )
    )
    if apeas is None or author is None or len(reviewers) < 2:
        return
    family = services.upsert_family(
        network=network,
        slug=FAMILY_SLUG,
        name="Nos pratiques communes",
        description="Comment les structures du réseau accueillent, orientent et diagnostiquent.",
        code_pattern=r"P-[0-9]+",
        quorum=2,
    )
    services.ensure_link_types(network=network)
    for code, title, body in SHEETS:
        services.create_sheet(
            user=author,
            family=family,
            code=code,
            title=title,
            body=body,
            structure=apeas,
            tags=["accueil"] if code == "P-1" else ["orientation"],
            review_by=datetime.date(2027, 6, 30),
            check_permission=False,
        )
    # What the sheets are about, and a file that goes with the first version of P-1.
    first_stage = Stage.objects.filter(network=network).order_by("position").first()
    p1 = Sheet.objects.get(network=network, code="P-1")
    services.set_sheet_subjects(
        user=author,
        sheet=p1,
        stages=[first_stage] if first_stage else [],
        structures=[apeas],
        review_by=p1.review_by,
        check_permission=False,
    )
    services.add_attachment(
        user=author,
        sheet=p1,
        name="trame-premier-accueil.md",
        content=ACCUEIL_TEMPLATE.encode(),
        check_permission=False,
    )
    for code in ("P-1", "P-2"):
        version = services.latest_version(Sheet.objects.get(network=network, code=code))
        services.propose_version(user=author, version=version)
        for reviewer in reviewers:
            services.review_version(user=reviewer, version=version, decision="validate")
    # A new draft over the validated P-1: the public still reads version 1.
    p1 = Sheet.objects.get(network=network, code="P-1")
    services.save_version(
        user=author,
        sheet=p1,
        based_on=1,
        title=SHEETS[0][1],
        body=SHEETS[0][2] + "\nUn accueil se fait dans les huit jours.\n",
    )
    demo.extra["knowledge_family"] = family
