"""The binder: a family's sheets as one PDF (WeasyPrint, like the directory's brochure).

A cover, a table of contents with page numbers, each sheet on its own pages with its status and
date, and every reference to another sheet of the binder followed by its page number (CSS
`target-counter`). Only what the reader may read goes in: the validated version of the public
sheets for everyone, the latest versions for the network's members.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation

from maillage.accounts.rules import member_networks

from . import rendering, selectors
from .models import Family, Sheet, SheetVersion

PDF_LANGUAGE = "fr"


@dataclass
class BinderSheet:
    sheet: Sheet
    version: SheetVersion
    html: str


def binder_content(user, family: Family) -> list[BinderSheet]:
    """The sheets of the binder, rendered, in a fixed number of queries."""
    sheets = list(
        selectors.sheet_visible_to(user)
        .filter(family=family)
        .select_related("published")
        .order_by("code", "pk")
    )
    member = family.network_id in member_networks(user)
    latest = {}
    if member:
        for version in SheetVersion.objects.filter(sheet__in=sheets).order_by("sheet", "number"):
            latest[version.sheet_id] = version
    titles = {sheet.code: sheet.title for sheet in sheets}

    def resolve(code):
        if code not in titles:
            return None
        return rendering.Target(href=f"#sheet-{code}", title=titles[code])

    items = []
    for sheet in sheets:
        version = sheet.published or latest.get(sheet.pk)
        if version is None:
            continue
        items.append(BinderSheet(sheet, version, rendering.render(version.body, resolve)))
    return items


def _refuse_fetch(url, *args, **kwargs):
    raise ValueError(f"The binder does not load external resources ({url}).")


def binder_pdf(user, family: Family, *, base_url: str) -> bytes:
    from weasyprint import HTML  # heavy import, only when a PDF is made

    with translation.override(PDF_LANGUAGE):
        html = render_to_string(
            "knowledge/binder.html",
            {
                "family": family,
                "items": binder_content(user, family),
                "generated_on": timezone.localdate(),
                "LANGUAGE_CODE": PDF_LANGUAGE,
            },
        )
        return HTML(string=html, base_url=base_url, url_fetcher=_refuse_fetch).write_pdf()
