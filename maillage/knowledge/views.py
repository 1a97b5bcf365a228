"""Pages of the knowledge base: thin, every read from `selectors`, every write in `services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from maillage.accounts.rules import can, roles_of
from maillage.core.forms import add_service_errors
from maillage.directory.models import Network, Structure

from . import binder as binder_module
from . import graph as graph_module
from . import selectors, services, transfer
from .forms import CommentForm, ImportForm, ReviewForm, SearchForm, SheetCreateForm, VersionForm
from .models import Family, Sheet, VersionStatus


def _sheet(request, network: str, code: str) -> Sheet:
    return get_object_or_404(
        selectors.sheet_visible_to(request.user).select_related("network", "family", "published"),
        network__slug=network,
        code=code,
    )


def _url(sheet: Sheet, name: str = "sheet") -> str:
    return reverse(f"knowledge:{name}", kwargs={"network": sheet.network.slug, "code": sheet.code})


@login_not_required
@require_safe
def index(request):
    form = SearchForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    filters = {key: data.get(key) or None for key in ("family", "tag", "stage", "structure")}
    query = data.get("q") or ""
    if query:
        sheets = selectors.search_sheets(request.user, query, **filters)
    else:
        sheets = selectors.sheet_list(request.user, **filters)
    families = list(selectors.families_visible_to(request.user).select_related("network"))
    mine = list(selectors.sheets_of_author(request.user)) if request.user.is_authenticated else []
    writable = [
        network
        for network in Network.objects.filter(pk__in={f.network_id for f in families})
        if can(request.user, "write_sheets", network)
    ]
    return render(
        request,
        "knowledge/index.html",
        {
            "form": form,
            "query": query,
            "sheets": list(sheets[:200]),
            "families": families,
            "mine": mine,
            "writable_networks": writable,
        },
    )


@login_not_required
@require_safe
def sheet(request, network, code):
    item = _sheet(request, network, code)
    shown = selectors.version_shown(request.user, item)
    member = selectors.is_member_reader(request.user, item)
    latest = item.versions.order_by("-number").first() if member else None
    if shown is None:
        raise Http404
    return render(
        request,
        "knowledge/sheet.html",
        {
            "sheet": item,
            "shown": shown,
            "html": selectors.render_version(request.user, shown),
            "latest": latest if latest and latest.pk != shown.pk else None,
            "validations": selectors.validations_of(item.published),
            "backlinks": selectors.backlinks(request.user, item),
            "links": selectors.outgoing_links(request.user, item),
            "broken": list(item.broken_references.all())
            if can(request.user, "edit_sheet", item)
            else [],
            "can_edit": can(request.user, "edit_sheet", item),
            "can_review": can(request.user, "review_sheet", item),
            "member": member,
            "tags": list(item.tags.all()),
        },
    )


def _member_sheet(request, network, code) -> Sheet:
    item = _sheet(request, network, code)
    if not can(request.user, "view_sheet_drafts", item):
        raise Http404
    return item


@require_safe
def versions(request, network, code):
    item = _member_sheet(request, network, code)
    history = selectors.versions_of(item)
    numbers = [v.number for v in history]
    diff = ""
    a = request.GET.get("a", "")
    b = request.GET.get("b", "")
    if a.isdigit() and b.isdigit() and int(a) in numbers and int(b) in numbers:
        by_number = {v.number: v for v in history}
        diff = services.text_diff(
            by_number[int(a)].body,
            by_number[int(b)].body,
            before=f"v{a}",
            after=f"v{b}",
        )
    return render(
        request,
        "knowledge/versions.html",
        {"sheet": item, "history": history, "diff": diff, "a": a, "b": b},
    )


def create(request, network):
    network = get_object_or_404(Network, slug=network)
    if not can(request.user, "write_sheets", network):
        raise PermissionDenied
    families = Family.objects.filter(network=network)
    structures = Structure.objects.filter(pk__in=roles_of(request.user).staff_of, networks=network)
    form = SheetCreateForm(request.POST or None, families=families, structures=structures)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.create_sheet(
                user=request.user,
                family=data["family"],
                structure=data["structure"],
                code=data["code"],
                title=data["title"],
                body=data["body"],
                is_public=data["is_public"],
                tags=data["tags"].split(","),
                review_by=data["review_by"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_url(item))
    return render(request, "knowledge/create.html", {"form": form, "network": network})


def edit(request, network, code):
    item = _sheet(request, network, code)
    if not can(request.user, "edit_sheet", item):
        raise PermissionDenied
    latest = item.versions.order_by("-number").first()
    form = VersionForm(
        request.POST or None,
        initial={"based_on": latest.number, "title": latest.title, "body": latest.body},
    )
    diff = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_version(
                user=request.user,
                sheet=item,
                based_on=data["based_on"],
                title=data["title"],
                body=data["body"],
            )
        except services.StaleVersion as stale:
            diff = stale.diff
            form.add_error(None, stale)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Version saved."))
            return redirect(_url(item))
    return render(
        request,
        "knowledge/edit.html",
        {"form": form, "sheet": item, "latest": latest, "diff": diff},
    )


@require_POST
def propose(request, network, code):
    item = _sheet(request, network, code)
    try:
        services.propose_version(user=request.user, version=services.latest_version(item))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The version is proposed to the reviewers."))
    return redirect(_url(item))


def review(request, network, code):
    item = _member_sheet(request, network, code)
    version = services.latest_version(item)
    comment_form = CommentForm(prefix="comment")
    review_form = ReviewForm(prefix="review")
    if request.method == "POST":
        try:
            if "comment-quote" in request.POST:
                comment_form = CommentForm(request.POST, prefix="comment")
                if comment_form.is_valid():
                    services.comment_passage(
                        user=request.user, version=version, **comment_form.cleaned_data
                    )
                    messages.success(request, _("Comment added."))
                    return redirect(_url(item, "review"))
            else:
                review_form = ReviewForm(request.POST, prefix="review")
                if review_form.is_valid():
                    services.review_version(
                        user=request.user, version=version, **review_form.cleaned_data
                    )
                    messages.success(request, _("Review recorded."))
                    return redirect(_url(item))
        except ValidationError as error:
            add_service_errors(
                comment_form if "comment-quote" in request.POST else review_form, error
            )
    reviewable = version.status in (VersionStatus.PROPOSED, VersionStatus.UNDER_REVIEW)
    return render(
        request,
        "knowledge/review.html",
        {
            "sheet": item,
            "version": version,
            "html": selectors.render_version(request.user, version),
            "comments": list(version.comments.select_related("author")),
            "reviews": list(version.reviews.select_related("reviewer", "structure")),
            "comment_form": comment_form,
            "review_form": review_form,
            "can_review": reviewable and can(request.user, "review_sheet", item),
        },
    )


def _family(request, network, family) -> Family:
    return get_object_or_404(
        selectors.families_visible_to(request.user).select_related("network"),
        network__slug=network,
        slug=family,
    )


@login_not_required
@require_safe
def binder(request, network, family):
    item = _family(request, network, family)
    pdf = binder_module.binder_pdf(request.user, item, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="classeur-{item.slug}.pdf"'
    return response


@require_safe
def export(request, network, family):
    item = _family(request, network, family)
    if not can(request.user, "manage_knowledge", item.network):
        raise PermissionDenied
    response = HttpResponse(transfer.export_zip(item), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="fiches-{item.slug}.zip"'
    return response


def import_sheets(request, network):
    network = get_object_or_404(Network, slug=network)
    if not can(request.user, "manage_knowledge", network):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = transfer.import_zip(
            network=network,
            user=request.user,
            data=form.cleaned_data["archive"].read(),
            dry_run=form.cleaned_data["dry_run"],
        )
    return render(
        request, "knowledge/import.html", {"form": form, "network": network, "report": report}
    )


@login_not_required
@require_safe
def graph(request, network, family):
    item = _family(request, network, family)
    data = graph_module.family_graph(request.user, item)
    return render(request, "knowledge/graph.html", {"family": item, "graph": data})
