"""Output formats, keyed by name. Each is two plain functions: `item` renders one result (it may
run in a worker process) and `write` lays the rendered items out on the output stream."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

from pydantic import TypeAdapter

from smscheck.verdicts import Report, Status, Verdict

_QUIET = (Status.PASS, Status.NOT_APPLICABLE)


@dataclass(frozen=True, slots=True)
class Result:
    """A checked case, or an input that could not be checked."""

    location: str
    report: Report | None = None
    error: str | None = None


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
        for verdict in result.report.verdicts:
            if verdict.status not in _QUIET:
                self.by_rule[f"{verdict.rule_id} {verdict.status.value}"] += 1
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

    def text(self) -> str:
        statuses = ", ".join(f"{name} {count}" for name, count in sorted(self.by_status.items()))
        rules = "".join(f"\n   {count:>8}  {rule}" for rule, count in sorted(self.by_rule.items()))
        first = ", ".join(self.first_problems)
        return (
            f"-- {self.cases} case(s): {statuses or 'none'}; {self.errors} input error(s)"
            f"{rules}" + (f"\n-- first problems: {first}" if first else "")
        )


_LABELS = {
    "fr": {"evidence": "preuve", "source": "source", "remedy": "correction", "rules": "règles au"},
    "en": {"evidence": "evidence", "source": "source", "remedy": "remedy", "rules": "rules as of"},
}


def text_report(report: Report, where: str) -> str:
    """A report for a terminal: one line per verdict, details under the ones that need action."""
    labels = _LABELS[report.lang]
    packs = ", ".join(f"{pack.name} {pack.version}" for pack in report.packs) or "-"
    lines = [
        f"{where}: {report.status.value.upper()} ({report.recipient}; "
        f"{labels['rules']} {report.resolved_at}: {packs})"
    ]
    for verdict in report.verdicts:
        lines.append(f"  {verdict.status.value:<14} {verdict.rule_id:<16} {verdict.message}")
        if verdict.status in _QUIET:
            continue
        for span in verdict.evidence:
            lines.append(f"{'':18}{labels['evidence']}: « {span.text} » [{span.start}:{span.end}]")
        cite = verdict.citation
        article = f", {cite.article}" if cite.article else ""
        lines.append(f"{'':18}{labels['source']}: {cite.reference}{article} <{cite.link}>")
        if verdict.remedy:
            lines.append(f"{'':18}{labels['remedy']}: {verdict.remedy}")
    return "\n".join(lines) + "\n"


def _text_item(result: Result) -> str:
    if result.report is None:
        return f"{result.location}: error: {result.error}\n"
    return text_report(result.report, result.location)


_VERDICTS = TypeAdapter(tuple[Verdict, ...])
# Verdict lists are shared by every recipient of a campaign with the same profile: render each once.
_rendered: dict[int, tuple[tuple[Verdict, ...], str]] = {}


def _verdicts_json(verdicts: tuple[Verdict, ...]) -> str:
    cached = _rendered.get(id(verdicts))
    if cached is not None and cached[0] is verdicts:
        return cached[1]
    text = _VERDICTS.dump_json(verdicts).decode()
    if len(_rendered) > 4096:
        _rendered.clear()
    _rendered[id(verdicts)] = (verdicts, text)
    return text


def report_json(report: Report) -> str:
    """The report as compact JSON, the same bytes as `report.model_dump_json()`."""
    head = f'{{"status":"{report.status.value}","verdicts":'
    packs = ",".join(f'{{"name":{_str(p.name)},"version":{_str(p.version)}}}' for p in report.packs)
    tail = (
        f',"packs":[{packs}],"resolved_at":"{report.resolved_at.isoformat()}",'
        f'"lang":"{report.lang}","recipient":{_str(report.recipient)},'
        f'"source":{"null" if report.source is None else _str(report.source)}}}'
    )
    return head + _verdicts_json(report.verdicts) + tail


def _str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _json_item(result: Result) -> str:
    if result.report is None:
        return (
            json.dumps({"source": result.location, "error": result.error}, ensure_ascii=False)
            + "\n"
        )
    return report_json(result.report) + "\n"


def _write_each(rendered: Iterable[str], out: TextIO) -> None:
    for text in rendered:
        out.write(text)


@dataclass(frozen=True, slots=True)
class Formatter:
    item: Callable[[Result], str]
    write: Callable[[Iterable[str], TextIO], None]


FORMATTERS: Mapping[str, Formatter] = {
    "text": Formatter(_text_item, _write_each),
    "json": Formatter(_json_item, _write_each),
}
