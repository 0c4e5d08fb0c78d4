"""`optout` sub-commands, run through a parser built the way the main CLI builds it."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import chdir, contextmanager, redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smscheck.optout_cli import DEFAULT_REGISTRY, ENV_REGISTRY, register
from smscheck.registry import SQLiteRegistry

NUMBER = "+33612345678"
MASKED = "+33 6 ** ** ** 78"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smscheck")
    register(parser.add_subparsers())
    return parser


class Cli:
    def __init__(self, registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.registry = registry
        self.capsys = capsys

    def __call__(self, *argv: str, registry: bool = True) -> tuple[int, str, str]:
        where = ["--registry", str(self.registry)] if registry else []
        args = _parser().parse_args(["optout", *where, *argv])
        code: int = args.handler(args)
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path / "optouts.sqlite3", capsys)


def test_add_records_and_shows_the_number_masked(cli: Cli) -> None:
    code, out, err = cli("add", "06 12 34 56 78", "--source", "reply")
    assert code == 0
    assert MASKED in out
    assert NUMBER not in out + err
    with SQLiteRegistry(cli.registry) as registry:
        assert registry.is_suppressed(NUMBER)
        assert [event.source for event in registry.events()] == ["reply"]


def test_add_takes_a_time_with_an_offset_and_a_scope(cli: Cli) -> None:
    assert cli("add", NUMBER, "--at", "2026-03-01T10:00:00+01:00", "--scope", "muni")[0] == 0
    with SQLiteRegistry(cli.registry) as registry:
        (event,) = registry.events()
    assert event.at.isoformat() == "2026-03-01T09:00:00+00:00"
    assert event.scope == "muni"


def test_a_time_without_an_offset_is_a_usage_error(cli: Cli) -> None:
    with pytest.raises(SystemExit) as raised:
        cli("add", NUMBER, "--at", "2026-03-01T10:00:00")
    assert raised.value.code == 2
    assert "UTC offset" in cli.capsys.readouterr().err


def test_an_invalid_number_is_an_input_error_in_one_line(cli: Cli) -> None:
    code, out, err = cli("add", "06 12 34 56 7")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("smscheck optout: ")
    assert "Traceback" not in err
    assert "3456" not in err.replace(" ", "")


def test_list_masks_numbers_unless_asked(cli: Cli) -> None:
    cli("add", NUMBER)
    cli("add", "07 50 00 00 12")
    code, out, err = cli("list")
    assert code == 0
    assert out.splitlines() == [MASKED, "+33 7 ** ** ** 12"]
    assert "2 suppressed number(s)" in err
    assert cli("list", "--show-numbers")[1].splitlines() == [NUMBER, "+33750000012"]


def test_list_with_nothing_suppressed_exits_1(cli: Cli) -> None:
    cli("add", NUMBER, "--scope", "muni")
    assert cli("list", "--scope", "*")[0] == 1
    assert cli("list", "--scope", "muni")[0] == 0


def test_list_shows_numbers_suppressed_in_any_scope_by_default(cli: Cli) -> None:
    # As check honours them: an opt-out recorded for one campaign is an opt-out.
    cli("add", NUMBER, "--scope", "muni")
    code, out, err = cli("list")
    assert (code, out) == (0, MASKED + "\n")
    assert "1 suppressed number(s) in any scope" in err


def test_remove_records_an_opt_back_in(cli: Cli) -> None:
    cli("add", NUMBER, "--at", "2026-03-01T09:00:00+00:00")
    code, out, _ = cli("remove", "0612345678")
    assert code == 0
    assert MASKED in out and NUMBER not in out
    with SQLiteRegistry(cli.registry) as registry:
        assert not registry.is_suppressed(NUMBER)
        assert [event.event for event in registry.events()] == ["opt_out", "opt_in"]


def test_removing_a_number_that_is_not_opted_out_changes_nothing(cli: Cli) -> None:
    cli("add", "0750000012")
    code, _, err = cli("remove", NUMBER)
    assert code == 1
    assert MASKED in err and NUMBER not in err
    with SQLiteRegistry(cli.registry) as registry:
        assert len(registry) == 1


@pytest.mark.parametrize("command", [["list"], ["export"], ["remove", NUMBER]])
def test_reading_a_missing_registry_is_an_input_error(cli: Cli, command: list[str]) -> None:
    code, _, err = cli(*command)
    assert code == 2
    assert "no opt-out registry" in err
    assert not cli.registry.exists()


def test_a_file_that_is_not_a_registry_is_an_input_error(cli: Cli) -> None:
    cli.registry.write_text("hello " * 200)
    code, _, err = cli("add", NUMBER)
    assert code == 2
    assert err.count("\n") == 1


def test_the_registry_comes_from_the_environment_then_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(tmp_path / "unused", capsys)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_REGISTRY, raising=False)
    assert cli("add", NUMBER, registry=False)[0] == 0
    assert (tmp_path / "smscheck-optouts.sqlite3").is_file()
    monkeypatch.setenv(ENV_REGISTRY, str(tmp_path / "from-env.sqlite3"))
    assert cli("add", NUMBER, registry=False)[0] == 0
    assert (tmp_path / "from-env.sqlite3").is_file()


def test_the_registry_option_may_follow_the_sub_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "after.sqlite3"
    args = _parser().parse_args(["optout", "add", NUMBER, "--registry", str(path)])
    assert args.handler(args) == 0
    assert path.is_file()
    capsys.readouterr()


def test_classify_prints_class_status_keyword_and_confidence(cli: Cli) -> None:
    code, out, _ = cli("classify", "Stop merci", "Je vote pour vous", registry=False)
    assert code == 0
    first, second = (line.split("\t") for line in out.splitlines())
    assert first[:4] == ["opt_out", "certain", "STOP", "0.95"]
    assert second[:4] == ["other", "certain", "-", "0.90"]


def test_classify_as_json_gives_one_object_per_reply(cli: Cli) -> None:
    code, out, _ = cli("classify", "--format", "json", "--lang", "en", "STPO", registry=False)
    assert code == 0
    (result,) = (json.loads(line) for line in out.splitlines())
    assert result["kind"] == "opt_out"
    assert result["confident"] is True
    assert result["keyword"] == "STOP"
    assert result["confidence"] == 0.8


def test_classify_exits_1_when_no_reply_matched(cli: Cli) -> None:
    assert cli("classify", "Bravo", "Merci", registry=False)[0] == 1


def test_classify_reads_replies_from_stdin(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("STOP\nHELP\n"))
    code, out, _ = cli("classify", "-", registry=False)
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == ["opt_out", "help"]


def test_import_then_export_round_trips_with_full_numbers(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "number,event,at,source,scope\n"
        "06 12 34 56 78,opt_out,2026-03-01T09:00:00+00:00,reply,*\n"
        "0750000012,opt_out,2026-03-02T09:00:00+00:00,form,muni\n"
    )
    code, _, err = cli("import", str(source))
    assert code == 0
    assert "2 new event(s) recorded, 0 already recorded" in err
    target = tmp_path / "out.csv"
    assert cli("export", str(target))[0] == 0
    assert target.read_text().splitlines() == [
        "number,event,at,source,scope",
        f"{NUMBER},opt_out,2026-03-01T09:00:00+00:00,reply,*",
        "+33750000012,opt_out,2026-03-02T09:00:00+00:00,form,muni",
    ]
    code, out, err = cli("export")
    assert code == 0
    assert out == target.read_text()
    assert "2 event(s) exported" in err


def test_import_with_bad_rows_reports_their_lines_and_exits_1(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "number,event,at,source,scope\n"
        "0612345678,opt_out,2026-03-01T09:00:00+00:00,reply,*\n"
        "0612345679,opt_out,not a date,reply,*\n"
    )
    code, _, err = cli("import", str(source))
    assert code == 1
    assert "line 3:" in err
    assert "1 new event(s) recorded, 0 already recorded, 1 row(s) rejected" in err
    assert "0612345679" not in err


@pytest.mark.parametrize("content", ["no,header,here\n", None])
def test_import_of_an_unusable_file_is_an_input_error(
    cli: Cli, tmp_path: Path, content: str | None
) -> None:
    source = tmp_path / "in.csv"
    if content is not None:
        source.write_text(content)
    code, _, err = cli("import", str(source))
    assert code == 2
    assert err.count("\n") == 1


def test_import_reads_stdin(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = "number,event,at,source,scope\n0612345678,opt_out,2026-03-01T09:00:00Z,reply,*\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(rows.encode())))
    assert cli("import", "-")[0] == 0
    with SQLiteRegistry(cli.registry) as registry:
        assert registry.is_suppressed(NUMBER)


def test_optout_without_a_sub_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        _parser().parse_args(["optout"])
    assert raised.value.code == 2
    capsys.readouterr()


def test_a_byte_that_is_not_utf8_on_stdin_names_its_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = b"number,event,at,source,scope\n0612345678,opt_out,2026-03-01T09:00:00Z,r\xe9,*\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(rows)))
    code, _, err = cli("import", "-")
    assert code == 2
    assert "line 2: not UTF-8 text (byte 42 of the line)" in err


def test_rows_rejected_before_an_import_stops_are_still_reported(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(
        b"number,event,at,source,scope\n"
        b"0612345678,opt_out,yesterday,reply,*\n"
        b"0612345679,opt_out,2026-03-01T09:00:00Z,reply,*\n"
        b"\xff\n"
    )
    code, _, err = cli("import", str(source))
    assert code == 2
    assert err.splitlines() == [
        "smscheck optout: line 2: at is not an ISO 8601 date and time",
        f"smscheck optout: {source}: line 4: not UTF-8 text (byte 1 of the line); the rows "
        "before it were imported (1 new event(s) recorded), the rest of the file was not",
    ]
    with SQLiteRegistry(cli.registry) as registry:
        assert registry.is_suppressed("0612345679")


@pytest.mark.parametrize("command", [["add", NUMBER], ["remove", NUMBER]])
def test_an_instant_in_the_future_is_refused_and_nothing_is_recorded(
    cli: Cli, command: list[str]
) -> None:
    assert cli("add", NUMBER, "--at", "2026-01-01T00:00:00+00:00")[0] == 0
    code, _, err = cli(*command, "--at", "2999-01-01T00:00:00+00:00")
    assert code == 2
    assert "(2999-01-01T00:00:00+00:00) is in the future" in err
    with SQLiteRegistry(cli.registry) as registry:
        assert len(registry) == 1


def test_an_opt_out_an_earlier_dated_opt_in_outweighs_is_not_reported_as_done(cli: Cli) -> None:
    cli("add", NUMBER, "--at", "2026-01-01T00:00:00+00:00")
    cli("remove", NUMBER, "--at", "2026-01-03T00:00:00+00:00")
    code, out, err = cli("add", NUMBER, "--at", "2026-01-02T00:00:00+00:00")
    assert code == 2
    assert out == ""
    assert f"recorded an opt-out for {MASKED}" in err
    assert cli("add", NUMBER)[0] == 0  # now: the latest event


def test_memory_as_the_registry_is_refused(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_REGISTRY, ":memory:")
    for command in (["add", NUMBER], ["list"], ["import", "-"]):
        code, out, err = cli(*command, registry=False)
        assert (code, out) == (2, "")
        assert "':memory:' is not a registry file: it would keep nothing" in err


def test_check_honours_what_optout_records_through_the_same_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from smscheck.cli import main
    from tests.conftest import SEEDS

    seed = str(SEEDS / "2026-ordinary-number.json")  # passes, recipient +33612345678
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_REGISTRY, raising=False)
    assert main(["check", seed]) == 0  # no registry in the folder: nothing suppressed
    assert main(["optout", "add", "06 12 34 56 78", "--scope", "municipales-2026"]) == 0
    assert main(["check", seed]) == 1  # ./smscheck-optouts.sqlite3, every scope
    monkeypatch.setenv(ENV_REGISTRY, str(tmp_path / "elsewhere.sqlite3"))
    assert main(["optout", "add", "+33 6 12 34 56 79"]) == 0
    assert main(["check", seed]) == 0  # the environment's registry, which lacks +33612345678
    assert main(["optout", "add", "+33 6 12 34 56 78", "--scope", "europeennes-2029"]) == 0
    assert main(["check", seed]) == 1
    capsys.readouterr()


def test_check_opens_the_registry_read_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from smscheck.cli import main
    from tests.conftest import SEEDS

    registry = tmp_path / "r.sqlite3"
    with SQLiteRegistry(registry) as opened:
        opened.record_opt_out(NUMBER, at=datetime(2026, 1, 1, tzinfo=UTC), source="sms")
    before = registry.read_bytes()
    registry.chmod(0o444)
    seed = str(SEEDS / "2026-ordinary-number.json")
    assert main(["check", seed, "--optouts", str(registry)]) == 1
    assert registry.read_bytes() == before
    capsys.readouterr()


# --- the property: check never passes a number the registry holds as opted out -----------

WRITINGS = (
    NUMBER,
    "06 12 34 56 78",
    "06.12.34.56.78",
    "06-12-34-56-78",
    "0612345678",
    "+33 6 12 34 56 78",
    "+33 (0)6 12 34 56 78",
    "0033612345678",
)
SCOPES = ("*", "municipales-2026", "europeennes-2029")
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
EVENT = st.tuples(
    st.sampled_from(WRITINGS),
    st.sampled_from(["opt_out", "opt_in"]),
    st.sampled_from(SCOPES),
    st.integers(0, 4),  # minutes after T0: ties happen
    st.sampled_from(["cli", "env", "library", "import"]),
)


def _opted_out_somewhere(registry: SQLiteRegistry) -> bool:
    """The rule, written plainly: in some scope, with "*" counting in every scope, the latest
    event (an opt-out winning a tie) is an opt-out."""
    events = list(registry.events(NUMBER))
    for scope in {"*", *(event.scope for event in events)}:
        relevant = [event for event in events if event.scope in (scope, "*")]
        if (
            relevant
            and max(relevant, key=lambda e: (e.at, e.event == "opt_out")).event == "opt_out"
        ):
            return True
    return False


def _record(folder: Path, written: str, event: str, scope: str, minutes: int, way: str) -> None:
    from smscheck.cli import main
    from smscheck.registry import import_csv

    at = T0 + timedelta(minutes=minutes)
    path = folder / DEFAULT_REGISTRY
    if way == "library":
        with SQLiteRegistry(path) as registry:
            record = registry.record_opt_out if event == "opt_out" else registry.record_opt_in
            record(written, at=at, source="test", scope=scope)
    elif way == "import":
        with SQLiteRegistry(path) as registry:
            row = f'"{written}",{event},{at.isoformat()},test,{scope}\n'
            assert import_csv(registry, io.StringIO("number,event,at,source,scope\n" + row))
    else:
        command = "add" if event == "opt_out" else "remove"  # remove only lifts an opt-out
        where = ["--registry", str(path)] if way == "cli" else []
        with (
            _environment(path if way == "env" else None),
            redirect_stdout(io.StringIO()),
            redirect_stderr(io.StringIO()),
        ):
            main(["optout", *where, command, written, "--scope", scope, "--at", at.isoformat()])


@contextmanager
def _environment(registry: Path | None) -> Iterator[None]:
    saved = os.environ.pop(ENV_REGISTRY, None)
    if registry is not None:
        os.environ[ENV_REGISTRY] = str(registry)
    try:
        yield
    finally:
        os.environ.pop(ENV_REGISTRY, None)
        if saved is not None:
            os.environ[ENV_REGISTRY] = saved


def _objection_status(folder: Path, written: str, way: str) -> str:
    """GDPR-OBJ-01's status for the seed case sent to `written`, checked in one of the ways."""
    from smscheck import Checker, check
    from smscheck.cli import main
    from smscheck.inputs import case_from
    from smscheck.registry import suppressed_anywhere
    from tests.conftest import load_seed

    document = load_seed("2026-ordinary-number.json")
    document["case"]["recipient"]["number"] = written
    path = folder / DEFAULT_REGISTRY
    if way.startswith("library"):
        with SQLiteRegistry(path, read_only=True) as registry:
            if way == "library check":
                report = check(case_from(document), suppressed=registry.snapshot())
            else:
                report = Checker(suppressed=suppressed_anywhere(registry)).check(
                    case_from(document)
                )
        return str(report.verdict("GDPR-OBJ-01").status)
    case_file = folder / "case.json"
    case_file.write_text(json.dumps(document), encoding="utf-8")
    where = ["--optouts", str(path)] if way == "cli" else []
    out = io.StringIO()
    elsewhere = folder / "elsewhere"  # a working folder with no registry
    elsewhere.mkdir(exist_ok=True)
    with (
        _environment(path if way == "env" else None),
        chdir(folder if way == "folder" else elsewhere),
        redirect_stdout(out),
        redirect_stderr(io.StringIO()),
    ):
        main(["check", str(case_file), *where, "--format", "json"])
    verdicts = json.loads(out.getvalue())["verdicts"]
    return str(next(v["status"] for v in verdicts if v["rule_id"] == "GDPR-OBJ-01"))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(EVENT, min_size=1, max_size=6),
    st.sampled_from(WRITINGS),
    st.sampled_from(["cli", "env", "folder", "library check", "library Checker"]),
)
def test_check_never_passes_a_number_recorded_as_opted_out(
    events: list[tuple[str, str, str, int, str]], written: str, way: str
) -> None:
    # Whatever writing, scope, environment variable or API recorded the events, and whichever
    # checks the case: an opt-out in force in any scope fails GDPR-OBJ-01, and only then.
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for event in events:
            _record(folder, *event)
        if not (folder / DEFAULT_REGISTRY).exists():  # only refused events (e.g. remove)
            SQLiteRegistry(folder / DEFAULT_REGISTRY).close()
        with SQLiteRegistry(folder / DEFAULT_REGISTRY, read_only=True) as registry:
            expected = "fail" if _opted_out_somewhere(registry) else "pass"
        assert _objection_status(folder, written, way) == expected
