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
from maillage.core.pdf import refuse_fetch

from . import rendering, selectors
from .models import Family, Sheet, SheetVersion

PDF_LANGUAGE = "fr"


@dataclass
class BinderSheet:
    sheet: Sheet
    version: SheetVersion
    html: str


@dataclass
class Binder:
    title: str
    network: object
    items: list[BinderSheet]


def binder_content(
    user, family: Family | None = None, *, network=None, codes=()
) -> list[BinderSheet]:
    """The sheets of the binder (a family, or chosen codes of a network), rendered, in a fixed
    number of queries."""
    sheets = selectors.sheet_visible_to(user)
    if family is not None:
        network = family.network
        sheets = sheets.filter(family=family)
    else:
        sheets = sheets.filter(network=network, code__in=list(codes))
    sheets = list(sheets.select_related("published").order_by("code", "pk"))
    member = network.pk in member_networks(user)
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


def make_binder(user, family: Family | None = None, *, network=None, codes=()) -> Binder:
    if family is not None:
        return Binder(family.name, family.network, binder_content(user, family))
    return Binder(
        translation.gettext("Chosen sheets"),
        network,
        binder_content(user, network=network, codes=codes),
    )


def binder_html(binder: Binder, *, html_page: bool = False) -> str:
    """The binder as one HTML document: for WeasyPrint, or as a single page to read and save
    (same cover, table of contents and sheets; cross-references are links to anchors)."""
    with translation.override(PDF_LANGUAGE):
        return render_to_string(
            "knowledge/binder.html",
            {
                "binder": binder,
                "items": binder.items,
                "generated_on": timezone.localdate(),
                "LANGUAGE_CODE": PDF_LANGUAGE,
                "html_page": html_page,
            },
        )


def binder_pdf(binder: Binder, *, base_url: str) -> bytes:
    from weasyprint import HTML  # heavy import, only when a PDF is made

    html = binder_html(binder)
    return HTML(string=html, base_url=base_url, url_fetcher=refuse_fetch).write_pdf()
