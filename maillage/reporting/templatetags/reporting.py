"""Template filters of the reporting pages."""

from django import template

from .. import labels

register = template.Library()


@register.filter
def report_title(network) -> str:
    """The title of a network's report, its name with the right article (see `labels`)."""
    return labels.report_title(network)
