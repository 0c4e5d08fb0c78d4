"""Phone numbers: E.164 normalisation, territories of French numbers, masking."""

from __future__ import annotations

import random
import re
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from smscheck.phones import (
    _FAST_VALIDATORS,
    TERRITORY_TIMEZONES,
    NumberInfo,
    PhoneNumberError,
    _e164,
    _fast_match,
    _may_be_overseas,
    _openings,
    _parse_valid,
    describe,
    mask,
    territory_of,
    to_e164,
)

FRENCH_CODES = ["33", "262", "508", "590", "594", "596", "681", "687", "689"]


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("0612345678", "FR", "+33612345678"),
        ("06.12.34.56.78", "FR", "+33612345678"),
        ("06-12-34-56-78", "FR", "+33612345678"),
        ("+33 6 12 34 56 78", "FR", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "FR", "+33612345678"),
        ("0033612345678", "FR", "+33612345678"),
        ("+33612345678", "FR", "+33612345678"),
        ("+33612345678", "US", "+33612345678"),
        ("01 23 45 67 89", "FR", "+33123456789"),
        ("07 56 12 34 56", "FR", "+33756123456"),
        ("+262 692 12 34 56", "FR", "+262692123456"),
        ("0692 12 34 56", "RE", "+262692123456"),
        ("0639 01 23 45", "YT", "+262639012345"),
        ("+590 690 00 12 34", "FR", "+590690001234"),
        ("+594 694 20 12 34", "FR", "+594694201234"),
        ("+596 696 20 12 34", "FR", "+596696201234"),
        ("+508 55 12 34", "FR", "+508551234"),
        ("+687 75 12 34", "FR", "+687751234"),
        ("+689 87 12 34 56", "FR", "+68987123456"),
        ("+681 82 12 34", "FR", "+681821234"),
        ("+32 470 12 34 56", "FR", "+32470123456"),
        ("+1 212 555 0100", "FR", "+12125550100"),
    ],
)
def test_national_and_international_writings_give_e164(raw: str, region: str, e164: str) -> None:
    assert to_e164(raw, region) == e164


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "hello",
        "06 12 34 56 7",
        "06 12 34 56 78 9",
        "+33 6 12 34 56 7",
        "00 00 00 00 00",
        "+999 123 456",
        "06 12 34 56 78 ext 12",
        "0800 FLOWERS",
        "+33 7 00 00 00 00",
    ],
)
def test_invalid_numbers_raise_phone_number_error(raw: str) -> None:
    with pytest.raises(PhoneNumberError):
        to_e164(raw)


def test_phone_number_error_is_a_value_error_that_masks_the_number() -> None:
    with pytest.raises(ValueError, match=r"\*+ 7") as caught:
        to_e164("06 12 34 56 7")
    assert "12 34" not in str(caught.value)
    assert not re.search(r"\d\D*\d\D*\d", str(caught.value))


@pytest.mark.parametrize(
    ("number", "region", "is_mobile", "territory", "timezone"),
    [
        ("+33612345678", "FR", True, "mainland", "Europe/Paris"),
        ("+33756123456", "FR", True, "mainland", "Europe/Paris"),
        ("+33123456789", "FR", False, "mainland", "Europe/Paris"),
        ("+33495123456", "FR", False, "mainland", "Europe/Paris"),  # Corsica: mainland numbers
        ("+33912345678", "FR", False, "mainland", "Europe/Paris"),
        ("+262692123456", "RE", True, "reunion", "Indian/Reunion"),
        ("+262262161234", "RE", False, "reunion", "Indian/Reunion"),
        ("+262639012345", "YT", True, "mayotte", "Indian/Mayotte"),
        ("+262269601234", "YT", False, "mayotte", "Indian/Mayotte"),
        ("+590690001234", "GP", True, "guadeloupe", "America/Guadeloupe"),
        ("+590590201234", "GP", False, "guadeloupe", "America/Guadeloupe"),
        ("+590590271234", "BL", False, "saint_barthelemy", "America/St_Barthelemy"),
        ("+590590501234", "MF", False, "saint_martin", "America/Marigot"),
        ("+596696201234", "MQ", True, "martinique", "America/Martinique"),
        ("+596596301234", "MQ", False, "martinique", "America/Martinique"),
        ("+594694201234", "GF", True, "guyane", "America/Cayenne"),
        ("+594594101234", "GF", False, "guyane", "America/Cayenne"),
        ("+508551234", "PM", True, "saint_pierre_et_miquelon", "America/Miquelon"),
        ("+508430123", "PM", None, "saint_pierre_et_miquelon", "America/Miquelon"),
        ("+687751234", "NC", True, "nouvelle_caledonie", "Pacific/Noumea"),
        ("+687201234", "NC", False, "nouvelle_caledonie", "Pacific/Noumea"),
        ("+68987123456", "PF", True, "polynesie_francaise", "Pacific/Tahiti"),
        ("+68940412345", "PF", False, "polynesie_francaise", "Pacific/Tahiti"),
        ("+681821234", "WF", True, "wallis_et_futuna", "Pacific/Wallis"),
        ("+32470123456", "BE", True, "foreign", "Europe/Brussels"),
        ("+12125550100", "US", None, "foreign", "America/New_York"),
    ],
)
def test_describe_gives_region_line_territory_and_zone(
    number: str, region: str, is_mobile: bool | None, territory: str, timezone: str
) -> None:
    assert describe(number) == NumberInfo(number, region, is_mobile, territory, timezone)


@given(
    st.sampled_from([*FRENCH_CODES, "32", "1", "44"]),
    st.from_regex(r"[1-9][0-9]{5,11}", fullmatch=True),
)
def test_the_territory_looked_up_once_per_area_is_the_numbers_own(code: str, digits: str) -> None:
    try:
        info = describe(f"+{code}{digits}")
    except PhoneNumberError:
        return
    assert territory_of(info.e164) == info.territory


def test_describe_takes_national_writing() -> None:
    assert describe("06 12 34 56 78").e164 == "+33612345678"


@pytest.mark.parametrize(
    ("written", "e164", "territory"),
    [
        # Blocks of the national plan that phonenumbers also deems valid under +33.
        ("0269 60 12 34", "+262269601234", "mayotte"),
        ("0596 69 61 23", "+596596696123", "martinique"),
        ("(0596) 69-61-23", "+596596696123", "martinique"),
        ("05 56 00 00 00", "+33556000000", "mainland"),
        ("09 76 00 00 00", "+33976000000", "mainland"),
    ],
)
def test_national_writing_of_an_overseas_block_is_that_department_even_where_33_would_parse(
    written: str, e164: str, territory: str
) -> None:
    assert to_e164(written) == e164
    assert describe(written).territory == territory


def test_foreign_country_with_several_zones_has_no_single_zone() -> None:
    assert describe("+447911123456").timezone is None


def test_describe_refuses_an_invalid_number() -> None:
    with pytest.raises(PhoneNumberError):
        describe("+33700000000")


def test_territory_timezones_cover_every_territory_and_are_real_zones() -> None:
    territories = {
        "mainland",
        "corsica",
        "reunion",
        "guadeloupe",
        "martinique",
        "guyane",
        "mayotte",
        "saint_pierre_et_miquelon",
        "nouvelle_caledonie",
        "polynesie_francaise",
        "wallis_et_futuna",
        "saint_barthelemy",
        "saint_martin",
    }
    assert set(TERRITORY_TIMEZONES) == territories
    assert all(ZoneInfo(zone) for zone in TERRITORY_TIMEZONES.values())
    assert TERRITORY_TIMEZONES["corsica"] == "Europe/Paris"


def test_territory_timezones_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        TERRITORY_TIMEZONES["mainland"] = "UTC"  # type: ignore[index]


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("+33612345678", "+33 6 ** ** ** 78"),
        ("06 12 34 56 78", "+33 6 ** ** ** 78"),
        ("+262692123456", "+262 6** ** ** 56"),
        ("+687751234", "+687 7*.**.34"),
        ("+508551234", "+508 5* ** 34"),
        ("+12125550100", "+1 2**-***-**00"),
        ("+33 6 12", "******12"),
        ("hello world", "*********ld"),
        ("7", "7"),
        ("", ""),
    ],
)
def test_mask_keeps_country_code_first_digit_and_last_two(raw: str, masked: str) -> None:
    assert mask(raw) == masked


# Properties

digits = st.text(alphabet="0123456789", min_size=4, max_size=13)
e164_shaped = st.builds(lambda code, rest: "+" + code + rest, st.sampled_from(FRENCH_CODES), digits)
separators = st.sampled_from(["", " ", ".", "-"])
national_fr = st.builds(
    lambda first, groups, sep: "0" + first + "".join(sep + group for group in groups),
    st.sampled_from("0123456789"),
    st.lists(st.text(alphabet="0123456789", min_size=2, max_size=2), min_size=3, max_size=5),
    separators,
)
numberish = st.one_of(e164_shaped, national_fr, st.text(max_size=20))


def slow(raw: str, region: str = "FR") -> str | None:
    try:
        return _e164(_parse_valid(raw, region))
    except PhoneNumberError:
        return None


@given(numberish)
def test_fast_path_never_accepts_what_the_full_parse_rejects(raw: str) -> None:
    fast = _fast_match(raw, "FR")
    if fast is not None:
        assert slow(raw) == fast.string


@given(st.sampled_from(FRENCH_CODES), st.sampled_from("123456789"), digits)
def test_fast_path_accepts_every_valid_french_e164_number(code: str, first: str, rest: str) -> None:
    raw = "+" + code + first + rest
    assume(len(first + rest) <= 12)
    if slow(raw) is not None:
        assert _fast_match(raw, "FR") is not None


@given(numberish)
def test_to_e164_is_idempotent(raw: str) -> None:
    try:
        once = to_e164(raw)
    except PhoneNumberError:
        return
    assert to_e164(once) == once


@given(numberish)
def test_mask_never_raises_and_shows_at_most_the_last_two_of_the_subscriber_digits(
    raw: str,
) -> None:
    masked = mask(raw)
    if masked == "*" * (len(raw) - 2) + raw[-2:]:
        return
    shown = re.fullmatch(r"\+(\d{1,3}) \d[^\d]*(?:\*[^\d]*)*\d[^\d]*\d", masked)
    assert shown is not None
    number = to_e164(raw)
    assert number.startswith("+" + shown[1])
    assert masked.count("*") == len(number) - len(shown[1]) - 4


@given(st.sampled_from(["+33612", "+33145", "+33751", "+33999", "+33900"]), st.integers(0, 999999))
def test_the_mainland_masking_shortcut_agrees_with_the_full_formatting(
    block: str, tail: int
) -> None:
    number = f"{block}{tail:06d}"
    try:
        to_e164(number)
    except PhoneNumberError:
        return
    # Written with the 00 international prefix, the number goes through phonenumbers' formatting.
    assert mask(number) == mask("0033" + number[3:])


@pytest.mark.parametrize(
    ("national", "e164", "territory"),
    [
        ("0692 12 34 56", "+262692123456", "reunion"),
        ("0693 12 34 56", "+262693123456", "reunion"),
        ("0639 01 23 45", "+262639012345", "mayotte"),
        ("0690 12 34 56", "+590690123456", "guadeloupe"),
        ("0691 28 12 34", "+590691281234", "guadeloupe"),
        ("0694 12 34 56", "+594694123456", "guyane"),
        ("0696 12 34 56", "+596696123456", "martinique"),
        ("0697 12 34 56", "+596697123456", "martinique"),
        ("(0692) 12-34-56", "+262692123456", "reunion"),
    ],
)
def test_overseas_numbers_written_nationally_belong_to_their_territory(
    national: str, e164: str, territory: str
) -> None:
    assert to_e164(national) == e164
    assert describe(national).territory == territory
    assert mask(national) == mask(e164)
    assert national.replace(" ", "")[-8:-2] not in mask(national)


def test_an_overseas_block_under_plus_33_is_still_no_number() -> None:
    with pytest.raises(PhoneNumberError, match="numbering plan"):
        to_e164("+33 692 12 34 56")


_OVERSEAS_REGIONS = ("RE", "YT", "GP", "MQ", "GF", "BL", "MF")


def _overseas_codes(digits: str) -> set[int]:
    """Calling codes of the overseas departments under which phonenumbers deems `digits` valid."""
    found = set()
    for code in (262, 590, 594, 596):
        number = phonenumbers.parse(f"+{code}{digits}")
        valid = phonenumbers.is_valid_number(number)
        if valid and phonenumbers.region_code_for_number(number) in _OVERSEAS_REGIONS:
            found.add(code)
    return found


@given(st.from_regex(r"[1-9][0-9]{8}", fullmatch=True))
def test_a_valid_mainland_number_written_nationally_stays_mainland(digits: str) -> None:
    assume(phonenumbers.is_valid_number(phonenumbers.parse("+33" + digits)))
    overseas = _overseas_codes(digits)
    if len(overseas) == 1 and digits[0] not in "89":  # a department's own block (0596, 0269)
        assert to_e164("0" + digits) == f"+{overseas.pop()}{digits}"
    else:  # mainland, or a service of the whole plan (08, 09)
        assert to_e164("0" + digits) == "+33" + digits


international = st.builds(
    lambda prefix, code, zero, groups, sep: prefix + code + zero + sep.join(groups),
    st.sampled_from(["+", "00"]),
    st.sampled_from([*FRENCH_CODES, "1", "32", "44"]),
    st.sampled_from(["", " ", " (0)", "(0)", " (0) "]),
    st.lists(st.text(alphabet="0123456789", min_size=1, max_size=4), min_size=1, max_size=5),
    separators,
)


@given(international, st.sampled_from(["FR", "RE", "US"]))
def test_international_writings_read_without_the_full_parse_read_as_the_full_parse(
    raw: str, region: str
) -> None:
    try:
        found: str | None = to_e164(raw, region)
    except PhoneNumberError:
        found = None
    assert found == slow(raw, region)


@pytest.mark.parametrize(
    ("pattern", "openings"),
    [
        (r"69(?:2\d|3[0-2])\d{4}", {"692", "693"}),
        (r"(?=[0-9]{9}\Z)(?:26[23]|7)\d{2,}", {"262", "263", *(f"7{n:02d}" for n in range(100))}),
        (r"5", {"5"}),
        (r"(?:12)*", {"", "12", "121"}),
        (r"(?:1?)+", None),  # may repeat nothing
        (r"6.\d", None),
        (r"6[^0]\d", None),
    ],
)
def test_openings_are_the_first_digits_of_what_a_pattern_matches(
    pattern: str, openings: set[str] | None
) -> None:
    assert _openings(pattern) == (None if openings is None else frozenset(openings))


def test_nine_digits_an_overseas_validator_accepts_always_open_as_an_overseas_number() -> None:
    rng = random.Random(18)
    for opening in (f"{n:03d}" for n in range(1000)):
        for _ in range(30):
            digits = opening + "".join(rng.choice("0123456789") for _ in range(6))
            if not _may_be_overseas(digits):
                assert not any(
                    _FAST_VALIDATORS[code].fullmatch(digits)
                    for code in ("262", "590", "594", "596")
                )
