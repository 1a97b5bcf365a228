"""Dates for readers (issue 17, point 11): the person PDF and the CSV exports write dates and
times in the reader's language and the network's time zone, never as ISO timestamps."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from maillage.core.dates import readable_dates, spreadsheet_date
from maillage.pathways import export_pdf
from maillage.pathways.gdpr.services import person_data
from maillage.pathways.persons import services as person_services
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
# 07:30 UTC in July is 09:30 in Paris, the network's time zone.
SUMMER_MORNING = datetime.datetime(2026, 7, 4, 7, 30, tzinfo=ZoneInfo("UTC"))


def test_readable_dates_in_each_language():
    data = {"on": "2026-03-04", "at": SUMMER_MORNING.isoformat(), "text": "2026 étapes"}
    with translation.override("fr"):
        assert readable_dates(data) == {
            "on": "4 mars 2026",
            "at": "4 juillet 2026 09:30",
            "text": "2026 étapes",
        }
    with translation.override("en"):
        assert readable_dates([data])[0]["on"] == "March 4, 2026"
        assert readable_dates(data)["at"] == "July 4, 2026, 9:30 a.m."


def test_spreadsheet_dates_in_each_language():
    with translation.override("fr"):
        assert spreadsheet_date(datetime.date(2026, 3, 4)) == "04/03/2026"
        assert spreadsheet_date(SUMMER_MORNING) == "04/07/2026 09:30"
        assert spreadsheet_date(None) == ""
    with translation.override("en"):
        assert spreadsheet_date(datetime.date(2026, 3, 4)) == "03/04/2026"


def test_the_person_pdf_has_no_iso_timestamp(net):
    person = PersonFactory(accompanied_by=[net.intermade], birth_date=datetime.date(1987, 3, 4))
    person_services.add_note(
        person=person, structure=net.intermade, user=net.intermade_advisor, body="Premier contact"
    )
    with translation.override("fr"):
        html = export_pdf.render_html(person_data(person, net.intermade_advisor))
    assert "4 mars 1987" in html
    assert not ISO.search(html), ISO.findall(html)


def test_the_persons_csv_writes_dates_for_the_reader(net, login):
    PersonFactory(accompanied_by=[net.intermade], birth_date=datetime.date(1987, 3, 4))
    response = login(net.intermade_advisor).get(reverse("pathways:person_list_csv"))
    text = response.content.decode("utf-8-sig")
    assert "04/03/1987" in text
    assert not ISO.search(text)
