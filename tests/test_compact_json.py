"""`--format json-compact`: a rule table once, then reports that name their rules; together as
much as `--format json` says, byte for byte once expanded."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from bench.campaigns import write_jsonl
from smscheck import Case, Checker
from smscheck.cli import main
from smscheck.formatters import FORMATTERS, Result, expand, rule_table
from smscheck.packs import load_pack, shipped_packs
from smscheck.starter import init
from smscheck.testing import cases
from tests.conftest import SEEDS

SEED_PATHS = sorted(str(path) for path in SEEDS.glob("*.json"))
CAMPAIGN = str(Path(__file__).resolve().parent.parent / "docs/examples/municipales-54.jsonl")
CHECKER = Checker()


def run(capsys: pytest.CaptureFixture[str], fmt: str, *args: str) -> str:
    main(["check", *args, "--format", fmt])
    out: str = capsys.readouterr().out
    return out


def records(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_seed_reports_expand_to_the_full_reports_byte_for_byte(
    capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    compact = run(capsys, "json-compact", *SEED_PATHS, "--lang", lang)
    assert "".join(expand(compact.splitlines())) == run(capsys, "json", *SEED_PATHS, "--lang", lang)


def test_a_campaign_with_bad_lines_and_numbers_shown_expands_to_the_full_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "campaign.jsonl"
    write_jsonl(path, "realistic", 300)
    for shown in ((), ("--show-numbers",)):
        compact = run(capsys, "json-compact", str(path), *shown)
        full = run(capsys, "json", str(path), *shown)
        assert '"error"' in full and '"kind":"template"' in full
        assert "".join(expand(io.StringIO(compact))) == full
        assert "".join(expand(io.StringIO(full))) == full  # a full report reads back as it is


def test_the_rule_table_is_the_first_line_and_written_once_per_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = records(run(capsys, "json-compact", CAMPAIGN, *SEED_PATHS[:3]))
    kinds = [line.get("kind") for line in lines]
    assert kinds[0] == "rules" and kinds.count("rules") == 1
    assert len(lines) == len(records(run(capsys, "json", CAMPAIGN, *SEED_PATHS[:3]))) + 1


def test_a_compact_verdict_keeps_what_the_case_decided_and_names_its_rule_and_pack(
    capsys: pytest.CaptureFixture[str],
) -> None:
    table, *reports = records(run(capsys, "json-compact", CAMPAIGN))
    full = records(run(capsys, "json", CAMPAIGN))
    assert len(reports) == len(full)
    for compact_line, full_line in zip(reports, full, strict=True):
        assert compact_line.keys() == full_line.keys()
        for verdict, whole in zip(compact_line["verdicts"], full_line["verdicts"], strict=True):
            assert verdict == {
                k: v for k, v in whole.items() if k not in ("concern", "severity", "citation")
            }
            rule = table["rules"][verdict["rule_id"]]
            assert rule["citation"] == whole["citation"]
            # the line alone says which pack version decided: the rule's pack is among its packs
            assert rule["pack"] in compact_line["packs"]


def test_a_compact_report_of_a_campaign_is_less_than_half_the_full_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    compact, full = run(capsys, "json-compact", CAMPAIGN), run(capsys, "json", CAMPAIGN)
    assert len(compact.encode()) < len(full.encode()) / 2


def test_the_rule_table_holds_every_rule_of_the_packs_loaded_with_its_validity(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    init(tmp_path)
    charter = tmp_path / "charter"
    table = records(run(capsys, "json-compact", CAMPAIGN, "--pack", str(charter)))[0]
    packs = (*shipped_packs(), load_pack(charter))
    assert list(table["rules"]) == [rule.id for pack in packs for rule in pack.rules]
    assert table["packs"] == [{"name": p.id, "version": p.version} for p in packs]
    users = load_pack(charter)
    for rule in users.rules:
        entry = table["rules"][rule.id]
        assert entry["pack"] == {"name": users.id, "version": users.version}
        assert entry["valid_from"] == rule.valid_from.isoformat()
        assert entry["valid_until"] == (rule.valid_until and rule.valid_until.isoformat())


def test_the_library_writer_takes_its_rule_table_from_the_packs_it_is_given(tmp_path: Path) -> None:
    init(tmp_path)
    charter = load_pack(tmp_path / "charter")
    line = '{"source": "x.json", "error": "unreadable"}\n'
    out = io.StringIO()
    FORMATTERS["json-compact"].for_packs([charter]).write(iter(["", line]), out)
    table, written = out.getvalue().splitlines(keepends=True)
    assert json.loads(table) == json.loads(rule_table([charter]).model_dump_json())
    assert written == line
    shipped = io.StringIO()
    FORMATTERS["json-compact"].write(iter([line]), shipped)  # unbound: the shipped packs
    assert set(json.loads(shipped.getvalue().splitlines()[0])["rules"]) == {
        rule.id for pack in shipped_packs() for rule in pack.rules
    }


def test_an_output_with_no_line_has_no_rule_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    passing = SEEDS / "2026-municipales-weekday-compliant.json"
    assert run(capsys, "json-compact", str(passing), "--only-problems") == ""
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert run(capsys, "json-compact", str(empty)) == ""


def test_expanding_names_the_line_of_a_rule_no_table_gives_or_of_a_line_not_a_report(
    capsys: pytest.CaptureFixture[str],
) -> None:
    table, report = run(capsys, "json-compact", SEED_PATHS[0]).splitlines()
    with pytest.raises(ValueError, match=r"line 1: rule '[^']+' is in no rule table before it"):
        list(expand([report]))
    with pytest.raises(ValueError, match="line 2: not a JSON object"):
        list(expand([table, "[1]"]))
    with pytest.raises(ValueError, match=r"line 2: not JSON \(Expecting"):
        list(expand([table, "{broken"]))
    with pytest.raises(ValueError, match=r"line 3: 2 validation errors for Report"):
        list(expand([table, "", report.replace('"status":', '"statut":', 1)]))
    assert len(list(expand([table, "", report]))) == 1  # blank lines are skipped


def test_a_later_rule_table_applies_to_the_reports_after_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two compact reports written one after the other (`cat a b`) read back as both."""
    first, second = (run(capsys, "json-compact", path) for path in SEED_PATHS[:2])
    full = run(capsys, "json", *SEED_PATHS[:2])
    assert "".join(expand((first + second).splitlines())) == full


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_any_case_s_compact_line_with_the_table_is_its_full_line(case: Case) -> None:
    result = Result("case.json", report=CHECKER.check(case, source="case.json"))
    table = io.StringIO()
    FORMATTERS["json-compact"].write([FORMATTERS["json-compact"].item(result)], table)
    assert list(expand(table.getvalue().splitlines())) == [FORMATTERS["json"].item(result)]


def test_the_python_example_of_the_report_contract_reads_a_compact_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = (Path(__file__).resolve().parent.parent / "docs/reports.md").read_text(encoding="utf-8")
    [example] = re.findall(r"^```python\n(.*?)^```", page, re.M | re.S)
    (tmp_path / "report.jsonl").write_text(run(capsys, "json-compact", CAMPAIGN), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    found: dict[str, Any] = {}
    exec(compile(example, "docs/reports.md", "exec"), found)  # our own documentation
    assert found["report"].verdicts[0].citation.link.startswith("https://")
