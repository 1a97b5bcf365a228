"""A report is kept until a write is committed (`reporting/cache.py`, issue 18): a second reading
costs a lookup, and the figures are always those of the raw tables, even when the write was in
flight while the report was being computed."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from maillage.pathways.models import Act
from maillage.reporting import cache, tables
from maillage.reporting.api import report_data
from maillage.reporting.models import CachedReport, Change
from maillage.reporting.report import ReportFilters
from maillage.reporting.selectors import build_report

from .world import PERIOD, build_world

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="kept reports are a PostgreSQL feature"
)


def acts_of(report) -> int:
    return report_data(report)["indicators"]["acts"]["value"]


def one_structure(world):
    structure = world.structures[0]
    admin = world.admins[structure.slug]
    filters = ReportFilters(
        network=world.network, date_from=PERIOD[0], date_to=PERIOD[1], structure=structure
    )
    return admin, filters


def uncached(user, filters):
    with override_settings(REPORT_CACHE=False):
        return build_report(user=user, filters=filters)


@pytest.mark.django_db(transaction=True)
def test_a_second_reading_is_the_kept_report_until_a_write_is_committed():
    world = build_world(persons=12)
    admin, filters = one_structure(world)
    with CaptureQueriesContext(connection) as first:
        report = build_report(user=admin, filters=filters)
    with CaptureQueriesContext(connection) as second:
        again = build_report(user=admin, filters=filters)
    assert report_data(again) == report_data(report)
    assert len(first) > 10
    assert len(second) <= 3, [q["sql"][:80] for q in second.captured_queries]

    # A write by any means (here a queryset delete, no service) is seen at the next reading.
    act = Act.objects.filter(
        structure=filters.structure, occurred_on__range=PERIOD, participants__attended=True
    ).first()
    Act.objects.filter(pk=act.pk).delete()
    after = build_report(user=admin, filters=filters)
    assert acts_of(after) == acts_of(report) - 1
    assert report_data(after) == report_data(uncached(admin, filters))


def acts_on_page(html: str) -> str:
    row = html[html.index('id="indicator-acts"') :]
    return re.search(r'class="report-table__number report-value[^"]*"[^>]*>([^<]*)<', row)[1]


@pytest.mark.django_db(transaction=True)
def test_the_report_page_is_rendered_once_while_its_report_holds(client, monkeypatch):
    world = build_world(persons=12)
    admin, filters = one_structure(world)
    client.force_login(admin)
    url = (
        reverse("reporting:network", args=[world.network.slug])
        + "?"
        + urlencode({"structure": filters.structure.slug, "from": PERIOD[0], "to": PERIOD[1]})
    )
    first = client.get(url).content.decode()
    before = acts_on_page(first)
    assert before == str(acts_of(uncached(admin, filters)))

    def not_again(report):
        raise AssertionError("the results of a kept report were rendered again")

    def not_read(parts, build):
        raise AssertionError("the kept report was read again for results already rendered")

    monkeypatch.setattr(tables, "indicator_rows", not_again)
    monkeypatch.setattr(cache, "cached", not_read)
    second = client.get(url)
    assert second.status_code == 200 and acts_on_page(second.content.decode()) == before
    # The htmx update of the results is the same rendering.
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert acts_on_page(partial) == before and "<html" not in partial
    monkeypatch.undo()

    # A write committed since: the page shows the raw tables' figure, rendered anew.
    act = Act.objects.filter(
        structure=filters.structure, occurred_on__range=PERIOD, participants__attended=True
    ).first()
    Act.objects.filter(pk=act.pk).delete()
    assert acts_on_page(client.get(url).content.decode()) == str(int(before) - 1)


@pytest.mark.django_db(transaction=True)
def test_a_write_in_flight_while_the_report_is_computed_makes_it_stale_once_committed():
    world = build_world(persons=12)
    admin, filters = one_structure(world)
    act = Act.objects.filter(structure=filters.structure, occurred_on__range=PERIOD).first()
    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
    )
    try:
        # Another request started writing before the report and commits after it was kept:
        # its change is stamped before the report was made, yet the report never saw it.
        with other.cursor() as cursor:
            cursor.execute("DELETE FROM pathways_actparticipant WHERE act_id = %s", [act.pk])
            cursor.execute("DELETE FROM pathways_act WHERE id = %s", [act.pk])
        before = build_report(user=admin, filters=filters)
        assert CachedReport.objects.count() == 1
        other.commit()
    finally:
        other.close()
    after = build_report(user=admin, filters=filters)
    assert acts_of(after) == acts_of(before) - 1
    assert report_data(after) == report_data(uncached(admin, filters))


@pytest.mark.django_db
def test_every_table_the_reports_read_records_its_writes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'reporting_note_change'"
        )
        triggered = {row[0] for row in cursor.fetchall()}
    tables = set(cache.source_tables())
    assert {"pathways_act", "pathways_application", "pathways_referral"} <= tables
    assert {"directory_structure", "directory_offer", "pathways_outcome"} <= tables
    assert tables == triggered
    # A page that only reads a person (its access log) does not drop every kept report.
    assert "pathways_personaccess" not in triggered


@pytest.mark.django_db
def test_a_transaction_that_wrote_reads_its_own_figures_not_a_kept_report():
    world = build_world(persons=8)
    admin, filters = one_structure(world)
    report = build_report(user=admin, filters=filters)
    Act.objects.filter(structure=filters.structure, occurred_on__range=PERIOD).first().delete()
    assert acts_of(build_report(user=admin, filters=filters)) == acts_of(report) - 1
    assert not CachedReport.objects.exists()


@pytest.mark.django_db
def test_pruning_forgets_expired_reports_and_old_changes():
    now = timezone.now()
    old = CachedReport.objects.create(key="a" * 64, snapshot="1:1:", payload=b"x")
    CachedReport.objects.filter(pk=old.pk).update(created_at=now - timedelta(hours=2))
    recent = CachedReport.objects.create(key="b" * 64, snapshot="1:1:", payload=b"x")
    Change.objects.create(xid=1, at=now - timedelta(days=2))
    Change.objects.create(xid=2, at=now - timedelta(hours=2))
    assert cache.prune(now) == {"reports": 1, "changes": 1}
    assert list(CachedReport.objects.all()) == [recent]
    # (A flush of a transactional test may leave a recent change of its own: not these.)
    assert list(Change.objects.filter(xid__in=[1, 2]).values_list("xid", flat=True)) == [2]
