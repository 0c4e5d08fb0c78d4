"""The `html` format: one self-contained page (no script, no font, no image, nothing fetched) a
campaign manager or data-protection contact can read on a phone and archive as proof of the
check.

At the top, the figures (cases and templates per status, input errors) and bar charts of
findings per rule and per template; then each template's body with the evidence highlighted,
its findings with their citations as links and their remedies, and its recipients' findings
grouped by profile (the same findings), with masked numbers; then the cases checked alone and
the inputs that could not be read. At the end, what makes it proof: the packs and versions,
the dates the rules were resolved at, smscheck's version and the SHA-256 of each input file.

Streaming as SARIF does: `item` renders each result as one line `<kind>\t<JSON>`; `write`
folds them, keeping per template and profile a count and the first few recipients, so memory
grows with the number of distinct findings, never with the number of recipients.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Any, TextIO

from smscheck.formatters.base import QUIET, Formatter, Result, compact_json, tool_version
from smscheck.messages import LABELS, STATUS_WORDS
from smscheck.verdicts import Lang, Report, Status, TemplateReport, Verdict

_SHOWN = 5  # recipients listed per profile
_ORDER = (Status.FAIL, Status.REVIEW, Status.WARN, Status.PASS, Status.NOT_APPLICABLE)

_WORDS = {
    "fr": {
        "title": "Rapport de vérification smscheck",
        "intro": "Vérification des SMS avant envoi, règle par règle, avec la source de chaque règle.",
        "figures": "Chiffres",
        "cases": "cas",
        "templates": "modèles",
        "errors": "entrées illisibles",
        "per_rule": "Constats par règle",
        "per_template": "Constats par modèle",
        "template": "Modèle",
        "body": "Texte du message",
        "findings": "Constats au niveau du message",
        "none": "Aucun constat.",
        "recipients": "Destinataires : constats par profil",
        "profile": "destinataire(s) ayant ces constats",
        "cases_alone": "Cas vérifiés seuls",
        "unreadable": "Entrées illisibles",
        "proof": "Preuve de la vérification",
        "packs": "Packs de règles",
        "resolved": "Règles résolues à la date du",
        "version": "Version de smscheck",
        "digest": "Empreinte SHA-256 de l'entrée",
        "no_digest": "indisponible (entrée standard)",
        "more": "et {n} autre(s)",
        "all_pass": "Tous les destinataires de ce modèle passent les règles par destinataire.",
        "evidence": "Preuve",
    },
    "en": {
        "title": "smscheck check report",
        "intro": "SMS checked before sending, rule by rule, with each rule's source.",
        "figures": "Figures",
        "cases": "cases",
        "templates": "templates",
        "errors": "unreadable inputs",
        "per_rule": "Findings per rule",
        "per_template": "Findings per template",
        "template": "Template",
        "body": "Message text",
        "findings": "Message-level findings",
        "none": "No finding.",
        "recipients": "Recipients: findings by profile",
        "profile": "recipient(s) with these findings",
        "cases_alone": "Cases checked alone",
        "unreadable": "Unreadable inputs",
        "proof": "Proof of the check",
        "packs": "Rule packs",
        "resolved": "Rules resolved at",
        "version": "smscheck version",
        "digest": "SHA-256 of the input",
        "no_digest": "not available (standard input)",
        "more": "and {n} more",
        "all_pass": "Every recipient of this template passes the per-recipient rules.",
        "evidence": "Evidence",
    },
}

_CSS = """
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
body{margin:0 auto;max-width:60rem;padding:1rem;line-height:1.45;color:#1b1b1b;background:#fff;
overflow-wrap:anywhere}
code{word-break:break-all}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
h3{font-size:1.05rem;margin-bottom:.3rem}
.figures{display:flex;flex-wrap:wrap;gap:.5rem;padding:0;list-style:none}
.figures li{flex:1 1 7rem;border:1px solid #ccc;border-radius:.4rem;padding:.5rem;text-align:center}
.figures .n{display:block;font-size:1.6rem;font-weight:700}
.fail{color:#b00020}.review{color:#8a5a00}.warn{color:#6a3d9a}.pass{color:#1b6e20}
.not_applicable{color:#666}
.bars{padding:0;list-style:none}.bars li{margin:.25rem 0}
.bar{display:block;height:.7rem;background:#b00020;border-radius:.2rem;min-width:2px}
.body{white-space:pre-wrap;word-wrap:break-word;background:#f6f6f6;padding:.6rem;border-radius:.3rem}
mark{background:#ffe08a}
.finding{border-left:4px solid #ccc;padding:.1rem .6rem;margin:.6rem 0}
.finding.fail{border-color:#b00020}.finding.review{border-color:#d19a00}
.finding.warn{border-color:#6a3d9a}
.finding p{margin:.2rem 0;color:#1b1b1b}.status{font-weight:700;text-transform:uppercase}
.rule{font-family:ui-monospace,monospace}.meta{color:#555;font-size:.9rem}
table{border-collapse:collapse;width:100%;table-layout:fixed}td,th{text-align:left;padding:.2rem .4rem;
border-bottom:1px solid #eee;vertical-align:top;overflow-wrap:anywhere}
a{color:#0b57d0}
"""


def _verdict_data(verdict: Verdict) -> dict[str, Any]:
    cite = verdict.citation
    return {
        "rule": verdict.rule_id,
        "status": verdict.status.value,
        "message": verdict.message,
        "remedy": verdict.remedy,
        "accepted": verdict.accepted,
        "evidence": [[span.start, span.end] for span in verdict.evidence],
        "source": cite.reference + (f", {cite.article}" if cite.article else ""),
        "link": cite.link,
    }


def _common(report: Report | TemplateReport) -> dict[str, Any]:
    return {
        "status": report.status.value,
        "lang": report.lang,
        "packs": [[pack.name, pack.version] for pack in report.packs],
        "at": report.resolved_at.isoformat(),
        "findings": [_verdict_data(v) for v in report.verdicts if v.status not in QUIET],
        "no_rule": not report.verdicts,
    }


def item(result: Result) -> str:
    """One result as a line `<kind>\t<JSON>`: kind `template`, `case` or `error`."""
    if result.template is not None:
        data = {
            **_common(result.template),
            "where": result.location,
            "id": result.template.template,
            "body": result.body,
        }
        return f"template\t{compact_json(data)}\n"
    if result.report is None:
        data = {"where": result.location, "error": result.error, "lang": result.lang}
        return f"error\t{compact_json(data)}\n"
    report = result.report
    data = {
        **_common(report),
        "where": result.location,
        "recipient": report.recipient,
        "template": report.template,
        "body": None if report.template is not None else result.body,
    }
    return f"case\t{compact_json(data)}\n"


@dataclass
class _Profile:
    findings: list[dict[str, Any]]
    count: int = 0
    shown: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Page:
    """What the page needs, folded from the rendered items."""

    lang: Lang | None = None
    cases: Counter[str] = field(default_factory=Counter)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    template_status: Counter[str] = field(default_factory=Counter)
    profiles: dict[str, dict[str, _Profile]] = field(default_factory=dict)
    alone: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    per_rule: Counter[str] = field(default_factory=Counter)
    per_template: Counter[str] = field(default_factory=Counter)
    packs: dict[tuple[str, str], None] = field(default_factory=dict)
    dates: dict[str, None] = field(default_factory=dict)
    files: dict[str, None] = field(default_factory=dict)

    def add(self, kind: str, data: dict[str, Any]) -> None:
        if self.lang is None and data.get("lang") in ("fr", "en"):
            self.lang = "fr" if data["lang"] == "fr" else "en"
        self.files[_file_of(data["where"])] = None
        if kind == "error":
            self.errors.append(data)
            return
        self.packs.update(dict.fromkeys(tuple(pack) for pack in data["packs"]))
        self.dates[data["at"]] = None
        for finding in data["findings"]:
            self.per_rule[finding["rule"]] += 1
        if kind == "template":
            self.templates[data["where"]] = data
            self.template_status[data["status"]] += 1
            self.per_template[data["where"]] += len(data["findings"])
            return
        self.cases[data["status"]] += 1
        if data["template"] is None:
            if data["findings"] or data["no_rule"]:
                self.alone.append(data)
            return
        self.per_template[data["template"]] += len(data["findings"])
        if not data["findings"]:
            return
        profiles = self.profiles.setdefault(data["template"], {})
        key = compact_json([[f["rule"], f["status"], f["message"]] for f in data["findings"]])
        profile = profiles.setdefault(key, _Profile(data["findings"]))
        profile.count += 1
        if len(profile.shown) < _SHOWN:
            profile.shown.append((data["recipient"], data["where"]))


def _file_of(where: str) -> str:
    path, colon, line = where.rpartition(":")
    if colon and line.isdigit() and path:
        return path
    return where.split("[", 1)[0] if where.endswith("]") else where


def _digest(path: str) -> str | None:
    if path == "-":
        return None
    sha = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
    except OSError:
        return None
    return sha.hexdigest()


def _highlight(body: str, findings: Iterable[dict[str, Any]]) -> str:
    """The body, escaped, with each evidence span in <mark>."""
    spans = sorted({(start, end) for f in findings for start, end in f["evidence"]})
    out, at = [], 0
    for start, end in spans:
        if start < at or end > len(body):
            continue  # overlapping or out of range: left plain
        out += [escape(body[at:start]), f"<mark>{escape(body[start:end])}</mark>"]
        at = end
    out.append(escape(body[at:]))
    return "".join(out)


def _finding(finding: dict[str, Any], lang: Lang) -> str:
    status = Status(finding["status"])
    labels = LABELS[lang]
    colon = " :" if lang == "fr" else ":"
    accepted = (
        f"<p>{labels['accepted']}{colon} {escape(finding['accepted'])}</p>"
        if finding["accepted"]
        else ""
    )
    remedy = (
        f"<p><strong>{labels['remedy']}</strong>{colon} {escape(finding['remedy'])}</p>"
        if finding["remedy"]
        else ""
    )
    return (
        f'<div class="finding {status.value}"><p><span class="rule">{escape(finding["rule"])}</span> '
        f'<span class="status {status.value}">{escape(STATUS_WORDS[lang][status])}</span> '
        f"{escape(finding['message'])}</p>{accepted}{remedy}"
        f'<p class="meta">{labels["source"]}{colon} <a href="{escape(finding["link"])}">'
        f"{escape(finding['source'])}</a></p></div>"
    )


def _bars(counts: Counter[str], names: dict[str, str], lang: Lang) -> str:
    if not counts:
        return ""
    top = max(counts.values()) or 1
    colon = " :" if lang == "fr" else ":"
    rows = [
        f'<li><span class="rule">{escape(names.get(key, key))}</span>{colon} {count}'
        f'<span class="bar" style="width:{max(count * 100 // top, 1)}%"></span></li>'
        for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if count
    ]
    return f'<ul class="bars">{"".join(rows)}</ul>'


def _figures(page: _Page, lang: Lang) -> str:
    words = _WORDS[lang]
    items = [
        f'<li id="count-{status.value}" class="{status.value}"><span class="n">'
        f"{page.cases[status.value]}</span>{escape(STATUS_WORDS[lang][status])}</li>"
        for status in _ORDER
        if status is not Status.NOT_APPLICABLE
    ]
    items.append(
        f'<li id="count-cases"><span class="n">{sum(page.cases.values())}</span>{words["cases"]}</li>'
    )
    items.append(
        f'<li id="count-templates"><span class="n">{len(page.templates)}</span>'
        f"{words['templates']}</li>"
    )
    items.append(
        f'<li id="count-errors" class="fail"><span class="n">{len(page.errors)}</span>'
        f"{words['errors']}</li>"
    )
    return f'<ul class="figures">{"".join(items)}</ul>'


def _template_section(where: str, data: dict[str, Any], page: _Page, lang: Lang) -> str:
    words = _WORDS[lang]
    status = Status(data["status"])
    named = f" {escape(data['id'])}" if data["id"] else ""
    parts = [
        f'<section class="template" id="template-{escape(where)}">',
        f"<h3>{words['template']}{named} — {escape(where)} "
        f'<span class="status {status.value}">{escape(STATUS_WORDS[lang][status])}</span></h3>',
    ]
    if data["body"] is not None:
        parts.append(f"<h4>{words['body']}</h4>")
        parts.append(f'<div class="body">{_highlight(data["body"], data["findings"])}</div>')
    parts.append(f"<h4>{words['findings']}</h4>")
    parts += [_finding(f, lang) for f in data["findings"]] or [f"<p>{words['none']}</p>"]
    parts.append(f"<h4>{words['recipients']}</h4>")
    profiles = page.profiles.get(where, {})
    if not profiles:
        parts.append(f"<p>{words['all_pass']}</p>")
    for profile in sorted(profiles.values(), key=lambda p: -p.count):
        shown = ", ".join(f"{escape(number)} ({escape(at)})" for number, at in profile.shown)
        more = profile.count - len(profile.shown)
        if more:
            shown += " " + words["more"].format(n=more)
        parts.append(
            f'<div class="profile"><p><strong>{profile.count}</strong> {words["profile"]}'
            f"{' :' if lang == 'fr' else ':'} {shown}</p>"
            + "".join(_finding(f, lang) for f in profile.findings)
            + "</div>"
        )
    parts.append("</section>")
    return "".join(parts)


def _case_section(data: dict[str, Any], lang: Lang) -> str:
    status = Status(data["status"])
    body = data["body"]
    parts = [
        f"<h3>{escape(data['where'])} — {escape(data['recipient'])} "
        f'<span class="status {status.value}">{escape(STATUS_WORDS[lang][status])}</span></h3>'
    ]
    if body is not None:
        parts.append(f'<div class="body">{_highlight(body, data["findings"])}</div>')
    if data["no_rule"]:
        parts.append(f"<p>{escape(LABELS[lang]['no_rule'])}</p>")
    parts += [_finding(f, lang) for f in data["findings"]]
    return f'<section class="case">{"".join(parts)}</section>'


def _proof(page: _Page, lang: Lang) -> str:
    words = _WORDS[lang]
    packs = ", ".join(f"{escape(name)} {escape(version)}" for name, version in page.packs) or "-"
    digests = "".join(
        f"<tr><td>{escape(path)}</td><td><code>{_digest(path) or words['no_digest']}</code></td></tr>"
        for path in page.files
    )
    return (
        f'<h2 id="proof">{words["proof"]}</h2><table>'
        f'<tr><th>{words["packs"]}</th><td id="packs">{packs}</td></tr>'
        f"<tr><th>{words['resolved']}</th><td>{', '.join(page.dates) or '-'}</td></tr>"
        f'<tr><th>{words["version"]}</th><td id="version">{escape(tool_version())}</td></tr>'
        f"</table><h3>{words['digest']}</h3><table>{digests}</table>"
    )


def write(rendered: Iterable[str], out: TextIO) -> None:
    """Fold the rendered items into one page and write it."""
    page = _Page()
    for chunk in rendered:
        for line in chunk.split("\n"):
            if line:
                kind, body = line.split("\t", 1)
                page.add(kind, json.loads(body))
    lang: Lang = page.lang or "fr"
    words = _WORDS[lang]
    names = {
        where: (f"{data['id']} ({where})" if data["id"] else where)
        for where, data in page.templates.items()
    }
    sections = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{words['title']}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{words['title']}</h1><p>{words['intro']}</p></header>",
        f'<h2 id="figures">{words["figures"]}</h2>{_figures(page, lang)}',
    ]
    if page.per_rule:
        sections.append(f"<h3>{words['per_rule']}</h3>{_bars(page.per_rule, {}, lang)}")
    if page.per_template:
        sections.append(f"<h3>{words['per_template']}</h3>{_bars(page.per_template, names, lang)}")
    if page.templates:
        sections.append(f"<h2>{words['templates'].capitalize()}</h2>")
        sections += [_template_section(w, d, page, lang) for w, d in page.templates.items()]
    if page.alone:
        sections.append(f"<h2>{words['cases_alone']}</h2>")
        sections += [_case_section(data, lang) for data in page.alone]
    if page.errors:
        rows = "".join(
            f"<tr><td>{escape(e['where'])}</td><td>{escape(e['error'] or '')}</td></tr>"
            for e in page.errors
        )
        sections.append(f'<h2 id="errors">{words["unreadable"]}</h2><table>{rows}</table>')
    sections.append(_proof(page, lang))
    sections.append("</body></html>\n")
    out.write("".join(sections))


FORMATTER = Formatter(item, write)
