"""Every write of the pathways app (HOUSE: services). Import from here."""

from .acts import record_act, record_outcome
from .applications import change_application_status, submit_application
from .common import StaleRecordError
from .persons import (
    add_note,
    create_person,
    create_project,
    ensure_accompaniment,
    give_consent,
    set_referent,
    update_person,
    update_project,
    withdraw_consent,
)
from .plans import save_plan
from .referrals import (
    accept_referral,
    cancel_referral,
    close_referral,
    decline_referral,
    expire_referrals,
    mark_referral_received,
    record_first_meeting,
    redirect_referral,
    refer_from_contact_request,
    refer_person,
    remind_unanswered_referrals,
)

__all__ = [
    "StaleRecordError",
    "accept_referral",
    "add_note",
    "cancel_referral",
    "change_application_status",
    "close_referral",
    "create_person",
    "create_project",
    "decline_referral",
    "ensure_accompaniment",
    "expire_referrals",
    "give_consent",
    "mark_referral_received",
    "record_act",
    "record_first_meeting",
    "record_outcome",
    "redirect_referral",
    "refer_from_contact_request",
    "refer_person",
    "remind_unanswered_referrals",
    "save_plan",
    "set_referent",
    "submit_application",
    "update_person",
    "update_project",
    "withdraw_consent",
]
