"""Where the directory keeps a person's data: the contact requests of the public site.

Read by `maillage.core.personal_data` (the vocabulary: Clear, Scrub, Keep, not personal) and by
the erasure of a person. The directory's historised models (networks, structures, stages,
offers, sessions) describe structures and hold no person: they are not in the register, and a
test checks that no model of the register has a history table.
"""

from maillage.core.personal_data import (
    ANONYMISED_FIRST_NAME,
    ANONYMISED_LAST_NAME,
    Clear,
    Keep,
    register,
)

# A contact request must keep an e-mail or a phone (a constraint): a reserved address.
ERASED_EMAIL = "effacee@anonymisee.invalid"


def _answers_without_place(row, answers, context):
    """The orientation answers stay for statistics, without the place (a commune) and with
    any spelling of the person scrubbed."""
    from .orientation import questionnaire

    places = {question.code for question in questionnaire() if question.is_place}
    return {
        code: context.scrub(value) for code, value in (answers or {}).items() if code not in places
    }


register(
    "directory.ContactRequest",
    link="referral__person",
    fields={
        "first_name": Clear(ANONYMISED_FIRST_NAME),
        "last_name": Clear(ANONYMISED_LAST_NAME),
        "email": Clear(ERASED_EMAIL),
        "phone": Clear(),
        "postal_code": Clear(),
        "message": Clear(),
        "answers": Keep(coarsen=_answers_without_place),
        "consent_given_at": Keep(),
        "created_at": Keep(),
        "status": Keep(),
        "handled_at": Keep(),
    },
    not_personal=("id", "structure", "offer", "stage", "consent_text", "handled_by"),
)
