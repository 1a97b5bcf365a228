from django.core.paginator import Paginator
from django.template.loader import render_to_string


def render(number, **context):
    page = Paginator(range(60), 25).page(number)
    return render_to_string(
        "components/pagination.html", {"page": page, "label": "Pages", "query": "", **context}
    )


def test_links_keep_the_other_parameters_escaped_once():
    html = render(2, query="structure=intermade&")
    assert 'href="?structure=intermade&amp;page=1"' in html
    assert 'href="?structure=intermade&amp;page=3"' in html
    assert 'aria-label="Pages"' in html


def test_no_navigation_for_a_single_page():
    page = Paginator(range(3), 25).page(1)
    assert "<nav" not in render_to_string(
        "components/pagination.html", {"page": page, "label": "", "query": ""}
    )


def test_first_page_has_no_previous_link():
    html = render(1)
    assert 'href="?page=2"' in html and "page=0" not in html
