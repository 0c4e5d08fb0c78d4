"""Suppression registry: normalisation, event history, scopes, CSV, durability and concurrency."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smscheck.phones import PhoneNumberError
from smscheck.registry import (
    CsvFormatError,
    ImportStopped,
    OptOutRecord,
    RegistryError,
    SQLiteRegistry,
    SuppressionStore,
    export_csv,
    import_csv,
    make_record,
    suppressed_anywhere,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
NUMBER = "+33612345678"


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[SQLiteRegistry]:
    with SQLiteRegistry(tmp_path / "optouts.sqlite3") as opened:
        yield opened


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


class ListStore:
    """A store kept in a list, as a campaign might plug in its own: no bulk path."""

    def __init__(self) -> None:
        self.records: list[OptOutRecord] = []

    def record_opt_out(
        self, number: str, *, at: datetime, source: str, scope: str = "*"
    ) -> OptOutRecord:
        self.records.append(make_record(number, "opt_out", at=at, source=source, scope=scope))
        return self.records[-1]

    def record_opt_in(
        self, number: str, *, at: datetime, source: str, scope: str = "*"
    ) -> OptOutRecord:
        self.records.append(make_record(number, "opt_in", at=at, source=source, scope=scope))
        return self.records[-1]

    def is_suppressed(self, number: str, scope: str = "*") -> bool:
        return number in set(self.suppressed_numbers(scope))

    def events(self, number: str | None = None) -> Iterator[OptOutRecord]:
        return (r for r in sorted(self.records, key=lambda r: r.at) if number in (None, r.number))

    def suppressed_numbers(self, scope: str = "*") -> Iterator[str]:
        latest: dict[str, OptOutRecord] = {}
        for record in self.events():
            if record.scope in (scope, "*"):
                latest[record.number] = record
        return (number for number, record in latest.items() if record.event == "opt_out")

    def __len__(self) -> int:
        return len(self.records)


def test_sqlite_registry_and_a_plain_store_satisfy_the_protocol(tmp_path: Path) -> None:
    stores: list[SuppressionStore] = [SQLiteRegistry(tmp_path / "r.sqlite3"), ListStore()]
    for store in stores:
        store.record_opt_out(NUMBER, at=T0, source="test")
        assert store.is_suppressed(NUMBER)


@pytest.mark.parametrize(
    "written", ["06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "06.12.34.56.78"]
)
def test_a_number_written_any_way_is_the_same_person(
    registry: SQLiteRegistry, written: str
) -> None:
    record = registry.record_opt_out(written, at=T0, source="sms")
    assert record.number == NUMBER
    assert registry.is_suppressed(NUMBER)
    assert registry.is_suppressed("06 12 34 56 78")
    assert registry.snapshot() == {NUMBER}
    assert [event.number for event in registry.events("0612345678")] == [NUMBER]


def test_opt_out_then_opt_in_then_opt_out_follows_the_latest_event(
    registry: SQLiteRegistry,
) -> None:
    assert not registry.is_suppressed(NUMBER)
    registry.record_opt_out(NUMBER, at=_at(0), source="sms")
    assert registry.is_suppressed(NUMBER)
    registry.record_opt_in(NUMBER, at=_at(1), source="sms")
    assert not registry.is_suppressed(NUMBER)
    registry.record_opt_out(NUMBER, at=_at(2), source="sms")
    assert registry.is_suppressed(NUMBER)
    assert [event.event for event in registry.events(NUMBER)] == ["opt_out", "opt_in", "opt_out"]
    assert len(registry) == 3


def test_the_latest_instant_wins_not_the_latest_recorded(registry: SQLiteRegistry) -> None:
    registry.record_opt_out(NUMBER, at=_at(10), source="sms")
    registry.record_opt_in(NUMBER, at=_at(5), source="late import")
    assert registry.is_suppressed(NUMBER)


def test_an_opt_out_wins_a_tie(registry: SQLiteRegistry) -> None:
    registry.record_opt_in(NUMBER, at=T0, source="a")
    registry.record_opt_out(NUMBER, at=T0, source="b")
    registry.record_opt_in(NUMBER, at=T0, source="c")
    assert registry.is_suppressed(NUMBER)


def test_a_global_opt_out_covers_every_scope(registry: SQLiteRegistry) -> None:
    registry.record_opt_out(NUMBER, at=T0, source="sms")
    assert registry.is_suppressed(NUMBER, "municipales-2026")
    assert registry.snapshot("municipales-2026") == {NUMBER}


def test_a_scoped_opt_out_covers_only_its_scope(registry: SQLiteRegistry) -> None:
    registry.record_opt_out(NUMBER, at=T0, source="sms", scope="municipales-2026")
    assert registry.is_suppressed(NUMBER, "municipales-2026")
    assert not registry.is_suppressed(NUMBER, "europeennes-2029")
    assert not registry.is_suppressed(NUMBER)
    assert registry.snapshot("*") == frozenset()
    assert registry.snapshot("municipales-2026") == {NUMBER}


def test_a_snapshot_without_a_scope_holds_numbers_suppressed_in_any_scope(
    registry: SQLiteRegistry,
) -> None:
    # What `check` honours: it does not know the scope of a message, so an objection recorded
    # for one campaign stops every message (the old default read only "*").
    registry.record_opt_out(NUMBER, at=_at(0), source="sms", scope="municipales-2026")
    registry.record_opt_out("+33612345679", at=_at(0), source="sms")
    registry.record_opt_in("+33612345679", at=_at(1), source="sms", scope="newsletter")
    registry.record_opt_out("+33612345670", at=_at(0), source="sms", scope="newsletter")
    registry.record_opt_in("+33612345670", at=_at(1), source="sms")
    registry.record_opt_out("+33612345671", at=_at(1), source="sms", scope="newsletter")
    registry.record_opt_in("+33612345671", at=_at(1), source="sms")
    assert registry.snapshot() == {NUMBER, "+33612345679", "+33612345671"}
    assert suppressed_anywhere(registry) == registry.snapshot()
    store = ListStore()
    for record in registry.events():
        (store.record_opt_out if record.event == "opt_out" else store.record_opt_in)(
            record.number, at=record.at, source=record.source, scope=record.scope
        )
    assert suppressed_anywhere(store) == registry.snapshot()


def test_a_later_scoped_opt_in_lifts_a_global_opt_out_for_that_scope_only(
    registry: SQLiteRegistry,
) -> None:
    registry.record_opt_out(NUMBER, at=_at(0), source="sms")
    registry.record_opt_in(NUMBER, at=_at(1), source="sms", scope="newsletter")
    assert not registry.is_suppressed(NUMBER, "newsletter")
    assert registry.is_suppressed(NUMBER, "municipales-2026")
    assert registry.is_suppressed(NUMBER)


def test_recording_the_same_event_twice_keeps_one(registry: SQLiteRegistry) -> None:
    registry.record_opt_out(NUMBER, at=T0, source="sms")
    registry.record_opt_out(
        "06 12 34 56 78", at=T0.astimezone(timezone(timedelta(hours=1))), source="sms"
    )
    assert len(registry) == 1


def test_a_naive_datetime_is_refused_with_a_clear_message(registry: SQLiteRegistry) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        registry.record_opt_out(NUMBER, at=datetime(2026, 3, 1, 9, 0), source="sms")
    assert len(registry) == 0


def test_an_invalid_number_is_refused_without_showing_it(registry: SQLiteRegistry) -> None:
    with pytest.raises(PhoneNumberError) as raised:
        registry.record_opt_out("06 12 34 56 7", at=T0, source="sms")
    assert "3456" not in str(raised.value).replace(" ", "")


def test_timestamps_come_back_as_the_same_instant_in_utc(registry: SQLiteRegistry) -> None:
    paris = datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    registry.record_opt_out(NUMBER, at=paris, source="sms")
    (event,) = registry.events()
    assert event.at == paris
    assert event.at.utcoffset() == timedelta(0)


def test_records_do_not_show_the_full_number_in_their_repr(registry: SQLiteRegistry) -> None:
    record = registry.record_opt_out(NUMBER, at=T0, source="sms")
    assert NUMBER not in repr(record)
    assert record.masked_number == "+33 6 ** ** ** 78"


def test_the_file_uses_wal_and_lookups_use_the_index(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    SQLiteRegistry(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        plan = db.execute(
            "EXPLAIN QUERY PLAN SELECT opt_out FROM events WHERE number = ? AND scope IN (?, '*')"
            " ORDER BY at_us DESC, opt_out DESC LIMIT 1",
            (NUMBER, "*"),
        ).fetchall()
    assert any("USING COVERING INDEX" in row[-1] for row in plan)


def test_records_survive_closing_and_reopening(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    with SQLiteRegistry(path) as first:
        first.record_opt_out(NUMBER, at=T0, source="sms")
    with SQLiteRegistry(path, create=False) as second:
        assert second.is_suppressed(NUMBER)


def test_a_missing_registry_is_an_error_when_creation_is_not_wanted(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="no opt-out registry"):
        SQLiteRegistry(tmp_path / "missing.sqlite3", create=False)


def test_a_file_that_is_not_a_registry_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE people (name TEXT)")
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all, " * 100)
    for path in (other, text):
        with pytest.raises(RegistryError):
            SQLiteRegistry(path)


@pytest.mark.parametrize("read_only", [False, True])
def test_an_empty_file_or_database_is_refused_and_left_as_it_was(
    tmp_path: Path, read_only: bool
) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    database = tmp_path / "database.sqlite3"
    sqlite3.connect(database).execute("VACUUM").connection.close()
    for path in (empty, database):
        before = path.read_bytes()
        with pytest.raises(RegistryError, match="is not a smscheck opt-out registry"):
            SQLiteRegistry(path, read_only=read_only)
        assert path.read_bytes() == before
        assert not Path(f"{path}-wal").exists()


def test_a_read_only_registry_refuses_to_record(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    SQLiteRegistry(path).close()
    with (
        SQLiteRegistry(path, read_only=True) as registry,
        pytest.raises(RegistryError, match="readonly"),
    ):
        registry.record_opt_out(NUMBER, at=T0, source="sms")
    with pytest.raises(RegistryError, match="no opt-out registry"):
        SQLiteRegistry(tmp_path / "missing.sqlite3", read_only=True)
    assert not (tmp_path / "missing.sqlite3").exists()


def test_processes_creating_one_registry_at_once_share_it(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "r.sqlite3"

    def create_and_record(n: int) -> None:
        with SQLiteRegistry(path) as registry:
            registry.record_opt_out(f"+33612{n:06d}", at=T0, source="sms")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create_and_record, range(32)))
    with SQLiteRegistry(path) as registry:
        assert len(registry.snapshot()) == 32
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "r.sqlite3"
    ]


def test_an_instant_in_the_future_is_refused_however_it_is_recorded(
    registry: SQLiteRegistry,
) -> None:
    future = datetime.now(UTC) + timedelta(minutes=5)
    with pytest.raises(ValueError, match="is in the future"):
        registry.record_opt_in(NUMBER, at=future, source="sms")
    by_hand = OptOutRecord(number=NUMBER, event="opt_in", at=future, source="sms")
    with pytest.raises(ValueError, match="is in the future"):
        registry.record_many([by_hand])
    assert len(registry) == 0


def test_a_memory_registry_works_for_tests_and_keeps_nothing() -> None:
    with SQLiteRegistry(":memory:") as registry:
        registry.record_opt_out(NUMBER, at=T0, source="sms")
        assert registry.snapshot() == {NUMBER}
    with SQLiteRegistry(":memory:") as registry:
        assert len(registry) == 0


# --- CSV ---------------------------------------------------------------------------------

HEADER = "number,event,at,source,scope\n"


def test_export_writes_full_numbers_in_the_documented_columns(registry: SQLiteRegistry) -> None:
    registry.record_opt_out("06 12 34 56 78", at=T0, source="sms", scope="municipales-2026")
    out = io.StringIO()
    assert export_csv(registry, out) == 1
    assert (
        out.getvalue()
        == HEADER + f"{NUMBER},opt_out,2026-03-01T09:00:00+00:00,sms,municipales-2026\n"
    )


def test_import_reports_each_bad_row_by_line_and_imports_the_rest(
    registry: SQLiteRegistry,
) -> None:
    rows = (
        HEADER
        + "06 12 34 56 78,opt_out,2026-03-01T09:00:00+01:00,sms,*\n"
        + "06 12 34 56 7,opt_out,2026-03-01T09:00:00+01:00,sms,*\n"
        + "\n"
        + "0612345679,unsubscribe,2026-03-01T09:00:00Z,sms,*\n"
        + "0612345670,opt_out,2026-03-01T09:00:00,sms,*\n"
        + "0612345671,opt_out,yesterday,sms,*\n"
        + "0612345672,opt_out,2026-03-01T09:00:00Z,,*\n"
        + "0612345673,opt_out,2026-03-01T09:00:00Z,sms\n"
        + '0612345674,opt_in,2026-03-01T09:00:00Z,"a source, quoted",*\n'
    )
    result = import_csv(registry, io.StringIO(rows))
    assert result.recorded == 2
    assert [error.line for error in result.errors] == [3, 5, 6, 7, 8, 9]
    assert len(registry) == 2
    shown = " ".join(str(error) for error in result.errors) + result.summary()
    for digits in ("612345", "0612"):
        assert digits not in shown.replace(" ", "")


def test_a_multi_line_record_is_reported_at_its_first_line(
    registry: SQLiteRegistry,
) -> None:
    rows = HEADER + '0612345678,opt_out,2026-03-01T09:00:00Z,"two\nlines",*\nbad,opt_out,x,s,*\n'
    result = import_csv(registry, io.StringIO(rows))
    assert [str(error) for error in result.errors] == [
        "line 2: source: Value error, must not contain control characters",
        "line 4: at is not an ISO 8601 date and time",
    ]


def test_import_reads_a_file_by_path_with_a_byte_order_mark(
    registry: SQLiteRegistry, tmp_path: Path
) -> None:
    path = tmp_path / "optouts.csv"
    path.write_text(
        HEADER + "0612345678,opt_out,2026-03-01T09:00:00Z,sms,*\n", encoding="utf-8-sig"
    )
    assert import_csv(registry, path).recorded == 1
    assert registry.is_suppressed(NUMBER)


@pytest.mark.parametrize(
    "text",
    ["", "0612345678,opt_out,2026-03-01T09:00:00Z,sms,*\n", "number,event,at\n"],
)
def test_a_file_without_the_header_is_refused_whole(registry: SQLiteRegistry, text: str) -> None:
    with pytest.raises(CsvFormatError) as raised:
        import_csv(registry, io.StringIO(text))
    assert "612345678" not in str(raised.value)
    assert len(registry) == 0


def test_an_import_stopped_by_a_byte_that_is_not_utf8_keeps_the_rows_before_and_says_so(
    registry: SQLiteRegistry, tmp_path: Path
) -> None:
    rows = [f"+33612{n:06d},opt_out,2026-03-01T09:00:00Z,sms,*".encode() for n in range(1500)]
    rows.append(b"+33612999999,opt_out,2026-03-01T09:00:00Z,sm\xe9s,*")
    rows += [f"+33613{n:06d},opt_out,2026-03-01T09:00:00Z,sms,*".encode() for n in range(500)]
    path = tmp_path / "in.csv"
    path.write_bytes(HEADER.encode() + b"\n".join(rows) + b"\n")
    with pytest.raises(ImportStopped) as stopped:
        import_csv(registry, path)
    assert str(stopped.value) == (
        f"{path}: line 1502: not UTF-8 text (byte 45 of the line); the rows before it were "
        "imported (1500 new event(s) recorded), the rest of the file was not"
    )
    assert stopped.value.result.recorded == len(registry) == 1500


def test_an_import_counts_events_already_recorded_apart(registry: SQLiteRegistry) -> None:
    registry.record_opt_out(NUMBER, at=T0, source="sms")
    row = "0612345678,opt_out,2026-03-01T09:00:00Z,sms,*\n"
    other = "0612345679,opt_out,2026-03-01T09:00:00Z,sms,*\n"
    result = import_csv(registry, io.StringIO(HEADER + row + row + other))
    assert (result.recorded, result.already) == (1, 2)
    assert result.summary() == "1 new event(s) recorded, 2 already recorded, 0 row(s) rejected"


def test_import_works_through_a_store_without_a_bulk_path() -> None:
    store = ListStore()
    result = import_csv(
        store, io.StringIO(HEADER + "0612345678,opt_out,2026-03-01T09:00:00Z,sms,*\n")
    )
    assert result.recorded == 1
    assert store.is_suppressed(NUMBER)


VALID_NUMBERS = st.integers(0, 999_999).map(lambda n: f"+33612{n:06d}")
WRITTEN_NUMBERS = VALID_NUMBERS | st.integers(0, 999_999).map(lambda n: f"06 12 {n:06d}")
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=20).filter(
    str.strip
)
EVENTS = st.lists(
    st.tuples(
        WRITTEN_NUMBERS,
        st.sampled_from(["opt_out", "opt_in"]),
        st.datetimes(
            min_value=datetime(1990, 1, 1),
            max_value=datetime(2026, 1, 1),  # events in the future are refused
            timezones=st.timezones() | st.just(UTC),
        ),
        TEXT,
        st.sampled_from(["*", "municipales-2026"]) | TEXT,
    ),
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(EVENTS)
def test_csv_export_then_import_gives_back_the_same_events(
    events: list[tuple[str, str, datetime, str, str]],
) -> None:
    with SQLiteRegistry(":memory:") as source, SQLiteRegistry(":memory:") as copy:
        for number, event, at, origin, scope in events:
            record = source.record_opt_out if event == "opt_out" else source.record_opt_in
            record(number, at=at, source=origin, scope=scope)
        out = io.StringIO()
        export_csv(source, out)
        out.seek(0)
        result = import_csv(copy, out)
        assert result.errors == ()
        assert list(copy.events()) == list(source.events())
        assert copy.snapshot() == source.snapshot()


# --- durability and concurrency ----------------------------------------------------------

WRITER = """
import sys
from datetime import UTC, datetime
from smscheck.registry import SQLiteRegistry

path, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
registry = SQLiteRegistry(path)
print("ready", flush=True)
sys.stdin.readline()
for n in range(first, first + count):
    registry.record_opt_out(f"+33612{n:06d}", at=datetime.now(UTC), source=f"writer {first}")
print("done", flush=True)
sys.stdin.readline()
"""


def _writer(path: Path, first: int, count: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(first), str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    return process


def _go(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_records_survive_a_sigkill_right_after_the_calls_return(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    writer = _writer(path, 0, 300)
    _go(writer)
    assert writer.stdout is not None
    assert writer.stdout.readline() == "done\n"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert writer.returncode == -signal.SIGKILL
    with SQLiteRegistry(path) as registry:
        assert len(registry) == 300
        assert registry.snapshot() == {f"+33612{n:06d}" for n in range(300)}


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    writers = [_writer(path, 0, 1000), _writer(path, 1000, 1000)]
    for writer in writers:
        _go(writer)
    for writer in writers:
        assert writer.stdout is not None
        assert writer.stdout.readline() == "done\n"
        _go(writer)
        assert writer.wait(timeout=60) == 0
    with SQLiteRegistry(path) as registry:
        assert len(registry) == 2000
        assert len(registry.snapshot()) == 2000
        assert {event.source for event in registry.events()} == {"writer 0", "writer 1000"}
