"""Forms and form helpers every app shares."""

from collections.abc import Mapping

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _


class LongSelect(forms.Select):
    """A select of hundreds of options (a network's offers, structures, territories), written
    in Python: Django renders each option through two templates, about 60 µs each, which made
    the report page's filters 60 ms of a national network's page. The same HTML as
    `django/forms/widgets/select.html` (no option groups)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '\n  <option value="{}"{}>{}</option>',
            (
                (str(option["value"]), flatatt(option["attrs"]), option["label"])
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}\n</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


def add_service_errors(form, error: ValidationError, aliases: Mapping[str, str] | None = None):
    """Show a service's ValidationError on the form that called it.

    Each message goes on the field it names when the form has that field (`aliases` maps a
    service's argument to the form's field, e.g. {"persons": "attendees"}), else above the form.
    The one way every view puts a refused write back on its form.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    aliases = aliases or {}
    for name, errors in error.error_dict.items():
        name = aliases.get(name, name)
        form.add_error(name if name in form.fields else None, errors)
