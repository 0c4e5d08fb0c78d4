"""Reply classification: a table of real-looking replies, false friends, the data file, robustness."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smscheck.replies import ReplyClass, classify_reply

CERTAIN_OPT_OUT = [
    "STOP",
    "stop",
    "Stop merci",
    "STOP!!!",
    " stop. ",
    "Stop svp",
    "Bonjour, STOP svp",
    "Stop, merci beaucoup et bonne journée",
    "Stp stop",
    "stop 36180",
    "Stop stop stop",
    "STOP 😡",
    "🛑 STOP 🛑",
    "ＳＴＯＰ",
    "S T O P",
    "S.T.O.P",
    "STOOOP",
    "STOP SMS",
    "stop all",
    "STOPALL",
    "ARRÊT",
    "arret",
    "Arrêt SMS",
    "Arrêter",
    "arrête !",
    "ARRETEZ !!!",
    "Désabonner",
    "DESABONNER",
    "désabonnement",
    "Désinscrire",
    "désinscription",
    "UNSUBSCRIBE",
    "Unsubscribe please",
    "cancel",
    "END",
    "quit",
    "REVOKE",
    "OPTOUT",
    "opt-out",
    "Désabonnez-moi",
    "Laissez-moi tranquille !",
    "Plus de SMS svp",
    "Leave me alone",
    "no more messages please",
    "ne me contactez plus",
    # Typos: one edit on a keyword of four letters or more.
    "STPO",
    "st0p",
    "desabonez",
    "unsubscibe",
    "Désabonez-moi",
    "cancell",
    # A phrase that plainly refers to the messages, inside a sentence.
    "Je ne veux plus recevoir vos SMS",
    "Merci de ne plus m'envoyer de messages",
    "Je veux me désabonner",
    "Retirez-moi de votre liste",
    "Supprimez mon numéro svp",
    "Effacez mon numéro de vos fichiers",
    "Please unsubscribe me",
    "Remove me from this list",
    "stop texting me",
    "Do not text me again",
    "I want to unsubscribe",
    # One sentence of the reply is the keyword alone.
    "STOP. Vous êtes des menteurs",
    "Non merci, stop",
    "Quelle arnaque, arrêtez",
    "STOP!!! Arrêtez de m'envoyer ces conneries",
]

FALSE_FRIENDS = [
    "il faut stopper ce projet",
    "we have to STOP this bill",
    "Arrêtez de mentir aux Français",
    "the end of the world",
    "The end.",
    "Stop à la réforme des retraites",
    "Votre candidat doit arrêter de mentir",
    "l'arrêt du nucléaire est une erreur",
    "Je suis pour l'arrêt des centrales",
    "Cancel culture is a problem",
    "I quit smoking",
    "Envoyez-moi plus de SMS comme ça",
    "Ne me désabonnez pas",
    "Don't unsubscribe me",
    "I don't want to unsubscribe",
    "Je ne veux pas me désabonner",
    "Stop or go?",
    "non-stop jusqu'à dimanche",
]

TABLE: list[tuple[str, str, str]] = [
    *((text, "opt_out", "certain") for text in CERTAIN_OPT_OUT),
    # Keywords inside sentences: a person decides, never a certain opt-out.
    ("we have to STOP this bill", "opt_out", "review"),
    ("Arrêtez de mentir aux Français", "opt_out", "review"),
    ("Stop à la réforme des retraites", "opt_out", "review"),
    ("Votre candidat doit arrêter de mentir", "opt_out", "review"),
    ("Cancel culture is a problem", "opt_out", "review"),
    ("Envoyez-moi plus de SMS comme ça", "opt_out", "review"),
    ("Ne me désabonnez pas", "opt_out", "review"),
    ("Don't unsubscribe me", "opt_out", "review"),
    ("I don't want to unsubscribe", "opt_out", "review"),
    ("Stop au harcèlement par SMS", "opt_out", "review"),
    ("Je ne veux plus de vos messages", "opt_out", "review"),
    ("STOP START", "opt_out", "review"),
    ("START. STOP", "opt_out", "review"),
    ("non-stop jusqu'à dimanche", "opt_out", "review"),
    # Clearly about something else.
    ("il faut stopper ce projet", "other", "certain"),
    ("the end of the world", "other", "certain"),
    ("The end.", "other", "certain"),
    ("l'arrêt du nucléaire est une erreur", "other", "certain"),
    ("I quit smoking", "other", "certain"),
    # Opt-in: certain only for a clear keyword.
    ("START", "opt_in", "certain"),
    ("start", "opt_in", "certain"),
    ("Start merci", "opt_in", "certain"),
    ("STAAART", "opt_in", "certain"),
    ("UNSTOP", "opt_in", "certain"),
    ("Reprendre", "opt_in", "certain"),
    ("réabonner", "opt_in", "certain"),
    ("OUI", "opt_in", "review"),
    ("yes", "opt_in", "review"),
    ("strat", "opt_in", "review"),
    ("Je veux recevoir vos messages", "opt_in", "review"),
    # Help, and questions owed an answer (GDPR arts 13-14).
    ("HELP", "help", "certain"),
    ("aide", "help", "certain"),
    ("Info", "help", "certain"),
    ("HEPL", "help", "certain"),
    ("Qui êtes-vous ?", "help", "certain"),
    ("C'est qui ?", "help", "certain"),
    ("Who is this?", "help", "certain"),
    ("Comment avez-vous eu mon numéro ?", "help", "certain"),
    ("J'ai besoin d'aide pour voter", "help", "review"),
    # Nothing to act on.
    ("", "other", "certain"),
    ("Merci", "other", "certain"),
    ("ok", "other", "certain"),
    ("👍", "other", "certain"),
    ("Je vote pour vous dimanche", "other", "certain"),
    ("Bravo pour votre programme", "other", "certain"),
    ("Oui, je vote pour vous", "other", "certain"),
    ("Bonne chance à votre candidat", "other", "certain"),
    ("Info ou intox ?", "other", "certain"),
    ("Top !", "other", "certain"),
    ("step", "other", "certain"),
    ("quiz", "other", "certain"),
    ("helo", "other", "certain"),
    ("Qui ?", "other", "certain"),
]


def _keyword_data() -> dict[str, Any]:
    text = (files("smscheck") / "data" / "reply_keywords.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _entries(kind: str, form: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = _keyword_data()[kind][form]
    return entries


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
    assert len(TABLE) >= 80
    assert len({text for text, _, _ in TABLE}) == len(TABLE)


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
        entry["text"].lower()
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
