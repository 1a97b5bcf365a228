"""Collective appraisal sessions (seed 004, sheet II-3): at least three people, arguments that
move an axis's cursor by the amount the group agrees, priorities, a log replayed step by step, a
result compared with the next year's session; only the facilitator writes; closed is final."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from maillage.assessments import appraisals
from maillage.assessments.comparisons import compare
from maillage.assessments.models import AssessmentStatus, Context, Side, SubjectKind
from maillage.assessments.selectors import (
    answers_of,
    appraisals_visible_to,
    assessments_visible_to,
    scores_of,
)
from tests.assessments.factories import shipped
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    StructureFactory,
    StructureMembershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    network = NetworkFactory()
    structure = StructureFactory(networks=[network])
    facilitator = StructureMembershipFactory(structure=structure).user
    first, second = (StructureMembershipFactory(structure=structure).user for _ in range(2))
    version = shipped("sustainable-development-appraisal")
    return network, structure, version, facilitator, first, second


def _open(room, **fields):
    _network, structure, version, facilitator, first, second = room
    return appraisals.open_appraisal(
        version=version,
        subject_kind=SubjectKind.STRUCTURE,
        subject=structure,
        structure=structure,
        user=facilitator,
        participants=[first, second],
        **fields,
    )


def _argue(appraisal, speaker, axis="pe-jobs", side=Side.FOR, amount="1", user=None):
    return appraisals.record_argument(
        appraisal=appraisal,
        user=user or appraisal.facilitator,
        speaker=speaker,
        side=side,
        axis=axis,
        text="Trois emplois créés sur place.",
        amount=amount,
    )


def test_a_session_needs_three_people_the_facilitator_included(room):
    _network, structure, version, facilitator, first, _second = room
    with pytest.raises(ValidationError) as refused:
        appraisals.open_appraisal(
            version=version,
            subject_kind=SubjectKind.STRUCTURE,
            subject=structure,
            structure=structure,
            user=facilitator,
            participants=[first, facilitator],
        )
    assert "participants" in refused.value.message_dict
    assert set(_open(room).participants.all()) == set(room[4:])


def test_an_instrument_without_cursor_cannot_hold_a_session(room):
    _network, structure, _version, facilitator, first, second = room
    with pytest.raises(ValidationError) as refused:
        appraisals.open_appraisal(
            version=shipped("ess-self-assessment"),
            subject_kind=SubjectKind.STRUCTURE,
            subject=structure,
            structure=structure,
            user=facilitator,
            participants=[first, second],
        )
    assert refused.value.message_dict.keys() & {"version", "subject_kind"}


def test_arguments_move_the_cursor_by_the_agreed_amount_and_stop_at_the_poles(room):
    appraisal = _open(room)
    first, second = room[4:]
    _argue(appraisal, first, amount="1")
    _argue(appraisal, second, amount="0.75")
    _argue(appraisal, first, amount="0.5")  # 2.25 stops at +2
    last = _argue(appraisal, appraisal.facilitator, side=Side.AGAINST, amount="0,25")
    _argue(appraisal, second, axis="pe-proximity", side=Side.AGAINST, amount="0.5")
    assert last.number == 4 and last.position_after == D("1.75")
    assert appraisals.positions_after(appraisal) == {
        "pe-jobs": D("1.75"),
        "pe-proximity": D("-0.5"),
    }
    # The log replays: the board after argument 2, and before the first.
    assert appraisals.positions_after(appraisal, 2) == {"pe-jobs": D("1.75")}
    assert appraisals.positions_after(appraisal, 3) == {"pe-jobs": D("2")}
    assert appraisals.positions_after(appraisal, 0) == {}


@pytest.mark.parametrize("amount", ["1.5", "-0.5", "0.3", "beaucoup"])
def test_an_amount_out_of_bounds_is_refused_with_its_reason(room, amount):
    appraisal = _open(room)
    with pytest.raises(ValidationError) as refused:
        _argue(appraisal, room[4], amount=amount)
    assert "0,75 ou 1" in " ".join(refused.value.message_dict["amount"])
    assert not appraisal.arguments.exists()


def test_the_speaker_must_be_present_and_the_axis_a_cursor_of_the_instrument(room):
    appraisal = _open(room)
    outsider = StructureMembershipFactory(structure=room[1]).user
    with pytest.raises(ValidationError) as refused:
        appraisals.record_argument(
            appraisal=appraisal,
            user=appraisal.facilitator,
            speaker=outsider,
            side="maybe",
            axis="no-such-axis",
            text=" ",
            amount="1",
        )
    assert set(refused.value.message_dict) == {"speaker", "side", "axis", "text"}


def test_only_the_facilitator_records_flags_and_closes(room):
    appraisal = _open(room)
    participant = room[4]
    with pytest.raises(PermissionDenied):
        _argue(appraisal, participant, user=participant)
    with pytest.raises(PermissionDenied):
        appraisals.flag_priority(
            appraisal=appraisal, user=participant, axis="pe-jobs", priority=True
        )
    with pytest.raises(PermissionDenied):
        appraisals.close_appraisal(appraisal=appraisal, user=participant)


def test_priorities_are_flagged_and_unflagged(room):
    appraisal = _open(room)
    for axis in ("pe-jobs", "pe-proximity"):
        appraisals.flag_priority(
            appraisal=appraisal, user=appraisal.facilitator, axis=axis, priority=True
        )
    appraisals.flag_priority(
        appraisal=appraisal, user=appraisal.facilitator, axis="pe-jobs", priority=False
    )
    appraisal.refresh_from_db()
    assert appraisal.priorities == ["pe-proximity"]
    rows = {axis.key: axis for s in appraisals.board(appraisal, {}) for axis in s["axes"]}
    assert rows["pe-proximity"].priority and not rows["pe-jobs"].priority


def test_closing_records_the_final_positions_as_the_result_and_freezes_the_session(room):
    appraisal = _open(room)
    first, second = room[4:]
    with pytest.raises(ValidationError):
        appraisals.close_appraisal(appraisal=appraisal, user=appraisal.facilitator)
    _argue(appraisal, first, amount="1")
    _argue(appraisal, second, axis="pe-proximity", amount="0.5")
    appraisal = appraisals.close_appraisal(appraisal=appraisal, user=appraisal.facilitator)
    result = appraisal.result
    assert result.context == Context.COLLECTIVE and result.status == AssessmentStatus.SUBMITTED
    assert {k: a.value for k, a in answers_of(result).items()} == {
        "pe-jobs": 1,
        "pe-proximity": 0.5,
    }
    # pe-local-jobs: mean of the axes argued about (1 and 0.5); the third is left out.
    assert scores_of(result).criteria["pe-local-jobs"] == D("0.75")
    with pytest.raises(ValidationError):
        _argue(appraisal, first)
    with pytest.raises(ValidationError):
        appraisals.flag_priority(
            appraisal=appraisal, user=appraisal.facilitator, axis="pe-jobs", priority=True
        )
    with pytest.raises(ValidationError):
        appraisals.close_appraisal(appraisal=appraisal, user=appraisal.facilitator)


def test_next_years_session_is_compared_with_last_years(room, client):
    first, second = room[4:]
    last_year = _open(room, held_on=datetime.date(2025, 11, 1), title="Séance 2025")
    _argue(last_year, first, amount="0.5")
    last_year = appraisals.close_appraisal(appraisal=last_year, user=last_year.facilitator)
    this_year = _open(room, held_on=datetime.date(2026, 11, 1), title="Séance 2026")
    _argue(this_year, second, amount="1")
    _argue(this_year, second, amount="0.5")
    this_year = appraisals.close_appraisal(appraisal=this_year, user=this_year.facilitator)
    visible = appraisals_visible_to(this_year.facilitator)
    assert list(appraisals.earlier_sessions(this_year, visible)) == [last_year]
    changes = {c.key: c for c in compare(last_year.result, this_year.result).changes}
    assert changes["pe-local-jobs"].before == D("0.5")
    assert changes["pe-local-jobs"].after == D("1.5")
    assert changes["pe-local-jobs"].delta == D("1")
    client.force_login(this_year.facilitator)
    board = client.get(reverse("assessments:appraisal", kwargs={"uuid": this_year.uuid}))
    comparison = reverse(
        "assessments:comparison",
        kwargs={"uuid": last_year.result.uuid, "other": this_year.result.uuid},
    )
    assert comparison in board.content.decode()
    shown = client.get(comparison).content.decode()
    table = shown[shown.index("<table") :]
    row = table[table.index("Emploi et économie de proximité") :]
    assert "1,50" in row[: row.index("</tr>")]
    assert "Évolution" in shown


def test_who_reads_a_session_follows_the_subject_and_the_room(room):
    network, structure, _version, facilitator, first, _second = room
    guest_structure = StructureFactory(networks=[network])
    guest = StructureMembershipFactory(structure=guest_structure).user
    appraisal = appraisals.open_appraisal(
        version=room[2],
        subject_kind=SubjectKind.STRUCTURE,
        subject=structure,
        structure=structure,
        user=facilitator,
        participants=[first, guest],
    )
    colleague = StructureMembershipFactory(structure=structure).user
    coordinator = NetworkRoleFactory(network=network).user
    stranger = StructureMembershipFactory(structure=StructureFactory(networks=[network])).user
    funder = NetworkRoleFactory(network=network, funder=True).user
    for user, sees in (
        (facilitator, True),
        (guest, True),  # in the room
        (colleague, True),  # the structure's staff
        (coordinator, True),  # a coordinator of the holder's network
        (stranger, False),
        (funder, False),
    ):
        assert appraisals_visible_to(user).filter(pk=appraisal.pk).exists() is sees, user


def test_the_board_page_lets_the_facilitator_alone_record_and_replays_the_log(room, client):
    appraisal = _open(room)
    first = room[4]
    url = reverse("assessments:appraisal", kwargs={"uuid": appraisal.uuid})
    posted = {
        "action": "argument",
        "speaker": first.pk,
        "side": Side.FOR,
        "axis": "pe-jobs",
        "text": "Des emplois qui restent ici.",
        "amount": "0.75",
    }
    client.force_login(first)
    assert "Enregistrer l'argument" not in client.get(url).content.decode()
    assert client.post(url, posted).status_code == 403
    client.force_login(appraisal.facilitator)
    response = client.post(url, posted)
    assert response.status_code == 302
    assert client.post(url, {**posted, "amount": "2"}).status_code == 400
    client.force_login(first)
    board = client.get(
        reverse("assessments:appraisal_board", kwargs={"uuid": appraisal.uuid})
    ).content.decode()
    assert "+0,75" in board and "Des emplois qui restent ici." in board
    assert 'hx-trigger="every 3s"' in board
    replay = reverse("assessments:appraisal_replay", kwargs={"uuid": appraisal.uuid})
    before = client.get(replay, {"apres": 0}).content.decode()
    assert "+0,75" not in before and "avant le premier argument" in before
    assert "+0,75" in client.get(replay, {"apres": 1}).content.decode()


def test_a_session_is_opened_from_its_page(room, client):
    _network, structure, version, facilitator, first, second = room
    client.force_login(facilitator)
    url = reverse("assessments:appraisal_create")
    data = {
        "version": version.pk,
        "subject": f"structure:{structure.pk}",
        "structure": structure.pk,
        "title": "Séance de printemps",
        "participants": [first.pk],
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "au moins trois personnes" in refused.content.decode()
    response = client.post(url, {**data, "participants": [first.pk, second.pk]})
    assert response.status_code == 302
    assert appraisals_visible_to(facilitator).get().title == "Séance de printemps"
    assert assessments_visible_to(facilitator).count() == 0
