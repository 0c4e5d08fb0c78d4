"""Rule packs: shipped packs are complete; malformed packs fail naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from smscheck.packs import PackError, load_pack, shipped_packs, shipped_rules_dir

GOOD = """
[pack]
id = "user-pack"
version = "0.1"
title = "A user pack"
valid_from = 2020-01-01

[sources.src]
title = "Some text"
reference = "Ref 1"
date = 2020-01-01
link = "https://example.org"
confidence = "read"

[[rules]]
id = "USER-OPT-01"
concern = "opt_out"
severity = "high"
source = "src"
kind = "pattern"
params = { mode = "require", patterns = ['\\bstop\\b'] }
title = { fr = "Un STOP.", en = "A STOP." }
message = { fr = "Pas de STOP.", en = "No STOP." }
remedy = { fr = "Ajoutez STOP.", en = "Add STOP." }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pack.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_well_formed_user_pack_loads_from_a_file_or_its_folder(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    assert load_pack(tmp_path / "pack.toml").rules[0].id == "USER-OPT-01"
    assert load_pack(tmp_path).id == "user-pack"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('kind = "pattern"', 'kind = "telepathy"'), "rules[0] (USER-OPT-01).kind"),
        (("valid_from = 2020-01-01", 'valid_from = "soon"'), "pack.valid_from"),
        (
            ('severity = "high"', 'severity = "high"\nloudness = 3'),
            "rules[0] (USER-OPT-01).loudness",
        ),
        (('concern = "opt_out"', 'concern = "vibes"'), "rules[0] (USER-OPT-01).concern"),
        (
            ("patterns = ['\\bstop\\b']", "patterns = ['(unclosed']"),
            "rules[0] (USER-OPT-01).params.patterns[0]",
        ),
        (
            ('mode = "require"', 'mode = "require", colour = "red"'),
            "rules[0] (USER-OPT-01).params.colour",
        ),
        (('source = "src"', 'source = "nowhere"'), ""),
        (('id = "USER-OPT-01"', 'id = "lower case"'), "rules[0] (lower case).id"),
    ],
)
def test_a_malformed_pack_fails_naming_the_file_and_the_key(
    tmp_path: Path, change: tuple[str, str], key: str
) -> None:
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert caught.value.path == str(path)
    assert str(path) in str(caught.value)
    if key:
        assert caught.value.key == key


def test_invalid_toml_is_a_pack_error_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="invalid TOML"):
        load_pack(write(tmp_path, "[pack\nid="))


def test_a_missing_pack_file_is_a_pack_error(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="no such pack file"):
        load_pack(tmp_path / "absent")


def test_a_rule_field_condition_must_name_a_real_field(tmp_path: Path) -> None:
    text = GOOD.replace(
        'kind = "pattern"', 'kind = "pattern"\nwhen = { "recipient.shoe_size" = ["42"] }'
    )
    with pytest.raises(PackError, match="shoe_size"):
        load_pack(write(tmp_path, text))


def test_every_shipped_rule_cites_a_source_and_has_a_validity_period() -> None:
    rules = [rule for pack in shipped_packs() for rule in pack.rules]
    assert rules
    for rule in rules:
        assert rule.citation.title and rule.citation.reference and rule.citation.link, rule.id
        assert rule.citation.link.startswith("https://"), rule.id
        assert rule.valid_from is not None, rule.id
        assert rule.title.fr and rule.title.en and rule.message.fr and rule.message.en, rule.id
        assert rule.remedy.fr and rule.remedy.en, rule.id


def test_shipped_rule_ids_are_unique_across_packs() -> None:
    ids = [rule.id for pack in shipped_packs() for rule in pack.rules]
    assert len(ids) == len(set(ids))


def test_shipped_packs_are_found_in_a_source_checkout() -> None:
    assert (shipped_rules_dir() / "cnil-2006" / "pack.toml").is_file()


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null"])
def test_a_device_given_as_a_pack_is_a_pack_error_not_an_endless_read(path: str) -> None:
    with pytest.raises(PackError, match="not a regular file"):
        load_pack(path)


def test_an_oversized_pack_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "#" * (4 * 1024 * 1024))
    with pytest.raises(PackError, match="larger than 4 MiB"):
        load_pack(path)


COUNT_RULE = """
[[rules]]
id = "USER-CNT-01"
concern = "consent"
severity = "medium"
source = "src"
kind = "count"
params = { field = "recipient.history", max = 1, match = { channel = ["sms"] } }
title = { fr = "Deux SMS au plus.", en = "Two SMS at most." }
message = { fr = "Trop de SMS.", en = "Too many SMS." }
remedy = { fr = "Arrêtez.", en = "Stop." }
"""


@pytest.mark.parametrize(
    ("channels", "status"),
    [((), "pass"), (("sms",), "pass"), (("sms", "email"), "pass"), (("sms", "sms"), "fail")],
)
def test_the_count_kind_counts_matching_items_against_its_limit(
    tmp_path: Path, channels: tuple[str, ...], status: str
) -> None:
    from smscheck import Checker
    from smscheck.inputs import case_from
    from tests.conftest import load_seed

    text = GOOD.replace("valid_from = 2020-01-01", "valid_from = 2006-01-01", 1) + COUNT_RULE
    pack = load_pack(write(tmp_path, text))
    document = load_seed("2011-ump-cantonales.json")["case"]
    document["recipient"]["history"] = [
        {"sent_at": "2011-03-10T10:00:00+01:00", "channel": channel} for channel in channels
    ]
    verdict = Checker([pack]).check(case_from(document)).verdict("USER-CNT-01")
    assert verdict.status.value == status
    assert f"{channels.count('sms')} " in verdict.message


def test_the_count_kind_needs_a_list_field(tmp_path: Path) -> None:
    text = GOOD + COUNT_RULE.replace('field = "recipient.history"', 'field = "recipient.origin"')
    with pytest.raises(PackError, match="not a list"):
        load_pack(write(tmp_path, text))


NUMBER_RULE = """
[[rules]]
id = "USER-NUM-01"
concern = "opt_out"
severity = "high"
source = "src"
kind = "field"
params = { field = "recipient.number", outcomes = { "+33612345678" = "fail" }, default = "pass" }
title = { fr = "Numéro.", en = "Number." }
message = { fr = "Numéro refusé.", en = "Number refused." }
remedy = { fr = "Retirez-le.", en = "Remove it." }
"""


def _campaign_lines(*numbers: str) -> list[bytes]:
    import json

    from tests.conftest import load_seed

    case = load_seed("2026-ordinary-number.json")["case"]
    template = {"template": {"message": case["message"], "campaign": case["campaign"]}}
    recipients = [{**case["recipient"], "number": number} for number in numbers]
    return [json.dumps(document).encode() + b"\n" for document in (template, *recipients)]


@pytest.mark.parametrize(
    "rule",
    [
        NUMBER_RULE,
        # The same fact as a condition: the rule applies to one number only.
        NUMBER_RULE.replace('kind = "field"', 'kind = "pattern"').replace(
            'params = { field = "recipient.number", outcomes = { "+33612345678" = "fail" }, '
            'default = "pass" }',
            "params = { mode = 'forbid', patterns = ['Lyon'] }\n"
            'when = { "recipient.number" = ["+33612345678"] }',
        ),
    ],
    ids=["field", "condition"],
)
def test_a_rule_on_the_number_gives_each_recipient_its_own_verdict(
    tmp_path: Path, rule: str
) -> None:
    # Recipients alike but for the number share verdicts, unless a rule reads the number.
    from smscheck import Checker
    from smscheck.inputs import read_lines

    pack = load_pack(write(tmp_path, GOOD + rule))
    checker = Checker([pack], lang="en")
    items = list(read_lines("c.jsonl", _campaign_lines("+33612345678", "+33698765432")))
    first, second = (checker.check(item.case) for item in items if item.case is not None)
    assert first.verdict("USER-NUM-01").status.value == "fail"
    assert second.verdict("USER-NUM-01").status.value in ("pass", "not_applicable")
    assert second.verdict("USER-NUM-01").message != first.verdict("USER-NUM-01").message


def test_two_packs_defining_the_same_rule_id_are_refused(tmp_path: Path) -> None:
    from smscheck import Checker

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = load_pack(write(tmp_path / "a", GOOD))
    second = load_pack(write(tmp_path / "b", GOOD.replace('id = "user-pack"', 'id = "other"')))
    with pytest.raises(PackError, match=r"rules\[0\] \(USER-OPT-01\)\.id: rule id already used "):
        Checker([first, second])
    assert Checker([first, first]).packs == (first,)  # the same pack given twice counts once


def test_a_user_rule_with_a_shipped_id_is_refused_by_the_library(tmp_path: Path) -> None:
    from smscheck import Checker

    pack = load_pack(write(tmp_path, GOOD.replace('id = "USER-OPT-01"', 'id = "GDPR-OBJ-01"')))
    with pytest.raises(PackError, match="rule id already used by pack 'gdpr'"):
        Checker(extra=[pack])


def test_a_pack_is_read_once_until_its_file_changes(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    first = load_pack(path)
    assert load_pack(path) is first
    write(tmp_path, GOOD.replace('version = "0.1"', 'version = "0.2"'))
    assert load_pack(path).version == "0.2"


def test_patterns_share_one_time_budget_per_case(tmp_path: Path) -> None:
    # 40 rules of a catastrophic pattern took 40 budgets (10 s) per distinct body.
    import time

    from smscheck import Checker
    from smscheck.inputs import case_from
    from smscheck.patterns import TIMEOUT_SECONDS
    from tests.conftest import load_seed

    rules = "".join(
        GOOD[GOOD.index("[[rules]]") :]
        .replace("USER-OPT-01", f"USER-OPT-{index:02d}")
        .replace("'\\bstop\\b'", "'(a+)+$'")
        for index in range(40)
    )
    pack = load_pack(write(tmp_path, GOOD[: GOOD.index("[[rules]]")] + rules))
    document = load_seed("2026-ordinary-number.json")["case"]
    document["message"]["body"] = "a" * 5_000 + "!"
    started = time.perf_counter()
    report = Checker([pack], lang="en").check(case_from(document))
    elapsed = time.perf_counter() - started
    assert {verdict.status.value for verdict in report.verdicts} == {"review"}
    assert elapsed < 4 * TIMEOUT_SECONDS


def test_a_garbage_collection_during_a_search_is_not_charged_to_the_case() -> None:
    # A full collection of a large heap takes about as long as a case's whole budget (seen:
    # 200-280 ms); one set off by a search's match objects made a case `review` at random.
    import gc
    import time

    from smscheck.patterns import TIMEOUT_SECONDS, case_budget, compile_pattern

    def slow_collection(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started = time.thread_time()
            while time.thread_time() - started < TIMEOUT_SECONDS:
                pass

    pattern = compile_pattern(r"\bstop\b")
    threshold = gc.get_threshold()
    gc.set_threshold(1)  # every allocation collects
    gc.callbacks.append(slow_collection)
    try:
        with case_budget():
            first = pattern.spans("stop " * 20)
            again = pattern.spans("stop " * 20)  # refused if the first search spent the budget
    finally:
        gc.callbacks.remove(slow_collection)
        gc.set_threshold(*threshold)
    assert len(first) == len(again) == 5
