"""Every write of the pathways app (HOUSE: services). Import from here."""

from .acts import record_act, record_outcome, update_act, update_outcome
from .applications import change_application_status, submit_application
from .bulk import NewAct, bulk_record_acts, set_file_number  # noqa: F401 (imports, not in __all__)
from .common import StaleRecordError
from .gdpr import anonymise_person, export_person_data
from .merge import merge_persons
from .notices import mark_notifications_read, set_notification_preference
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
from .tokens import create_api_token, revoke_api_token

__all__ = [
    "StaleRecordError",
    "accept_referral",
    "add_note",
    "anonymise_person",
    "cancel_referral",
    "change_application_status",
    "close_referral",
    "create_api_token",
    "create_person",
    "create_project",
    "decline_referral",
    "ensure_accompaniment",
    "expire_referrals",
    "export_person_data",
    "give_consent",
    "mark_notifications_read",
    "mark_referral_received",
    "merge_persons",
    "record_act",
    "record_first_meeting",
    "record_outcome",
    "redirect_referral",
    "refer_from_contact_request",
    "refer_person",
    "remind_unanswered_referrals",
    "revoke_api_token",
    "save_plan",
    "set_notification_preference",
    "set_referent",
    "submit_application",
    "update_act",
    "update_outcome",
    "update_person",
    "update_project",
    "withdraw_consent",
]
