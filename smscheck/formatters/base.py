"""What every output format shares: a checked result, the run's summary, the formatter contract
and the per-verdict-list caches that let a campaign's recipients share one rendering."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TextIO, TypeVar

from smscheck.messages import LABELS, STATUS_WORDS
from smscheck.packs import Pack
from smscheck.verdicts import Lang, Report, Status, Verdict

QUIET = (Status.PASS, Status.NOT_APPLICABLE)


@dataclass(frozen=True, slots=True)
class Result:
    """A checked case, or an input that could not be checked."""

    location: str
    report: Report | None = None
    error: str | None = None  # in the language of the run
    lang: Lang = "fr"  # of the run (a report also carries its own)


# Verdict tuples are shared by every recipient of a campaign with the same profile (see
# `engine.Checker`), so what is derived from one is computed once and kept by its identity.
_T = TypeVar("_T")
CacheEntry = tuple[tuple[Verdict, ...], _T]


def per_verdicts(
    cache: dict[int, CacheEntry[_T]],
    verdicts: tuple[Verdict, ...],
    compute: Callable[[tuple[Verdict, ...]], _T],
) -> _T:
    """`compute(verdicts)`, remembered in `cache` by the tuple's identity."""
    cached = cache.get(id(verdicts))
    if cached is not None and cached[0] is verdicts:
        return cached[1]
    value = compute(verdicts)
    if len(cache) > 4096:
        cache.clear()
    cache[id(verdicts)] = (verdicts, value)
    return value


_problem_keys: dict[int, CacheEntry[tuple[str, ...]]] = {}


def _keys_of_problems(verdicts: tuple[Verdict, ...]) -> tuple[str, ...]:
    return tuple(f"{v.rule_id} {v.status.value}" for v in verdicts if v.status not in QUIET)


@dataclass
class Summary:
    """Counts over a run, and the first offending locations; summaries of chunks add up."""

    cases: int = 0
    errors: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[str] = field(default_factory=Counter)
    first_problems: list[str] = field(default_factory=list)

    def add(self, result: Result) -> None:
        if result.report is None:
            self.errors += 1
            self._remember(result.location)
            return
        self.cases += 1
        self.by_status[result.report.status.value] += 1
        for key in per_verdicts(_problem_keys, result.report.verdicts, _keys_of_problems):
            self.by_rule[key] += 1
        if result.report.status is not Status.PASS:
            self._remember(result.location)

    def merge(self, other: Summary) -> None:
        self.cases += other.cases
        self.errors += other.errors
        self.by_status.update(other.by_status)
        self.by_rule.update(other.by_rule)
        for location in other.first_problems:
            self._remember(location)

    def _remember(self, location: str) -> None:
        if len(self.first_problems) < 10:
            self.first_problems.append(location)

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if self.by_status[Status.FAIL.value] else 0

    def text(self, lang: Lang = "en") -> str:
        """The summary in a few lines: counts per status and per rule, the first problems."""
        words, labels, colon = STATUS_WORDS[lang], LABELS[lang], COLON[lang]
        statuses = ", ".join(
            f"{words[Status(name)]} {count}" for name, count in sorted(self.by_status.items())
        )
        rules = "".join(
            f"\n   {count:>8}  {rule} {words[status]}"
            for (rule, status), count in sorted(self.rule_counts().items())
        )
        first = ", ".join(self.first_problems)
        semicolon = SEMICOLON[lang]
        return (
            f"-- {self.cases} {labels['cases']}{colon} {statuses or '-'}{semicolon} "
            f"{self.errors} {labels['input_errors']}{rules}"
            + (f"\n-- {labels['first']}{colon} {first}" if first else "")
        )

    def rule_counts(self) -> dict[tuple[str, Status], int]:
        """Cases per rule and status that needs action."""
        counts = {}
        for key, count in self.by_rule.items():
            rule, status = key.split(" ", 1)
            counts[rule, Status(status)] = count
        return counts


# French typography puts a space before a colon or a semicolon.
COLON: dict[Lang, str] = {"fr": " :", "en": ":"}
SEMICOLON: dict[Lang, str] = {"fr": " ;", "en": ";"}


def json_str(value: str) -> str:
    """A JSON string as pydantic writes it (UTF-8, only quotes, backslashes and controls escaped)."""
    if value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return json.dumps(value, ensure_ascii=False)


def compact_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_each(rendered: Iterable[str], out: TextIO) -> None:
    """Write the rendered items as they come (formats with no header or footer)."""
    for text in rendered:
        out.write(text)


Write = Callable[[Iterable[str], TextIO], None]


@dataclass(frozen=True, slots=True)
class Style:
    """How a format for people lays a result out: passing rules too, colour (ANSI)."""

    verbose: bool = False
    colour: bool = False


PLAIN = Style()


@dataclass(frozen=True, slots=True)
class Formatter:
    """An output format: `item` renders one result (it may run in a worker process) and `write`
    lays the rendered items out on the output stream. `bind` tells `write` the packs of the
    run; `style` gives an `item` for a `Style` (formats that have one)."""

    item: Callable[[Result], str]
    write: Write
    bind: Callable[[Sequence[Pack]], Write] | None = None
    style: Callable[[Style], Callable[[Result], str]] | None = None

    def for_packs(self, packs: Sequence[Pack]) -> Formatter:
        """This format, its `write` told which packs the run loaded (for rule metadata)."""
        if self.bind is None:
            return self
        return Formatter(self.item, self.bind(packs), self.bind, self.style)

    def styled(self, style: Style) -> Formatter:
        """This format laid out in `style` (unchanged if it has no styles)."""
        if self.style is None:
            return self
        return Formatter(self.style(style), self.write, self.bind, self.style)
