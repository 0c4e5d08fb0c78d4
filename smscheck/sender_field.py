"""The sender field shown on the phone (the "OADC"): what French operators accept."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from smscheck.phones import PhoneNumberError, to_e164

Kind = Literal["alphanumeric", "short_code", "phone_number", "invalid"]


@dataclass(frozen=True, slots=True)
class SenderField:
    kind: Kind
    valid: bool
    can_receive_replies: bool
    reason_fr: str = ""
    reason_en: str = ""


def _invalid(fr: str, en: str) -> SenderField:
    return SenderField("invalid", False, False, fr, en)


def classify_sender(value: str, declared_numbers: Iterable[str] = ()) -> SenderField:
    """Alphanumeric name (1-11 ASCII letters/digits, not all digits), a 36xxx/38xxx short code,
    or a phone number the campaign declares as its own."""
    if value.isascii() and value.isdigit() and len(value) == 5:
        if value[:2] in ("36", "38"):
            return SenderField("short_code", True, True)
        return _invalid(
            "Un numéro court doit commencer par 36 ou 38.", "A short code must start with 36 or 38."
        )
    if value.isascii() and value.isalnum() and not value.isdigit():
        if len(value) <= 11:
            return SenderField("alphanumeric", True, False)
        return _invalid(
            f"Nom d'émetteur de {len(value)} caractères : 11 au plus.",
            f"Sender name of {len(value)} characters: 11 at most.",
        )
    if value.lstrip("+").replace(" ", "").isdigit():
        try:
            number = to_e164(value)
        except PhoneNumberError:
            return _invalid("Numéro d'émetteur invalide.", "Invalid sender number.")
        declared = set()
        for entry in declared_numbers:
            try:
                declared.add(to_e164(entry))
            except PhoneNumberError:
                continue
        if number in declared:
            return SenderField("phone_number", True, True)
        return _invalid(
            "Ce numéro n'est pas déclaré par la campagne comme le sien.",
            "This number is not declared by the campaign as its own.",
        )
    return _invalid(
        "Un nom d'émetteur ne comporte que des lettres et chiffres ASCII, sans espace ni ponctuation.",
        "A sender name holds only ASCII letters and digits, no spaces or punctuation.",
    )
