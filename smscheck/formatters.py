"""Output formats, keyed by name. Each is two plain functions: `item` renders one result (it may
run in a worker process) and `write` lays the rendered items out on the output stream.

Formats: `text` for a terminal, `json` (one report per line, see `smscheck schema --report`) and
`sarif` (SARIF 2.1.0 for code-scanning dashboards, see the notes above `SARIF_SCHEMA`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import PurePath
from typing import Any, TextIO, TypeVar
from urllib.parse import quote

from pydantic import TypeAdapter

from smscheck.packs import Pack, Rule, shipped_packs
from smscheck.verdicts import Lang, Report, Status, Verdict

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
        for key in _per_verdicts(_problem_keys, result.report.verdicts, _keys_of_problems):
            self.by_rule[key] += 1
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

# Verdict tuples are shared by every recipient of a campaign with the same profile (see
# `engine.Checker`), so what is derived from one is computed once and kept by its identity.
_T = TypeVar("_T")
_CacheEntry = tuple[tuple[Verdict, ...], _T]
_rendered: dict[int, _CacheEntry[str]] = {}
_problem_keys: dict[int, _CacheEntry[tuple[str, ...]]] = {}


def _per_verdicts(
    cache: dict[int, _CacheEntry[_T]],
    verdicts: tuple[Verdict, ...],
    compute: Callable[[tuple[Verdict, ...]], _T],
) -> _T:
    cached = cache.get(id(verdicts))
    if cached is not None and cached[0] is verdicts:
        return cached[1]
    value = compute(verdicts)
    if len(cache) > 4096:
        cache.clear()
    cache[id(verdicts)] = (verdicts, value)
    return value


def _keys_of_problems(verdicts: tuple[Verdict, ...]) -> tuple[str, ...]:
    return tuple(f"{v.rule_id} {v.status.value}" for v in verdicts if v.status not in _QUIET)


def _verdicts_json(verdicts: tuple[Verdict, ...]) -> str:
    return _VERDICTS.dump_json(verdicts).decode()


def report_json(report: Report) -> str:
    """The report as compact JSON, the same bytes as `report.model_dump_json()`."""
    head = f'{{"status":"{report.status.value}","verdicts":'
    packs = ",".join(f'{{"name":{_str(p.name)},"version":{_str(p.version)}}}' for p in report.packs)
    tail = (
        f',"packs":[{packs}],"resolved_at":"{report.resolved_at.isoformat()}",'
        f'"lang":"{report.lang}","recipient":{_str(report.recipient)},'
        f'"source":{"null" if report.source is None else _str(report.source)}}}'
    )
    return head + _per_verdicts(_rendered, report.verdicts, _verdicts_json) + tail


def _str(value: str) -> str:
    """A JSON string as pydantic writes it (UTF-8, only quotes, backslashes and controls escaped)."""
    if value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
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
# Streaming: `item`, in a worker, renders each result as one line `<rule id>\t<lang>\t<json>`;
# `write` numbers the rules in order of first appearance, writes each result as it arrives and
# ends with `tool.driver.rules`, built from the packs of the run. Memory grows with the number
# of distinct rules, never with the number of cases.

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
    "fr": {
        "remedy": "Correction :",
        "no_rule": "Aucune règle chargée n'est en vigueur à la date "
        "d'envoi : ce n'est pas une preuve de conformité, une personne doit vérifier.",
    },
    "en": {
        "remedy": "Remedy:",
        "no_rule": "No loaded rule is in force at the send date: that is "
        "no evidence of compliance, a person must check this message.",
    },
}


def _tool_version() -> str:
    try:
        return metadata.version("smscheck")
    except metadata.PackageNotFoundError:
        return "0.0.0"


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
    """A file path as a JSON string of a URI reference (cached: one file, many lines)."""
    pure = PurePath(path)
    return _str(pure.as_uri() if pure.is_absolute() else quote(pure.as_posix(), safe="/"))


# The rule-dependent part of each result, per verdict list (shared by recipients alike).
_sarif_heads: dict[tuple[int, str], tuple[tuple[Verdict, ...], tuple[str, ...]]] = {}


def _sarif_verdict_heads(verdicts: tuple[Verdict, ...], lang: Lang) -> tuple[str, ...]:
    key = (id(verdicts), lang)
    cached = _sarif_heads.get(key)
    if cached is not None and cached[0] is verdicts:
        return cached[1]
    labels = _SARIF_LABELS[lang]
    heads = []
    for verdict in verdicts:
        level = SARIF_LEVELS.get(verdict.status)
        if level is None:
            continue
        text = verdict.message
        if verdict.remedy:
            text += f" {labels['remedy']} {verdict.remedy}"
        evidence = [span.model_dump() for span in verdict.evidence]
        heads.append(
            f"{verdict.rule_id}\t{lang}\t"
            f'{{"ruleId":{_str(verdict.rule_id)},"level":"{level}","message":{{"text":{_str(text)}}},'
            f'"properties":{{"status":"{verdict.status.value}","concern":"{verdict.concern.value}",'
            f'"severity":"{verdict.severity.value}","evidence":{_json(evidence)},'
        )
    if not verdicts:
        heads.append(
            f"{NO_RULE_IN_FORCE}\t{lang}\t"
            f'{{"ruleId":"{NO_RULE_IN_FORCE}","level":"warning",'
            f'"message":{{"text":{_str(labels["no_rule"])}}},'
            f'"properties":{{"status":"{Status.REVIEW.value}",'
        )
    if len(_sarif_heads) > 4096:
        _sarif_heads.clear()
    _sarif_heads[key] = (verdicts, tuple(heads))
    return tuple(heads)


def _sarif_item(result: Result) -> str:
    """Each result of one case as a line `<rule id>\t<lang>\t<result JSON>` (no ruleIndex yet)."""
    location = _sarif_location(result.location)
    if result.report is None:
        body = (
            f'{{"ruleId":"{INPUT_ERROR}","level":"error",'
            f'"message":{{"text":{_str(result.error or "unreadable input")}}},'
            f'"locations":[{location}]}}'
        )
        return f"{INPUT_ERROR}\t\t{body}\n"
    report = result.report
    heads = _sarif_verdict_heads(report.verdicts, report.lang)
    if not heads:
        return ""
    tail = (
        f'"recipient":{_str(report.recipient)},"resolvedAt":"{report.resolved_at.isoformat()}"}},'
        f'"locations":[{location}]}}\n'
    )
    return "".join(head + tail for head in heads)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# How well the source was read (see Confidence), in words.
_CONFIDENCE = {
    "fr": {"read": "texte lu", "summary": "lu dans un résumé", "unverified": "non vérifiée"},
    "en": {"read": "text read", "summary": "read in a summary", "unverified": "unverified"},
}
_PROBLEM_SEVERITY = {"high": "error", "medium": "warning", "low": "recommendation"}


def rule_descriptor(rule: Rule, lang: Lang) -> dict[str, Any]:
    """A rule as a SARIF reportingDescriptor: what it checks, its source and its validity."""
    cite = rule.citation
    article = f", {cite.article}" if cite.article else ""
    until = rule.valid_until.isoformat() if rule.valid_until else None
    confidence = _CONFIDENCE[lang][cite.confidence.value]
    if lang == "fr":
        source = f"Source : {cite.reference}{article} ({confidence})."
        validity = f"En vigueur du {rule.valid_from} au {until or '(sans fin)'}."
    else:
        source = f"Source: {cite.reference}{article} ({confidence})."
        validity = f"In force from {rule.valid_from} to {until or '(no end)'}."
    remedy = rule.remedy[lang]
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.title[lang]},
        "fullDescription": {"text": f"{rule.title[lang]} {source} {validity}"},
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


def _sarif_writer(packs: Sequence[Pack] | None) -> Callable[[Iterable[str], TextIO], None]:
    """A SARIF `write` whose rule descriptors come from `packs` (None: the shipped packs)."""

    def write(rendered: Iterable[str], out: TextIO) -> None:
        order: dict[str, int] = {}
        lang: Lang | None = None
        errors = 0
        out.write(f'{{"$schema":"{SARIF_SCHEMA}","version":"2.1.0","runs":[{{"results":[')
        separator = "\n"
        for chunk in rendered:
            for line in chunk.split("\n"):
                if not line:
                    continue
                rule_id, line_lang, body = line.split("\t", 2)
                index = order.get(rule_id)
                if index is None:
                    index = order[rule_id] = len(order)
                if lang is None and line_lang in ("fr", "en"):
                    lang = "fr" if line_lang == "fr" else "en"
                errors += rule_id == INPUT_ERROR
                out.write(f'{separator}{{"ruleIndex":{index},{body[1:]}')
                separator = ",\n"
        out.write(_sarif_footer(order, lang or "en", errors, packs))

    return write


def _sarif_footer(
    order: Mapping[str, int], lang: Lang, errors: int, packs: Sequence[Pack] | None
) -> str:
    rules: dict[str, Rule] = {}
    for pack in shipped_packs() if packs is None else packs:
        for rule in pack.rules:
            rules.setdefault(rule.id, rule)
    descriptors = [
        rule_descriptor(rules[rule_id], lang)
        if rule_id in rules
        else _pseudo_descriptor(rule_id, lang)
        for rule_id in order  # insertion order is index order
    ]
    invocation: dict[str, Any] = {"executionSuccessful": errors == 0}
    if errors:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "error",
                "message": {
                    "text": f"{errors} input(s) could not be checked: "
                    f"see the results of rule {INPUT_ERROR}."
                },
            }
        ]
    driver = {
        "name": "smscheck",
        "version": _tool_version(),
        "semanticVersion": _tool_version(),
        "informationUri": _information_uri(),
        "rules": descriptors,
    }
    tail = _json({"tool": {"driver": driver}, "invocations": [invocation]})
    return f"\n],{tail[1:]}]}}\n"


Write = Callable[[Iterable[str], TextIO], None]


@dataclass(frozen=True, slots=True)
class Formatter:
    item: Callable[[Result], str]
    write: Write
    bind: Callable[[Sequence[Pack]], Write] | None = None

    def for_packs(self, packs: Sequence[Pack]) -> Formatter:
        """This format, its `write` told which packs the run loaded (for rule metadata)."""
        return self if self.bind is None else Formatter(self.item, self.bind(packs), self.bind)


FORMATTERS: Mapping[str, Formatter] = {
    "text": Formatter(_text_item, _write_each),
    "json": Formatter(_json_item, _write_each),
    "sarif": Formatter(_sarif_item, _sarif_writer(None), _sarif_writer),
}
