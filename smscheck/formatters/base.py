"""What every output format shares: a checked result, the run's summary, the formatter contract
and the per-verdict-list caches that let a campaign's recipients share one rendering."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TextIO, TypeVar

from smscheck.packs import Pack
from smscheck.verdicts import Report, Status, TemplateReport, Verdict, at_least

QUIET = (Status.PASS, Status.NOT_APPLICABLE)


@dataclass(frozen=True, slots=True)
class Result:
    """A checked case, a checked campaign template, or an input that could not be checked."""

    location: str
    report: Report | None = None
    error: str | None = None
    template: TemplateReport | None = None


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
    return tuple(
        f"{v.rule_id} {v.status.value}" + ("" if v.accepted is None else " (accepted)")
        for v in verdicts
        if v.status not in QUIET
    )


@dataclass
class Summary:
    """Counts over a run, and the first offending locations; summaries of chunks add up.

    Campaign templates are counted apart from cases; a finding of a template counts once in
    `by_rule`, however many recipients it has."""

    cases: int = 0
    errors: int = 0
    templates: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_template_status: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[str] = field(default_factory=Counter)
    first_problems: list[str] = field(default_factory=list)

    def add(self, result: Result) -> None:
        if result.template is not None:
            self.templates += 1
            self.by_template_status[result.template.status.value] += 1
            self.by_rule.update(_keys_of_problems(result.template.verdicts))
            if result.template.status is not Status.PASS:
                self._remember(result.location)
            return
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
        self.templates += other.templates
        self.by_status.update(other.by_status)
        self.by_template_status.update(other.by_template_status)
        self.by_rule.update(other.by_rule)
        for location in other.first_problems:
            self._remember(location)

    def _remember(self, location: str) -> None:
        if len(self.first_problems) < 10:
            self.first_problems.append(location)

    @property
    def exit_code(self) -> int:
        return self.exit_code_for(Status.FAIL)

    def exit_code_for(self, fail_on: Status) -> int:
        """2 if an input could not be checked; else 1 if a case or a template has a status as
        serious as `fail_on` (fail, review or warn), 0 otherwise."""
        if self.errors:
            return 2
        found = (self.by_status + self.by_template_status).keys()
        return 1 if any(at_least(Status(name), fail_on) for name in found) else 0

    def text(self) -> str:
        statuses = ", ".join(f"{name} {count}" for name, count in sorted(self.by_status.items()))
        templates = ", ".join(
            f"{name} {count}" for name, count in sorted(self.by_template_status.items())
        )
        rules = "".join(f"\n   {count:>8}  {rule}" for rule, count in sorted(self.by_rule.items()))
        first = ", ".join(self.first_problems)
        return (
            f"-- {self.cases} case(s): {statuses or 'none'}; "
            + (f"{self.templates} template(s): {templates}; " if self.templates else "")
            + f"{self.errors} input error(s){rules}"
            + (f"\n-- first problems: {first}" if first else "")
        )


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
class Formatter:
    """An output format: `item` renders one result (it may run in a worker process) and `write`
    lays the rendered items out on the output stream."""

    item: Callable[[Result], str]
    write: Write
    bind: Callable[[Sequence[Pack]], Write] | None = None

    def for_packs(self, packs: Sequence[Pack]) -> Formatter:
        """This format, its `write` told which packs the run loaded (for rule metadata)."""
        return self if self.bind is None else Formatter(self.item, self.bind(packs), self.bind)
