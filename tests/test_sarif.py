"""`--format sarif`: valid SARIF 2.1.0, one result per verdict that needs action, streamed."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bench import campaigns
from bench.campaigns import generate
from smscheck import Checker
from smscheck.cli import main
from smscheck.formatters import FORMATTERS, INPUT_ERROR, NO_RULE_IN_FORCE, Result
from smscheck.inputs import case_from
from smscheck.packs import shipped_packs
from tests.conftest import ROOT, load_seed

SCHEMA = json.loads((ROOT / "tests/data/sarif-2.1.0-reduced.schema.json").read_text("utf-8"))
CASE_A = "seeds/2011-ump-cantonales.json"
LEVELS = {"fail": "error", "review": "warning", "warn": "note"}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, Any]:
    """Exit code, the SARIF log and the matching JSON report(s) for the same arguments."""
    code = main(["check", *args, "--format", "sarif"])
    sarif = json.loads(capsys.readouterr().out)
    main(["check", *args, "--format", "json"])
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return code, sarif, reports


def valid(sarif: Any) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(sarif)


@pytest.fixture
def in_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.usefixtures("in_checkout")
def test_case_a_is_valid_sarif_with_one_result_per_verdict_needing_action(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, sarif, [report] = run_cli(capsys, CASE_A)
    assert code == 1
    valid(sarif)
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-schema-2.1.0.json")
    [run] = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "smscheck" and driver["version"] and driver["informationUri"]

    needing_action = [v for v in report["verdicts"] if v["status"] in LEVELS]
    assert len(needing_action) >= 3  # case A fails opt-out and information, and needs a review
    assert [r["ruleId"] for r in run["results"]] == [v["rule_id"] for v in needing_action]
    for result, verdict in zip(run["results"], needing_action, strict=True):
        assert result["level"] == LEVELS[verdict["status"]]
        assert result["properties"]["status"] == verdict["status"]
        assert verdict["message"] in result["message"]["text"]
        assert verdict["remedy"] in result["message"]["text"]
        [location] = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == CASE_A
        assert location["physicalLocation"]["region"]["startLine"] == 1


@pytest.mark.usefixtures("in_checkout")
def test_driver_rules_describe_every_rule_of_the_run_in_pack_order_with_its_source(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, sarif, [report] = run_cli(capsys, CASE_A)
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    shipped = {rule.id: rule for pack in shipped_packs() for rule in pack.rules}
    # Every rule, whether it gave a result or not: a rule's index is the same in every run.
    assert [rule["id"] for rule in rules] == [*shipped, INPUT_ERROR, NO_RULE_IN_FORCE]
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    citations = {v["rule_id"]: v["citation"] for v in report["verdicts"]}
    for rule in rules[: len(shipped)]:
        source = shipped[rule["id"]]
        assert rule["properties"]["citation"] == source.citation.model_dump(mode="json")
        if rule["id"] in citations:
            assert rule["properties"]["citation"] == citations[rule["id"]]
        assert rule["helpUri"] == source.citation.link
        # Results are problems: the short description is the failing wording, never the pass.
        assert rule["shortDescription"]["text"] == source.message.fr
        assert source.title.fr in rule["fullDescription"]["text"]
        assert source.review.fr in rule["fullDescription"]["text"]
        assert rule["messageStrings"]["review"]["text"] == source.review.fr
        assert source.citation.reference in rule["fullDescription"]["text"]
        assert source.remedy.fr in rule["help"]["text"]
        assert rule["name"]
        props = rule["properties"]
        assert props["concern"] == source.concern.value
        assert props["severity"] == source.severity.value
        assert props["validity"] == {
            "from": source.valid_from.isoformat(),
            "until": source.valid_until.isoformat() if source.valid_until else None,
        }


@pytest.mark.usefixtures("in_checkout")
def test_rule_descriptions_follow_the_language_asked(capsys: pytest.CaptureFixture[str]) -> None:
    _, sarif, _ = run_cli(capsys, CASE_A, "--lang", "en")
    rules = {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["CNIL06-OPT-01"]["shortDescription"]["text"] == (
        "The message does not say how to stop receiving messages."
    )
    assert "Remedy:" in sarif["runs"][0]["results"][0]["message"]["text"]


@pytest.mark.usefixtures("in_checkout")
def test_a_review_result_says_what_to_check_rather_than_the_pass_wording(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shipped = {rule.id: rule for pack in shipped_packs() for rule in pack.rules}
    for lang in ("fr", "en"):
        _, sarif, _ = run_cli(capsys, CASE_A, "--lang", lang)
        reviews = [r for r in sarif["runs"][0]["results"] if r["properties"]["status"] == "review"]
        assert reviews
        for result in reviews:
            rule = shipped[result["ruleId"]]
            assert result["message"]["text"].startswith(rule.review[lang])
            assert rule.title[lang] not in result["message"]["text"]


def test_every_seed_gives_valid_sarif_that_keeps_numbers_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = sorted((ROOT / "seeds").glob("*.json"))
    main(["check", *map(str, seeds), "--format", "sarif"])
    out = capsys.readouterr().out
    sarif = json.loads(out)
    valid(sarif)
    numbers = {load_seed(path.name)["case"]["recipient"]["number"] for path in seeds}
    assert not [number for number in numbers if number in out]
    recipients = {r["properties"]["recipient"] for r in sarif["runs"][0]["results"]}
    assert recipients and all("**" in recipient for recipient in recipients)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in sarif["runs"][0]["results"]
    }
    assert all(uri.startswith("file:///") for uri in uris)  # absolute paths become file URIs


@pytest.mark.usefixtures("in_checkout")
def test_show_numbers_is_honoured(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", CASE_A, "--format", "sarif", "--show-numbers"])
    assert "+33612345678" in capsys.readouterr().out


@pytest.mark.usefixtures("in_checkout")
def test_evidence_quoted_from_the_body_is_kept(capsys: pytest.CaptureFixture[str]) -> None:
    _, sarif, [report] = run_cli(capsys, "seeds/2026-freephone-number.json")
    valid(sarif)
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "CE-L50-1-01"]
    assert result["properties"]["evidence"] == report_evidence(report, "CE-L50-1-01")
    assert result["properties"]["evidence"]


def report_evidence(report: Any, rule_id: str) -> Any:
    return next(v["evidence"] for v in report["verdicts"] if v["rule_id"] == rule_id)


def test_json_lines_give_line_numbers_and_input_errors_become_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = json.dumps(load_seed("2011-ump-cantonales.json")["case"])
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join([case, "{not json", case]) + "\n", encoding="utf-8")
    code, sarif, reports = run_cli(capsys, str(path))
    assert code == 2
    valid(sarif)
    run = sarif["runs"][0]
    lines = {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in run["results"]}
    assert lines == {1, 2, 3}
    [error] = [r for r in run["results"] if r["ruleId"] == INPUT_ERROR]
    assert error["level"] == "error" and "JSON invalide" in error["message"]["text"]
    assert error["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert "1 entrée(s)" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    per_case = sum(1 for v in reports[0]["verdicts"] if v["status"] in LEVELS)
    assert len(run["results"]) == 2 * per_case + 1
    assert run["tool"]["driver"]["rules"][error["ruleIndex"]]["id"] == INPUT_ERROR


def test_jobs_2_gives_the_same_sarif_as_jobs_1(tmp_path: Path) -> None:
    path = tmp_path / "campaign.jsonl"
    generate(path, 4500)  # three chunks, two templates, 1% bad lines

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "smscheck.cli", "check", str(path), "--format", "sarif"]
        return subprocess.run([*command, *extra], capture_output=True, text=True, check=False)

    single, double = run(), run("--jobs", "2")
    assert single.returncode == double.returncode == 2
    assert single.stdout == double.stdout
    sarif = json.loads(single.stdout)
    valid(sarif)
    results = sarif["runs"][0]["results"]
    assert len(results) > 500 and {INPUT_ERROR} < {r["ruleId"] for r in results}


@pytest.mark.parametrize("scenario", ["realistic", "single"])
def test_the_log_copied_as_bytes_is_the_log_written_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scenario: str
) -> None:
    # To a file the command copies the workers' bytes, dropping the first result's separator
    # and counting input errors from the summaries; to a text stream it writes text.
    path = campaigns.write_jsonl(tmp_path / "campaign.jsonl", scenario, 3000, seed=7).path
    assert main(["check", str(path), "--format", "sarif"]) == 2
    text = capsys.readouterr().out
    for jobs in ("1", "2", "3"):
        written = tmp_path / f"jobs-{jobs}.sarif"
        main(["check", str(path), "--format", "sarif", "--jobs", jobs, "--output", str(written)])
        assert written.read_text("utf-8") == text
    (run,) = json.loads(text)["runs"]
    errors = sum(result["ruleId"] == INPUT_ERROR for result in run["results"])
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert errors > 0 and notes[0]["message"]["text"].startswith(f"{errors} ")


def test_a_case_that_passes_gives_an_empty_but_valid_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed = str(ROOT / "seeds/2011-ump-cantonales-direct-contact.json")
    code, sarif, [report] = run_cli(capsys, seed)
    needing_action = [v for v in report["verdicts"] if v["status"] in LEVELS]
    assert code == 0
    valid(sarif)
    assert len(sarif["runs"][0]["results"]) == len(needing_action)
    assert sarif["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_a_date_with_no_rule_in_force_is_a_warning_not_silence() -> None:
    report = Checker(packs=()).check(case_from(load_seed("2011-ump-cantonales.json")))
    assert report.verdicts == ()
    sarif = render([Result("case.json", report=report)])
    valid(sarif)
    [result] = sarif["runs"][0]["results"]
    assert result["ruleId"] == NO_RULE_IN_FORCE and result["level"] == "warning"
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == NO_RULE_IN_FORCE


def test_rules_from_packs_the_writer_was_not_given_still_get_a_descriptor() -> None:
    report = Checker().check(case_from(load_seed("2011-ump-cantonales.json")))
    sarif = render([Result("case.json", report=report)], packs=())
    valid(sarif)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all(rule["shortDescription"]["text"] for rule in rules)
    results = sarif["runs"][0]["results"]
    assert results and all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def render(results: list[Result], *, packs: tuple[()] | None = None) -> Any:
    formatter = FORMATTERS["sarif"]
    if packs is not None:
        formatter = formatter.for_packs(packs)
    out = io.StringIO()
    formatter.write((formatter.item(result) for result in results), out)
    return json.loads(out.getvalue())


def test_results_are_written_as_they_arrive() -> None:
    """`write` must not hold results back: memory stays flat however long the campaign."""
    report = Checker().check(case_from(load_seed("2011-ump-cantonales.json")))
    formatter = FORMATTERS["sarif"]
    out = io.StringIO()
    seen: list[int] = []

    def chunks() -> Iterator[str]:
        for line in range(1, 4):
            seen.append(out.getvalue().count('"ruleId"'))
            yield formatter.item(Result(f"campaign.jsonl:{line}", report=report))

    formatter.write(chunks(), out)
    per_case = out.getvalue().count('"ruleId"') // 3
    assert seen == [0, per_case, 2 * per_case]
    valid(json.loads(out.getvalue()))


def test_a_rule_keeps_its_index_whatever_the_input_and_the_jobs(tmp_path: Path) -> None:
    path = tmp_path / "campaign.jsonl"
    generate(path, 1200)
    order = [rule.id for pack in shipped_packs() for rule in pack.rules]
    order += [INPUT_ERROR, NO_RULE_IN_FORCE]
    for args in ([CASE_A], [str(path)], [str(path), "--jobs", "2"]):
        done = subprocess.run(
            [sys.executable, "-m", "smscheck.cli", "check", *args, "--format", "sarif"],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        run = json.loads(done.stdout)["runs"][0]
        assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == order
        assert run["results"]
        assert all(order[r["ruleIndex"]] == r["ruleId"] for r in run["results"])


def test_a_run_of_unreadable_inputs_only_is_described_in_the_language_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text("{not json\n", encoding="utf-8")
    assert main(["check", str(path), "--format", "sarif", "--lang", "fr"]) == 2
    run = json.loads(capsys.readouterr().out)["runs"][0]
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith("1 entrée(s) n'ont pas pu être vérifiées")
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules[INPUT_ERROR]["shortDescription"]["text"].startswith("Entrée illisible")


@pytest.mark.usefixtures("in_checkout")
def test_rules_left_out_are_disabled_even_when_no_report_is_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed = "seeds/2011-ump-cantonales-direct-contact.json"  # passes: --only-problems writes none
    args = ["check", seed, "--format", "sarif", "--only-problems", "--ignore", "CNIL06-OPT"]
    assert main([*args, "--isolated"]) == 0
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert run["results"] == []
    overrides = run["invocations"][0]["ruleConfigurationOverrides"]
    assert [o["descriptor"]["id"] for o in overrides] == ["CNIL06-OPT-01", "CNIL06-OPT-02"]
