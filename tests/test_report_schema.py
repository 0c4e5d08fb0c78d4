"""Every line of a `--format json` or `json-compact` report validates against the schema
`smscheck schema --report [FORMAT]` prints for it, and each schema holds its form to it."""

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
FORMATS = ("json", "json-compact")
Validator = jsonschema.protocols.Validator


def schema_validator(fmt: str) -> Validator:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["schema", "--report", fmt]) == 0
    schema: dict[str, Any] = json.loads(out.getvalue())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def validators() -> dict[str, Validator]:
    return {fmt: schema_validator(fmt) for fmt in FORMATS}


def json_lines(capsys: pytest.CaptureFixture[str], fmt: str, *args: str) -> list[dict[str, Any]]:
    main(["check", *args, "--format", fmt])
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def assert_lines_valid(validator: Validator, lines: list[Any]) -> None:
    for line in lines:
        errors = sorted(validator.iter_errors(line), key=lambda error: list(error.path))
        assert not errors, (line.get("source", line.get("kind")), [e.message for e in errors[:3]])


def test_schema_report_alone_is_the_schema_of_the_json_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["schema", "--report"])
    alone = capsys.readouterr().out
    main(["schema", "--report", "json"])
    assert alone == capsys.readouterr().out


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_seed_report_validates(
    validators: dict[str, Validator], capsys: pytest.CaptureFixture[str], lang: str, fmt: str
) -> None:
    lines = json_lines(capsys, fmt, *SEED_PATHS, "--lang", lang)
    assert len(lines) == len(SEED_PATHS) + (fmt == "json-compact")  # the rule table
    assert_lines_valid(validators[fmt], lines)


@pytest.mark.parametrize("fmt", FORMATS)
def test_campaign_reports_with_numbers_shown_and_bad_lines_validate(
    validators: dict[str, Validator],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fmt: str,
) -> None:
    case = load_seed("2026-municipales-weekday-compliant.json")["case"]
    template = {"template": {"message": case["message"], "campaign": case["campaign"]}}
    recipients = [{**case["recipient"], "number": f"+3361234{index:04d}"} for index in range(1, 5)]
    lines = [json.dumps(template), *map(json.dumps, recipients), "{broken"]
    path = tmp_path / "campaign.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = json_lines(capsys, fmt, str(path), "--show-numbers")
    if fmt == "json-compact":
        assert out.pop(0)["kind"] == "rules"
    assert len(out) == 6 and out[0]["kind"] == "template" and out[-1]["error"]
    assert_lines_valid(validators[fmt], out)


def test_the_schema_rejects_a_report_missing_a_contract_field(
    validators: dict[str, Validator], capsys: pytest.CaptureFixture[str]
) -> None:
    [report] = json_lines(capsys, "json", SEED_PATHS[0])
    del report["verdicts"][0]["citation"]
    assert list(validators["json"].iter_errors(report))


def test_each_schema_refuses_the_lines_of_the_other_form(
    validators: dict[str, Validator], capsys: pytest.CaptureFixture[str]
) -> None:
    [full] = json_lines(capsys, "json", SEED_PATHS[0])
    table, compact = json_lines(capsys, "json-compact", SEED_PATHS[0])
    assert list(validators["json-compact"].iter_errors(full))  # a verdict with its citation
    assert list(validators["json"].iter_errors(compact))
    assert list(validators["json"].iter_errors(table))


def test_the_compact_schema_rejects_a_rule_table_missing_a_citation(
    validators: dict[str, Validator], capsys: pytest.CaptureFixture[str]
) -> None:
    table, _ = json_lines(capsys, "json-compact", SEED_PATHS[0])
    del next(iter(table["rules"].values()))["citation"]
    assert list(validators["json-compact"].iter_errors(table))
