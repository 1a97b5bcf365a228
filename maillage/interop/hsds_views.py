"""The Open Referral HSDS 3.0 API: public, read-only JSON under /open-data/hsds/."""

import datetime
import math
import uuid

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from maillage.core.text import normalise

from . import hsds, hsds_openapi, selectors

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
JSON_OPTIONS = {"ensure_ascii": False}


class BadParameter(ValueError):
    """A query parameter the API cannot use; the message says which and why."""


def _json(data, status=200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params=JSON_OPTIONS)


def _error(message: str, status: int) -> JsonResponse:
    return _json({"error": message, "status": status}, status=status)


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _integer(request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(
            _("The parameter “%(name)s” must be a whole number.") % {"name": name}
        ) from None
    if value < 1 or (maximum is not None and value > maximum):
        raise BadParameter(
            _("The parameter “%(name)s” must be between 1 and %(maximum)s.")
            % {"name": name, "maximum": maximum or "∞"}
        )
    return value


def _uuid(request, name: str) -> uuid.UUID | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise BadParameter(_("The parameter “%(name)s” must be a UUID.") % {"name": name}) from None


def _moment(request, name: str) -> datetime.datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        # A "+" of a time zone offset arrives as a space when the caller did not encode it.
        moment = parse_datetime(raw) or parse_datetime(raw.replace(" ", "+"))
        if moment is None:
            day = parse_date(raw)
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise BadParameter(
            _("The parameter “%(name)s” must be a date or a date and time (ISO 8601).")
            % {"name": name}
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _search_words(request) -> list[str]:
    """The distinct words of the search, once normalised; a 400 beyond the bounds."""
    most_words, most_characters = hsds_openapi.MAX_SEARCH_WORDS, hsds_openapi.MAX_SEARCH_CHARACTERS
    raw = request.GET.get("search", "")
    words = list(dict.fromkeys(normalise(raw[: most_characters + 1]).split()))
    if len(raw) > most_characters or len(words) > most_words:
        raise BadParameter(
            _(
                "The parameter “search” may hold at most %(words)s words and %(characters)s "
                "characters."
            )
            % {"words": most_words, "characters": most_characters}
        )
    return words


def _check_format(request) -> None:
    if request.GET.get("format", "json") != "json":
        raise BadParameter(_("Only the “json” format is available."))


def _page(request, queryset, serialise) -> dict:
    """An HSDS Page: counts, flags and the contents of the page asked for."""
    page_number = _integer(request, "page", 1)
    per_page = _integer(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    total = queryset.count()
    total_pages = max(math.ceil(total / per_page), 1)
    if page_number > total_pages:
        raise BadParameter(
            _("There is no page %(page)s: the last page is %(last)s.")
            % {"page": page_number, "last": total_pages}
        )
    start = (page_number - 1) * per_page
    contents = [serialise(item) for item in queryset[start : start + per_page]]
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number == total_pages,
        "empty": total == 0,
        "contents": contents,
    }


def _answer(view):
    """Public, GET only, and a 400 JSON answer for a parameter the API cannot use."""

    @login_not_required
    @require_safe
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadParameter as error:
            return _error(str(error), 400)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@_answer
def root(request):
    return _json(
        {
            "version": hsds.HSDS_VERSION,
            "profile": hsds_openapi.PROFILE_URL,
            "openapi_url": request.build_absolute_uri(reverse("interop:hsds_openapi")),
        }
    )


@_answer
def openapi(request):
    return _json(hsds_openapi.document(_base_url(request) + reverse("interop:hsds_root")))


@_answer
def services(request):
    _check_format(request)
    offers = selectors.published_offers().select_related("structure__legal_form")
    for word in _search_words(request):
        offers = offers.filter(search_text__contains=word)
    organization_id = _uuid(request, "organization_id")
    if organization_id is not None:
        offers = offers.filter(structure__uuid=organization_id)
    modified_after = _moment(request, "modified_after")
    if modified_after is not None:
        offers = offers.filter(updated_at__gte=modified_after)
    base_url = _base_url(request)
    return _json(_page(request, offers, lambda offer: hsds.service_basic(offer, base_url)))


def _by_uuid(queryset, raw_id: str):
    try:
        return queryset.filter(uuid=uuid.UUID(raw_id)).first()
    except ValueError:
        return None


@_answer
def service(request, id):
    offers = selectors.with_hsds_relations(
        selectors.published_offers().select_related("structure__legal_form")
    )
    offer = _by_uuid(offers, id)
    if offer is None:
        return _error(_("No published service has this identifier."), 404)
    return _json(hsds.service_full(offer, _base_url(request), selectors.departement_names()))


@_answer
def organizations(request):
    _check_format(request)
    structures = selectors.published_structures()
    for word in _search_words(request):
        structures = structures.filter(search_text__contains=word)
    base_url = _base_url(request)
    return _json(
        _page(request, structures, lambda structure: hsds.organization_basic(structure, base_url))
    )


@_answer
def organization(request, id):
    structure = _by_uuid(selectors.published_structures(), id)
    if structure is None:
        return _error(_("No organization of the directory has this identifier."), 404)
    offers = selectors.published_offers().filter(structure=structure)
    return _json(
        hsds.organization_full(structure, offers, _base_url(request), selectors.departement_names())
    )
