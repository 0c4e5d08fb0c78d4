"""What every output format shares: a checked result, the run's summary, the formatter contract
and the per-verdict-list caches that let a campaign's recipients share one rendering."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import TextIO, TypeVar

from smscheck.messages import LABELS, STATUS_WORDS
from smscheck.packs import Pack
from smscheck.verdicts import Lang, Report, Status, TemplateReport, Verdict, at_least

QUIET = (Status.PASS, Status.NOT_APPLICABLE)


@dataclass(frozen=True, slots=True)
class Result:
    """A checked case, a checked campaign template, or an input that could not be checked."""

    location: str
    report: Report | None = None
    error: str | None = None  # in the language of the run
    template: TemplateReport | None = None
    lang: Lang = "fr"  # of the run (a report also carries its own)
    body: str | None = None  # the message's text (a template's, or a case read alone)


# A verdict tuple is one object for every recipient whose rules gave the same verdicts (see
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
_verdict_keys: dict[int, tuple[Verdict, str | None]] = {}


def _keys_of_problems(verdicts: tuple[Verdict, ...]) -> tuple[str, ...]:
    """`RULE status` for each verdict that is not quiet, `(accepted)` added where it is; made
    once per verdict (lists are rarely shared whole, their verdicts are)."""
    keys = []
    for verdict in verdicts:
        found = _verdict_keys.get(id(verdict))
        if found is None or found[0] is not verdict:  # the entry holds it: its id is its own
            if len(_verdict_keys) > 16_384:
                _verdict_keys.clear()
            found = _verdict_keys[id(verdict)] = (verdict, _problem_key(verdict))
        if found[1] is not None:
            keys.append(found[1])
    return tuple(keys)


def _problem_key(verdict: Verdict) -> str | None:
    if verdict.status in QUIET:
        return None
    return f"{verdict.rule_id} {verdict.status.value}" + (
        "" if verdict.accepted is None else " (accepted)"
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
    # Per template (by its source `file:line`): its id, its own findings, and its recipients
    # that need action.
    template_ids: dict[str, str] = field(default_factory=dict)
    template_findings: Counter[str] = field(default_factory=Counter)
    template_recipients: Counter[str] = field(default_factory=Counter)

    def add(self, result: Result) -> None:
        if result.template is not None:
            self.templates += 1
            self.by_template_status[result.template.status.value] += 1
            problems = _keys_of_problems(result.template.verdicts)
            self.by_rule.update(problems)
            self.template_ids[result.location] = result.template.template or ""
            self.template_findings[result.location] += len(problems)
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
            if result.report.template is not None:
                self.template_recipients[result.report.template] += 1

    def merge(self, other: Summary) -> None:
        self.cases += other.cases
        self.errors += other.errors
        self.templates += other.templates
        self.by_status.update(other.by_status)
        self.by_template_status.update(other.by_template_status)
        self.by_rule.update(other.by_rule)
        self.template_ids.update(other.template_ids)
        self.template_findings.update(other.template_findings)
        self.template_recipients.update(other.template_recipients)
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

    def text(self, lang: Lang = "en") -> str:
        """The summary in a few lines: counts per status and per rule, the first problems."""
        words, labels, colon, semicolon = STATUS_WORDS[lang], LABELS[lang], COLON[lang], SEMICOLON[lang]

        def counted(counter: Counter[str]) -> str:
            return ", ".join(f"{words[Status(name)]} {n}" for name, n in sorted(counter.items()))

        templates = (
            f"{self.templates} {labels['templates']}{colon} {counted(self.by_template_status)}"
            f"{semicolon} "
            if self.templates
            else ""
        )
        rules = "".join(
            f"\n   {count:>8}  {rule} {words[status]}"
            + (f" ({labels['accepted']})" if accepted else "")
            for (rule, status, accepted), count in sorted(self.rule_counts().items())
        )
        first = ", ".join(self.first_problems)
        return (
            f"-- {self.cases} {labels['cases']}{colon} {counted(self.by_status) or '-'}{semicolon} "
            f"{templates}{self.errors} {labels['input_errors']}{rules}"
            + (f"\n-- {labels['first']}{colon} {first}" if first else "")
        )

    def rule_counts(self) -> dict[tuple[str, Status, bool], int]:
        """Findings per rule, status that needs action, and whether they were accepted (a
        template's finding counts once)."""
        counts = {}
        for key, count in self.by_rule.items():
            rule, status, *accepted = key.split(" ", 2)
            counts[rule, Status(status), bool(accepted)] = count
        return counts


# French typography puts a space before a colon or a semicolon.
COLON: dict[Lang, str] = {"fr": " :", "en": ":"}
SEMICOLON: dict[Lang, str] = {"fr": " ;", "en": ";"}


def tool_version() -> str:
    """smscheck's installed version, as reports record it."""
    try:
        return metadata.version("smscheck")
    except metadata.PackageNotFoundError:
        return "0.0.0"


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
