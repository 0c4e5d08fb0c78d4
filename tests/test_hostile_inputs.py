"""Hostile inputs: each ends in a report or a clear error naming the field and the line, with
exit code 2 for input errors, never a traceback, and each well within a second."""

from __future__ import annotations

import copy
import io
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from smscheck.cli import main
from smscheck.inputs import (
    MAX_DOCUMENT_BYTES,
    MAX_LINE_BYTES,
    InputError,
    LineReader,
    MergeBody,
    bounded_lines,
    case_from,
    read,
    read_lines,
)
from tests.conftest import SEEDS

SEED = json.loads((SEEDS / "2026-ordinary-number.json").read_text(encoding="utf-8"))
CASE: dict[str, Any] = SEED["case"]  # passes every rule
NUMBER = CASE["recipient"]["number"]  # +33612345678
SECONDS = 1.0  # generous: each input takes a few milliseconds


def case(**changes: Any) -> dict[str, Any]:
    """The passing case with some fields replaced: `message__body="..."`."""
    document = copy.deepcopy(CASE)
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = document
        for key in parents:
            node = node[key]
        node[last] = value
    return document


def dumps(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def template(body: str | None = None) -> dict[str, Any]:
    message = dict(CASE["message"])
    message["body"] = body if body is not None else "{prenom}, " + message["body"]
    return {"template": {"message": message, "campaign": CASE["campaign"]}}


def recipient(**merge: str) -> dict[str, Any]:
    return {**CASE["recipient"], "merge": merge or {"prenom": "Zoé"}}


def lines(*documents: object) -> bytes:
    """JSON Lines; bytes are taken as they are."""
    return b"".join(
        (document if isinstance(document, bytes) else dumps(document)) + b"\n"
        for document in documents
    )


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@dataclass(frozen=True)
class Hostile:
    name: str
    data: bytes | Callable[[Path], Path]  # the file's bytes, or a function making the input
    expect: str  # in the output: the error or the report's status
    code: int = 2
    suffix: str = ".json"
    line: int | None = None  # the line the error is reported at, when the input has lines
    entry: int | None = None  # the array entry the error is reported at, for a JSON array

    def path(self, tmp_path: Path) -> Path:
        if callable(self.data):
            return self.data(tmp_path)
        path = tmp_path / f"input{self.suffix}"
        path.write_bytes(self.data)
        return path


def _directory(tmp_path: Path) -> Path:
    (tmp_path / "cases.json").mkdir()
    return tmp_path / "cases.json"


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "absent.json"


def _dev_zero(tmp_path: Path) -> Path:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    return Path("/dev/zero")


def _dev_zero_lines(tmp_path: Path) -> Path:
    link = tmp_path / "zeros.jsonl"
    link.symlink_to(_dev_zero(tmp_path))
    return link


_ATTACK = "template.message.body: '{0}' at character 1 is not a merge field"

HOSTILE = [
    # --- bytes and text
    Hostile("invalid UTF-8", b'{"message": "\xff"}', "not UTF-8 text (byte 14)"),
    Hostile(
        "invalid UTF-8 in a line",
        lines(template(), b'{"number": "\xc3\x28"}'),
        "not UTF-8 text",
        suffix=".jsonl",
        line=2,
    ),
    Hostile("a byte order mark", b"\xef\xbb\xbf" + dumps(CASE), "PASS", code=0),
    Hostile(
        "a byte order mark before a template",
        b"\xef\xbb\xbf" + lines(template(), recipient()),
        "PASS",
        code=0,
        suffix=".jsonl",
    ),
    Hostile(
        "a byte order mark mid-file",
        lines(CASE, b"\xef\xbb\xbf" + dumps(CASE)),
        "a byte order mark in the middle of the file",
        suffix=".jsonl",
        line=2,
    ),
    Hostile("empty file", b"", "empty input"),
    Hostile("empty JSON Lines file", b"", "no case to check", suffix=".jsonl"),
    Hostile("whitespace only", b" \n\t\r\n ", "empty input"),
    Hostile("whitespace-only lines", b"\n  \n\t\n", "no case to check", suffix=".jsonl"),
    Hostile("NUL bytes", b"\x00" * 64, "invalid JSON: Expecting value (line 1, column 1)"),
    Hostile(
        "an escape sequence in the body",
        dumps(case(message__body="\x1b[2J\x1b]0;pwned\x07 Marie Dupont")),
        "message.body: the text holds the control character U+001B",
    ),
    Hostile(
        "NUL in the sender",
        dumps(case(message__sender="36111\x00")),
        "message.sender: the text holds the control character U+0000",
    ),
    Hostile(
        "a C1 control, raw",
        dumps(case(message__body="Bonjour\x85")),
        "message.body: the text holds the control character U+0085",
    ),
    Hostile(
        "DEL in a merge field",
        lines(template(), recipient(prenom="Zo\x7f")),
        "merge.prenom: the text holds the control character U+007F",
        suffix=".jsonl",
        line=2,
    ),
    Hostile(
        "a lone surrogate",
        dumps(CASE).replace(b'"Lyon Avenir :', b'"\\ud800 Lyon Avenir :'),
        "message.body: the text holds a lone surrogate",
    ),
    Hostile(
        "a lone low surrogate in a line",
        lines(template(), b'{"number": "+33612345678", "merge": {"prenom": "\\udc00"}}'),
        "merge.prenom: the text holds a lone surrogate",
        suffix=".jsonl",
        line=2,
    ),
    Hostile(
        "an emoji as a surrogate pair is fine",
        dumps(CASE).replace(b'"Lyon Avenir :', b'"\\ud83d\\uddf3 Lyon Avenir :'),
        "rules as of 2026-02-10",
        code=0,
    ),
    Hostile(
        "a 5 MB body",
        dumps(case(message__body="Marie Dupont " * 400_000)),
        "message.body: String should have at most 40000 characters",
    ),
    Hostile(
        "a 2 MB line",
        lines(template(), recipient(prenom="Zoé" * 700_000)),
        "line longer than 1 MiB",
        suffix=".jsonl",
        line=2,
    ),
    Hostile(
        "a sender of 2,000 characters",
        dumps(case(message__sender="A" * 2000)),
        "message.sender: String should have at most 1000 characters",
    ),
    Hostile(
        "51 campaign names",
        dumps(case(campaign__names=[f"Nom {index}" for index in range(51)])),
        "campaign.names: Tuple should have at most 50 items",
    ),
    # --- dates
    Hostile(
        "sent in 1960",
        dumps(case(message__send_at="1960-02-10T10:00:00+01:00")),
        "REVIEW",
        code=0,
    ),
    Hostile(
        "sent in 2150",
        dumps(
            case(
                message__send_at="2150-02-10T10:00:00+01:00",
                campaign__election__rounds=[{"polling_date": "2150-03-15"}],
            )
        ),
        "rules as of 2150-02-10",
        code=0,
    ),
    Hostile(
        "sent in 2200",
        dumps(case(message__send_at="2200-01-01T10:00:00+01:00")),
        "message.send_at: year 2200 is outside 1900-2199",
    ),
    Hostile(
        "a naive send time",
        dumps(case(message__send_at="2026-02-10T10:00:00")),
        "message.send_at: Input should have timezone info",
    ),
    Hostile(
        "year 0",
        dumps(case(message__send_at="0000-01-01T10:00:00+01:00")),
        "message.send_at: Input should be a valid datetime, year 0 is out of range",
    ),
    Hostile(
        "year 9999 west of UTC (overflowed in the timing checks)",
        dumps(case(message__send_at="9999-12-31T23:59:59-10:00")),
        "message.send_at: year 9999 is outside 1900-2199",
    ),
    Hostile(
        "a polling day in year 1 (overflowed computing its eve)",
        dumps(case(campaign__election__rounds=[{"polling_date": "0001-01-01"}])),
        "campaign.election.rounds.0.polling_date: year 1 is outside 1900-2199",
    ),
    Hostile(
        "a send time as a huge number",
        dumps(case(message__send_at=1e300)),
        "message.send_at: Input should be a valid datetime",
    ),
    # --- enums, types, shapes
    Hostile(
        "an unknown origin",
        dumps(case(recipient__origin="moon")),
        "recipient.origin: Input should be 'collected_directly'",
    ),
    Hostile(
        "an unknown channel in a line",
        lines(case(message__channel="pigeon")),
        "message.channel: Input should be 'sms'",
        suffix=".jsonl",
        line=1,
    ),
    Hostile(
        "a float as the number",
        dumps(case(recipient__number=33612345678.0)),
        "recipient.number: Input should be a valid string",
    ),
    Hostile(
        "a 400-digit integer as the number",
        dumps(case(recipient__number=10**400)),
        "recipient.number: Input should be a valid string",
    ),
    Hostile(
        "a 5,000-digit integer (a ValueError traceback in json)",
        b'{"message": ' + b"9" * 5000 + b"}",
        "invalid JSON: a number too long to read",
    ),
    Hostile(
        "NaN",
        dumps(case()).replace(b'"opted_out"', b'"x"')[:-1] + b', "y": NaN}',
        "invalid JSON: NaN is not a JSON number",
    ),
    Hostile(
        "an array of numbers",
        b"[1, 2, 3]",
        "(document): expected a JSON object (a case), found a number",
        entry=1,
    ),
    Hostile("a string", b'"case"', "(document): expected a JSON object (a case), found a string"),
    Hostile(
        "an array line",
        lines(template(), [recipient()]),
        "(document): expected a JSON object, found an array",
        suffix=".jsonl",
        line=2,
    ),
    Hostile(
        "an object where a list is expected",
        dumps(case(campaign__names={"a": "Marie Dupont"})),
        "campaign.names: expected a JSON array",
    ),
    Hostile(
        "an unknown key",
        dumps(case(recipient__shoe_size="42")),
        "recipient.shoe_size: Extra inputs are not permitted",
    ),
    # --- duplicate keys and nesting
    Hostile("a duplicate key", b'{"message": {}, "message": {}}', "duplicate key 'message'"),
    Hostile(
        "a duplicate key in a case line (fast path)",
        lines(dumps(CASE).replace(b'"sender":', b'"sender": "UMP", "sender":')),
        "duplicate key 'sender'",
        suffix=".jsonl",
        line=1,
    ),
    Hostile(
        "a duplicate number in a recipient line",
        lines(template(), dumps(recipient())[:-1] + b', "number": "+33699999999"}'),
        "duplicate key 'number'",
        suffix=".jsonl",
        line=2,
    ),
    Hostile(
        "a duplicate key hidden by a space before its colon",
        lines(template(), dumps(recipient())[:-1] + b', "origin" : "unknown"}'),
        "duplicate key 'origin'",
        suffix=".jsonl",
        line=2,
    ),
    Hostile(
        "a duplicate key hidden by an escape",
        lines(template(), dumps(recipient())[:-1] + b', "\\u006eumber": "+33699999999"}'),
        "duplicate key 'number'",
        suffix=".jsonl",
        line=2,
    ),
    Hostile(
        "a duplicate merge field",
        lines(template(), b'{"number": "+33612345678", "merge": {"prenom": "A", "prenom": "B"}}'),
        "duplicate key 'prenom'",
        suffix=".jsonl",
        line=2,
    ),
    Hostile(
        "a duplicate key that is a phone number is masked",
        lines(
            template(),
            b'{"number": "+33612345678", "merge": {"0612345678": "A", "0612345678": "B"}}',
        ),
        "duplicate key '+33 6 ** ** ** 78'",
        suffix=".jsonl",
        line=2,
    ),
    Hostile("nested 10,000 deep", nested(10_000), "JSON nested deeper than 64 levels"),
    Hostile("nested 100 deep", nested(100), "JSON nested deeper than 64 levels"),
    Hostile(
        "nested 10,000 deep in a merge field",
        lines(template(), b'{"number": "+33612345678", "merge": ' + nested(10_000) + b"}"),
        "JSON nested deeper than 64 levels",
        suffix=".jsonl",
        line=2,
    ),
    # --- campaigns and merge fields
    Hostile(
        "a template and no recipient (JSON Lines)",
        lines(template()),
        "template line with no recipient line after it",
        suffix=".jsonl",
        line=1,
    ),
    Hostile(
        "a template and no recipient (one document)",
        dumps(template()),
        "a campaign template and no recipient",
    ),
    Hostile(
        "a recipient line before any template",
        lines(recipient(), template(), recipient()),
        "a recipient line before any template line",
        suffix=".jsonl",
        line=1,
    ),
    Hostile(
        "a merge field missing from the line",
        lines(template(), CASE["recipient"]),
        "merge: no value for {prenom}",
        suffix=".jsonl",
        line=2,
    ),
    Hostile(
        "a merge value that looks like a field is not filled again",
        lines(template(), recipient(prenom="{prenom}")),
        "PASS",
        code=0,
        suffix=".jsonl",
    ),
    Hostile(
        "a filled body over the limit",
        lines(template("{a}{b}" + "x" * 39_990), recipient(a="a" * 900, b="b" * 900)),
        "merge: the filled body has 41790 characters, more than 40000",
        suffix=".jsonl",
        line=2,
    ),
    *(
        Hostile(
            f"format attack {attack}",
            lines(template(attack + " " + CASE["message"]["body"]), recipient()),
            _ATTACK.replace("{0}", attack),
            suffix=".jsonl",
            line=1,
        )
        for attack in (
            "{0}",
            "{prenom.__class__}",
            "{prenom!r}",
            "{prenom:>99999999}",
            "{prenom[0]}",
        )
    ),
    Hostile(
        "an unmatched brace",
        lines(template("{ " + CASE["message"]["body"]), recipient()),
        "template.message.body: unmatched '{' at character 1; write {{ for the brace itself",
        suffix=".jsonl",
        line=1,
    ),
    Hostile(
        "braces written {{ }} in a template",
        lines(template("{{Lyon}} " + CASE["message"]["body"]), CASE["recipient"]),
        "PASS",
        code=0,
        suffix=".jsonl",
    ),
    Hostile(
        "CRLF line endings",
        lines(template(), recipient()).replace(b"\n", b"\r\n"),
        "PASS",
        code=0,
        suffix=".jsonl",
    ),
    # --- numbers
    Hostile(
        "an invalid phone number",
        dumps(case(recipient__number="+33 6 12 34 56 7")),
        "recipient.number: Invalid phone number",
    ),
    Hostile(
        "a phone number with letters",
        dumps(case(recipient__number="+33 6 CALL ME 78")),
        "recipient.number: Invalid phone number",
    ),
    # --- files
    Hostile("a directory", _directory, "cannot open: Is a directory"),
    Hostile("a missing file", _missing, "cannot open: No such file or directory"),
    Hostile("/dev/zero", _dev_zero, "larger than 64 MiB and not JSON Lines"),
    Hostile("/dev/zero as JSON Lines", _dev_zero_lines, "line longer than 1 MiB", line=1),
]


@pytest.mark.parametrize("hostile", HOSTILE, ids=[hostile.name for hostile in HOSTILE])
def test_a_hostile_input_ends_in_a_report_or_a_clear_error(
    hostile: Hostile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = hostile.path(tmp_path)
    started = time.perf_counter()
    code = main(["check", str(path), "--lang", "en", "--verbose"])
    elapsed = time.perf_counter() - started
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert hostile.expect in output, output[:2000]
    assert code == hostile.code, output[:2000]
    assert "Traceback" not in output
    if hostile.line is not None:
        assert f"{path}:{hostile.line}: error: " in captured.out
    elif hostile.entry is not None:
        assert f"{path}[{hostile.entry}]: error: " in captured.out
    elif hostile.code == 2 and "no case to check" not in hostile.expect:
        assert f"{path}: error: " in captured.out
    assert elapsed < SECONDS, f"{hostile.name}: {elapsed:.2f} s"


def test_the_table_has_at_least_forty_hostile_inputs() -> None:
    assert len(HOSTILE) >= 40


def test_a_hostile_input_error_never_quotes_the_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(
        lines(
            template(),
            b'{"number": "0698765432", "merge": {"0698765432": "A", "0698765432": "B"}}',
            b'{"number": "06987654321", "merge": {"prenom": "A"}}',
            b'{"number": "0698765432", "origin": "moon", "merge": {"prenom": "A"}}',
        )
    )
    assert main(["check", str(path)]) == 2
    captured = capsys.readouterr()
    assert "98765432" not in captured.out + captured.err


# --- through a real process: no traceback reaches the terminal, exit code 2


@pytest.mark.parametrize(
    ("data", "expect"),
    [
        (b"\xff\xfe", "not UTF-8 text"),
        (b'{"message": ' + b"9" * 5000 + b"}", "a number too long to read"),
        (nested(100_000), "nested deeper than 64"),
    ],
)
def test_the_installed_command_reports_hostile_input_without_a_traceback(
    data: bytes, expect: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "smscheck.cli", "check", "-", "--lang", "en"],
        input=data,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert expect in done.stdout.decode()
    assert b"Traceback" not in done.stderr


def test_jobs_are_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["check", "-", "--jobs", "100000"])
    assert caught.value.code == 2
    assert "from 1 to 64" in capsys.readouterr().err


# --- the library: read() on streams, LineReader, merge bodies


class _Zeros(io.RawIOBase):
    """An endless stream of NUL bytes, like /dev/zero, on any system."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        view[:] = bytes(len(view))
        return len(view)


class _Newlines(_Zeros):
    """An endless stream of empty lines."""

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        view[:] = b"\n" * len(view)
        return len(view)


def test_an_endless_stream_is_an_error_after_a_bounded_read() -> None:
    items = list(read("-", io.BufferedReader(_Zeros())))
    assert [item.error for item in items] == [
        f"larger than {MAX_DOCUMENT_BYTES // 2**20} MiB and not JSON Lines: "
        "too big for one JSON document"
    ]


def test_an_endless_line_in_json_lines_gives_up_the_rest() -> None:
    stream = io.BufferedReader(_Zeros())
    errors = [item.error for item in read_lines("-", bounded_lines(stream.readline))]
    assert errors == [
        "line longer than 1 MiB",
        f"a line longer than {MAX_DOCUMENT_BYTES // 2**20} MiB: the rest of the input is not read",
    ]


def test_json_lines_larger_than_a_document_are_streamed() -> None:
    # More than a document's worth of blank lines, then one case: read as JSON Lines, with its
    # line number.
    blank = b" " * (MAX_LINE_BYTES - 1) + b"\n"
    count = MAX_DOCUMENT_BYTES // len(blank) + 2
    items = list(read("-", io.BytesIO(blank * count + dumps(CASE) + b"\n")))
    assert len(items) == 1 and items[0].case is not None
    assert items[0].location.line == count + 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_named_pipe_of_json_lines_is_read_as_it_comes(tmp_path: Path) -> None:
    fifo = tmp_path / "cases.jsonl"
    os.mkfifo(fifo)
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; open(sys.argv[1], 'wb').write(sys.stdin.buffer.read())",
            str(fifo),
        ],
        stdin=subprocess.PIPE,
    )
    assert writer.stdin is not None
    writer.stdin.write(lines(template(), recipient(), recipient(prenom="Léa")))
    writer.stdin.close()
    items = list(read(str(fifo)))
    writer.wait(timeout=30)
    assert [item.location.line for item in items] == [2, 3]
    assert all(item.case is not None for item in items)


def test_a_template_no_recipient_used_is_an_error_at_its_line() -> None:
    data = lines(template(), template(), recipient(), template())
    items = list(read_lines("c.jsonl", data.splitlines(keepends=True)))
    assert [(item.location.line, item.error) for item in items] == [
        (1, "template line with no recipient line after it"),
        (3, None),
        (4, "template line with no recipient line after it"),
    ]


def test_lines_a_reader_did_not_see_count_as_using_the_template() -> None:
    # A batch cuts files into chunks and gives a worker the template line in force at the start
    # of its chunk: the recipients between that template and the chunk were in another chunk.
    reader = LineReader("c.jsonl")
    assert reader.feed(1, dumps(template())) is None
    assert reader.feed(2001, dumps(template())) is None
    assert reader.finish() is not None  # line 2001's template is followed by nothing


def test_a_merge_body_only_fills_plain_names() -> None:
    body = MergeBody.parse("Bonjour {prenom} {{ami}} de {ville-natale} !")
    assert body.names == {"prenom", "ville-natale"}
    assert body.fill({"prenom": "{ville-natale}", "ville-natale": "Lyon"}) == (
        "Bonjour {ville-natale} {ami} de Lyon !"
    )
    with pytest.raises(InputError, match=re.escape("merge: no value for {ville-natale}")):
        body.fill({"prenom": "Zoé"})
    for attack in ("{0}", "{x.y}", "{x[0]}", "{x!s}", "{x:9}", "{ x }", "{}", "{9x}"):
        with pytest.raises(ValueError, match="is not a merge field"):
            MergeBody.parse(f"a {attack} b")


def test_case_from_is_as_strict_as_reading_a_file() -> None:
    with pytest.raises(InputError, match=r"message\.body: the text holds the control character"):
        case_from(case(message__body="\x1b[31m"))
    with pytest.raises(InputError, match="lone surrogate"):
        case_from(case(message__body="\ud800"))
    with pytest.raises(InputError, match="case: expected a JSON object"):
        case_from({"case": []})
    assert case_from(SEED).recipient.number == NUMBER


# --- user packs: a pattern never hangs a check or the loading of its pack


def _pack(tmp_path: Path, pattern: str, mode: str = "forbid") -> Path:
    from tests.test_packs import GOOD

    old = "patterns = ['\\bstop\\b']"
    assert old in GOOD
    text = GOOD.replace(old, f"patterns = [{json.dumps(pattern)}]").replace(
        'mode = "require"', f'mode = "{mode}"'
    )
    path = tmp_path / "pack.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("mode", ["forbid", "require"])
def test_a_catastrophic_user_pattern_gives_review_within_its_time_limit(
    tmp_path: Path, mode: str
) -> None:
    from smscheck import Checker, Status, load_pack
    from smscheck.patterns import TIMEOUT_SECONDS

    checker = Checker([load_pack(_pack(tmp_path, "(a+)+$", mode))], lang="en")
    body = "a" * 10_000 + "!"  # 10 kB: backtracking would take longer than the universe
    started = time.perf_counter()
    report = checker.check(case_from(case(message__body=body)))
    elapsed = time.perf_counter() - started
    (verdict,) = report.verdicts
    assert verdict.status is Status.REVIEW
    assert "ran out of time" in verdict.message
    assert elapsed < TIMEOUT_SECONDS + 2  # loose: the point is that it stops at all


def test_a_catastrophic_user_pattern_through_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(dumps(case(message__body="a" * 10_000 + "!")))
    pack = _pack(tmp_path, "(a+)+$")
    assert main(["check", str(path), "--pack", str(pack), "--lang", "en"]) in (0, 1)
    out = capsys.readouterr().out
    assert re.search(r"USER-OPT-01 review .*Pattern \(a\+\)\+\$ ran out of time", out)


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(unclosed", "does not compile: missing )"),
        ("(" * 1000 + ")" * 1000, "does not compile: nested too deep or too big"),
        ("(?:(?:(?:a{300}){300}){300}){300}", "counted repeats nested too deep to compile"),
        ("x" * 30_000, "more than 20000"),
    ],
)
def test_a_pack_whose_pattern_cannot_compile_names_the_file_the_rule_and_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pattern: str, reason: str
) -> None:
    pack = _pack(tmp_path, pattern)
    seed = str(SEEDS / "2026-ordinary-number.json")
    started = time.perf_counter()
    assert main(["check", seed, "--pack", str(pack)]) == 2
    assert time.perf_counter() - started < SECONDS
    err = capsys.readouterr().err
    assert f"{pack}: rules[0] (USER-OPT-01).params.patterns: " in err
    assert reason in err
    assert "Traceback" not in err


def test_the_costliest_accepted_case_is_still_checked_quickly() -> None:
    # The largest body, digits that make two shipped patterns backtrack (they time out and say
    # review), and the most and longest names, each searched in the body.
    from smscheck import Checker
    from smscheck.models import MAX_BODY_CHARS, MAX_NAME_CHARS

    names = [f"{index:02d} " + "Marie Dupont " * 20 for index in range(50)]
    document = case(
        message__body="0" * (MAX_BODY_CHARS // 2) + "https://a/" * (MAX_BODY_CHARS // 20),
        campaign__names=[name[:MAX_NAME_CHARS] for name in names],
    )
    checker = Checker(lang="en")
    started = time.perf_counter()
    checker.check(case_from(document))
    assert time.perf_counter() - started < 5  # about 0.5 s; loose, timing tests are brittle
