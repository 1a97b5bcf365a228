from django.urls import URLPattern, URLResolver, get_resolver

from tests.pages import NOT_PAGES, PAGES


def url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace != "admin":  # Django's admin is scanned on its own
                yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_either_a_scanned_page_or_declared_as_not_a_page():
    declared = {page.url_name for page in PAGES} | set(NOT_PAGES)
    existing = set(url_names(get_resolver().url_patterns))
    assert existing - declared == set(), "add these to tests/pages.py (PAGES or NOT_PAGES)"
    assert declared - existing == set(), "these no longer exist: remove them from tests/pages.py"
