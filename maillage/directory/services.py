"""Writes on the directory. Views, the API, commands and the demo call these, never the ORM.

Every write names its author (`by`, a user or None for the system) so that the history of
structures, offers, sessions and stages says who changed what and when.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core.states import move
from maillage.core.text import normalise

from .models import (
    ContactRequest,
    ContactRequestStatus,
    Network,
    Offer,
    OfferSession,
    Stage,
    Structure,
)
from .states import CONTACT_REQUEST_STATES
from .validators import normalise_siret


def _authored(instance, by):
    """Tell django-simple-history who makes this change (None: the system, e.g. the demo)."""
    instance._history_user = by if by is not None and by.is_authenticated else None
    return instance


def _set_m2m(instance, m2m: dict[str, Iterable] | None) -> None:
    for name, values in (m2m or {}).items():
        if values is not None:
            getattr(instance, name).set(values)


def structure_search_text(structure: Structure) -> str:
    parts = [structure.name, structure.city, structure.summary, structure.positioning]
    return normalise(" ".join(p for p in parts if p))


def offer_search_text(offer: Offer) -> str:
    parts = [
        offer.title,
        offer.summary,
        offer.description,
        offer.structure.name,
        offer.audience_details,
        offer.prerequisites,
    ]
    return normalise(" ".join(p for p in parts if p))


# --- Networks and stages -----------------------------------------------------------------------


@transaction.atomic
def upsert_network(
    *,
    slug: str,
    name: str,
    description: str = "",
    website: str = "",
    name_article: str = "",
    description_en: str = "",
) -> Network:
    """Create the network with this slug, or bring it to these values."""
    network = Network.objects.filter(slug=slug).first() or Network(slug=slug)
    network.name = name
    network.name_article = name_article
    network.description = description
    network.description_en = description_en
    network.website = website
    network.full_clean()
    network.save()
    return network


@transaction.atomic
def save_stage(*, stage: Stage, by=None) -> Stage:
    """Create or update a stage (its network and position are set by the caller)."""
    if stage.position is None:
        last = Stage.objects.filter(network=stage.network).order_by("-position").first()
        stage.position = (last.position + 1) if last else 1
    stage.full_clean()
    _authored(stage, by).save()
    return stage


@transaction.atomic
def upsert_stage(
    *,
    network: Network,
    slug: str,
    position: int,
    name: str,
    summary: str = "",
    questions: list[str] | None = None,
    di_thematiques: list[str] | None = None,
    name_en: str = "",
    summary_en: str = "",
    questions_en: list[str] | None = None,
    by=None,
) -> Stage:
    stage = Stage.objects.filter(network=network, slug=slug).first() or Stage(
        network=network, slug=slug
    )
    stage.position = position
    stage.name = name
    stage.summary = summary
    stage.questions = "\n".join(questions or [])
    stage.name_en = name_en
    stage.summary_en = summary_en
    stage.questions_en = "\n".join(questions_en or [])
    stage.di_thematiques = list(di_thematiques or [])
    return save_stage(stage=stage, by=by)


@transaction.atomic
def move_stage(*, stage: Stage, offset: int, by=None) -> None:
    """Swap a stage with its neighbour (offset -1: earlier, +1: later); renumbers 1..n."""
    stages = list(Stage.objects.select_for_update().filter(network=stage.network))
    stages.sort(key=lambda s: (s.position, s.pk))
    index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    target = index + offset
    if not 0 <= target < len(stages):
        return
    stages[index], stages[target] = stages[target], stages[index]
    for position, item in enumerate(stages, start=1):
        if item.position != position:
            item.position = position
            _authored(item, by).save(update_fields=["position", "updated_at"])


# --- Structures --------------------------------------------------------------------------------


@transaction.atomic
def save_structure(
    *, structure: Structure, by=None, m2m: dict[str, Iterable] | None = None
) -> Structure:
    """Validate and save a structure (new or changed), with its many-to-many fields."""
    structure.siret = normalise_siret(structure.siret)
    structure.search_text = structure_search_text(structure)
    structure.full_clean()
    _authored(structure, by).save()
    _set_m2m(structure, m2m)
    return structure


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
    by=None,
    **fields,
) -> Structure:
    """Create the structure with this slug, or bring it to these values (networks are added)."""
    structure = Structure.objects.filter(slug=slug).first() or Structure(slug=slug)
    structure.name = name
    structure.legal_form_id = legal_form
    structure.siret = siret
    structure.address = address
    structure.postal_code = postal_code
    structure.city = city
    structure.website = website
    structure.summary = summary
    territories = fields.pop("territories", None)
    for name_, value in fields.items():
        setattr(structure, name_, value)
    save_structure(structure=structure, by=by, m2m={"territories": territories})
    if networks:
        structure.networks.add(*networks)
    return structure


# --- Offers and sessions -----------------------------------------------------------------------


@transaction.atomic
def save_offer(*, offer: Offer, by=None, m2m: dict[str, Iterable] | None = None) -> Offer:
    """Validate and save an offer with its stages, audiences, access modes and territories.

    An offer must sit on at least one stage of a network its structure belongs to.
    """
    offer.search_text = offer_search_text(offer)
    offer.full_clean()
    stages = (m2m or {}).get("stages")
    if stages is not None:
        stages = list(stages)
        if not stages:
            raise ValidationError({"stages": _("Place the offer on at least one stage.")})
        network_ids = set(offer.structure.networks.values_list("pk", flat=True))
        if any(stage.network_id not in network_ids for stage in stages):
            raise ValidationError(
                {"stages": _("Choose stages of a network the structure belongs to.")}
            )
    _authored(offer, by).save()
    _set_m2m(offer, m2m)
    return offer


@transaction.atomic
def upsert_offer(*, structure: Structure, slug: str, by=None, **fields) -> Offer:
    """Create the offer with this slug in the structure, or bring it to these values."""
    offer = Offer.objects.filter(structure=structure, slug=slug).first() or Offer(
        structure=structure, slug=slug
    )
    m2m = {
        name: fields.pop(name)
        for name in ("stages", "audiences", "access_modes", "reception_modes", "territories")
        if name in fields
    }
    for name, value in fields.items():
        setattr(offer, name, value)
    return save_offer(offer=offer, by=by, m2m=m2m)


@transaction.atomic
def delete_offer(*, offer: Offer, by=None) -> None:
    _authored(offer, by).delete()


@transaction.atomic
def save_session(*, session: OfferSession, by=None) -> OfferSession:
    session.full_clean()
    _authored(session, by).save()
    return session


@transaction.atomic
def delete_session(*, session: OfferSession, by=None) -> None:
    _authored(session, by).delete()


# --- Contact requests --------------------------------------------------------------------------


@transaction.atomic
def create_contact_request(*, consent_text: str, **fields) -> ContactRequest:
    """Record a visitor's request to be contacted; the consent shown is kept with it."""
    request = ContactRequest(consent_text=consent_text, consent_given_at=timezone.now(), **fields)
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def mark_contact_request_handled(*, contact_request: ContactRequest, by) -> ContactRequest:
    """Mark the request handled by `by`; one already handled keeps who handled it and when."""
    if contact_request.status == ContactRequestStatus.HANDLED:
        return contact_request
    move(CONTACT_REQUEST_STATES, contact_request, ContactRequestStatus.HANDLED, by=by, save=False)
    contact_request.save(update_fields=["status", "handled_at", "handled_by"])
    return contact_request
