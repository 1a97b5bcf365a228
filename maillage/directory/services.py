"""Writes on the directory. Views, commands and the demo call these, never the ORM."""

from django.db import transaction

from .models import Network, Structure
from .validators import normalise_siret


@transaction.atomic
def upsert_network(*, slug: str, name: str, description: str = "", website: str = "") -> Network:
    """Create the network with this slug, or bring it to these values."""
    network = Network.objects.filter(slug=slug).first() or Network(slug=slug)
    network.name = name
    network.description = description
    network.website = website
    network.full_clean()
    network.save()
    return network


@transaction.atomic
def upsert_structure(
    *,
    slug: str,
    name: str,
    legal_form: str,
    siret: str = "",
    address: str = "",
    postal_code: str = "",
    city: str = "",
    website: str = "",
    summary: str = "",
    networks: list[Network] | None = None,
) -> Structure:
    """Create the structure with this slug, or bring it to these values (networks are added)."""
    structure = Structure.objects.filter(slug=slug).first() or Structure(slug=slug)
    structure.name = name
    structure.legal_form = legal_form
    structure.siret = normalise_siret(siret)
    structure.address = address
    structure.postal_code = postal_code
    structure.city = city
    structure.website = website
    structure.summary = summary
    structure.full_clean()
    structure.save()
    if networks:
        structure.networks.add(*networks)
    return structure
