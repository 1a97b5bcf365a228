"""The API documentation (Swagger UI from drf-spectacular-sidecar) works under our strict CSP."""

import pytest

from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_render_the_directory_endpoints_without_policy_violation(page):
    OfferFactory(title="Starter")
    response = page.goto("/api/docs/")
    assert response.ok
    # Swagger UI builds the page from the schema with its own scripts (no inline code).
    page.get_by_text("/api/v1/offers/", exact=True).first.wait_for()
    assert page.get_by_text("/api/v1/structures/", exact=True).count() >= 1
    operation = page.locator(".opblock-summary", has_text="/api/v1/offers/").first
    operation.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.locator(".live-responses-table .response-col_status", has_text="200").wait_for()
    assert "Starter" in page.locator(".live-responses-table").inner_text()
