"""The directory as data·inclusion v1 structures and services (schema 1.0).

Codes come from data, never from this file: a stage's `di_thematiques`, a format's `di_types`,
the `di_code` of audiences, access modes and reception modes. Everything written here passes
`data_inclusion.schema.v1.Structure` / `Service` validation (tests check every item).
"""

import datetime
import re

import pydantic
from data_inclusion.schema.v1 import Thematique, TypeService
from django.urls import reverse
from django.utils import timezone

from maillage.directory.models import Offer, Structure, TerritoryKind

from . import selectors

SOURCE = "maillage"
THEMATIQUES = {theme.value for theme in Thematique}
TYPES = {kind.value for kind in TypeService}
TOUS_PUBLICS = "tous-publics"
_POSTAL_CODE = re.compile(r"^\d{5}$")
_EMAIL = pydantic.TypeAdapter(pydantic.EmailStr)
_URL = pydantic.TypeAdapter(pydantic.HttpUrl)


def di_id(obj) -> str:
    return f"{SOURCE}--{obj.uuid}"


def _date_maj(moment) -> datetime.date:
    # Never "in the future" for the validator, whatever the server's own time zone.
    return min(timezone.localdate(moment), datetime.date.today())


def _nom(name: str, fallback: str) -> str:
    """3 to 150 characters, not ending with a full stop."""
    text = name.strip()
    if len(text) < 3:
        text = f"{text} ({fallback})"
    if len(text) > 150:
        text = text[:149].rstrip() + "…"
    return text.rstrip(".") if not text.endswith("etc.") else text


def _text(value: str) -> str | None:
    value = (value or "").strip()
    return value or None


def _email(value: str) -> str | None:
    """The address when the schema accepts it (it refuses reserved domains such as .test)."""
    try:
        return _EMAIL.validate_python(value) if value else None
    except pydantic.ValidationError:
        return None


def _url(value: str) -> str | None:
    try:
        return str(_URL.validate_python(value)) if value else None
    except pydantic.ValidationError:
        return None


def _place(structure: Structure) -> dict:
    commune = structure.commune
    code_insee = None
    if commune is not None:
        code_insee = commune.commune_code if commune.commune_code else commune.code
    return {
        "commune": _text(structure.city) or (commune.name if commune else None),
        "code_postal": structure.postal_code if _POSTAL_CODE.match(structure.postal_code) else None,
        "code_insee": code_insee,
        "adresse": _text(structure.address),
    }


def structure_item(structure: Structure, base_url: str) -> dict:
    description = _text(structure.summary) or _text(structure.positioning)
    return {
        "source": SOURCE,
        "id": di_id(structure),
        "nom": _nom(structure.name, structure.city or structure.legal_form_id),
        "date_maj": _date_maj(structure.updated_at).isoformat(),
        "description": description if description and len(description) >= 5 else None,
        "lien_source": base_url + reverse("directory:structure", args=[structure.slug]),
        "siret": structure.siret or None,
        **_place(structure),
        "telephone": _text(structure.phone),
        "courriel": _email(structure.email),
        "site_web": _url(structure.website),
    }


def _zone(territories, departements_of_region) -> list[str] | None:
    codes = []
    for territory in territories:
        if territory.kind == TerritoryKind.REGION:
            codes.extend(departements_of_region.get(territory.code, []))
        elif territory.kind == TerritoryKind.ARRONDISSEMENT:
            codes.append(territory.commune_code or territory.code)
        else:
            codes.append(territory.code)
    return sorted(set(codes)) or None


def _publics(offer: Offer) -> list[str] | None:
    codes = {audience.di_code for audience in offer.audiences.all() if audience.di_code}
    if TOUS_PUBLICS in codes:  # open to everyone: the schema wants that value alone
        return [TOUS_PUBLICS]
    return sorted(codes) or None


def _territories(offer: Offer):
    return offer.territories.all() or offer.structure.territories.all()


def service_item(offer: Offer, base_url: str, departements_of_region: dict) -> dict:
    structure = offer.structure
    themes = {code for stage in offer.stages.all() for code in stage.di_thematiques}
    types = [code for code in offer.format.di_types if code in TYPES]
    description = "\n\n".join(part for part in (offer.summary, offer.description) if part.strip())
    return {
        "source": SOURCE,
        "id": di_id(offer),
        "structure_id": di_id(structure),
        "nom": _nom(offer.title, structure.name),
        "description": description if len(description) >= 5 else f"{offer.title} — {structure}",
        "lien_source": base_url + reverse("directory:offer", args=[structure.slug, offer.slug]),
        "date_maj": _date_maj(offer.updated_at).isoformat(),
        "type": types[0] if types else None,
        "thematiques": sorted(themes & THEMATIQUES) or None,
        "frais": "gratuit" if offer.is_free else "payant",
        "frais_precisions": _text(" — ".join(p for p in (offer.cost_details, offer.funding) if p)),
        "publics": _publics(offer),
        "publics_precisions": _text(offer.audience_details),
        "conditions_acces": _text(offer.prerequisites),
        **_place(structure),
        "telephone": _text(offer.contact_phone) or _text(structure.phone),
        "courriel": _email(offer.contact_email) or _email(structure.email),
        "contact_nom_prenom": _text(offer.contact_name),
        "modes_accueil": sorted({m.di_code for m in offer.reception_modes.all() if m.di_code})
        or None,
        "zone_eligibilite": _zone(_territories(offer), departements_of_region),
        "lien_mobilisation": _url(offer.external_url),
        "modes_mobilisation": sorted({m.di_code for m in offer.access_modes.all() if m.di_code})
        or None,
        "mobilisation_precisions": _text(offer.how_to_apply),
        "volume_horaire_hebdomadaire": (
            float(offer.hours_per_week) if offer.hours_per_week is not None else None
        ),
        "nombre_semaines": offer.duration_weeks or None,
    }


def structures(base_url: str) -> list[dict]:
    return [structure_item(s, base_url) for s in selectors.published_structures()]


def services(base_url: str) -> list[dict]:
    offers = list(selectors.with_export_relations(selectors.published_offers()))
    regions = {
        territory.code
        for offer in offers
        for territory in _territories(offer)
        if territory.kind == TerritoryKind.REGION
    }
    departements_of_region = selectors.departement_codes_of_regions(regions)
    return [service_item(offer, base_url, departements_of_region) for offer in offers]
