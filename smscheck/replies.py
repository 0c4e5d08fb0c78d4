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

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

ReplyKind = Literal["opt_out", "opt_in", "help", "other"]
ReplyStatus = Literal["certain", "review"]
_Kind = Literal["opt_out", "opt_in", "help"]
_Form = Literal["keyword", "phrase", "soft_phrase", "doubtful"]

_KINDS: tuple[_Kind, ...] = ("opt_out", "opt_in", "help")
_EXACT = 1.0
_WITH_FILLER = 0.95
_REPEATED = 0.9
_IN_CLAUSE = 0.9
_PHRASE_IN_SENTENCE = 0.9
_TYPO = 0.8
_NOUN_ONLY = 0.8
_FREE_TEXT = 0.9
_SIGNAL_NEAR_CONTACT = 0.6
_SIGNAL = 0.5
_CONFLICT = 0.5
_TOPIC_ONLY = 0.4
# A reply longer than this many words is never read as a bare keyword.
_MAX_WHOLE = 8
_MIN_TYPO_LENGTH = 4
# How far apart a word about messages and a word about ending them may stand.
_TOPIC_WINDOW = 4

_CLAUSE_BREAK = re.compile(r"[^\w\s'’\-‐‑]+")
# A line break ends a sentence too ("STOP\nVous êtes nuls", "STOP\n\nEnvoyé de mon iPhone").
_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
_WORD = re.compile(r"[^\W_]+")
# Two digits or more inside a word are a number of their own: "STOP36111" is STOP and 36111.
_GLUED_NUMBER = re.compile(r"(\d{2,})")
_REPEATS = re.compile(r"(.)\1+")


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


# --- the data file -------------------------------------------------------------------------


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _EntryData(_Data):
    text: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)
    alone_only: bool = False


class _ClassData(_Data):
    keywords: tuple[_EntryData, ...]
    phrases: tuple[_EntryData, ...] = ()
    soft_phrases: tuple[_EntryData, ...] = ()
    doubtful: tuple[_EntryData, ...] = ()


class _FillerData(_Data):
    sources: tuple[str, ...] = Field(min_length=1)
    words: tuple[str, ...]
    insults: tuple[str, ...] = ()


class _ContextData(_Data):
    sources: tuple[str, ...] = Field(min_length=1)
    determiners: tuple[str, ...]
    negations: tuple[str, ...]
    contact_words: tuple[str, ...]
    cessation_words: tuple[str, ...]
    message_words: tuple[str, ...]
    message_links: tuple[str, ...]
    not_typos: tuple[str, ...]


class _KeywordFile(_Data):
    sources: dict[str, str]
    opt_out: _ClassData
    opt_in: _ClassData
    help: _ClassData
    filler: _FillerData
    context: _ContextData

    @model_validator(mode="after")
    def _sources_exist(self) -> Self:
        cited = set(self.filler.sources) | set(self.context.sources)
        for kind in _KINDS:
            data: _ClassData = getattr(self, kind)
            for entry in (*data.keywords, *data.phrases, *data.soft_phrases, *data.doubtful):
                cited.update(entry.sources)
        unknown = sorted(cited - set(self.sources))
        if unknown:
            raise ValueError(f"sources not in [sources]: {', '.join(unknown)}")
        return self


# --- text ----------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Case-folded, without accents or invisible format characters."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(
        char
        for char in decomposed
        if not unicodedata.combining(char) and unicodedata.category(char) != "Cf"
    )


def _words(text: str) -> tuple[str, ...]:
    """The folded words of `text`, a number glued to letters standing apart."""
    return tuple(
        piece
        for word in _WORD.findall(_fold(text))
        for piece in (_GLUED_NUMBER.split(word) if not word.isdecimal() else (word,))
        if piece
    )


def _squeeze(word: str) -> str:
    return _REPEATS.sub(r"\1", word)


def _one_edit(a: str, b: str) -> bool:
    """Whether two different words are one insertion, deletion, substitution or swap apart."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    substituted = a[i + 1 :] == b[i + 1 :]
    swapped = a[i + 1 : i + 2] == b[i : i + 1] and a[i : i + 1] == b[i + 1 : i + 2]
    return substituted or (swapped and a[i + 2 :] == b[i + 2 :])


# --- the lexicon ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Term:
    kind: _Kind
    form: _Form
    text: str
    words: tuple[str, ...]
    squeezed: tuple[str, ...]
    alone_only: bool


@dataclass(frozen=True, slots=True)
class _Reading:
    """A short reply read as keywords and filler; `slots` holds the candidates for each keyword.

    `objects` counts the words naming the messages ("des SMS"), which only an opt-out may have.
    """

    quality: float
    fillers: int
    slots: tuple[tuple[_Term, ...], ...]
    objects: int = 0

    def rank(self) -> tuple[float, int, int]:
        return (self.quality, -self.fillers - self.objects, -len(self.slots))


@dataclass(slots=True)
class _Evidence:
    """What a longer reply holds, gathered sentence by sentence."""

    clauses: list[_Reading] = field(default_factory=list)
    phrases: list[_Term] = field(default_factory=list)
    negated: list[_Term] = field(default_factory=list)
    signals: list[_Term] = field(default_factory=list)
    near_contact: bool = False
    topic: bool = False
    nouns: list[_Term] = field(default_factory=list)


class _Lexicon:
    def __init__(self, data: _KeywordFile) -> None:
        terms: list[_Term] = []
        for kind in _KINDS:
            group: _ClassData = getattr(data, kind)
            forms: tuple[tuple[_Form, tuple[_EntryData, ...]], ...] = (
                ("keyword", group.keywords),
                ("phrase", group.phrases),
                ("soft_phrase", group.soft_phrases),
                ("doubtful", group.doubtful),
            )
            for form, entries in forms:
                terms.extend(_term(kind, form, entry) for entry in entries)
        self.exact: dict[tuple[str, ...], _Term] = {}
        self.squeezed: dict[tuple[str, ...], list[_Term]] = {}
        self.by_size: dict[int, list[_Term]] = {}
        self.by_first: dict[str, list[_Term]] = {}
        for term in terms:
            known = self.exact.setdefault(term.words, term)
            if known.kind != term.kind:
                raise ValueError(f"{term.text!r} is both {known.kind} and {term.kind}")
            if known is not term:
                continue
            self.squeezed.setdefault(term.squeezed, []).append(term)
            self.by_size.setdefault(len(term.words), []).append(term)
            self.by_first.setdefault(term.squeezed[0], []).append(term)
        self.filler = frozenset(_words(text) for text in (*data.filler.words, *data.filler.insults))
        clash = sorted(" ".join(words) for words in self.filler & self.exact.keys())
        if clash:
            raise ValueError(f"filler words that are also keywords: {', '.join(clash)}")
        context = data.context
        self.messages = _WordSet(context.message_words)
        self.links = frozenset(_words(text) for text in context.message_links)
        longest_link = max((len(words) for words in self.links), default=0)
        self.longest = max(longest_link + 1, *(len(words) for words in (*self.exact, *self.filler)))
        self.determiners = frozenset(context.determiners)
        self.negations = frozenset(context.negations)
        self.not_typos = frozenset(context.not_typos)
        self.contact = _WordSet(context.contact_words)
        self.cessation = _WordSet(context.cessation_words)

    def candidates(
        self, words: tuple[str, ...], squeezed: tuple[str, ...], *, typos: bool
    ) -> tuple[float, tuple[_Term, ...]]:
        """The terms a stretch of words can be, and how well it matches them."""
        term = self.exact.get(words)
        if term is not None:
            return _EXACT, (term,)
        found = self.squeezed.get(squeezed)
        if found:
            return _REPEATED, tuple(found)
        if typos:
            near = tuple(
                term
                for term in self.by_size.get(len(words), ())
                if self._one_typo(words, squeezed, term)
            )
            if near:
                return _TYPO, near
        return 0.0, ()

    def _one_typo(self, words: tuple[str, ...], squeezed: tuple[str, ...], term: _Term) -> bool:
        differ = [i for i, word in enumerate(squeezed) if word != term.squeezed[i]]
        if len(differ) != 1:
            return False
        i = differ[0]
        mine, theirs = squeezed[i], term.squeezed[i]
        return (
            min(len(mine), len(theirs)) >= _MIN_TYPO_LENGTH
            and words[i] not in self.not_typos
            and mine not in self.not_typos
            and _one_edit(mine, theirs)
        )

    def read_whole(self, words: Sequence[str], *, in_clause: bool) -> _Reading | None:
        """The best reading of `words` as nothing but keywords and filler, if there is one."""
        if len(words) >= 3 and all(len(word) == 1 for word in words):
            return self._read(("".join(words),), in_clause, cap=_REPEATED)
        return self._read(tuple(words), in_clause, cap=_EXACT)

    def _read(self, words: tuple[str, ...], in_clause: bool, cap: float) -> _Reading | None:
        squeezed = tuple(map(_squeeze, words))
        for typos in (False, True):
            best: list[_Reading | None] = [_Reading(cap, 0, ())] + [None] * len(words)
            for start in range(len(words)):
                here = best[start]
                if here is None:
                    continue
                for end in range(start + 1, min(len(words), start + self.longest) + 1):
                    step = self._step(here, words[start:end], squeezed[start:end], in_clause, typos)
                    known = best[end]
                    if step is not None and (known is None or step.rank() > known.rank()):
                        best[end] = step
            found = best[-1]
            if found is not None:
                stops = any(term.kind == "opt_out" for slot in found.slots for term in slot)
                return found if stops or not found.objects else None
        return None

    def _step(
        self,
        here: _Reading,
        words: tuple[str, ...],
        squeezed: tuple[str, ...],
        in_clause: bool,
        typos: bool,
    ) -> _Reading | None:
        if words in self.filler or (len(words) == 1 and words[0].isdecimal()):
            return _Reading(here.quality, here.fillers + len(words), here.slots, here.objects)
        if self._names_messages(words):
            return _Reading(here.quality, here.fillers, here.slots, here.objects + 1)
        quality, terms = self.candidates(words, squeezed, typos=typos)
        if in_clause:
            terms = tuple(term for term in terms if not term.alone_only)
        if not terms:
            return None
        slots = (*here.slots, terms)
        return _Reading(min(here.quality, quality), here.fillers, slots, here.objects)

    def _names_messages(self, words: tuple[str, ...]) -> bool:
        """Whether the words name the messages or the list ("des SMS", "au 36111", "de vos listes").

        Next to a keyword they say what to stop ("STOP SPAM", "Arrêt des SMS"); alone, nothing.
        """
        last = words[-1]
        named = last.isdecimal() or last in self.messages
        return named and (len(words) == 1 or words[:-1] in self.links)

    def scan(self, clauses: Iterable[tuple[str, ...]], evidence: _Evidence) -> None:
        """Gather the keywords, phrases and topic words standing inside sentences."""
        for words in clauses:
            squeezed = tuple(map(_squeeze, words))
            about_messages = any(word in self.contact for word in words)
            evidence.topic = evidence.topic or (about_messages and self._topic(words))
            for start, first in enumerate(squeezed):
                for term in self.by_first.get(first, ()):
                    end = start + len(term.words)
                    if squeezed[start:end] == term.squeezed:
                        self._place(term, words, start, end, about_messages, evidence)

    def _topic(self, words: tuple[str, ...]) -> bool:
        """Whether a word about messages stands near a word about ending them."""
        last_contact = last_cessation = -_TOPIC_WINDOW - 1
        for i, word in enumerate(words):
            if word in self.contact:
                last_contact = i
            if word in self.cessation:
                last_cessation = i
            if (
                abs(last_contact - last_cessation) <= _TOPIC_WINDOW
                and min(last_contact, last_cessation) >= 0
            ):
                return True
        return False

    def _place(
        self,
        term: _Term,
        words: tuple[str, ...],
        start: int,
        end: int,
        about_messages: bool,
        evidence: _Evidence,
    ) -> None:
        before = words[max(0, start - 2) : start]
        negated = any(word in self.negations for word in before) or words[end : end + 1] == ("pas",)
        if term.form == "phrase":
            (evidence.negated if negated else evidence.phrases).append(term)
        elif start and words[start - 1] in self.determiners:
            evidence.nouns.append(term)
        elif not term.alone_only or about_messages:
            evidence.signals.append(term)
            evidence.near_contact = evidence.near_contact or about_messages


class _WordSet:
    """Words given whole, or as a stem with a trailing `*`."""

    def __init__(self, entries: Iterable[str]) -> None:
        folded = [_fold(entry) for entry in entries]
        self.whole = frozenset(entry for entry in folded if not entry.endswith("*"))
        self.stems = tuple(entry[:-1] for entry in folded if entry.endswith("*"))

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (word in self.whole or word.startswith(self.stems))


def _term(kind: _Kind, form: _Form, entry: _EntryData) -> _Term:
    words = _words(entry.text)
    if not words:
        raise ValueError(f"{kind} entry {entry.text!r} has no letters")
    return _Term(
        kind=kind,
        form=form,
        text=entry.text,
        words=words,
        squeezed=tuple(map(_squeeze, words)),
        alone_only=entry.alone_only,
    )


@cache
def _lexicon() -> _Lexicon:
    raw = (files("smscheck") / "data" / "reply_keywords.toml").read_text(encoding="utf-8")
    return _Lexicon(_KeywordFile.model_validate(tomllib.loads(raw)))


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
    term: _Term | None,
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


def _first(terms: Iterable[_Term], kind: _Kind) -> _Term | None:
    return next((term for term in terms if term.kind == kind), None)


def _from_reading(reading: _Reading) -> ReplyClass:
    """The verdict on a reply that is nothing but keywords and filler."""
    if not reading.slots:
        return _verdict("other", "certain", None, _EXACT, "empty")
    terms = [term for slot in reading.slots for term in slot]
    kinds = {term.kind for term in terms}
    ambiguous = any(len({term.kind for term in slot}) > 1 for slot in reading.slots)
    kind: _Kind = next(kind for kind in _KINDS if kind in kinds)
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
        if reading.quality <= _TYPO
        else "repeated"
        if reading.quality < _WITH_FILLER
        else "filler"
        if padded
        else "exact"
    )
    sure = kind != "opt_in" or (
        reading.quality >= _REPEATED and not any(t.alone_only for t in terms)
    )
    return _verdict(kind, "certain" if sure else "review", term, confidence, finding)


def _from_evidence(evidence: _Evidence) -> ReplyClass:
    """The verdict on a longer reply, from what its sentences hold."""
    from_clauses = [term for reading in evidence.clauses for slot in reading.slots for term in slot]
    clause_quality = min((reading.quality for reading in evidence.clauses), default=_EXACT)
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
    lexicon = _lexicon()
    # Phrases are looked for in sentences, which a line break may wrap; a sentence is read as
    # a bare keyword line by line.
    folded = _fold(text)
    sentences = [words for part in _CLAUSE_BREAK.split(folded) if (words := _words(part))]
    lines = [
        words
        for part in _CLAUSE_BREAK.split(folded)
        for line in _LINE_BREAK.split(part)
        if (words := _words(line))
    ]
    every_word = [word for words in sentences for word in words]
    if len(every_word) <= _MAX_WHOLE:
        reading = lexicon.read_whole(every_word, in_clause=False)
        if reading is not None:
            return _from_reading(reading)
    evidence = _Evidence()
    if len(lines) > 1:
        for words in lines:
            if len(words) <= _MAX_WHOLE:
                reading = lexicon.read_whole(words, in_clause=True)
                if reading is not None and reading.slots:
                    evidence.clauses.append(reading)
    lexicon.scan(sentences, evidence)
    return _from_evidence(evidence)
