"""Configuration in [tool.smscheck] or smscheck.toml, found from the working directory up;
command-line flags override it; ignored rules are listed in every report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smscheck import config
from smscheck.cli import main
from smscheck.selection import Selection
from tests.conftest import ROOT, SEEDS

CASE_A = str(SEEDS / "2011-ump-cantonales.json")  # fails CNIL06 rules
COMPLIANT = str(SEEDS / "2026-municipales-weekday-compliant.json")
REVIEW_SEED = next(
    str(path)
    for path in sorted(SEEDS.glob("*.json"))
    if json.loads(path.read_text(encoding="utf-8"))["expected"]["status"] == "review"
)


def project(tmp_path: Path, table: str, name: str = "pyproject.toml") -> Path:
    header = "[tool.smscheck]\n" if name == "pyproject.toml" else ""
    (tmp_path / name).write_text(f'[project]\nname = "x"\n{header}{table}' if header else table)
    return tmp_path


def check(
    capsys: pytest.CaptureFixture[str], folder: Path, *args: str
) -> tuple[int, list[dict[str, Any]], str]:
    """`smscheck check` run from `folder`, JSON out; exit code, reports, stderr."""
    import os

    here = Path.cwd()
    os.chdir(folder)
    try:
        code = main(["check", *args, "--format", "json"])
    finally:
        os.chdir(here)
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def rule_ids(report: dict[str, Any]) -> list[str]:
    return [verdict["rule_id"] for verdict in report["verdicts"]]


def test_the_configuration_is_found_from_a_subfolder_and_ignore_is_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project(tmp_path, 'ignore = ["CNIL06-OPT"]\n')
    (tmp_path / "a" / "b").mkdir(parents=True)
    _, [report], _ = check(capsys, tmp_path / "a" / "b", CASE_A)
    assert not any(rule.startswith("CNIL06-OPT") for rule in rule_ids(report))
    assert report["ignored"] == ["CNIL06-OPT-01", "CNIL06-OPT-02"]


def test_select_keeps_only_the_families_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project(tmp_path, 'select = ["CNIL06-OPT-01", "FMT"]\n')
    _, [report], _ = check(capsys, tmp_path, CASE_A)
    kept = rule_ids(report)
    assert {"CNIL06-OPT-01", "FMT-SND-01", "FMT-LEN-01"} <= set(kept)
    assert all(rule == "CNIL06-OPT-01" or rule.startswith("FMT-") for rule in kept)
    assert "CNIL06-CON-01" in report["ignored"]


def test_fail_on_review_makes_a_review_fail_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, [report], _ = check(capsys, tmp_path, REVIEW_SEED, "--isolated")
    assert report["status"] == "review" and code == 0
    project(tmp_path, 'fail-on = "review"\n')
    assert check(capsys, tmp_path, REVIEW_SEED)[0] == 1
    assert check(capsys, tmp_path, REVIEW_SEED, "--fail-on", "fail")[0] == 0  # the flag wins


def test_lang_from_the_configuration_and_the_flag_over_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project(tmp_path, 'lang = "en"\n')
    assert check(capsys, tmp_path, CASE_A)[1][0]["lang"] == "en"
    assert check(capsys, tmp_path, CASE_A, "--lang", "fr")[1][0]["lang"] == "fr"


def test_flags_override_select_and_ignore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project(tmp_path, 'ignore = ["CNIL06"]\n')
    _, [report], _ = check(capsys, tmp_path, CASE_A, "--ignore", "FMT-LEN-01")
    assert "CNIL06-OPT-01" in rule_ids(report) and report["ignored"] == ["FMT-LEN-01"]
    _, [report], _ = check(capsys, tmp_path, CASE_A, "--select", "CNIL06-OPT-01,FMT-LEN-01")
    assert rule_ids(report) == ["FMT-LEN-01"]  # the configured ignore of CNIL06 still holds


def test_a_smscheck_toml_comes_before_pyproject_and_config_names_another(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project(tmp_path, 'ignore = ["FMT"]\n')
    project(tmp_path, 'ignore = ["CNIL06"]\n', name="smscheck.toml")
    _, [report], _ = check(capsys, tmp_path, CASE_A)
    assert "FMT-LEN-01" in rule_ids(report) and "CNIL06-OPT-01" not in rule_ids(report)
    _, [report], _ = check(capsys, tmp_path, CASE_A, "--config", "pyproject.toml")
    assert "FMT-LEN-01" not in rule_ids(report)
    _, [report], _ = check(capsys, tmp_path, CASE_A, "--isolated")
    assert report["ignored"] == []


def test_a_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    project(tmp_path, 'lang = "en"\n', name="smscheck.toml")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert config.find(tmp_path / "sub") == tmp_path / "smscheck.toml"
    assert config.discover(tmp_path / "sub").lang == "en"


def test_extra_packs_and_the_opt_out_registry_are_relative_to_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = ROOT / "tests" / "data" / "charters" / "haute-autorite.toml"
    project(tmp_path, f'packs = ["{pack}"]\noptouts = "optouts.sqlite3"\ndefault-packs = false\n')
    loaded = config.load(tmp_path / "pyproject.toml")
    assert loaded.packs == (str(pack),) and loaded.optouts == str(tmp_path / "optouts.sqlite3")
    code, _, err = check(capsys, tmp_path, COMPLIANT)
    assert code == 2 and "optouts.sqlite3" in err  # the configured registry is honoured: absent


@pytest.mark.parametrize(
    ("table", "error"),
    [
        ('colour = "red"\n', "colour: Extra inputs are not permitted"),
        ('fail-on = "never"\n', "fail-on"),
        ('select = ["NOPE"]\n', "no rule or family NOPE"),
        ("select = [\n", "invalid TOML"),
    ],
)
def test_a_bad_configuration_is_a_usage_error_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, error: str
) -> None:
    project(tmp_path, table)
    code, _, err = check(capsys, tmp_path, CASE_A, "--lang", "en")
    assert code == 2 and error in err and "Traceback" not in err


def test_ignored_rules_are_disabled_in_sarif(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", CASE_A, "--format", "sarif", "--ignore", "CNIL06-OPT", "--isolated"])
    run = json.loads(capsys.readouterr().out)["runs"][0]
    overrides = run["invocations"][0]["ruleConfigurationOverrides"]
    assert [o["descriptor"]["id"] for o in overrides] == ["CNIL06-OPT-01", "CNIL06-OPT-02"]
    assert all(o["configuration"] == {"enabled": False} for o in overrides)
    assert not any(r["ruleId"].startswith("CNIL06-OPT") for r in run["results"])


def test_ignored_rules_are_listed_in_the_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", CASE_A, "--ignore", "CNIL06-OPT", "--lang", "en", "--isolated"])
    assert "ignored (configuration): CNIL06-OPT-01, CNIL06-OPT-02" in capsys.readouterr().out


def test_a_selector_matches_ids_and_families_on_dash_boundaries() -> None:
    selection = Selection(select=("CE-L49",), ignore=("CE-L49-02",))
    assert selection.keeps("CE-L49-01") and not selection.keeps("CE-L49-02")
    assert not selection.keeps("CE-L48-2-01") and not selection.keeps("CE-L490-01")
    assert selection.unknown(["CE-L49-01", "CE-L49-02"]) == []
    assert Selection(select=("CE-L4",)).unknown(["CE-L49-01"]) == ["CE-L4"]
    assert Selection(ignore=("fmt",)).keeps("FMT-LEN-01") is False
