import math
from datetime import timedelta

from django import template

from maillage.accounts.rules import can as can_rule

register = template.Library()


@register.filter
def minutes(value) -> int:
    """A duration in whole minutes, rounded up (1 at least)."""
    if isinstance(value, timedelta):
        return max(1, math.ceil(value.total_seconds() / 60))
    return 0


@register.simple_tag(takes_context=True)
def can(context, action, obj=None):
    """`{% can "change_structure" structure as allowed %}`: asks accounts.rules, never decides."""
    return can_rule(context["request"].user, action, obj)
