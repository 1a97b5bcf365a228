"""Writes of the open-data app: importing outside resources from data·inclusion files."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.directory.models import Network

from .di_validation import ItemError, read_items, validate_items
from .models import ImportBatch, OutsideResource, ResourceKind

# Fields of OutsideResource an import writes; compared to tell "updated" from "unchanged".
WRITTEN_FIELDS = (
    "structure_external_id",
    "organisation_name",
    "name",
    "description",
    "commune",
    "code_insee",
    "postal_code",
    "address",
    "zone_codes",
    "zone_key",
    "thematiques",
    "thematiques_key",
    "link",
    "phone",
    "email",
    "raw",
    "date_maj",
)


class ImportRefused(ValidationError):
    """Nothing was imported; `item_errors` says what is wrong, item by item."""

    def __init__(self, item_errors: list[ItemError]):
        self.item_errors = item_errors
        super().__init__([str(error) for error in item_errors])


def _key(codes) -> str:
    return f" {' '.join(codes)} " if codes else ""


def _text(value) -> str:
    return "" if value is None else str(value)


def _address(model) -> str:
    return ", ".join(part for part in (model.adresse, model.complement_adresse) if part)


def _structure_fields(model) -> dict:
    return {
        "structure_external_id": "",
        "organisation_name": "",
        "name": model.nom,
        "description": _text(model.description),
        "commune": _text(model.commune),
        "code_insee": _text(model.code_insee),
        "postal_code": _text(model.code_postal),
        "address": _address(model),
        "zone_codes": [],
        "thematiques": [],
        "link": _text(model.site_web or model.lien_source),
        "phone": _text(model.telephone),
        "email": _text(model.courriel),
        "date_maj": model.date_maj,
    }


def _service_fields(model, structure: dict | None) -> dict:
    """A service's fields; where it says nothing of its place or contact, its structure's."""
    structure = structure or {}
    zone = list(dict.fromkeys(model.zone_eligibilite or []))
    return {
        "structure_external_id": model.structure_id,
        "organisation_name": structure.get("name", ""),
        "name": model.nom,
        "description": model.description,
        "commune": _text(model.commune) or structure.get("commune", ""),
        "code_insee": _text(model.code_insee) or structure.get("code_insee", ""),
        "postal_code": _text(model.code_postal) or structure.get("postal_code", ""),
        "address": _address(model) or structure.get("address", ""),
        "zone_codes": zone,
        "thematiques": sorted(str(theme.value) for theme in model.thematiques or []),
        "link": _text(model.lien_mobilisation or model.lien_source),
        "phone": _text(model.telephone) or structure.get("phone", ""),
        "email": _text(model.courriel) or structure.get("email", ""),
        "date_maj": model.date_maj,
    }


def _read(file, kind, errors):
    if file is None:
        return []
    items, read_errors = read_items(file, kind)
    errors.extend(read_errors)
    validated, item_errors = validate_items(items, kind)
    errors.extend(item_errors)
    return validated


def _file_name(file) -> str:
    name = getattr(file, "name", "") or ""
    return str(name).rsplit("/", 1)[-1]


@transaction.atomic
def import_data_inclusion(
    *, network: Network, structures_file=None, services_file=None, by=None
) -> ImportBatch:
    """Import data·inclusion structures and services as outside resources of the network.

    All or nothing: every item is validated against the data·inclusion schema first; one error
    anywhere and nothing is written (ImportRefused lists the errors by item and field).
    Importing the same file again updates the resources it already brought, it adds none;
    when nothing differs, nothing is written (the batch returned is then not saved).
    """
    if structures_file is None and services_file is None:
        raise ValidationError(_("Give a structures file, a services file, or both."))
    errors: list[ItemError] = []
    structures = _read(structures_file, "structures", errors)
    services = _read(services_file, "services", errors)
    if errors:
        raise ImportRefused(errors)

    existing = {
        (r.source, r.kind, r.external_id): r
        for r in OutsideResource.objects.filter(network=network)
    }
    wanted: dict[tuple, dict] = {}
    structure_fields: dict[str, dict] = {}
    for _index, raw, model in structures:
        fields = _structure_fields(model)
        structure_fields[model.id] = fields
        wanted[(model.source, ResourceKind.STRUCTURE, model.id)] = {**fields, "raw": raw}
    for _index, raw, model in services:
        structure = structure_fields.get(model.structure_id)
        if structure is None:
            known = existing.get((model.source, ResourceKind.STRUCTURE, model.structure_id))
            structure = {name: getattr(known, name) for name in WRITTEN_FIELDS} if known else None
        fields = _service_fields(model, structure)
        wanted[(model.source, ResourceKind.SERVICE, model.id)] = {**fields, "raw": raw}

    now = timezone.now()
    batch = ImportBatch(
        network=network,
        file_names=", ".join(
            name for name in (_file_name(structures_file), _file_name(services_file)) if name
        )[:500],
        imported_by=by if by is not None and by.is_authenticated else None,
    )
    to_create, to_update = [], []
    for (source, kind, external_id), fields in wanted.items():
        fields["zone_key"] = _key(fields["zone_codes"])
        fields["thematiques_key"] = _key(fields["thematiques"])
        resource = existing.get((source, kind, external_id))
        if resource is None:
            resource = OutsideResource(
                network=network, source=source, kind=kind, external_id=external_id
            )
            to_create.append(resource)
        elif all(getattr(resource, name) == fields[name] for name in WRITTEN_FIELDS):
            batch.unchanged += 1
            continue
        else:
            to_update.append(resource)
        for name, value in fields.items():
            setattr(resource, name, value)
        resource.imported_at = now

    _check_fields(to_create + to_update, structures, services)
    batch.created, batch.updated = len(to_create), len(to_update)
    if not (to_create or to_update):
        return batch  # the same files again: nothing changes, not even the log of imports
    batch.save()
    for resource in to_create + to_update:
        resource.batch = batch
    OutsideResource.objects.bulk_create(to_create, batch_size=500)
    OutsideResource.objects.bulk_update(
        to_update, [*WRITTEN_FIELDS, "imported_at", "batch"], batch_size=500
    )
    return batch


# Our field → the data·inclusion field it comes from, to name it in an error.
SCHEMA_FIELDS = {
    "name": "nom",
    "external_id": "id",
    "structure_external_id": "structure_id",
    "code_insee": "code_insee",
    "postal_code": "code_postal",
    "address": "adresse",
    "link": "site_web / lien_source / lien_mobilisation",
    "phone": "telephone",
    "email": "courriel",
}


def _check_fields(resources, structures, services) -> None:
    """Our own limits (lengths, e-mail) on what the schema let through; errors by item."""
    position = {("structures", m.source, m.id): index for index, _raw, m in structures}
    position.update({("services", m.source, m.id): index for index, _raw, m in services})
    errors = []
    for resource in resources:
        try:
            resource.full_clean(
                exclude=["network", "batch"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            file = "structures" if resource.kind == ResourceKind.STRUCTURE else "services"
            index = position[(file, resource.source, resource.external_id)]
            for field, messages in error.message_dict.items():
                errors.append(
                    ItemError(
                        file, " ".join(messages), index=index, field=SCHEMA_FIELDS.get(field, field)
                    )
                )
    if errors:
        raise ImportRefused(errors)
