"""Server time of the pages a person uses daily, on the database at hand (issue 18).

Each page is asked through Django's test client (the whole request handler: middleware,
view, templates, compression), logged in as an advisor of the largest structure of the
generated network, after a warm-up: median, p95 and the number of SQL queries. This is the
time one request costs the server, without HTTP or concurrency (the load bench measures those);
with 3 workers on 2 cores, a p95 under 200 ms at 10 clients asks for about 40 ms here.

    manage.py bench_pages [--runs 20]

Reading a person's record is logged (PersonAccess): the run adds those rows to the database.
"""

import os
import statistics
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maillage.accounts.models import User
from maillage.devtools.generator import GENERATED_DOMAIN
from maillage.directory.models import Network, Offer, Structure
from maillage.pathways.models import ActParticipant, Person
from maillage.pathways.visibility import persons_visible_to

from . import BenchFailed


def _advisor_and_structure():
    """An advisor of the generated structure with the most accompanied persons."""
    structure = (
        Structure.objects.filter(
            memberships__user__email__endswith=f"@{GENERATED_DOMAIN}",
        )
        .annotate(followed=Count("accompaniments", distinct=True))
        .order_by("-followed", "pk")
        .first()
    )
    if structure is None:
        raise BenchFailed("no generated network here: run manage.py generate first")
    advisor = (
        User.objects.filter(
            email__endswith=f"@{GENERATED_DOMAIN}",
            structure_memberships__structure=structure,
            structure_memberships__role="advisor",
            is_active=True,
        )
        .order_by("pk")
        .first()
    )
    return advisor, structure


def _long_history(advisor) -> Person:
    """The person the advisor sees with the most acts."""
    visible = persons_visible_to(advisor).values("pk")
    top = (
        ActParticipant.objects.filter(person_id__in=visible)
        .values("person_id")
        .annotate(acts=Count("pk"))
        .order_by("-acts", "person_id")
        .first()
    )
    return Person.objects.get(pk=top["person_id"])


def daily_urls(advisor, structure) -> dict[str, str]:
    person = _long_history(advisor)
    network = structure.networks.order_by("pk").first() or Network.objects.order_by("pk").first()
    offer = Offer.objects.filter(structure=structure).order_by("pk").first()
    return {
        "advisor home": reverse("pathways:home"),
        "person list": reverse("pathways:person_list"),
        "person page": reverse("pathways:person_detail", kwargs={"uuid": person.uuid}),
        "referral inbox": reverse("pathways:referral_inbox"),
        "offer page": reverse(
            "directory:offer", kwargs={"slug": structure.slug, "offer_slug": offer.slug}
        ),
        "pathway map": reverse("directory:map", kwargs={"slug": network.slug}),
        "API persons": reverse("api:person-list"),
    }


def _backend_cpu_reader():
    """A function giving the CPU seconds used so far by this connection's PostgreSQL backend,
    when the server runs on this machine and /proc may be read (else None). With the Python
    process's own CPU time, it gives the server's work per request whatever the load of the
    machine (wall times on a shared machine measure the neighbours too)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    path = Path(f"/proc/{pid}/stat")
    tick = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        fields = path.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime

    try:
        read()
    except OSError:
        return None
    return read


def _p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[max(0, round(len(ordered) * 0.95) - 1)]


def measure(*, runs: int = 20, warmup: int = 3) -> dict:
    """{"advisor", "structure", "persons_seen", "persons_in_database", "pages": {label: {url,
    median_ms, p95_ms, cpu_median_ms (the server's CPU per request: Python, plus the PostgreSQL
    backend when it runs here: `cpu_measures`), queries, gzip (Content-Encoding), bytes}}}."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    advisor, structure = _advisor_and_structure()
    client = Client(headers={"accept-encoding": "gzip"})
    client.force_login(advisor)
    results = {}
    for label, url in daily_urls(advisor, structure).items():
        print(f"[bench_pages] {label}: {url}", file=sys.stderr)
        for _ in range(warmup):
            response = client.get(url)
            if response.status_code != 200:
                raise BenchFailed(f"{url} answered HTTP {response.status_code}")
        timings, cpu = [], []
        backend_cpu = _backend_cpu_reader()
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                database_before = backend_cpu() if backend_cpu else 0.0
                cpu_before = time.process_time()
                begin = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - begin) * 1000)
                used = time.process_time() - cpu_before
                used += (backend_cpu() - database_before) if backend_cpu else 0.0
                cpu.append(used * 1000)
        results[label] = {
            "url": url,
            "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(_p95(timings), 1),
            "cpu_median_ms": round(statistics.median(cpu), 1),
            "cpu_measures": "python+postgresql" if backend_cpu else "python",
            "queries": len(queries),
            "gzip": response.get("Content-Encoding", ""),
            "bytes": len(response.content),
        }
    return {
        "advisor": advisor.email,
        "structure": structure.name,
        "persons_seen": persons_visible_to(advisor).count(),
        "persons_in_database": Person.objects.count(),
        "pages": results,
    }
