"""The right-of-access export as a readable A4 PDF (WeasyPrint, as the directory's brochure).

The PDF is made from the same data as the JSON export, in the language of the request. Like the
brochure, it loads nothing from outside: fonts are the Debian ones WeasyPrint embeds and the
stylesheet is read from the static files.
"""

from django.template.loader import render_to_string

from maillage.core.dates import readable_dates
from maillage.core.pdf import write_pdf

STYLESHEET = "maillage/person_export.css"


def render_html(data: dict) -> str:
    """The export for a reader: its ISO dates and timestamps written in the reader's language
    and the network's time zone (the JSON export keeps them ISO)."""
    return render_to_string("pathways/gdpr/export_pdf.html", {"data": readable_dates(data)})


def render_pdf(data: dict, *, base_url: str) -> bytes:
    return write_pdf(render_html(data), base_url=base_url, stylesheet=STYLESHEET)
