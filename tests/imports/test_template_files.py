"""The template files an advisor downloads: their headers are recognised by the import, their
example row reads back, and the XLSX explains every column."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from maillage.imports.entities import ENTITIES
from maillage.imports.mapping import auto_mapping, known_headers
from maillage.imports.readers import open_table
from tests.factories import (
    NetworkFactory,
    StructureFactory,
    StructureMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def advisor(db):
    structure = StructureFactory(name="Intermade", networks=[NetworkFactory()])
    return StructureMembershipFactory(structure=structure).user


def _download(login, advisor, entity, file_format):
    response = login(advisor).get(
        reverse("imports:template_file", kwargs={"entity": entity, "file_format": file_format})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return response


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_the_xlsx_template_has_every_field_recognised_and_a_help_sheet(
    login, advisor, entity, tmp_path
):
    response = _download(login, advisor, entity, "xlsx")
    path = tmp_path / f"{entity}.xlsx"
    path.write_bytes(response.content)
    workbook = openpyxl.load_workbook(path)
    data, help_sheet = workbook.worksheets
    header = [cell.value for cell in data[1]]
    # Every column of the template is mapped to its own field, without any correction.
    mapping = auto_mapping(entity, header)
    assert set(mapping) == {spec.code for spec in ENTITIES[entity].fields}
    assert data.max_row == 2  # the header and one example row
    # The help sheet has a row per column (after the row about the whole file).
    explained = [row[0].value for row in help_sheet.iter_rows(min_row=3)]
    assert explained == header
    # The import reads the template's header back as the header row.
    table = open_table(path, known_headers=known_headers(entity))
    assert table.header == header
    assert len(list(table.rows)) == 1


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_the_csv_template_has_the_same_header_and_an_example_row(login, advisor, entity):
    response = _download(login, advisor, entity, "csv")
    text = response.content.decode("utf-8-sig")
    header, example = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert set(auto_mapping(entity, header)) == {spec.code for spec in ENTITIES[entity].fields}
    assert len(example) == len(header)


def test_the_acts_template_shows_french_headers_and_accepted_act_types(login, advisor, tmp_path):
    response = _download(login, advisor, "acts", "xlsx")
    path = tmp_path / "acts.xlsx"
    path.write_bytes(response.content)
    workbook = openpyxl.load_workbook(path)
    data, help_sheet = workbook.worksheets
    header = [cell.value for cell in data[1]]
    assert {"N° dossier", "Type d'acte", "Date du RDV", "Durée"} <= set(header)
    example = dict(zip(header, [cell.value for cell in data[2]], strict=True))
    assert example["Durée"] == "1h30"
    help_by_column = {row[0].value: row for row in help_sheet.iter_rows(min_row=2)}
    assert help_by_column["Type d'acte"][1].value == "oui"
    assert "Entretien individuel" in help_by_column["Type d'acte"][3].value


def test_an_unknown_entity_or_format_is_a_404_and_an_outsider_gets_a_403(login, advisor):
    client = login(advisor)
    for entity, file_format in [("unknown", "xlsx"), ("acts", "pdf")]:
        url = reverse(
            "imports:template_file", kwargs={"entity": entity, "file_format": file_format}
        )
        assert client.get(url).status_code == 404
    url = reverse("imports:template_file", kwargs={"entity": "acts", "file_format": "xlsx"})
    assert login(UserFactory()).get(url).status_code == 403
