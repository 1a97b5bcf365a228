"""Reads of the knowledge base. `sheet_visible_to(user)` is the one answer to "which sheets may
this user read": pages, the API, the search and the exports all start from it."""

import datetime
from collections import OrderedDict

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.rules import member_networks
from maillage.core.personal_data import folded

from . import rendering
from .models import (
    Attachment,
    Comment,
    Family,
    LinkType,
    Review,
    ReviewDecision,
    Sheet,
    SheetLink,
    SheetVersion,
)


def public_sheets() -> QuerySet:
    """Readable by anyone: a validated version, in a public family, the sheet itself public."""
    return Sheet.objects.filter(published__isnull=False, is_public=True, family__is_public=True)


def sheet_visible_to(user) -> QuerySet:
    """Members of a network read all its sheets (drafts and internal ones too); everyone else
    reads the public sheets, in their validated version."""
    networks = member_networks(user)
    condition = Q(published__isnull=False, is_public=True, family__is_public=True)
    if networks:
        condition |= Q(network__in=networks)
    return Sheet.objects.filter(condition)


def is_member_reader(user, sheet: Sheet) -> bool:
    return sheet.network_id in member_networks(user)


def families_visible_to(user) -> QuerySet:
    networks = member_networks(user)
    condition = Q(is_public=True)
    if networks:
        condition |= Q(network__in=networks)
    return Family.objects.filter(condition)


def sheet_list(user, *, family=None, tag=None, stage=None, structure=None) -> QuerySet:
    """The list of sheets a user reads, filtered; in a fixed number of queries."""
    sheets = sheet_visible_to(user)
    if family:
        sheets = sheets.filter(family__slug=family)
    if tag:
        sheets = sheets.filter(tags__slug=tag)
    if stage:
        sheets = sheets.filter(stages__slug=stage)
    if structure:
        sheets = sheets.filter(structures__slug=structure)
    return (
        sheets.select_related("family", "published", "network")
        .prefetch_related("tags")
        .order_by("code", "pk")
    )


def search_sheets(user, query: str, **filters) -> QuerySet:
    """French full-text search (PostgreSQL) over the folded code, title and published text,
    codes and titles ranked first; on SQLite, every word must appear."""
    words = folded(query)
    sheets = sheet_list(user, **filters)
    if not words:
        return sheets.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("search_title", weight="A", config="french") + SearchVector(
            "search_body", weight="D", config="french"
        )
        search_query = SearchQuery(words, config="french", search_type="plain")
        # The code as typed ("I-C-2-a") is also matched as a phrase of the title column.
        code_query = SearchQuery(words, config="simple", search_type="phrase")
        title_vector = SearchVector("search_title", weight="A", config="simple")
        return (
            sheets.annotate(
                document=vector,
                title_document=title_vector,
                rank=SearchRank(vector, search_query) + SearchRank(title_vector, code_query),
            )
            .filter(
                Q(document=search_query)
                | Q(title_document=code_query)
                | Q(code__iexact=query.strip())
            )
            .order_by("-rank", "code", "pk")
        )
    condition = Q()
    for word in words.split():
        condition &= Q(search_title__contains=word) | Q(search_body__contains=word)
    return sheets.filter(condition)


def version_shown(user, sheet: Sheet) -> SheetVersion | None:
    """What the reader reads: the published version; for a member of the network, the latest
    version when none is validated yet."""
    if sheet.published_id:
        return sheet.published
    if is_member_reader(user, sheet):
        return sheet.versions.order_by("-number").first()
    return None


def resolver(network, codes, *, visible: QuerySet, anchor: bool = False):
    """A function code -> `rendering.Target` for the references of a text (one query)."""
    sheets = {
        code: (pk, title)
        for code, pk, title in visible.filter(network=network.pk, code__in=set(codes)).values_list(
            "code", "pk", "title"
        )
    }

    def resolve(code):
        if code not in sheets:
            return None
        href = (
            f"#sheet-{code}"
            if anchor
            else reverse("knowledge:sheet", kwargs={"network": network.slug, "code": code})
        )
        return rendering.Target(href=href, title=sheets[code][1])

    return resolve


def render_version(user, version: SheetVersion | None, *, anchor: bool = False) -> str:
    if version is None:
        return ""
    codes = [ref.code for ref in rendering.references(version.body)]
    resolve = resolver(version.sheet.network, codes, visible=sheet_visible_to(user), anchor=anchor)
    return rendering.render(version.body, resolve)


def backlinks(user, sheet: Sheet) -> "OrderedDict[str, list[Sheet]]":
    """The sheets the reader may read that link to this one, grouped by the type of link read
    backwards ("Cited by", "Illustrated by"…)."""
    links = (
        SheetLink.objects.filter(target=sheet, source__in=sheet_visible_to(user))
        .select_related("source", "link_type")
        .order_by("link_type__position", "source__code")
    )
    grouped: OrderedDict[str, list[Sheet]] = OrderedDict()
    for link in links:
        sources = grouped.setdefault(link.link_type.inverse_label, [])
        if link.source not in sources:
            sources.append(link.source)
    return grouped


def outgoing_links(user, sheet: Sheet) -> list[SheetLink]:
    return list(
        SheetLink.objects.filter(source=sheet, target__in=sheet_visible_to(user))
        .select_related("target", "link_type")
        .order_by("link_type__position", "target__code")
    )


def validations_of(version: SheetVersion | None) -> list[Review]:
    """Who validated the version, for whom, and when."""
    if version is None:
        return []
    return list(
        version.reviews.filter(decision=ReviewDecision.VALIDATE)
        .select_related("reviewer", "structure")
        .order_by("created_at", "pk")
    )


def versions_of(sheet: Sheet) -> list[SheetVersion]:
    return list(
        sheet.versions.select_related("author")
        .prefetch_related(
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer", "structure")),
            Prefetch("comments", queryset=Comment.objects.select_related("author")),
        )
        .order_by("-number")
    )


def sheets_due_for_review(*, on: datetime.date | None = None) -> QuerySet:
    """Sheets whose "review by" date has come: their authors are reminded."""
    on = on or timezone.localdate()
    return (
        Sheet.objects.filter(review_by__isnull=False, review_by__lte=on)
        .select_related("family", "network")
        .prefetch_related("authors")
        .order_by("review_by", "code")
    )


def sheets_of_author(user) -> QuerySet:
    return (
        Sheet.objects.filter(authors=user)
        .select_related("family", "network")
        .prefetch_related("broken_references")
        .order_by("code")
    )


# --- Attachments --------------------------------------------------------------------------------


def attachments_in(sheet: Sheet, number: int) -> list[Attachment]:
    """The files version `number` of the sheet carries."""
    return list(
        sheet.attachments.filter(added_in__lte=number)
        .filter(Q(removed_in__isnull=True) | Q(removed_in__gt=number))
        .order_by("name", "pk")
    )


def current_attachments(sheet: Sheet) -> list[Attachment]:
    """The files the next text carries (what the authors manage)."""
    return list(sheet.attachments.filter(removed_in__isnull=True).order_by("name", "pk"))


def attachment_visible_to(user, sheet: Sheet) -> QuerySet:
    """The attachments of a sheet (read through `sheet_visible_to`) the user may download: all
    of them for the network's members; for everyone else those of the validated version (a
    draft's files are never public)."""
    attachments = Attachment.objects.filter(sheet=sheet)
    if is_member_reader(user, sheet):
        return attachments
    if not sheet.published_id:
        return attachments.none()
    number = sheet.published.number
    return attachments.filter(added_in__lte=number).filter(
        Q(removed_in__isnull=True) | Q(removed_in__gt=number)
    )


# --- What a sheet is about ----------------------------------------------------------------------


def subjects_of(user, sheet: Sheet) -> dict[str, list]:
    """The Maillage objects the sheet is about, each with where to read it (working groups only
    when the reader may see them)."""
    from maillage.collab.selectors import group_visible_to

    return {
        "stages": list(sheet.stages.select_related("network").order_by("position", "name")),
        "structures": list(sheet.structures.order_by("name")),
        "offers": list(sheet.offers.select_related("structure").order_by("title")),
        "instruments": list(sheet.instruments.order_by("code")),
        "working_groups": list(
            sheet.working_groups.filter(pk__in=group_visible_to(user).values("pk")).order_by("name")
        ),
    }


# --- The network's referential ------------------------------------------------------------------


def referential_of(network) -> tuple[list[Family], list[LinkType]]:
    from django.db.models import Count

    families = list(
        Family.objects.filter(network=network)
        .annotate(sheet_count=Count("sheets"))
        .order_by("position", "name")
    )
    types = list(LinkType.objects.filter(network=network).order_by("position", "code"))
    return families, types


# --- Open data ----------------------------------------------------------------------------------


def open_data_sheets() -> QuerySet:
    """The public sheets as links (code, title, family, date of validation), for the open data."""
    return (
        public_sheets()
        .select_related("network", "family", "published")
        .order_by("network__slug", "code", "pk")
    )


def filter_choices(networks) -> tuple[list, list]:
    """The stages and structures the list can be filtered by (those of the listed networks)."""
    from maillage.directory.models import Stage, Structure

    ids = [network.pk for network in networks]
    stages = list(
        Stage.objects.filter(network__in=ids)
        .values_list("slug", "name")
        .order_by("name", "slug")
        .distinct()
    )
    structures = list(
        Structure.objects.filter(networks__in=ids)
        .values_list("slug", "name")
        .order_by("name", "slug")
        .distinct()
    )
    return stages, structures
