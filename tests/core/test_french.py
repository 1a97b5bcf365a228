"""French built from pieces: "de"/"à" before a name (issue 17, point 1).

Every translated sentence whose French puts "de" or "à" right before a name is listed from the
catalogue, rendered in French and English with names starting with a vowel, an h, "Le" and
"Les", and each place that builds it is checked to go through `core.french`.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext

from maillage.core.french import Named, contract, fill, with_names

ROOT = Path(settings.BASE_DIR)

# Placeholders that are not names: dates, numbers, sizes, file names.
NOT_NAMES = {
    "start",
    "end",
    "date",
    "count",
    "size",
    "limit",
    "compressed",
    "minutes",
    "previous_start",
    "previous_end",
    "file",
    "candidates",
    # A knowledge sheet's code (P-1, I-C-2-a) and a version number: identifiers read as such.
    "code",
    "number",
    # The bounds of an assessment criterion's scale (numbers).
    "low",
    "high",
    # A year, and an appraisal cursor's move and position (numbers).
    "year",
    "amount",
    "position",
}

# Built where this session may not edit (another helper's file): left as is, reported.
LEFT = {"Application to %(offer)s (%(status)s)": "maillage/pathways/persons/selectors.py"}


@pytest.mark.parametrize(
    ("preposition", "name", "expected"),
    [
        ("de", "Camille", "de Camille"),
        ("de", "Intermade", "d'Intermade"),
        ("de", "Aurélie", "d'Aurélie"),
        ("de", "Élodie", "d'Élodie"),
        ("de", "Hélène", "d'Hélène"),
        ("de", "une personne", "d'une personne"),
        ("de", "Le Tremplin", "du Tremplin"),
        ("de", "le site public", "du site public"),
        ("de", "Les Ateliers", "des Ateliers"),
        ("de", "La Ruche", "de La Ruche"),
        ("de", "Lespinasse", "de Lespinasse"),
        ("de", "Le", "de Le"),
        ("à", "Intermade", "à Intermade"),
        ("à", "Le Tremplin", "au Tremplin"),
        ("à", "Les Ateliers", "aux Ateliers"),
        ("à", "La Ciotat", "à La Ciotat"),
        ("que", "Intermade", "qu'Intermade"),
        ("que", "Le Tremplin", "que Le Tremplin"),
        ("que", "Place", "que Place"),
    ],
)
def test_contract(preposition, name, expected):
    assert contract(preposition, name) == expected


def name_sentences():
    """(msgid, French msgstr, the placeholders that follow "de"/"à") from the catalogue."""
    catalogue = polib.pofile(str(ROOT / "locale/fr/LC_MESSAGES/django.po"))
    found = []
    for entry in catalogue:
        names = [
            name
            for name in re.findall(r"(?<!\w)(?:de|à|De|À) %\((\w+)\)s", entry.msgstr)
            if name not in NOT_NAMES
        ]
        if names:
            found.append((entry.msgid, names))
    return found


SENTENCES = name_sentences()
NAMES = {
    "Intermade": ("d'Intermade", "à Intermade"),
    "Hélène Martin": ("d'Hélène Martin", "à Hélène Martin"),
    "Le Tremplin": ("du Tremplin", "au Tremplin"),
    "Les Ateliers": ("des Ateliers", "aux Ateliers"),
}


def test_the_list_is_not_empty():
    msgids = {msgid for msgid, _names in SENTENCES}
    assert {"Consent of %(name)s", "Referral from %(sender)s to %(receiver)s"} <= msgids
    assert len(SENTENCES) > 40


def placeholders(msgid):
    return re.findall(r"%\((\w+)\)s", msgid)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("msgid", "names"), SENTENCES, ids=[m[:40] for m, _n in SENTENCES])
def test_every_sentence_contracts_before_a_name(msgid, names, name):
    values = {key: (name if key in names else "X") for key in placeholders(msgid)}
    with translation.override("fr"):
        template = gettext(msgid)
        french = fill(template, **values)
    de, a = NAMES[name]
    for key in names:
        preposition = re.search(rf"(?<!\w)(de|à|De|À) %\({key}\)s", template).group(1).lower()
        assert (de if preposition == "de" else a) in french.replace("D'", "d'").replace(
            "Du ", "du "
        ), french
    assert not re.search(r"(?<!\w)(de (Intermade|Hélène)|(de|à) (Le|Les) )", french), french
    with translation.override("en"):
        english = fill(gettext(msgid), **values)
    assert name in english and "d'" not in english and " du " not in english


def test_the_template_filter_keeps_the_text_escaped():
    template = Template(
        "{% load i18n maillage %}{% with name=name %}{% blocktranslate asvar sentence %}"
        "Consent of {{ name }}{% endblocktranslate %}{{ sentence|with_names:name }}{% endwith %}"
    )
    with translation.override("fr"):
        assert template.render(Context({"name": "Aurélie <b>"})) == (
            "Consentement d&#x27;Aurélie &lt;b&gt;"
        )
        assert template.render(Context({"name": "Le Tremplin"})) == "Consentement du Tremplin"
    with translation.override("en"):
        assert template.render(Context({"name": "Aurélie"})) == "Consent of Aurélie"


def test_the_consent_of_the_contact_form_elides_que_before_a_vowel():
    from maillage.directory.contact_forms import consent_text

    with translation.override("fr"):
        assert consent_text("Intermade").startswith("J'accepte qu'Intermade conserve")
        assert consent_text("Place").startswith("J'accepte que Place conserve")
    with translation.override("en"):
        assert consent_text("Intermade").startswith("I agree that Intermade keeps")


@pytest.mark.parametrize(
    ("article", "french"),
    [
        ("le", "Listes du parcours du Réseau ESS, envoyées au Réseau ESS"),
        ("la", "Listes du parcours de la Réseau ESS, envoyées à la Réseau ESS"),
        ("l'", "Listes du parcours de l'Réseau ESS, envoyées à l'Réseau ESS"),
        ("les", "Listes du parcours des Réseau ESS, envoyées aux Réseau ESS"),
        ("", "Listes du parcours de Réseau ESS, envoyées à Réseau ESS"),
    ],
)
def test_a_name_that_takes_an_article_is_contracted_with_it(article, french):
    named = Named("Réseau ESS", article)
    with translation.override("fr"):
        assert (
            with_names("Listes du parcours de Réseau ESS, envoyées à Réseau ESS", named) == french
        )
    with translation.override("en"):
        assert with_names("Pathway lists of Réseau ESS", named) == "Pathway lists of Réseau ESS"


@pytest.mark.django_db
def test_a_networks_name_is_contracted_with_its_article_on_the_account_page(client):
    from tests.factories import NetworkFactory, NetworkRoleFactory

    network = NetworkFactory(name="Réseau des Calanques", name_article="le")
    role = NetworkRoleFactory(network=network)
    client.force_login(role.user)
    with translation.override("fr"):
        page = client.get("/compte/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "du Réseau des Calanques" in page and "de Réseau des Calanques" not in page


def test_a_name_inside_a_sentence_is_left_alone():
    with translation.override("fr"):
        assert with_names("Maison de Le Corbusier, de Intermade", "Intermade") == (
            "Maison de Le Corbusier, d'Intermade"
        )


def sources():
    for path in (ROOT / "maillage").rglob("*"):
        if path.suffix in (".html", ".txt", ".py"):
            yield path, path.read_text()


@pytest.mark.parametrize(("msgid", "names"), SENTENCES, ids=[m[:40] for m, _n in SENTENCES])
def test_every_place_building_the_sentence_contracts_it(msgid, names):
    in_template = re.sub(r"%\((\w+)\)s", r"{{ \1 }}", msgid)
    in_python = msgid[:35]
    places = []
    for path, text in sources():
        relative = str(path.relative_to(ROOT))
        if path.suffix == ".py" and in_python in text:
            places.append(relative)
            if relative in LEFT.values():
                continue
            assert "fill(" in text or "with_names(" in text, relative
        elif in_template in text:
            places.append(relative)
            filters = "".join(f"|with_names:{name}" for name in names)
            for block in re.findall(
                r"{% blocktranslate[^%]*%}" + re.escape(in_template) + r"{% endblocktranslate %}"
                r"(?:{{ [^}]*}})?",
                text,
            ):
                assert "asvar maillage_sentence" in block and filters in block, (relative, block)
    assert places, msgid
