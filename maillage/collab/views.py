"""Pages of the network's life (thin: forms, services, selectors)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from maillage.accounts.rules import can, collab_network_ids, roles_of
from maillage.core.forms import add_service_errors
from maillage.directory.models import Network, OfferSession

from . import calendar, forms, selectors, services
from .models import CalendarToken, GroupMember, MemberStatus, MinutesStatus


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def index(request):
    user = request.user
    groups = selectors.group_visible_to(user).filter(network_id__in=collab_network_ids(user))
    mine = selectors._active_group_ids(user)
    networks = Network.objects.filter(pk__in=roles_of(user).coordinator_of)
    return render(
        request,
        "collab/index.html",
        {
            "my_groups": [g for g in groups if g.pk in mine],
            "other_groups": [g for g in groups if g.pk not in mine],
            "open_actions": selectors.my_actions(user).filter(status="open")[:5],
            "budgets": selectors.budget_visible_to(user).filter(
                network_id__in=collab_network_ids(user)
            ),
            "coordinated_networks": networks,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def group_create(request, slug):
    network = get_object_or_404(Network, slug=slug)
    if not can(request.user, "collab_manage_network_life", network):
        raise PermissionDenied
    form = forms.GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.create_group(
                network=network, facilitator=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The group is created."))
            return redirect("collab:group", uuid=group.uuid)
    return render(request, "collab/group_form.html", {"form": form, "network": network})


@require_http_methods(["GET", "HEAD", "POST"])
def group_edit(request, uuid):
    group = get_object_or_404(selectors.group_internals_visible_to(request.user), uuid=uuid)
    if not can(request.user, "collab_facilitate_group", group):
        raise PermissionDenied
    initial = {
        "name": group.name,
        "purpose": group.purpose,
        "public_description": group.public_description,
        "is_public": group.is_public,
        "join_policy": group.join_policy,
    }
    form = forms.GroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_group(group=group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The group is updated."))
            return redirect("collab:group", uuid=group.uuid)
    return render(
        request,
        "collab/group_form.html",
        {"form": form, "network": group.network, "group": group},
        status=400 if form.errors else 200,
    )


@login_not_required
def group_detail(request, uuid):
    group = get_object_or_404(selectors.group_visible_to(request.user), uuid=uuid)
    user = request.user
    internals = can(user, "collab_view_group_internals", group)
    facilitates = can(user, "collab_facilitate_group", group)
    membership = (
        GroupMember.objects.filter(group=group, user=user).first()
        if user.is_authenticated
        else None
    )
    context = {
        "group": group,
        "internals": internals,
        "facilitates": facilitates,
        "membership": membership,
        "may_join": can(user, "collab_join_group", group),
        "members": selectors.members_of(group).filter(status=MemberStatus.ACTIVE)
        if internals
        else [],
        "requests": selectors.pending_requests(group) if facilitates else [],
        "meetings": selectors.meeting_visible_to(user).filter(group=group).order_by("-starts_at"),
        "meeting_form": forms.MeetingForm() if facilitates else None,
        "decisions": selectors.decisions_of(group)[:30] if internals else [],
        "budgets": selectors.budget_visible_to(user).filter(group=group),
    }
    return render(request, "collab/group_detail.html", context)


@require_POST
def group_join(request, uuid):
    group = get_object_or_404(selectors.group_visible_to(request.user), uuid=uuid)
    try:
        member = services.request_to_join(group=group, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if member.status == MemberStatus.ACTIVE:
            messages.success(request, _("You are now a member of the group."))
        else:
            messages.success(request, _("Your request is sent to the group's facilitators."))
    return redirect("collab:group", uuid=group.uuid)


@require_POST
def group_approve(request, uuid, pk):
    group = get_object_or_404(selectors.group_internals_visible_to(request.user), uuid=uuid)
    member = get_object_or_404(GroupMember, group=group, pk=pk)
    try:
        services.approve_join_request(member=member, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s joined the group.") % {"name": member.user})
    return redirect("collab:group", uuid=group.uuid)


@require_POST
def group_decline(request, uuid, pk):
    group = get_object_or_404(selectors.group_internals_visible_to(request.user), uuid=uuid)
    member = get_object_or_404(GroupMember, group=group, pk=pk)
    try:
        services.decline_join_request(member=member, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The request of %(name)s is declined.") % {"name": member.user})
    return redirect("collab:group", uuid=group.uuid)


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_create(request, uuid):
    group = get_object_or_404(selectors.group_internals_visible_to(request.user), uuid=uuid)
    if not can(request.user, "collab_facilitate_group", group):
        raise PermissionDenied
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.plan_meeting(group=group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting is planned."))
            return redirect("collab:meeting", uuid=meeting.uuid)
    return render(request, "collab/meeting_form.html", {"form": form, "group": group})


@require_http_methods(["GET", "HEAD", "POST"])
def meeting_edit(request, uuid):
    meeting = get_object_or_404(selectors.meeting_internals_visible_to(request.user), uuid=uuid)
    if not can(request.user, "collab_facilitate_group", meeting.group):
        raise PermissionDenied
    initial = {
        "title": meeting.title,
        "starts_at": timezone.localtime(meeting.starts_at),
        "ends_at": timezone.localtime(meeting.ends_at) if meeting.ends_at else None,
        "place": meeting.place,
        "video_url": meeting.video_url,
    }
    form = forms.MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting is updated."))
            return redirect("collab:meeting", uuid=meeting.uuid)
    return render(
        request,
        "collab/meeting_form.html",
        {"form": form, "group": meeting.group, "meeting": meeting},
        status=400 if form.errors else 200,
    )


def _meeting_context(request, meeting, **forms_given):
    user = request.user
    minutes = selectors.minutes_visible_to(user).filter(meeting=meeting).first()
    internals = can(user, "collab_view_group_internals", meeting.group)
    writes = can(user, "collab_write_minutes", meeting)
    items = (
        selectors.items_of_minutes_for(user, minutes)
        if minutes
        else (meeting.items.filter(internal=False) if internals else [])
    )
    context = {
        "meeting": meeting,
        "group": meeting.group,
        "minutes": minutes,
        "items": items,
        "internals": internals,
        "writes": writes,
        "facilitates": can(user, "collab_facilitate_group", meeting.group),
        "upcoming": meeting.starts_at > timezone.now(),
        "next_meeting": selectors.next_meeting_of(meeting) if internals else None,
        "attendances": meeting.attendances.select_related("user", "structure") if internals else [],
        "may_propose": internals and meeting.starts_at > timezone.now(),
        "may_amend": minutes is not None
        and can(user, "collab_amend_minutes", meeting)
        and minutes.status != MinutesStatus.PUBLISHED,
        "item_form": forms_given.get("item_form") or forms.AgendaItemForm(),
    }
    if writes:
        failed = forms_given.get("failed_item")
        members = list(forms._members(meeting))
        rows = []
        for item in items:
            rows.append(
                {
                    "item": item,
                    "notes_form": forms.ItemMinutesForm(
                        initial={"text": item.minutes}, prefix=f"n{item.pk}"
                    ),
                    "decision_form": (failed == item.pk and forms_given.get("decision_form"))
                    or forms.DecisionForm(prefix=f"d{item.pk}"),
                    "action_form": (failed == item.pk and forms_given.get("action_form"))
                    or forms.ActionForm(meeting=meeting, members=members, prefix=f"a{item.pk}"),
                }
            )
        context.update(
            rows=rows,
            attendance_form=forms.AttendanceForm(meeting=meeting),
            publish_form=forms.PublishForm(initial={"audience": minutes.audience}),
        )
    else:
        context["rows"] = [{"item": item} for item in items]
    if context["may_amend"]:
        context["amend_form"] = forms.AmendForm(initial={"summary": minutes.summary})
    return context


@login_not_required
def meeting_detail(request, uuid):
    meeting = get_object_or_404(selectors.meeting_visible_to(request.user), uuid=uuid)
    return render(request, "collab/meeting_detail.html", _meeting_context(request, meeting))


def _internal_meeting(request, uuid):
    return get_object_or_404(selectors.meeting_internals_visible_to(request.user), uuid=uuid)


@require_POST
def meeting_propose(request, uuid):
    meeting = _internal_meeting(request, uuid)
    form = forms.AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            services.propose_agenda_item(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your item is on the agenda."))
            return redirect("collab:meeting", uuid=meeting.uuid)
    context = _meeting_context(request, meeting, item_form=form)
    return render(request, "collab/meeting_detail.html", context, status=400)


@require_POST
def meeting_attendance(request, uuid):
    meeting = _internal_meeting(request, uuid)
    form = forms.AttendanceForm(request.POST, meeting=meeting)
    if form.is_valid():
        member = form.cleaned_data["member"]
        services.record_attendance(
            meeting=meeting,
            user=member.user,
            structure=member.structure,
            status=form.cleaned_data["status"],
            by=request.user,
        )
        messages.success(request, _("Attendance recorded."))
    else:
        messages.error(request, _("Choose a member and their attendance."))
    return redirect("collab:meeting", uuid=meeting.uuid)


@require_POST
def item_minutes(request, uuid, item):
    meeting = _internal_meeting(request, uuid)
    agenda_item = get_object_or_404(meeting.items, pk=item)
    kind = request.POST.get("kind")
    if kind == "notes":
        form = forms.ItemMinutesForm(request.POST, prefix=f"n{agenda_item.pk}")
        if form.is_valid():
            services.write_item_minutes(
                item=agenda_item, text=form.cleaned_data["text"], by=request.user
            )
            messages.success(request, _("The minutes of the item are saved."))
            return redirect("collab:meeting", uuid=meeting.uuid)
        raise Http404
    if kind == "decision":
        form = forms.DecisionForm(request.POST, prefix=f"d{agenda_item.pk}")
        if form.is_valid():
            try:
                services.record_decision(item=agenda_item, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect("collab:meeting", uuid=meeting.uuid)
        context = _meeting_context(request, meeting, decision_form=form, failed_item=agenda_item.pk)
        return render(request, "collab/meeting_detail.html", context, status=400)
    if kind == "action":
        form = forms.ActionForm(request.POST, meeting=meeting, prefix=f"a{agenda_item.pk}")
        if form.is_valid():
            owner = form.cleaned_data["owner"]
            try:
                services.record_action(
                    item=agenda_item,
                    title=form.cleaned_data["title"],
                    owner=owner.user if owner else None,
                    due_on=form.cleaned_data["due_on"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The action is recorded."))
                return redirect("collab:meeting", uuid=meeting.uuid)
        context = _meeting_context(request, meeting, action_form=form, failed_item=agenda_item.pk)
        return render(request, "collab/meeting_detail.html", context, status=400)
    raise Http404


@require_POST
def minutes_move(request, uuid):
    meeting = _internal_meeting(request, uuid)
    minutes = meeting.minutes
    try:
        if request.POST.get("kind") == "publish":
            form = forms.PublishForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose who reads the minutes."))
            services.move_minutes(
                minutes=minutes,
                to_status=MinutesStatus.PUBLISHED,
                audience=form.cleaned_data["audience"],
                by=request.user,
            )
            messages.success(request, _("The minutes are published."))
        else:
            form = forms.AmendForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Write the summary."))
            services.amend_minutes(minutes=minutes, by=request.user, **form.cleaned_data)
            messages.success(request, _("Your amendment is saved."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("collab:meeting", uuid=meeting.uuid)


@require_POST
def meeting_invite(request, uuid):
    meeting = _internal_meeting(request, uuid)
    try:
        sent = services.send_invitations(
            meeting=meeting, by=request.user, base_url=_base_url(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)s invitation(s) sent.") % {"count": sent})
    return redirect("collab:meeting", uuid=meeting.uuid)


@login_not_required
def minutes_export(request, uuid):
    """The minutes as plain text (Markdown): never any internal item, whoever asks."""
    meeting = get_object_or_404(selectors.meeting_visible_to(request.user), uuid=uuid)
    minutes = get_object_or_404(
        selectors.minutes_visible_to(request.user).filter(status=MinutesStatus.PUBLISHED),
        meeting=meeting,
    )
    items = meeting.items.filter(internal=False).prefetch_related("decisions", "actions__owner")
    text = render(
        request, "collab/minutes.md", {"meeting": meeting, "minutes": minutes, "items": items}
    ).content
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="compte-rendu-{meeting.uuid}.md"'
    return response


def my_actions(request):
    return render(
        request, "collab/my_actions.html", {"actions": selectors.my_actions(request.user)}
    )


@require_POST
def action_status(request, uuid):
    action = get_object_or_404(selectors.action_visible_to(request.user), uuid=uuid)
    try:
        services.set_action_status(
            action=action, status=request.POST.get("status"), by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The action is updated."))
    return redirect("collab:my_actions")


# --- Calendar -----------------------------------------------------------------------------------


@login_not_required
def network_calendar(request):
    user = request.user
    now = timezone.now()
    networks = collab_network_ids(user)
    meetings = selectors.meeting_visible_to(user).filter(starts_at__gte=now).order_by("starts_at")
    events = selectors.event_visible_to(user).filter(starts_at__gte=now)
    sessions = (
        OfferSession.objects.filter(
            starts_on__gte=now.date(), offer__structure__networks__in=networks
        )
        .select_related("offer", "offer__structure")
        .distinct()
        .order_by("starts_on")[:50]
        if networks
        else []
    )
    token = CalendarToken.objects.filter(user=user).first() if user.is_authenticated else None
    return render(
        request,
        "collab/calendar.html",
        {
            "meetings": meetings[:50],
            "events": events[:50],
            "sessions": sessions,
            "token": token,
            "coordinated_networks": Network.objects.filter(pk__in=roles_of(user).coordinator_of),
            "public_budgets": selectors.budget_visible_to(user).filter(is_public=True),
        },
    )


def _ics(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    return response


@login_not_required
def group_feed(request, uuid):
    group = get_object_or_404(selectors.group_visible_to(request.user), uuid=uuid)
    meetings = selectors.meeting_visible_to(request.user).filter(group=group)
    return _ics(calendar.feed(group.name, meetings=meetings, base_url=_base_url(request)), "groupe")


@login_not_required
def public_feed(request):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    return _ics(
        calendar.feed(
            _("Public calendar"),
            meetings=selectors.meeting_visible_to(anonymous),
            events=selectors.event_visible_to(anonymous),
            base_url=_base_url(request),
        ),
        "calendrier",
    )


@login_not_required
def person_feed(request, key):
    """A person's meetings and stands, by a secret URL (no login), revocable."""
    token = get_object_or_404(CalendarToken.objects.select_related("user"), key=key)
    user = token.user
    if not user.is_active:
        raise Http404
    mine = selectors._active_group_ids(user)
    meetings = selectors.meeting_visible_to(user).filter(group_id__in=mine)
    events = selectors.event_visible_to(user).filter(roster__user=user)
    return _ics(
        calendar.feed(str(user), meetings=meetings, events=events, base_url=_base_url(request)),
        "agenda",
    )


@require_POST
def calendar_token(request):
    if request.POST.get("kind") == "revoke":
        services.revoke_calendar_token(user=request.user)
        messages.success(request, _("Your calendar address no longer answers."))
    else:
        services.renew_calendar_token(user=request.user)
        messages.success(request, _("Your calendar has a new address."))
    return redirect("collab:calendar")


@login_not_required
def event_detail(request, uuid):
    event = get_object_or_404(selectors.event_visible_to(request.user), uuid=uuid)
    roster = event.roster.select_related("user").prefetch_related("structures")
    return render(
        request,
        "collab/event_detail.html",
        {
            "event": event,
            "roster": roster,
            "documents": event.documents.all(),
            "manages": can(request.user, "collab_manage_network_life", event.network),
        },
    )
