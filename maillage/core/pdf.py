"""PDF documents written by WeasyPrint, fetching nothing from outside (the one fetch refusal
of every document: brochure, binder, reports, access export, assessments)."""

from django.contrib.staticfiles import finders


def refuse_fetch(url, *args, **kwargs):
    """A document needs nothing from outside: WeasyPrint may not fetch any URL."""
    raise ValueError(f"The document does not load external resources ({url}).")


def write_pdf(html: str, *, base_url: str, stylesheet: str) -> bytes:
    """The PDF bytes of `html`, styled by the static file `stylesheet`."""
    from weasyprint import CSS, HTML  # heavy import, only when a PDF is made

    css = CSS(filename=finders.find(stylesheet), url_fetcher=refuse_fetch)
    return HTML(string=html, base_url=base_url, url_fetcher=refuse_fetch).write_pdf(
        stylesheets=[css]
    )
