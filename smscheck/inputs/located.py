"""Located errors: where an input was read, what was read there, and errors that name the
field, never the data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from pydantic import ValidationError

from smscheck.models import Case
from smscheck.phones import mask

if TYPE_CHECKING:
    from smscheck.inputs.merge import Template

MAX_PROBLEMS = 5  # validation problems listed in one error message


class InputError(ValueError):
    """An input that is not a case; the message names the field, never the data."""


class Location(NamedTuple):
    """Where an input was read: `file`, `file:line` (JSON Lines) or `file[entry]` (the entry of
    a JSON array, counted from 1). Immutable records, quick to make: one or two per line read."""

    file: str
    line: int | None = None
    entry: int | None = None

    def __str__(self) -> str:
        file = shown_file(self.file)
        if self.entry is not None:
            return f"{file}[{self.entry}]"
        return file if self.line is None else f"{file}:{self.line}"


def shown_file(file: str) -> str:
    """A file name as reports show it: one whose bytes are not UTF-8 (which Python reads as lone
    surrogates, that no UTF-8 output can hold) with those bytes escaped, `caf\\xe9.jsonl`."""
    shown = _SHOWN.get(file)
    if shown is None:
        try:
            file.encode("utf-8")
            shown = file
        except UnicodeEncodeError:
            shown = file.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        if len(_SHOWN) >= 1024:  # both forgotten together: an escaped name keeps its raw one
            _SHOWN.clear()
            _RAW.clear()
        _SHOWN[file] = shown
        _RAW[shown] = file
    return shown


_SHOWN: dict[str, str] = {}  # each name as `shown_file` shows it
_RAW: dict[str, str] = {}  # and back


def raw_file(shown: str) -> str:
    """The name of the file `shown_file` showed as `shown`, as the system knows it: what a URI
    of the file's very bytes is made from (SARIF)."""
    return _RAW.get(shown, shown)


class Item(NamedTuple):
    """One input: a case to check, a campaign template to check once for all its recipients
    (`template` without `case`), or the reason it could not be read.

    A case filled from a template carries it too, and where it was read (`template_at`)."""

    location: Location
    case: Case | None = None
    error: str | None = None
    template: Template | None = None
    template_at: Location | None = None


_PLAIN_KEY = re.compile(r"[^\W\d][\w-]{0,39}")


def key_text(part: str | int) -> str:
    """A key for an error message: field names as they are; a key that may be data (a number,
    a long or odd string) masked like a phone number, so that no message gives it away."""
    if isinstance(part, int):
        return str(part)
    if _PLAIN_KEY.fullmatch(part) and sum(char.isdigit() for char in part) < 5:
        return part
    if len(part) > 40:
        return f"(a key of {len(part)} characters)"
    shown = mask(part)
    return shown if shown.isprintable() else "(a key)"


def field_path(loc: Iterable[str | int], prefix: str = "") -> str:
    parts = [key_text(part) for part in loc if part != "[key]"]
    return prefix + ".".join(parts) if parts else (prefix.rstrip(".") or "(document)")


# Pydantic's wording where it speaks of Python types.
_PLAIN_MESSAGES = {
    "model_type": "expected a JSON object",
    "model_attributes_type": "expected a JSON object",
    "dict_type": "expected a JSON object",
    "tuple_type": "expected a JSON array",
}


def describe_validation(error: ValidationError, prefix: str = "") -> str:
    """Each problem as `field.path: reason`, without echoing the input values."""
    problems = error.errors(include_url=False, include_input=False, include_context=False)
    parts = []
    for problem in problems[:MAX_PROBLEMS]:
        where = field_path(problem["loc"], prefix)
        message = _PLAIN_MESSAGES.get(problem["type"], problem["msg"])
        if problem["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    if len(problems) > MAX_PROBLEMS:
        parts.append(f"and {len(problems) - MAX_PROBLEMS} more problem(s)")
    return "; ".join(parts)


def kind_of(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "null" if value is None else type(value).__name__
