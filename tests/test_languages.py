"""Messages in the language asked for: every rule speaks French and English, and a report in one
language carries no sentence of the other.

What may stay in the other language, by design: quotations (« ... »: the message body, a
charter's clauses), proper names and data from the case (senders, campaign and organiser
names, enum values such as `party_member_file`), and citations of French legal texts.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest

from smscheck import Checker, Report, Status
from smscheck.inputs import case_from
from smscheck.outcome import Text
from smscheck.packs import Rule, discover, shipped_packs, shipped_rules_dir
from tests.conftest import SEEDS, load_seed

RULES = {rule.id: rule for pack in shipped_packs() for rule in pack.rules}
SEED_FILES = sorted(path.name for path in SEEDS.glob("*.json"))

# Short words that only one of the two languages uses; "on" and "sent" are left out of the
# English list because French has them too ("on ne sait pas", "il sent").
FRENCH_WORDS = frozenset(
    "le la les des du un une est sont pas pour sans dans aux au ne qui que avec ce cette ces "  # noqa: SIM905
    "sur par et ou vous votre vos nous notre été être ni peut doit".split()
)
ENGLISH_WORDS = frozenset(
    "the is are not and of to with from this that was were by at for only when here cannot "  # noqa: SIM905
    "does has have no".split()
)
FRENCH_LETTERS = re.compile(r"[àâçéèêëîïôûùüÿœæ]", re.IGNORECASE)
QUOTED = re.compile(r"«[^»]*»")
WORDING = ("title", "message", "review", "remedy")

# Gaps found by this test in messages written by Python checks (smscheck/checks/*), reported to
# their owner; each is expected to fail until fixed, and must then be removed from here.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def strings(value: object) -> Iterator[str]:
    """Every string in a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def data_of(seed: dict[str, Any]) -> list[str]:
    """Names and values a message may quote as they are: from the case and loaded charters."""
    found = set(strings(seed["case"]))
    for pack in shipped_packs():
        if pack.charter_data is not None:
            found |= set(strings(pack.charter_data.model_dump(mode="json")))
    return sorted((text for text in found if len(text) >= 4), key=len, reverse=True)


def foreign_words(text: str, lang: str, data: list[str]) -> list[str]:
    """Words of the other language left once quotations and case data are taken out."""
    for value in data:
        text = text.replace(value, " ")
    text = QUOTED.sub(" ", text)
    words = re.findall(r"[\w’']+", text.lower())
    if lang == "en":
        found = [w for w in words if w in FRENCH_WORDS or FRENCH_LETTERS.search(w)]
        return found + [w for w in words if "'" in w and w.split("'")[0] in {"l", "d", "n", "qu"}]
    return [w for w in words if w in ENGLISH_WORDS]


def lead_for(rule: Rule, status: Status) -> Text:
    """The wording a verdict of this status must open with."""
    if status in (Status.PASS, Status.NOT_APPLICABLE):
        return rule.title
    return rule.review if status is Status.REVIEW else rule.message


def report(seed: dict[str, Any], lang: str) -> Report:
    return Checker(lang=lang).check(case_from(seed))  # type: ignore[arg-type]


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_every_rule_speaks_both_languages_and_they_differ(rule: Rule) -> None:
    for field in WORDING:
        text = getattr(rule, field)
        assert text.fr.strip() and text.en.strip(), (rule.id, field)
        assert text.fr != text.en, (rule.id, field, "not translated")
        assert not foreign_words(text.en, "en", []), (rule.id, field, text.en)
        assert not foreign_words(text.fr, "fr", []), (rule.id, field, text.fr)
    for lang in ("fr", "en"):
        # The title says what passes, the message what fails, the review lead what to check:
        # a verdict must tell them apart.
        leads = {rule.title[lang], rule.message[lang], rule.review[lang]}
        assert len(leads) == 3, (rule.id, lang)


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_the_detector_has_teeth_each_rule_text_is_caught_in_the_wrong_language(rule: Rule) -> None:
    for field in WORDING:
        text = getattr(rule, field)
        assert foreign_words(text.fr, "en", []), (rule.id, field, text.fr)
        assert foreign_words(text.en, "fr", []), (rule.id, field, text.en)


def seed_params() -> Iterator[Any]:
    for name in SEED_FILES:
        for lang in ("fr", "en"):
            gap = KNOWN_GAPS.get((name, lang))
            marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
            yield pytest.param(name, lang, marks=marks, id=f"{name}-{lang}")


@pytest.mark.parametrize(("name", "lang"), list(seed_params()))
def test_seed_reports_speak_only_the_language_asked(name: str, lang: str) -> None:
    seed = load_seed(name)
    other = "en" if lang == "fr" else "fr"
    data = data_of(seed)
    for verdict in report(seed, lang).verdicts:
        rule = RULES[verdict.rule_id]
        assert verdict.message.startswith(lead_for(rule, verdict.status)[lang]), verdict
        for field in WORDING:
            assert getattr(rule, field)[other] not in verdict.message, (verdict.rule_id, field)
        leftover = foreign_words(verdict.message + " " + verdict.remedy, lang, data)
        assert not leftover, (verdict.rule_id, leftover, verdict.message)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_text_output_labels_follow_the_language(
    lang: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from smscheck.cli import main

    main(["check", str(SEEDS / "2011-ump-cantonales.json"), "--lang", lang])
    out = capsys.readouterr().out
    labels = {"fr": ("preuve", "correction:", "règles au"), "en": ("remedy:", "rules as of")}
    assert all(label in out for label in labels[lang][1:])
    assert not any(label in out for label in labels["en" if lang == "fr" else "fr"])


def test_json_reports_carry_their_language(capsys: pytest.CaptureFixture[str]) -> None:
    from smscheck.cli import main

    for lang in ("fr", "en"):
        main(["check", str(SEEDS / "2011-ump-cantonales.json"), "--lang", lang, "--format", "json"])
        assert json.loads(capsys.readouterr().out)["lang"] == lang


def test_every_shipped_rule_writes_its_own_review_lead() -> None:
    for path in discover(shipped_rules_dir()):
        for rule in tomllib.loads(path.read_text(encoding="utf-8"))["rules"]:
            assert set(rule.get("review", {})) == {"fr", "en"}, (path.parent.name, rule["id"])


def test_a_review_verdict_opens_with_what_to_check_not_with_the_pass_wording() -> None:
    seed = load_seed("2011-ump-cantonales-sender-with-spaces.json")
    for lang in ("fr", "en"):
        reviews = [v for v in report(seed, lang).verdicts if v.status is Status.REVIEW]
        assert reviews
        for verdict in reviews:
            rule = RULES[verdict.rule_id]
            assert not verdict.message.startswith(rule.title[lang]), verdict.message
            assert verdict.message.startswith(("À vérifier", "To check")), verdict.message
