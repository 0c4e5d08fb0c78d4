"""The `text` format, for a terminal, as ruff and eslint print: one line per finding,
`file:line: RULE-ID status message`, with the evidence, source and remedy beneath; `verbose`
shows each case's passing and not-applicable rules too. Colour (ANSI) only when asked."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from smscheck.formatters.base import (
    COLON,
    PLAIN,
    QUIET,
    SEMICOLON,
    Formatter,
    Result,
    Style,
    Summary,
    write_each,
)
from smscheck.messages import LABELS, STATUS_WORDS
from smscheck.verdicts import Lang, Report, Status, Verdict

_COLOURS = {
    Status.FAIL: "31",
    Status.REVIEW: "33",
    Status.WARN: "35",
    Status.PASS: "32",
    Status.NOT_APPLICABLE: "2",
}
_INDENT = " " * 4


def paint(text: str, code: str, style: Style) -> str:
    """`text` in an ANSI colour or weight when the style has colour."""
    return f"\033[{code}m{text}\033[0m" if style.colour else text


def status_word(status: Status, lang: Lang, style: Style) -> str:
    return paint(STATUS_WORDS[lang][status], _COLOURS[status], style)


def _finding(
    verdict: Verdict, where: str, lang: Lang, style: Style, recipient: str | None
) -> list[str]:
    lines = [
        f"{where}: {paint(verdict.rule_id, '1', style)} "
        f"{status_word(verdict.status, lang, style)} {verdict.message}"
    ]
    if verdict.status in QUIET:
        return lines
    if recipient is not None:
        lines.append(_INDENT + recipient)
    labels, colon = LABELS[lang], COLON[lang]
    for span in verdict.evidence:
        lines.append(
            f"{_INDENT}{labels['evidence']}{colon} « {span.text} » [{span.start}:{span.end}]"
        )
    cite = verdict.citation
    article = f", {cite.article}" if cite.article else ""
    lines.append(f"{_INDENT}{labels['source']}{colon} {cite.reference}{article} <{cite.link}>")
    if verdict.remedy:
        lines.append(f"{_INDENT}{labels['remedy']}{colon} {verdict.remedy}")
    return lines


_EVERY_RULE = Style(verbose=True)
def text_report(report: Report, where: str, style: Style = _EVERY_RULE) -> str:
    """One case: a line per verdict that needs action (per verdict with `verbose`), details
    under those that need action; empty for a passing case unless `verbose`."""
    lang = report.lang
    labels, colon = LABELS[lang], COLON[lang]
    lines = []
    if style.verbose:
        packs = ", ".join(f"{pack.name} {pack.version}" for pack in report.packs) or "-"
        lines.append(
            f"{where}: {status_word(report.status, lang, style).upper()} ({report.recipient}"
            f"{SEMICOLON[lang]} {labels['rules']} {report.resolved_at}{colon} {packs})"
        )
    if not report.verdicts:  # no rule in force: no evidence of compliance
        lines.append(f"{where}: {status_word(Status.REVIEW, lang, style)} {labels['no_rule']}")
    # Whom the case is about, under its first finding (the header says it when verbose).
    recipient = None if style.verbose else f"{labels['recipient']}{colon} {report.recipient}"
    for verdict in report.verdicts:
        if style.verbose or verdict.status not in QUIET:
            lines += _finding(verdict, where, lang, style, recipient)
            recipient = recipient if verdict.status in QUIET else None
    return "".join(line + "\n" for line in lines)


def _item(style: Style, result: Result) -> str:
    if result.report is None:
        labels, colon = LABELS[result.lang], COLON[result.lang]
        return f"{result.location}: {paint(labels['error'], '31;1', style)}{colon} {result.error}\n"
    return text_report(result.report, result.location, style)


def styled(style: Style) -> Callable[[Result], str]:
    return partial(_item, style)


FORMATTER = Formatter(styled(PLAIN), write_each, style=styled)


_ORDER = (Status.FAIL, Status.REVIEW, Status.WARN, Status.PASS, Status.NOT_APPLICABLE)


def summary_table(summary: Summary, lang: Lang, style: Style = PLAIN) -> str:
    """The closing summary of a run: cases per status, then cases per rule and status."""
    words, labels, colon = STATUS_WORDS[lang], LABELS[lang], COLON[lang]
    width = max(len(word) for word in words.values())

    def status(value: Status) -> str:
        return status_word(value, lang, style) + " " * (width - len(words[value]))

    head = f"{labels['summary']}{colon} {summary.cases} {labels['cases']}"
    if summary.errors:
        errors = f"{summary.errors} {labels['input_errors']}"
        head += f", {paint(errors, '31;1', style)}"
    lines = [head]
    lines += [
        f"  {status(value)}  {summary.by_status[value.value]:>7}"
        for value in _ORDER
        if summary.by_status.get(value.value)
    ]
    counts = sorted(
        summary.rule_counts().items(), key=lambda item: (_ORDER.index(item[0][1]), item[0][0])
    )
    if counts:
        name = max(len(rule) for (rule, _), _ in counts)
        lines.append(f"  {labels['rule']:<{name}}  {labels['status']:<{width}}  {labels['cases']:>7}")
        lines += [f"  {rule:<{name}}  {status(value)}  {count:>7}" for (rule, value), count in counts]
    if summary.first_problems:
        lines.append(f"{labels['first']}{colon} {', '.join(summary.first_problems)}")
    return "".join(line + "\n" for line in lines)
