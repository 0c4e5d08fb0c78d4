"""Campaign templates: checked without recipients, and in a campaign run a template's own
findings reported once, at the template, each recipient's report holding what differs for it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from smscheck.cli import main
from smscheck.engine import Checker
from smscheck.formatters import report_json
from smscheck.inputs import case_from
from smscheck.verdicts import Status
from tests.conftest import load_seed

CASE = load_seed("2026-municipales-weekday-compliant.json")["case"]
NO_OPT_OUT = CASE["message"]["body"].replace(" STOP au 36111", "")


def template(body: str = CASE["message"]["body"], **extra: Any) -> dict[str, Any]:
    message = {**CASE["message"], "body": body}
    return {"template": {"message": message, "campaign": CASE["campaign"], **extra}}


def member(index: int, **fields: Any) -> dict[str, Any]:
    return {**CASE["recipient"], "number": f"+336123{index:05d}", **fields}


def write_lines(path: Path, *documents: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(doc, ensure_ascii=False) + "\n" for doc in documents))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", *args, "--lang", "en"])
    return code, capsys.readouterr().out


def test_a_template_alone_is_checked_and_its_own_fault_fails_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_lines(tmp_path / "t.jsonl", template(NO_OPT_OUT, id="relance"))
    code, out = run(capsys, str(path), "--format", "json")
    [report] = map(json.loads, out.splitlines())
    assert code == 1
    assert report["kind"] == "template" and report["template"] == "relance"
    assert report["source"] == f"{path}:1" and report["status"] == "fail"
    by_rule = {verdict["rule_id"]: verdict for verdict in report["verdicts"]}
    assert by_rule["CNIL12-OPT-01"]["status"] == "fail"


def test_rules_that_need_a_recipient_are_never_a_pass_for_a_template_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_lines(tmp_path / "t.jsonl", template())
    _, out = run(capsys, str(path), "--format", "json")
    report = json.loads(out)
    by_rule = {verdict["rule_id"]: verdict for verdict in report["verdicts"]}
    assert {"CNIL12-CON-01", "GDPR-OBJ-01"} <= set(report["per_recipient"])
    for rule_id in report["per_recipient"]:
        assert by_rule[rule_id]["status"] == "not_applicable"
        assert "depends on the recipient" in by_rule[rule_id]["message"]
    assert by_rule["CNIL12-OPT-01"]["status"] == "pass"  # message-level: checked here


def test_a_recipient_report_holds_what_differs_and_the_case_s_whole_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_lines(
        tmp_path / "c.jsonl",
        template(NO_OPT_OUT),
        member(1),
        member(2, relationship="prospect", origin="rented_file"),
    )
    _, out = run(capsys, str(path), "--format", "json")
    head, first, second = map(json.loads, out.splitlines())
    for recipient in (first, second):
        rule_ids = [verdict["rule_id"] for verdict in recipient["verdicts"]]
        assert rule_ids == list(head["per_recipient"])  # no message-level verdict repeated
        assert recipient["template"] == head["source"] == f"{path}:1"
        assert recipient["status"] == "fail"  # the template's missing opt-out fails every send
    consent = {v["rule_id"]: v["status"] for v in second["verdicts"]}["CNIL12-CON-01"]
    assert consent == "fail"


def test_the_checker_reports_every_verdict_when_no_template_is_given() -> None:
    checker = Checker(lang="en")
    case = case_from({**CASE, "message": {**CASE["message"], "body": NO_OPT_OUT}})
    whole = checker.check(case)
    template_report = checker.check_template(case.message, case.campaign, source="t.jsonl:1")
    split = checker.check(case, template=template_report)
    assert len(whole.verdicts) == len(template_report.verdicts)
    assert [v.rule_id for v in split.verdicts] == list(template_report.per_recipient)
    assert split.status is whole.status is Status.FAIL
    assert whole.template is None and split.template == "t.jsonl:1"


def test_the_json_fast_path_writes_the_model_s_bytes_for_a_split_report() -> None:
    checker = Checker(lang="en")
    case = case_from(CASE)
    head = checker.check_template(case.message, case.campaign, source="c.jsonl:1")
    report = checker.check(case, source="c.jsonl:2", template=head)
    assert report_json(report) == report.model_dump_json()


@pytest.fixture(scope="module")
def thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    recipients = [member(index) for index in range(1000)]
    path = tmp_path_factory.mktemp("campaign") / "campaign.jsonl"
    return write_lines(path, template(NO_OPT_OUT, id="relance"), *recipients)


def test_a_template_fault_appears_once_in_json_for_1000_recipients(
    thousand: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, str(thousand), "--format", "json")
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 1001
    found = [
        line["source"]
        for line in lines
        for verdict in line["verdicts"]
        if verdict["rule_id"] == "CNIL12-OPT-01"
    ]
    assert found == [f"{thousand}:1"]


def test_a_template_fault_appears_once_in_sarif_for_1000_recipients(
    thousand: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = run(capsys, str(thousand), "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    opt_out = [result for result in results if result["ruleId"] == "CNIL12-OPT-01"]
    assert len(opt_out) == 1
    region = opt_out[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 1 and opt_out[0]["properties"]["template"] == "relance"


def test_a_template_fault_appears_once_in_text_for_1000_recipients(
    thousand: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = run(capsys, str(thousand))
    report, summary = out.split("\nSummary: ")
    assert report.count("CNIL12-OPT-01") == 1
    assert f"{thousand}:1: template relance: FAIL" in report
    assert re.search(r"CNIL12-OPT-01 +fail +1\n", summary)  # counted once, not 1,000 times
    _, verbose = run(capsys, str(thousand), "--verbose")
    assert f"message-level verdicts at the template {thousand}:1" in verbose
