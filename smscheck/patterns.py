"""Regular expressions from rule packs, compiled once and run with a time limit.

A pack is data and may come from a user (`--pack PATH`), so neither compiling nor running one of
its patterns may hang: the patterns run on one case share one time budget (`case_budget`), a
pattern that runs out of it raises PatternTimeout (the rule then says `review`), and a pattern
whose counted repeats would unroll into a huge program, or that is absurdly long, is refused
when the pack loads. `Pattern` is also a pydantic field type, compiled as the model validates,
so that a pack's named-check arguments are refused at load rather than when first run.
"""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import regex
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from smscheck.verdicts import Span

# The patterns run on one case (all its rules) share this much CPU time, counted while they run;
# once it is spent, the pattern running and those after it stop and their rules say so.
TIMEOUT_SECONDS = 0.25
# The regex module unrolls nested counted repeats when compiling: `(?:(?:a{300}){300}){300}`
# takes 7 s. The cost measure below (repeats times the repeats around them) is refused beyond
# this, which keeps any compile well under a second.
MAX_REPEAT_COST = 100_000
MAX_PATTERN_CHARS = 20_000

FLAGS = regex.IGNORECASE | regex.UNICODE


class PatternTimeout(Exception):
    """A pattern ran out of time on this text; its text is the (shortened) pattern."""


class _Budget:
    """The pattern time left to the case being checked."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


_BUDGET: ContextVar[_Budget | None] = ContextVar("smscheck_pattern_budget", default=None)


@contextmanager
def case_budget(seconds: float = TIMEOUT_SECONDS) -> Iterator[None]:
    """Patterns run within this block share `seconds` of running time in all (one case's
    rules); outside such a block each search has TIMEOUT_SECONDS."""
    token = _BUDGET.set(_Budget(seconds))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def shorten(source: str, limit: int = 80) -> str:
    """A pattern as quoted in messages: at most `limit` characters."""
    return source if len(source) <= limit else source[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Pattern:
    source: str
    compiled: regex.Pattern[str]

    def spans(self, text: str, *, limit: int = 5) -> tuple[Span, ...]:
        """Up to `limit` matches in `text`, as evidence spans; PatternTimeout if too slow."""
        found: list[Span] = []
        budget = self.budget()
        # The budget is spent in this thread's CPU time, so that time the machine gives to other
        # processes is not charged to the case (each search's own limit stays wall-clock: the
        # regex module knows no other; a quick search is far within it). The garbage collector
        # waits meanwhile: a full collection of a large heap takes as long as the whole budget,
        # and the match objects of a search would otherwise set one off and charge it to the
        # case (a review that another run of the same input would not give).
        collecting = gc.isenabled()
        if collecting:
            gc.disable()
        started = time.thread_time()
        try:
            for match in self.compiled.finditer(text, timeout=budget.seconds):
                found.append(Span(start=match.start(), end=match.end(), text=match.group()))
                if len(found) == limit:
                    break
        except TimeoutError as exc:
            raise PatternTimeout(shorten(self.source)) from exc
        finally:
            budget.seconds -= time.thread_time() - started
            if collecting:
                gc.enable()
        return tuple(found)

    def budget(self) -> _Budget:
        """The time left for a search; PatternTimeout, naming this pattern, when none is left.
        A search result kept and reused asks for it too: a spent budget stops it all the same."""
        budget = _BUDGET.get() or _Budget(TIMEOUT_SECONDS)
        if budget.seconds <= 0:
            raise PatternTimeout(shorten(self.source))
        return budget

    def first(self, text: str) -> Span | None:
        spans = self.spans(text, limit=1)
        return spans[0] if spans else None

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """In a model, a pattern is written as its text and compiled as the model validates."""
        return core_schema.no_info_after_validator_function(
            compile_pattern,
            core_schema.str_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda pattern: pattern.source
            ),
        )


def compile_pattern(source: str) -> Pattern:
    """Compile a pack pattern; ValueError with the reason when it does not compile."""
    quoted = repr(shorten(source))
    if len(source) > MAX_PATTERN_CHARS:
        raise ValueError(
            f"pattern {quoted} is {len(source)} characters long, more than {MAX_PATTERN_CHARS}"
        )
    cost = repeat_cost(source)
    if cost > MAX_REPEAT_COST:
        raise ValueError(
            f"pattern {quoted} has counted repeats nested too deep to compile "
            f"(cost {cost}, at most {MAX_REPEAT_COST}): avoid {{n}} inside {{n}}"
        )
    try:
        return Pattern(source, regex.compile(source, FLAGS))
    except regex.error as exc:
        raise ValueError(f"pattern {quoted} does not compile: {exc}") from None
    except (RecursionError, OverflowError, MemoryError):
        raise ValueError(f"pattern {quoted} does not compile: nested too deep or too big") from None


_COUNT = re.compile(r"\{(?:(\d+)(?:,(\d*))?|,(\d+))\}")


def repeat_cost(source: str) -> int:
    """How much counted repeats `{m,n}` unroll: each repeat's count times those of the groups
    around it, summed over the pattern (`a{5}` costs 5, `(?:a{5}b){10}` 50, plain text 0).

    A lexical estimate, a guard against accidents rather than a parser: escapes and character
    classes are skipped, and unbalanced parentheses are tolerated.
    """
    frames = [0]  # cost inside each open group; frames[0] is the whole pattern
    closed: int | None = None  # cost of the group that just closed, while a repeat may follow
    index, size = 0, len(source)
    while index < size:
        char = source[index]
        count = _COUNT.match(source, index) if char == "{" else None
        if count is not None:
            times = max(int(found) for found in count.groups() if found)
            if closed is not None:
                frames[-1] += max(closed, 1) * times - closed
            else:
                frames[-1] += times
            closed = None
            index = count.end()
            continue
        closed = None
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(source, index)
        elif char == "(":
            frames.append(0)
        elif char == ")" and len(frames) > 1:
            closed = frames.pop()
            frames[-1] += closed
        index += 1
    return sum(frames)


def _class_end(source: str, start: int) -> int:
    """The index of the `]` closing the character class opened at `start` (or the end)."""
    index = start + 1
    if source.startswith("^", index):
        index += 1
    if source.startswith("]", index):
        index += 1
    while index < len(source):
        if source[index] == "\\":
            index += 2
            continue
        if source[index] == "]":
            return index
        index += 1
    return len(source)
