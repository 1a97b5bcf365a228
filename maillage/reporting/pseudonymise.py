"""The person-level rows of a network report, pseudonymised and k-anonymous (coordinators only).

One row per person accompanied in the period (the `persons_accompanied` definition, with the
report's filters). No name, contact, birth date, commune, free text or database id leaves:
- the id is an HMAC of the person's stable pseudonymous id with a salt drawn at random for each
  export (and `REPORT_SALT`, and the network): two exports cannot be joined on it, nor turned
  back into the person. No longitudinal id is offered: following people from one export to
  the next is what the report's indicators are for (docs/masking.md);
- the birth date becomes an age band, the commune its département;
- the quasi-identifiers (gender, age band, situation, priority neighbourhood, département,
  structures) are made k-anonymous with k = 5 (`anonymise`): every combination of them that
  the file shows is shared by at least 5 rows, by generalising, for the rows of rarer
  combinations only, one column after another (structures to their number, département,
  age band to a wider one, situation…), then suppressing ("*"). The k reached is given with
  the rows (and written at the end of the file).
A handful of grouped queries, whatever the number of people.
"""

import hashlib
import hmac
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
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


def pseudonym(public_id, network, export_salt: bytes) -> str:
    """A person's id in one export of a network: another export draws another salt."""
    message = f"{network.pk}:{public_id}".encode()
    return hmac.new(salt() + export_salt, message, hashlib.sha256).hexdigest()[:20]


K = 5
SUPPRESSED = "*"
# The quasi-identifiers, by column: what someone who knows a person could match a row on.
GENDER, AGE, SITUATION, QPV, DEPARTEMENT, STRUCTURES = 1, 2, 3, 4, 5, 7
QUASI_IDENTIFIERS = (GENDER, AGE, SITUATION, QPV, DEPARTEMENT, STRUCTURES)


def _structure_count(value: str) -> str:
    n = len(value.split("; ")) if value else 0
    if n <= 1:
        return str(_("1 structure"))
    return str(_("2 structures or more"))


def _wider_age_band(value: str) -> str:
    bands = {str(label): key for key, label in AGE_BANDS}
    key = bands.get(value)
    if key in ("under_26", "26_35"):
        return str(_("Under 36"))
    if key in ("36_45", "46_55", "over_55"):
        return str(_("36 and over"))
    return value


def _suppress(_value: str) -> str:
    return SUPPRESSED


# One step after another, for the rows whose combination is still rarer than K.
GENERALISATIONS = (
    (STRUCTURES, _structure_count),
    (DEPARTEMENT, _suppress),
    (AGE, _wider_age_band),
    (SITUATION, _suppress),
    (STRUCTURES, _suppress),
    (QPV, _suppress),
    (AGE, _suppress),
    (GENDER, _suppress),
)


def _key(row) -> tuple:
    return tuple(row[column] for column in QUASI_IDENTIFIERS)


def _rare(rows, k) -> list:
    groups = Counter(_key(row) for row in rows)
    return [row for row in rows if groups[_key(row)] < k]


def anonymise(rows: list[list], k: int = K) -> int:
    """Generalise, then suppress, the quasi-identifiers of the rows of rare combinations (in
    place) until every combination shown is shared by `k` rows; return the k reached (the
    size of the smallest group: less than `k` only when the file has fewer than `k` rows)."""
    for column, generalise in GENERALISATIONS:
        for row in _rare(rows, k):
            row[column] = generalise(str(row[column]))
    # Rows suppressed whole but fewer than k: suppress rows of the smallest other groups too.
    rest = _rare(rows, k)
    if rest:
        groups = Counter(_key(row) for row in rows)
        for key, _n in sorted(groups.items(), key=lambda item: item[1]):
            if len(rest) >= k:
                break
            if key == _key(rest[0]):
                continue
            for row in rows:
                if _key(row) == key:
                    for column in QUASI_IDENTIFIERS:
                        row[column] = SUPPRESSED
                    rest.append(row)
    sizes = Counter(_key(row) for row in rows).values()
    return min(sizes) if sizes else 0


@dataclass(frozen=True)
class PersonRows:
    header: list[str]
    rows: list[list]
    k: int  # every combination of the quasi-identifiers is shared by at least k rows

    def __iter__(self):  # header, rows = person_rows(...)
        return iter((self.header, self.rows))

    @property
    def note(self) -> str:
        return str(
            _(
                "k-anonymity: each combination of gender, age band, situation, priority "
                "neighbourhood, département and structures is shared by at least %(k)s rows "
                "(“*”: generalised or suppressed). The pseudonymous ids are drawn anew for "
                "each export."
            )
            % {"k": self.k}
        )


def person_rows(*, user, filters: ReportFilters) -> PersonRows:
    """The header, the rows (lists of strings and numbers, one per person) and the k reached."""
    if not can(user, "export_pseudonymised_persons", filters.network):
        raise PermissionDenied("export_pseudonymised_persons")
    scope = Scope(filters)
    header = [str(title) for title in HEADER]
    rows = list(_rows(scope, filters, secrets.token_bytes(16)))
    k = anonymise(rows)
    rows.sort(key=lambda row: row[0])
    return PersonRows(header=header, rows=rows, k=k)


def _rows(scope: Scope, filters: ReportFilters, export_salt: bytes):
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
                pseudonym(public_id, scope.network, export_salt),
                str(Gender(gender).label) if gender in Gender.values else "",
                str(bands[age_band(birth_year, end)]),
                situations.get(situation, ""),
                yes if qpv else no,
                departement or "",
                yes if first.get(pid) is None or first[pid] >= start else no,
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
