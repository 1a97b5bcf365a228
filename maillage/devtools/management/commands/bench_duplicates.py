"""Time the duplicate check at a national scale, and its recall on planted duplicates
(issue 16; docs/benchmarks.md).

    manage.py bench_duplicates --people 50000 [--planted 500] [--seed 1] [--keep]
    manage.py bench_duplicates --people 50000 --national     (then again at 1,000,000 people)

Untimed: a structure of its own (in a network of its own), an advisor, `--people` persons it
accompanies, written in bulk with their network identity keys (the generator's bulk writer:
COPY on PostgreSQL). Names are built from syllables, so homonyms are about as rare as in a
real population; birth dates spread over 1940-2007. Timed: `probable_duplicates` as the page
calls it, once per planted probe: a person of the set written again with one typo (a letter
changed, missing or added), first and last names swapped, or both. Prints p50, p95 and the
slowest check, and the recall (planted persons found); exits with an error when one was
missed. With `--national`, the set then grows to 1,000,000 persons (`--national-people`) and
the check is timed again: the p95 and recall at both sizes. Everything it made is deleted
afterwards unless `--keep`.
"""

import datetime
import random
import time
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from maillage.accounts.models import StructureMembership, StructureRole, User
from maillage.devtools.benchmarks.duplicates import KINDS, time_probes
from maillage.devtools.generator_bulk import Table, reset_sequences, write_rows
from maillage.directory.models import Network, Structure
from maillage.pathways import identity
from maillage.pathways.common import name_key
from maillage.pathways.models import Accompaniment, IdentityKey, Person

FIRST = [
    "Camille",
    "Dominique",
    "Sacha",
    "Alex",
    "Claude",
    "Maël",
    "Inès",
    "Yanis",
    "Léa",
    "Hélène",
    "Jean",
    "Marie",
    "Paul",
    "Louise",
    "Fatima",
    "Mohamed",
    "Nathalie",
    "Sophie",
    "Karim",
    "Julie",
    "Thomas",
    "Nicolas",
    "Aïcha",
    "Chloé",
    "Lucas",
    "Emma",
    "Hugo",
    "Manon",
    "Sarah",
    "Mehdi",
    "Océane",
    "Théo",
    "Zoé",
    "Élodie",
    "Rachid",
    "Samia",
    "Olivier",
    "Pierre",
    "Anne",
    "Lina",
    "Adam",
    "Nora",
    "Yasmine",
    "Bruno",
    "Patrick",
    "Sylvie",
    "Isabelle",
    "Christophe",
    "Aurélie",
    "Cédric",
    "Mathieu",
    "Laura",
    "Kevin",
    "Amandine",
]
SYLLABLES = [
    "ma",
    "ri",
    "du",
    "ber",
    "nar",
    "fon",
    "tai",
    "ne",
    "rou",
    "gar",
    "ci",
    "a",
    "mo",
    "reau",
    "pe",
    "tit",
    "le",
    "fe",
    "vre",
    "gi",
    "rard",
    "bon",
    "net",
    "lam",
    "bert",
    "mer",
    "cier",
    "bou",
    "cher",
    "col",
    "lin",
    "vin",
    "cent",
    "fa",
    "bre",
    "che",
    "val",
    "ro",
    "bin",
    "ba",
    "rin",
    "ga",
    "bri",
    "el",
    "dou",
    "ka",
    "ben",
    "sa",
    "id",
    "tra",
    "ore",
    "ngu",
    "yen",
    "kha",
    "li",
]
CHUNK = 20_000


def _last_name(rng) -> str:
    name = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4))))
    return name.capitalize() if rng.random() > 0.1 else f"{name.capitalize()}-{rng.choice(FIRST)}"


class Command(BaseCommand):
    help = "Benchmark: p50/p95 of the duplicate check among N persons, recall on planted typos."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=50_000)
        parser.add_argument("--planted", type=int, default=500)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--keep", action="store_true", help="Keep what the bench made.")
        parser.add_argument(
            "--national",
            action="store_true",
            help="Then grow the set to --national-people persons and time the check again.",
        )
        parser.add_argument("--national-people", type=int, default=1_000_000)
        parser.add_argument(
            "--again",
            action="store_true",
            help="Time the check again over the set a run with --keep left (nothing written).",
        )

    def say(self, message: str) -> None:
        self.stdout.write(message)

    def handle(
        self, *args, people, planted, seed, keep, national, national_people, again, **options
    ):
        rng = random.Random(seed)  # noqa: S311 - fictional data
        if again:
            return self.time_again(planted, rng)
        sizes = [people] + ([national_people] if national and national_people > people else [])
        structure, user = self.setup()
        persons: list[tuple] = []
        missed = 0
        try:
            for size in sizes:
                started = time.perf_counter()
                persons += self.write_people(
                    size - len(persons), structure, user, rng, len(persons)
                )
                written = time.perf_counter() - started
                keys = IdentityKey.objects.filter(person__created_by_structure=structure).count()
                self.say(
                    f"bench_duplicates: {len(persons):,} persons, {keys:,} identity keys "
                    f"(written in {written:.1f} s), database {connection.vendor}"
                )
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE pathways_identitykey; ANALYZE pathways_person")
                missed += self.check_planted(persons, max(1, min(planted, size)), user, rng)
            if missed:
                raise CommandError(f"{missed} planted duplicates were not found.")
        finally:
            if not keep:
                self.clean(structure, user)

    # --- setup (untimed) --------------------------------------------------------------------

    def setup(self) -> tuple:
        tag = uuid.uuid4().hex[:8]
        network = Network.objects.create(name=f"Banc d'essai doublons {tag}", slug=f"banc-{tag}")
        structure = Structure.objects.create(
            name=f"Structure banc doublons {tag}",
            slug=f"banc-doublons-{tag}",
            legal_form_id="association",
            city="Marseille",
        )
        structure.networks.add(network)
        user = User.objects.create_user(email=f"banc-{tag}@exemple.test", password=None)
        StructureMembership.objects.create(
            user=user, structure=structure, role=StructureRole.ADVISOR
        )
        return structure, user

    def write_people(self, people: int, structure, user, rng, offset: int = 0) -> list[tuple]:
        """Persons, their accompaniment and their identity keys, in bulk; [(first, last,
        birth date)] in the order written."""
        tables = {
            "person": Table(Person),
            "accompaniment": Table(Accompaniment),
            "key": Table(IdentityKey),
        }
        now = timezone.now()
        started_on = datetime.date(2024, 1, 2)
        written = []
        for index in range(offset, offset + people):
            first, last = rng.choice(FIRST), _last_name(rng)
            born = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(68 * 365))
            pid = tables["person"].add(
                uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                first_name=first,
                last_name=last,
                birth_date=born,
                birth_year=born.year,
                gender="unknown",
                email=f"p{index}.{rng.getrandbits(32):x}@exemple.test",
                name_key=name_key(first, last),
                created_by_structure_id=structure.pk,
                created_at=now,
                updated_at=now,
            )
            tables["accompaniment"].add(
                person_id=pid, structure_id=structure.pk, started_on=started_on, created_at=now
            )
            for kind, key in identity.keys_of(
                first_name=first,
                last_name=last,
                birth_year=born.year,
                email=f"p{index}@exemple.test",
            ):
                tables["key"].add(person_id=pid, kind=kind, key=key)
            written.append((first, last, born))
            if (index + 1) % CHUNK == 0 or index + 1 == offset + people:
                with transaction.atomic(), connection.cursor() as cursor:
                    for table in tables.values():
                        write_rows(cursor, table)
                        table.rows = []
        reset_sequences(tables.values())
        return written

    def time_again(self, planted: int, rng) -> None:
        """Time the check over the persons of the last set kept by `--keep`, sampled anew."""
        structure = (
            Structure.objects.filter(slug__startswith="banc-doublons-").order_by("-pk").first()
        )
        if structure is None:
            raise CommandError("No kept set: run bench_duplicates with --keep first.")
        user = User.objects.get(structure_memberships__structure=structure)
        ids = list(
            Person.objects.filter(created_by_structure=structure).values_list("pk", flat=True)
        )
        chosen = rng.sample(ids, min(planted, len(ids)))
        persons = list(
            Person.objects.filter(pk__in=chosen).values_list(
                "first_name", "last_name", "birth_date"
            )
        )
        self.say(
            f"bench_duplicates --again: {len(ids):,} persons kept, database {connection.vendor}"
        )
        self.check_planted(persons, len(persons), user, rng)

    # --- timed ------------------------------------------------------------------------------

    def check_planted(self, persons: list[tuple], planted: int, user, rng) -> int:
        figures = time_probes(persons, planted, user, rng)
        self.say(
            f"duplicate check over {planted:,} planted probes ({', '.join(KINDS)}): "
            f"p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
            f"max {figures['max_ms']:.1f} ms"
        )
        found_count = figures["found"]
        self.say(f"recall: {found_count}/{planted} ({100 * found_count / planted:.1f}%)")
        if figures["missed"]:
            for line in figures["missed"][:10]:
                self.stderr.write(f"missed: {line}")
            raise CommandError(
                f"bench_duplicates: {len(figures['missed'])} planted duplicates missed"
            )
        return 0

    def clean(self, structure, user) -> None:
        with transaction.atomic():
            persons = Person.objects.filter(created_by_structure=structure)
            IdentityKey.objects.filter(person__in=persons).delete()
            Accompaniment.objects.filter(structure=structure).delete()
            persons.delete()
            networks = list(structure.networks.all())
            StructureMembership.objects.filter(structure=structure).delete()
            structure.delete()
            for network in networks:
                network.delete()
            user.delete()
