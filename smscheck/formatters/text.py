"""The `text` format, for a terminal, as ruff and eslint print: one line per finding,
`file:line: RULE-ID status message`, with the evidence, source and remedy beneath.

A campaign template is a heading line at the template's line, its message-level findings under
it, then the findings of its recipients (only what differs per recipient), so a template fault
is read once. `verbose` shows every rule, passing and not applicable too. Colour (ANSI) only
when the style asks for it. `summary_table` closes a run: cases per status, findings per rule,
and per template."""

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
from smscheck.verdicts import Lang, Report, Status, TemplateReport, Verdict

_COLOURS = {
    Status.FAIL: "31",
    Status.REVIEW: "33",
    Status.WARN: "35",
    Status.PASS: "32",
    Status.NOT_APPLICABLE: "2",
}
_INDENT = " " * 4
_EVERY_RULE = Style(verbose=True)


def paint(text: str, code: str, style: Style) -> str:
    """`text` in an ANSI colour or weight when the style has colour."""
    return f"\033[{code}m{text}\033[0m" if style.colour else text


def status_word(status: Status, lang: Lang, style: Style) -> str:
    return paint(STATUS_WORDS[lang][status], _COLOURS[status], style)


def _finding(
    verdict: Verdict, where: str, lang: Lang, style: Style, recipient: str | None
) -> list[str]:
    labels, colon = LABELS[lang], COLON[lang]
    status = status_word(verdict.status, lang, style)
    if verdict.accepted is not None:
        status += f" ({labels['accepted']})"
    lines = [f"{where}: {paint(verdict.rule_id, '1', style)} {status} {verdict.message}"]
    if verdict.status in QUIET:
        return lines
    if recipient is not None:
        lines.append(_INDENT + recipient)
    if verdict.accepted is not None:
        lines.append(f"{_INDENT}{labels['accepted']}{colon} {verdict.accepted}")
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


def _heading(report: Report | TemplateReport, where: str, style: Style) -> str:
    """A case's line when verbose, a template's always: status, rules' date and packs."""
    lang = report.lang
    labels, colon, semicolon = LABELS[lang], COLON[lang], SEMICOLON[lang]
    packs = ", ".join(f"{pack.name} {pack.version}" for pack in report.packs) or "-"
    status = paint(STATUS_WORDS[lang][report.status].upper(), _COLOURS[report.status], style)
    if isinstance(report, TemplateReport):
        named = f" {report.template}" if report.template else ""
        head = f"{where}: {paint(labels['template'] + named, '1', style)}{colon} {status} ("
    else:
        head = f"{where}: {status} ({report.recipient}{semicolon} "
        if report.template is not None:
            head += f"{labels['see']} {report.template}{semicolon} "
    return f"{head}{labels['rules']} {report.resolved_at}{colon} {packs})"


def text_report(report: Report | TemplateReport, where: str, style: Style = _EVERY_RULE) -> str:
    """One case or template: a line per verdict that needs action (per verdict when verbose),
    details under those that need action. A passing case prints nothing unless verbose; a
    template always prints its heading, under which its recipients' findings follow."""
    lang = report.lang
    labels, colon = LABELS[lang], COLON[lang]
    lines = []
    if style.verbose or isinstance(report, TemplateReport):
        lines.append(_heading(report, where, style))
    if not report.verdicts:  # no rule in force: no evidence of compliance
        lines.append(f"{where}: {status_word(Status.REVIEW, lang, style)} {labels['no_rule']}")
    # Whom a case is about, under its first finding (the heading says it when verbose).
    recipient = None
    if isinstance(report, Report) and not style.verbose:
        recipient = f"{labels['recipient']}{colon} {report.recipient}"
    for verdict in report.verdicts:
        if style.verbose or verdict.status not in QUIET:
            lines += _finding(verdict, where, lang, style, recipient)
            recipient = recipient if verdict.status in QUIET else None
    if report.ignored:
        lines.append(f"{_INDENT}{labels['ignored']}{colon} {', '.join(report.ignored)}")
    return "".join(line + "\n" for line in lines)


def _item(style: Style, result: Result) -> str:
    if result.template is not None:
        return text_report(result.template, result.location, style)
    if result.report is None:
        labels, colon = LABELS[result.lang], COLON[result.lang]
        return f"{result.location}: {paint(labels['error'], '31;1', style)}{colon} {result.error}\n"
    return text_report(result.report, result.location, style)


def styled(style: Style) -> Callable[[Result], str]:
    return partial(_item, style)


FORMATTER = Formatter(styled(PLAIN), write_each, style=styled)


_ORDER = (Status.FAIL, Status.REVIEW, Status.WARN, Status.PASS, Status.NOT_APPLICABLE)


def summary_table(summary: Summary, lang: Lang, style: Style = PLAIN) -> str:
    """The closing summary of a run: cases (and templates) per status, findings per rule and
    status (a template's finding once), then per template its findings and the recipients
    that need action."""
    words, labels, colon = STATUS_WORDS[lang], LABELS[lang], COLON[lang]
    width = max(len(word) for word in words.values())

    def status(value: Status) -> str:
        return status_word(value, lang, style) + " " * (width - len(words[value]))

    head = f"{labels['summary']}{colon} {summary.cases} {labels['cases']}"
    if summary.templates:
        head += f", {summary.templates} {labels['templates']}"
    if summary.errors:
        errors = f"{summary.errors} {labels['input_errors']}"
        head += f", {paint(errors, '31;1', style)}"
    lines = [head]
    if summary.templates:
        lines.append(f"  {'':{width}}  {labels['cases']:>9}  {labels['templates']:>9}")
    lines += [
        f"  {status(value)}  {summary.by_status[value.value]:>9}"
        + (f"  {summary.by_template_status[value.value]:>9}" if summary.templates else "")
        for value in _ORDER
        if summary.by_status.get(value.value) or summary.by_template_status.get(value.value)
    ]
    counts = sorted(
        summary.rule_counts().items(), key=lambda item: (_ORDER.index(item[0][1]), item[0])
    )
    if counts:
        name = max(len(rule) for (rule, _, _), _ in counts)
        lines.append(
            f"  {labels['rule']:<{name}}  {labels['status']:<{width}}  {labels['findings']:>9}"
        )
        lines += [
            f"  {rule:<{name}}  {status(value)}  {count:>9}"
            + (f"  ({labels['accepted']})" if accepted else "")
            for (rule, value, accepted), count in counts
        ]
    if summary.template_ids:
        where = max(len(source) for source in summary.template_ids)
        lines.append(
            f"  {labels['template']:<{where}}  {labels['findings']:>9}  {labels['recipients']:>9}"
        )
        for source, template_id in summary.template_ids.items():
            named = f"  {template_id}" if template_id else ""
            lines.append(
                f"  {source:<{where}}  {summary.template_findings[source]:>9}"
                f"  {summary.template_recipients[source]:>9}{named}"
            )
    if summary.first_problems:
        lines.append(f"{labels['first']}{colon} {', '.join(summary.first_problems)}")
    return "".join(line + "\n" for line in lines)
