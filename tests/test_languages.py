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
from pathlib import Path
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

    main(["check", str(SEEDS / "2011-ump-cantonales.json"), "--lang", lang, "--verbose"])
    out = capsys.readouterr().out
    labels = {
        "fr": ("preuve :", "correction :", "règles au", "Résumé :", "non conforme"),
        "en": ("evidence:", "remedy:", "rules as of", "Summary:", " fail "),
    }
    assert all(label in out for label in labels[lang])
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


# --- whole outputs: every format, input errors included, speaks the language asked

# Words of smscheck's output that are data or names in any language: field paths and enum
# values of the input, format names, pseudo-rule ids, units.
PATH_OR_DATA = re.compile(
    r"[\w./-]+\.(?:jsonl?|toml)(?:[:\[]\d+\]?)?|[a-z_]+(?:\.[a-z_0-9]+)+|'[^'\s]*'|\{[^}]*\}"
    r"|<[^>]*>|https?://\S+|U\+[0-9A-F]+|[a-z]+_[a-z_]+|input-error|no-rule-in-force|JSON Lines"
    r"|--[a-z-]+"
)


def _texts_of(output: str) -> str:
    """What a person reads in an output: JSON and SARIF reduced to their strings."""
    try:
        documents = [json.loads(line) for line in output.splitlines() if line.strip()]
    except ValueError:
        return output
    return "\n".join(text for document in documents for text in strings(_unquoted(document)))


def _unquoted(value: object) -> object:
    """A JSON value without its quotations of the message body (`evidence`)."""
    if isinstance(value, dict):
        return {key: _unquoted(item) for key, item in value.items() if key != "evidence"}
    if isinstance(value, list):
        return [_unquoted(item) for item in value]
    return value


RULE_ID = re.compile("|".join(sorted(map(re.escape, RULES), key=len, reverse=True)))

# Citations name the texts as they are published (French law, 3GPP), in either language.
CITATIONS = sorted(
    {
        text
        for rule in RULES.values()
        for text in (rule.citation.title, rule.citation.reference, rule.citation.article)
        if len(text) >= 4
    },
    key=len,
    reverse=True,
)


def _leftovers(output: str, lang: str, data: list[str]) -> list[str]:
    text = RULE_ID.sub(" ", _texts_of(output))
    for value in CITATIONS + data:
        text = text.replace(value, " ")
    return foreign_words(PATH_OR_DATA.sub(" ", text), lang, [])


def _hostile_files(folder: Path) -> list[Path]:
    from tests.test_hostile_inputs import HOSTILE

    paths = []
    for number, hostile in enumerate(HOSTILE):
        if callable(hostile.data):
            continue
        path = folder / f"hostile-{number}{hostile.suffix}"
        path.write_bytes(hostile.data)
        paths.append(path)
    return paths


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_output_of_hostile_inputs_speaks_only_the_language_asked(
    fmt: str, lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from smscheck.cli import main

    data = data_of(load_seed("2026-ordinary-number.json"))
    for path in _hostile_files(tmp_path):
        main(["check", str(path), "--lang", lang, "--format", fmt, "--verbose"])
        captured = capsys.readouterr()
        output = captured.out.replace(str(tmp_path), "") + captured.err.replace(str(tmp_path), "")
        assert not _leftovers(output, lang, data), (path.name, _leftovers(output, lang, data))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_usage_errors_speak_the_language_asked(
    lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from smscheck.cli import main

    bad_pack = tmp_path / "pack.toml"
    bad_pack.write_text("[pack]\nid = 'x'\n", encoding="utf-8")
    runs = [
        ["check", str(SEEDS / "2026-ordinary-number.json"), "--pack", str(bad_pack)],
        [
            "check",
            str(SEEDS / "2026-ordinary-number.json"),
            "--optouts",
            str(tmp_path / "registre"),
        ],
        ["check", str(tmp_path / "absent.json")],
        ["rules", "--at", "1990-01-01"],
        ["explain", "XYZ-01"],
    ]
    for args in runs:
        main([*args, "--lang", lang])
        captured = capsys.readouterr()
        output = (captured.out + captured.err).replace(str(tmp_path), "")
        assert output.strip(), args
        assert not _leftovers(output, lang, []), (args, output)
