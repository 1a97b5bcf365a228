"""Four persons who reached Maillage through every channel, with their names in free texts.

- Zéphyrine Quillardet wrote from the public site (the "be contacted" form);
- Anatole Brévignon-Kerzaouen was recorded on the person creation page;
- Ombeline Vidracq was recorded through the REST API;
- Maël Ortoliani came in a spreadsheet import (and a second file, refused, named her again).

Each has a note, an act, and records of every kind whose texts spell them otherwise (upper case,
no accents, "LAST First", the phone formatted otherwise, the birth date as dd/mm/yyyy); the
four and Bob Marchand, who is not erased, share a collective act and a project. Notifications
are queued as background tasks (database backend). Used by test_erasure_everywhere and
test_personal_data_register; detection helpers are written independently of the code under
test (`maillage.core.text.normalise`, plain regular expressions).
"""

import datetime
import io
import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from maillage.accounts.rules import forget_roles
from maillage.core.text import normalise
from maillage.directory import contact_forms
from maillage.imports import services as import_services
from maillage.pathways.acts import services as act_services
from maillage.pathways.applications import services as application_services
from maillage.pathways.gdpr import merge
from maillage.pathways.gdpr import services as gdpr_services
from maillage.pathways.models import (
    ApplicationStatus,
    ConsentMethod,
    ConsentScope,
    DeclineReason,
    OutcomeType,
    Person,
)
from maillage.pathways.persons import services as person_services
from maillage.pathways.plans import services as plan_services
from maillage.pathways.referrals import services as referral_services
from tests.factories import StructureMembershipFactory, act_type
from tests.imports.files import csv_bytes, xlsx_bytes


@dataclass(frozen=True)
class Who:
    first: str
    last: str
    email: str
    phone: str
    birth: datetime.date

    @property
    def names(self) -> list[str]:
        words = [normalise(self.first), normalise(self.last)]
        words += [part for part in normalise(self.last).split() if len(part) > 2]
        return words

    def traces(self, text: str) -> list[str]:
        """The spellings of this person found in `text` (names and e-mail without accents or
        case, the phone in any grouping, the birth date as dd/mm/yyyy or ISO)."""
        if not text:
            return []
        flat = normalise(text)
        found = [name for name in self.names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", flat)]
        if normalise(self.email) in flat:
            found.append(self.email)
        digits = re.sub(r"\D", "", self.phone)
        national = digits if digits.startswith("0") else "0" + digits[2:]
        for variant in (national, "33" + national[1:]):
            separated = r"[\s.\-/()]{0,3}".join(variant)
            if re.search(rf"(?<!\d){separated}(?!\d)", text):
                found.append(f"phone {variant}")
        day, month, year = self.birth.day, self.birth.month, self.birth.year
        for form in (f"{day:02d} {month:02d} {year}", f"{year} {month:02d} {day:02d}"):
            if re.search(rf"(?<!\w){form}(?!\w)", flat):
                found.append(f"birth date {form}")
        return found


ZEPHYRINE = Who(
    "Zéphyrine",
    "Quillardet",
    "zephyrine.quillardet@exemple.test",
    "06 47 19 38 25",
    datetime.date(1987, 4, 9),
)
ANATOLE = Who(
    "Anatole",
    "Brévignon-Kerzaouen",
    "anatole.bk@exemple.test",
    "07.61.52.48.39",
    datetime.date(1979, 11, 23),
)
OMBELINE = Who(
    "Ombeline",
    "Vidracq",
    "ombeline.vidracq@exemple.test",
    "+33 6 83 27 19 46",
    datetime.date(1992, 2, 5),
)
MAEL = Who(
    "Maël",
    "Ortoliani",
    "mael.ortoliani@exemple.test",
    "06 98 76 54 32",
    datetime.date(1984, 3, 14),
)
EVERYONE = (ZEPHYRINE, ANATOLE, OMBELINE, MAEL)
BOB = "Bob Marchand"

IMPORT_HEADER = ["Nom", "Prénom", "Date de naissance", "Courriel", "Téléphone"]


def _by_public_form(client, net) -> Person:
    cache.clear()  # the form's rate limit
    who = ZEPHYRINE
    response = client.post(
        reverse("orientation:contact", kwargs={"slug": net.intermade.slug}),
        {
            "first_name": who.first,
            "last_name": who.last,
            "email": who.email,
            "phone": who.phone,
            "postal_code": "13001",
            "message": f"Bonjour, je suis {who.first.upper()} {who.last}, au 0647193825.",
            "consent": "on",
            "website": "",
            "form_token": contact_forms.form_token(now=time.time() - 10),
        },
    )
    assert response.status_code == 302, response.content
    referral = Person.objects.get(email=who.email).referrals.get()
    referral_services.record_first_meeting(
        referral=referral, user=net.intermade_advisor, met_on=timezone.localdate()
    )
    person = Person.objects.get(email=who.email)
    return person_services.update_person(
        person=person,
        user=net.intermade_advisor,
        expected_version=person.version,
        birth_date=who.birth,
    )


def _by_page(client, net) -> Person:
    who = ANATOLE
    client.force_login(net.intermade_advisor)
    response = client.post(
        reverse("pathways:person_create"),
        {
            "first_name": who.first,
            "last_name": who.last,
            "birth_date": who.birth.isoformat(),
            "gender": "male",
            "email": who.email,
            "phone": who.phone,
            "postal_code": "13002",
        },
    )
    assert response.status_code == 302, response.content
    client.logout()
    return Person.objects.get(email=who.email)


def _by_api(net) -> Person:
    who = OMBELINE
    api = APIClient()
    forget_roles(net.intermade_advisor)
    api.force_login(net.intermade_advisor)
    response = api.post(
        "/api/v1/persons/",
        {
            "first_name": who.first,
            "last_name": who.last,
            "birth_date": who.birth.isoformat(),
            "email": who.email,
            "phone": who.phone,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return Person.objects.get(email=who.email)


def _by_import(net):
    """(the person, the refused run): a persons file imported, then one refused."""
    who = MAEL
    row = [who.last.upper(), who.first, f"{who.birth:%d/%m/%Y}", who.email, who.phone]
    run = import_services.upload(
        structure=net.intermade,
        entity="persons",
        user=net.intermade_advisor,
        uploaded_file=SimpleUploadedFile(
            f"suivi-{who.last}-{who.first}.csv", csv_bytes([IMPORT_HEADER, row])
        ),
    )
    run = import_services.commit(run=run, user=net.intermade_advisor)
    assert run.status == "imported", run.errors
    # A second file, refused: the same person again (a probable duplicate) and a bad row.
    again = ["Ortoliany", "Mael", who.birth, "MAEL.ORTOLIANI@exemple.test", "0698765432"]
    wrong = ["Ortoliani", "Maël", "31/02/1984", "mael.ortoliani@", ""]
    refused = import_services.upload(
        structure=net.intermade,
        entity="persons",
        user=net.intermade_advisor,
        uploaded_file=SimpleUploadedFile(
            f"relance ORTOLIANI {who.first}.xlsx",
            xlsx_bytes({"Personnes": [IMPORT_HEADER, again, wrong]}),
        ),
    )
    refused = import_services.analyse(run=refused, user=net.intermade_advisor)
    assert refused.status == "refused" and refused.errors and refused.duplicates, (
        refused.status,
        refused.errors,
        refused.duplicates,
    )
    return Person.objects.get(email=who.email), refused


def _records(net, persons: dict, bob: Person) -> None:
    """Notes, acts, projects, referrals, applications, outcomes, plans naming them."""
    user = net.intermade_advisor
    zephyrine, anatole, ombeline, mael = (persons[who] for who in EVERYONE)
    for who, person in persons.items():
        person_services.add_note(
            person=person,
            structure=net.intermade,
            user=user,
            body=(
                f"{who.last.upper()} {who.first}, né·e le {who.birth:%d/%m/%Y}, "
                f"tél {re.sub(r'[^0-9+]', '', who.phone)}, {who.email.upper()}."
            ),
            is_shared=True,
        )
        # A right-of-access export their legal representative asked for (the access log keeps
        # the representative's name: here a relative bearing theirs).
        gdpr_services.export_person_data(
            person=person,
            user=user,
            requested_by="legal_representative",
            requester_name=f"{who.first} {who.last} (tutrice)",
        )
        act_services.record_act(
            structure=net.intermade,
            user=user,
            act_type=act_type(),
            occurred_on=datetime.date(2025, 9, 2),
            duration_minutes=45,
            persons=[person],
            title=f"Entretien avec {normalise(who.first)}",
            notes=f"{who.first} {who.last} ({who.birth.isoformat()}) a un projet solide.",
        )
    act_services.record_act(
        structure=net.intermade,
        user=user,
        act_type=act_type("collective_workshop"),
        occurred_on=datetime.date(2025, 9, 3),
        duration_minutes=180,
        persons=[zephyrine, anatole, ombeline, mael, bob],
        title="Atelier modèle économique",
        notes=(
            "zephyrine, ANATOLE Brevignon, Mme VIDRACQ et Mael ont présenté leurs projets ; "
            f"{BOB} aussi."
        ),
    )
    project = person_services.create_project(
        structure=net.intermade,
        user=user,
        persons=[zephyrine, ombeline, bob],
        title="Tiers-lieu Quillardet, Vidracq et Marchand",
        kind="collective",
        description=f"Porté par Zéphyrine, Ombeline et {BOB}; joindre {OMBELINE.phone}.",
    )
    person_services.give_consent(
        person=zephyrine,
        user=user,
        structure=net.intermade,
        scope=ConsentScope.NETWORK_SHARING,
        method=ConsentMethod.WRITTEN,
        proof=f"Formulaire signé par {ZEPHYRINE.first} {ZEPHYRINE.last}",
    )
    referral = referral_services.refer_person(
        person=zephyrine,
        from_structure=net.intermade,
        user=user,
        to_structure=net.apeas,
        to_offer=net.piles,
        reason=f"{ZEPHYRINE.first} cherche un collectif.",
        shared_info=f"Écrire à {ZEPHYRINE.email}",
        project=project,
    )
    referral_services.decline_referral(
        referral=referral,
        user=net.apeas_advisor,
        reason=DeclineReason.objects.get(code="other"),
        note=f"{ZEPHYRINE.last} préfère attendre.",
    )
    application = application_services.submit_application(
        person=anatole, offer=net.starter, user=user, session=net.starter_session
    )
    application_services.change_application_status(
        application=application,
        user=user,
        to_status=ApplicationStatus.UNDER_REVIEW,
        note=f"Dossier de M. {ANATOLE.last.upper()} complet.",
    )
    act_services.record_outcome(
        person=ombeline,
        structure=net.intermade,
        user=user,
        outcome_type=OutcomeType.objects.get(code="activity_created"),
        occurred_on=datetime.date(2025, 10, 1),
        details=f"Activité créée par {OMBELINE.first} {OMBELINE.last}.",
        project=project,
    )
    plan_services.save_plan(
        person=mael,
        user=user,
        structure=net.intermade,
        steps=[
            {"action": f"Rappeler Maël au {MAEL.phone}", "responsible_structure": net.intermade}
        ],
        expected_version=None,
    )
    # Anatole recorded twice by Intermade, the records merged: the merge keeps what its undo
    # needs (the duplicate's identity).
    duplicate = person_services.create_person(
        structure=net.intermade,
        user=user,
        first_name=ANATOLE.first,
        last_name=ANATOLE.last,
        email=ANATOLE.email,
        birth_date=ANATOLE.birth,
    )
    merge.merge_persons(keep=anatole, duplicate=duplicate, user=user)
    # Issue 19: a shared diagnostic of the project, a committee's reasons on the application.
    from tests.assessments.erasure import add_rows

    add_rows(structure=net.intermade, user=user, project=project, application=application)


@dataclass
class World:
    persons: dict  # Who -> Person
    bob: Person
    admin: object
    refused_run: object


def build(net, client) -> World:
    """Every channel, then records; call inside django_capture_on_commit_callbacks(execute=True)
    with the database task backend, so that e-mails are queued."""
    admin = StructureMembershipFactory(structure=net.intermade, admin=True).user
    persons = {ZEPHYRINE: _by_public_form(client, net), ANATOLE: _by_page(client, net)}
    persons[OMBELINE] = _by_api(net)
    persons[MAEL], refused = _by_import(net)
    bob = person_services.create_person(
        structure=net.intermade, user=net.intermade_advisor, first_name="Bob", last_name="Marchand"
    )
    _records(net, persons, bob)
    from maillage.reporting.refresh import refresh

    refresh()
    forget_roles(admin)
    return World(persons=persons, bob=bob, admin=admin, refused_run=refused)


def erase_everyone(world: World) -> None:
    for person in world.persons.values():
        gdpr_services.anonymise_person(person=person, user=world.admin, reason="Demande écrite")


# --- Dumps ---------------------------------------------------------------------------------------


def database_values():
    """(table, column, text) of every value of every table of the database."""
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, (bytes, memoryview)):
                        value = bytes(value).decode("utf-8", errors="replace")
                    yield table, column, str(value)


def file_texts(root: Path):
    """(path, text) of every file under `root`: its name, and its content (the text of the XML
    parts of a workbook)."""
    root = Path(root)
    if not root.exists():
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        yield str(path), str(path.relative_to(root))
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    text = archive.read(name).decode("utf-8", errors="replace")
                    yield f"{path}:{name}", re.sub(r"<[^>]*>", " ", text)
        else:
            for encoding in ("utf-8", "cp1252"):
                try:
                    yield str(path), data.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue


def traces_in(sources, people=EVERYONE) -> list[str]:
    found = []
    for *where, text in sources:
        for who in people:
            for spelling in who.traces(text):
                found.append(f"{'.'.join(map(str, where))}: {spelling}")
    return found
