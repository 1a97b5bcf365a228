"""The person-level rows of a network report, pseudonymised (coordinators only).

One row per person accompanied in the period (the `persons_accompanied` definition, with the
report's filters), sorted by pseudonymous id. No name, contact, birth date, commune, free text
or database id leaves: the id is an HMAC of the person's stable pseudonymous id with a salt
(`REPORT_SALT`, by default derived from `SECRET_KEY`) and the network, so it is stable from one
export to the next, differs between networks, and cannot be turned back into the person; the
birth date becomes an age band, the commune its département. A handful of grouped queries,
whatever the number of people.
"""

import hashlib
import hmac
from collections import Counter, defaultdict
from datetime import timedelta
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Min, Sum
from django.utils.translation import gettext_lazy as _

from maillage.accounts.rules import can
from maillage.pathways.models import (
    Accompaniment,
    ActParticipant,
    Application,
    ApplicationStatus,
    Gender,
    Outcome,
    OutcomeFamily,
    Person,
    Referral,
    Situation,
)

from .computation.months import active, month_index
from .models import Presence
from .numbers import exact
from .periods import AGE_BANDS, age_band, day_start
from .refresh import ensure_fresh
from .report import ReportFilters
from .scope import Scope, departement_of_postal_code

HEADER = (
    _("Pseudonymous id"),
    _("Gender"),
    _("Age band"),
    _("Situation"),
    _("Priority neighbourhood"),
    _("Département"),
    _("New in the period"),
    _("Structures"),
    _("Acts attended"),
    _("Hours of acts"),
    _("Furthest stage"),
    _("Applications"),
    _("Applications not selected"),
    _("Referrals received"),
    _("Outcomes"),
)


def salt() -> bytes:
    value = getattr(settings, "REPORT_SALT", None) or f"maillage-reports:{settings.SECRET_KEY}"
    return value.encode()


def pseudonym(public_id, network) -> str:
    """A stable id for a person in a network's exports, that only the salt holder could link."""
    message = f"{network.pk}:{public_id}".encode()
    return hmac.new(salt(), message, hashlib.sha256).hexdigest()[:20]


def person_rows(*, user, filters: ReportFilters):
    """(header, rows): the rows are lists of strings and numbers, one per person."""
    if not can(user, "export_pseudonymised_persons", filters.network):
        raise PermissionDenied("export_pseudonymised_persons")
    scope = Scope(filters)
    header = [str(title) for title in HEADER]
    return header, _rows(scope, filters)


def _rows(scope: Scope, filters: ReportFilters):
    if not scope.structure_ids:
        return
    start, end = filters.date_from, filters.date_to
    ensure_fresh()
    presences = (
        Presence.objects.filter(
            structure_id__in=scope.structure_ids,
            month__gte=month_index(start),
            month__lte=month_index(end),
        )
        .filter(active(start, end))
        .filter(merged=False)
        .filter(scope.territory_q(prefix=""))
        .filter(scope.offer_q())
        .values_list("person_id", "structure_id", "offer_id")
        .distinct()
    )
    structures = defaultdict(set)
    stages = defaultdict(int)
    for pid, structure, offer in presences:
        structures[pid].add(structure)
        for stage in scope.stages_of_offer(offer):
            stages[pid] = max(stages[pid], scope.stage_rank[stage])
    people = sorted(structures)
    if not people:
        return
    acts = {
        pid: (n, minutes)
        for pid, n, minutes in ActParticipant.objects.filter(
            person_id__in=people,
            attended=True,
            act__structure_id__in=scope.structure_ids,
            act__occurred_on__gte=start,
            act__occurred_on__lte=end,
        )
        .filter(scope.offer_q("act__offer"))
        .values("person_id")
        .annotate(n=Count("id"), minutes=Sum("act__duration_minutes"))
        .values_list("person_id", "n", "minutes")
        .order_by()
    }
    applications = defaultdict(Counter)
    for pid, status, n in (
        Application.objects.filter(
            person_id__in=people,
            structure_id__in=scope.structure_ids,
            submitted_on__gte=start,
            submitted_on__lte=end,
        )
        .filter(scope.offer_q())
        .values("person_id", "status")
        .annotate(n=Count("id"))
        .values_list("person_id", "status", "n")
        .order_by()
    ):
        applications[pid]["all"] += n
        if status == ApplicationStatus.NOT_SELECTED:
            applications[pid]["not_selected"] += n
    received = dict(
        Referral.objects.filter(
            person_id__in=people,
            to_structure_id__in=scope.structure_ids,
            sent_at__gte=day_start(start),
            sent_at__lt=day_start(end + timedelta(days=1)),
        )
        .filter(scope.offer_q("to_offer"))
        .values("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
        .order_by()
    )
    outcomes = defaultdict(list)
    for pid, family in (
        Outcome.objects.filter(
            person_id__in=people,
            structure_id__in=scope.structure_ids,
            occurred_on__gte=start,
            occurred_on__lte=end,
        )
        .values_list("person_id", "outcome_type__family")
        .order_by("occurred_on", "pk")
    ):
        outcomes[pid].append(str(OutcomeFamily(family).label))
    first = dict(
        Accompaniment.objects.filter(person_id__in=people, structure_id__in=scope.structure_ids)
        .values("person_id")
        .annotate(first=Min("started_on"))
        .values_list("person_id", "first")
        .order_by()
    )
    profiles = {
        row[0]: row[1:]
        for row in Person.objects.filter(pk__in=people)
        .annotate(commune_departement=F("commune__departement_code"))
        .values_list(
            "pk",
            "public_id",
            "gender",
            "birth_year",
            "situation_id",
            "priority_neighbourhood",
            "commune_departement",
            "commune__kind",
            "commune__code",
            "postal_code",
        )
    }
    situations = {s.pk: s.label for s in Situation.objects.all()}
    stage_names = {scope.stage_rank[pk]: name for pk, name in scope.stage_names.items()}
    names = scope.structure_names
    yes, no = str(_("yes")), str(_("no"))
    bands = dict(AGE_BANDS)
    rows = []
    for pid in people:
        (
            public_id,
            gender,
            birth_year,
            situation,
            qpv,
            departement,
            kind,
            code,
            postal_code,
        ) = profiles[pid]
        if kind == "departement":
            departement = code
        if not departement and postal_code:
            found = departement_of_postal_code(postal_code)
            departement = found[0] if len(found) == 1 else ""
        n_acts, minutes = acts.get(pid, (0, 0))
        rows.append(
            [
                pseudonym(public_id, scope.network),
                str(Gender(gender).label) if gender in Gender.values else "",
                str(bands[age_band(birth_year, end)]),
                situations.get(situation, ""),
                yes if qpv else no,
                departement or "",
                yes if first.get(pid) and first[pid] >= start else no,
                "; ".join(sorted(names.get(s, "") for s in structures[pid])),
                n_acts,
                exact(Fraction(minutes or 0, 60), 1),
                stage_names.get(stages.get(pid), ""),
                applications[pid]["all"],
                applications[pid]["not_selected"],
                received.get(pid, 0),
                "; ".join(outcomes[pid]),
            ]
        )
    rows.sort(key=lambda row: row[0])
    yield from rows
