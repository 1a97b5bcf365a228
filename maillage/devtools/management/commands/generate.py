"""`manage.py generate --scale {tiny,demo,regional,national} --seed N [--today DAY]`.

The bulk scales (regional, national) commit batch by batch with their progress: run the same
command again after an interruption and it resumes where it stopped.
"""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from maillage.devtools.generator import SCALES, generate


class Command(BaseCommand):
    help = (
        "Generate fictional people and their pathways (referrals, applications, acts, outcomes) "
        "in a network; the same seed and reference day give the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="tiny")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--network",
            dest="network_slug",
            default=None,
            help="Slug of the network to fill (default: the demo network for 'demo', "
            "a network of the generator's own otherwise).",
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="Reference day (YYYY-MM-DD), default today: everything happens before it.",
        )
        parser.add_argument(
            "--persons", type=int, default=None, help="Override the scale's number of persons."
        )

    def handle(self, *args, scale, seed, network_slug, today, persons, **options):
        overrides = {"persons": persons} if persons else {}
        started = time.perf_counter()
        try:
            counts = generate(
                scale=scale, seed=seed, today=today, network_slug=network_slug, **overrides
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{value} {name}" for name, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Generated in {elapsed:.1f} s: {summary}."))
