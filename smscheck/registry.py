"""Suppression registry: who asked to receive no more messages, kept durably and shared safely.

A campaign may plug in its own store by implementing `SuppressionStore`; `SQLiteRegistry` is
the embedded default. An objection to direct marketing is absolute (GDPR art. 21(3)) and must be
acted on within a month at most (art. 12(3)), so a recorded opt-out must never be lost: every
record is committed to disk before the call returns.

Events are kept, not overwritten: a number is suppressed in a scope when the latest of its
events in that scope or in the global scope "*" is an opt-out. A scope names a campaign or a
list ("municipales-2026"); an opt-out in "*" covers every scope, and an opt-in recorded later in
one scope lifts it for that scope only. When two events carry the same instant, the opt-out wins.

Only a file this module created is opened as a registry: an empty file, an empty SQLite
database or any other schema is refused and left as it was. A new registry is built beside its
path and linked into place, so concurrent creators agree on one file. Instants in the future
are refused: an event dated ahead would silently outweigh every event recorded until then.

Messages and summaries show numbers masked (`+33 6 ** ** ** 78`); only the CSV export, which is
the store's own data, holds full numbers.
"""

from __future__ import annotations

import codecs
import csv
import os
import random
import sqlite3
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Literal, Protocol, Self, TextIO, TypeVar, runtime_checkable

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from smscheck.phones import mask, to_e164

Event = Literal["opt_out", "opt_in"]
GLOBAL_SCOPE = "*"
CSV_COLUMNS = ("number", "event", "at", "source", "scope")

_T = TypeVar("_T")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_SCHEMA_VERSION = 1
_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_IMPORT_CHUNK = 1000


class RegistryError(Exception):
    """The registry file cannot be opened, read or written."""


class CsvFormatError(ValueError):
    """A CSV file that is not an opt-out list (no header, wrong columns, not UTF-8, not CSV).

    Raised part-way through a file, the message says at which line and what was recorded from
    the rows before it; `recorded` holds that count.
    """

    def __init__(self, message: str, recorded: int = 0) -> None:
        super().__init__(message)
        self.recorded = recorded


class OptOutRecord(BaseModel):
    """One event: a number opted out of, or back into, a scope at an instant (stored in UTC)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, hide_input_in_errors=True
    )

    number: str = Field(pattern=r"^\+[1-9][0-9]{1,14}$", repr=False, description="E.164.")
    event: Event
    at: AwareDatetime
    source: str = Field(min_length=1, max_length=200, description="Where the request came from.")
    scope: str = Field(default=GLOBAL_SCOPE, min_length=1, max_length=200)

    @field_validator("at")
    @classmethod
    def _in_utc(cls, at: datetime) -> datetime:
        return at.astimezone(UTC)

    @field_validator("source", "scope")
    @classmethod
    def _printable(cls, text: str) -> str:
        if any(unicodedata.category(char) in ("Cc", "Cs") for char in text):
            raise ValueError("must not contain control characters")
        return text

    @property
    def masked_number(self) -> str:
        return mask(self.number)


def make_record(
    number: str,
    event: Event,
    *,
    at: datetime,
    source: str,
    scope: str = GLOBAL_SCOPE,
    region: str = "FR",
) -> OptOutRecord:
    """A validated record: the number normalised to E.164, `at` required to carry a time zone.

    Raises `PhoneNumberError` for a number that is not valid, `ValueError` for the rest.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("`at` must be timezone-aware (for example 2026-03-01T09:30:00+01:00)")
    try:
        utc = at.astimezone(UTC)
    except OverflowError:
        raise ValueError("`at` is out of range once converted to UTC") from None
    _not_future(utc)
    return OptOutRecord(
        number=to_e164(number, region), event=event, at=utc, source=source, scope=scope
    )


class SuppressionStore(Protocol):
    """What smscheck needs from an opt-out store; a campaign may plug in its own.

    Implementations normalise numbers to E.164 (so `06 12 34 56 78` and `+33612345678` are one
    person), reject naive datetimes, and make each record durable before returning.
    `is_suppressed` is True when the latest event for the number in `scope` or in "*" is an
    opt-out, an opt-out winning a tie.
    """

    def record_opt_out(
        self, number: str, *, at: datetime, source: str, scope: str = GLOBAL_SCOPE
    ) -> OptOutRecord:
        """Record that the number objected to messages in `scope` ("*": all of them)."""
        ...

    def record_opt_in(
        self, number: str, *, at: datetime, source: str, scope: str = GLOBAL_SCOPE
    ) -> OptOutRecord:
        """Record that the number asked to receive messages in `scope` again."""
        ...

    def is_suppressed(self, number: str, scope: str = GLOBAL_SCOPE) -> bool:
        """Whether nothing may be sent to the number in `scope`."""
        ...

    def events(self, number: str | None = None) -> Iterator[OptOutRecord]:
        """Every event (or one number's), oldest first, in recording order on a tie."""
        ...

    def suppressed_numbers(self, scope: str = GLOBAL_SCOPE) -> Iterator[str]:
        """The E.164 numbers suppressed in `scope`."""
        ...

    def __len__(self) -> int:
        """How many events are recorded."""
        ...


@runtime_checkable
class BulkSuppressionStore(SuppressionStore, Protocol):
    """A store that can also record many events at once (used by `import_csv`)."""

    def record_many(self, records: Iterable[OptOutRecord]) -> int:
        """Record all events together; returns how many were new."""
        ...


def _not_future(at: datetime) -> None:
    """Refuse an instant after now: it would outweigh every event recorded before it comes."""
    if at > datetime.now(UTC):
        raise ValueError(
            f"`at` ({at.isoformat()}) is in the future: an event is recorded when it happened"
        )


def _to_micros(at: datetime) -> int:
    return (at - _EPOCH) // _MICROSECOND


def _from_micros(micros: int) -> datetime:
    return _EPOCH + micros * _MICROSECOND


def _row(record: OptOutRecord, region: str) -> tuple[str, str, int, int, str]:
    """The stored form of a record, held to the rules `make_record` applies."""
    _not_future(record.at)
    return (
        to_e164(record.number, region),
        record.scope,
        _to_micros(record.at),
        int(record.event == "opt_out"),
        record.source,
    )


def _is_busy(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in _BUSY_CODES


_SCHEMA = """
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    scope TEXT NOT NULL,
    at_us INTEGER NOT NULL,
    opt_out INTEGER NOT NULL CHECK (opt_out IN (0, 1)),
    source TEXT NOT NULL,
    UNIQUE (number, scope, at_us, opt_out, source)
);
"""
_LATEST = """
SELECT opt_out FROM events WHERE number = ? AND scope IN (?, '*')
ORDER BY at_us DESC, opt_out DESC LIMIT 1
"""
_SUPPRESSED = """
SELECT number FROM (
    SELECT number, opt_out, row_number() OVER (
        PARTITION BY number ORDER BY at_us DESC, opt_out DESC
    ) AS latest
    FROM events WHERE scope IN (?, '*')
) WHERE latest = 1 AND opt_out = 1
"""
_INSERT = """
INSERT OR IGNORE INTO events (number, scope, at_us, opt_out, source) VALUES (?, ?, ?, ?, ?)
"""
_COLUMNS = "SELECT number, opt_out, at_us, source, scope FROM events"
_STATES = "SELECT number, scope, at_us, opt_out FROM events"
_EVENT_COLUMNS = ("id", "number", "scope", "at_us", "opt_out", "source")
_IN_MEMORY = ":memory:"


def _uri(path: Path, read_only: bool) -> str:
    """An SQLite URI for an existing file: never created by opening, read-only if asked."""
    return f"{path.absolute().as_uri()}?mode={'ro' if read_only else 'rw'}"


def _initialise(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(_SCHEMA)
    db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")


def _create(path: Path) -> None:
    """A new registry at `path`, built aside and linked in whole; if another process linked
    its own first, that one is kept."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        raise RegistryError(f"cannot create {path}: {error.strerror or error}") from None
    os.close(handle)
    try:
        db = sqlite3.connect(temporary, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous = FULL")
            _initialise(db)
        finally:
            db.close()
        os.link(temporary, path)
    except FileExistsError:
        pass
    except (OSError, sqlite3.Error) as error:
        raise RegistryError(f"cannot create {path}: {error}") from None
    finally:
        os.unlink(temporary)


class SQLiteRegistry:
    """The embedded store: one SQLite file in WAL mode, safe for several processes at once.

    Each record is its own `BEGIN IMMEDIATE` transaction committed with `synchronous=FULL`, so
    a process killed right after a call returns loses nothing. Writers wait for each other
    (busy timeout, then retries) up to `patience` seconds before `RegistryError`.

    A missing file is created unless `create` is False or `read_only` is True; an existing file
    that is not a registry raises `RegistryError` untouched. `read_only` opens the file so that
    nothing can be written to it (how `check` reads it). `":memory:"` gives a registry that
    keeps nothing once closed, for tests.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        region: str = "FR",
        create: bool = True,
        patience: float = 30.0,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path)
        self._region = region
        self._patience = patience
        in_memory = os.fspath(path) == _IN_MEMORY
        if not in_memory and not self.path.exists():
            if read_only or not create:
                raise RegistryError(f"no opt-out registry at {self.path}")
            _create(self.path)
        try:
            self._db = sqlite3.connect(
                _IN_MEMORY if in_memory else _uri(self.path, read_only),
                timeout=patience,
                isolation_level=None,
                uri=not in_memory,
            )
        except sqlite3.Error as error:
            raise RegistryError(f"cannot open {self.path}: {error}") from None
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(patience * 1000)}")
            if in_memory:
                _initialise(self._db)
            self._retrying(self._verify)  # before anything could write to a stranger's file
            if not read_only:
                self._retrying(lambda: self._db.execute("PRAGMA journal_mode = WAL"))
                self._db.execute("PRAGMA synchronous = FULL")
        except BaseException:
            self._db.close()
            raise

    def _verify(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        columns = tuple(row[1] for row in self._db.execute("PRAGMA table_info(events)"))
        if version != _SCHEMA_VERSION or columns != _EVENT_COLUMNS:
            raise RegistryError(f"{self.path} is not a smscheck opt-out registry")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteRegistry({str(self.path)!r})"

    def close(self) -> None:
        """Close the file; every record is already on disk."""
        self._db.close()

    def record_opt_out(
        self, number: str, *, at: datetime, source: str, scope: str = GLOBAL_SCOPE
    ) -> OptOutRecord:
        """Record an objection; durable once this returns."""
        return self._record(number, "opt_out", at, source, scope)

    def record_opt_in(
        self, number: str, *, at: datetime, source: str, scope: str = GLOBAL_SCOPE
    ) -> OptOutRecord:
        """Record a request to receive messages again; durable once this returns."""
        return self._record(number, "opt_in", at, source, scope)

    def _record(
        self, number: str, event: Event, at: datetime, source: str, scope: str
    ) -> OptOutRecord:
        record = make_record(number, event, at=at, source=source, scope=scope, region=self._region)
        self.record_many((record,))
        return record

    def record_many(self, records: Iterable[OptOutRecord]) -> int:
        """Record every event in one transaction (all or none); returns how many were new.

        Numbers are normalised again and instants checked, so records built by hand are held
        to the same rules.
        """
        rows = [_row(record, self._region) for record in records]

        def insert(db: sqlite3.Connection) -> int:
            before = db.total_changes
            db.executemany(_INSERT, rows)
            return db.total_changes - before

        return self._write(insert)

    def is_suppressed(self, number: str, scope: str = GLOBAL_SCOPE) -> bool:
        """Whether the latest event in `scope` or "*" is an opt-out (one indexed lookup).

        Raises `PhoneNumberError` for a number that is not valid.
        """
        e164 = to_e164(number, self._region)
        row = self._retrying(lambda: self._db.execute(_LATEST, (e164, scope)).fetchone())
        return bool(row and row[0])

    def suppressed_numbers(self, scope: str = GLOBAL_SCOPE) -> Iterator[str]:
        """The E.164 numbers suppressed in `scope`."""
        rows = self._retrying(lambda: self._db.execute(_SUPPRESSED, (scope,)).fetchall())
        return (number for (number,) in rows)

    def snapshot(self, scope: str | None = None) -> frozenset[str]:
        """The E.164 numbers suppressed in `scope`, or by default in any scope, as a set for
        checking a whole batch (O(1) membership)."""
        if scope is not None:
            return frozenset(self.suppressed_numbers(scope))
        return _in_any_scope(self._retrying(lambda: self._db.execute(_STATES).fetchall()))

    def events(self, number: str | None = None) -> Iterator[OptOutRecord]:
        """Every event (or one number's), oldest first, in recording order on a tie."""
        params: tuple[str, ...] = () if number is None else (to_e164(number, self._region),)
        query = f"{_COLUMNS} {'' if number is None else 'WHERE number = ?'} ORDER BY at_us, id"
        rows = self._retrying(lambda: self._db.execute(query, params).fetchall())
        return (
            OptOutRecord(
                number=number,
                event="opt_out" if opt_out else "opt_in",
                at=_from_micros(at_us),
                source=source,
                scope=scope,
            )
            for number, opt_out, at_us, source, scope in rows
        )

    def __len__(self) -> int:
        (count,) = self._retrying(
            lambda: self._db.execute("SELECT count(*) FROM events").fetchone()
        )
        return int(count)

    def _write(self, action: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run `action` in its own write transaction, committed before returning."""

        def attempt() -> _T:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                result = action(self._db)
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            return result

        return self._retrying(attempt)

    def _retrying(self, action: Callable[[], _T]) -> _T:
        """Run `action`, trying again while another process holds the lock, up to `patience`."""
        deadline = time.monotonic() + self._patience
        delay = 0.005
        while True:
            try:
                return action()
            except sqlite3.Error as error:
                if not _is_busy(error):
                    raise RegistryError(f"{self.path}: {error}") from None
                if time.monotonic() >= deadline:
                    raise RegistryError(
                        f"{self.path} stayed locked by another process for {self._patience:g} s"
                    ) from None
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 0.25)


def suppressed_anywhere(store: SuppressionStore) -> frozenset[str]:
    """The numbers suppressed in at least one scope: what a check must honour when it does not
    know which scope a message belongs to (an objection is not limited to one campaign unless
    the person said so)."""
    if isinstance(store, SQLiteRegistry):
        return store.snapshot()
    return _in_any_scope(
        (record.number, record.scope, _to_micros(record.at), record.event == "opt_out")
        for record in store.events()
    )


def _in_any_scope(events: Iterable[tuple[str, str, int, bool | int]]) -> frozenset[str]:
    """Numbers whose latest event in some scope, with "*" counted in every scope, is an
    opt-out; of two events at one instant the opt-out is the later."""
    latest_global: dict[str, tuple[int, bool]] = {}
    latest_scoped: dict[tuple[str, str], tuple[int, bool]] = {}
    for number, scope, at_us, opt_out in events:
        key = (at_us, bool(opt_out))
        if scope == GLOBAL_SCOPE:
            latest_global[number] = max(latest_global.get(number, key), key)
        else:
            latest_scoped[number, scope] = max(latest_scoped.get((number, scope), key), key)
    found = {number for number, (_, opt_out) in latest_global.items() if opt_out}
    for (number, _), key in latest_scoped.items():
        if max(key, latest_global.get(number, key))[1]:
            found.add(number)
    return frozenset(found)


class RowError(BaseModel):
    """A CSV row that was not imported: its line and why (numbers masked)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line: int = Field(ge=1)
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportResult(BaseModel):
    """How a CSV import went: events new to the store, events it already held, rejected rows.

    A store without `record_many` cannot tell which events it held: all count as new.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    recorded: int = Field(ge=0)
    already: int = Field(default=0, ge=0)
    errors: tuple[RowError, ...] = ()

    def summary(self) -> str:
        return (
            f"{self.recorded} new event(s) recorded, {self.already} already recorded, "
            f"{len(self.errors)} row(s) rejected"
        )


class ImportStopped(CsvFormatError):
    """A file that stopped being an opt-out list part-way: the rows before were imported."""

    def __init__(self, message: str, result: ImportResult) -> None:
        super().__init__(
            f"{message}; the rows before it were imported ({result.recorded} new event(s) "
            "recorded), the rest of the file was not"
        )
        self.reason = message
        self.result = result


def import_csv(
    store: SuppressionStore,
    path_or_file: str | os.PathLike[str] | IO[str] | IO[bytes],
    *,
    region: str = "FR",
) -> ImportResult:
    """Import `number,event,at,source,scope` rows; a bad row is reported and the rest imported.

    A binary file is read as UTF-8 (a byte order mark allowed), so that a byte that is not
    names its line. Raises `CsvFormatError` when the file is not such a list (header missing
    or wrong), `ImportStopped` when it stops being one part-way (not UTF-8, not CSV), after
    recording the rows before, `OSError` when it cannot be read.
    """
    if not isinstance(path_or_file, str | os.PathLike):
        return _import(store, path_or_file, region)
    with open(path_or_file, "rb") as file:
        try:
            return _import(store, file, region)
        except ImportStopped as stopped:
            where = f"{os.fspath(path_or_file)}: {stopped.reason}"
            raise ImportStopped(where, stopped.result) from None
        except CsvFormatError as error:
            raise CsvFormatError(f"{os.fspath(path_or_file)}: {error}") from None


def _import(store: SuppressionStore, file: IO[str] | IO[bytes], region: str) -> ImportResult:
    reader = csv.reader(_text_lines(file), strict=True)
    errors: list[RowError] = []
    pending: list[OptOutRecord] = []
    recorded = already = 0
    header: dict[str, int] | None = None
    next_line = 1
    rows = _rows(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except CsvFormatError as error:
            if header is None:
                raise
            new = _store(store, pending)
            partial = ImportResult(
                recorded=recorded + new,
                already=already + len(pending) - new,
                errors=tuple(errors),
            )
            raise ImportStopped(f"line {reader.line_num + 1}: {error}", partial) from None
        line, next_line = next_line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = _header(row, line)
        else:
            try:
                pending.append(_parse(row, header, region))
            except ValueError as error:
                errors.append(RowError(line=line, message=_message(error)))
        if len(pending) >= _IMPORT_CHUNK:
            new = _store(store, pending)
            recorded, already, pending = recorded + new, already + len(pending) - new, []
    if header is None:
        raise CsvFormatError("empty file: expected the header " + ",".join(CSV_COLUMNS))
    new = _store(store, pending)
    return ImportResult(
        recorded=recorded + new, already=already + len(pending) - new, errors=tuple(errors)
    )


def _text_lines(file: IO[str] | IO[bytes]) -> Iterator[str]:
    """The file's lines as text; a line of bytes that is not UTF-8 raises `CsvFormatError`."""
    lines: Iterable[str | bytes] = file
    for number, line in enumerate(lines, start=1):
        if isinstance(line, str):
            yield line
            continue
        try:
            yield (line.removeprefix(codecs.BOM_UTF8) if number == 1 else line).decode("utf-8")
        except UnicodeDecodeError as error:
            raise CsvFormatError(f"not UTF-8 text (byte {error.start + 1} of the line)") from None


def _rows(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    try:
        yield from reader
    except UnicodeDecodeError:
        raise CsvFormatError("not UTF-8 text") from None
    except csv.Error as error:
        raise CsvFormatError(f"not readable as CSV: {error}") from None


def _header(row: list[str], line: int) -> dict[str, int]:
    names = [cell.strip().lower() for cell in row]
    if sorted(names) != sorted(CSV_COLUMNS):
        raise CsvFormatError(
            f"line {line}: the header must name the columns {','.join(CSV_COLUMNS)}"
        )
    return {name: names.index(name) for name in CSV_COLUMNS}


def _parse(row: list[str], header: dict[str, int], region: str) -> OptOutRecord:
    if len(row) != len(CSV_COLUMNS):
        raise ValueError(f"expected {len(CSV_COLUMNS)} fields, found {len(row)}")
    cell = {name: row[index].strip() for name, index in header.items()}
    event = cell["event"].lower()
    if event not in ("opt_out", "opt_in"):
        raise ValueError("event must be opt_out or opt_in")
    try:
        at = datetime.fromisoformat(cell["at"])
    except ValueError:
        raise ValueError("at is not an ISO 8601 date and time") from None
    return make_record(
        cell["number"],
        "opt_out" if event == "opt_out" else "opt_in",
        at=at,
        source=cell["source"],
        scope=cell["scope"],
        region=region,
    )


def _message(error: ValueError) -> str:
    """A one-line reason that never holds a full number (pydantic errors quote their input)."""
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    return str(error)


def _store(store: SuppressionStore, records: list[OptOutRecord]) -> int:
    """Record the events; returns how many were new to the store."""
    if isinstance(store, BulkSuppressionStore):
        return store.record_many(records)
    for record in records:
        record_event = store.record_opt_out if record.event == "opt_out" else store.record_opt_in
        record_event(record.number, at=record.at, source=record.source, scope=record.scope)
    return len(records)


def export_csv(store: SuppressionStore, file: TextIO) -> int:
    """Write every event as `number,event,at,source,scope` (full numbers); returns the count."""
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for record in store.events():
        writer.writerow(
            (record.number, record.event, record.at.isoformat(), record.source, record.scope)
        )
        count += 1
    return count
