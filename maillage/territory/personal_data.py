"""The territory app holds no data about project holders: actors are organisations, and the
users who propose or validate are staff of the network (their accounts live in `accounts`)."""

from maillage.core.personal_data import register

_PROPOSAL = ("id", "snapshot", "status", "proposed_by", "proposed_at", "decided_at", "carried_over")

register("territory.ActorSystem", not_personal=("id", "structure", "network", "created_at"))
register(
    "territory.Actor",
    not_personal=("id", "system", "name", "kind", "level", "structure", "is_owner", "created_at"),
)
register(
    "territory.Snapshot",
    not_personal=(
        "id",
        "system",
        "year",
        "status",
        "copied_from",
        "created_at",
        "created_by",
        "validated_at",
        "validated_by",
    ),
)
register("territory.SnapshotActor", not_personal=("id", "snapshot", "actor"))
register(
    "territory.ProfileProposal",
    not_personal=(
        *_PROPOSAL,
        "actor",
        "references",
        "practices",
        "resource_technical",
        "resource_financial",
        "resource_rules",
        "resource_information",
        "resource_symbolic",
        "resource_means",
        "resources_note",
    ),
)
register(
    "territory.RelationProposal",
    not_personal=(*_PROPOSAL, "actor_a", "actor_b", "nature", "object", "note"),
)

# Social-utility frameworks: aggregates and values entered by staff, no person in them.
register(
    "territory.Framework",
    not_personal=(
        "id",
        "structure",
        "network",
        "title",
        "stakeholders",
        "number",
        "previous",
        "is_template",
        "copied_from",
        "provenance",
        "created_at",
    ),
)
register("territory.Dimension", not_personal=("id", "framework", "name", "position"))
register("territory.Criterion", not_personal=("id", "dimension", "name", "position"))
register(
    "territory.UtilityIndicator",
    not_personal=(
        "id",
        "criterion",
        "code",
        "name",
        "kind",
        "report_code",
        "instrument",
        "score_part",
        "score_key",
        "aggregate",
        "continues",
        "unit",
        "target",
        "source",
        "position",
    ),
)
register(
    "territory.Measurement",
    not_personal=("id", "indicator", "year", "value", "comment", "entered_by", "entered_at"),
)
