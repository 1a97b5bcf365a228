"""The duplicate check as the person page calls it, timed over probes typed with a mistake.

A probe is a person of the database typed again with a letter changed, missing or added, first and
last names swapped, or swapped with a typo. The check must find the person (recall); its p50, p95
and slowest time are returned. Used by `manage.py bench_duplicates` (its own set of persons) and
by `manage.py bench` (the generator's persons, as many as the scale has).
"""

import random
import statistics
import string
import time

from maillage.accounts.rules import roles_of
from maillage.pathways.common import name_key
from maillage.pathways.models import Person
from maillage.pathways.persons.selectors import probable_duplicates
from maillage.pathways.visibility import persons_visible_to

from . import percentile

KINDS = ("typo", "missing", "extra", "swap", "swap and typo")


def _edit(word: str, kind: str, rng) -> str:
    """`word` with one letter changed, missing or added (never the same word)."""
    position = rng.randrange(1, len(word))
    if kind == "missing":
        return word[:position] + word[position + 1 :]
    letter = rng.choice([c for c in string.ascii_lowercase if c != word[position].lower()])
    if kind == "extra":
        return word[:position] + letter + word[position:]
    return word[:position] + letter + word[position + 1 :]


def time_probes(persons: list[tuple], planted: int, user, rng) -> dict:
    """Probe `planted` of `persons` [(first, last, birth date)] as `user` would type them."""
    roles_of(user)  # the roles are read once per user, as on the page
    chosen = rng.sample(range(len(persons)), planted)
    timings, missed = [], []
    for number, index in enumerate(chosen):
        first, last, born = persons[index]
        kind = KINDS[number % len(KINDS)]
        probe_first, probe_last = first, last
        if kind.startswith("swap"):
            probe_first, probe_last = last, first
        if kind != "swap":
            probe_last = _edit(probe_last, kind.split()[-1], rng)
        started = time.perf_counter()
        found = probable_duplicates(
            user, first_name=probe_first, last_name=probe_last, birth_date=born, limit=50
        )
        timings.append((time.perf_counter() - started) * 1000)
        key = name_key(first, last)
        if not any(person.name_key == key and person.birth_date == born for person in found):
            missed.append(f"{first} {last} ({born}) as {probe_first} {probe_last} ({kind})")
    return {
        "probes": planted,
        "found": planted - len(missed),
        "missed": missed,
        "p50_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 0.95),
        "max_ms": max(timings),
    }


def measure_duplicates(*, user, probes: int = 200, seed: int = 1) -> dict:
    """Probe persons `user` can see (with a birth date and names long enough to mistype)."""
    rng = random.Random(seed)  # noqa: S311 - fictional data
    visible = persons_visible_to(user).filter(birth_date__isnull=False)
    ids = list(visible.order_by("pk").values_list("pk", flat=True)[:20_000])
    chosen = rng.sample(ids, min(len(ids), probes * 2))
    persons = [
        (first, last, born)
        for first, last, born in Person.objects.filter(pk__in=chosen)
        .order_by("pk")
        .values_list("first_name", "last_name", "birth_date")
        if len(first) > 1 and len(last) > 1
    ][:probes]
    figures = time_probes(persons, len(persons), user, rng)
    figures["persons_in_database"] = Person.objects.count()
    return figures
