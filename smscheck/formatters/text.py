"""The `text` format, for a terminal: one line per verdict, details under those that need action."""

from __future__ import annotations

from smscheck.formatters.base import QUIET, Formatter, Result, write_each
from smscheck.verdicts import Report, TemplateReport, Verdict

_LABELS = {
    "fr": {
        "evidence": "preuve",
        "source": "source",
        "remedy": "correction",
        "rules": "règles au",
        "template": "modèle",
        "see": "verdicts du message au modèle",
        "accepted": "accepté",
        "ignored": "ignorées (configuration)",
    },
    "en": {
        "evidence": "evidence",
        "source": "source",
        "remedy": "remedy",
        "rules": "rules as of",
        "template": "template",
        "see": "message-level verdicts at the template",
        "accepted": "accepted",
        "ignored": "ignored (configuration)",
    },
}


def text_report(report: Report | TemplateReport, where: str) -> str:
    """A report for a terminal: one line per verdict, details under the ones that need action.

    A template's report is headed as such; a recipient's report filled from a template says
    where the template's (message-level) verdicts are."""
    labels = _LABELS[report.lang]
    packs = ", ".join(f"{pack.name} {pack.version}" for pack in report.packs) or "-"
    if isinstance(report, TemplateReport):
        named = f" {report.template}" if report.template else ""
        head = f"{where}: {labels['template']}{named}: {report.status.value.upper()} ("
    else:
        head = f"{where}: {report.status.value.upper()} ({report.recipient}; "
        if report.template is not None:
            head += f"{labels['see']} {report.template}; "
    lines = [f"{head}{labels['rules']} {report.resolved_at}: {packs})"]
    for verdict in report.verdicts:
        lines.extend(_verdict_lines(verdict, labels))
    if report.ignored:
        lines.append(f"  {labels['ignored']}: {', '.join(report.ignored)}")
    return "\n".join(lines) + "\n"


def _verdict_lines(verdict: Verdict, labels: dict[str, str]) -> list[str]:
    status = verdict.status.value
    if verdict.accepted is not None:
        status += f" ({labels['accepted']})"
    lines = [f"  {status:<14} {verdict.rule_id:<16} {verdict.message}"]
    if verdict.status in QUIET:
        return lines
    if verdict.accepted is not None:
        lines.append(f"{'':18}{labels['accepted']}: {verdict.accepted}")
    for span in verdict.evidence:
        lines.append(f"{'':18}{labels['evidence']}: « {span.text} » [{span.start}:{span.end}]")
    cite = verdict.citation
    article = f", {cite.article}" if cite.article else ""
    lines.append(f"{'':18}{labels['source']}: {cite.reference}{article} <{cite.link}>")
    if verdict.remedy:
        lines.append(f"{'':18}{labels['remedy']}: {verdict.remedy}")
    return lines


def item(result: Result) -> str:
    if result.template is not None:
        return text_report(result.template, result.location)
    if result.report is None:
        return f"{result.location}: error: {result.error}\n"
    return text_report(result.report, result.location)


FORMATTER = Formatter(item, write_each)
