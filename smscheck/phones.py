"""Phone numbers: E.164 normalisation, the French territory they belong to, and masking."""

from __future__ import annotations

import re
import re._parser as _sre_parser  # type: ignore[import-not-found]  # as hypothesis does
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Any

import phonenumbers
from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    CountryCodeSource,
    NumberParseException,
    PhoneMetadata,
    PhoneNumber,
    PhoneNumberDesc,
    PhoneNumberFormat,
    PhoneNumberType,
)
from phonenumbers.timezone import time_zones_for_number

# IANA zone of each territory key. French Polynesia spans three zones; Tahiti's is the one most
# people live in. Corsica shares mainland numbers but is a territory of its own for elections.
TERRITORY_TIMEZONES: Mapping[str, str] = MappingProxyType(
    {
        "mainland": "Europe/Paris",
        "corsica": "Europe/Paris",
        "reunion": "Indian/Reunion",
        "guadeloupe": "America/Guadeloupe",
        "martinique": "America/Martinique",
        "guyane": "America/Cayenne",
        "mayotte": "Indian/Mayotte",
        "saint_pierre_et_miquelon": "America/Miquelon",
        "nouvelle_caledonie": "Pacific/Noumea",
        "polynesie_francaise": "Pacific/Tahiti",
        "wallis_et_futuna": "Pacific/Wallis",
        "saint_barthelemy": "America/St_Barthelemy",
        "saint_martin": "America/Marigot",
    }
)

# Territory key of each region code phonenumbers gives for French numbers.
_TERRITORY_OF_REGION = {
    "FR": "mainland",
    "RE": "reunion",
    "GP": "guadeloupe",
    "MQ": "martinique",
    "GF": "guyane",
    "YT": "mayotte",
    "PM": "saint_pierre_et_miquelon",
    "NC": "nouvelle_caledonie",
    "PF": "polynesie_francaise",
    "WF": "wallis_et_futuna",
    "BL": "saint_barthelemy",
    "MF": "saint_martin",
}


# Number types phonenumbers tries (in any order for validity; the common ones first here).
_NUMBER_TYPES = (
    "mobile",
    "fixed_line",
    "voip",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


def _metadata(regions: Iterable[str]) -> list[PhoneMetadata]:
    """Metadata of those regions phonenumbers has metadata for (it skips the others too)."""
    return [found for region in regions if (found := PhoneMetadata.metadata_for_region(region))]


def _desc_pattern(desc: PhoneNumberDesc | None) -> str | None:
    """A pattern matching exactly the national numbers a description accepts, or None."""
    if desc is None or not desc.national_number_pattern:
        return None
    lengths = [length for length in desc.possible_length if length > 0]
    if desc.possible_length and not lengths:
        return None
    sized = "(?=(?:" + "|".join(f"[0-9]{{{n}}}" for n in lengths) + r")\Z)" if lengths else ""
    return sized + "(?:" + desc.national_number_pattern + ")"


def _region_pattern(metadata: PhoneMetadata) -> str | None:
    """A pattern matching exactly the national numbers valid in a region, or None."""
    general = _desc_pattern(metadata.general_desc)
    types = [found for name in _NUMBER_TYPES if (found := _desc_pattern(getattr(metadata, name)))]
    if general is None or not types:
        return None
    return r"(?=" + general + r"\Z)(?:" + "|".join(types) + ")"


def _fast_validators() -> dict[str, re.Pattern[str]]:
    """French calling codes where '+' + code + digits parses exactly as written, each with a
    pattern to fully match exactly the national numbers phonenumbers deems valid.

    Parsing is that simple when no shorter prefix of the code is a calling code (the parser
    takes the shortest), no region of the code strips a national prefix other than "0" (so
    nothing is stripped from a number not starting with 0), and none picks its numbers by
    leading digits (so a number is valid when any region of the code accepts it).
    """
    validators = {}
    codes = {metadata.country_code for metadata in _metadata(_TERRITORY_OF_REGION)}
    for code in filter(None, codes):
        digits = str(code)
        regions = _metadata(COUNTRY_CODE_TO_REGION_CODE[code])
        shadowed = any(
            int(digits[:n]) in COUNTRY_CODE_TO_REGION_CODE for n in range(1, len(digits))
        )
        plain = all(
            metadata.national_prefix_for_parsing in (None, "0") and metadata.leading_digits is None
            for metadata in regions
        )
        patterns = [found for metadata in regions if (found := _region_pattern(metadata))]
        if plain and patterns and not shadowed:
            validators[digits] = re.compile("|".join(patterns))
    return validators


_OPENING = 3  # digits


def _openings(pattern: str) -> frozenset[str] | None:
    """The first _OPENING digits of every digit string `pattern` matches, give or take more
    (assertions are not followed); None when the pattern uses what this does not follow."""
    try:
        return frozenset(_sequence_openings(_sre_parser.parse(pattern), _OPENING))
    except (TypeError, ValueError):
        return None


def _sequence_openings(items: Iterable[tuple[object, object]], size: int) -> set[str]:
    """The openings of a parsed sequence: its first `size` characters, or fewer when the
    sequence ends there (to go on with what follows it)."""
    found = {""}
    for op, argument in items:
        if _full(found, size):
            break
        found = _followed(found, size, partial(_item_openings, op, argument))
    return found


def _full(starts: set[str], size: int) -> bool:
    return all(len(start) == size for start in starts)


def _followed(starts: set[str], size: int, parts: Callable[[int], set[str]]) -> set[str]:
    """Openings of what starts with one of `starts` and goes on with `parts(characters still
    wanted)`."""
    full = {start for start in starts if len(start) == size}
    short = starts - full
    if not short:
        return full
    more = parts(size - min(map(len, short)))
    return full | {(start + part)[:size] for start in short for part in more}


def _item_openings(op: object, argument: Any, size: int) -> set[str]:
    constants = _sre_parser
    if op is constants.LITERAL:
        return {chr(argument)}
    if op is constants.IN:
        return {char for kind, value in argument for char in _class_digits(kind, value)}
    if op is constants.SUBPATTERN:
        return _sequence_openings(argument[-1], size)
    if op is constants.BRANCH:
        return set().union(*(_sequence_openings(branch, size) for branch in argument[1]))
    if op in (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT):
        low, high, body = argument
        if "" in _sequence_openings(body, size):
            raise ValueError("a repeat that may match nothing")
        found, repeated, times = set(), {""}, 0
        while True:
            if times >= low:
                found |= repeated
            if times == high or _full(repeated, size):  # full openings stay as they are
                return found | repeated
            repeated = _followed(repeated, size, partial(_sequence_openings, body))
            times += 1
    if op in (constants.AT, constants.ASSERT, constants.ASSERT_NOT):
        return {""}  # not followed: the openings are more, never fewer
    raise ValueError(f"not followed: {op}")


def _class_digits(kind: object, value: Any) -> str:
    constants = _sre_parser
    if kind is constants.LITERAL:
        return chr(value)
    if kind is constants.RANGE:
        return "".join(map(chr, range(value[0], value[1] + 1)))
    if kind is constants.CATEGORY and value is constants.CATEGORY_DIGIT:
        return "0123456789"  # the numbers read here are ASCII digits
    raise ValueError(f"not followed: {kind}")


def _may_be_overseas(digits: str) -> bool:
    """Whether an overseas department's validator may accept these nine digits (quickly)."""
    return _OVERSEAS_OPENINGS is None or digits[:_OPENING] in _OVERSEAS_OPENINGS


_FAST_VALIDATORS = _fast_validators()
_FAST_SHAPE = re.compile(r"\+(" + "|".join(sorted(_FAST_VALIDATORS)) + r")([1-9][0-9]{5,11})")
_FR_NATIONAL = re.compile(r"0[1-9](?:[ .-]?[0-9]){8}")
# Calling codes of the overseas departments whose numbers belong to the national plan and are
# written there like mainland ones, 0 + nine digits (0692 12 34 56 in Réunion, 0690 in
# Guadeloupe, 0694 in Guyane, 0696 in Martinique, 0639 in Mayotte, which shares +262).
_OVERSEAS_NATIONAL = tuple(
    code for code in ("262", "590", "594", "596") if code in _FAST_VALIDATORS
)
# What the nine digits of a national writing start with when they may be an overseas one's.
_OVERSEAS_OPENINGS = _openings("|".join(_FAST_VALIDATORS[c].pattern for c in _OVERSEAS_NATIONAL))
_NATIONWIDE = frozenset("89")  # first digit of non-geographic numbers (special rate, VoIP)

# International writings that parse as their compact form, '+' and the digits: with separators
# ("+33 6 12 34 56 78"); with the international prefix 00 for '+' ("0033612345678") in regions
# dialling out with 00; with the national 0 in brackets ("+33 (0)6 12 34 56 78"), which the
# parser drops after a code whose regions all strip a national prefix 0.
_SPACED = re.compile(r"(\+|00)[1-9](?:[ .-]?[0-9])+")
_BRACKETED_ZERO = re.compile(r"(\+|00)([1-9][0-9]{0,2}) ?\(0\) ?([1-9](?:[ .-]?[0-9])+)")
_DIALS_00 = frozenset(
    metadata.id
    for metadata in _metadata(_TERRITORY_OF_REGION)
    if metadata.international_prefix == "00"
)
_STRIPS_0 = frozenset(
    code
    for code in _FAST_VALIDATORS
    if all(
        metadata.national_prefix_for_parsing == "0"
        for metadata in _metadata(COUNTRY_CODE_TO_REGION_CODE[int(code)])
    )
)


class PhoneNumberError(ValueError):
    """A phone number that cannot be used; the message shows only its last two characters."""

    def __init__(self, raw: str, reason: str) -> None:
        super().__init__(f"Invalid phone number {_mask_tail(raw)}: {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class NumberInfo:
    """Where a valid number belongs and the local time its owner lives in."""

    e164: str
    region: str
    is_mobile: bool | None
    territory: str
    timezone: str | None


def to_e164(raw: str, region: str = "FR") -> str:
    """The E.164 form of a national or international number; PhoneNumberError if invalid."""
    fast = _fast_e164(raw, region) or _fast_e164(_compact(raw, region), region)
    if fast is not None:
        return fast
    return _e164(_parse_valid(raw, region))


def _compact(raw: str, region: str) -> str:
    """An international writing of `raw` as '+' and its digits, as the parser reads it (see
    _SPACED); '' when `raw` is not one of those writings."""
    spaced = _SPACED.fullmatch(raw)
    if spaced is not None:
        prefix = spaced[1]
        if prefix == "+" or region in _DIALS_00:
            return "+" + _without_separators(raw[len(prefix) :])
        return ""
    bracketed = _BRACKETED_ZERO.fullmatch(raw)
    if bracketed is None or bracketed[2] not in _STRIPS_0:
        return ""
    if bracketed[1] == "+" or region in _DIALS_00:
        return "+" + bracketed[2] + _without_separators(bracketed[3])
    return ""


def describe(e164: str) -> NumberInfo:
    """Region, line type, French territory and time zone of a number.

    Any form `to_e164` accepts is taken. `territory` is "foreign" outside France; the time zone is
    then the country's when it has only one, else None.
    """
    number = _valid_number(e164)
    region = phonenumbers.region_code_for_number(number) or "ZZ"
    territory = _TERRITORY_OF_REGION.get(region, "foreign")
    if territory == "foreign":
        zones = time_zones_for_number(number)
        timezone = zones[0] if len(zones) == 1 and zones[0] != "Etc/Unknown" else None
    else:
        timezone = TERRITORY_TIMEZONES[territory]
    line = phonenumbers.number_type(number)
    is_mobile = (
        None if line == PhoneNumberType.FIXED_LINE_OR_MOBILE else line == PhoneNumberType.MOBILE
    )
    return NumberInfo(_e164(number), region, is_mobile, territory, timezone)


def area(e164: str) -> str:
    """The part of a valid E.164 number that decides its territory (all of +33 is mainland
    France; overseas, the calling code and the first digits after it)."""
    return "+33" if e164.startswith("+33") else e164[:9]


_TERRITORY_OF_AREA: dict[str, str] = {}
_MAX_AREAS = 4096


def territory_of(e164: str) -> str:
    """`describe(e164).territory`, looked up once per `area` of a valid E.164 number: the full
    parse and line-type lookup cost about 0.5 ms, and recipients share a few areas."""
    key = area(e164)
    found = _TERRITORY_OF_AREA.get(key)
    if found is None:
        if len(_TERRITORY_OF_AREA) >= _MAX_AREAS:
            _TERRITORY_OF_AREA.clear()
        found = _TERRITORY_OF_AREA[key] = describe(e164).territory
    return found


_MAINLAND_E164 = re.compile(r"\+33([1-9])\d{6}(\d\d)")


def mask(e164_or_raw: str) -> str:
    """The number for reports: '+33 6 ** ** ** 78'; anything else keeps its last 2 characters."""
    mainland = _MAINLAND_E164.fullmatch(e164_or_raw)
    if mainland is not None:
        # The common case at campaign scale, without formatting through phonenumbers (nor
        # validating again: a number of that shape is written so, valid or not).
        return f"+33 {mainland[1]} ** ** ** {mainland[2]}"
    try:
        number = _valid_number(e164_or_raw)
    except PhoneNumberError:
        return _mask_tail(e164_or_raw)
    prefix = f"+{number.country_code} "
    national = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)[len(prefix) :]
    positions = [index for index, char in enumerate(national) if char.isdigit()]
    shown = {positions[0], *positions[-2:]}
    return prefix + "".join(
        char if index in shown or not char.isdigit() else "*" for index, char in enumerate(national)
    )


def _mask_tail(raw: str) -> str:
    return "*" * (len(raw) - 2) + raw[-2:]


def _without_separators(text: str) -> str:
    """`text` without spaces, dots and dashes (quicker than str.translate)."""
    return text.replace(" ", "").replace(".", "").replace("-", "")


def _fast_match(raw: str, region: str) -> re.Match[str] | None:
    """`_fast_e164` split into country code and number."""
    found = _fast_e164(raw, region)
    return None if found is None else _FAST_SHAPE.fullmatch(found)


def _fast_e164(raw: str, region: str) -> str | None:
    """Without a full parse: the valid E.164 form of a French number written as E.164, or of a
    French number written nationally when `region` is FR.

    National writing (0 + nine digits) is the overseas department's when the nine digits are a
    geographic or mobile number of exactly one overseas department: the national plan gives
    them their own blocks (0692 is Réunion's, 0596 Martinique's, 0269 Mayotte's), though
    phonenumbers also deems some of those blocks (0596, 0269) valid under +33. Otherwise it is
    +33 and the nine digits when those are valid, as the parser reads it.
    """
    shape = _FAST_SHAPE.fullmatch(raw)
    if shape is not None:
        return raw if _FAST_VALIDATORS[shape[1]].fullmatch(shape[2]) else None
    if region != "FR" or not _FR_NATIONAL.fullmatch(raw):
        return None
    digits = _without_separators(raw)[1:]
    mainland = _FAST_VALIDATORS["33"].fullmatch(digits) is not None
    # 08 and 09 numbers are services of the whole plan, valid in every department alike.
    if not (mainland and digits[0] in _NATIONWIDE) and _may_be_overseas(digits):
        overseas = [c for c in _OVERSEAS_NATIONAL if _FAST_VALIDATORS[c].fullmatch(digits)]
        if len(overseas) == 1:
            return f"+{overseas[0]}{digits}"
    return "+33" + digits if mainland else None


def _valid_number(raw: str) -> PhoneNumber:
    fast = _fast_match(raw, "FR")
    if fast is None:
        return _parse_valid(raw, "FR")
    return PhoneNumber(country_code=int(fast[1]), national_number=int(fast[2]))


def _parse_valid(raw: str, region: str) -> PhoneNumber:
    """Full parse and validation; letters and extensions are refused."""
    if any(char.isalpha() for char in raw):
        raise PhoneNumberError(raw, "letters are not allowed")
    try:
        number = phonenumbers.parse(raw, region, keep_raw_input=True)
    except NumberParseException as exc:
        raise PhoneNumberError(raw, "not a phone number") from exc
    if number.extension:
        raise PhoneNumberError(raw, "extensions are not allowed")
    # Written nationally in a way the fast path does not read, e.g. "(0692) 12-34-56": read as
    # the fast path reads national writing, overseas blocks first.
    national = number.country_code_source == CountryCodeSource.FROM_DEFAULT_COUNTRY
    found = _fast_match(f"0{number.national_number}", region) if national else None
    if found is not None:
        return PhoneNumber(country_code=int(found[1]), national_number=int(found[2]))
    if phonenumbers.is_valid_number(number):
        return PhoneNumber(country_code=number.country_code, national_number=number.national_number)
    raise PhoneNumberError(raw, "no such number in its numbering plan")


def _e164(number: PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
