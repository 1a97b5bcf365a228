"""Reads of the directory's back office, already limited to what the user may change.

Each queryset mirrors one rule of `maillage.accounts.rules` (tests/directory/test_backoffice.py
checks that they list exactly what `can(...)` allows), so fetching an object through it gives a
404 to anyone else.
"""

import itertools

from django.db.models import Count, Min, Prefetch, Q
from django.utils import timezone

from maillage.accounts.rules import roles_of
from maillage.accounts.selectors import networks_user_may_change

from .models import Offer, OfferSession, Stage, Structure

# How many changes a history page shows (the most recent ones).
HISTORY_LIMIT = 100


def structures_editable_by(user):
    """Structures on which `can(user, "change_structure", structure)` holds."""
    roles = roles_of(user)
    structures = Structure.objects.select_related("legal_form").order_by("name")
    if roles.is_platform_admin:
        return structures
    return structures.filter(pk__in=roles.admin_of | roles.coordinated_structures)


def networks_whose_stages_user_edits(user):
    """Networks on which `can(user, "change_network", network)` holds."""
    return networks_user_may_change(user)


def offers_editable_by(user):
    """Offers of the structures the user may change (offers go with their structure)."""
    return Offer.objects.filter(structure__in=structures_editable_by(user).values("pk"))


def dashboard_structures(user):
    """The user's editable structures, each with its number of offers and its next session."""
    today = timezone.localdate()
    return structures_editable_by(user).annotate(
        offer_count=Count("offers", distinct=True),
        next_session=Min(
            "offers__sessions__starts_on", filter=Q(offers__sessions__starts_on__gte=today)
        ),
    )


def dashboard_networks(user):
    return networks_whose_stages_user_edits(user).annotate(stage_count=Count("stages"))


def structure_for_edit(user, slug):
    """The structure with what its form shows (commune, territories); None when not allowed."""
    return (
        structures_editable_by(user)
        .select_related("commune")
        .prefetch_related("territories")
        .filter(slug=slug)
        .first()
    )


def offers_of(structure):
    today = timezone.localdate()
    return (
        Offer.objects.filter(structure=structure)
        .select_related("format")
        .annotate(
            session_count=Count("sessions", distinct=True),
            next_session=Min("sessions__starts_on", filter=Q(sessions__starts_on__gte=today)),
        )
        .order_by("title")
    )


def offers_of_structure(structure):
    """The structure's offers, to fetch one by its slug (its structure comes along)."""
    return Offer.objects.filter(structure=structure).select_related("structure")


def offer_for_edit(structure, slug):
    """One offer with what its form shows; None when the structure has no such offer."""
    return (
        offers_of_structure(structure)
        .select_related("format")
        .prefetch_related("stages", "audiences", "access_modes", "reception_modes", "territories")
        .filter(slug=slug)
        .first()
    )


def sessions_of(offer):
    return OfferSession.objects.filter(offer=offer).select_related("commune").order_by("starts_on")


def stages_of(network):
    return Stage.objects.filter(network=network).order_by("position", "pk")


def stage_choices_for(structure):
    """The stages an offer of this structure may sit on: those of the structure's networks."""
    return (
        Stage.objects.filter(network__structures=structure)
        .select_related("network")
        .order_by("network__name", "position")
    )


def networks_of(structure):
    return structure.networks.prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("position"))
    )


# --- History ------------------------------------------------------------------------------------


def _changes(records, *, limit):
    """(record, changed field names) for each record, newest first, from a date-ordered list."""
    by_object = {}
    for record in records:
        by_object.setdefault(record.history_object_key, []).append(record)
    changes = []
    for versions in by_object.values():
        previous = None
        for record in versions:
            fields = []
            if previous is not None and record.history_type == "~":
                fields = record.diff_against(previous).changed_fields
            changes.append((record, fields))
            previous = record
    changes.sort(key=lambda item: item[0].history_date, reverse=True)
    return changes[:limit]


def _history(queryset, key, limit):
    """Up to `limit` latest changes of a historical queryset, in one query."""
    # The whole history of one structure or offer is read (each diff needs the version before);
    # it is small, and it is one query whatever its length.
    records = list(queryset.select_related("history_user").order_by("history_date", "history_id"))
    for record in records:
        record.history_object_key = getattr(record, key)
    return _changes(records, limit=limit)


def structure_history(structure, limit=HISTORY_LIMIT):
    return _history(Structure.history.filter(id=structure.pk), "id", limit)


def offer_history(offer, limit=HISTORY_LIMIT):
    """Changes of the offer and of its sessions (deleted sessions included)."""
    offer_changes = _history(Offer.history.filter(id=offer.pk), "id", limit)
    session_changes = _history(OfferSession.history.filter(offer_id=offer.pk), "id", limit)
    merged = sorted(
        itertools.chain(offer_changes, session_changes),
        key=lambda item: item[0].history_date,
        reverse=True,
    )
    return merged[:limit]
