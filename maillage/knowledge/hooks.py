"""What the knowledge base plugs into the directory's hooks (registered by `KnowledgeConfig`)."""

from maillage.core import hooks
from maillage.directory.hooks import STRUCTURE_PAGE_CONTEXT


@hooks.register(STRUCTURE_PAGE_CONTEXT)
def sheets_about_structure(*, structure):
    """The public sheets about the structure, for its public page (one query, at most 20)."""
    from .selectors import public_sheets

    sheets = (
        public_sheets()
        .filter(structures=structure)
        .select_related("network")
        .order_by("code", "pk")
        .distinct()[:20]
    )
    return {"knowledge_sheets": list(sheets)}
