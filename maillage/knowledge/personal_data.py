"""The knowledge base holds no person followed by the network: sheets are written by the
network's staff about its practices (the authors and reviewers are users, named on purpose as
who validated what). Every field is classified here so a new one must be thought about.
"""

from maillage.core.personal_data import register

register(
    "knowledge.Family",
    not_personal=(
        "id",
        "network",
        "slug",
        "name",
        "description",
        "code_pattern",
        "is_public",
        "quorum",
        "position",
    ),
)
register(
    "knowledge.LinkType",
    not_personal=("id", "network", "code", "label", "inverse_label", "position"),
)
register("knowledge.Tag", not_personal=("id", "network", "slug", "label"))
register(
    "knowledge.Sheet",
    not_personal=(
        "id",
        "network",
        "family",
        "code",
        "title",
        "is_public",
        "structure",
        "published",
        "review_by",
        "reminded_for",
        "search_title",
        "search_body",
        "created_at",
        "updated_at",
    ),
)
register(
    "knowledge.SheetVersion",
    not_personal=(
        "id",
        "sheet",
        "number",
        "title",
        "body",
        "status",
        "author",
        "created_at",
        "updated_at",
        "decided_at",
    ),
)
register(
    "knowledge.VersionStatusLog",
    not_personal=("id", "version", "from_status", "to_status", "at", "by", "note"),
)
register("knowledge.SheetLink", not_personal=("id", "source", "target", "link_type", "from_text"))
register("knowledge.BrokenReference", not_personal=("id", "sheet", "code"))
register(
    "knowledge.Review",
    not_personal=("id", "version", "reviewer", "structure", "decision", "comment", "created_at"),
)
register(
    "knowledge.Comment",
    not_personal=("id", "version", "author", "quote", "start", "end", "body", "created_at"),
)
register(
    "knowledge.Attachment",
    not_personal=(
        "id",
        "uuid",
        "sheet",
        "file",
        "name",
        "size",
        "content_type",
        "added_in",
        "removed_in",
        "added_by",
        "created_at",
    ),
)
