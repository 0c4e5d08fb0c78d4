"""Classify a reply to a campaign SMS: opt-out, opt-in, help or other, and whether a person must look.

The words come from `smscheck/data/reply_keywords.toml`. Matching ignores case, accents,
punctuation, emoji, extra spaces, repeated letters and polite filler ("Stop merci", "STOOOP!!!").

How sure a verdict is:

- the whole reply is a keyword or phrase (with filler): `certain`;
- one sentence of a longer reply is a keyword on its own ("STOP. Vous êtes nuls"): `certain`
  for an opt-out or help, `review` for an opt-in;
- a phrase that plainly refers to the messages ("ne plus recevoir", "unsubscribe me") inside a
  sentence: `certain`; negated ("don't unsubscribe me"): `review`;
- a keyword inside a sentence about something else ("we have to STOP this bill"): never a
  certain opt-out, `review`; an everyday word ("end", "oui") there is ignored, and a keyword
  used as a noun ("l'arrêt du chantier") is `other`.

Typos (one insertion, deletion, substitution or swap of neighbours, on a keyword and a reply
word of at least four letters after squeezing repeated letters; a short list of real words
such as "step" or "quiz" is never a typo) are read only when they make up the whole reply or
one sentence of it. A typo of an opt-out is `certain` with confidence 0.8: reading "STPO" as
STOP can only cost a contact, while missing it breaks an objection the law makes absolute
(GDPR art. 21(3)). A typo of an opt-in is `review`: messages resume only on a clear request.
OUI and YES are only a consent as the answer to a question about receiving messages, which
this function cannot see, so they are always `review`.

An opt-out in `review` should be treated as suppressed until a person decides. Reasons quote
the matched keyword, never the reply itself (which may hold personal data).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from smscheck.reply_lexicon import (
    EXACT,
    KINDS,
    REPEATED,
    TYPO,
    Evidence,
    Kind,
    Reading,
    Term,
    lexicon,
    split_reply,
)

ReplyKind = Literal["opt_out", "opt_in", "help", "other"]
ReplyStatus = Literal["certain", "review"]

_WITH_FILLER = 0.95
_IN_CLAUSE = 0.9
_PHRASE_IN_SENTENCE = 0.9
_NOUN_ONLY = 0.8
_FREE_TEXT = 0.9
_SIGNAL_NEAR_CONTACT = 0.6
_SIGNAL = 0.5
_CONFLICT = 0.5
_TOPIC_ONLY = 0.4
# A reply longer than this many words is never read as a bare keyword.
_MAX_WHOLE = 8


class ReplyClass(BaseModel):
    """What a reply asks for, how sure that is, and why (in French and English)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ReplyKind
    status: ReplyStatus = Field(description="`review`: a person must decide.")
    keyword: str | None = Field(description="The matched keyword or phrase, as in the data.")
    confidence: float = Field(ge=0.0, le=1.0, description="How sure `kind` is right.")
    reason_fr: str
    reason_en: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def confident(self) -> bool:
        """True when the reply can be acted on without a person."""
        return self.status == "certain"


# --- verdicts ------------------------------------------------------------------------------

_FINDINGS: dict[str, tuple[str, str]] = {
    "exact": ("La réponse est « {kw} »", "The reply is “{kw}”"),
    "filler": (
        "La réponse est « {kw} », avec des mots qui n'y changent rien (politesse, ce qu'il faut "
        "arrêter, numéro court)",
        "The reply is “{kw}”, with words that do not change it (politeness, what to stop, a "
        "short code)",
    ),
    "repeated": (
        "La réponse est « {kw} » aux lettres doublées, répétées ou espacées autrement",
        "The reply is “{kw}” with letters doubled, repeated or spaced differently",
    ),
    "typo": (
        "La réponse se lit « {kw} » malgré une faute de frappe",
        "The reply reads as “{kw}” despite a typo",
    ),
    "ambiguous": (
        "La réponse ressemble à plusieurs mots-clés de sens différents, dont « {kw} »",
        "The reply looks like several keywords of different meaning, including “{kw}”",
    ),
    "conflict": (
        "La réponse mêle une opposition (« {kw} ») et une demande de reprise",
        "The reply mixes an opt-out (“{kw}”) with an opt-in",
    ),
    "clause": (
        "Une phrase de la réponse se réduit à « {kw} »",
        "One sentence of the reply is just “{kw}”",
    ),
    "phrase": (
        "La réponse contient « {kw} », qui vise clairement les messages",
        "The reply contains “{kw}”, which plainly refers to the messages",
    ),
    "question": (
        "La réponse demande qui écrit ou d'où vient le numéro (« {kw} »)",
        "The reply asks who is writing or where the number came from (“{kw}”)",
    ),
    "doubtful": (
        "« {kw} » peut être un refus des messages, ou autre chose",
        "“{kw}” may be a refusal of the messages, or something else",
    ),
    "negated": (
        "« {kw} » s'accompagne d'une négation",
        "“{kw}” comes with a negation",
    ),
    "in_sentence": (
        "« {kw} » figure dans une phrase qui peut parler d'autre chose",
        "“{kw}” appears in a sentence that may be about something else",
    ),
    "topic": (
        "La réponse parle des messages et d'y mettre fin, sans mot-clé",
        "The reply talks about the messages and ending them, without a keyword",
    ),
    "noun": (
        "« {kw} » n'y est qu'un nom, sans rapport avec les messages",
        "“{kw}” is only a noun there, unrelated to the messages",
    ),
    "nothing": (
        "Aucun mot-clé d'opposition, de reprise ou d'aide",
        "No opt-out, opt-in or help keyword",
    ),
    "empty": (
        "La réponse ne contient que des formules de politesse, ou aucun mot",
        "The reply holds only polite words, or no words at all",
    ),
}

_EFFECTS: dict[tuple[ReplyKind, ReplyStatus], tuple[str, str]] = {
    ("opt_out", "certain"): (
        "opposition : ne plus rien envoyer à ce numéro (RGPD art. 21(3)).",
        "objection: send this number nothing more (GDPR art. 21(3)).",
    ),
    ("opt_out", "review"): (
        "une personne doit trancher ; d'ici là, ne rien envoyer à ce numéro (RGPD art. 21(3)).",
        "a person must decide; until then, send this number nothing (GDPR art. 21(3)).",
    ),
    ("opt_in", "certain"): (
        "demande de reprise des envois.",
        "asks to receive messages again.",
    ),
    ("opt_in", "review"): (
        "une personne doit confirmer : un consentement doit être univoque (RGPD art. 4(11)).",
        "a person must confirm: consent must be unambiguous (GDPR art. 4(11)).",
    ),
    ("help", "certain"): (
        "demande d'information : répondre avec l'identité de l'expéditeur, l'origine du numéro "
        "et le moyen de s'opposer (RGPD art. 13-14).",
        "asks for information: answer with the sender's identity, where the number came from "
        "and how to object (GDPR arts 13-14).",
    ),
    ("help", "review"): (
        "une personne doit lire la réponse et, si elle demande des informations, y répondre.",
        "a person should read the reply and answer it if it asks for information.",
    ),
    ("other", "certain"): ("rien à changer aux envois.", "nothing to change in sending."),
}


def _verdict(
    kind: ReplyKind,
    status: ReplyStatus,
    term: Term | None,
    confidence: float,
    finding: str,
) -> ReplyClass:
    keyword = term.text if term else None
    found_fr, found_en = (text.format(kw=keyword) for text in _FINDINGS[finding])
    effect_fr, effect_en = _EFFECTS[kind, status]
    return ReplyClass(
        kind=kind,
        status=status,
        keyword=keyword,
        confidence=confidence,
        reason_fr=f"{found_fr} : {effect_fr}",
        reason_en=f"{found_en}: {effect_en}",
    )


def _first(terms: Iterable[Term], kind: Kind) -> Term | None:
    return next((term for term in terms if term.kind == kind), None)


def _from_reading(reading: Reading) -> ReplyClass:
    """The verdict on a reply that is nothing but keywords and filler."""
    if not reading.slots:
        return _verdict("other", "certain", None, EXACT, "empty")
    terms = [term for slot in reading.slots for term in slot]
    kinds = {term.kind for term in terms}
    ambiguous = any(len({term.kind for term in slot}) > 1 for slot in reading.slots)
    kind: Kind = next(kind for kind in KINDS if kind in kinds)
    term = _first(terms, kind)
    if ambiguous:
        return _verdict(kind, "review", term, _CONFLICT, "ambiguous")
    if {"opt_out", "opt_in"} <= kinds:
        return _verdict("opt_out", "review", term, _CONFLICT, "conflict")
    if all(t.form == "doubtful" for t in terms if t.kind == kind):
        return _verdict(kind, "review", term, _SIGNAL, "doubtful")
    padded = reading.fillers or reading.objects
    confidence = min(reading.quality, _WITH_FILLER) if padded else reading.quality
    finding = (
        "typo"
        if reading.quality <= TYPO
        else "repeated"
        if reading.quality < _WITH_FILLER
        else "filler"
        if padded
        else "exact"
    )
    sure = kind != "opt_in" or (
        reading.quality >= REPEATED and not any(t.alone_only for t in terms)
    )
    return _verdict(kind, "certain" if sure else "review", term, confidence, finding)


def _from_evidence(evidence: Evidence) -> ReplyClass:
    """The verdict on a longer reply, from what its sentences hold."""
    from_clauses = [term for reading in evidence.clauses for slot in reading.slots for term in slot]
    clause_quality = min((reading.quality for reading in evidence.clauses), default=EXACT)
    in_clause = min(clause_quality, _IN_CLAUSE)
    opt_in = _first(from_clauses, "opt_in") or _first(evidence.signals, "opt_in")
    stop = _first(from_clauses, "opt_out")
    if stop is not None:
        if opt_in is not None:
            return _verdict("opt_out", "review", stop, _CONFLICT, "conflict")
        sure = _first((t for t in from_clauses if t.form != "doubtful"), "opt_out")
        if sure is None:
            return _verdict("opt_out", "review", stop, _SIGNAL, "doubtful")
        return _verdict("opt_out", "certain", sure, in_clause, "clause")
    stop = _first(evidence.phrases, "opt_out")
    if stop is not None:
        if opt_in is not None:
            return _verdict("opt_out", "review", stop, _CONFLICT, "conflict")
        return _verdict("opt_out", "certain", stop, _PHRASE_IN_SENTENCE, "phrase")
    stop = _first(evidence.negated, "opt_out")
    if stop is not None:
        return _verdict("opt_out", "review", stop, _SIGNAL, "negated")
    stop = _first(evidence.signals, "opt_out")
    if stop is not None:
        confidence = _SIGNAL_NEAR_CONTACT if evidence.near_contact else _SIGNAL
        return _verdict("opt_out", "review", stop, confidence, "in_sentence")
    if evidence.topic:
        return _verdict("opt_out", "review", None, _TOPIC_ONLY, "topic")
    helping = _first(from_clauses, "help")
    if helping is not None:
        return _verdict("help", "certain", helping, in_clause, "clause")
    helping = _first(evidence.phrases, "help")
    if helping is not None:
        return _verdict("help", "certain", helping, _PHRASE_IN_SENTENCE, "question")
    if opt_in is not None:
        finding = "clause" if opt_in in from_clauses else "in_sentence"
        return _verdict("opt_in", "review", opt_in, _SIGNAL, finding)
    unsure = _first(evidence.signals, "help") or _first(evidence.negated, "help")
    if unsure is not None:
        return _verdict("help", "review", unsure, _SIGNAL, "in_sentence")
    if evidence.nouns:
        return _verdict("other", "certain", evidence.nouns[0], _NOUN_ONLY, "noun")
    return _verdict("other", "certain", None, _FREE_TEXT, "nothing")


def classify_reply(text: str) -> ReplyClass:
    """What a reply to a campaign SMS asks for: opt-out, opt-in, help or other."""
    known = lexicon()
    sentences, lines = split_reply(text)
    every_word = [word for words in sentences for word in words]
    if len(every_word) <= _MAX_WHOLE:
        reading = known.read_whole(every_word, in_clause=False)
        if reading is not None:
            return _from_reading(reading)
    evidence = Evidence()
    if len(lines) > 1:
        for words in lines:
            if len(words) <= _MAX_WHOLE:
                reading = known.read_whole(words, in_clause=True)
                if reading is not None and reading.slots:
                    evidence.clauses.append(reading)
    known.scan(sentences, evidence)
    return _from_evidence(evidence)
