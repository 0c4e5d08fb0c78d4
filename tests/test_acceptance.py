"""Accepting a finding with a reason in a campaign file: shown as accepted in every report, no
longer failing the run; refused for a fail of a high-severity rule on consent, opt-out or
timing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.test_campaign_file import BODY, CAMPAIGN, HEADER, ROWS, run_json, write

LONG = BODY + " Rendez-vous samedi au marché de la Croix-Rousse pour en parler." * 3
NO_NAME = BODY.replace("Lyon Avenir : ", "").replace("votez Marie Dupont", "votez")


def campaign(body: str, accept: str) -> str:
    """The campaign file with one template, `body`, and an `accept` table."""
    head = CAMPAIGN.split("[[templates]]")[0]
    return f'{head}[[templates]]\nid = "seul"\nbody = """{body}"""\naccept = {accept}\n'


def template_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, *args: str
) -> tuple[int, dict[str, Any]]:
    code, out = run_json(capsys, str(write(tmp_path, text)), *args)
    return code, out[0]


def verdict(report: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(v for v in report["verdicts"] if v["rule_id"] == rule_id)


def test_an_accepted_warning_is_shown_with_its_reason_and_no_longer_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = template_report(tmp_path, capsys, campaign(LONG, "{}"), "--fail-on", "warn")
    assert code == 1 and verdict(report, "FMT-LEN-01")["status"] == "warn"
    reason = "3 parts agreed with the provider"
    accept = f'{{ "FMT-LEN-01" = "{reason}" }}'
    code, report = template_report(tmp_path, capsys, campaign(LONG, accept), "--fail-on", "warn")
    length = verdict(report, "FMT-LEN-01")
    assert code == 0 and report["status"] == "pass"
    assert length["status"] == "warn" and length["accepted"] == reason


def test_an_accepted_finding_is_carried_to_each_recipient_and_into_sarif(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accept = '{ "CNIL12-ID-01" = "the sender field names the list" }'
    path = write(tmp_path, campaign(NO_NAME, accept), rows=HEADER + ROWS[0])
    code, out = run_json(capsys, str(path), "--recipients", str(tmp_path / "contacts.csv"))
    assert code == 0 and verdict(out[0], "CNIL12-ID-01")["accepted"]
    assert out[1]["status"] == "pass"
    from smscheck.cli import main

    main(["check", str(path), "--format", "sarif", "--isolated"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    [identity] = [result for result in results if result["ruleId"] == "CNIL12-ID-01"]
    assert identity["suppressions"] == [
        {
            "kind": "inSource",
            "status": "accepted",
            "justification": "the sender field names the list",
        }
    ]


def test_an_accepted_finding_is_said_in_the_text_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from smscheck.cli import main

    accept = '{ "CNIL12-ID-01" = "the sender field names the list" }'
    main(["check", str(write(tmp_path, campaign(NO_NAME, accept))), "--lang", "en", "--isolated"])
    out = capsys.readouterr().out
    assert "CNIL12-ID-01 fail (accepted)" in out
    assert "accepted: the sender field names the list" in out


def test_a_protected_failure_cannot_be_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    no_opt_out = BODY.replace(" STOP au 36111", "")
    accept = '{ "CNIL12-OPT-01" = "we think it is fine" }'
    code, report = template_report(tmp_path, capsys, campaign(no_opt_out, accept))
    assert code == 2
    assert "CNIL12-OPT-01 fails (opt_out, severity high)" in report["error"]
    assert "cannot be accepted" in report["error"]


def test_a_protected_failure_of_a_recipient_cannot_be_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accept = '{ "CNIL12-CON-01" = "rented, but fine" }'
    path = write(tmp_path, campaign(BODY, accept), rows=HEADER + "".join(ROWS))
    code, out = run_json(capsys, str(path), "--recipients", str(tmp_path / "contacts.csv"))
    assert code == 2
    assert out[1]["status"] == "pass"  # the member: nothing to accept
    assert "CNIL12-CON-01 fails (consent, severity high)" in out[2]["error"]


@pytest.mark.parametrize(
    ("accept", "error"),
    [
        ('{ "FMT-LEN-01" = "" }', "accept.FMT-LEN-01"),
        ('{ "FMT-LEN-01" = "   " }', "accept.FMT-LEN-01"),
        ('{ "FMT-LEN-1" = "typo" }', "no loaded rule has the id FMT-LEN-1"),
    ],
)
def test_an_acceptance_needs_a_reason_and_a_known_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], accept: str, error: str
) -> None:
    code, report = template_report(tmp_path, capsys, campaign(LONG, accept))
    assert code == 2 and error in report["error"]
