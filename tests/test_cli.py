"""The command line: contract fields, exit codes, streams, and errors without tracebacks."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from smscheck.cli import main
from tests.conftest import SEEDS

CASE_A = str(SEEDS / "2011-ump-cantonales.json")
COMPLIANT = str(SEEDS / "2011-ump-cantonales-direct-contact.json")
CONTRACT = {"status", "verdicts", "packs", "resolved_at"}
VERDICT_CONTRACT = {
    "rule_id",
    "concern",
    "status",
    "severity",
    "message",
    "evidence",
    "citation",
    "remedy",
}


def test_case_a_as_json_has_the_contract_fields_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", CASE_A, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= CONTRACT
    assert report["status"] == "fail"
    for verdict in report["verdicts"]:
        assert set(verdict) >= VERDICT_CONTRACT
        assert {"title", "reference", "article", "date", "link", "confidence"} <= set(
            verdict["citation"]
        )
    assert {"name": "cnil-2006", "version": "1.0.0"} in report["packs"]
    assert report["resolved_at"] == "2011-03-25"


def test_a_case_that_does_not_fail_exits_0_and_prints_only_the_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", COMPLIANT]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        "Résumé : 1 cas",
        "  conforme               1",
    ]
    assert main(["check", COMPLIANT, "--verbose"]) == 0
    assert "CONFORME" in capsys.readouterr().out  # every rule of the case is listed


def test_english_messages_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", CASE_A, "--lang", "en"])
    assert "does not say how to stop receiving messages" in capsys.readouterr().out


def test_stdin_takes_a_case(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = Path(CASE_A).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["check", "-", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["status"] == "fail"


def test_json_lines_with_a_bad_line_report_it_and_check_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = json.dumps(json.loads(Path(CASE_A).read_text())["case"])
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join([case, "{not json", case, '{"message": 1}', case]) + "\n")
    assert main(["check", str(path), "--format", "json", "--lang", "en"]) == 2
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [line.get("status") for line in lines] == ["fail", None, "fail", None, "fail"]
    assert lines[1]["source"] == f"{path}:2" and "invalid JSON" in lines[1]["error"]
    assert lines[3]["source"] == f"{path}:4"
    assert "3 case(s)" in captured.err and "2 input error(s)" in captured.err


def test_a_missing_file_is_an_input_error_not_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "/nonexistent/case.json"]) == 2
    assert "erreur : ouverture impossible" in capsys.readouterr().out


def test_a_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["check", CASE_A, "--format", "poetry"])
    assert caught.value.code == 2


def test_a_broken_user_pack_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "pack.toml"
    pack.write_text("[pack]\nid = 'x'\n")
    assert main(["check", CASE_A, "--pack", str(pack)]) == 2
    assert str(pack) in capsys.readouterr().err


def test_rules_lists_different_rules_at_different_dates(capsys: pytest.CaptureFixture[str]) -> None:
    main(["rules", "--at", "2011-03-25"])
    in_2011 = capsys.readouterr().out
    main(["rules", "--at", "2026-03-14"])
    in_2026 = capsys.readouterr().out
    assert "CNIL06-OPT-01" in in_2011 and "CNIL06-OPT-01" not in in_2026
    assert "source:" in in_2011


def test_schema_prints_the_case_schema_and_the_report_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["schema"])
    assert "recipient" in json.loads(capsys.readouterr().out)["properties"]
    main(["schema", "--report"])
    lines = [kind["$ref"] for kind in json.loads(capsys.readouterr().out)["anyOf"]]
    assert lines == ["#/$defs/Report", "#/$defs/TemplateReport", "#/$defs/InputErrorLine"]


def test_the_installed_console_script_runs_the_readme_example() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "smscheck.cli", "check", CASE_A],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "CNIL06-OPT-01" in done.stdout and "Traceback" not in done.stderr


def test_a_recipient_in_the_opt_out_registry_fails_whatever_the_message_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = str(tmp_path / "optouts.sqlite3")
    assert (
        main(["optout", "--registry", registry, "add", "06 12 34 56 78", "--source", "reply"]) == 0
    )
    assert "12345678" not in capsys.readouterr().out
    assert main(["check", COMPLIANT, "--format", "json", "--optouts", registry]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (
        report["verdicts"][[v["rule_id"] for v in report["verdicts"]].index("CNIL06-OPT-02")][
            "status"
        ]
        == "fail"
    )
    assert main(["check", COMPLIANT, "--format", "json"]) == 0


def test_a_missing_opt_out_registry_is_an_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", COMPLIANT, "--optouts", "/nonexistent/optouts.sqlite3"]) == 2
    assert "smscheck : erreur : aucun registre" in capsys.readouterr().err


def test_entries_of_a_json_array_are_located_by_index_not_as_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = json.loads(Path(CASE_A).read_text())["case"]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([case, 7]))
    assert main(["check", str(path), "--format", "json"]) == 2
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["source"] for line in lines] == [f"{path}[1]", f"{path}[2]"]


@pytest.mark.parametrize("fmt", ["json", "json-compact", "sarif", "text", "html"])
@pytest.mark.parametrize("to_file", [False, True])
def test_a_file_name_that_is_not_utf8_is_shown_with_its_bytes_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, to_file: bool
) -> None:
    import os

    from tests.test_batch import TEMPLATE, recipient

    # An archive from a latin-1 system: the name's é is the byte 0xe9, not UTF-8. Reports are
    # UTF-8, so it ended the run with "unexpected PydanticSerializationError".
    name = tmp_path / os.fsdecode(b"caf\xe9.jsonl")
    try:
        name.write_text(json.dumps(TEMPLATE) + "\n" + recipient(1) + "\n", encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system takes UTF-8 names only")
    output = tmp_path / "report.out"
    command = ["check", str(name), "--format", fmt, "--lang", "en"]
    assert main([*command, "-o", str(output)] if to_file else command) in (0, 1)
    shown = output.read_text(encoding="utf-8") if to_file else capsys.readouterr().out
    escaped = f"{tmp_path}/caf\\xe9.jsonl:2"
    if fmt in ("json", "json-compact"):
        sources = [json.loads(line).get("source") for line in shown.splitlines()]
        assert escaped in sources
    elif fmt == "sarif":  # a URI reference of the name's very bytes
        assert "caf%E9.jsonl" in shown
    else:
        assert "caf\\xe9.jsonl" in shown


def test_an_escaped_file_name_keeps_its_bytes_however_many_names_came_before() -> None:
    import os

    from smscheck.inputs.located import raw_file, shown_file

    # The shown names and their raw bytes were forgotten apart: past 1,024 escaped names, a name
    # still shown from one cache had lost its bytes in the other (SARIF's URI then wrong).
    names = [os.fsdecode(b"caf\xe9-%d.jsonl" % index) for index in range(1025)]
    for name in names:  # the last one fills the memory of escaped names
        shown = shown_file(name)
        assert shown != name and raw_file(shown) == name
    assert all(raw_file(shown_file(name)) == name for name in names[-30:])  # shown again
    assert shown_file("plain.jsonl") == raw_file("plain.jsonl") == "plain.jsonl"
