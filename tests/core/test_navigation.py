"""The main menu marks the page the reader is on, and only that one: several apps name their
first page "home", which must not light the site's "Home" as well."""

import re

import pytest
from django.urls import reverse

from tests.factories import StructureMembershipFactory

pytestmark = pytest.mark.django_db


def current_links(html: str) -> list[str]:
    nav = html[html.index('class="site-nav"') : html.index("</nav>")]
    return re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', nav)


@pytest.mark.parametrize(
    ("url_name", "label"),
    [
        ("home", "Accueil"),
        ("pathways:home", "Suivi des parcours"),
        ("assessments:home", "Évaluations"),
        ("directory:search", "Rechercher"),
        ("accounts:account", "Mon compte"),
    ],
)
def test_the_menu_marks_the_current_page_only(client, url_name, label):
    client.force_login(StructureMembershipFactory().user)
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="fr", follow=True)
    assert current_links(response.content.decode()) == [label]
