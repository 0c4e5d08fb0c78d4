"""The `sarif` format: SARIF 2.1.0 for code-scanning dashboards (see the notes below)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import PurePath
from typing import Any, TextIO
from urllib.parse import quote

from smscheck.formatters.base import (
    CacheEntry,
    Formatter,
    Frame,
    Result,
    compact_json,
    json_str,
    remembered,
    tool_version,
)
from smscheck.inputs.located import raw_file
from smscheck.messages import CONFIDENCE_WORDS, LABELS
from smscheck.packs import Pack, Rule, shipped_packs
from smscheck.recent import MAX_REPORTS, Recent
from smscheck.selection import Selection
from smscheck.verdicts import Lang, Report, Status, Verdict

# SARIF 2.1.0. One result per verdict that needs action:
#
#     fail -> level "error", review -> level "warning", warn -> level "note"
#
# `review` means a person must decide and may well find a breach, so it is a warning rather
# than a note. SARIF's own result kind "review" is not used: the standard then forces level
# "none", which dashboards hide. The smscheck status is kept in `properties.status`.
# Passing and not-applicable verdicts give no result.
#
# Two pseudo-rules, lower case so they cannot clash with a pack's rule ids:
# `input-error` (level error) for an input that could not be checked, and `no-rule-in-force`
# (warning) for a case sent on a date no loaded rule covers.
#
# Each result points at the input file (`artifactLocation.uri`; `-` for standard input) and
# its line (JSON Lines) or line 1; the evidence quoted from the message body is in
# `properties.evidence` (offsets into the body, not into the file); the recipient is masked
# unless --show-numbers.
#
# Campaigns: a template's message-level findings are results at the template's line, once for
# all its recipients (`properties.template` holds its id); a recipient's results are only what
# differs for that recipient (`properties.template` names the template's location). A finding
# accepted in the campaign file has a suppression (kind inSource, status accepted, the reason as
# justification). Rules the configuration leaves out are listed in the invocation's
# `ruleConfigurationOverrides`, disabled.
#
# Rule indices: `tool.driver.rules` describes every rule of the run's packs, in pack order,
# then the two pseudo-rules (`RuleTable`); a result's ruleIndex is its rule's place there, the
# same in every run with the same packs.
#
# Streaming: `item`, in a worker, renders each result as one line `<rule id>\t<lang>\t<json>`;
# `write` gives it its index, writes it as it arrives and ends with the rules. The command
# renders results whole instead (`Formatter.for_run`): its workers give each result its index,
# and `write` only joins what they wrote (or, to a byte stream, the command copies their bytes
# within the log's `Frame`). Memory never grows with the number of cases.

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_LEVELS: Mapping[Status, str] = {
    Status.FAIL: "error",
    Status.REVIEW: "warning",
    Status.WARN: "note",
}
INPUT_ERROR = "input-error"
NO_RULE_IN_FORCE = "no-rule-in-force"
_SARIF_LABELS = {
    "fr": {"remedy": "Correction :", "no_rule": LABELS["fr"]["no_rule"]},
    "en": {"remedy": "Remedy:", "no_rule": LABELS["en"]["no_rule"]},
}


def _information_uri() -> str:
    """The project's home page from its metadata, else its page on PyPI."""
    try:
        urls = metadata.metadata("smscheck").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = str(entry).partition(",")
        if label.strip().lower() in {"homepage", "home", "source", "repository"}:
            return url.strip()
    return "https://pypi.org/project/smscheck/"


_ENTRY = re.compile(r"(.+)\[\d+\]")


def _sarif_location(where: str) -> str:
    """`file[:line]` as a SARIF location: the file as a URI reference, the line or 1 (also for
    `file[entry]`, an entry of a JSON array)."""
    path, colon, tail = where.rpartition(":")
    if not (colon and tail.isdigit() and path):
        entry = _ENTRY.fullmatch(where)
        path, tail = (entry[1] if entry else where), "1"
    return (
        f'{{"physicalLocation":{{"artifactLocation":{{"uri":{_uri(path)}}},'
        f'"region":{{"startLine":{max(int(tail), 1)}}}}}}}'
    )


@lru_cache(maxsize=256)
def _uri(path: str) -> str:
    """A file path as a JSON string of a URI reference (cached: one file, many lines), of the
    file's very bytes when its name was shown escaped."""
    pure = PurePath(raw_file(path))
    if pure.is_absolute():
        return json_str(pure.as_uri())
    return json_str(quote(os.fsencode(pure.as_posix()), safe="/"))  # a name's very bytes


# The rule-dependent parts of each result: the start, up to the open `properties`, and the end,
# after `locations` (an accepted finding's suppression). Verdicts are shared objects (one per
# distinct outcome of a rule, see `engine.Checker`), far fewer than the lists recipients make of
# them: each verdict's parts are made once, and kept by its identity.
_Head = tuple[str, str]
_MAX_HEADS = 16_384
# What a case's results take from its report: the rules' parts (`_Head`s), what follows the
# recipient up to the location, and the line of rules left out.
_CaseParts = tuple[tuple[_Head, ...], str, str]

IGNORED = "!ignored"  # a line listing rules the configuration left out (no result)


def _suppression(verdict: Verdict) -> str:
    """An accepted finding as a SARIF suppression: accepted in the campaign file, with why."""
    if verdict.accepted is None:
        return ""
    return (
        ',"suppressions":[{"kind":"inSource","status":"accepted",'
        f'"justification":{json_str(verdict.accepted)}}}]'
    )


class _Results:
    """The SARIF results of cases, templates and input errors, each opened by `opening(rule id,
    lang)` (up to and with the `{` of its object) and ended by `closing`; with `listed`, the
    rules a report's configuration left out as a line `!ignored\t\t<JSON list>`."""

    def __init__(self, opening: Callable[[str, str], str], closing: str, *, listed: bool) -> None:
        self._opening, self._closing, self._listed = opening, closing, listed
        self._heads: dict[tuple[int, str], tuple[Verdict, _Head | None]] = {}
        self._parts: Recent[int, CacheEntry[Report, _CaseParts]] = Recent(MAX_REPORTS)

    def item(self, result: Result) -> str:
        """`Formatter.item`: a template's findings are located at the template, once for all
        its recipients."""
        if result.report is not None:
            report = result.report
            return self._filled(self._case_parts(report), report.recipient, result.location)
        location = _sarif_location(result.location)
        if result.template is not None:
            template = result.template
            named = "null" if template.template is None else json_str(template.template)
            return self._ignored(template.ignored) + self._results(
                self._verdict_heads(template.verdicts, template.lang),
                f'"template":{named},"resolvedAt":"{template.resolved_at.isoformat()}"}},'
                f'"locations":[{location}]',
            )
        return (
            f'{self._opening(INPUT_ERROR, "")}"ruleId":"{INPUT_ERROR}","level":"error",'
            f'"message":{{"text":{json_str(result.error or "unreadable input")}}},'
            f'"locations":[{location}]{self._closing}'
        )

    def case(self, shared: Report, recipient: str, where: str) -> str:
        """`Formatter.case`: a case's results, what depends on its shared report made once."""
        return self._filled(remembered(self._parts, shared, self._case_parts), recipient, where)

    def _case_parts(self, report: Report) -> _CaseParts:
        linked = "" if report.template is None else f',"template":{json_str(report.template)}'
        return (
            self._verdict_heads(report.verdicts, report.lang),
            f'{linked},"resolvedAt":"{report.resolved_at.isoformat()}"}},"locations":[',
            self._ignored(report.ignored) if report.template is None else "",
        )

    def _filled(self, parts: _CaseParts, recipient: str, where: str) -> str:
        heads, after_recipient, ignored = parts
        if not heads:
            return ignored
        tail = f'"recipient":{json_str(recipient)}{after_recipient}{_sarif_location(where)}]'
        return ignored + self._results(heads, tail)

    def _results(self, heads: tuple[_Head, ...], tail: str) -> str:
        closing = self._closing
        return "".join(f"{start}{tail}{end}{closing}" for start, end in heads)

    def _ignored(self, rule_ids: tuple[str, ...]) -> str:
        return f"{IGNORED}\t\t{compact_json(rule_ids)}\n" if rule_ids and self._listed else ""

    def _verdict_heads(self, verdicts: tuple[Verdict, ...], lang: Lang) -> tuple[_Head, ...]:
        if not verdicts:
            labels = _SARIF_LABELS[lang]
            return (
                (
                    f'{self._opening(NO_RULE_IN_FORCE, lang)}"ruleId":"{NO_RULE_IN_FORCE}",'
                    f'"level":"warning","message":{{"text":{json_str(labels["no_rule"])}}},'
                    f'"properties":{{"status":"{Status.REVIEW.value}",',
                    "",
                ),
            )
        heads, known = [], self._heads
        for verdict in verdicts:
            cached = known.get((id(verdict), lang))
            if cached is None or cached[0] is not verdict:  # the entry holds it: its id is its own
                if len(known) >= _MAX_HEADS:
                    known.clear()
                cached = known[(id(verdict), lang)] = (verdict, self._head(verdict, lang))
            if cached[1] is not None:
                heads.append(cached[1])
        return tuple(heads)

    def _head(self, verdict: Verdict, lang: Lang) -> _Head | None:
        """The parts of the verdict's result; None for a verdict that gives no result (a pass)."""
        level = SARIF_LEVELS.get(verdict.status)
        if level is None:
            return None
        text = verdict.message
        if verdict.remedy:
            text += f" {_SARIF_LABELS[lang]['remedy']} {verdict.remedy}"
        evidence = [span.model_dump() for span in verdict.evidence]
        return (
            f"{self._opening(verdict.rule_id, lang)}"
            f'"ruleId":{json_str(verdict.rule_id)},"level":"{level}",'
            f'"message":{{"text":{json_str(text)}}},'
            f'"properties":{{"status":"{verdict.status.value}","concern":"{verdict.concern.value}",'
            f'"severity":"{verdict.severity.value}","evidence":{compact_json(evidence)},',
            _suppression(verdict),
        )


# For `write`: each result a line `<rule id>\t<lang>\t<result JSON>`, with no ruleIndex yet.
_LINES = _Results(lambda rule_id, lang: f"{rule_id}\t{lang}\t{{", "}\n", listed=True)


_PROBLEM_SEVERITY = {"high": "error", "medium": "warning", "low": "recommendation"}


def rule_descriptor(rule: Rule, lang: Lang) -> dict[str, Any]:
    """A rule as a SARIF reportingDescriptor: what it checks, its source and its validity."""
    cite = rule.citation
    article = f", {cite.article}" if cite.article else ""
    until = rule.valid_until.isoformat() if rule.valid_until else None
    confidence = CONFIDENCE_WORDS[lang][cite.confidence]
    if lang == "fr":
        source = f"Source : {cite.reference}{article} ({confidence})."
        validity = f"En vigueur du {rule.valid_from} au {until or '(sans fin)'}."
    else:
        source = f"Source: {cite.reference}{article} ({confidence})."
        validity = f"In force from {rule.valid_from} to {until or '(no end)'}."
    remedy = rule.remedy[lang]
    checks, review = (
        ("Ce qui est vérifié :", "En cas de doute :")
        if lang == "fr"
        else ("Checks:", "When in doubt:")
    )
    return {
        "id": rule.id,
        "name": rule.id,
        # Results are problems only: the short description is the failing wording, and each
        # result's own message opens with the wording of its status (fail, warn or review).
        "shortDescription": {"text": rule.message[lang]},
        "fullDescription": {
            "text": f"{checks} {rule.title[lang]} {review} {rule.review[lang]} {source} {validity}"
        },
        "messageStrings": {
            "pass": {"text": rule.title[lang]},
            "fail": {"text": rule.message[lang]},
            "review": {"text": rule.review[lang]},
        },
        "helpUri": cite.link,
        "help": {
            "text": f"{remedy} {source} {validity} {cite.link}",
            "markdown": f"{remedy}\n\n{source} [{cite.title}]({cite.link})\n\n{validity}",
        },
        "properties": {
            "tags": ["smscheck", rule.concern.value],
            "concern": rule.concern.value,
            "severity": rule.severity.value,
            "problem.severity": _PROBLEM_SEVERITY[rule.severity.value],
            "pack": rule.pack,
            "validity": {"from": rule.valid_from.isoformat(), "until": until},
            "citation": cite.model_dump(mode="json"),
        },
    }


def _pseudo_descriptor(rule_id: str, lang: Lang) -> dict[str, Any]:
    if rule_id == INPUT_ERROR:
        short = {
            "fr": "Entrée illisible : ce n'est pas un cas à vérifier.",
            "en": "Unreadable input: not a case that can be checked.",
        }
        help_text = {
            "fr": "Corrigez la ligne ou le fichier désigné ; `smscheck schema` donne le format "
            "attendu. Rien n'a été vérifié pour cette entrée.",
            "en": "Fix the line or file shown; `smscheck schema` prints the expected format. "
            "Nothing was checked for this input.",
        }
    elif rule_id == NO_RULE_IN_FORCE:
        short = {
            "fr": "Aucune règle en vigueur à la date d'envoi.",
            "en": "No rule in force at the send date.",
        }
        help_text = {
            "fr": "Vérifiez la date d'envoi, ou chargez un pack qui couvre cette date (--pack).",
            "en": "Check the send date, or load a pack that covers that date (--pack).",
        }
    else:  # a rule from a pack this writer was not given
        short = {
            "fr": f"Règle {rule_id} (pack non fourni au rendu SARIF).",
            "en": f"Rule {rule_id} (its pack was not given to the SARIF writer).",
        }
        help_text = {
            "fr": "Passez les packs de la vérification à `FORMATTERS['sarif'].for_packs(...)`.",
            "en": "Give the packs of the check to `FORMATTERS['sarif'].for_packs(...)`.",
        }
    return {
        "id": rule_id,
        "name": rule_id,
        "shortDescription": {"text": short[lang]},
        "fullDescription": {"text": short[lang]},
        "help": {"text": help_text[lang]},
        "properties": {"tags": ["smscheck"]},
    }


class RuleTable:
    """The rules a log describes, in the order of `tool.driver.rules` that results index:
    every rule of the packs (the first of each id; None: the shipped packs), then the two
    pseudo-rules. Fixed by the packs alone, so that processes rendering results apart give
    each rule the same index."""

    def __init__(self, packs: Sequence[Pack] | None) -> None:
        rules: dict[str, Rule] = {}
        for pack in shipped_packs() if packs is None else packs:
            for rule in pack.rules:
                rules.setdefault(rule.id, rule)
        self.rules: Mapping[str, Rule] = rules
        ids = (*rules, INPUT_ERROR, NO_RULE_IN_FORCE)
        self.index: Mapping[str, int] = {rule_id: index for index, rule_id in enumerate(ids)}

    def opening(self, rule_id: str, lang: str) -> str:
        """A result's start in the finished log: the separator from the one before, then its
        object opened with its index."""
        index = self.index.get(rule_id)
        if index is None:
            raise ValueError(f"rule {rule_id} is in none of the packs this SARIF log describes")
        return f',\n{{"ruleIndex":{index},'

    def descriptors(self, lang: Lang, extra: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The reporting descriptors of the table's rules, then of `extra` ids (rules of packs
        the table was not given)."""
        return [
            rule_descriptor(self.rules[rule_id], lang)
            if rule_id in self.rules
            else _pseudo_descriptor(rule_id, lang)
            for rule_id in (*self.index, *extra)
        ]


_HEADER = f'{{"$schema":"{SARIF_SCHEMA}","version":"2.1.0","runs":[{{"results":['


def _sarif_writer(packs: Sequence[Pack] | None) -> Callable[[Iterable[str], TextIO], None]:
    """A SARIF `write` of `item` lines (see `_LINES`) whose rules are those of `packs` (None:
    the shipped packs); a rule of another pack is described after them."""

    def write(rendered: Iterable[str], out: TextIO) -> None:
        table = RuleTable(packs)
        extra: dict[str, int] = {}  # rules of other packs, in order of first appearance
        ignored: dict[str, None] = {}
        lang: Lang | None = None
        errors = 0

        def footer(counted: int, stopped: bool) -> str:
            descriptors = table.descriptors(lang or "en", extra)
            return _sarif_footer(descriptors, lang or "en", counted, tuple(ignored), stopped)

        def results() -> Iterator[str]:
            nonlocal lang, errors
            separator = "\n"
            for chunk in rendered:
                for line in chunk.split("\n"):
                    if not line:
                        continue
                    rule_id, line_lang, body = line.split("\t", 2)
                    if rule_id == IGNORED:
                        ignored.update(dict.fromkeys(json.loads(body)))
                        continue
                    index = table.index.get(rule_id)
                    if index is None:
                        index = extra.setdefault(rule_id, len(table.index) + len(extra))
                    if lang is None and line_lang in ("fr", "en"):
                        lang = "fr" if line_lang == "fr" else "en"
                    errors += rule_id == INPUT_ERROR
                    yield f'{separator}{{"ruleIndex":{index},{body[1:]}'
                    separator = ",\n"

        Frame(_HEADER, footer).write(results(), out, lambda: errors)

    return write


def _for_run(packs: Sequence[Pack], lang: Lang, selection: Selection) -> Formatter:
    """The format for a run of the command: results rendered whole, with the index of their
    rule in the run's table (every rule of its packs), so that workers render them apart and
    `write` only joins them; rules the selection leaves out are listed as disabled."""
    table = RuleTable(packs)
    ignored = tuple(rule_id for rule_id in table.rules if not selection.keeps(rule_id))
    results = _Results(table.opening, "}", listed=False)
    error_head = f'"ruleId":"{INPUT_ERROR}"'  # only an input error's result has it, unquoted
    frame = Frame(
        _HEADER,
        lambda errors, stopped: _sarif_footer(
            table.descriptors(lang), lang, errors, ignored, stopped
        ),
        lead=1,  # the first result follows no other: its separator goes
    )

    def write(rendered: Iterable[str], out: TextIO) -> None:
        errors = 0

        def joined() -> Iterator[str]:
            nonlocal errors
            lead = frame.lead
            for chunk in rendered:
                if chunk:
                    yield chunk[lead:]
                    errors += chunk.count(error_head)  # once written
                    lead = 0

        frame.write(joined(), out, lambda: errors)

    return Formatter(results.item, write, case=results.case, frame=frame)


def _sarif_footer(
    descriptors: list[dict[str, Any]],
    lang: Lang,
    errors: int,
    ignored: tuple[str, ...],
    stopped: bool,
) -> str:
    invocation: dict[str, Any] = {"executionSuccessful": errors == 0 and not stopped}
    if ignored:  # rules the configuration left out: disabled, and said so
        invocation["ruleConfigurationOverrides"] = [
            {"descriptor": {"id": rule_id}, "configuration": {"enabled": False}}
            for rule_id in ignored
        ]
    notes = []
    if errors:
        notes.append(
            f"{errors} entrée(s) n'ont pas pu être vérifiées : voyez les "
            f"résultats de la règle {INPUT_ERROR}."
            if lang == "fr"
            else f"{errors} input(s) could not be checked: see the results of rule {INPUT_ERROR}."
        )
    if stopped:
        notes.append(
            "L'exécution s'est arrêtée avant la fin des entrées : les résultats sont incomplets."
            if lang == "fr"
            else "The run stopped before the end of the input: the results are incomplete."
        )
    if notes:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": note}} for note in notes
        ]
    driver = {
        "name": "smscheck",
        "version": tool_version(),
        "semanticVersion": tool_version(),
        "informationUri": _information_uri(),
        "rules": descriptors,
    }
    tail = compact_json({"tool": {"driver": driver}, "invocations": [invocation]})
    return f"\n],{tail[1:]}]}}\n"


FORMATTER = Formatter(
    _LINES.item, _sarif_writer(None), _sarif_writer, case=_LINES.case, run=_for_run
)
