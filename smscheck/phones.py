"""Phone numbers: parse and normalise to E.164 with `phonenumbers`, locate, and mask for reports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType

# Region codes `phonenumbers` gives for French numbers, with the territory each designates.
_TERRITORIES = {
    "FR": "mainland",
    "RE": "reunion",
    "YT": "mayotte",
    "GP": "guadeloupe",
    "BL": "saint_barthelemy",
    "MF": "saint_martin",
    "MQ": "martinique",
    "GF": "guyane",
    "PM": "saint_pierre_et_miquelon",
    "NC": "nouvelle_caledonie",
    "PF": "polynesie_francaise",
    "WF": "wallis_et_futuna",
}
_MOBILE = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


class PhoneNumberError(ValueError):
    """A number that is not a valid phone number; the message shows it masked."""


@dataclass(frozen=True, slots=True)
class NumberInfo:
    e164: str
    region: str | None
    is_mobile: bool
    territory: str


@lru_cache(maxsize=65536)
def _parse(raw: str, region: str) -> phonenumbers.PhoneNumber:
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise PhoneNumberError(f"not a phone number: {mask(raw)}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneNumberError(f"not a valid phone number: {mask(raw)}")
    return parsed


_FRENCH_E164 = re.compile(r"\+33[1-9]\d{8}")


@lru_cache(maxsize=4096)
def _valid_french_block(block: str, example: str) -> bool:
    """Whether numbers of a block (`+33` and the first five national digits) are valid.

    Validity of a French number depends on its length and leading digits only, so one number
    of a block answers for the whole block."""
    try:
        _parse(example, "FR")
    except PhoneNumberError:
        return False
    return True


def to_e164(raw: str, region: str = "FR") -> str:
    """The number in E.164 form (`+33612345678`), from national or international writing."""
    if _FRENCH_E164.fullmatch(raw):  # fast path: already E.164, a French block known valid
        if _valid_french_block(raw[:8], raw):
            return raw
        raise PhoneNumberError(f"not a valid phone number: {mask(raw)}")
    return phonenumbers.format_number(_parse(raw, region), phonenumbers.PhoneNumberFormat.E164)


def describe(number: str, region: str = "FR") -> NumberInfo:
    """Where a number belongs and whether it is a mobile."""
    parsed = _parse(number, region)
    code = phonenumbers.region_code_for_number(parsed)
    return NumberInfo(
        e164=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        region=code,
        is_mobile=phonenumbers.number_type(parsed) in _MOBILE,
        territory=_TERRITORIES.get(code or "", "foreign"),
    )


def mask(number: str) -> str:
    """A number as reports show it: country code, first digit and last two (`+33 6 ** ** ** 78`)."""
    digits = "".join(char for char in number if char.isdigit())
    if number.startswith("+33") and len(digits) == 11:
        return f"+33 {digits[2]} ** ** ** {digits[-2:]}"
    if len(digits) < 4:
        return "*" * len(number)
    return "*" * (len(digits) - 2) + digits[-2:]
