"""Files that would take the server down are refused, quickly and with the limits (issue 13).

The malformed files are built here, tiny; calamine never opens one without the guard of
`maillage.imports.limits` (the far-corner workbook aborts the process inside the Rust reader).
"""

import io
import json
import os
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from maillage.imports import readers
from maillage.imports.models import ImportRun
from tests.imports.engine import *  # noqa: F403 (fixtures: world, media)
from tests.imports.files import (
    csv_bytes,
    malformed_files,
    ods_trailing_blanks_bytes,
    raw_xlsx_bytes,
    unreferenced_cells_xlsx_bytes,
    wide_csv_bytes,
    write,
    zip_bomb_xlsx_bytes,
)

MALFORMED = malformed_files()
# The two refusals (the page speaks French, the command English): the reach, with the limits
# (rows, columns, cells), or the unzipped size.
REACH = re.compile(
    r"(au plus|at most) 500.000 (lignes|rows), 500 (colonnes|columns) (et|and) 5.000.000"
)
UNZIPPED = re.compile(r"(trop volumineux une fois décompressé|too large once uncompressed)")


@pytest.fixture(autouse=True)
def small_unzipped_limit(settings):
    """The zip bomb unzips to 16 MB here (quick to build): the limit goes below it."""
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 8 * 1024 * 1024


def says_why(name: str, message: str) -> bool:
    pattern = UNZIPPED if name.startswith("bombe") else REACH
    return bool(pattern.search(message.replace("\xa0", " ").replace("\u202f", " ")))


def no_stored_file(settings) -> bool:
    media = settings.MEDIA_ROOT
    return (
        not any(files for _root, _dirs, files in os.walk(media)) if os.path.isdir(media) else True
    )


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_file_is_refused_before_any_reader_allocates(tmp_path, name):
    path = write(tmp_path, name, MALFORMED[name])
    start = time.perf_counter()
    with pytest.raises(readers.FileRefused) as refused:
        readers.open_table(path)
    assert time.perf_counter() - start < 2
    assert says_why(name, refused.value.message)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_the_upload_page_refuses_a_malformed_file_with_the_limits(world, login, settings, name):
    advisor = login(world.advisor)
    advisor.get(reverse("imports:home"))  # the first request of the process loads the URLs
    upload = SimpleUploadedFile(name, MALFORMED[name])
    start = time.perf_counter()
    response = advisor.post(reverse("imports:home"), {"entity": "persons", "file": upload})
    assert time.perf_counter() - start < 2
    assert response.status_code == 400
    assert says_why(name, response.content.decode())
    assert not ImportRun.objects.exists()
    assert no_stored_file(settings)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_import_records_refuses_a_malformed_file_with_the_limits(world, tmp_path, settings, name):
    path = write(tmp_path, name, MALFORMED[name])
    out = io.StringIO()
    start = time.perf_counter()
    with pytest.raises(CommandError) as error:
        call_command(
            "import_records",
            str(path),
            structure=world.intermade.slug,
            entity="persons",
            report="json",
            stdout=out,
            stderr=io.StringIO(),
        )
    assert time.perf_counter() - start < 2
    assert error.value.returncode == 1
    report = json.loads(out.getvalue())
    assert report["status"] == "refused"
    assert says_why(name, report["errors"][0]["reason"])
    assert not ImportRun.objects.exists()
    assert no_stored_file(settings)


def test_check_import_limits_reports_time_and_memory_per_file_from_a_child(tmp_path):
    paths = [str(write(tmp_path, name, data)) for name, data in MALFORMED.items()]
    out = io.StringIO()
    call_command("check_import_limits", *paths, json=True, stdout=out)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(results) == len(MALFORMED)
    for result in results:
        assert result["refused"], result
        assert result["seconds"] < 2, result
        assert result["memory_mb"] < 200, result


def test_empty_cells_repeated_to_the_end_of_an_ods_sheet_are_not_a_bomb(tmp_path):
    """LibreOffice writes every sheet so: they reach nothing."""
    path = write(tmp_path, "personnes.ods", ods_trailing_blanks_bytes())
    with readers.open_table(path) as table:
        assert table.header == ["Nom", "Prénom"]
        assert [row.cells for row in table.rows] == [("Dupont", None)]


def test_cells_without_reference_are_placed_exactly(tmp_path):
    """A workbook whose cells have no `r` (some writers): read when within the limits, refused
    beyond, as the reader would place them."""
    path = write(tmp_path, "court.xlsx", unreferenced_cells_xlsx_bytes(2))
    with readers.open_table(path) as table:
        assert [row.cells for row in table.rows] == [(1, 1)]
    path = write(tmp_path, "large.xlsx", unreferenced_cells_xlsx_bytes(501))
    with pytest.raises(readers.FileRefused) as refused:
        readers.open_table(path)
    assert "2 lignes et 501 colonnes" in refused.value.message.replace("\xa0", " ")


def test_a_cell_hidden_below_the_last_row_is_found(tmp_path):
    """A cell whose reference points beyond the rows written is placed where it says."""
    body = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Prénom</t></is></c><c r="C900000"><v>1</v></c></row>'
    )
    path = write(tmp_path, "cache.xlsx", raw_xlsx_bytes(body))
    with pytest.raises(readers.FileRefused) as refused:
        readers.open_table(path)
    assert "900 000 lignes" in refused.value.message.replace("\xa0", " ").replace("\u202f", " ")


def test_a_part_that_inflates_beyond_what_the_zip_directory_says_is_refused(tmp_path):
    data = bytearray(zip_bomb_xlsx_bytes(2 * 1024 * 1024))
    # Make the sheet's sizes say 1,000 bytes, in its local header and in the directory.
    name = b"xl/worksheets/sheet1.xml"
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[start + offset : start + offset + 4] = (1000).to_bytes(4, "little")
            start += 4
    path = write(tmp_path, "menteur.xlsx", bytes(data))
    with pytest.raises(readers.FileRefused) as refused:
        readers.open_table(path)
    assert "endommagé" in refused.value.message or "ouvert" in refused.value.message


def test_a_csv_file_is_bounded_in_rows_and_cells_too(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 3
    path = write(tmp_path, "lignes.csv", csv_bytes([["Nom", "Prénom"], *[["a", "b"]] * 5]))
    with pytest.raises(readers.FileRefused) as refused, readers.open_table(path) as table:
        list(table.rows)
    assert "plus de 3 lignes" in refused.value.message
    settings.IMPORT_MAX_ROWS = 100
    settings.IMPORT_MAX_CELLS = 6
    with pytest.raises(readers.FileRefused) as refused, readers.open_table(path) as table:
        list(table.rows)
    assert "plus de 6 cellules" in refused.value.message


def test_the_columns_cap_follows_the_setting(tmp_path, settings):
    settings.IMPORT_MAX_COLUMNS = 1_000
    path = write(tmp_path, "large.csv", wide_csv_bytes(800))
    with readers.open_table(path) as table:
        assert len(table.header) == 800


def test_a_huge_header_cell_is_cut(tmp_path):
    """A 1 MB header cell would be written in every select of the mapping page."""
    path = write(tmp_path, "long.csv", csv_bytes([["Nom" * 300_000, "Prénom"], ["a", "b"]]))
    with readers.open_table(path) as table:
        assert [len(name) for name in table.header] == [100, 6]


def test_a_part_that_inflates_a_hundred_times_is_a_zip_bomb(tmp_path, settings):
    """Below the unzipped limit too: spreadsheets' XML compresses ten to twenty times."""
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
    path = write(tmp_path, "bombe.xlsx", zip_bomb_xlsx_bytes(4 * 1024 * 1024))
    with pytest.raises(readers.FileRefused) as refused:
        readers.open_table(path)
    assert "bien plus qu'un classeur" in refused.value.message
