"""Reading cell values as the structures write them."""

import datetime

import pytest

from maillage.imports.values import (
    CellError,
    parse_bool,
    parse_date,
    parse_duration,
    parse_email,
    parse_int,
    parse_phone,
    parse_text,
)

D = datetime.date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31/01/2026", D(2026, 1, 31)),
        ("1/2/2026", D(2026, 2, 1)),  # day first: 1 February
        ("01/02/26", D(2026, 2, 1)),
        ("12/05/85", D(1985, 5, 12)),  # two-digit years as spreadsheets read them
        ("12/05/29", D(2029, 5, 12)),
        ("12/05/30", D(1930, 5, 12)),
        ("2026-01-31", D(2026, 1, 31)),
        ("2026/01/31", D(2026, 1, 31)),
        ("31-01-2026", D(2026, 1, 31)),
        ("31.01.2026", D(2026, 1, 31)),
        (" 31/01/2026 ", D(2026, 1, 31)),
        ("31/01/2026 14:30", D(2026, 1, 31)),
        ("2026-01-31 00:00:00", D(2026, 1, 31)),
        ("2026-01-31T10:15:00Z", D(2026, 1, 31)),
        ("29/02/2024", D(2024, 2, 29)),
        (46053, D(2026, 1, 31)),  # spreadsheet serial numbers, 1900 system
        (46053.75, D(2026, 1, 31)),
        ("46053", D(2026, 1, 31)),
        (61, D(1900, 3, 1)),
        (D(2026, 1, 31), D(2026, 1, 31)),
        (datetime.datetime(2026, 1, 31, 23, 59), D(2026, 1, 31)),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "31/02/2026",  # never moved to 3 March
        "29/02/2025",
        "00/01/2026",
        "32/01/2026",
        "31/13/2026",
        "2026-13-01",
        "01/31/2026",  # American order
        "janvier 2026",
        "demain",
        "",
        None,
        True,
        0,
        -5,
        3_000_000,  # not a serial a date can have
        datetime.time(10, 0),
    ],
)
def test_parse_date_errors_say_what_is_expected(value):
    with pytest.raises(CellError) as error:
        parse_date(value)
    assert "31/01/2026" in error.value.reason


def test_a_bad_date_error_is_raised_each_time():
    # Results are memoised per text; errors must not be swallowed by the memo.
    for _attempt in range(3):
        with pytest.raises(CellError):
            parse_date("31/02/2026")


@pytest.mark.parametrize(
    ("value", "minutes"),
    [
        ("1h30", 90),
        ("1 h 30", 90),
        ("1H30", 90),
        ("3h00", 180),
        ("3h", 180),
        ("3 h", 180),
        ("0h45", 45),
        ("1h30min", 90),
        ("2 heures 15 minutes", 135),
        ("2 heures", 120),
        ("90", 90),
        ("90 min", 90),
        ("45mn", 45),
        ("45'", 45),
        ("1h30'", 90),
        ("1,5", 90),  # a decimal number is hours
        ("1.5", 90),
        ("0,25", 15),
        ("1,5 h", 90),
        ("01:30", 90),
        ("1:30:00", 90),
        ("12:00", 720),
        (90, 90),  # a whole number is minutes
        (1.5, 90),
        (2.0, 2),
        (datetime.time(1, 30), 90),
        (datetime.timedelta(hours=2, minutes=15), 135),
        (datetime.timedelta(days=1, hours=1), 1500),
    ],
)
def test_parse_duration(value, minutes):
    assert parse_duration(value) == minutes


@pytest.mark.parametrize(
    "value",
    ["0", "0h00", "00:00", 0, -30, "1h75", "une heure", "", None, True, "1h30h", D(2026, 1, 1)],
)
def test_parse_duration_errors_say_what_is_expected(value):
    with pytest.raises(CellError) as error:
        parse_duration(value)
    assert "1h30" in error.value.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("06 12 34 56 78", "06 12 34 56 78"),
        ("0612345678", "06 12 34 56 78"),
        ("06.12.34.56.78", "06 12 34 56 78"),
        ("06-12-34-56-78", "06 12 34 56 78"),
        ("+33 6 12 34 56 78", "06 12 34 56 78"),
        ("+33612345678", "06 12 34 56 78"),
        ("0033 6 12 34 56 78", "06 12 34 56 78"),
        ("+33 (0)6 12 34 56 78", "06 12 34 56 78"),
        ("04 91 00 00 00", "04 91 00 00 00"),
        (612345678, "06 12 34 56 78"),  # the leading zero a spreadsheet dropped
        (491000000.0, "04 91 00 00 00"),
        ("612345678", "06 12 34 56 78"),
        ("+44 20 7946 0958", "+442079460958"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+262 692 12 34 56", "+262692123456"),
    ],
)
def test_parse_phone(value, expected):
    assert parse_phone(value) == expected


@pytest.mark.parametrize(
    "value", ["12", "061234567", "06123456789", "06 12 34 56 7a", "+33 6 12", "", None, True]
)
def test_parse_phone_errors(value):
    with pytest.raises(CellError) as error:
        parse_phone(value)
    assert "06 12 34 56 78" in error.value.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Camille.Dupont@Example.ORG", "camille.dupont@example.org"),
        (" camille@example.org ", "camille@example.org"),
        ("mailto:camille@example.org", "camille@example.org"),
        ("<camille@example.org>", "camille@example.org"),
    ],
)
def test_parse_email(value, expected):
    assert parse_email(value) == expected


@pytest.mark.parametrize("value", ["camille", "camille@", "@example.org", "a b@example.org", 12])
def test_parse_email_errors(value):
    with pytest.raises(CellError) as error:
        parse_email(value)
    assert "camille@example.org" in error.value.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, 12), (12.0, 12), ("12", 12), (" 1 234 ", 1234), ("12,0", 12), ("-3", -3)],
)
def test_parse_int(value, expected):
    assert parse_int(value) == expected


@pytest.mark.parametrize("value", [1.5, "1,5", "douze", "", None, True])
def test_parse_int_errors(value):
    with pytest.raises(CellError):
        parse_int(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("oui", True),
        ("OUI", True),
        ("Oui ", True),
        ("o", True),
        ("yes", True),
        ("x", True),
        ("X", True),
        ("1", True),
        ("vrai", True),
        ("VRAI", True),
        (1, True),
        (True, True),
        ("non", False),
        ("n", False),
        ("no", False),
        ("0", False),
        ("faux", False),
        (0, False),
        (False, False),
    ],
)
def test_parse_bool(value, expected):
    assert parse_bool(value) is expected


@pytest.mark.parametrize("value", ["peut-être", "2", 2, "", None])
def test_parse_bool_errors(value):
    with pytest.raises(CellError) as error:
        parse_bool(value)
    assert "oui" in error.value.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Dupont ", "Dupont"),
        (12345, "12345"),
        (12345.0, "12345"),
        (1.5, "1.5"),
        (D(2026, 1, 31), "31/01/2026"),
        (None, ""),
    ],
)
def test_parse_text(value, expected):
    assert parse_text(value, 100) == expected


def test_parse_text_too_long_says_the_limit():
    assert parse_text("abc", 3) == "abc"
    with pytest.raises(CellError) as error:
        parse_text("abcd", 3)
    assert "3" in error.value.reason
