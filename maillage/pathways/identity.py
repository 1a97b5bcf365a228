"""The network identity: keyed pseudonyms of each person's identity (issue 16).

For every person still identified (not erased, not merged into another record),
`pathways.IdentityKey` holds 64-bit HMAC-SHA256 values, under a secret that never leaves the
server (`identity_secret`), of:

- their normalised name ("last first", `common.name_key`) *and every variant of it with one
  character deleted*, each joined with the birth year (or "?" when unknown): the deletion
  neighbourhood. Two names within one edit (a letter changed, added or removed) share at least
  one of these variants, so a lookup of the probe's variants finds every name within one edit
  with an exact, indexed `key IN (...)`. The probe also looks up the names swapped ("first
  last"), so first and last names swapped are found while only one order is stored;
- their e-mail (lower case) and their phone (its last 9 digits, `+33 6…` = `06…`).

See docs/network-identity.md for why this reveals nothing without the secret.
"""

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from django.conf import settings
from django.db import transaction

from .common import name_key
from .models import IdentityKey, IdentityKind, NetworkPerson, Person

# The label of the derivation from SECRET_KEY: another label than any other derived secret
# (import keys, report salts), so that no two uses share a key.
DERIVATION_LABEL = b"maillage.pathways.identity-key.v1"
UNKNOWN_YEAR = "?"
# The birth years a probe without one is looked up under (besides "unknown").
OLDEST_BIRTH_YEAR = 1900


@lru_cache(maxsize=4)
def _secret(configured: str, secret_key: str) -> bytes:
    if configured:
        return configured.encode()
    return hmac.new(secret_key.encode(), DERIVATION_LABEL, hashlib.sha256).digest()


def identity_secret() -> bytes:
    """The `IDENTITY_KEY` setting, else an HMAC of SECRET_KEY with a label of its own.
    Changing it (or SECRET_KEY without it) makes every stored key stale: run
    `manage.py rebuild_identity_keys` after."""
    return _secret(getattr(settings, "IDENTITY_KEY", ""), settings.SECRET_KEY)


@lru_cache(maxsize=4)
def _keyed_hash(secret: bytes):
    """An HMAC-SHA256 under `secret` with nothing fed yet: copying it skips deriving the key's
    pads again for each of the ~20 keys of a person (bulk loads, `rebuild_identity_keys`)."""
    return hmac.new(secret, digestmod=hashlib.sha256)


def _key(secret: bytes, kind: str, text: str) -> int:
    mac = _keyed_hash(secret).copy()
    mac.update(f"{kind}|{text}".encode())
    return int.from_bytes(mac.digest()[:8], "big", signed=True)


def deletion_neighbourhood(text: str) -> set[str]:
    """`text` and every string made of it by deleting one character."""
    return {text} | {text[:i] + text[i + 1 :] for i in range(len(text))}


_NOT_DIGIT = re.compile(r"\D")


def phone_digits(phone: str) -> str:
    """The significant digits of a French phone number: +33 6 12… and 06 12… compare equal."""
    digits = _NOT_DIGIT.sub("", phone or "")
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def _year(year: int | None) -> str:
    return str(year) if year else UNKNOWN_YEAR


def phone_tail(digits: str) -> str:
    """The last 9 significant digits of a phone number (from `phone_digits`), "" if too short."""
    return digits[-9:] if len(digits) >= 6 else ""


def keys_of(
    *, first_name: str, last_name: str, birth_year: int | None, email: str = "", phone: str = ""
) -> list[tuple[str, int]]:
    """[(kind, key)] stored for a person."""
    secret = identity_secret()
    keys: dict[int, str] = {}
    name = name_key(first_name, last_name)
    if name:
        year = _year(birth_year)
        for variant in deletion_neighbourhood(name):
            keys[_key(secret, IdentityKind.NAME, f"{year}|{variant}")] = IdentityKind.NAME
    email = (email or "").strip().lower()
    if email:
        keys[_key(secret, IdentityKind.EMAIL, email)] = IdentityKind.EMAIL
    tail = phone_tail(phone_digits(phone))
    if tail:
        keys[_key(secret, IdentityKind.PHONE, tail)] = IdentityKind.PHONE
    return [(kind, key) for key, kind in keys.items()]


def probe_keys(
    *, first_name: str, last_name: str, birth_year: int | None, email: str = "", phone: str = ""
) -> set[int]:
    """The keys to look up for a person about to be recorded: every name variant, in both
    orders, under their birth year and "unknown" (or, without a birth year, under every year),
    their e-mail and phone."""
    secret = identity_secret()
    variants: set[str] = set()
    for name in {name_key(first_name, last_name), name_key(last_name, first_name)}:
        if name:
            variants |= deletion_neighbourhood(name)
    if birth_year:
        years = [_year(birth_year), UNKNOWN_YEAR]
    else:
        years = [UNKNOWN_YEAR] + [str(y) for y in range(OLDEST_BIRTH_YEAR, date.today().year + 1)]
    keys = {
        _key(secret, IdentityKind.NAME, f"{year}|{variant}")
        for year in years
        for variant in variants
    }
    email = (email or "").strip().lower()
    if email:
        keys.add(_key(secret, IdentityKind.EMAIL, email))
    tail = phone_tail(phone_digits(phone))
    if tail:
        keys.add(_key(secret, IdentityKind.PHONE, tail))
    return keys


def human_of(
    *, first_name: str, last_name: str, birth_date: date | None, secret: bytes | None = None
) -> int | None:
    """The statistical person-group of an identity (`NetworkPerson.human`): the same for the
    same normalised name, in either order, and the same full birth date; None without a name
    or a full birth date (the record is then its own human). Negative, so that it never equals
    a person id (a record without a group counts as its id). No typo tolerance, no e-mail or
    phone: see docs/network-identity.md, "Statistics"."""
    names = sorted(n for n in {name_key(first_name, last_name), name_key(last_name, first_name)})
    if not birth_date or not names or not names[0]:
        return None
    text = f"{names[0]}|{birth_date.isoformat()}"
    value = _key(secret or identity_secret(), "human", text)
    return -(value & 0x3FFF_FFFF_FFFF_FFFF) - 1


def identified(person: Person) -> bool:
    return person.anonymised_at is None and person.merged_into_id is None


def key_rows(person: Person) -> list[IdentityKey]:
    if not identified(person):
        return []
    return [
        IdentityKey(person_id=person.pk, kind=kind, key=key)
        for kind, key in keys_of(
            first_name=person.first_name,
            last_name=person.last_name,
            birth_year=person.birth_year,
            email=person.email,
            phone=person.phone,
        )
    ]


def human_row(person: Person, secret: bytes | None = None) -> NetworkPerson | None:
    if not identified(person):
        return None
    human = human_of(
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date,
        secret=secret,
    )
    return NetworkPerson(person_id=person.pk, human=human) if human is not None else None


def _write_human(person: Person) -> None:
    row = human_row(person)
    if row is None:
        NetworkPerson.objects.filter(person_id=person.pk).delete()
    elif not NetworkPerson.objects.filter(person_id=person.pk, human=row.human).exists():
        # Only a real change is written: the reports recompute the person's rows on each write.
        NetworkPerson.objects.update_or_create(person_id=person.pk, defaults={"human": row.human})


@transaction.atomic
def refresh_keys(person: Person) -> None:
    """Write the person's keys and person-group again (after a creation, a change of
    identity, a merge); an erased or merged person keeps none."""
    IdentityKey.objects.filter(person_id=person.pk).delete()
    IdentityKey.objects.bulk_create(key_rows(person))
    _write_human(person)


def forget_keys(person: Person) -> None:
    """The person's keys and person-group go (erasure, the duplicate of a merge): the record
    is its own human from then on."""
    IdentityKey.objects.filter(person_id=person.pk).delete()
    NetworkPerson.objects.filter(person_id=person.pk).delete()


def rebuild_keys(persons: Iterable[Person] | None = None, *, batch_size: int = 2000) -> int:
    """Write the keys and person-groups of `persons` (every person by default) again, in
    batches; how many key rows."""
    if persons is None:
        persons = Person.objects.order_by("pk").only(
            "pk",
            "first_name",
            "last_name",
            "birth_year",
            "email",
            "phone",
            "birth_date",
            "anonymised_at",
            "merged_into",
        )
        IdentityKey.objects.all().delete()
        NetworkPerson.objects.all().delete()
        replace = False
    else:
        replace = True
    written = 0
    secret = identity_secret()
    batch: list[Person] = []

    def flush():
        nonlocal written
        rows = [row for person in batch for row in key_rows(person)]
        humans = [row for row in (human_row(person, secret) for person in batch) if row]
        if replace:
            IdentityKey.objects.filter(person_id__in=[p.pk for p in batch]).delete()
            NetworkPerson.objects.filter(person_id__in=[p.pk for p in batch]).delete()
        IdentityKey.objects.bulk_create(rows, batch_size=5000)
        NetworkPerson.objects.bulk_create(humans, batch_size=5000)
        written += len(rows)
        batch.clear()

    iterator = persons.iterator(chunk_size=batch_size) if hasattr(persons, "iterator") else persons
    for person in iterator:
        batch.append(person)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return written
