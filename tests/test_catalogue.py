"""The rule catalogue: every rule with its source and seed examples; docs/rules.md kept fresh."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Literal

import pytest

from smscheck import catalogue
from smscheck.cli import main
from smscheck.packs import Rule, shipped_packs
from tests.conftest import ROOT, SEEDS, load_seed

DOC = ROOT / "docs" / "rules.md"
RULES = [rule for pack in shipped_packs() for rule in pack.rules]


def markdown(seeds: Path | Literal["checkout"] | None = "checkout") -> str:
    return catalogue.render(shipped_packs(), "markdown", "fr", seeds=seeds)


def section(text: str, rule_id: str) -> str:
    """The part of the Markdown catalogue about one rule."""
    match = re.search(rf"^### {re.escape(rule_id)}\n(.*?)(?=^##|\Z)", text, re.M | re.S)
    assert match, f"no section for {rule_id}"
    return match.group(1)


def test_docs_rules_md_is_up_to_date() -> None:
    fresh = markdown()
    assert DOC.is_file() and DOC.read_text(encoding="utf-8") == fresh, (
        "docs/rules.md is stale: regenerate it from the repository root with\n"
        f"    {catalogue.REGENERATE}\n"
        "and commit the result."
    )


def test_the_cli_prints_the_same_markdown_as_the_committed_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == markdown()


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_each_rule_is_described_in_both_languages_with_its_source(rule: Rule) -> None:
    text = section(markdown(), rule.id)
    for needed in (
        f"`{rule.concern.value}`",
        f"`{rule.severity.value}`",
        rule.valid_from.isoformat(),
        rule.title.fr,
        rule.title.en,
        rule.message.fr,
        rule.message.en,
        rule.remedy.fr,
        rule.remedy.en,
        f"({rule.citation.link})",
        f"`{rule.citation.confidence.value}`",
    ):
        assert needed.replace("|", "\\|") in text, (rule.id, needed)
    if rule.valid_until:
        assert rule.valid_until.isoformat() in text


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_each_rule_shows_a_seed_it_fails_and_one_it_passes(rule: Rule) -> None:
    text = section(markdown(), rule.id)
    shown = re.findall(r"^\*\*[^*]+\*\* \(`(\w+)`\): .* — `seeds/([^`]+)`$", text, re.M)
    assert [status for status, _ in shown][-1] == "pass", text
    assert shown[0][0] in {"fail", "warn", "review"}, text
    for status, name in shown:
        seed = load_seed(name)
        assert seed["expected"]["rules"][rule.id] == status
        first_words = seed["case"]["message"]["body"].split(".")[0][:30]
        assert re.sub(r"\\(.)", r"\1", text).count(first_words) >= 1


def test_the_failing_example_is_the_clearest_one() -> None:
    """A seed that fails only the rule shown beats one that fails many rules at once."""
    examples = catalogue.seed_examples(SEEDS)
    failing, passing = examples["CNIL12-OPT-01"]
    assert failing is not None and passing is not None
    assert failing.status == "fail" and passing.status == "pass"
    assert passing.passes  # a seed that passes every rule, when there is one


def test_without_seeds_the_catalogue_still_lists_every_rule_and_says_why_no_examples(
    tmp_path: Path,
) -> None:
    for seeds in (None, tmp_path / "nowhere"):
        text = markdown(seeds=seeds)
        assert "Examples: none" in text
        assert "**Fails**" not in text and "**Passes**" not in text
        for rule in RULES:
            assert f"### {rule.id}\n" in text


def test_an_installed_copy_renders_the_catalogue_without_examples(tmp_path: Path) -> None:
    """No `seeds/` next to an installed package: the catalogue renders and says so."""
    site = tmp_path / "site"
    shutil.copytree(
        ROOT / "smscheck", site / "smscheck", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(ROOT / "rules", site / "smscheck" / "_rules")
    done = subprocess.run(
        [sys.executable, "-m", "smscheck.cli", "rules", "--format", "markdown"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Examples: none" in done.stdout
    assert all(f"### {rule.id}\n" in done.stdout for rule in RULES)


def test_markdown_honours_at() -> None:
    text = catalogue.render(shipped_packs(), "markdown", "en", at=date(2011, 3, 25))
    assert "Rules in force on 2011-03-25." in text
    assert "### CNIL06-OPT-01" in text and "### GDPR-OBJ-01" not in text


def test_json_catalogue_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    main(["rules", "--format", "json"])
    listed = {entry["rule_id"] for entry in json.loads(capsys.readouterr().out)["rules"]}
    assert listed == {rule.id for rule in RULES}


def test_a_body_with_markdown_characters_is_quoted_literally() -> None:
    assert catalogue._quote("Votez *UMP* <maintenant> | [lien]") == [
        r"> Votez \*UMP\* \<maintenant\> \| \[lien\]"
    ]
