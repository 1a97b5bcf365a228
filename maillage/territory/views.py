"""Pages of the actor system: thin, every write through `services`, every read through
`selectors` (systems are fetched from what the user may see, so a stranger gets a 404)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.accounts.rules import can, roles_of
from maillage.core.forms import add_service_errors
from maillage.directory.models import Network, Structure

from . import selectors, services
from .forms import ActorForm, ProfileForm, RelationForm, YearForm
from .models import RESOURCE_FIELDS, RESOURCES, ActorSystem


def _snapshot_for(request, pk, *, change=False):
    snapshot = get_object_or_404(selectors.snapshots_visible_to(request.user), pk=pk)
    if change and not can(request.user, "change_actor_system", snapshot.system):
        raise PermissionDenied
    return snapshot


def _owners_to_open(user):
    roles = roles_of(user)
    owners = [
        *Structure.objects.filter(pk__in=roles.staff_of, actor_system__isnull=True),
        *Network.objects.filter(pk__in=roles.coordinator_of, actor_system__isnull=True),
    ]
    return [
        (f"{owner._meta.model_name}-{owner.pk}", owner.name)
        for owner in owners
        if can(user, "open_actor_system", owner)
    ]


def index(request):
    return render(
        request,
        "territory/index.html",
        {
            "systems": selectors.actor_systems_visible_to(request.user),
            "owners_to_open": _owners_to_open(request.user),
        },
    )


@require_POST
def open_system(request):
    kind, _sep, pk = request.POST.get("owner", "").partition("-")
    model = {"structure": Structure, "network": Network}.get(kind)
    if model is None or not pk.isdigit():
        raise PermissionDenied
    owner = get_object_or_404(model, pk=pk)
    if not can(request.user, "open_actor_system", owner):
        raise PermissionDenied
    try:
        system = services.create_actor_system(**{kind: owner})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("territory:index")
    return redirect("territory:system", pk=system.pk)


def system_detail(request, pk):
    system = get_object_or_404(selectors.actor_systems_visible_to(request.user), pk=pk)
    snapshots = list(system.snapshots.order_by("-year"))
    can_change = can(request.user, "change_actor_system", system)
    form = YearForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                snapshot = services.start_snapshot(
                    system=system, year=form.cleaned_data["year"], user=request.user
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("territory:snapshot", pk=snapshot.pk)
    elif form is not None:
        latest = snapshots[0].year + 1 if snapshots else None
        form = YearForm(initial={"year": latest})
    return render(
        request,
        "territory/system.html",
        {"system": system, "snapshots": snapshots, "form": form, "can_change": can_change},
    )


def snapshot_detail(request, pk):
    snapshot = _snapshot_for(request, pk)
    system = snapshot.system
    can_change = can(request.user, "change_actor_system", system) and not snapshot.is_frozen
    form = None
    if can_change:
        form = ActorForm(request.POST or None, system=system)
        if request.method == "POST" and form.is_valid():
            try:
                actor = services.add_actor(
                    snapshot=snapshot, user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("%(name)s was added to the snapshot.") % {"name": actor}
                )
                return redirect("territory:snapshot", pk=snapshot.pk)
    elif request.method == "POST":
        raise PermissionDenied
    amap = selectors.actor_map(snapshot)
    resources = [
        (
            actor,
            amap.profiles.get(actor.pk),
            [getattr(amap.profiles.get(actor.pk), name, 0) for name in RESOURCE_FIELDS],
            amap.resources[actor.pk],
        )
        for actor in amap.actors
    ]
    return render(
        request,
        "territory/snapshot.html",
        {
            "snapshot": snapshot,
            "system": system,
            "amap": amap,
            "graph": selectors.graph(amap),
            "resource_labels": [label for _name, label in RESOURCES],
            "resources": resources,
            "form": form,
            "can_change": can_change,
            "history": selectors.proposals_history(snapshot)[:30],
        },
    )


def actor_profile(request, pk, actor_pk):
    snapshot = _snapshot_for(request, pk, change=True)
    actor = get_object_or_404(snapshot.actors, pk=actor_pk)
    current = selectors.current_profiles(snapshot).get(actor.pk)
    initial = {name: getattr(current, name) for name in ProfileForm.Meta.fields} if current else {}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_profile(
                snapshot=snapshot, actor=actor, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Grid I of %(name)s was saved.") % {"name": actor})
            return redirect("territory:snapshot", pk=snapshot.pk)
    return render(
        request,
        "territory/actor_profile.html",
        {"snapshot": snapshot, "actor": actor, "form": form, "current": current},
    )


def relation(request, pk, a_pk, b_pk):
    snapshot = _snapshot_for(request, pk, change=True)
    actor_a = get_object_or_404(snapshot.actors, pk=a_pk)
    actor_b = get_object_or_404(snapshot.actors, pk=b_pk)
    current = selectors.current_relations(snapshot).get(
        (min(actor_a.pk, actor_b.pk), max(actor_a.pk, actor_b.pk))
    )
    initial = (
        {"nature": current.nature, "object": current.object, "note": current.note}
        if current
        else {}
    )
    form = RelationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_relation(
                snapshot=snapshot,
                actor_a=actor_a,
                actor_b=actor_b,
                user=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The relation between %(a)s and %(b)s was saved.") % {"a": actor_a, "b": actor_b},
            )
            return redirect(reverse("territory:snapshot", kwargs={"pk": snapshot.pk}) + "#matrix")
    return render(
        request,
        "territory/relation.html",
        {
            "snapshot": snapshot,
            "actor_a": actor_a,
            "actor_b": actor_b,
            "form": form,
            "current": current,
        },
    )


@require_POST
def remove_actor(request, pk, actor_pk):
    snapshot = _snapshot_for(request, pk, change=True)
    actor = get_object_or_404(snapshot.actors, pk=actor_pk)
    try:
        services.remove_actor(snapshot=snapshot, actor=actor, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s left the snapshot.") % {"name": actor})
    return redirect("territory:snapshot", pk=snapshot.pk)


@require_POST
def validate(request, pk):
    snapshot = _snapshot_for(request, pk, change=True)
    try:
        services.validate_snapshot(snapshot=snapshot, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The snapshot was validated by the group."))
    return redirect("territory:snapshot", pk=snapshot.pk)


def positioning(request, pk):
    snapshot = _snapshot_for(request, pk)
    amap = selectors.actor_map(snapshot)
    return render(
        request,
        "territory/positioning.html",
        {"snapshot": snapshot, "position": selectors.positioning(amap)},
    )


def compare(request, pk):
    system: ActorSystem = get_object_or_404(selectors.actor_systems_visible_to(request.user), pk=pk)
    snapshots = list(system.snapshots.order_by("year"))
    by_id = {str(snapshot.pk): snapshot for snapshot in snapshots}
    before = by_id.get(request.GET.get("avant", ""))
    after = by_id.get(request.GET.get("apres", ""))
    if before is None and after is None and len(snapshots) >= 2:
        before, after = snapshots[-2], snapshots[-1]
    comparison = selectors.compare(before, after) if before and after else None
    return render(
        request,
        "territory/compare.html",
        {
            "system": system,
            "snapshots": snapshots,
            "before": before,
            "after": after,
            "comparison": comparison,
        },
    )
