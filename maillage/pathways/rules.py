"""The pathways' rules (DOMAIN §5), registered in the one rule set of `maillage.accounts.rules`.

They need to know who accompanies whom (`visibility`), which `accounts` must not import: accounts
sits below the domain apps. `PathwaysConfig.ready` imports this module, so the actions exist as
soon as Django is set up; `can(user, action, obj)` stays the only way to ask.

Actions: view_person, change_person, export_person_data, erase_person (Person),
answer_referral, cancel_referral (Referral), decide_application (Application), view_note
(PersonNote). The matrix test (tests/accounts/test_rules.py) covers them with the others.
"""

import rules

from maillage.accounts.rules import permissions, roles_of

from . import visibility


@rules.predicate
def sees_person(user, person):
    return visibility.sees(roles_of(user).staff_of, person)


@rules.predicate
def accompanies_person(user, person):
    staff = roles_of(user).staff_of
    return bool(person is not None and staff and staff & visibility.accompanying_structures(person))


@rules.predicate
def administers_an_accompanying_structure(user, person):
    admin_of = roles_of(user).admin_of
    return bool(
        person is not None and admin_of and admin_of & visibility.accompanying_structures(person)
    )


@rules.predicate
def works_in_receiving_structure(user, referral):
    return referral is not None and referral.to_structure_id in roles_of(user).staff_of


@rules.predicate
def works_in_sending_structure(user, referral):
    return referral is not None and referral.from_structure_id in roles_of(user).staff_of


@rules.predicate
def works_in_offering_structure(user, application):
    return application is not None and application.structure_id in roles_of(user).staff_of


@rules.predicate
def may_read_note(user, note):
    if note is None:
        return False
    staff = roles_of(user).staff_of
    if note.structure_id in staff:
        return True
    return bool(
        note.is_shared and note.person.shares_with_network and sees_person(user, note.person)
    )


# Named persons are for the staff of the structures that follow them.
permissions.add_rule("view_person", sees_person)
permissions.add_rule("change_person", accompanies_person)
permissions.add_rule("export_person_data", accompanies_person)
permissions.add_rule("erase_person", administers_an_accompanying_structure)
permissions.add_rule("answer_referral", works_in_receiving_structure)
permissions.add_rule("cancel_referral", works_in_sending_structure)
permissions.add_rule("decide_application", works_in_offering_structure)
permissions.add_rule("view_note", may_read_note)
