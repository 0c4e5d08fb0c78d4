"""The words that classify a reply, read from `smscheck/data/reply_keywords.toml`, and how a
reply's words are matched against them (see `smscheck.replies` for the verdicts).

Matching ignores case, accents, punctuation, emoji, extra spaces and repeated letters; a
number glued to letters stands apart ("STOP36111"); a sentence ends at punctuation or at a
line break, though a phrase may run over a line break.
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

from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["opt_out", "opt_in", "help"]
Form = Literal["keyword", "phrase", "soft_phrase", "doubtful"]

KINDS: tuple[Kind, ...] = ("opt_out", "opt_in", "help")
# How well words match a term: the confidence a verdict starts from.
EXACT = 1.0
REPEATED = 0.9
TYPO = 0.8
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
        for kind in KINDS:
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
class Term:
    kind: Kind
    form: Form
    text: str
    words: tuple[str, ...]
    squeezed: tuple[str, ...]
    alone_only: bool


@dataclass(frozen=True, slots=True)
class Reading:
    """A short reply read as keywords and filler; `slots` holds the candidates for each keyword.

    `objects` counts the words naming the messages ("des SMS"), which only an opt-out may have.
    """

    quality: float
    fillers: int
    slots: tuple[tuple[Term, ...], ...]
    objects: int = 0

    def rank(self) -> tuple[float, int, int]:
        return (self.quality, -self.fillers - self.objects, -len(self.slots))


@dataclass(slots=True)
class Evidence:
    """What a longer reply holds, gathered sentence by sentence."""

    clauses: list[Reading] = field(default_factory=list)
    phrases: list[Term] = field(default_factory=list)
    negated: list[Term] = field(default_factory=list)
    signals: list[Term] = field(default_factory=list)
    near_contact: bool = False
    topic: bool = False
    nouns: list[Term] = field(default_factory=list)


class Lexicon:
    def __init__(self, data: _KeywordFile) -> None:
        terms: list[Term] = []
        for kind in KINDS:
            group: _ClassData = getattr(data, kind)
            forms: tuple[tuple[Form, tuple[_EntryData, ...]], ...] = (
                ("keyword", group.keywords),
                ("phrase", group.phrases),
                ("soft_phrase", group.soft_phrases),
                ("doubtful", group.doubtful),
            )
            for form, entries in forms:
                terms.extend(_term(kind, form, entry) for entry in entries)
        self.exact: dict[tuple[str, ...], Term] = {}
        self.squeezed: dict[tuple[str, ...], list[Term]] = {}
        self.by_size: dict[int, list[Term]] = {}
        self.by_first: dict[str, list[Term]] = {}
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
    ) -> tuple[float, tuple[Term, ...]]:
        """The terms a stretch of words can be, and how well it matches them."""
        term = self.exact.get(words)
        if term is not None:
            return EXACT, (term,)
        found = self.squeezed.get(squeezed)
        if found:
            return REPEATED, tuple(found)
        if typos:
            near = tuple(
                term
                for term in self.by_size.get(len(words), ())
                if self._one_typo(words, squeezed, term)
            )
            if near:
                return TYPO, near
        return 0.0, ()

    def _one_typo(self, words: tuple[str, ...], squeezed: tuple[str, ...], term: Term) -> bool:
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

    def read_whole(self, words: Sequence[str], *, in_clause: bool) -> Reading | None:
        """The best reading of `words` as nothing but keywords and filler, if there is one."""
        if len(words) >= 3 and all(len(word) == 1 for word in words):
            return self._read(("".join(words),), in_clause, cap=REPEATED)
        return self._read(tuple(words), in_clause, cap=EXACT)

    def _read(self, words: tuple[str, ...], in_clause: bool, cap: float) -> Reading | None:
        squeezed = tuple(map(_squeeze, words))
        for typos in (False, True):
            best: list[Reading | None] = [Reading(cap, 0, ())] + [None] * len(words)
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
        here: Reading,
        words: tuple[str, ...],
        squeezed: tuple[str, ...],
        in_clause: bool,
        typos: bool,
    ) -> Reading | None:
        if words in self.filler or (len(words) == 1 and words[0].isdecimal()):
            return Reading(here.quality, here.fillers + len(words), here.slots, here.objects)
        if self._names_messages(words):
            return Reading(here.quality, here.fillers, here.slots, here.objects + 1)
        quality, terms = self.candidates(words, squeezed, typos=typos)
        if in_clause:
            terms = tuple(term for term in terms if not term.alone_only)
        if not terms:
            return None
        slots = (*here.slots, terms)
        return Reading(min(here.quality, quality), here.fillers, slots, here.objects)

    def _names_messages(self, words: tuple[str, ...]) -> bool:
        """Whether the words name the messages or the list ("des SMS", "au 36111", "de vos listes").

        Next to a keyword they say what to stop ("STOP SPAM", "Arrêt des SMS"); alone, nothing.
        """
        last = words[-1]
        named = last.isdecimal() or last in self.messages
        return named and (len(words) == 1 or words[:-1] in self.links)

    def scan(self, clauses: Iterable[tuple[str, ...]], evidence: Evidence) -> None:
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
        term: Term,
        words: tuple[str, ...],
        start: int,
        end: int,
        about_messages: bool,
        evidence: Evidence,
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


def _term(kind: Kind, form: Form, entry: _EntryData) -> Term:
    words = _words(entry.text)
    if not words:
        raise ValueError(f"{kind} entry {entry.text!r} has no letters")
    return Term(
        kind=kind,
        form=form,
        text=entry.text,
        words=words,
        squeezed=tuple(map(_squeeze, words)),
        alone_only=entry.alone_only,
    )


@cache
def lexicon() -> Lexicon:
    raw = (files("smscheck") / "data" / "reply_keywords.toml").read_text(encoding="utf-8")
    return Lexicon(_KeywordFile.model_validate(tomllib.loads(raw)))


def split_reply(text: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """A reply's words, sentence by sentence and line by line within sentences.

    Phrases are looked for in sentences, which a line break may wrap; a sentence is read as a
    bare keyword line by line.
    """
    folded = _fold(text)
    sentences = [words for part in _CLAUSE_BREAK.split(folded) if (words := _words(part))]
    lines = [
        words
        for part in _CLAUSE_BREAK.split(folded)
        for line in _LINE_BREAK.split(part)
        if (words := _words(line))
    ]
    return sentences, lines
