"""Triggers that record in reporting_dirty what each write to acts, participants and persons
changes (a person's profile is copied on their Presence rows).

Statement-level triggers with transition tables on PostgreSQL (one insert per statement, even
for a COPY of a million rows), row-level triggers on SQLite. The last operation asks for a full
rebuild of the pre-aggregated tables at the next refresh.
"""

from django.db import migrations

PG_MONTH = "(EXTRACT(YEAR FROM {t}.occurred_on)::integer * 12 + EXTRACT(MONTH FROM {t}.occurred_on)::integer - 1)"
PG_FUNCTIONS = {
    "participants_new": "INSERT INTO reporting_dirty (person_id) SELECT DISTINCT person_id FROM new_rows;",
    "participants_old": "INSERT INTO reporting_dirty (person_id) SELECT DISTINCT person_id FROM old_rows;",
    "participants_both": (
        "INSERT INTO reporting_dirty (person_id) "
        "SELECT person_id FROM old_rows UNION SELECT person_id FROM new_rows;"
    ),
    "persons_changed": (
        "INSERT INTO reporting_dirty (person_id) SELECT n.id FROM new_rows n "
        "JOIN old_rows o ON o.id = n.id WHERE (n.gender, n.birth_year, n.situation_id, "
        "n.priority_neighbourhood, n.commune_id, n.postal_code, n.merged_into_id) IS DISTINCT "
        "FROM (o.gender, o.birth_year, o.situation_id, o.priority_neighbourhood, o.commune_id, "
        "o.postal_code, o.merged_into_id);"
    ),
    "acts_new": (
        "INSERT INTO reporting_dirty (structure_id, month) "
        f"SELECT DISTINCT n.structure_id, {PG_MONTH.format(t='n')} FROM new_rows n;"
    ),
    "acts_old": (
        "INSERT INTO reporting_dirty (structure_id, month) "
        f"SELECT DISTINCT o.structure_id, {PG_MONTH.format(t='o')} FROM old_rows o;"
    ),
    "acts_both": (
        "INSERT INTO reporting_dirty (structure_id, month) "
        f"SELECT o.structure_id, {PG_MONTH.format(t='o')} FROM old_rows o "
        f"UNION SELECT n.structure_id, {PG_MONTH.format(t='n')} FROM new_rows n; "
        "INSERT INTO reporting_dirty (person_id) SELECT DISTINCT p.person_id "
        "FROM pathways_actparticipant p JOIN new_rows n ON n.id = p.act_id;"
    ),
}
PG_TRIGGERS = [
    ("participants_insert", "INSERT", "pathways_actparticipant", "NEW TABLE AS new_rows", "participants_new"),
    ("participants_update", "UPDATE", "pathways_actparticipant", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "participants_both"),
    ("participants_delete", "DELETE", "pathways_actparticipant", "OLD TABLE AS old_rows", "participants_old"),
    ("persons_update", "UPDATE", "pathways_person", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "persons_changed"),
    ("acts_insert", "INSERT", "pathways_act", "NEW TABLE AS new_rows", "acts_new"),
    ("acts_update", "UPDATE", "pathways_act", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "acts_both"),
    ("acts_delete", "DELETE", "pathways_act", "OLD TABLE AS old_rows", "acts_old"),
]

SQLITE_MONTH = "(CAST(strftime('%Y', {t}.occurred_on) AS INTEGER) * 12 + CAST(strftime('%m', {t}.occurred_on) AS INTEGER) - 1)"
SQLITE_TRIGGERS = {
    "participants_insert": (
        "AFTER INSERT ON pathways_actparticipant",
        "INSERT INTO reporting_dirty (person_id) VALUES (NEW.person_id);",
    ),
    "participants_update": (
        "AFTER UPDATE ON pathways_actparticipant",
        "INSERT INTO reporting_dirty (person_id) VALUES (OLD.person_id); "
        "INSERT INTO reporting_dirty (person_id) VALUES (NEW.person_id);",
    ),
    "participants_delete": (
        "AFTER DELETE ON pathways_actparticipant",
        "INSERT INTO reporting_dirty (person_id) VALUES (OLD.person_id);",
    ),
    "persons_update": (
        "AFTER UPDATE ON pathways_person WHEN OLD.gender IS NOT NEW.gender "
        "OR OLD.birth_year IS NOT NEW.birth_year OR OLD.situation_id IS NOT NEW.situation_id "
        "OR OLD.priority_neighbourhood IS NOT NEW.priority_neighbourhood "
        "OR OLD.commune_id IS NOT NEW.commune_id OR OLD.postal_code IS NOT NEW.postal_code "
        "OR OLD.merged_into_id IS NOT NEW.merged_into_id",
        "INSERT INTO reporting_dirty (person_id) VALUES (NEW.id);",
    ),
    "acts_insert": (
        "AFTER INSERT ON pathways_act",
        "INSERT INTO reporting_dirty (structure_id, month) "
        f"VALUES (NEW.structure_id, {SQLITE_MONTH.format(t='NEW')});",
    ),
    "acts_update": (
        "AFTER UPDATE ON pathways_act",
        "INSERT INTO reporting_dirty (structure_id, month) "
        f"VALUES (OLD.structure_id, {SQLITE_MONTH.format(t='OLD')}); "
        "INSERT INTO reporting_dirty (structure_id, month) "
        f"VALUES (NEW.structure_id, {SQLITE_MONTH.format(t='NEW')}); "
        "INSERT INTO reporting_dirty (person_id) "
        "SELECT person_id FROM pathways_actparticipant WHERE act_id = NEW.id;",
    ),
    "acts_delete": (
        "AFTER DELETE ON pathways_act",
        "INSERT INTO reporting_dirty (structure_id, month) "
        f"VALUES (OLD.structure_id, {SQLITE_MONTH.format(t='OLD')});",
    ),
}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, body in PG_FUNCTIONS.items():
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION reporting_dirty_{name}() RETURNS trigger AS $$ "
                f"BEGIN {body} RETURN NULL; END $$ LANGUAGE plpgsql;"
            )
        for name, event, table, referencing, function in PG_TRIGGERS:
            schema_editor.execute(
                f"CREATE TRIGGER reporting_{name} AFTER {event} ON {table} "
                f"REFERENCING {referencing} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION reporting_dirty_{function}();"
            )
    elif vendor == "sqlite":
        for name, (when, body) in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER reporting_{name} {when} BEGIN {body} END;")
    else:  # pragma: no cover - the two databases Maillage runs on
        raise NotImplementedError(vendor)
    apps.get_model("reporting", "Dirty").objects.create()  # a full rebuild


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, _event, table, _ref, _function in PG_TRIGGERS:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS reporting_{name} ON {table};")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS reporting_{name};")
    if vendor == "postgresql":
        for name in PG_FUNCTIONS:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS reporting_dirty_{name}();")


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
        ("pathways", "0004_report_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
