"""Issue 18: the daily lists grow with the structures' caseload, not with the database, and
pages and API answers are sent compressed.

What is checked is the shape of the queries (the rule `visible_persons_condition` is written
from the user's structures' accompaniments and referrals, each read from its own index, and
the persons table is read once, for the outer list) rather than timings: the figures at
regional scale are in docs/benchmarks.md ("Daily pages at regional scale")."""

import gzip
import json
import re

import pytest
from django.db import connection
from django.urls import reverse

from maillage.pathways.models import Accompaniment, Person, Referral
from maillage.pathways.persons import services as person_services
from maillage.pathways.visibility import (
    accompaniments_visible_to,
    persons_visible_to,
    referrals_visible_to,
)

pytestmark = pytest.mark.django_db


def caseload_sql(user) -> str:
    return str(persons_visible_to(user).query)


def test_the_visible_persons_are_read_from_the_structures_caseload(net):
    sql = caseload_sql(net.intermade_advisor)
    structure = net.intermade.pk
    # The persons table is read once: the outer list. No subquery joins it (a join there made
    # PostgreSQL hash every person of the database for each list, issue 18).
    assert 'JOIN "pathways_person"' not in sql
    assert 'FROM "pathways_person"' in sql and sql.count('FROM "pathways_person"') == 1
    # Every subquery starts from the user's structures: accompaniments by structure, referrals
    # by receiving structure.
    assert f'FROM "pathways_accompaniment" U0 WHERE U0."structure_id" IN ({structure})' in sql
    assert f'U0."to_structure_id" IN ({structure})' in sql
    assert "pathways_referral" in sql


def test_a_list_of_one_persons_records_names_that_person_and_reads_no_caseload(net):
    """The person page asks each record kind about one person: whether the person is visible
    is read once, through that person's accompaniments and referrals (kept on the person), and
    each statement then names the person instead of carrying the rule's subqueries."""
    person = person_services.create_person(
        structure=net.intermade, user=net.intermade_advisor, first_name="Lou", last_name="Roux"
    )
    hidden = person_services.create_person(
        structure=net.apeas, user=net.apeas_advisor, first_name="Noé", last_name="Blanc"
    )
    for kind in (accompaniments_visible_to, referrals_visible_to):
        sql = str(kind(net.intermade_advisor, of_person=person).query)
        assert sql.count("SELECT") == 1  # no subquery
        assert f'"person_id" = {person.pk}' in sql or f'"person_id" IN ({person.pk})' in sql
    assert accompaniments_visible_to(net.intermade_advisor, of_person=person).exists()
    assert not accompaniments_visible_to(net.intermade_advisor, of_person=hidden).exists()
    assert accompaniments_visible_to(net.apeas_advisor, of_person=hidden).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_the_caseload_subqueries_are_served_by_their_indexes(net):
    """Without sequential scans, each caseload subquery is an index-only read of its index
    (pathways 0014): the caseload costs a few index pages whatever the size of the tables."""
    person_services.create_person(
        structure=net.intermade, user=net.intermade_advisor, first_name="Lou", last_name="Roux"
    )
    sql, params = persons_visible_to(net.intermade_advisor).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]["Plan"]

    def reads(node):
        yield node
        for child in node.get("Plans", []):
            yield from reads(child)

    caseload = [
        node
        for node in reads(plan)
        if node.get("Relation Name") in ("pathways_accompaniment", "pathways_referral")
    ]
    # Which of the indexes the planner takes depends on the statistics of these tiny tables;
    # what matters is that every read of the caseload goes through one.
    assert {node["Relation Name"] for node in caseload} >= {"pathways_accompaniment"}
    assert all(node["Node Type"] in ("Index Scan", "Index Only Scan") for node in caseload), [
        (node["Node Type"], node["Relation Name"]) for node in caseload
    ]
    indexes = {index.name for index in Accompaniment._meta.indexes} | {
        index.name for index in Referral._meta.indexes
    }
    assert {"pathways_accomp_caseload_idx", "pathways_referral_sight_idx"} <= indexes


def test_the_api_list_of_persons_is_compressed(net, login):
    person_services.create_person(
        structure=net.intermade, user=net.intermade_advisor, first_name="Lou", last_name="Roux"
    )
    client = login(net.intermade_advisor)
    answer = client.get(reverse("api:person-list"), headers={"accept-encoding": "gzip"})
    assert answer.status_code == 200
    assert answer["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in answer["Vary"]
    data = json.loads(gzip.decompress(answer.content))
    assert [row["last_name"] for row in data["results"]] == ["Roux"]
    assert Person.objects.count() == 1


def test_the_advisor_pages_are_compressed(net, login):
    client = login(net.intermade_advisor)
    for name in ("pathways:home", "pathways:person_list", "pathways:referral_inbox"):
        page = client.get(reverse(name), headers={"accept-encoding": "gzip"})
        assert page.status_code == 200
        assert page["Content-Encoding"] == "gzip", name
        assert "</html>" in gzip.decompress(page.content).decode()


def test_the_person_pages_projects_are_read_from_that_persons_links(net):
    """An EXISTS from the projects table read and joined every project of the database to keep
    the person's own (issue 18): the projects are now fetched by the ids of the person's links."""
    from maillage.pathways.persons.selectors import projects_of_person

    person = person_services.create_person(
        structure=net.intermade, user=net.intermade_advisor, first_name="Lou", last_name="Roux"
    )
    project = person_services.create_project(
        persons=[person], structure=net.intermade, user=net.intermade_advisor, title="Atelier vélo"
    )
    queryset = projects_of_person(net.intermade_advisor, person)
    sql = str(queryset.query)
    assert "EXISTS" not in sql
    assert f'"pathways_project"."id" IN ({project.pk})' in sql
    assert list(queryset) == [project]


def test_the_homes_lists_do_not_join_their_rows_before_choosing_the_ones_shown(net, login):
    """Issue 18: the home's referral blocks and the caseload found the rows shown from their own
    table, then read those few rows with their persons: one statement joining every referral
    (or accompaniment) of the structure to the persons table read that whole table."""
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ReferralFactory

    for n in range(12):
        person = person_services.create_person(
            structure=net.intermade, user=net.intermade_advisor, first_name=f"P{n}", last_name="R"
        )
        ReferralFactory(person=person, from_structure=net.intermade, to_structure=net.apeas)
    with CaptureQueriesContext(connection) as context:
        response = login(net.intermade_advisor).get(reverse("pathways:home"))
    home = response.context["home"]
    assert home.sent.count == 12 and len(home.sent.rows) == 10
    assert home.other_caseload.count + home.my_caseload.count == 12
    for query in context.captured_queries:
        sql = query["sql"]
        kept = re.search(r" LIMIT \d+$", sql)  # keeps a few rows (not LIMIT 1 of an EXISTS)
        if kept and ('FROM "pathways_referral"' in sql or 'FROM "pathways_accompaniment"' in sql):
            # A query that keeps a few rows of many reads no other table than its own.
            assert "JOIN" not in sql, sql


def test_the_referrals_of_the_users_structures_are_the_rules_sent_or_received_ones(net):
    """The inbox and the home read `referrals_visible_to(user, of_structures=True)`: exactly
    the referrals of the rule sent or received by the user's structures, each naming its
    person as the rule does, without the rule's part about the persons in the statement."""
    from django.db.models import Q

    from maillage.pathways.referrals import services as referral_services
    from tests.factories import StructureFactory, StructureMembershipFactory

    third = StructureFactory(name="Tiers", networks=[net.network])
    third_advisor = StructureMembershipFactory(structure=third).user
    sharing = person_services.create_person(
        structure=net.intermade, user=net.intermade_advisor, first_name="Lou", last_name="Roux"
    )
    sharing.shares_with_network = True
    sharing.save(update_fields=["shares_with_network"])
    hidden = person_services.create_person(
        structure=net.intermade, user=net.intermade_advisor, first_name="Noé", last_name="Blanc"
    )
    for person in (sharing, hidden):
        referral_services.refer_person(
            person=person,
            from_structure=net.intermade,
            user=net.intermade_advisor,
            to_structure=net.apeas,
            to_offer=net.piles,
            reason="Projet",
        )
    Accompaniment.objects.create(person=sharing, structure=third, started_on="2026-01-05")
    for user, structure in (
        (net.apeas_advisor, net.apeas),
        (net.intermade_advisor, net.intermade),
        (third_advisor, third),
    ):
        mine = Q(from_structure=structure) | Q(to_structure=structure)
        expected = {(r.pk, r.person_visible) for r in referrals_visible_to(user).filter(mine)}
        found = {(r.pk, r.person_visible) for r in referrals_visible_to(user, of_structures=True)}
        assert found == expected
        ids = referrals_visible_to(user, of_structures=True).values("pk")
        assert str(ids.query).count("SELECT") == 1  # no subquery on the persons
    # The third structure sees the sharing person's referral through the rule, not as its own.
    assert referrals_visible_to(third_advisor).count() == 1
    assert not referrals_visible_to(third_advisor, of_structures=True).exists()
    apeas_rows = {r.person_id: r.person_visible for r in referrals_visible_to(net.apeas_advisor)}
    assert len(apeas_rows) == 2
