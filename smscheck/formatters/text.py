"""The `text` format, for a terminal: one line per verdict, details under those that need action."""

from __future__ import annotations

from smscheck.formatters.base import QUIET, Formatter, Result, write_each
from smscheck.verdicts import Report

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
        if verdict.status in QUIET:
            continue
        for span in verdict.evidence:
            lines.append(f"{'':18}{labels['evidence']}: « {span.text} » [{span.start}:{span.end}]")
        cite = verdict.citation
        article = f", {cite.article}" if cite.article else ""
        lines.append(f"{'':18}{labels['source']}: {cite.reference}{article} <{cite.link}>")
        if verdict.remedy:
            lines.append(f"{'':18}{labels['remedy']}: {verdict.remedy}")
    return "\n".join(lines) + "\n"


def item(result: Result) -> str:
    if result.report is None:
        return f"{result.location}: error: {result.error}\n"
    return text_report(result.report, result.location)


FORMATTER = Formatter(item, write_each)
