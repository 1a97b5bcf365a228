"""Knowledge data for tests: a network with three structures and their people."""

from dataclasses import dataclass

from maillage.directory.models import Network, Structure
from maillage.knowledge import services
from maillage.knowledge.models import Family
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    StructureFactory,
    StructureMembershipFactory,
)


@dataclass
class Circle:
    network: Network
    family: Family
    author_structure: Structure
    other: Structure
    third: Structure
    author: object
    colleague: object
    reviewer: object
    second_reviewer: object
    coordinator: object


def circle(*, quorum: int = 2, is_public: bool = True) -> Circle:
    network = NetworkFactory()
    author_structure = StructureFactory(networks=[network])
    other = StructureFactory(networks=[network])
    third = StructureFactory(networks=[network])
    family = services.upsert_family(
        network=network, slug="methodes", name="Fiches méthode", quorum=quorum, is_public=is_public
    )
    return Circle(
        network=network,
        family=family,
        author_structure=author_structure,
        other=other,
        third=third,
        author=StructureMembershipFactory(structure=author_structure).user,
        colleague=StructureMembershipFactory(structure=author_structure).user,
        reviewer=StructureMembershipFactory(structure=other).user,
        second_reviewer=StructureMembershipFactory(structure=third).user,
        coordinator=NetworkRoleFactory(network=network).user,
    )


def sheet(c: Circle, code: str = "I-A-1", *, body: str = "Un texte.", title="", **kwargs):
    return services.create_sheet(
        user=c.author,
        family=kwargs.pop("family", c.family),
        code=code,
        title=title or f"Fiche {code}",
        body=body,
        structure=c.author_structure,
        **kwargs,
    )


def validated_sheet(c: Circle, code: str = "I-A-1", **kwargs):
    """A sheet whose first version is validated by two reviewers of other structures."""
    s = sheet(c, code, **kwargs)
    version = s.versions.get()
    services.propose_version(user=c.author, version=version)
    for reviewer in (c.reviewer, c.second_reviewer):
        services.review_version(user=reviewer, version=version, decision="validate")
    s.refresh_from_db()
    return s
