"""`optout classify --input`: an SMS provider's inbound export, classified and recorded."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smscheck.inbound import Columns, read_inbound
from smscheck.registry import SQLiteRegistry
from tests.test_optout_cli import Cli

EXPORT = (
    "number,reply,received_at\n"
    '06 12 34 56 78,"STOP\nEnvoyé de mon iPhone",2026-03-03T10:05:00+01:00\n'
    "+33698765432,Vous êtes qui ?,2026-03-03T10:07:00+01:00\n"
    "0611223344,Non merci,2026-03-03T11:00:00+01:00\n"
    "0622334455,Je vote pour vous,2026-03-03T12:00:00Z\n"
    "0633445566,START,2026-03-04T08:00:00+01:00\n"
)
FULL = ("+33612345678", "+33698765432", "+33611223344", "+33622334455", "+33633445566")


@pytest.fixture(name="cli")
def _cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path / "optouts.sqlite3", capsys)


def _export(tmp_path: Path, text: str = EXPORT, name: str = "inbound.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def _rows(out: str) -> list[list[str]]:
    return [line.split("\t") for line in out.splitlines()]


def test_each_reply_comes_out_with_its_line_masked_number_time_class_and_reply(
    cli: Cli, tmp_path: Path
) -> None:
    code, out, _ = cli("classify", "--input", _export(tmp_path), registry=False)
    assert code == 0
    rows = _rows(out)
    assert [row[0] for row in rows] == ["2", "4", "5", "6", "7"]  # the first reply spans 2 lines
    assert rows[0][1:5] == ["+33 6 ** ** ** 78", "2026-03-03T10:05:00+01:00", "opt_out", "certain"]
    assert rows[0][7] == "STOP\\nEnvoyé de mon iPhone"
    assert [row[3:5] for row in rows[1:]] == [
        ["help", "certain"],
        ["opt_out", "review"],
        ["other", "certain"],
        ["opt_in", "certain"],
    ]
    assert not any(number in out for number in FULL)


def test_show_numbers_prints_full_numbers(cli: Cli, tmp_path: Path) -> None:
    out = cli("classify", "--input", _export(tmp_path), "--show-numbers", registry=False)[1]
    assert [row[1] for row in _rows(out)] == list(FULL)


def test_json_lines_with_keys_named_by_options_and_json_output(cli: Cli, tmp_path: Path) -> None:
    lines = [
        {
            "From": "+33612345678",
            "Body": "Merci de me retirer\nde vos listes",
            "DateSent": "2026-03-03T09:00:00Z",
        },
        {"From": "+33698765432", "Body": "Bravo", "DateSent": "2026-03-03T09:01:00Z"},
    ]
    path = _export(tmp_path, "".join(json.dumps(line) + "\n" for line in lines), "in.jsonl")
    columns = ("--number-column", "From", "--reply-column", "Body", "--received-column", "DateSent")
    code, out, _ = cli("classify", "--input", path, *columns, "--format", "json", registry=False)
    assert code == 0
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["number"] == "+33 6 ** ** ** 78"
    assert first["reply"] == "Merci de me retirer\nde vos listes"
    assert (first["kind"], first["status"], first["action"]) == ("opt_out", "certain", "opt_out")
    assert (second["kind"], second["action"], second["needs_person"]) == ("other", None, False)


def test_semicolon_exports_and_header_case_are_read(cli: Cli, tmp_path: Path) -> None:
    text = "\ufeffNUMBER;Reply;Received_At\n0612345678;stop;2026-03-03T10:00:00+01:00\n"
    out = cli("classify", "--input", _export(tmp_path, text), registry=False)[1]
    assert _rows(out)[0][3:5] == ["opt_out", "certain"]


def test_record_writes_opt_outs_reviews_included_and_clear_opt_ins(
    cli: Cli, tmp_path: Path
) -> None:
    code, _, err = cli("classify", "--input", _export(tmp_path), "--record", "--scope", "muni")
    assert code == 0
    with SQLiteRegistry(cli.registry) as registry:
        assert registry.is_suppressed("+33612345678", "muni")
        assert registry.is_suppressed("+33611223344", "muni")  # "Non merci": until a person looks
        assert not registry.is_suppressed("+33698765432", "muni")
        events = {record.number: record for record in registry.events()}
    assert events["+33611223344"].source == "sms-reply (review)"
    assert events["+33633445566"].event == "opt_in"
    assert "+33622334455" not in events and "+33698765432" not in events
    assert "recorded: 1 opt-out(s), 1 opt-out(s) to review" in err
    assert "1 opt-in(s); 3 new event(s)" in err


def test_record_lists_what_needs_a_person_and_why(cli: Cli, tmp_path: Path) -> None:
    err = cli("classify", "--input", _export(tmp_path), "--record", "--lang", "en")[2]
    assert "needs a person: 2 reply(ies)" in err
    assert "line 4 +33 6 ** ** ** 32: help certain: The reply is “vous êtes qui”" in err
    assert "line 5 +33 6 ** ** ** 44: opt_out review:" in err
    assert "until then, send this number nothing" in err
    assert not any(number in err for number in FULL)


def test_recording_the_same_export_twice_adds_no_event(cli: Cli, tmp_path: Path) -> None:
    path = _export(tmp_path)
    cli("classify", "--input", path, "--record")
    err = cli("classify", "--input", path, "--record")[2]
    assert "0 new event(s)" in err
    with SQLiteRegistry(cli.registry) as registry:
        assert len(registry) == 3


def test_an_earlier_start_never_lifts_a_later_stop(cli: Cli, tmp_path: Path) -> None:
    text = (
        "number,reply,received_at\n"
        "0612345678,STOP,2026-03-03T10:00:00+01:00\n"
        "0612345678,START,2026-03-01T10:00:00+01:00\n"
    )
    cli("classify", "--input", _export(tmp_path, text), "--record")
    with SQLiteRegistry(cli.registry) as registry:
        assert registry.is_suppressed("+33612345678")


def test_a_row_that_cannot_be_recorded_is_reported_loudly_and_the_rest_is_recorded(
    cli: Cli, tmp_path: Path
) -> None:
    text = (
        "number,reply,received_at\n"
        "0600,STOP,2026-03-03T10:00:00+01:00\n"
        "0612345678,STOP,2026-03-03 10:00\n"
        "0698765432,STOP,2026-03-03T10:00:00+01:00\n"
    )
    code, _, err = cli("classify", "--input", _export(tmp_path, text), "--record", "--lang", "en")
    assert code == 1
    assert "line 2: number **00 is not a valid phone number" in err
    assert "line 3: received time has no UTC offset" in err
    assert "reads as opt_out (certain) and is NOT recorded" in err
    with SQLiteRegistry(cli.registry) as registry:
        assert list(registry.suppressed_numbers()) == ["+33698765432"]


def test_a_bad_json_line_is_reported_and_the_rest_read(cli: Cli, tmp_path: Path) -> None:
    text = '{"number": "0612345678", "reply": "STOP"\n{"number": "0612345678", "reply": "STOP", "received_at": "2026-03-03T10:00:00Z"}\n'
    code, out, err = cli("classify", "--input", _export(tmp_path, text, "in.jsonl"), registry=False)
    assert code == 1
    assert "line 1: invalid JSON" in err
    assert [row[0] for row in _rows(out)] == ["1", "2"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("phone,text,at\n0612345678,STOP,2026-03-03T10:00:00Z\n", "no column number, reply"),
        ("", "empty export"),
        ('number,reply,received_at\n0612345678,"STOP,2026\n', "not readable as CSV"),
    ],
)
def test_an_export_that_cannot_be_read_is_one_error_and_exit_2(
    cli: Cli, tmp_path: Path, text: str, message: str
) -> None:
    code, _, err = cli("classify", "--input", _export(tmp_path, text), registry=False)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_an_export_that_is_not_utf8_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "number,reply,received_at\n0612345678,arrêt,2026-03-03T10:00:00Z\n".encode("latin-1")
    )
    code, _, err = cli("classify", "--input", str(path), registry=False)
    assert (code, err.strip()) == (2, "smscheck optout classify: not UTF-8 text")


def test_a_missing_export_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    assert cli("classify", "--input", str(tmp_path / "none.csv"), registry=False)[0] == 2


@pytest.mark.parametrize(
    "argv",
    [("classify", "--record", "STOP"), ("classify",), ("classify", "STOP", "--input", "x.csv")],
)
def test_usage_errors_say_what_to_give(cli: Cli, argv: tuple[str, ...]) -> None:
    code, _, err = cli(*argv)
    assert code == 2
    assert err.startswith("smscheck optout classify: ")


def test_an_export_can_come_on_stdin(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(EXPORT.encode())))
    code, out, _ = cli("classify", "--input", "-", registry=False)
    assert code == 0
    assert len(_rows(out)) == 5


def test_replies_given_as_arguments_carry_the_reply_too(cli: Cli) -> None:
    out = cli("classify", "STOP\nVous êtes nuls", registry=False)[1]
    assert _rows(out)[0][:2] == ["opt_out", "certain"]
    assert _rows(out)[0][4] == "STOP\\nVous êtes nuls"


# Any text a JSON export may hold: control characters other than tab, LF and CR are input errors.
_REPLIES = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r"),
    max_size=60,
)


@given(replies=st.lists(_REPLIES, min_size=1, max_size=5))
def test_any_reply_written_to_a_csv_export_is_read_back_whole(replies: list[str]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(("number", "reply", "received_at"))
    writer.writerows(("0612345678", reply, "2026-03-03T10:00:00+01:00") for reply in replies)
    read = list(read_inbound(io.BytesIO(buffer.getvalue().encode()), "csv"))
    assert [(inbound.reply, inbound.error) for inbound in read] == [(r, "") for r in replies]


# Invisible format characters (a soft hyphen, a bidi mark) are read in a reply, as in CSV: a
# reply is what the recipient typed, and must be classified rather than refused.
@given(replies=st.lists(_REPLIES, min_size=1, max_size=5))
def test_any_reply_written_to_json_lines_is_read_back_whole(replies: list[str]) -> None:
    lines = "".join(
        json.dumps({"n": "0612345678", "r": reply, "t": "2026-03-03T10:00:00Z"}) + "\n"
        for reply in replies
    )
    read = list(read_inbound(io.BytesIO(lines.encode()), "jsonl", Columns("n", "r", "t")))
    assert [(inbound.reply, inbound.error) for inbound in read] == [(r, "") for r in replies]


def test_a_reply_with_a_soft_hyphen_is_read_and_classified_in_json_lines_and_csv() -> None:
    reply = "ST\u00adOP"
    lines = json.dumps({"n": "0612345678", "r": reply, "t": "2026-03-03T10:00:00Z"}) + "\n"
    read = list(read_inbound(io.BytesIO(lines.encode()), "jsonl", Columns("n", "r", "t")))
    rows = f"number,reply,received_at\n0612345678,{reply},2026-03-03T10:00:00+01:00\n"
    read += list(read_inbound(io.BytesIO(rows.encode()), "csv"))
    assert [(inbound.reply, inbound.error) for inbound in read] == [(reply, "")] * 2
