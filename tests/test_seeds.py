"""Every seed under seeds/ is a test: its case must come out as its `expected` says."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from smscheck import Checker, Report
from smscheck.inputs import case_from
from smscheck.packs import load_pack, shipped_packs
from tests.conftest import ROOT, SEEDS, load_seed

SEED_FILES = sorted(path.name for path in SEEDS.glob("*.json"))
_FAILING = {"fail", "warn", "review"}


def run_seed(seed: dict[str, Any]) -> Report:
    extra = [load_pack(ROOT / path) for path in seed.get("packs", [])]
    return Checker(extra=extra).check(case_from(seed))


@pytest.mark.parametrize("name", SEED_FILES)
def test_seed_comes_out_as_expected(name: str) -> None:
    seed = load_seed(name)
    report = run_seed(seed)
    expected = seed["expected"]
    got_rules = {verdict.rule_id: verdict.status.value for verdict in report.verdicts}
    for rule_id, status in expected.get("rules", {}).items():
        assert got_rules.get(rule_id) == status, (
            rule_id,
            report.verdict(rule_id).message if rule_id in got_rules else "not applied",
        )
    concerns = {concern.value: status.value for concern, status in report.by_concern().items()}
    for concern, status in expected.get("concerns", {}).items():
        assert concerns.get(concern) == status, (concern, concerns)
    assert report.status.value == expected["status"]


def test_every_shipped_rule_has_a_seed_that_fails_it_and_one_that_passes_it() -> None:
    outcomes: dict[str, set[str]] = defaultdict(set)
    for name in SEED_FILES:
        for rule_id, status in load_seed(name)["expected"].get("rules", {}).items():
            outcomes[rule_id].add("fails" if status in _FAILING else status)
    missing = [
        rule.id
        for pack in shipped_packs()
        for rule in pack.rules
        if not {"fails", "pass"} <= outcomes[rule.id]
    ]
    assert missing == []


def test_seeds_name_only_rules_that_exist() -> None:
    known = {rule.id for pack in shipped_packs() for rule in pack.rules}
    for name in SEED_FILES:
        seed = load_seed(name)
        extra = {rule.id for path in seed.get("packs", []) for rule in load_pack(ROOT / path).rules}
        assert set(seed["expected"].get("rules", {})) <= known | extra, name


def test_seed_files_are_all_json_with_a_case_and_expectations() -> None:
    for path in Path(SEEDS).iterdir():
        assert path.suffix == ".json", path
        seed = load_seed(path.name)
        assert {"title", "derived_from", "case", "expected"} <= set(seed), path.name
