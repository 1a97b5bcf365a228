"""Where the assessments app keeps personal data (see `maillage.core.personal_data`).

Instruments hold none. An assessment of a project or of a person's accompaniment is about that
person: its title and comments are scrubbed of the person's names at erasure, free-text answers
cleared; scores and dates are kept for statistics. A committee's reasons are scrubbed likewise.
"""

from django.db.models import Q

from maillage.core.personal_data import Clear, Keep, Scrub, register

for _label, _fields in (
    ("Instrument", ("id", "code", "family", "created_at")),
    (
        "InstrumentVersion",
        (
            "id",
            "instrument",
            "number",
            "title_fr",
            "title_en",
            "content",
            "source",
            "continues",
            "loaded_at",
        ),
    ),
    ("Section", ("id", "version", "key", "position", "title", "weight", "scoring")),
    (
        "Criterion",
        ("id", "section", "version", "key", "position", "title", "weight", "priority", "scoring"),
    ),
    (
        "Item",
        (
            "id",
            "criterion",
            "version",
            "key",
            "position",
            "type",
            "text",
            "weight",
            "priority",
            "allows_not_applicable",
            "spec",
            "continues",
        ),
    ),
    (
        "Committee",
        (
            "id",
            "uuid",
            "offer_session",
            "structure",
            "version",
            "chair",
            "status",
            "held_on",
            "created_at",
        ),
    ),
):
    register(f"assessments.{_label}", not_personal=_fields)


def _about_person(prefix: str):
    def rows(context):
        from .models import Answer, Assessment

        model = Answer if prefix else Assessment
        person = context.subject
        return model._base_manager.filter(
            Q(**{f"{prefix}project__persons": person})
            | Q(**{f"{prefix}accompaniment__person": person})
        ).distinct()

    return rows


def _text_cleared(row, value, context):
    """Free-text answers may name the person: cleared; scores are kept."""
    return None if row.item.type == "text" else value


register(
    "assessments.Assessment",
    rows=_about_person(""),
    fields={"title": Scrub(), "assessed_on": Keep()},
    not_personal=(
        "id",
        "uuid",
        "version",
        "subject_kind",
        "project",
        "accompaniment",
        "subject_structure",
        "network",
        "offer_session",
        "context",
        "structure",
        "status",
        "created_by",
        "created_at",
    ),
)
register(
    "assessments.Answer",
    rows=_about_person("assessment__"),
    fields={"value": Clear(value=_text_cleared), "not_applicable": Keep(), "comment": Scrub()},
    not_personal=("id", "assessment", "item", "answered_by", "answered_at"),
)
register(
    "assessments.Review",
    link="application__person",
    fields={"state": Keep(), "abstention_reason": Scrub(), "submitted_at": Keep()},
    not_personal=("id", "committee", "application", "member"),
)
register(
    "assessments.ReviewScore",
    link="review__application__person",
    fields={"value": Keep(), "not_applicable": Keep()},
    not_personal=("id", "review", "item"),
)
register(
    "assessments.AgreedValue",
    link="application__person",
    fields={"value": Keep(), "reason": Scrub(), "recorded_at": Keep()},
    not_personal=("id", "committee", "application", "criterion", "recorded_by"),
)
register(
    "assessments.ScoreChange",
    link="application__person",
    fields={"before": Keep(), "after": Keep(), "at": Keep()},
    not_personal=("id", "committee", "application", "by", "target"),
)
# A collective appraisal of a project is about its carriers: its title and the arguments' texts
# are scrubbed of the person's names at erasure; positions and dates are kept for statistics.
register(
    "assessments.Appraisal",
    link="project__persons",
    fields={"title": Scrub(), "held_on": Keep()},
    not_personal=(
        "id",
        "uuid",
        "version",
        "subject_kind",
        "project",
        "subject_structure",
        "network",
        "structure",
        "facilitator",
        "priorities",
        "status",
        "result",
        "created_at",
    ),
)
register(
    "assessments.Argument",
    link="appraisal__project__persons",
    fields={"text": Scrub(), "position_after": Keep(), "amount": Keep()},
    not_personal=(
        "id",
        "appraisal",
        "number",
        "speaker",
        "side",
        "item",
        "recorded_by",
        "recorded_at",
    ),
)
register(
    "assessments.PlanStepLink",
    not_personal=("id", "assessment", "criterion", "step", "created_by", "created_at"),
)
