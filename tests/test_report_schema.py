"""Every `--format json` report validates against the schema `smscheck schema --report` prints."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from smscheck.cli import main
from tests.conftest import SEEDS, load_seed

SEED_PATHS = sorted(str(path) for path in SEEDS.glob("*.json"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["schema", "--report"]) == 0
    schema: dict[str, Any] = json.loads(out.getvalue())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def json_lines(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    main(["check", *args, "--format", "json"])
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def assert_reports_valid(validator: jsonschema.protocols.Validator, lines: list[Any]) -> None:
    for line in lines:
        if set(line) == {"source", "error"}:  # an input error is not a report
            continue
        errors = sorted(validator.iter_errors(line), key=lambda error: list(error.path))
        assert not errors, (line.get("source"), [e.message for e in errors[:3]])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_seed_report_validates(
    validator: jsonschema.protocols.Validator, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    lines = json_lines(capsys, *SEED_PATHS, "--lang", lang)
    assert len(lines) == len(SEED_PATHS)
    assert_reports_valid(validator, lines)


def test_campaign_reports_with_numbers_shown_and_bad_lines_validate(
    validator: jsonschema.protocols.Validator,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    case = load_seed("2026-municipales-weekday-compliant.json")["case"]
    template = {"template": {"message": case["message"], "campaign": case["campaign"]}}
    recipients = [{**case["recipient"], "number": f"+3361234{index:04d}"} for index in range(1, 5)]
    lines = [json.dumps(template), *map(json.dumps, recipients), "{broken"]
    path = tmp_path / "campaign.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = json_lines(capsys, str(path), "--show-numbers")
    assert len(out) == 6 and out[0]["kind"] == "template" and out[-1]["error"]
    assert_reports_valid(validator, out)


def test_the_schema_rejects_a_report_missing_a_contract_field(
    validator: jsonschema.protocols.Validator, capsys: pytest.CaptureFixture[str]
) -> None:
    [report] = json_lines(capsys, SEED_PATHS[0])
    del report["verdicts"][0]["citation"]
    assert list(validator.iter_errors(report))
