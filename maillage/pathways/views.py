"""Advisors' pages of the pathways app: thin views over services and selectors."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from maillage.accounts.rules import can

from . import selectors, services


@require_safe
def referral_detail(request, uuid):
    """One referral, as its sender or its receiver sees it (the closed loop)."""
    referral = get_object_or_404(selectors.referrals_visible_to(request.user), uuid=uuid)
    if can(request.user, "answer_referral", referral):
        services.mark_referral_received(referral=referral, user=request.user)
    context = {
        "referral": referral,
        "shows_person": can(request.user, "view_person", referral.person),
        "transitions": referral.transitions.select_related("by"),
    }
    return render(request, "pathways/referral_detail.html", context)
