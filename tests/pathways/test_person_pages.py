"""The person page and the pages hanging on it: who sees what, what is logged, what is kept."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.pathways.acts import services as act_services
from maillage.pathways.gdpr import merge
from maillage.pathways.models import (
    Consent,
    ConsentMethod,
    ConsentScope,
    Outcome,
    OutcomeType,
    Person,
    PersonAccess,
    PersonNote,
    Plan,
    Project,
)
from maillage.pathways.persons import services as person_services
from maillage.pathways.referrals import services as referral_services
from tests.factories import (
    NetworkRoleFactory,
    StageFactory,
    StructureMembershipFactory,
    act_type,
)
from tests.pathways.person_history import add_person_history, count_queries

pytestmark = pytest.mark.django_db


def new_person(net, **extra):
    fields = {"first_name": "Camille", "last_name": "Durand", **extra}
    return person_services.create_person(
        structure=net.intermade, user=net.intermade_advisor, **fields
    )


def share(net, person):
    return person_services.give_consent(
        person=person,
        user=net.intermade_advisor,
        structure=net.intermade,
        scope=ConsentScope.NETWORK_SHARING,
        method=ConsentMethod.WRITTEN,
    )


def detail(person):
    return reverse("pathways:person_detail", kwargs={"uuid": person.uuid})


def accesses(person, **filters):
    return PersonAccess.objects.filter(person=person, channel="page", **filters)


# --- Who may open the page ---------------------------------------------------------------------


def test_the_accompanying_advisor_sees_the_page_and_the_read_is_logged(net, login):
    person = new_person(net, email="camille@exemple.test")
    response = login(net.intermade_advisor).get(detail(person))
    assert response.status_code == 200
    assert "Camille Durand" in response.text
    assert "camille@exemple.test" in response.text
    assert "Identité" in response.text
    assert accesses(person, granted=True, user=net.intermade_advisor).count() == 1


def test_another_structure_without_consent_or_referral_gets_404_and_the_attempt_is_logged(
    net, login
):
    person = new_person(net)
    response = login(net.apeas_advisor).get(detail(person))
    # As for a person who does not exist: the answer does not tell that the person exists.
    assert response.status_code == 404
    unknown = reverse("pathways:person_detail", kwargs={"uuid": uuid.uuid4()})
    assert login(net.apeas_advisor).get(unknown).status_code == 404
    assert "Camille" not in response.text
    refused = accesses(person, granted=False).get()
    assert refused.user == net.apeas_advisor
    assert not accesses(person, granted=True).exists()


def test_after_a_consented_referral_the_receiving_advisor_sees_the_person(net, login):
    person = new_person(net)
    share(net, person)
    referral_services.refer_person(
        person=person,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
        reason="Projet collectif",
    )
    response = login(net.apeas_advisor).get(detail(person))
    assert response.status_code == 200
    assert "Camille Durand" in response.text
    assert accesses(person, granted=True, user=net.apeas_advisor).exists()


@pytest.mark.parametrize("funder", [False, True], ids=["coordinator", "funder"])
def test_coordinators_and_funders_never_open_a_person(net, login, funder):
    person = new_person(net)
    share(net, person)
    user = NetworkRoleFactory(network=net.network, funder=funder).user
    client = login(user)
    for name in ("person_detail", "person_edit", "note_add", "plan_edit", "outcome_create"):
        response = client.get(reverse(f"pathways:{name}", kwargs={"uuid": person.uuid}))
        assert response.status_code == 404, name
    assert client.get(reverse("pathways:person_list")).status_code == 403
    assert client.get(reverse("pathways:person_create")).status_code == 403
    assert accesses(person, granted=False, user=user).count() == 5


def test_anonymous_visitors_are_sent_to_the_login(net, client):
    person = new_person(net)
    response = client.get(detail(person))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_an_unknown_person_is_a_404(net, login):
    url = reverse("pathways:person_detail", kwargs={"uuid": "00000000-0000-0000-0000-000000000000"})
    assert login(net.intermade_advisor).get(url).status_code == 404


def test_an_advisor_who_sees_without_accompanying_may_not_edit(net, login):
    person = new_person(net)
    share(net, person)
    referral_services.refer_person(
        person=person,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
    )
    client = login(net.apeas_advisor)
    assert client.get(detail(person)).status_code == 200
    edit = reverse("pathways:person_edit", kwargs={"uuid": person.uuid})
    assert client.get(edit).status_code == 403


# --- What the page shows across structures -----------------------------------------------------


def _two_structures_follow(net, *, sharing):
    person = new_person(net)
    if sharing:
        share(net, person)
    person_services.ensure_accompaniment(person=person, structure=net.apeas)
    day = timezone.localdate() - datetime.timedelta(days=3)
    act_services.record_act(
        structure=net.intermade,
        user=net.intermade_advisor,
        act_type=act_type("individual_interview"),
        occurred_on=day,
        duration_minutes=60,
        persons=[person],
    )
    act_services.record_act(
        structure=net.apeas,
        user=net.apeas_advisor,
        act_type=act_type("diagnostic"),
        occurred_on=day,
        duration_minutes=90,
        persons=[person],
    )
    for structure, user, body, shared in [
        (net.apeas, net.apeas_advisor, "Note interne APEAS", False),
        (net.apeas, net.apeas_advisor, "Note partagée APEAS", True),
    ]:
        person_services.add_note(
            person=person, structure=structure, user=user, body=body, is_shared=shared
        )
    return person


def test_without_sharing_the_timeline_shows_only_my_structures_events(net, login):
    person = _two_structures_follow(net, sharing=False)
    page = login(net.intermade_advisor).get(detail(person)).text
    assert "Entretien individuel" in page
    assert "Diagnostic" not in page
    assert "Note partagée APEAS" not in page
    assert "Note interne APEAS" not in page
    assert "vous voyez ce que vos structures ont enregistré" in page


def test_with_sharing_the_timeline_merges_the_partners_events(net, login):
    person = _two_structures_follow(net, sharing=True)
    response = login(net.intermade_advisor).get(detail(person))
    timeline = response.context["page"].timeline
    assert {event.structure for event in timeline if event.kind == "act"} == {
        net.intermade,
        net.apeas,
    }
    assert [event.on for event in timeline] == sorted((e.on for e in timeline), reverse=True)
    page = response.text
    assert "Diagnostic" in page
    assert "Note partagée APEAS" in page
    assert "Note interne APEAS" not in page


def test_current_stage_comes_from_the_latest_project(net, login):
    person = new_person(net)
    stage = StageFactory(network=net.network, name="Émergence")
    person_services.create_project(
        structure=net.intermade,
        user=net.intermade_advisor,
        persons=[person],
        title="Épicerie",
        current_stage=stage,
    )
    page = login(net.intermade_advisor).get(detail(person)).text
    assert "Étape actuelle : Émergence" in page


# --- Bounded queries ---------------------------------------------------------------------------


def test_the_person_page_runs_the_same_number_of_queries_for_5_and_200_events(
    net, login, django_assert_max_num_queries
):
    short, long = new_person(net), new_person(net, first_name="Alex")
    for person in (short, long):
        share(net, person)
    for person, events in ((short, 5), (long, 200)):
        add_person_history(
            person,
            structure=net.intermade,
            partner=net.apeas,
            offer=net.starter,
            user=net.intermade_advisor,
            events=events,
        )
    client = login(net.intermade_advisor)
    assert count_queries(client, detail(short)) == count_queries(client, detail(long))
    with django_assert_max_num_queries(25):
        assert client.get(detail(long)).status_code == 200


def test_the_person_list_runs_a_bounded_number_of_queries(
    net, login, django_assert_max_num_queries
):
    for n in range(30):
        new_person(net, first_name=f"Prénom{n}")
    client = login(net.intermade_advisor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("pathways:person_list"))
    assert "30 personnes" in response.text


# --- List, search, export ----------------------------------------------------------------------


@pytest.mark.sqlite
def test_search_ignores_accents_and_case(net, login):
    new_person(net, first_name="Hélène", last_name="Lefèvre")
    new_person(net, first_name="Paul", last_name="Martin")
    client = login(net.intermade_advisor)
    response = client.get(reverse("pathways:person_list"), {"q": "LEFEVRE"})
    assert "Lefèvre" in response.text
    assert "Martin" not in response.text


@pytest.mark.sqlite
def test_the_list_shows_only_persons_i_may_see(net, login):
    new_person(net, last_name="Visible")
    person_services.create_person(
        structure=net.apeas, user=net.apeas_advisor, first_name="Léa", last_name="Cachée"
    )
    page = login(net.intermade_advisor).get(reverse("pathways:person_list")).text
    assert "Visible" in page
    assert "Cachée" not in page


@pytest.mark.sqlite
def test_the_csv_export_lists_the_same_filtered_persons(net, login):
    new_person(net, first_name="Hélène", last_name="Lefèvre", email="helene@exemple.test")
    new_person(net, first_name="Paul", last_name="Martin")
    response = login(net.intermade_advisor).get(
        reverse("pathways:person_list_csv"), {"q": "lefevre"}
    )
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Nom;Prénom")
    assert len(lines) == 2
    assert "Lefèvre;Hélène" in lines[1]
    assert "helene@exemple.test" in lines[1]
    exported = PersonAccess.objects.get(channel=PersonAccess.Channel.EXPORT)
    assert exported.user == net.intermade_advisor and exported.granted
    assert exported.person.last_name == "Lefèvre"


# --- Editing with optimistic locking -----------------------------------------------------------


def test_two_edits_from_the_same_version_keep_the_second_input_and_overwrite_nothing(net, login):
    person = new_person(net, email="avant@exemple.test")
    edit = reverse("pathways:person_edit", kwargs={"uuid": person.uuid})
    client = login(net.intermade_advisor)
    version = client.get(edit).context["form"]["version"].value()
    base = {
        "first_name": "Camille",
        "last_name": "Durand",
        "gender": "unknown",
        "phone": "",
        "postal_code": "",
        "version": version,
    }
    first = client.post(edit, {**base, "email": "premier@exemple.test"})
    assert first.status_code == 302
    second = client.post(edit, {**base, "email": "second@exemple.test", "postal_code": "13001"})
    assert second.status_code == 200
    assert "Quelqu" in second.text and "enregistré cette fiche" in second.text
    assert 'value="second@exemple.test"' in second.text
    assert 'value="13001"' in second.text
    person.refresh_from_db()
    assert person.email == "premier@exemple.test"
    assert person.postal_code == ""


def test_a_future_birth_date_is_refused_and_nothing_is_saved(net, login):
    person = new_person(net)
    edit = reverse("pathways:person_edit", kwargs={"uuid": person.uuid})
    future = timezone.localdate() + datetime.timedelta(days=3)
    response = login(net.intermade_advisor).post(
        edit,
        {
            "first_name": "Camille",
            "last_name": "Durand",
            "gender": "unknown",
            "birth_date": future.isoformat(),
            "email": "pas-un-email",
            "version": person.version,
        },
    )
    assert response.status_code == 200
    assert "dans le futur" in response.text
    assert "adresse e-mail valide" in response.text
    person.refresh_from_db()
    assert person.birth_date is None


# --- Consents, notes, plan, projects, outcomes -------------------------------------------------


def test_consent_given_then_withdrawn_from_the_person_page(net, login):
    person = new_person(net)
    client = login(net.intermade_advisor)
    url = reverse("pathways:consent_add", kwargs={"uuid": person.uuid})
    assert "Consentement de Camille Durand" in client.get(url).text
    response = client.post(
        url, {"scope": "network_sharing", "method": "oral", "proof": "Entretien"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.shares_with_network
    consent = Consent.objects.get(person=person)
    withdraw = reverse("pathways:consent_withdraw", kwargs={"uuid": person.uuid, "pk": consent.pk})
    assert client.post(withdraw).status_code == 302
    person.refresh_from_db()
    assert not person.shares_with_network
    again = client.post(withdraw, follow=True)
    assert "déjà été retiré" in again.text


def test_a_shared_note_is_saved_with_its_flag(net, login):
    person = new_person(net)
    url = reverse("pathways:note_add", kwargs={"uuid": person.uuid})
    client = login(net.intermade_advisor)
    response = client.post(url, {"body": "Rappeler après le comité", "is_shared": "on"})
    assert response.status_code == 302
    note = PersonNote.objects.get(person=person)
    assert note.is_shared and note.structure == net.intermade
    assert client.post(url, {"body": "   "}).status_code == 200
    assert PersonNote.objects.count() == 1


def test_staff_of_several_structures_choose_the_structure_among_theirs(net, login):
    StructureMembershipFactory(user=net.intermade_advisor, structure=net.apeas)
    person = new_person(net)
    url = reverse("pathways:note_add", kwargs={"uuid": person.uuid})
    client = login(net.intermade_advisor)
    form = client.get(url).context["form"]
    assert set(form.fields["structure"].queryset) == {net.intermade, net.apeas}
    client.post(url, {"body": "Pour APEAS", "structure": net.apeas.pk})
    assert PersonNote.objects.get().structure == net.apeas


def _step(prefix, **values):
    return {f"steps-{prefix}-{name}": value for name, value in values.items()}


def test_the_plan_is_saved_as_revisions_and_a_stale_save_is_refused(net, login):
    person = new_person(net)
    url = reverse("pathways:plan_edit", kwargs={"uuid": person.uuid})
    client = login(net.intermade_advisor)
    assert client.get(url).status_code == 200
    data = {
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        **_step(0, offer=net.starter.pk, responsible_structure=net.intermade.pk, status="planned"),
        **_step(1, action="", responsible_structure="", status="planned"),
        "version": "",
    }
    assert client.post(url, data).status_code == 302
    plan = Plan.objects.get(person=person)
    assert plan.revision == 1
    assert [step.offer for step in plan.steps.all()] == [net.starter]
    page = client.get(url)
    assert "Révision 1" in page.text
    version = page.context["form"]["version"].value()
    # The form as the browser sends it back: the kept step, a new one, an empty extra row.
    second = {
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "1",
        **_step(0, offer=net.starter.pk, responsible_structure=net.intermade.pk, status="planned"),
        **_step(
            1, action="Préparer le budget", responsible_structure=net.apeas.pk, status="planned"
        ),
        **_step(2, action="", responsible_structure="", status="planned"),
        "version": version,
    }
    assert client.post(url, second).status_code == 302
    plan.refresh_from_db()
    assert plan.revision == 2
    assert [step.action for step in plan.steps.all()] == ["", "Préparer le budget"]
    stale = client.post(url, {**second, **_step(0, status="done")})
    assert stale.status_code == 200
    assert "enregistré cette fiche" in stale.text
    plan.refresh_from_db()
    assert plan.revision == 2
    assert plan.steps.first().status == "planned"


def test_a_plan_step_without_offer_or_action_is_refused(net, login):
    person = new_person(net)
    url = reverse("pathways:plan_edit", kwargs={"uuid": person.uuid})
    data = {
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        **_step(0, responsible_structure=net.intermade.pk, status="done"),
    }
    response = login(net.intermade_advisor).post(url, data)
    assert response.status_code == 200
    assert "Choisissez une offre ou décrivez l" in response.text
    assert not Plan.objects.exists()


def test_projects_are_created_and_edited_with_their_version(net, login):
    person = new_person(net)
    client = login(net.intermade_advisor)
    url = reverse("pathways:project_create", kwargs={"uuid": person.uuid})
    assert client.post(url, {"title": "Café associatif", "kind": "individual"}).status_code == 302
    project = Project.objects.get()
    assert list(project.persons.all()) == [person]
    edit = reverse("pathways:project_edit", kwargs={"uuid": project.uuid})
    version = client.get(edit).context["form"]["version"].value()
    data = {"title": "Café-épicerie", "kind": "individual", "version": version}
    assert client.post(edit, data).status_code == 302
    assert client.post(edit, data).status_code == 200
    project.refresh_from_db()
    assert project.title == "Café-épicerie"
    assert login(net.apeas_advisor).get(edit).status_code == 404


def test_outcome_types_are_the_active_ones_of_my_networks(net, login):
    person = new_person(net)
    OutcomeType.objects.create(
        code="autre-reseau", label_fr="Autre", label_en="Other", network=None
    )
    from tests.factories import NetworkFactory

    foreign = OutcomeType.objects.create(
        code="etranger", label_fr="Étranger", label_en="Foreign", network=NetworkFactory()
    )
    inactive = OutcomeType.objects.create(
        code="inactive", label_fr="Inactif", label_en="Inactive", is_active=False
    )
    url = reverse("pathways:outcome_create", kwargs={"uuid": person.uuid})
    client = login(net.intermade_advisor)
    choices = set(client.get(url).context["form"].fields["outcome_type"].queryset)
    assert foreign not in choices and inactive not in choices
    assert OutcomeType.objects.get(code="training") in choices
    future = timezone.localdate() + datetime.timedelta(days=1)
    training = OutcomeType.objects.get(code="training").pk
    refused = client.post(url, {"outcome_type": training, "occurred_on": future.isoformat()})
    assert refused.status_code == 200
    assert not Outcome.objects.exists()
    today = timezone.localdate().isoformat()
    assert client.post(url, {"outcome_type": training, "occurred_on": today}).status_code == 302
    assert Outcome.objects.get().person == person
    assert Person.objects.get(pk=person.pk).last_activity_on == timezone.localdate()


def test_an_old_link_to_a_merged_duplicate_leads_to_the_kept_record(net, login):
    keep = new_person(net)
    duplicate = new_person(net, first_name="Camile")
    merge.merge_persons(keep=keep, duplicate=duplicate, user=net.intermade_advisor)
    response = login(net.intermade_advisor).get(detail(duplicate))
    assert response.status_code == 302
    assert response.url == detail(keep)
    assert login(net.apeas_advisor).get(detail(duplicate)).status_code == 404
