"""Inbound replies from an SMS provider's export: read them, classify them, record what they ask.

An export is CSV (a header row; comma, semicolon or tab) or JSON Lines (one object a line), with
a number, the reply and when it was received; the column names are options because every
provider names them differently. A reply may span lines (a quoted CSV field, a JSON string).

Recording (`record`) follows the classifier's safe direction: a certain opt-out is recorded; an
opt-out to review is recorded too, so the number is suppressed until a person decides (GDPR art.
21(3)), and listed for that person; a clear opt-in is recorded (the registry orders events by
time, so it never lifts a later opt-out); an uncertain opt-in and a question are only listed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Literal

from smscheck.inputs import LINE_SUFFIXES, InputError, bounded_lines
from smscheck.inputs.strict import loads
from smscheck.phones import PhoneNumberError, mask, to_e164
from smscheck.registry import GLOBAL_SCOPE, OptOutRecord, SQLiteRegistry, make_record
from smscheck.replies import ReplyClass, classify_reply

InboundFormat = Literal["csv", "jsonl"]
Action = Literal["opt_out", "opt_in"]
_DELIMITERS = ",;\t"
_CHUNK = 1000


class InboundError(ValueError):
    """An export that cannot be read at all: wrong format, missing column, not UTF-8."""


@dataclass(frozen=True, slots=True)
class Columns:
    """Which columns (CSV) or keys (JSON Lines) hold the number, the reply and its time."""

    number: str = "number"
    reply: str = "reply"
    received_at: str = "received_at"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One reply read from an export; `error` says why it cannot be recorded (number masked)."""

    line: int
    number: str
    reply: str
    received_at: datetime | None
    error: str = ""
    shown_number: str = "-"


@dataclass(frozen=True, slots=True)
class Decision:
    """A reply, its class, what recording does with it and whether a person must look."""

    inbound: Inbound
    result: ReplyClass

    @property
    def action(self) -> Action | None:
        """The event to record, if any: opt-outs certain or not, and clear opt-ins."""
        if self.inbound.error:
            return None
        if self.result.kind == "opt_out":
            return "opt_out"
        if self.result.kind == "opt_in" and self.result.status == "certain":
            return "opt_in"
        return None

    @property
    def needs_person(self) -> bool:
        """A reply to review, a question owed an answer, or an opt-out that could not be kept."""
        unkept = bool(self.inbound.error) and self.result.kind != "other"
        return self.result.status == "review" or self.result.kind == "help" or unkept


def inbound_format(path: str, given: InboundFormat | None) -> InboundFormat:
    """The format named, else the one the file name says (JSON Lines by suffix, else CSV)."""
    if given is not None:
        return given
    return "jsonl" if path.lower().endswith(LINE_SUFFIXES) else "csv"


def read_inbound(
    data: IO[bytes], fmt: InboundFormat, columns: Columns = Columns(), *, region: str = "FR"
) -> Iterator[Inbound]:
    """The replies of an export, in order; InboundError when it is not such an export."""
    rows = _csv_rows(data, columns) if fmt == "csv" else _jsonl_rows(data, columns)
    for line, number, reply, at, problem in rows:
        yield _inbound(line, number, reply, at, region, problem)


# A row as read: line, number, reply, received time, and what made it unreadable if anything.
_Row = tuple[int, str, str, str, str]


def _inbound(line: int, number: str, reply: str, at: str, region: str, problem: str) -> Inbound:
    if problem:
        return Inbound(line, "", reply, None, problem)
    errors = []
    shown = mask(number.strip()) if number.strip() else "-"
    try:
        e164 = to_e164(number.strip(), region)
        shown = mask(e164)
    except PhoneNumberError:
        e164 = ""
        errors.append(f"number {shown} is not a valid phone number")
    received: datetime | None = None
    try:
        received = datetime.fromisoformat(at.strip())
    except ValueError:
        errors.append("received time is not an ISO 8601 date and time")
    if received is not None and received.utcoffset() is None:
        received = None
        errors.append("received time has no UTC offset")
    return Inbound(line, e164, reply, received, "; ".join(errors), shown)


def _csv_rows(data: IO[bytes], columns: Columns) -> Iterator[_Row]:
    file = io.TextIOWrapper(data, encoding="utf-8-sig", newline="")
    try:
        head = file.readline()
    except UnicodeDecodeError:
        raise InboundError("not UTF-8 text") from None
    if not head.strip():
        raise InboundError("empty export: expected a header row naming the columns")
    delimiter = max(_DELIMITERS, key=head.count)
    reader = csv.reader(_chain(head, file), delimiter=delimiter, strict=True)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
        wanted = [name.lower() for name in (columns.number, columns.reply, columns.received_at)]
        missing = [name for name in wanted if name not in header]
        if missing:
            raise InboundError(
                f"line 1: no column {', '.join(missing)} (the header has: {', '.join(header)}); "
                "name the columns with --number-column, --reply-column, --received-column"
            )
        where = [header.index(name) for name in wanted]
        line = reader.line_num + 1
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            cells = [row[index] if index < len(row) else "" for index in where]
            yield start, cells[0], cells[1], cells[2], ""
    except UnicodeDecodeError:
        raise InboundError("not UTF-8 text") from None
    except csv.Error as error:
        raise InboundError(f"line {reader.line_num}: not readable as CSV: {error}") from None


def _chain(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest


def _jsonl_rows(data: IO[bytes], columns: Columns) -> Iterator[_Row]:
    keys = (columns.number, columns.reply, columns.received_at)
    try:
        for line, raw in enumerate(bounded_lines(data.readline), start=1):
            if not raw.strip():
                continue
            try:
                document = loads(raw)
            except InputError as error:
                yield line, "", "", "", str(error)
                continue
            if not isinstance(document, dict):
                yield line, "", "", "", f"expected an object with {', '.join(keys)}"
                continue
            number, reply, at = (document.get(key) for key in keys)
            if isinstance(number, str) and isinstance(reply, str) and isinstance(at, str):
                yield line, number, reply, at, ""
            else:
                wrong = [key for key in keys if not isinstance(document.get(key), str)]
                text = reply if isinstance(reply, str) else ""
                yield line, "", text, "", f"no text under {', '.join(wrong)}"
    except InputError as error:  # a line too long for any export
        raise InboundError(str(error)) from None


def classify_inbound(replies: Iterable[Inbound]) -> Iterator[Decision]:
    """Each reply with its class."""
    for inbound in replies:
        yield Decision(inbound, classify_reply(inbound.reply))


@dataclass(slots=True)
class Recorded:
    """What recording did: events written (new ones counted apart) per kind."""

    opt_out: int = 0
    opt_out_to_review: int = 0
    opt_in: int = 0
    new: int = 0


class Recorder:
    """Writes decisions into a registry in chunks, each chunk one durable transaction."""

    def __init__(self, registry: SQLiteRegistry, *, source: str, scope: str = GLOBAL_SCOPE) -> None:
        self.registry = registry
        self.source = source
        self.scope = scope
        self.done = Recorded()
        self._pending: list[OptOutRecord] = []

    def add(self, decision: Decision) -> None:
        action, at = decision.action, decision.inbound.received_at
        if action is None or at is None:
            return
        review = decision.result.status == "review"
        source = f"{self.source} (review)" if review else self.source
        record = make_record(
            decision.inbound.number, action, at=at, source=source, scope=self.scope
        )
        self._pending.append(record)
        if action == "opt_in":
            self.done.opt_in += 1
        elif review:
            self.done.opt_out_to_review += 1
        else:
            self.done.opt_out += 1
        if len(self._pending) >= _CHUNK:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self.done.new += self.registry.record_many(self._pending)
            self._pending = []
