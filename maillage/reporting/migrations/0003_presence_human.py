"""People are counted by the human their record belongs to (issue 16): `Presence.human`, copied
by the refresh from `pathways.NetworkPerson`, and triggers that mark a person for refresh when
their person-group is written, changed or deleted (a change of name or birth date, an erasure,
`rebuild_identity_keys`). The last operation asks for a full rebuild, which fills the column.
"""

from django.db import migrations, models

PG_FUNCTIONS = {
    "humans_new": "INSERT INTO reporting_dirty (person_id) SELECT person_id FROM new_rows;",
    "humans_old": "INSERT INTO reporting_dirty (person_id) SELECT person_id FROM old_rows;",
    "humans_both": (
        "INSERT INTO reporting_dirty (person_id) "
        "SELECT person_id FROM old_rows UNION SELECT person_id FROM new_rows;"
    ),
}
PG_TRIGGERS = [
    ("humans_insert", "INSERT", "NEW TABLE AS new_rows", "humans_new"),
    ("humans_update", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "humans_both"),
    ("humans_delete", "DELETE", "OLD TABLE AS old_rows", "humans_old"),
]
SQLITE_TRIGGERS = {
    "humans_insert": (
        "AFTER INSERT ON pathways_networkperson",
        "INSERT INTO reporting_dirty (person_id) VALUES (NEW.person_id);",
    ),
    "humans_update": (
        "AFTER UPDATE ON pathways_networkperson",
        "INSERT INTO reporting_dirty (person_id) VALUES (OLD.person_id); "
        "INSERT INTO reporting_dirty (person_id) VALUES (NEW.person_id);",
    ),
    "humans_delete": (
        "AFTER DELETE ON pathways_networkperson",
        "INSERT INTO reporting_dirty (person_id) VALUES (OLD.person_id);",
    ),
}
TABLE = "pathways_networkperson"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, body in PG_FUNCTIONS.items():
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION reporting_dirty_{name}() RETURNS trigger AS $$ "
                f"BEGIN {body} RETURN NULL; END $$ LANGUAGE plpgsql;"
            )
        for name, event, referencing, function in PG_TRIGGERS:
            schema_editor.execute(
                f"CREATE TRIGGER reporting_{name} AFTER {event} ON {TABLE} "
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
    for name, *_rest in PG_TRIGGERS:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS reporting_{name} ON {TABLE};")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS reporting_{name};")
    if vendor == "postgresql":
        for name in PG_FUNCTIONS:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS reporting_dirty_{name}();")


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_triggers"),
        ("pathways", "0011_network_person"),
    ]

    operations = [
        migrations.AddField(
            model_name="presence",
            name="human",
            field=models.BigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RunPython(create, drop),
    ]
