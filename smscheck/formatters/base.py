"""What every output format shares: a checked result, the run's summary, the formatter contract
and the per-verdict-list caches that let a campaign's recipients share one rendering."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from importlib import metadata
from typing import TextIO, TypeVar

from smscheck.messages import LABELS, STATUS_WORDS
from smscheck.packs import Pack
from smscheck.recent import MAX_REPORTS, Recent
from smscheck.selection import Selection
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


# A verdict tuple is one object for every recipient whose rules gave the same verdicts, and a
# shared report one for every case with the same verdicts (see `engine.Checker`), so what is
# derived from one is computed once and kept by its identity.
_K = TypeVar("_K")
_T = TypeVar("_T")
CacheEntry = tuple[_K, _T]


def remembered(cache: Recent[int, CacheEntry[_K, _T]], of: _K, compute: Callable[[_K], _T]) -> _T:
    """`compute(of)`, remembered in `cache` by the identity of `of` (the entry holds it: its id
    stays its own)."""
    cached = cache.found(id(of))
    if cached is not None and cached[0] is of:
        return cached[1]
    return cache.keep(id(of), (of, compute(of)))[1]


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


_MAX_PENDING = 4096
_FIRST_PROBLEMS = 10  # locations of problems a summary names

# What a case's report adds to a summary: its status, its findings (`_keys_of_problems`) and, for
# a case with a problem, the template it was filled from. Distinct reports (one per merged body
# and verdicts) add up to few distinct tallies: a chunk's cases are added up once per tally.
_Tally = tuple[Status, tuple[str, ...], str | None]
_tallies: Recent[int, CacheEntry[Report, _Tally]] = Recent(MAX_REPORTS)


def _tally(report: Report) -> _Tally:
    problem = report.status is not Status.PASS
    return (
        report.status,
        _keys_of_problems(report.verdicts),  # made once per report, by `_tallies`
        report.template if problem else None,
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
    # Cases counted but not yet added up (see `count`), by what their reports add up.
    _pending: dict[_Tally, int] = field(default_factory=dict, repr=False, compare=False)

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
        self.count(result.report, result.location)
        self.settle()

    def count(self, report: Report, location: str) -> None:
        """Count a case's report; reports that add up the same (status, findings, template) are
        counted together and added up by `settle`, which must come before the counts are read."""
        tally = remembered(_tallies, report, _tally)
        pending = self._pending
        if len(pending) >= _MAX_PENDING and tally not in pending:  # memory stays flat
            self.settle()
        pending[tally] = pending.get(tally, 0) + 1
        if tally[0] is not Status.PASS and len(self.first_problems) < _FIRST_PROBLEMS:
            self.first_problems.append(location)

    def settle(self) -> None:
        """Add up the reports counted since the last time."""
        for (status, keys, template), cases in self._pending.items():
            self.cases += cases
            self.by_status[status.value] += cases
            for key in keys:
                self.by_rule[key] += cases
            if template is not None:
                self.template_recipients[template] += cases
        self._pending.clear()

    def merge(self, other: Summary) -> None:
        self.settle()
        other.settle()
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
        if len(self.first_problems) < _FIRST_PROBLEMS:
            self.first_problems.append(location)

    @property
    def exit_code(self) -> int:
        return self.exit_code_for(Status.FAIL)

    def exit_code_for(self, fail_on: Status) -> int:
        """2 if an input could not be checked; else 1 if a case or a template has a status as
        serious as `fail_on` (fail, review or warn), 0 otherwise."""
        self.settle()
        if self.errors:
            return 2
        found = (self.by_status + self.by_template_status).keys()
        return 1 if any(at_least(Status(name), fail_on) for name in found) else 0

    def text(self, lang: Lang = "en") -> str:
        """The summary in a few lines: counts per status and per rule, the first problems."""
        self.settle()
        words, labels, colon, semicolon = (
            STATUS_WORDS[lang],
            LABELS[lang],
            COLON[lang],
            SEMICOLON[lang],
        )

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
        self.settle()
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
class Frame:
    """What a format's output holds around its items, in a format whose `write` only joins them:
    `opening`, the items as they come, the first without its first `lead` characters (the
    separator each item starts with), then `closing(errors, stopped)`, given the input errors
    among the items written and whether the writing stopped before the end."""

    opening: str
    closing: Callable[[int, bool], str]
    lead: int = 0

    def write(self, items: Iterable[str], out: TextIO, errors: Callable[[], int]) -> None:
        """`opening`, then `items` as they are (whoever gives them drops the first's `lead`),
        then the closing; begun, the output is closed whatever stops it, marked as stopped."""
        # Set just before the write: Ctrl-C raises after a write, not within one.
        begun = False
        try:
            begun = True
            out.write(self.opening)
            for text in items:
                out.write(text)
            end = self.closing(errors(), False)
        except BaseException:  # interrupted, or an error: an output begun still ends, marked
            if begun:
                with suppress(OSError):
                    out.write(self.closing(errors(), True))
            raise
        out.write(end)


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
    run; `style` gives an `item` for a `Style` (formats that have one). `case`, in formats for
    machines, renders a case from the report its checker shares among cases with the same
    verdicts (`Checker.shared_report`), the recipient as shown and the source: the bytes `item`
    gives for the report filled in, what depends on the shared report made once for it.
    `encoded`, in formats whose items are written as they come, gives for an output encoding a
    `case` that renders those bytes already encoded (None for an encoding it cannot join).
    `head`, in a format whose `write` puts one line before the first item and then writes the
    items as they come, gives that line for the packs of the run: whoever writes the items
    itself writes it first. `run`, in a format whose items `write` would still rework (SARIF's
    rule indices), gives for the run's packs, language and selection the format whose items are
    rendered whole, that its `write` only joins (see `for_run`); `frame`, in such a format,
    what `write` puts around them, for whoever joins the items itself."""

    item: Callable[[Result], str]
    write: Write
    bind: Callable[[Sequence[Pack]], Write] | None = None
    style: Callable[[Style], Callable[[Result], str]] | None = None
    case: Callable[[Report, str, str], str] | None = None
    encoded: Callable[[tuple[str, str]], Callable[[Report, str, str], bytes] | None] | None = None
    head: Callable[[Sequence[Pack]], str] | None = None
    run: Callable[[Sequence[Pack], Lang, Selection], Formatter] | None = None
    frame: Frame | None = None

    def for_packs(self, packs: Sequence[Pack]) -> Formatter:
        """This format, its `write` told which packs the run loaded (for rule metadata)."""
        if self.bind is None:
            return self
        return replace(self, write=self.bind(packs))

    def for_run(self, packs: Sequence[Pack], lang: Lang, selection: Selection) -> Formatter:
        """This format for a run of the command: its `write` told the packs, and its items (in
        any process that builds it for the same run) rendered as that `write` takes them."""
        if self.run is None:
            return self.for_packs(packs)
        return self.run(packs, lang, selection)

    def styled(self, style: Style) -> Formatter:
        """This format laid out in `style` (unchanged if it has no styles)."""
        if self.style is None:
            return self
        return replace(self, item=self.style(style))
