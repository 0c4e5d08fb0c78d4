"""Reply classification: a table of real-looking replies, false friends, the data file, robustness."""

from __future__ import annotations

import tomllib
import unicodedata
from importlib.resources import files
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smscheck.replies import ReplyClass, classify_reply
from tests.reply_table import FALSE_FRIENDS, ISSUE_15_HELP, ISSUE_15_OPT_OUT, TABLE


def _keyword_data() -> dict[str, Any]:
    text = (files("smscheck") / "data" / "reply_keywords.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _entries(kind: str, form: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = _keyword_data()[kind][form]
    return entries


def _unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _within_one_edit(a: str, b: str) -> bool:
    """Optimal string alignment distance <= 1, computed the slow obvious way."""
    rows = [list(range(len(b) + 1))] + [[i] + [0] * len(b) for i in range(1, len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)] <= 1


def test_the_table_is_large_and_has_no_duplicates() -> None:
    assert len(TABLE) >= 300
    assert len({text for text, _, _ in TABLE}) == len(TABLE)


def test_no_reply_in_the_table_is_a_missed_opt_out_or_a_certain_false_opt_out() -> None:
    missed, false_certain = [], []
    for text, kind, status in TABLE:
        result = classify_reply(text)
        if kind == "opt_out" and result.kind != "opt_out":
            missed.append(text)
        sure_stop = result.kind == "opt_out" and result.status == "certain"
        if sure_stop and (kind, status) != ("opt_out", "certain"):
            false_certain.append(text)
    assert missed == []
    assert false_certain == []


@pytest.mark.parametrize("text", ISSUE_15_OPT_OUT)
def test_the_replies_issue_15_found_missed_or_reviewed_are_certain_opt_outs(text: str) -> None:
    result = classify_reply(text)
    assert (result.kind, result.status) == ("opt_out", "certain")
    assert result.keyword is not None


@pytest.mark.parametrize("text", ISSUE_15_HELP)
def test_asking_who_writes_or_where_the_number_came_from_is_help(text: str) -> None:
    assert classify_reply(text).kind == "help"


@pytest.mark.parametrize(
    "text", ["STOP\nVous êtes nuls", "Vous êtes nuls\r\nSTOP", "Stop\u2028ok ?"]
)
def test_a_line_break_ends_a_sentence_like_a_full_stop(text: str) -> None:
    assert classify_reply(text) == classify_reply(
        text.replace("\r\n", ". ").replace("\n", ". ").replace("\u2028", ". ")
    )


def test_a_phrase_wrapped_over_two_lines_is_still_a_phrase() -> None:
    result = classify_reply(
        "Bonjour, merci de ne plus\nm'envoyer de messages, je ne suis pas concerné"
    )
    assert (result.kind, result.status, result.keyword) == (
        "opt_out",
        "certain",
        "ne plus m'envoyer",
    )


def test_stop_glued_to_a_short_code_is_stop() -> None:
    assert classify_reply("STOP36111").keyword == "STOP"
    assert classify_reply("STOP 36111").keyword == "STOP"


def test_a_doubtful_refusal_is_reviewed_and_suppressed_meanwhile() -> None:
    result = classify_reply("Non merci")
    assert (result.kind, result.status) == ("opt_out", "review")
    assert "send this number nothing" in result.reason_en


def test_naming_the_messages_without_an_opt_out_asks_nothing() -> None:
    assert classify_reply("les SMS").kind == "other"
    assert classify_reply("START SMS").status == "review"


@given(
    keyword=st.sampled_from(
        [e["text"] for e in _entries("opt_out", "keywords") if not e.get("alone_only")]
    ),
    rest=st.text(max_size=80),
)
def test_a_line_that_is_an_opt_out_keyword_makes_the_reply_an_opt_out(
    keyword: str, rest: str
) -> None:
    assert classify_reply(f"{keyword}\n{rest}").kind == "opt_out"


@pytest.mark.parametrize(("text", "kind", "status"), TABLE)
def test_reply_is_classified_as_expected(text: str, kind: str, status: str) -> None:
    result = classify_reply(text)
    assert (result.kind, result.status) == (kind, status)


@pytest.mark.parametrize("text", FALSE_FRIENDS)
def test_false_friend_is_never_a_certain_opt_out(text: str) -> None:
    result = classify_reply(text)
    assert not (result.kind == "opt_out" and result.status == "certain")


def test_exact_keyword_is_fully_confident_and_reports_the_data_spelling() -> None:
    result = classify_reply("stop")
    assert result.keyword == "STOP"
    assert result.confidence == 1.0
    assert result.confident


def test_confidence_falls_with_filler_then_repeated_letters_then_typos() -> None:
    scores = [classify_reply(text).confidence for text in ("STOP", "Stop merci", "STOOOP", "STPO")]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == 4


def test_review_is_never_confident_and_certain_always_is() -> None:
    for text, _, _ in TABLE:
        result = classify_reply(text)
        assert result.confident == (result.status == "certain")


def test_reasons_name_the_keyword_but_never_quote_the_reply() -> None:
    result = classify_reply("STOP. Mon numéro est le 06 12 34 56 78, Jean Dupont")
    assert result.kind == "opt_out"
    for reason in (result.reason_fr, result.reason_en):
        assert "STOP" in reason
        assert "Dupont" not in reason
        assert "34 56" not in reason


def test_an_everyday_word_counts_only_as_the_whole_reply() -> None:
    assert classify_reply("END").kind == "opt_out"
    assert classify_reply("it was the end").kind == "other"
    assert classify_reply("Oui").kind == "opt_in"
    assert classify_reply("Oui, bien sûr, et vous ?").kind == "other"


def test_an_opt_in_typo_never_resumes_messages_on_its_own() -> None:
    result = classify_reply("UNSTPO")
    assert result.kind == "opt_in"
    assert result.status == "review"


@pytest.mark.parametrize("entry", _entries("opt_out", "keywords"), ids=lambda e: e["text"])
def test_every_opt_out_keyword_alone_is_a_certain_opt_out(entry: dict[str, Any]) -> None:
    result = classify_reply(entry["text"].lower())
    assert (result.kind, result.status, result.confidence) == ("opt_out", "certain", 1.0)


@pytest.mark.parametrize(
    "entry",
    _entries("opt_out", "phrases") + _entries("opt_out", "soft_phrases"),
    ids=lambda e: e["text"],
)
def test_every_opt_out_phrase_alone_is_a_certain_opt_out(entry: dict[str, Any]) -> None:
    result = classify_reply(entry["text"].upper() + " !")
    assert (result.kind, result.status) == ("opt_out", "certain")


def test_every_entry_cites_known_sources() -> None:
    data = _keyword_data()
    known = set(data["sources"])
    for kind in ("opt_out", "opt_in", "help"):
        for form in ("keywords", "phrases", "soft_phrases"):
            for entry in data[kind][form]:
                assert entry["sources"], entry
                assert set(entry["sources"]) <= known, entry
    assert set(data["filler"]["sources"]) <= known
    assert set(data["context"]["sources"]) <= known


def test_the_brief_s_keywords_are_all_in_the_data() -> None:
    opt_out = {entry["text"] for entry in _entries("opt_out", "keywords")}
    opt_in = {entry["text"] for entry in _entries("opt_in", "keywords")}
    helping = {entry["text"] for entry in _entries("help", "keywords")}
    assert {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"} <= opt_out
    assert {"ARRET", "ARRÊT", "STOP SMS", "DESABONNER", "DÉSABONNER"} <= opt_out
    assert {"START", "UNSTOP"} <= opt_in
    assert "HELP" in helping


def test_each_word_listed_as_not_a_typo_is_one_edit_from_a_keyword() -> None:
    keywords = [
        _unaccented(entry["text"].lower())
        for kind in ("opt_out", "opt_in", "help")
        for entry in _entries(kind, "keywords")
        if len(entry["text"]) >= 4
    ]
    for word in _keyword_data()["context"]["not_typos"]:
        assert any(_within_one_edit(word, keyword) for keyword in keywords), word
        assert classify_reply(word).kind == "other", word


PUNCTUATION = st.text(alphabet=" .,!?;:…-'\"()😡🙏👍\n\t", max_size=4)
POLITE = st.sampled_from(["", "merci", "svp", "stp", "please", "thanks", "bonjour", "Merci !"])


@given(
    keyword=st.sampled_from([e["text"] for e in _entries("opt_out", "keywords")]),
    before=POLITE,
    after=POLITE,
    left=PUNCTUATION,
    right=PUNCTUATION,
    upper=st.booleans(),
)
def test_opt_out_keyword_with_punctuation_and_politeness_stays_certain(
    keyword: str, before: str, after: str, left: str, right: str, upper: bool
) -> None:
    word = keyword.upper() if upper else keyword.lower()
    result = classify_reply(f"{left}{before} {word} {right}{after}{right}")
    assert (result.kind, result.status) == ("opt_out", "certain")


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_any_text_gets_a_valid_class_and_the_same_one_twice(text: str) -> None:
    first = classify_reply(text)
    assert isinstance(first, ReplyClass)
    assert 0.0 <= first.confidence <= 1.0
    assert first.reason_fr and first.reason_en
    assert classify_reply(text) == first


@pytest.mark.parametrize(
    "text",
    [
        "\ud800",
        "stop\udfff",
        "\x00STOP\x00",
        "\u200bST\u200dOP",
        "S" * 10_000,
        "stop " * 2_000,
        "é" * 10_000,
        "\U0001f6d1" * 5_000,
        "s\u0301t\u0301o\u0301p\u0301",
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    result = classify_reply(text)
    assert result.kind in ("opt_out", "opt_in", "help", "other")


def test_invisible_characters_and_combining_marks_do_not_hide_a_keyword() -> None:
    assert classify_reply("\u200bST\u200dOP").kind == "opt_out"
    assert classify_reply("s\u0301t\u0301o\u0301p\u0301").status == "certain"
