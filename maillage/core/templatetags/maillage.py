import math
from datetime import timedelta

from django import template
from django.utils.formats import localize
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def minutes(value) -> int:
    """A duration in whole minutes, rounded up (1 at least)."""
    if isinstance(value, timedelta):
        return max(1, math.ceil(value.total_seconds() / 60))
    return 0


@register.filter
def in_minutes(value: int) -> str:
    """ "12 minutes": the words of `{% blocktranslate count %}`, for a list of hundreds of rows
    (the tag costs ten times as much, a tenth of a long person page, issue 18)."""
    return ngettext("%(minutes)s minute", "%(minutes)s minutes", value) % {
        "minutes": localize(value)
    }


@register.filter(is_safe=True)
def with_names(text, name):
    """French "de"/"à" contracted before `name` in a translated sentence (`core.french`):
    `{% blocktranslate asvar title with name=x %}…{% endblocktranslate %}{{ title|with_names:x }}`
    (chain the filter for a sentence with two names)."""
    from maillage.core.french import with_names as contract_names

    return contract_names(text, name)
