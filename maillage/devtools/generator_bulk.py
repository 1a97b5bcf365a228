"""Write a generator plan as rows, in batches: the regional scale (a million acts).

PostgreSQL gets `COPY … FROM STDIN` (psycopg's `cursor.copy`), other databases `executemany`.
Ids are given here (from each table's current maximum; PostgreSQL's sequences are moved past
them at the end), so that rows can point at each other before they are written. Each chunk of
persons is written in its own transaction, which keeps memory and the deferred foreign-key
checks bounded.

The rows keep what the services keep (see tests/devtools/test_generator.py, which checks both
writers with the same queries): every change of status checked against the state machines of
`maillage.pathways.states` (a plan that breaks one stops the run) and logged in a transition
row as the services log it, with the version
counter the services would have reached; an accompaniment for every structure that met the
person, from the first day it did; `last_activity_on`; `shares_with_network` equal to the
active consents; a referral's data shared only with consent; a next step for every "not
selected"; a reason for every declined referral.
"""

import random
import uuid
from datetime import UTC

from django.db import connection, transaction

from maillage.core.text import normalise
from maillage.pathways import identity
from maillage.pathways import models as m
from maillage.pathways.models import ApplicationStatus as A
from maillage.pathways.models import ReferralStatus as R
from maillage.pathways.states import APPLICATION_STATES, REFERRAL_STATES

from .generator import progress

DECISIONS = {A.SELECTED, A.WAITLISTED, A.NOT_SELECTED}
ANSWERS = {"accept": R.ACCEPTED, "decline": R.DECLINED, "redirect": R.REDIRECTED}

MODELS = {
    "person": m.Person,
    "identity_key": m.IdentityKey,
    "network_person": m.NetworkPerson,
    "accompaniment": m.Accompaniment,
    "consent": m.Consent,
    "project": m.Project,
    "project_persons": m.Project.persons.through,
    "referral": m.Referral,
    "referral_transition": m.ReferralTransition,
    "application": m.Application,
    "application_transition": m.ApplicationTransition,
    "act": m.Act,
    "participant": m.ActParticipant,
    "outcome": m.Outcome,
}


def _defaults(model) -> dict:
    values = {}
    for f in model._meta.concrete_fields:
        if f.has_default() and not callable(f.default):
            values[f.column] = f.default
        elif f.empty_strings_allowed and not f.null:
            values[f.column] = ""
        else:
            values[f.column] = None
    return values


class Table:
    def __init__(self, model):
        self.model = model
        self.name = model._meta.db_table
        self.columns = [f.column for f in model._meta.concrete_fields]
        self.defaults = _defaults(model)
        self.rows = []
        self.next_id = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        self.written = 0

    def add(self, **values) -> int:
        pk = self.next_id
        self.next_id += 1
        row = {**self.defaults, "id": pk, **values}
        self.rows.append(row)
        return pk


def write_rows(cursor, table: Table) -> None:
    """Write a table's pending rows: COPY on PostgreSQL, `executemany` elsewhere."""
    columns = table.columns
    if connection.vendor == "postgresql":
        sql = f'COPY "{table.name}" ({", ".join(columns)}) FROM STDIN'
        with cursor.cursor.copy(sql) as copy:
            for row in table.rows:
                copy.write_row([row[c] for c in columns])
        return
    placeholders = ", ".join(["%s"] * len(columns))
    # Table and column names come from the models' metadata, never from input.
    sql = f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES ({placeholders})'  # noqa: S608
    cursor.executemany(sql, [[_sqlite(row[c]) for c in columns] for row in table.rows])


def reset_sequences(tables) -> None:
    """Move PostgreSQL's id sequences past the ids the writer gave."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            if table.model._meta.pk.column != "id":  # e.g. NetworkPerson: keyed by its person
                continue
            sql = f'SELECT COALESCE(MAX(id), 1) FROM "{table.name}"'  # noqa: S608
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({sql}))",
                [f'"{table.name}"'],
            )


class BulkWriter:
    def __init__(self, ctx, *, record=None, bar=None):
        self.ctx = ctx
        self.pg = connection.vendor == "postgresql"
        self.tables = {name: Table(model) for name, model in MODELS.items()}
        # Resuming (`record`: a GenerationProgress): the same first ids as the interrupted run,
        # so that the plan, made again from the same seed, gives the same rows; the batches it
        # committed are then planned but not written.
        self.record = record
        self.bar = bar
        self.batch = 0
        self.skip = 0
        if record is not None:
            if record.start_ids:
                for name, table in self.tables.items():
                    table.next_id = record.start_ids[name]
                self.skip = record.batches_done
            else:
                record.start_ids = {name: t.next_id for name, t in self.tables.items()}
                record.save(update_fields=["start_ids"])
        # Same seed and same starting point, same identifiers; a second run adds new ones.
        start = "-".join(str(table.next_id) for table in self.tables.values())
        self.uuids = random.Random(f"{ctx.seed}-uuids-{start}")  # noqa: S311 - fictional data, not secrets
        self.person_ids = {}
        self.codes = {
            "act": ctx.act_types,
            "outcome": ctx.outcome_types,
            "decline": ctx.decline_reasons,
            "no_next_step": ctx.no_next_step_reasons,
            "end": ctx.end_reasons,
        }

    def uuid(self):
        return uuid.UUID(int=self.uuids.getrandbits(128), version=4)

    # The moves of referrals and applications, as the services make them: checked, logged.
    LOGS = {
        "referral": (REFERRAL_STATES, "referral_transition", "referral_id"),
        "application": (APPLICATION_STATES, "application_transition", "application_id"),
    }

    def transition(self, kind, row, from_status, to_status, at, user, note="") -> None:
        machine, table, link = self.LOGS[kind]
        machine.check(from_status, to_status)
        self.tables[table].add(
            **{link: row["id"]},
            from_status=from_status,
            to_status=to_status,
            at=at,
            by_id=user,
            note=note,
        )
        row["status"] = to_status
        row["status_changed_at"] = at

    # --- writing --------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the pending rows in one transaction, with the progress of the run."""
        self.batch += 1
        if self.batch <= self.skip:  # committed before the interruption
            if self.bar is not None:
                self.bar.skipped(len(self.tables["person"].rows))
            for table in self.tables.values():
                table.written += len(table.rows)
                table.rows = []
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for table in self.tables.values():
                if table.rows:
                    self._write(cursor, table)
                    table.written += len(table.rows)
                    table.rows = []
            if self.record is not None:
                self.record.batches_done = self.batch
                self.record.counts = self.counts()
                self.record.save(update_fields=["batches_done", "counts"])

    def _write(self, cursor, table) -> None:
        write_rows(cursor, table)

    def reset_sequences(self) -> None:
        reset_sequences(self.tables.values())

    COUNTED = {
        "persons": "person",
        "referrals": "referral",
        "applications": "application",
        "acts": "act",
        "participants": "participant",
        "outcomes": "outcome",
        "consents": "consent",
    }

    def counts(self) -> dict:
        return {label: self.tables[name].written for label, name in self.COUNTED.items()}

    def write(self, planner) -> dict:
        chunk = self.ctx.scale.chunk
        count = 0
        if self.skip:
            progress(f"resuming after {self.skip} committed batches")
        for plan in planner.persons():
            self.person(plan)
            count += 1
            if count % chunk == 0:
                self.flush()
                self._show(count)
        self.flush()
        self._show(count, "collective acts")
        for act in planner.collective_acts():
            self.collective(act)
            if len(self.tables["participant"].rows) >= 50_000:
                self.flush()
        self.flush()
        self.reset_sequences()
        return self.counts()

    def _show(self, count, doing="") -> None:
        acts = self.tables["act"].written
        if self.bar is not None:
            self.bar.show(count, f"acts {acts:,}" + (f", {doing}" if doing else ""))
        else:
            progress(f"persons {count}, acts {acts}" + (f"; {doing}" if doing else ""))

    # --- rows of one person ---------------------------------------------------------------

    def person(self, plan) -> None:
        t = self.tables
        f = plan.fields
        sharing = [
            e for e in plan.events if e[1] == "consent" and e[2]["scope"] == "network_sharing"
        ]
        withdrawn = any(
            e[1] == "withdraw" and e[2]["scope"] == "network_sharing" for e in plan.events
        )
        pid = t["person"].add(
            uuid=self.uuid(),
            public_id=self.uuid(),
            first_name=f["first_name"],
            last_name=f["last_name"],
            birth_date=f["birth_date"],
            birth_year=f["birth_date"].year if f["birth_date"] else None,
            gender=f["gender"],
            email=f["email"],
            phone=f["phone"],
            postal_code=f["postal_code"],
            situation_id=f["situation"],
            priority_neighbourhood=f["priority_neighbourhood"],
            shares_with_network=bool(sharing) and not withdrawn,
            name_key=normalise(f"{f['last_name']} {f['first_name']}"),
            last_activity_on=plan.last_activity,
            created_by_structure_id=plan.entry,
            created_by_id=plan.creator,
            created_at=plan.created_at,
            updated_at=plan.created_at,
        )
        self.person_ids[plan.key] = pid
        # The network identity keys the person services write (pathways/identity.py).
        for kind, key in identity.keys_of(
            first_name=f["first_name"],
            last_name=f["last_name"],
            birth_year=f["birth_date"].year if f["birth_date"] else None,
            email=f["email"],
            phone=f["phone"],
        ):
            t["identity_key"].add(person_id=pid, kind=kind, key=key)
        human = identity.human_of(
            first_name=f["first_name"], last_name=f["last_name"], birth_date=f["birth_date"]
        )
        if human is not None:
            t["network_person"].add(person_id=pid, human=human)
        for sid, started_on in sorted(plan.seen.items(), key=lambda item: (item[1], item[0])):
            t["accompaniment"].add(
                person_id=pid,
                structure_id=sid,
                referent_id=plan.referent if sid == plan.entry else None,
                started_on=started_on,
                created_at=plan.created_at,
            )
        self.state = {"consents": {}, "referrals": {}, "applications": {}, "projects": {}}
        self.pid = pid
        for at, kind, data in plan.events:
            getattr(self, f"on_{kind}")(at, data)

    def on_consent(self, at, d):
        self.state["consents"][d["scope"]] = self.tables["consent"].add(
            person_id=self.pid,
            scope=d["scope"],
            method=d["method"],
            proof="Formulaire signé, classé au dossier." if d["method"] == "written" else "",
            given_at=at,
            structure_id=d["structure"],
            recorded_by_id=d["user"],
        )

    def on_withdraw(self, at, d):
        pk = self.state["consents"][d["scope"]]
        row = next(r for r in reversed(self.tables["consent"].rows) if r["id"] == pk)
        row["withdrawn_at"] = at
        row["withdrawn_by_id"] = d["user"]

    def on_project(self, at, d):
        pk = self.tables["project"].add(
            uuid=self.uuid(),
            title=d["title"],
            kind=d["kind"],
            sector_id=d["sector"],
            envisaged_legal_form_id=d["legal_form"],
            created_by_structure_id=d["structure"],
            created_by_id=d["user"],
            created_at=at,
            updated_at=at,
        )
        self.tables["project_persons"].add(project_id=pk, person_id=self.pid)
        self.state["projects"][d["key"]] = pk

    def on_project_stage(self, at, d):
        pk = self.state["projects"][d["key"]]
        row = next(r for r in reversed(self.tables["project"].rows) if r["id"] == pk)
        row["current_stage_id"] = d["stage"]
        row["version"] += 1

    def act_row(self, at, d, *, collective=False, title=""):
        return self.tables["act"].add(
            uuid=self.uuid(),
            act_type_id=self.codes["act"][d["type"]][0],
            structure_id=d["structure"],
            staff_id=d["user"],
            offer_id=d["offer"],
            session_id=d["session"],
            occurred_on=d["day"],
            duration_minutes=d["minutes"],
            is_collective=collective,
            title=title,
            created_by_id=d["user"],
            created_at=at,
        )

    def on_act(self, at, d):
        act = self.act_row(at, d, collective=self.codes["act"][d["type"]][1])
        self.tables["participant"].add(act_id=act, person_id=self.pid, attended=True)

    def on_outcome(self, at, d):
        self.tables["outcome"].add(
            uuid=self.uuid(),
            person_id=self.pid,
            project_id=self.state["projects"].get(d["project"]),
            structure_id=d["structure"],
            outcome_type_id=self.codes["outcome"][d["type"]],
            occurred_on=d["day"],
            legal_form_id=d["legal_form"],
            details=d["details"],
            recorded_by_id=d["user"],
            created_at=at,
        )

    # referrals: the row is kept in hand (a dict in the table's buffer) and moved along

    def new_referral(
        self,
        at,
        *,
        key,
        source,
        target,
        user,
        reason,
        shares,
        offer=None,
        project=None,
        shared_info=None,
    ):
        self.tables["referral"].add(
            uuid=self.uuid(),
            person_id=self.pid,
            project_id=project,
            origin="structure",
            from_structure_id=source,
            from_user_id=user,
            to_structure_id=target,
            to_offer_id=offer,
            reason=reason,
            shared_info=(
                shared_info
                if shared_info is not None
                else ("Projet présenté lors de l'entretien d'accueil." if shares else "")
            ),
            shares_person_data=shares,
            status=R.SENT,
            sent_at=at,
            status_changed_at=at,
        )
        row = self.tables["referral"].rows[-1]
        self.state["referrals"][key] = row
        self.transition("referral", row, "", R.SENT, at, user)
        return row

    def move_referral(self, row, to_status, at, user, note="", claim=True):
        self.transition("referral", row, row["status"], to_status, at, user, note)
        if claim:
            row["version"] += 1

    def on_refer(self, at, d):
        self.new_referral(
            at,
            key=d["key"],
            source=d["source"],
            target=d["target"],
            user=d["user"],
            reason=d["reason"],
            shares=d["shares"],
            offer=d["offer"],
            project=self.state["projects"].get(d["project"]),
        )

    def on_received(self, at, d):
        row = self.state["referrals"][d["key"]]
        if row["status"] == R.SENT:
            self.move_referral(row, R.RECEIVED, at, d["user"], claim=False)

    def _answer(self, row, status, at, user, note=""):
        self.move_referral(row, status, at, user, note)
        row["answered_at"] = row["answered_at"] or at

    def on_accept(self, at, d):
        self._answer(self.state["referrals"][d["key"]], R.ACCEPTED, at, d["user"])

    def on_decline(self, at, d):
        row = self.state["referrals"][d["key"]]
        self._answer(row, R.DECLINED, at, d["user"], d["note"])
        row["decline_reason_id"] = self.codes["decline"][d["reason"]][0]
        row["decline_note"] = d["note"]
        row["closed_at"] = at

    def on_redirect(self, at, d):
        row = self.state["referrals"][d["key"]]
        self._answer(row, R.REDIRECTED, at, d["user"], d["note"])
        onward = self.new_referral(
            at,
            key=d["new_key"],
            source=row["to_structure_id"],
            target=d["target"],
            user=d["user"],
            reason=d["note"],
            shares=row["shares_person_data"] and d["shares"],
            project=row["project_id"],
            shared_info=row["shared_info"],
        )
        row["redirected_to_id"] = onward["id"]
        row["closed_at"] = at

    def on_meet(self, at, d):
        row = self.state["referrals"][d["key"]]
        if not row["shares_person_data"] and row["matched_at"] is None:
            row["matched_at"] = at
        if row["status"] == R.ACCEPTED:
            row["version"] += 1
        else:
            self._answer(row, R.ACCEPTED, at, d["user"])
        self.move_referral(row, R.FIRST_MEETING, at, d["user"], claim=False)
        row["first_meeting_on"] = d["day"]

    def on_close(self, at, d):
        row = self.state["referrals"][d["key"]]
        self.move_referral(row, R.CLOSED, at, d["user"])
        row["closed_at"] = at

    def on_cancel(self, at, d):
        row = self.state["referrals"][d["key"]]
        self.move_referral(row, R.CANCELLED, at, d["user"])
        row["closed_at"] = at

    # applications

    def on_apply(self, at, d):
        self.tables["application"].add(
            uuid=self.uuid(),
            person_id=self.pid,
            project_id=self.state["projects"].get(d["project"]),
            offer_id=d["offer"],
            session_id=d["session"],
            structure_id=d["structure"],
            status=A.SUBMITTED,
            submitted_on=d["day"],
            status_changed_at=at,
            created_by_id=d["user"],
        )
        row = self.tables["application"].rows[-1]
        self.state["applications"][d["key"]] = row
        self.transition("application", row, "", A.SUBMITTED, at, d["user"])

    def on_status(self, at, d):
        row = self.state["applications"][d["key"]]
        to = d["to"]
        if "refer_to" in d:
            referral = self.new_referral(
                at,
                key=d["referral"],
                source=row["structure_id"],
                target=d["refer_to"],
                user=d["user"],
                reason=d["reason"],
                shares=d["shares"],
                project=row["project_id"],
                shared_info="",
            )
            row["next_step_referral_id"] = referral["id"]
        elif "no_next_step" in d:
            row["no_next_step_reason_id"] = self.codes["no_next_step"][d["no_next_step"]][0]
            row["no_next_step_note"] = d["note"]
        elif "end" in d:
            row["end_reason_id"] = self.codes["end"][d["end"]["code"]][0]
            row["end_note"] = d["end"]["note"]
        self.transition("application", row, row["status"], to, at, d["user"])
        row["version"] += 1
        if to in DECISIONS and row["decided_at"] is None:
            row["decided_at"] = at

    # collective acts

    def collective(self, act) -> None:
        participants = {}
        for key, attended in act["participants"]:
            participants.setdefault(self.person_ids[key], attended)
        if not participants:
            return
        at = self.ctx.at(act["day"], 17)
        act_id = self.act_row(at, act, collective=True, title=act["title"])
        for pid, attended in participants.items():
            self.tables["participant"].add(act_id=act_id, person_id=pid, attended=attended)


def _sqlite(value):
    """Values as Django stores them in SQLite: UTC datetimes, hex UUIDs, ISO dates."""
    if isinstance(value, uuid.UUID):
        return value.hex
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
