"""Output formats, as plain functions keyed by name. Each reads a stream of results and writes."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TextIO

from smscheck.inputs import Location
from smscheck.verdicts import Lang, Report, Status

_QUIET = (Status.PASS, Status.NOT_APPLICABLE)


@dataclass(frozen=True, slots=True)
class Result:
    """A checked case, or an input that could not be checked."""

    location: Location
    report: Report | None = None
    error: str | None = None


@dataclass
class Summary:
    """Counts over a run; the first offending locations, for the closing lines."""

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

    def _remember(self, location: Location) -> None:
        if len(self.first_problems) < 10:
            self.first_problems.append(str(location))

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if self.by_status[Status.FAIL.value] else 0

    def text(self) -> str:
        statuses = ", ".join(f"{name} {count}" for name, count in sorted(self.by_status.items()))
        rules = "".join(f"\n   {count:>8}  {rule}" for rule, count in self.by_rule.most_common())
        first = ", ".join(self.first_problems)
        return (
            f"-- {self.cases} case(s): {statuses or 'none'}; {self.errors} input error(s)"
            f"{rules}" + (f"\n-- first problems: {first}" if first else "")
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "cases": self.cases,
            "input_errors": self.errors,
            "by_status": dict(sorted(self.by_status.items())),
            "by_rule": dict(sorted(self.by_rule.items())),
            "first_problems": self.first_problems,
        }


def counted(results: Iterable[Result], summary: Summary) -> Iterator[Result]:
    for result in results:
        summary.add(result)
        yield result


_LABELS = {
    "fr": {"evidence": "preuve", "source": "source", "remedy": "correction", "rules": "règles au"},
    "en": {"evidence": "evidence", "source": "source", "remedy": "remedy", "rules": "rules as of"},
}


def text_report(report: Report, where: str) -> str:
    """A report for a terminal: one line per verdict, details under the ones that need action."""
    labels = _LABELS[report.lang]
    packs = ", ".join(f"{pack.name} {pack.version}" for pack in report.packs)
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
    return "\n".join(lines)


def format_text(results: Iterable[Result], out: TextIO, lang: Lang) -> None:
    for result in results:
        if result.report is None:
            out.write(f"{result.location}: error: {result.error}\n")
        else:
            out.write(text_report(result.report, str(result.location)) + "\n")


def format_json(results: Iterable[Result], out: TextIO, lang: Lang) -> None:
    """One JSON report per line (input errors as `{"source", "error"}`), then nothing else."""
    for result in results:
        if result.report is None:
            out.write(json.dumps({"source": str(result.location), "error": result.error}) + "\n")
        else:
            out.write(result.report.model_dump_json() + "\n")


Formatter = Callable[[Iterable[Result], TextIO, Lang], None]

FORMATTERS: Mapping[str, Formatter] = {
    "text": format_text,
    "json": format_json,
}
