from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def language_for(request) -> str:
    """French unless the person chose otherwise.

    The latest explicit choice on this device (the cookie set by the switch or the account page)
    wins; on a device without it, the account's language; else French. The browser's
    Accept-Language is ignored on purpose: the network works in French, and English is something
    one chooses.
    """
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in SUPPORTED:
        return cookie
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in SUPPORTED:
        return user.language
    return settings.LANGUAGE_CODE


def remember_language(response, language: str) -> None:
    """Keep the person's explicit choice of language on this device."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


class LanguageMiddleware:
    """Activates the language of the request (replaces django.middleware.locale.LocaleMiddleware).

    Placed after AuthenticationMiddleware, so that the account's preference can apply.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
