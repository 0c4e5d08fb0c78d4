"""Regular expressions from rule packs, compiled once and run with a time limit."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from smscheck.verdicts import Span

# A pattern that runs longer than this on one body is stopped and the rule says so.
TIMEOUT_SECONDS = 0.25

FLAGS = regex.IGNORECASE | regex.UNICODE


class PatternTimeout(Exception):
    """A pattern ran out of time on this text."""


@dataclass(frozen=True, slots=True)
class Pattern:
    source: str
    compiled: regex.Pattern[str]

    def spans(self, text: str, *, limit: int = 5) -> tuple[Span, ...]:
        """Up to `limit` matches in `text`, as evidence spans."""
        found: list[Span] = []
        try:
            for match in self.compiled.finditer(text, timeout=TIMEOUT_SECONDS):
                found.append(Span(start=match.start(), end=match.end(), text=match.group()))
                if len(found) == limit:
                    break
        except TimeoutError as exc:
            raise PatternTimeout(self.source) from exc
        return tuple(found)

    def first(self, text: str) -> Span | None:
        spans = self.spans(text, limit=1)
        return spans[0] if spans else None


def compile_pattern(source: str) -> Pattern:
    """Compile a pack pattern; ValueError with the reason when it does not compile."""
    try:
        return Pattern(source, regex.compile(source, FLAGS))
    except regex.error as exc:
        raise ValueError(f"pattern {source!r} does not compile: {exc}") from exc
