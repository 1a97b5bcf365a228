"""A sheet's Markdown as safe HTML, and its references to other sheets by code.

CommonMark with raw HTML disabled (markdown-it-py), then sanitised (nh3): no script, no iframe,
no `javascript:` link can come out, whatever the text holds. A reference is written `[[CODE]]`
(a "see also" link) or `[[type:CODE]]` with the code of a type of link of the network
(`[[method-for:II-B-1]]`).
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt

REFERENCE = re.compile(r"\[\[(?:([a-z][a-z0-9-]*):)?([A-Za-z0-9][A-Za-z0-9._-]{0,39})\]\]")
SEE_ALSO = "see-also"

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "span", "strong", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
ALLOWED_CLASSES = {"a": {"sheet-ref"}, "span": {"sheet-ref-broken"}}


@dataclass(frozen=True)
class Reference:
    code: str
    type_code: str  # SEE_ALSO unless written [[type:CODE]]
    line: int  # 1-based line of the text where it is written


def references(text: str) -> list[Reference]:
    """Every reference written in the text, in order (repeated ones too)."""
    found = []
    for match in REFERENCE.finditer(text or ""):
        line = text.count("\n", 0, match.start()) + 1
        found.append(Reference(match.group(2), match.group(1) or SEE_ALSO, line))
    return found


@dataclass(frozen=True)
class Target:
    """Where a reference leads: the URL (or `#anchor` in the binder) and the sheet's title."""

    href: str
    title: str


def render(text: str, resolve: Callable[[str], Target | None] = lambda code: None) -> str:
    """Sanitised HTML of the Markdown `text`; each reference becomes a link to what `resolve`
    returns for its code, or a marked broken reference."""
    rendered = _markdown.render(text or "")

    def replace(match):
        # The HTML is already escaped by markdown-it: the code holds no markup.
        code = html.unescape(match.group(2))
        target = resolve(code)
        if target is None:
            return f'<span class="sheet-ref-broken">{html.escape(code)}</span>'
        return (
            f'<a class="sheet-ref" href="{html.escape(target.href)}" '
            f'title="{html.escape(target.title)}">{html.escape(code)}</a>'
        )

    rendered = REFERENCE.sub(replace, rendered)
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
