"""The binder PDF (read back with pypdf) and the Markdown import/export."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from maillage.core.demos import Demo
from maillage.knowledge import demo as knowledge_demo
from maillage.knowledge import transfer
from maillage.knowledge.models import BrokenReference, Family, Sheet, SheetLink
from tests.factories import NetworkFactory, StructureFactory
from tests.knowledge.factories import circle

pytestmark = pytest.mark.django_db


def demo_family():
    """The shipped demo family, on a small network with APEAS and Intermade and their people."""
    from maillage.accounts.demo import load_demo_accounts

    network = NetworkFactory(slug="demo-reseau")
    StructureFactory(slug="apeas", name="APEAS", networks=[network])
    StructureFactory(slug="intermade", name="Intermade", networks=[network])
    load_demo_accounts(network)
    knowledge_demo.load_demo(Demo(network=network))
    knowledge_demo.load_demo(Demo(network=network))  # idempotent
    return Family.objects.get(network=network, slug=knowledge_demo.FAMILY_SLUG)


def test_binder_of_the_demo_family_has_a_toc_and_page_numbered_cross_references(client):
    family = demo_family()
    response = client.get(
        reverse("knowledge:binder", kwargs={"network": family.network.slug, "family": family.slug})
    )
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    pages = [page.extract_text() for page in reader.pages]
    assert "Nos pratiques communes" in pages[0]  # the cover
    toc = pages[1]
    assert "Table des matières" in toc
    # The public reads the two validated sheets, each listed with the page it starts on.
    starts = {}
    for code in ("P-1", "P-2"):
        number = int(re.search(rf"{code} [^\n]*?(\d+)\s*$", toc, re.M).group(1))
        assert code in pages[number - 1].split("\n", 3)[0] + pages[number - 1]
        starts[code] = number
    assert "P-3" not in toc  # still a draft
    # P-2 cites P-1: the reference is followed by P-1's page number; the status and date shown.
    p2 = pages[starts["P-2"] - 1]
    assert f"P-1 (p. {starts['P-1']})" in p2
    assert "Validée" in p2


def test_export_then_import_elsewhere_then_export_again_gives_the_same_files():
    family = demo_family()
    files, blobs = transfer.read_zip(transfer.export_zip(family))
    assert sorted(files) == ["P-1.md", "P-2.md", "P-3.md"]
    assert files["P-2.md"].startswith("---\ncode: P-2\ntitle: Réorienter")
    # P-1 is about APEAS and carries a file, in the folder named by its code.
    assert "structures:\n- apeas\n" in files["P-1.md"]
    assert "attachments:\n- trame-premier-accueil.md\n" in files["P-1.md"]
    assert sorted(blobs) == ["P-1/trame-premier-accueil.md"]
    c = circle()
    c.family.slug = family.slug
    c.family.code_pattern = family.code_pattern
    c.family.save()
    slug = c.author_structure.slug
    files = {
        name: text.replace("structure: apeas", f"structure: {slug}").replace(
            "- apeas\n", f"- {slug}\n"
        )
        for name, text in files.items()
    }
    report = transfer.import_files(
        network=c.network, user=c.coordinator, files=files, blobs=blobs, dry_run=False
    )
    assert report.errors == [], report.errors
    assert report.created == ["P-1", "P-2", "P-3"]
    again_files, again_blobs = transfer.read_zip(transfer.export_zip(c.family))
    assert again_files == files
    assert again_blobs == blobs
    # Importing the same files again changes nothing.
    report = transfer.import_files(
        network=c.network, user=c.coordinator, files=again_files, blobs=again_blobs, dry_run=False
    )
    assert report.unchanged == ["P-1", "P-2", "P-3"]
    assert Sheet.objects.get(network=c.network, code="P-1").attachments.count() == 1


FILE = (
    "---\ncode: {code}\ntitle: Fiche\nfamily: methodes\n"
    "links:\n- type: see-also\n  code: {link}\n---\nTexte {ref}\n"
)


def test_import_refuses_a_duplicate_code_and_a_missing_link_by_file_and_line_and_writes_nothing():
    c = circle()
    files = {
        "a.md": FILE.format(code="I-A-1", link="I-A-2", ref=""),
        "b.md": FILE.format(code="I-A-2", link="I-A-9", ref=""),
        "c.md": FILE.format(code="I-A-1", link="I-A-2", ref="\n\nVoir [[I-Z-1]]."),
    }
    files = {
        name: text.replace("structure: apeas", f"structure: {c.author_structure.slug}")
        for name, text in files.items()
    }
    report = transfer.import_files(
        network=c.network, user=c.coordinator, files=files, dry_run=False
    )
    errors = {(e.file, e.line, e.message) for e in report.errors}
    assert ("b.md", 7, "Lien vers un code absent : I-A-9.") in errors
    assert ("c.md", 2, "Le code I-A-1 est déjà utilisé par a.md.") in errors
    assert ("c.md", 11, "Référence à un code absent : I-Z-1.") in errors
    assert not Sheet.objects.filter(network=c.network).exists()


def test_a_dry_run_changes_nothing_and_a_real_run_writes_links_both_ways():
    c = circle()
    files = {
        "a.md": FILE.format(code="I-A-1", link="I-A-2", ref=""),
        "b.md": FILE.format(code="I-A-2", link="I-A-1", ref="[[I-A-1]]"),
    }
    report = transfer.import_files(network=c.network, user=c.coordinator, files=files)
    assert report.ok and report.created == ["I-A-1", "I-A-2"]
    assert not Sheet.objects.exists()
    transfer.import_files(network=c.network, user=c.coordinator, files=files, dry_run=False)
    assert SheetLink.objects.filter(target__code="I-A-1").count() == 2  # typed and from the text
    assert not BrokenReference.objects.exists()


def test_import_page_is_for_coordinators(login):
    c = circle()
    url = reverse("knowledge:import", kwargs={"network": c.network.slug})
    assert login(c.author).get(url).status_code == 403
    archive = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("x.md", FILE.format(code="I-A-1", link="I-A-9", ref=""))
    archive.seek(0)
    archive.name = "fiches.zip"
    page = login(c.coordinator).post(url, {"archive": archive, "dry_run": "on"}).content.decode()
    assert "x.md" in page and "I-A-9" in page


def test_graph_lists_the_links_in_a_table_beside_the_svg(client):
    family = demo_family()
    page = client.get(
        reverse("knowledge:graph", kwargs={"network": family.network.slug, "family": family.slug})
    ).content.decode()
    assert "<svg" in page
    assert "<td>P-2</td><td>Prolonge</td><td>P-1</td>" in page
    assert "P-3" not in page
