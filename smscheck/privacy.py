"""Phone numbers inside quoted text (a body, a link, a field name): found and masked.

Reports quote bodies as evidence and messages quote fields and links; the numbers in them are
personal data as much as the recipient's. A digit run is taken for a phone number when it is
written as one:

- international: `+`, `%2B` (a `+` in a URL) or `00`, then 8 to 15 digits in all, separators
  between them (spaces, dots, dashes, slashes: `06/98`, `06. 98`, `06 – 98`), a trunk `(0)`
  allowed (`+33 (0)6 98 76 54 32`); a calling code no country has is a mistyped number,
  masked all the same, and a longer run (numbers written on one after the other) is masked
  whole;
- French national: `0`, a digit from 1 to 9, then eight digits, grouped in any way with one
  separator throughout (`06 98 76 54 32`, `06 9876 5432`, `06.98.76.54.32`, `0698765432`,
  `?tel=0698765432`, `%2006%2098...` in a link), read in any run of digit groups from the
  start of one group to the end of another (`le 15 03 2026 06 98 76 54 32`,
  `Horaires 08 00 06 98 76 54 32`);
- bare: 11 to 15 digits with no separator forming a valid international number
  (`?tel=33698765432`), or ending or starting with a French one (`330698765432`,
  `06987654321`).

Letters glued to a number do not hide it (`tel0698765432`, `%3A0698765432`); digits glued to it
make another run. Short codes (36111), postcodes, years, dates and what follows them
(`15.03.2026`, `01 03 2026`, `01 02 2026 10h`, `le 15 03 2026 08 00`: ten digits holding a
date's year are no number), times and amounts are none of these. French service numbers (08,
`+33 8`: freephone, shared-cost, premium-rate) are no one's personal number and stay readable:
the rules on free-phone numbers quote them.

Masking keeps the length and the separators, the calling code, the first digit of the
national number and the last two (`06 ** ** ** 32`, `+33 6 ** ** ** 32`), so that offsets
into the body still hold.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

if TYPE_CHECKING:
    from smscheck.verdicts import Span

# Between digits: up to three of spaces (no-break and thin ones too, as French typography has
# them, and tabs), dots, dashes, en dashes and slashes (`06 98`, `06. 98`, `06 - 98`, `06/98`).
_SEPARATOR = r"[ \t.\-/\u00a0\u202f\u2009\u2013]"
_SEP = rf"(?:{_SEPARATOR}{{1,3}})"
# In a link, a space, quote, apostrophe or bracket is written as an escape (`%20`): between
# groups of digits it separates them as the character would.
_ESCAPE = r"%2[02789]"
_GAP = rf"(?:(?:{_SEPARATOR}|{_ESCAPE}){{1,3}})"
_PHONE = re.compile(
    rf"(?:(?<![\d%])|(?<={_ESCAPE}))(?:"
    rf"(?P<intl>(?:\+|%2[bB]|00)[1-9]\d{{0,2}}{_SEP}?(?:\(0\){_SEP}?)?\d(?:{_SEP}?\d){{5,}})"
    rf"|(?P<run>\d+(?:{_GAP}\d+)*)"  # groups of digits, separators between them
    r")(?!\d)"
)
_GROUP = re.compile(r"(?<!%)(?<!%2)\d+")  # the digits of an escape are none
# A day, a month and a year of this century or the last, as three groups of a run.
_DAY = re.compile(r"0?[1-9]|[12]\d|3[01]")
_MONTH = re.compile(r"0?[1-9]|1[0-2]")
_YEAR = re.compile(r"(?:19|20)\d\d")
_FRENCH_NATIONAL = re.compile(r"0[1-79]\d{8}")
# Six digits in a row, a separator allowed between them: every number above has them, most
# texts have not, and this is quick to rule out.
_DIGITS = re.compile(rf"\d(?:{_GAP}?\d){{5}}")
_SHOWN_AT_END = 2


@lru_cache(maxsize=128)  # a campaign's body is quoted by several rules, for each recipient
def mask_numbers(text: str) -> str:
    """`text` with the hidden digits of every phone number in it replaced by `*`."""
    if _DIGITS.search(text) is None:
        return text
    return _PHONE.sub(_mask_match, text)


def mask_evidence(spans: tuple[Span, ...], body: str) -> tuple[Span, ...]:
    """Spans of `body` quoting it masked: cut from the masked body, so that a span holding
    only part of a number hides that part too."""
    if not spans:
        return spans
    masked = mask_numbers(body)
    return tuple(
        span
        if (text := _masked_text(span, body, masked)) == span.text
        else span.model_copy(update={"text": text})
        for span in spans
    )


def _masked_text(span: Span, body: str, masked: str) -> str:
    if body[span.start : span.end] == span.text:
        return masked[span.start : span.end]
    return mask_numbers(span.text)  # a span of some other text


def _mask_match(match: re.Match[str]) -> str:
    written = match.group()
    if match["intl"] is not None:
        return _mask_international(written)
    if written.isdigit() and 11 <= len(written) <= 15:  # bare
        if _valid("+" + written):
            return _mask_international(written)
        return _french_ending(written)
    return _mask_national(written)


def _mask_international(written: str) -> str:
    digits = [index for index, char in enumerate(written) if char.isdigit()]
    values = "".join(written[index] for index in digits)
    international = values.removeprefix("00") if written.startswith("00") else values
    prefix = len(values) - len(international)
    if written.startswith("%2"):  # the 2 of %2B is no digit of the number
        prefix, international = 1, values[1:]
    if len(international) < 8:
        return written
    # A calling code no country has is a number mistyped; a run longer than any number,
    # several numbers written on: no one can tell where each starts, so all is masked.
    code = _calling_code(international)
    if code is None or len(international) > 15:
        code = international[:1]
    national = international[len(code) :]
    if code == "33" and national.lstrip("0").startswith("8"):
        return written
    trunk = len(national) - len(national.lstrip("0"))
    shown = prefix + len(code) + trunk + 1
    return _hidden(written, digits[shown : len(digits) - _SHOWN_AT_END])


def _mask_national(written: str) -> str:
    """Groups of digits masked wherever ten of them, from the start of a group to the end of
    another and with one separator throughout, read as a French number (0, a digit from 1 to 9
    but 8, eight more) that holds no date's year: `le 15 03 2026 06 98 76 54 32` hides the
    number and keeps the date, `06 98 76 12 03 2026` hides the number (its last groups only
    look like a day and a month)."""
    groups = [(found.start(), found.end()) for found in _GROUP.finditer(written)]
    years = set()
    for first in range(len(groups) - 2):
        day, month, year = (written[start:end] for start, end in groups[first : first + 3])
        if _DAY.fullmatch(day) and _MONTH.fullmatch(month) and _YEAR.fullmatch(year):
            years.add(first + 2)
    gaps = [written[end:start] for (_, end), (start, _) in pairwise(groups)]
    hidden: list[int] = []
    for first in range(len(groups)):
        positions: list[int] = []
        for last in range(first, len(groups)):
            # A number is written with one separator throughout: `05/03 - 12/03` and
            # `09.00-12.00` are dates and hours, whatever their digits.
            if last in years or (last > first + 1 and gaps[last - 1] != gaps[first]):
                break
            positions.extend(range(*groups[last]))
            if len(positions) >= 10:
                break
        if len(positions) == 10 and _FRENCH_NATIONAL.fullmatch(
            "".join(written[index] for index in positions)
        ):
            hidden.extend(positions[2:-_SHOWN_AT_END])
    return _hidden(written, hidden) if hidden else written


def _hidden(written: str, positions: list[int]) -> str:
    hide = set(positions)
    return "".join("*" if index in hide else char for index, char in enumerate(written))


def _french_ending(written: str) -> str:
    """A run of digits that is no valid number, masked where its last ten form a French one
    (`330698765432`: a calling code before the trunk 0), else its first ten (`06987654321`: a
    digit too many)."""
    start = len(written) - 10
    if _FRENCH_NATIONAL.fullmatch(written, start):
        return written[:start] + _mask_national(written[start:])
    if _FRENCH_NATIONAL.fullmatch(written, 0, 10):
        return _mask_national(written[:10]) + written[10:]
    return written


def _calling_code(digits: str) -> str | None:
    """The calling code `digits` start with (calling codes are prefix-free), or None."""
    for length in (1, 2, 3):
        if int(digits[:length] or 0) in COUNTRY_CODE_TO_REGION_CODE:
            return digits[:length]
    return None


def _valid(e164: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return False
