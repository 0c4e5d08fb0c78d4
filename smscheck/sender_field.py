"""The sender shown on the phone (the "OADC") and what French operators accept there.

Three forms are accepted (af2m): an alphanumeric name of 1 to 11 ASCII letters and digits with at
least one letter, which cannot receive replies; a 5-digit short code starting 36 or 38; or a phone
number, which must belong to the sender (loi 2020-901, art. 10), here: be declared by the campaign.

Since 10 March 2025 operators also refuse a name that is only a generic word ("INFO", "RDV"):
`generic_parts` tells whether a name is made of nothing else. Mobile numbers of the French
plan (06, 07, and the overseas mobiles) are for person-to-person traffic (ARCEP decision
2022-1583): `phone_line` tells whether a sender is one.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

from smscheck.phones import PhoneNumberError, describe, to_e164

SenderKind = Literal["alphanumeric", "short_code", "phone_number", "invalid"]

_NAME_MAX = 11
_NAME = re.compile(rf"[A-Za-z0-9]{{1,{_NAME_MAX}}}")
_SHORT_CODE = re.compile(r"[0-9]{5}")
# Written like a phone number: digits, the usual separators, perhaps a leading +.
_NUMERIC = re.compile(r"\+?[ .()-]*[0-9][0-9 .()-]*")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class SenderField:
    """How a sender value reads; `kind` is "invalid" exactly when `valid` is False.

    `can_receive_replies` says whether an answer sent to this sender reaches the campaign.
    """

    kind: SenderKind
    valid: bool
    can_receive_replies: bool
    reason_fr: str = ""
    reason_en: str = ""


def classify_sender(value: str, declared_numbers: Iterable[str] = ()) -> SenderField:
    """Classify a sender value; a phone number is valid only if among `declared_numbers`."""
    if _SHORT_CODE.fullmatch(value):
        if value.startswith(("36", "38")):
            return SenderField("short_code", True, True)
        return _invalid(
            "Un numéro court doit commencer par 36 ou 38.",
            "A short code must start with 36 or 38.",
        )
    if _NUMERIC.fullmatch(value):
        return _classify_number(value, declared_numbers)
    if _NAME.fullmatch(value):
        return SenderField("alphanumeric", True, False)
    return _invalid_name(value)


def _classify_number(value: str, declared_numbers: Iterable[str]) -> SenderField:
    try:
        number = to_e164(value)
    except PhoneNumberError:
        return _invalid(
            "Un émetteur numérique doit être un numéro court (5 chiffres commençant par 36 ou 38) "
            "ou un numéro de téléphone valide.",
            "A numeric sender must be a short code (5 digits starting 36 or 38) "
            "or a valid phone number.",
        )
    if number in _normalised(declared_numbers):
        return SenderField("phone_number", True, True)
    return _invalid(
        "Ce numéro n'est pas déclaré par la campagne : un numéro d'émetteur doit appartenir à "
        "l'expéditeur (loi 2020-901, art. 10).",
        "This number is not declared by the campaign: a sender number must belong to the sender "
        "(loi 2020-901, art. 10).",
    )


def _normalised(numbers: Iterable[str]) -> set[str]:
    """E.164 forms of the numbers; one that is not a valid number can match nothing."""
    found = set()
    for number in numbers:
        try:
            found.add(to_e164(number))
        except PhoneNumberError:
            continue
    return found


def _invalid_name(value: str) -> SenderField:
    """Every rule of alphanumeric names that `value` breaks."""
    fr: list[str] = []
    en: list[str] = []
    if not value:
        fr.append("il est vide")
        en.append("it is empty")
    if len(value) > _NAME_MAX:
        fr.append(f"{len(value)} caractères, {_NAME_MAX} au plus")
        en.append(f"{len(value)} characters, at most {_NAME_MAX}")
    if any(char.isspace() for char in value):
        fr.append("il contient des espaces")
        en.append("it contains spaces")
    others = sorted({c for c in value if not (c.isspace() or (c.isascii() and c.isalnum()))})
    if others:
        shown = " ".join(others)
        fr.append(f"caractères interdits : {shown} (lettres et chiffres ASCII seulement)")
        en.append(f"characters not allowed: {shown} (ASCII letters and digits only)")
    if value and not any(char.isalpha() for char in value):
        fr.append("il ne contient aucune lettre")
        en.append("it contains no letter")
    return _invalid(
        "Nom d'émetteur refusé : " + " ; ".join(fr) + ".",
        "Sender name refused: " + "; ".join(en) + ".",
    )


def _invalid(fr: str, en: str) -> SenderField:
    return SenderField("invalid", False, False, fr, en)


def generic_parts(name: str, generic: Collection[str]) -> tuple[str, ...] | None:
    """The generic words (and numbers) an alphanumeric name is made of, or None if it has more.

    `generic` holds upper-case words; "INFO", "INFOVOTE" and "RDV2026" are only generic, while
    "MAIRIELYON" also names someone.
    """
    upper = name.upper()
    longest = max(map(len, generic), default=0)
    # split[i]: a way to cut upper[:i] into generic words and numbers, if there is one.
    split: list[tuple[str, ...] | None] = [()] + [None] * len(upper)
    for start in range(len(upper)):
        done = split[start]
        if done is None:
            continue
        digits = _DIGITS.match(upper, start)
        ends = [digits.end()] if digits else []
        ends += [end for end in range(start + 1, min(len(upper), start + longest) + 1)]
        for end in ends:
            piece = upper[start:end]
            if split[end] is None and (piece in generic or piece.isdigit()):
                split[end] = (*done, piece)
    found = split[-1]
    return found if found and any(not piece.isdigit() for piece in found) else None


def phone_line(value: str) -> Literal["french_mobile", "other"] | None:
    """Whether a sender is a mobile number of the French numbering plan, another phone number,
    or (None) no phone number at all: a name, a short code, digits no number has."""
    if not _NUMERIC.fullmatch(value) or _SHORT_CODE.fullmatch(value):
        return None
    try:
        info = describe(to_e164(value))
    except PhoneNumberError:
        return None
    return "french_mobile" if info.is_mobile is True and info.territory != "foreign" else "other"
