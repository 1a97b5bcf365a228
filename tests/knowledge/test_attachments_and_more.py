"""Attachments, what a sheet is about, the network's referential pages, the binder as one HTML
page (and of chosen sheets), the open data of the public sheets."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.assessments.models import Instrument
from maillage.collab.models import WorkingGroup
from maillage.knowledge import selectors, services, transfer
from maillage.knowledge.models import Family, LinkType, Sheet
from tests.factories import NetworkFactory, OfferFactory, StageFactory
from tests.knowledge.factories import circle, sheet, validated_sheet

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%fake but starts right\n"


def url(s, name="sheet", **kwargs):
    return reverse(
        f"knowledge:{name}", kwargs={"network": s.network.slug, "code": s.code, **kwargs}
    )


def status(browser, path) -> int:
    return browser.get(path).status_code


def validate_latest(c, s):
    version = services.latest_version(s)
    services.propose_version(user=c.author, version=version)
    for reviewer in (c.reviewer, c.second_reviewer):
        services.review_version(user=reviewer, version=version, decision="validate")
    s.refresh_from_db()


# --- Attachments ---------------------------------------------------------------------------------


def test_a_file_goes_public_with_the_validated_version_that_carries_it(client, login):
    c = circle()
    s = validated_sheet(c, body="Texte v1.")
    # Uploaded by the web while the public reads version 1: it goes with the next version.
    page = login(c.author).post(
        url(s, "attachment_add"),
        {"file": _upload("grille.pdf", PDF)},
        follow=True,
    )
    assert "Fichier joint." in page.content.decode()
    attachment = s.attachments.get()
    assert attachment.added_in == 2
    download = url(s, "attachment", uuid=attachment.uuid)
    member = client.get(download)
    assert member.status_code == 200 and member.content == PDF
    assert member["Content-Disposition"] == 'attachment; filename="grille.pdf"'
    client.logout()
    assert status(client, download) == 404  # not in the validated version yet
    assert "grille.pdf" not in client.get(url(s)).content.decode()
    services.save_version(user=c.author, sheet=s, based_on=1, title=s.title, body="Texte v2.")
    validate_latest(c, s)
    assert status(client, download) == 200
    assert "grille.pdf" in client.get(url(s)).content.decode()


def test_a_draft_sheets_files_are_never_public(client, login):
    c = circle()
    s = sheet(c)
    attachment = services.add_attachment(user=c.author, sheet=s, name="note.txt", content=b"Hi")
    assert attachment.added_in == 1
    assert status(client, url(s, "attachment", uuid=attachment.uuid)) == 404
    assert status(login(c.reviewer), url(s, "attachment", uuid=attachment.uuid)) == 200


def test_a_removed_file_stays_with_the_validated_version_until_the_next_is_validated(client):
    c = circle()
    s = sheet(c)
    attachment = services.add_attachment(user=c.author, sheet=s, name="grille.pdf", content=PDF)
    validate_latest(c, s)
    download = url(s, "attachment", uuid=attachment.uuid)
    assert status(client, download) == 200
    services.remove_attachment(user=c.author, attachment=attachment)
    attachment.refresh_from_db()
    assert attachment.removed_in == 2
    assert status(client, download) == 200  # version 1 still carries it
    services.save_version(user=c.author, sheet=s, based_on=1, title=s.title, body="v2")
    validate_latest(c, s)
    assert status(client, download) == 404
    # Every version keeps what it carried.
    assert selectors.attachments_in(s, 1) == [attachment]
    assert selectors.attachments_in(s, 2) == []


def test_bad_files_are_refused_with_translated_errors(login, settings):
    settings.KNOWLEDGE_ATTACHMENT_MAX_BYTES = 100
    c = circle()
    s = sheet(c)
    browser = login(c.author)
    for name, content, message in (
        ("page.html", b"<script>alert(1)</script>", "Ce type de fichier n'est pas accepté"),
        ("grille.pdf", b"MZ\x90\x00 not a pdf", "ne correspond pas à son extension (.pdf)"),
        ("gros.txt", b"x" * 101, "Le fichier est trop gros (100\xa0octets au maximum)"),
        ("binaire.txt", b"\xff\xfe\x00", "doit être écrit en UTF-8"),
    ):
        page = html.unescape(
            browser.post(
                url(s, "attachment_add"), {"file": _upload(name, content)}, follow=True
            ).content.decode()
        )
        assert message in page, (name, page[page.find("messages") :][:500])
    assert not s.attachments.exists()
    # Colleagues of other structures may not attach files to the sheet.
    assert login(c.reviewer).post(url(s, "attachment_add"), {}).status_code == 403


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


# --- What a sheet is about -----------------------------------------------------------------------


def test_a_sheet_links_to_a_stage_structure_offer_instrument_and_working_group(client, login):
    c = circle()
    s = validated_sheet(c)
    stage = StageFactory(network=c.network, name="Émergence")
    offer = OfferFactory(structure=c.other, title="Permanence")
    instrument = Instrument.objects.create(code="ess-autodiagnostic", family="ess")
    group = WorkingGroup.objects.create(network=c.network, name="Accueil", is_public=True)
    page = (
        login(c.author)
        .post(
            url(s, "subjects"),
            {
                "stages": [stage.pk],
                "structures": [c.other.pk],
                "offers": [offer.pk],
                "instruments": [instrument.pk],
                "working_groups": [group.pk],
                "tags": "accueil",
                "review_by": "",
            },
            follow=True,
        )
        .content.decode()
    )
    for text in ("Émergence", c.other.name, "Permanence", "ess-autodiagnostic", "Accueil"):
        assert text in page
    assert reverse("collab:group", kwargs={"uuid": group.uuid}) in page
    # The list filters by stage and by structure.
    client.logout()
    listed = client.get(reverse("knowledge:index"), {"stage": stage.slug}).content.decode()
    assert f"{s.code} · " in listed
    listed = client.get(reverse("knowledge:index"), {"structure": c.third.slug}).content.decode()
    assert f"{s.code} · " not in listed
    # The API says it too.
    row = client.get(reverse("api:sheet-list")).json()["results"][0]
    assert (row["stages"], row["structures"]) == ([stage.slug], [c.other.slug])
    # And the front matter exports them.
    exported = transfer.export_files(c.family)[f"{s.code}.md"]
    assert f"stages:\n- {stage.slug}\n" in exported
    assert f"offers:\n- {c.other.slug}/{offer.slug}\n" in exported
    assert "instruments:\n- ess-autodiagnostic\n" in exported
    assert "working_groups:\n- Accueil\n" in exported


def test_objects_of_another_network_are_refused():
    c = circle()
    s = sheet(c)
    elsewhere = StageFactory(network=NetworkFactory())
    with pytest.raises(ValidationError) as error:
        services.set_sheet_subjects(user=c.author, sheet=s, stages=[elsewhere])
    assert "stages" in error.value.message_dict


def test_the_import_refuses_an_unknown_subject_or_a_missing_file_by_file_and_line():
    c = circle()
    files = {
        "I-A-1.md": "---\ncode: I-A-1\ntitle: Fiche\nfamily: methodes\n"
        "stages:\n- nulle-part\nattachments:\n- absent.pdf\n---\nTexte\n"
    }
    report = transfer.import_files(network=c.network, user=c.coordinator, files=files)
    assert [(e.file, e.line) for e in report.errors] == [("I-A-1.md", 6), ("I-A-1.md", 8)]
    assert "nulle-part" in report.errors[0].message
    assert "absent.pdf" in report.errors[1].message
    assert not Sheet.objects.filter(network=c.network).exists()


# --- The network's referential -------------------------------------------------------------------


def test_the_coordinator_manages_families_with_translated_errors(login):
    c = circle()
    browser = login(c.coordinator)
    create = reverse("knowledge:family_create", kwargs={"network": c.network.slug})
    data = {"name": "Dossiers", "slug": "dossiers", "quorum": 1, "position": 0}
    page = browser.post(create, {**data, "code_pattern": "D-(["}).content.decode()
    assert "pas une expression régulière valide" in page
    page = browser.post(create, {**data, "code_pattern": "[0-9]*"}).content.decode()
    assert "doit refuser un code vide" in page
    page = browser.post(create, {**data, "slug": "methodes", "code_pattern": "D-[0-9]+"})
    assert "Une autre famille de ce réseau a ce nom court" in page.content.decode()
    response = browser.post(create, {**data, "code_pattern": "D-[0-9]+", "is_public": ""})
    assert response.status_code == 302
    family = Family.objects.get(network=c.network, slug="dossiers")
    assert (family.quorum, family.is_public) == (1, False)
    # A pattern the family's sheets do not follow is refused.
    sheet(c, "I-A-1")
    edit = reverse(
        "knowledge:family_edit", kwargs={"network": c.network.slug, "family": "methodes"}
    )
    page = browser.post(
        edit, {"name": "Méthodes", "slug": "methodes", "quorum": 2, "code_pattern": "M-[0-9]+"}
    ).content.decode()
    assert "I-A-1" in page and "refuse" in page
    listing = browser.get(reverse("knowledge:referential", kwargs={"network": c.network.slug}))
    assert "Dossiers" in listing.content.decode()
    # Not for the network's advisors.
    assert login(c.author).get(create).status_code == 403


def test_the_coordinator_adds_and_renames_types_of_link(login):
    c = circle()
    sheet(c)  # the default types exist
    browser = login(c.coordinator)
    create = reverse("knowledge:link_type_create", kwargs={"network": c.network.slug})
    page = browser.post(create, {"code": "see-also", "label": "A", "inverse_label": "B"})
    assert "Un autre type de lien de ce réseau a ce code" in page.content.decode()
    browser.post(create, {"code": "outil-de", "label": "Outil de", "inverse_label": "Outillée par"})
    kind = LinkType.objects.get(network=c.network, code="outil-de")
    assert kind.inverse_label == "Outillée par"
    edit = reverse(
        "knowledge:link_type_edit", kwargs={"network": c.network.slug, "code": "outil-de"}
    )
    page = browser.post(edit, {"code": "autre", "label": "X", "inverse_label": "Y"})
    assert "ne peut pas changer" in page.content.decode()
    browser.post(edit, {"code": "outil-de", "label": "Outil pour", "inverse_label": "Outillée par"})
    kind.refresh_from_db()
    assert kind.label == "Outil pour"
    # The new type is used by the text: [[outil-de:CODE]] links with it, shown backwards.
    target = validated_sheet(c, "I-A-2")
    validated_sheet(c, "I-A-3", body="Voir [[outil-de:I-A-2]].")
    page = browser.get(url(target)).content.decode()
    assert "Outillée par" in page


# --- The binder as one page, of a family or of chosen sheets -----------------------------------


def test_the_binder_as_one_html_page_has_a_cover_contents_anchors_and_statuses(client):
    c = circle()
    validated_sheet(c, "I-A-1", title="Accueil")
    validated_sheet(c, "I-A-2", title="Orientation", body="Après [[I-A-1]].")
    page = client.get(
        reverse(
            "knowledge:binder_page", kwargs={"network": c.network.slug, "family": c.family.slug}
        )
    ).content.decode()
    assert "<h1>Fiches méthode</h1>" in page and c.network.name in page
    assert 'href="#sheet-I-A-1"' in page and 'id="sheet-I-A-1"' in page
    assert page.count("Version 1, Validée") == 2
    chosen = client.get(
        reverse("knowledge:chosen_binder", kwargs={"network": c.network.slug}),
        {"code": ["I-A-2"], "format": "html"},
    ).content.decode()
    assert "Orientation" in chosen and 'id="sheet-I-A-1"' not in chosen
    pdf = client.get(
        reverse("knowledge:chosen_binder", kwargs={"network": c.network.slug}),
        {"code": ["I-A-1", "I-A-2"]},
    )
    assert pdf["Content-Type"] == "application/pdf"


# --- Open data -----------------------------------------------------------------------------------


def test_the_open_data_lists_the_public_sheets_as_links(client):
    c = circle()
    validated_sheet(c, "I-A-1")
    validated_sheet(c, "I-A-2", is_public=False)
    sheet(c, "I-A-3")
    rows = client.get(reverse("knowledge:open_data")).content.decode().splitlines()
    assert rows[0] == "network,code,title,family,validated_on,url"
    assert [row.split(",")[1] for row in rows[1:]] == ["I-A-1"]
    assert rows[1].endswith(f"/fiches/{c.network.slug}/I-A-1/")


def test_the_structure_public_page_lists_the_public_sheets_about_it(client):
    c = circle()
    about = validated_sheet(c, "I-A-1", title="Accueil chez eux")
    draft = sheet(c, "I-A-2", title="Brouillon sur eux")
    for item in (about, draft):
        services.set_sheet_subjects(user=c.author, sheet=item, structures=[c.other])
    page = client.get(reverse("directory:structure", args=[c.other.slug])).content.decode()
    assert "Fiches à ce sujet" in page
    assert "I-A-1 · Accueil chez eux" in page and "Brouillon" not in page


def test_a_file_no_validated_version_carried_is_deleted_with_its_row(
    django_capture_on_commit_callbacks,
):
    c = circle()
    s = sheet(c)
    attachment = services.add_attachment(user=c.author, sheet=s, name="note.txt", content=b"Hi")
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_attachment(user=c.author, attachment=attachment)
    assert not s.attachments.exists() and not storage.exists(name)
