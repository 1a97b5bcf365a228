"""The OpenAPI description of Maillage's HSDS API (the endpoints it implements, nothing more).

Response shapes point to the compiled schemas published by Open Referral for HSDS 3.0.
"""

PROFILE_URL = "https://docs.openreferral.org/en/v3.0/hsds/"
SCHEMAS = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/compiled/"
# A search is a few words: each is one more condition on every row (a 12,000-word query took
# 10 seconds), so a longer one is refused (400).
MAX_SEARCH_CHARACTERS = 200
MAX_SEARCH_WORDS = 10

_PAGE = {
    "type": "object",
    "properties": {
        name: {"type": kind}
        for name, kind in (
            ("total_items", "integer"),
            ("total_pages", "integer"),
            ("page_number", "integer"),
            ("size", "integer"),
            ("first_page", "boolean"),
            ("last_page", "boolean"),
            ("empty", "boolean"),
        )
    },
}


def _parameter(name, kind, description, fmt=None, **bounds):
    schema = {"type": kind, **bounds}
    if fmt:
        schema["format"] = fmt
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


_LIST_PARAMETERS = [
    _parameter(
        "search",
        "string",
        f"Words that must all appear in the name or description (at most {MAX_SEARCH_WORDS}).",
        maxLength=MAX_SEARCH_CHARACTERS,
    ),
    _parameter("page", "integer", "Page number, from 1."),
    _parameter("per_page", "integer", "Items per page, from 1 to 200 (default 50)."),
    _parameter("format", "string", "Only `json`."),
]


def _ok(description, schema):
    return {
        "200": {"description": description, "content": {"application/json": {"schema": schema}}},
        "400": {"description": "A parameter cannot be used; `error` says which and why."},
    }


def _paged(item_schema):
    return {
        "allOf": [{"$ref": "#/components/schemas/Page"}],
        "properties": {"contents": {"type": "array", "items": {"$ref": SCHEMAS + item_schema}}},
    }


def _by_id(description, schema):
    return {
        "parameters": [
            {"in": "path", "name": "id", "required": True, "schema": {"type": "string"}}
        ],
        "get": {
            "summary": description,
            "responses": {
                "200": {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": SCHEMAS + schema}}},
                },
                "404": {"description": "No such identifier."},
            },
        },
    }


def document(server_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Maillage — Open Referral HSDS API",
            "version": "3.0",
            "summary": "The offers and structures of the Maillage directory, read-only.",
            "license": {
                "name": "Licence Ouverte / Open Licence 2.0",
                "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            },
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": server_url.rstrip("/")}],
        "paths": {
            "/": {
                "get": {
                    "summary": "Information about this API and its relationship with HSDS.",
                    "responses": _ok(
                        "Version, profile and the URL of this document.",
                        {
                            "type": "object",
                            "properties": {
                                "version": {"type": "string"},
                                "profile": {"type": "string", "format": "uri"},
                                "openapi_url": {"type": "string", "format": "uri"},
                            },
                        },
                    ),
                }
            },
            "/services": {
                "get": {
                    "summary": "Published offers, one page at a time (one-to-one fields).",
                    "parameters": [
                        *_LIST_PARAMETERS,
                        _parameter(
                            "organization_id", "string", "Services of this organization.", "uuid"
                        ),
                        _parameter(
                            "modified_after",
                            "string",
                            "Services modified on or after this date or date-time.",
                            "date-time",
                        ),
                    ],
                    "responses": _ok("A page of services.", _paged("service_list.json")),
                }
            },
            "/services/{id}": _by_id("A fully nested service.", "service.json"),
            "/organizations": {
                "get": {
                    "summary": "Structures of the directory, one page at a time.",
                    "parameters": _LIST_PARAMETERS,
                    "responses": _ok("A page of organizations.", _paged("organization_list.json")),
                }
            },
            "/organizations/{id}": _by_id(
                "An organization with its locations and its services.", "organization.json"
            ),
        },
        "components": {"schemas": {"Page": _PAGE}},
    }
