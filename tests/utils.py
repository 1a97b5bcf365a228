import html


def page_text(response) -> str:
    """The page as a person reads it: HTML entities decoded (l&#x27;équipe → l'équipe)."""
    return html.unescape(response.content.decode())
