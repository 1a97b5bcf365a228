"""Benchmark of the public pathway map: fill a large directory and time the page on the server.

    make bench            (a throwaway SQLite database in var/bench.sqlite3)
    manage.py bench_directory --structures 500 --offers 5000 --runs 20

Prints the fill time, then the server time of the map page (median, p90, max over the runs,
measured around Django's request handler, templates included) and its number of SQL queries.
The benchmark network is removed afterwards unless --keep is given.
"""

import datetime
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maillage.core.text import normalise
from maillage.directory.models import (
    Audience,
    Network,
    Offer,
    OfferFormat,
    OfferSession,
    Stage,
    Structure,
)

SLUG = "banc-d-essai"


class Command(BaseCommand):
    help = "Fill a large directory and print the server time of the pathway map page."

    def add_arguments(self, parser):
        parser.add_argument("--structures", type=int, default=500)
        parser.add_argument("--offers", type=int, default=5000)
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--keep", action="store_true", help="keep the benchmark network")

    def handle(self, *args, structures, offers, runs, keep, **options):
        self.remove()
        started = time.perf_counter()
        network = self.fill(structures, offers)
        self.stdout.write(
            f"Filled {structures} structures, {offers} offers and {offers} sessions "
            f"on {connection.vendor} in {time.perf_counter() - started:.1f} s"
        )
        # The test client calls itself "testserver": let this process answer it.
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        client = Client()
        for label, query in (("map", ""), ("map, filtered", "?audience=jeunes&free=on")):
            url = reverse("directory:map", args=[network.slug]) + query
            client.get(url)  # warm-up: template loading, caches
            timings = []
            for _ in range(runs):
                with CaptureQueriesContext(connection) as queries:
                    begin = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - begin) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered HTTP {response.status_code}")
            timings.sort()
            self.stdout.write(
                f"{label:<15} median {statistics.median(timings):7.1f} ms   "
                f"p90 {timings[int(len(timings) * 0.9) - 1]:7.1f} ms   "
                f"max {timings[-1]:7.1f} ms   {len(queries)} queries   "
                f"{len(response.content) // 1024} KiB"
            )
        if not keep:
            self.remove()

    def remove(self):
        with transaction.atomic():
            Structure.objects.filter(slug__startswith=f"{SLUG}-").delete()
            Network.objects.filter(slug=SLUG).delete()

    @transaction.atomic
    def fill(self, structure_count: int, offer_count: int) -> Network:
        network = Network.objects.create(name="Banc d'essai", slug=SLUG)
        stages = Stage.objects.bulk_create(
            Stage(network=network, position=i, name=f"Étape {i}", slug=f"etape-{i}")
            for i in range(1, 7)
        )
        structures = Structure.objects.bulk_create(
            Structure(
                name=f"Structure {i}",
                slug=f"{SLUG}-{i}",
                legal_form_id="association",
                city="Marseille",
                search_text=normalise(f"Structure {i} Marseille"),
            )
            for i in range(structure_count)
        )
        Structure.networks.through.objects.bulk_create(
            Structure.networks.through(structure_id=s.pk, network_id=network.pk) for s in structures
        )
        formats = list(OfferFormat.objects.all())
        offers = Offer.objects.bulk_create(
            Offer(
                structure=structures[i % structure_count],
                title=f"Programme {i}",
                slug=f"programme-{i}",
                summary="Un accompagnement collectif pour avancer sur son projet.",
                format=formats[i % len(formats)],
                duration="3 journées",
                capacity=10,
                is_free=i % 3 != 0,
                search_text=f"programme {i}",
            )
            for i in range(offer_count)
        )
        Offer.stages.through.objects.bulk_create(
            Offer.stages.through(offer_id=o.pk, stage_id=stages[i % len(stages)].pk)
            for i, o in enumerate(offers)
        )
        audiences = list(Audience.objects.all())
        Offer.audiences.through.objects.bulk_create(
            Offer.audiences.through(offer_id=o.pk, audience_id=audiences[i % len(audiences)].pk)
            for i, o in enumerate(offers)
        )
        today = timezone.localdate()
        OfferSession.objects.bulk_create(
            OfferSession(
                offer=o,
                starts_on=today + datetime.timedelta(days=i % 120),
                ends_on=today + datetime.timedelta(days=i % 120 + 2),
                capacity=10,
            )
            for i, o in enumerate(offers)
        )
        return network
