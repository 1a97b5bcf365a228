"""The directory as Open Referral HSDS 3.0 objects (organization, service and what they nest).

Identifiers are stable: a structure, an offer and a session keep their own UUID; nested objects
(locations, contacts, phones, areas…) get a UUID derived (uuid5) from their owner's UUID and what
they are, so the same object keeps the same id from one call to the next.
"""

import uuid

from data_inclusion.schema.v1 import Thematique, TypeService
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from maillage.directory.models import Offer, Structure, TerritoryKind

HSDS_VERSION = "3.0"
NAMESPACE = uuid.UUID("323613ac-efbd-52e1-b229-50be5f12d3b0")
GEO_API = {
    TerritoryKind.COMMUNE: "https://geo.api.gouv.fr/communes/",
    TerritoryKind.EPCI: "https://geo.api.gouv.fr/epcis/",
    TerritoryKind.DEPARTEMENT: "https://geo.api.gouv.fr/departements/",
    TerritoryKind.REGION: "https://geo.api.gouv.fr/regions/",
}
TAXONOMIES = {
    "thematique": (Thematique, "https://data-inclusion-schema.readthedocs.io/ (thematiques)"),
    "type": (TypeService, "https://data-inclusion-schema.readthedocs.io/ (types de services)"),
}


def derived_id(owner_uuid, what: str) -> str:
    return str(uuid.uuid5(owner_uuid, what))


def _clean(data: dict) -> dict:
    """HSDS types are strict (a string is never null): leave out what has no value."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def _joined(*parts) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


# --- Organizations -----------------------------------------------------------------------------


def organization_basic(structure: Structure, base_url: str) -> dict:
    return _clean(
        {
            "id": str(structure.uuid),
            "name": structure.name,
            "description": _joined(structure.summary, structure.positioning) or structure.name,
            "email": structure.email,
            "website": structure.website,
            "legal_status": structure.legal_form.label if structure.legal_form_id else "",
            "uri": base_url + reverse("directory:structure", args=[structure.slug]),
        }
    )


def location(structure: Structure, departement_names: dict) -> dict | None:
    """The structure's premises, when its address or commune is known."""
    commune = structure.commune
    city = structure.city or (commune.name if commune else "")
    if not (structure.address or city):
        return None
    location_id = derived_id(structure.uuid, "location")
    departement = commune.departement_code if commune else ""
    address = {
        "id": derived_id(structure.uuid, "location/address"),
        "location_id": location_id,
        "address_1": structure.address or city,
        "city": city,
        "state_province": departement_names.get(departement, departement),
        "postal_code": structure.postal_code,
        "country": "FR",
        "address_type": "physical",
    }
    data = {
        "id": location_id,
        "location_type": "physical",
        "organization_id": str(structure.uuid),
        "name": structure.name,
        "addresses": [address],
    }
    if commune is not None:
        data["external_identifier"] = commune.code
        data["external_identifier_type"] = "INSEE"
    return data


def _organization_phones(structure: Structure) -> list[dict]:
    if not structure.phone:
        return []
    return [
        {
            "id": derived_id(structure.uuid, "phone"),
            "organization_id": str(structure.uuid),
            "number": structure.phone,
            "type": "voice",
        }
    ]


def _organization_contacts(structure: Structure) -> list[dict]:
    if not (structure.contact_name or structure.email):
        return []
    return [
        _clean(
            {
                "id": derived_id(structure.uuid, "contact"),
                "organization_id": str(structure.uuid),
                "name": structure.contact_name,
                "email": structure.email,
            }
        )
    ]


def organization_full(structure: Structure, offers, base_url: str, departement_names: dict) -> dict:
    data = organization_basic(structure, base_url)
    premises = location(structure, departement_names)
    data.update(
        {
            "contacts": _organization_contacts(structure),
            "phones": _organization_phones(structure),
            "locations": [premises] if premises else [],
            "organization_identifiers": (
                [
                    {
                        "id": derived_id(structure.uuid, "identifier/siret"),
                        "organization_id": str(structure.uuid),
                        "identifier_type": "SIRET",
                        "identifier": structure.siret,
                    }
                ]
                if structure.siret
                else []
            ),
            "services": [
                service_basic(offer, base_url, with_organization=False) for offer in offers
            ],
        }
    )
    return data


# --- Services ----------------------------------------------------------------------------------


def service_basic(offer: Offer, base_url: str, *, with_organization: bool = True) -> dict:
    """A service's one-to-one fields (the HSDS list shape)."""
    structure = offer.structure
    data = _clean(
        {
            "id": str(offer.uuid),
            "organization_id": str(structure.uuid),
            "name": offer.title,
            "description": _joined(offer.summary, offer.description),
            "url": base_url + reverse("directory:offer", args=[structure.slug, offer.slug]),
            "email": offer.contact_email or structure.email,
            "status": "active",
            "fees_description": (
                _joined(_("Free of charge."), offer.cost_details)
                if offer.is_free
                else offer.cost_details or _("Paid.")
            ),
            "last_modified": timezone.localtime(offer.updated_at).isoformat(),
        }
    )
    if with_organization:
        data["organization"] = organization_basic(structure, base_url)
    return data


def _sessions(offer: Offer) -> list[dict]:
    schedules = []
    for session in offer.sessions.all():
        names = {
            "start": date_format(session.starts_on, "SHORT_DATE_FORMAT"),
            "end": date_format(session.ends_on, "SHORT_DATE_FORMAT"),
        }
        description = _("Session from %(start)s to %(end)s") % names
        if session.place:
            description = f"{description}, {session.place}"
        notes = ""
        if session.application_deadline:
            notes = _("Apply before %(date)s.") % {
                "date": date_format(session.application_deadline, "SHORT_DATE_FORMAT")
            }
        if session.capacity:
            notes = _joined(notes, _("%(count)s places.") % {"count": session.capacity})
        schedules.append(
            _clean(
                {
                    "id": str(session.uuid),
                    "service_id": str(offer.uuid),
                    "valid_from": session.starts_on.isoformat(),
                    "valid_to": session.ends_on.isoformat(),
                    "dtstart": session.starts_on.isoformat(),
                    "until": session.ends_on.isoformat(),
                    "description": description,
                    "notes": notes,
                }
            )
        )
    return schedules


def _service_areas(offer: Offer) -> list[dict]:
    territories = offer.territories.all() or offer.structure.territories.all()
    areas = []
    for territory in territories:
        prefix = GEO_API.get(territory.kind)
        areas.append(
            _clean(
                {
                    "id": derived_id(offer.uuid, f"area/{territory.kind}/{territory.code}"),
                    "service_id": str(offer.uuid),
                    "name": territory.name,
                    "description": f"{territory.get_kind_display()} {territory.code}",
                    "uri": f"{prefix}{territory.code}" if prefix else "",
                }
            )
        )
    return areas


def _contacts(offer: Offer) -> list[dict]:
    if not (offer.contact_name or offer.contact_email or offer.contact_phone):
        return []
    contact_id = derived_id(offer.uuid, "contact")
    phones = []
    if offer.contact_phone:
        phones = [
            {
                "id": derived_id(offer.uuid, "contact/phone"),
                "contact_id": contact_id,
                "number": offer.contact_phone,
                "type": "voice",
            }
        ]
    return [
        _clean(
            {
                "id": contact_id,
                "service_id": str(offer.uuid),
                "name": offer.contact_name,
                "email": offer.contact_email,
                "phones": phones,
            }
        )
    ]


def _attributes(offer: Offer) -> list[dict]:
    codes = [
        ("thematique", code)
        for code in sorted({c for stage in offer.stages.all() for c in stage.di_thematiques})
    ] + [("type", code) for code in offer.format.di_types]
    attributes = []
    for taxonomy, code in codes:
        enum, taxonomy_uri = TAXONOMIES[taxonomy]
        try:
            term = enum(code)
        except ValueError:
            continue
        term_id = str(uuid.uuid5(NAMESPACE, f"data-inclusion/{taxonomy}/{code}"))
        attributes.append(
            {
                "id": derived_id(offer.uuid, f"attribute/{taxonomy}/{code}"),
                "link_id": str(offer.uuid),
                "link_type": "service_type" if taxonomy == "type" else "category",
                "link_entity": "service",
                "taxonomy_term_id": term_id,
                "taxonomy_term": {
                    "id": term_id,
                    "code": code,
                    "name": term.label,
                    "description": term.description or term.label,
                    "taxonomy": taxonomy_uri,
                    "language": "fr",
                },
            }
        )
    return attributes


def service_full(offer: Offer, base_url: str, departement_names: dict) -> dict:
    """A fully nested service: organization, place, sessions, contacts, costs, areas…"""
    structure = offer.structure
    data = service_basic(offer, base_url)
    access = ", ".join(mode.label for mode in offer.access_modes.all())
    audiences = ", ".join(audience.label for audience in offer.audiences.all())
    data.update(
        _clean(
            {
                "application_process": _joined(access, offer.how_to_apply),
                "eligibility_description": _joined(
                    audiences, offer.audience_details, offer.prerequisites
                ),
            }
        )
    )
    premises = location(structure, departement_names)
    data.update(
        {
            "phones": [
                {
                    "id": derived_id(offer.uuid, "phone"),
                    "service_id": str(offer.uuid),
                    "number": offer.contact_phone or structure.phone,
                    "type": "voice",
                }
            ]
            if (offer.contact_phone or structure.phone)
            else [],
            "schedules": _sessions(offer),
            "service_areas": _service_areas(offer),
            "service_at_locations": (
                [
                    {
                        "id": derived_id(offer.uuid, "at-location"),
                        "service_id": str(offer.uuid),
                        "location_id": premises["id"],
                        "location": premises,
                    }
                ]
                if premises
                else []
            ),
            "languages": [
                {
                    "id": derived_id(offer.uuid, "language/fr"),
                    "service_id": str(offer.uuid),
                    "name": "Français",
                    "code": "fr",
                }
            ],
            "funding": (
                [
                    {
                        "id": derived_id(offer.uuid, "funding"),
                        "service_id": str(offer.uuid),
                        "source": offer.funding,
                    }
                ]
                if offer.funding
                else []
            ),
            "cost_options": [
                _clean(
                    {
                        "id": derived_id(offer.uuid, "cost"),
                        "service_id": str(offer.uuid),
                        "option": _("Free of charge") if offer.is_free else _("Paid"),
                        "currency": "EUR",
                        "amount": 0 if offer.is_free else None,
                        "amount_description": offer.cost_details,
                    }
                )
            ],
            "required_documents": [
                _clean(
                    {
                        "id": derived_id(offer.uuid, f"document/{document.pk}"),
                        "service_id": str(offer.uuid),
                        "document": document.title,
                        "uri": document.url
                        or (base_url + document.file.url if document.file else ""),
                    }
                )
                for document in offer.documents.all()
            ],
            "contacts": _contacts(offer),
            "attributes": _attributes(offer),
        }
    )
    return data
