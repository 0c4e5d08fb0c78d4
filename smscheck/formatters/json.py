"""The JSON Lines formats (the contract: docs/reports.md and `smscheck schema --report`).

`json`: a line per case (the bytes of `Report.model_dump_json()`), per campaign template (of
`TemplateReport.model_dump_json()`, `"kind":"template"`) or per input error (`{"source",
"error"}`), each self-contained.
`json-compact`: a rule table first (`RuleTable`, `"kind":"rules"`: each rule's pack and
version, concern, severity, validity and citation, once for the run), then the same lines
with verdicts that leave out the three fields the table holds.
`expand` turns either back into the `json` lines.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any, TextIO

from pydantic import TypeAdapter, ValidationError

from smscheck.formatters.base import (
    CacheEntry,
    Formatter,
    Result,
    json_str,
    remembered,
    tool_version,
    write_each,
)
from smscheck.packs import Pack, shipped_packs
from smscheck.privacy import mask_numbers
from smscheck.recent import MAX_REPORTS, Recent
from smscheck.verdicts import (
    InputErrorLine,
    PackRef,
    Report,
    RuleEntry,
    RuleTable,
    TemplateReport,
    Verdict,
)

REPORT_FORMATS = ("json", "json-compact")  # the formats whose lines `report_schema` describes

# What a verdict of `json-compact` leaves to the rule table: its rule's, never the case's.
RULE_FIELDS = ("concern", "severity", "citation")
_LEFT_TO_TABLE = {"__all__": set(RULE_FIELDS)}

_VERDICT = TypeAdapter(Verdict)
# Verdicts are shared objects (one per distinct outcome of a rule, see `engine.Checker`), far
# fewer than the lists they make up, which recipients rarely share whole (a consent date, a
# merged first name): each verdict is rendered once, and a report joins them.
_MAX_RENDERED = 16_384
_full: dict[int, tuple[Verdict, str]] = {}
_compact: dict[int, tuple[Verdict, str]] = {}
_WITHOUT_RULE_FIELDS = set(RULE_FIELDS)


def _rendered(
    verdicts: tuple[Verdict, ...], cache: dict[int, tuple[Verdict, str]], **dump: Any
) -> tuple[str, ...]:
    """Each verdict as JSON, the bytes of dumping it (joined with commas in a list: the bytes
    of dumping the tuple whole)."""
    parts = []
    for verdict in verdicts:
        cached = cache.get(id(verdict))
        if cached is None or cached[0] is not verdict:  # the entry holds it: its id is its own
            if len(cache) >= _MAX_RENDERED:
                cache.clear()
            cached = cache[id(verdict)] = (verdict, _VERDICT.dump_json(verdict, **dump).decode())
        parts.append(cached[1])
    return tuple(parts)


# A report line less its recipient and source: the pieces before them (the verdicts' texts
# among them, the rendered objects themselves, not a copy) and the text after.
_Around = tuple[tuple[str, ...], str]


def _report_line(report: Report, verdicts: tuple[str, ...]) -> str:
    return _line(_around(report, verdicts), report.recipient, report.source)


def _around(report: Report, verdicts: tuple[str, ...]) -> _Around:
    before = [f'{{"status":"{report.status.value}","verdicts":[']
    for at, verdict in enumerate(verdicts):
        before += (",", verdict) if at else (verdict,)
    before.append(f']{_context(report.packs, report.resolved_at, report.lang)}"recipient":')
    after = f',"template":{_nullable(report.template)},"ignored":{_ignored(report.ignored)}}}'
    return tuple(before), after


def _line(around: _Around, recipient: str, source: str | None) -> str:
    before, after = around
    return "".join((*before, json_str(recipient), ',"source":', _nullable(source), after))


def _case_of(
    verdicts_of: Callable[[tuple[Verdict, ...]], tuple[str, ...]],
) -> Callable[[Report, str, str], str]:
    """`Formatter.case` of a format whose verdicts `verdicts_of` renders: a shared report's
    pieces around its recipient and source found once for all its cases (pieces, not their
    text joined, which the cache would then hold a second copy of)."""
    cache: Recent[int, CacheEntry[Report, _Around]] = Recent(MAX_REPORTS)

    def around(shared: Report) -> _Around:
        return _around(shared, verdicts_of(shared.verdicts))

    def case(shared: Report, recipient: str, source: str) -> str:
        return _line(remembered(cache, shared, around), recipient, source) + "\n"

    return case


# The encoding whose bytes a line is joined from, piece by piece: each piece's bytes are the
# bytes of the text it stands for (no byte order mark, no state), under any of its names.
_JOINABLE = codecs.lookup("utf-8").name


def _encoded_case_of(
    verdicts_of: Callable[[tuple[Verdict, ...]], tuple[str, ...]],
) -> Callable[[tuple[str, str]], Callable[[Report, str, str], bytes] | None]:
    """`Formatter.encoded` of a format whose verdicts `verdicts_of` renders: for an encoding,
    a `case` that gives the line's bytes, joined from bytes made once per verdict and per
    shared report (encoding each line whole costs more than the rest of writing it); None for
    an encoding whose pieces cannot be joined."""

    def encoded(encoding: tuple[str, str]) -> Callable[[Report, str, str], bytes] | None:
        try:
            if codecs.lookup(encoding[0]).name != _JOINABLE:
                return None
        except LookupError:  # no such encoding: the text path says so where it writes
            return None
        name, errors = encoding
        pieces: dict[int, tuple[Verdict, bytes]] = {}
        cache: Recent[int, CacheEntry[Report, _EncodedAround]] = Recent(MAX_REPORTS)
        comma, source_key, end = (text.encode(name, errors) for text in (",", ',"source":', "\n"))

        def verdict_bytes(verdicts: tuple[Verdict, ...]) -> Iterator[bytes]:
            for at, verdict in enumerate(verdicts):
                found = pieces.get(id(verdict))
                if found is None or found[0] is not verdict:  # the entry holds it
                    if len(pieces) >= _MAX_RENDERED:
                        pieces.clear()
                    text = verdicts_of((verdict,))[0]  # rendered only when not yet encoded
                    found = pieces[id(verdict)] = (verdict, text.encode(name, errors))
                if at:
                    yield comma
                yield found[1]

        def around(shared: Report) -> _EncodedAround:
            (head, tail), after = _around(shared, ())  # the text around the verdicts
            before = (head.encode(name, errors), *verdict_bytes(shared.verdicts))
            return (*before, tail.encode(name, errors)), after.encode(name, errors)

        def case(shared: Report, recipient: str, source: str) -> bytes:
            before, after = remembered(cache, shared, around)
            return b"".join(
                (
                    *before,
                    json_str(recipient).encode(name, errors),
                    source_key,
                    _nullable(source).encode(name, errors),
                    after,
                    end,
                )
            )

        return case

    return encoded


_EncodedAround = tuple[tuple[bytes, ...], bytes]


# What a report line writes of its batch (the packs, the date, the language; the rules left
# out), the same objects for all the cases of a message: made once per object.
_contexts: dict[tuple[int, date, str], tuple[tuple[PackRef, ...], str]] = {}
_ignores: dict[int, tuple[tuple[str, ...], str]] = {}


def _context(packs: tuple[PackRef, ...], resolved_at: date, lang: str) -> str:
    key = (id(packs), resolved_at, lang)
    found = _contexts.get(key)
    if found is None or found[0] is not packs:  # the entry holds them: their id stays theirs
        refs = ",".join(
            f'{{"name":{json_str(p.name)},"version":{json_str(p.version)}}}' for p in packs
        )
        text = f',"packs":[{refs}],"resolved_at":"{resolved_at.isoformat()}","lang":"{lang}",'
        if len(_contexts) >= _MAX_RENDERED:
            _contexts.clear()
        found = _contexts[key] = (packs, text)
    return found[1]


def _ignored(ignored: tuple[str, ...]) -> str:
    found = _ignores.get(id(ignored))
    if found is None or found[0] is not ignored:
        if len(_ignores) >= _MAX_RENDERED:
            _ignores.clear()
        found = _ignores[id(ignored)] = (ignored, f"[{','.join(map(json_str, ignored))}]")
    return found[1]


def report_json(report: Report) -> str:
    """The report as compact JSON, the same bytes as `report.model_dump_json()`."""
    return _report_line(report, _full_verdicts(report.verdicts))


def _full_verdicts(verdicts: tuple[Verdict, ...]) -> tuple[str, ...]:
    return _rendered(verdicts, _full)


def _nullable(value: str | None) -> str:
    return "null" if value is None else json_str(value)


def _error_line(result: Result) -> str:
    return json.dumps({"source": result.location, "error": result.error}, ensure_ascii=False)


def full_item(result: Result) -> str:
    """A result as one self-contained line (`json`)."""
    if result.template is not None:
        return result.template.model_dump_json() + "\n"
    if result.report is None:
        return _error_line(result) + "\n"
    return report_json(result.report) + "\n"


def compact_item(result: Result) -> str:
    """A result as one line of `json-compact`: its verdicts without the fields of the rule table."""
    if result.template is not None:
        return result.template.model_dump_json(exclude={"verdicts": _LEFT_TO_TABLE}) + "\n"
    if result.report is None:
        return _error_line(result) + "\n"
    return _report_line(result.report, _compact_verdicts(result.report.verdicts)) + "\n"


def _compact_verdicts(verdicts: tuple[Verdict, ...]) -> tuple[str, ...]:
    return _rendered(verdicts, _compact, exclude=_WITHOUT_RULE_FIELDS)


def rule_table(packs: Sequence[Pack]) -> RuleTable:
    """The rule table of a run that loaded `packs`: every rule, in force or not, by id."""
    rules: dict[str, RuleEntry] = {}
    for pack in packs:
        for rule in pack.rules:
            rules.setdefault(
                rule.id,
                RuleEntry(
                    pack=pack.ref,
                    concern=rule.concern,
                    severity=rule.severity,
                    valid_from=rule.valid_from,
                    valid_until=rule.valid_until,
                    citation=rule.citation,
                ),
            )
    refs = tuple(dict.fromkeys(pack.ref for pack in packs))
    return RuleTable(smscheck_version=tool_version(), packs=refs, rules=rules)


def _compact_writer(packs: Sequence[Pack] | None) -> Callable[[Iterable[str], TextIO], None]:
    """A `json-compact` write whose rule table, from `packs` (None: the shipped packs), comes
    before the first line (an output with no line has no table)."""

    def write(rendered: Iterable[str], out: TextIO) -> None:
        begun = False
        for text in rendered:
            if text and not begun:
                out.write(_table_line(shipped_packs() if packs is None else packs))
                begun = True
            out.write(text)

    return write


def _table_line(packs: Sequence[Pack]) -> str:
    """The rule table line that opens a `json-compact` output."""
    return rule_table(packs).model_dump_json() + "\n"


def expand(lines: Iterable[str]) -> Iterator[str]:
    """The `json` lines of a `json-compact` or `json` report, each ending in a newline: a
    verdict gets its rule's fields from the last rule table before it; tables are left out.
    ValueError on a line that is not one of the report's, or a rule no table before it has."""
    table: RuleTable | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {number}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise ValueError(f"line {number}: not a JSON object")
        try:
            if record.get("kind") == "rules":
                table = RuleTable.model_validate(record)
            elif "verdicts" not in record:
                InputErrorLine.model_validate(record)
                yield line.rstrip("\r\n") + "\n"
            else:
                record["verdicts"] = [_with_rule(v, table, number) for v in record["verdicts"]]
                model = TemplateReport if record.get("kind") == "template" else Report
                yield model.model_validate(record).model_dump_json() + "\n"
        except ValidationError as exc:
            raise ValueError(f"line {number}: {exc}") from None


def _with_rule(verdict: Any, table: RuleTable | None, number: int) -> Any:
    if not isinstance(verdict, dict) or "citation" in verdict:  # already full (or invalid)
        return verdict
    rule_id = str(verdict.get("rule_id"))
    entry = None if table is None else table.rules.get(rule_id)
    if entry is None:
        shown = mask_numbers(rule_id)
        raise ValueError(f"line {number}: rule {shown!r} is in no rule table before it")
    return {**verdict, **{name: getattr(entry, name) for name in RULE_FIELDS}}


def report_schema(form: str) -> dict[str, Any]:
    """The JSON Schema of a line of a `--format FORM` report (`json` or `json-compact`)."""
    if form == "json":
        schema = TypeAdapter(Report | TemplateReport | InputErrorLine).json_schema(
            mode="serialization"
        )
        schema["title"] = "A line of smscheck --format json: a self-contained report"
        return schema
    lines = RuleTable | Report | TemplateReport | InputErrorLine
    schema = TypeAdapter(lines).json_schema(mode="serialization")
    defs = schema["$defs"]
    verdict = defs.pop("Verdict")
    for name in RULE_FIELDS:
        del verdict["properties"][name]
    verdict["required"] = [name for name in verdict["required"] if name not in RULE_FIELDS]
    verdict["title"] = "CompactVerdict"
    verdict["description"] = (
        "A verdict: its rule's concern, severity and citation are in the last rule table "
        "before it, under its rule_id."
    )
    defs["CompactVerdict"] = verdict
    for name in ("Report", "TemplateReport"):
        defs[name]["properties"]["verdicts"]["items"] = {"$ref": "#/$defs/CompactVerdict"}
    schema["title"] = (
        "A line of smscheck --format json-compact: the rule table, a report, an input error"
    )
    return schema


COMPACT = Formatter(
    compact_item,
    _compact_writer(None),
    _compact_writer,
    case=_case_of(_compact_verdicts),
    encoded=_encoded_case_of(_compact_verdicts),
    head=_table_line,
)
FULL = Formatter(
    full_item, write_each, case=_case_of(_full_verdicts), encoded=_encoded_case_of(_full_verdicts)
)
