"""`in_minutes`: an act's duration in words, as `{% blocktranslate count %}` wrote it."""

import pytest
from django.template import Context, Template
from django.utils import translation

pytestmark = pytest.mark.sqlite


@pytest.mark.parametrize(
    ("language", "minutes", "text"),
    [
        ("fr", 1, "1 minute"),
        ("fr", 90, "90 minutes"),
        ("fr", 1500, "1500 minutes"),
        ("en", 1, "1 minute"),
        ("en", 1500, "1500 minutes"),
    ],
)
def test_the_duration_reads_as_the_tag_wrote_it(language, minutes, text):
    with translation.override(language):
        filtered = Template("{% load maillage %}{{ n|in_minutes }}").render(Context({"n": minutes}))
        tagged = Template(
            "{% load i18n %}{% blocktranslate count minutes=n %}{{ minutes }} minute"
            "{% plural %}{{ minutes }} minutes{% endblocktranslate %}"
        ).render(Context({"n": minutes}))
    assert filtered == tagged
    assert filtered == text
