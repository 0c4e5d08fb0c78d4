"""The rule catalogue: every rule with its concern, validity and source, as text, JSON or Markdown."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date

from smscheck.packs import Pack, Rule
from smscheck.verdicts import Lang

FORMATS = ("text", "json", "markdown")


def _validity(rule: Rule) -> str:
    return f"{rule.valid_from} → {rule.valid_until or '…'}"


def _selected(packs: Sequence[Pack], at: date | None) -> list[tuple[Pack, list[Rule]]]:
    chosen = []
    for pack in packs:
        rules = [rule for rule in pack.rules if at is None or rule.in_force(at)]
        if rules:
            chosen.append((pack, rules))
    return chosen


def _text(packs: Sequence[Pack], lang: Lang, at: date | None) -> str:
    lines = [f"# rules in force on {at}" if at else "# all rules"]
    for pack, rules in _selected(packs, at):
        lines.append(f"{pack.id} {pack.version}: {pack.title}")
        for rule in rules:
            cite = rule.citation
            lines.append(
                f"  {rule.id:<16} {rule.concern.value:<16} {_validity(rule):<26} {rule.title[lang]}"
            )
            article = f", {cite.article}" if cite.article else ""
            lines.append(
                f"  {'':16} source: {cite.reference}{article} ({cite.confidence.value}) <{cite.link}>"
            )
    return "\n".join(lines) + "\n"


def _json(packs: Sequence[Pack], lang: Lang, at: date | None) -> str:
    entries = [
        {
            "pack": pack.id,
            "pack_version": pack.version,
            "rule_id": rule.id,
            "concern": rule.concern.value,
            "severity": rule.severity.value,
            "title": rule.title[lang],
            "valid_from": rule.valid_from.isoformat(),
            "valid_until": rule.valid_until.isoformat() if rule.valid_until else None,
            "citation": rule.citation.model_dump(mode="json"),
        }
        for pack, rules in _selected(packs, at)
        for rule in rules
    ]
    return (
        json.dumps(
            {"at": at.isoformat() if at else None, "rules": entries}, indent=2, ensure_ascii=False
        )
        + "\n"
    )


def _markdown(packs: Sequence[Pack], lang: Lang, at: date | None) -> str:
    lines = ["# smscheck rule catalogue", ""]
    if at:
        lines += [f"Rules in force on {at}.", ""]
    for pack, rules in _selected(packs, at):
        lines += [f"## {pack.id} {pack.version}: {pack.title}", ""]
        for rule in rules:
            cite = rule.citation
            article = f", {cite.article}" if cite.article else ""
            lines += [
                f"### {rule.id}",
                "",
                f"- concern: `{rule.concern.value}`, severity: `{rule.severity.value}`",
                f"- validity: {_validity(rule)}",
                f"- fr: {rule.title.fr}",
                f"- en: {rule.title.en}",
                f"- source: [{cite.title}]({cite.link}), {cite.reference}{article} ({cite.confidence.value})",
                "",
            ]
    return "\n".join(lines)


_RENDERERS: Mapping[str, Callable[[Sequence[Pack], Lang, date | None], str]] = {
    "text": _text,
    "json": _json,
    "markdown": _markdown,
}


def render(packs: Sequence[Pack], fmt: str, lang: Lang, *, at: date | None = None) -> str:
    return _RENDERERS[fmt](packs, lang, at)
