"""`LongSelect` writes the HTML Django's `Select` renders through its templates, faster."""

import pytest
from django import forms
from django.test.html import parse_html

from maillage.core.forms import LongSelect

pytestmark = pytest.mark.sqlite

CHOICES = [
    ("", "All"),
    ("coop-a", "Coopérative A & fils — <Marseille>"),
    ("b", 'Incubateur "B"'),
    ("c", "Café l'Escale"),
]


class Plain(forms.Form):
    where = forms.ChoiceField(choices=CHOICES, required=False, help_text="Pick one.")


class Long(forms.Form):
    where = forms.ChoiceField(
        choices=CHOICES, required=False, help_text="Pick one.", widget=LongSelect
    )


@pytest.mark.parametrize("value", [None, "", "b", "c", "unknown"])
def test_the_same_select_as_django_writes(value):
    data = None if value is None else {"where": value}
    plain, long = Plain(data)["where"], Long(data)["where"]
    assert parse_html(str(long)) == parse_html(str(plain))


def test_labels_and_values_are_escaped_and_the_choice_is_selected():
    html = str(Long({"where": "coop-a"})["where"])
    assert "Coopérative A &amp; fils — &lt;Marseille&gt;" in html
    assert '<option value="coop-a" selected>' in html
    assert 'id="id_where"' in html and 'aria-describedby="id_where_helptext"' in html
    assert html.count("<option") == len(CHOICES)
