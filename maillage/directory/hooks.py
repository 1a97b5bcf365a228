"""The hooks the directory offers to the apps built on it (see `maillage.core.hooks`)."""

# Called inside the transaction that saves a public contact request, with
# `contact_request=<ContactRequest>`; an exception rolls the request back.
CONTACT_REQUEST_SAVED = "directory.contact_request_saved"

# Called for the public structure page with `structure=<Structure>`; each returns a dict merged
# into the page's context (e.g. the pathways' median response time).
STRUCTURE_PAGE_CONTEXT = "directory.structure_page_context"

# Called for the orientation page with `network`, `territory` and `thematiques` (data·inclusion
# codes or None); each returns a queryset or list of outside resources, most relevant first.
OUTSIDE_RESOURCES = "directory.outside_resources"
