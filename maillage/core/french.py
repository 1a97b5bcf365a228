"""French built from pieces (issue 17, point 1): "de"/"à" before a name.

A translated sentence such as "Consentement de %(name)s" is right for "Camille" but wrong for
"Aurélie" (d'Aurélie), "Le Tremplin" (du Tremplin), "Les Ateliers" (des Ateliers) or "le site
public" (du site public). `contract(preposition, name)` gives the right form; `with_names(text,
*names)` fixes a sentence once its names are in, in French only, and only where "de" or "à" sits
right before one of the given names (nothing else in the sentence is touched). Templates use the
`with_names` filter of the `maillage` tag library on a `{% blocktranslate asvar %}` result.

Every elision and contraction is applied: de + vowel or h → d', de + le → du, de + les → des,
à + le → au, à + les → aux ("la" and "l'" stay: de la, à l'); que + vowel or h → qu'.
"""

import re

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

VOWELS = frozenset("aàâäeéèêëiîïoôöuùûüyÿæœh")


def contract(preposition: str, name: str) -> str:
    """ "de", "à" or "que" followed by `name`, elided or contracted as French writes it."""
    name = str(name)
    words = name.split(" ", 1)
    first = words[0].lower()
    rest = words[1] if len(words) > 1 else ""
    if rest and first in ("le", "les") and preposition != "que":
        if preposition == "de":
            return f"{'du' if first == 'le' else 'des'} {rest}"
        return f"{'au' if first == 'le' else 'aux'} {rest}"
    if preposition in ("de", "que") and name[:1].lower() in VOWELS:
        return f"{preposition[:-1]}'{name}"
    return f"{preposition} {name}"


class Named(str):
    """A name that takes an article in a French sentence ("le Réseau …"): shown without it,
    contracted with it ("du Réseau …", "au Réseau …", "de la Coopérative …")."""

    article: str = ""

    def __new__(cls, name, article: str = ""):
        named = super().__new__(cls, name)
        named.article = article or ""
        return named


def _with_article(name: str, article: str) -> str:
    if not article:
        return name
    return f"{article}{name}" if article.endswith("'") else f"{article} {name}"


def _is_french() -> bool:
    return (get_language() or "").split("-")[0] == "fr"


def with_names(text: str, *names) -> str:
    """`text` with "de"/"à" contracted before each of `names` (French only; else unchanged).

    Safe (escaped) text is matched against the escaped names and stays safe.
    """
    if not _is_french():
        return text
    safe = isinstance(text, SafeString)
    result = str(text)
    for name in names:
        if name is None or name == "":
            continue
        article = getattr(name, "article", "")
        shown = str(conditional_escape(name)) if safe else str(name)
        pattern = re.compile(
            r"(?<![\w'\u2019])(de|De|à|À|que|Que) " + re.escape(shown) + r"(?![\w])"
        )

        def replace(match, shown=shown, article=article):
            word = match.group(1)
            fixed = contract(word.lower(), _with_article(shown, article))
            if safe:  # the added apostrophe, escaped as the rest of the text
                fixed = (
                    fixed.replace("'", "&#x27;", 1) if fixed.startswith(("d'", "qu'")) else fixed
                )
            return fixed[:1].upper() + fixed[1:] if word[0].isupper() else fixed

        result = pattern.sub(replace, result)
    # Safe: only words of ours ("d'", "du", "au"…) were put into text escaped already.
    return mark_safe(result) if safe else result  # noqa: S308


def fill(template: str, **values) -> str:
    """`template % values`, with "de"/"à" contracted before each value (French only)."""
    return with_names(template % values, *values.values())
