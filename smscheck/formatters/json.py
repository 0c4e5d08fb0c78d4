"""The `json` format: one report per line, the same bytes as `Report.model_dump_json()`, a
campaign template's as `TemplateReport.model_dump_json()` (`"kind":"template"`), an input error
as `{"source", "error"}` (see `smscheck schema --report`)."""

from __future__ import annotations

import json

from pydantic import TypeAdapter

from smscheck.formatters.base import (
    CacheEntry,
    Formatter,
    Result,
    json_str,
    per_verdicts,
    write_each,
)
from smscheck.verdicts import Report, Verdict

_VERDICTS = TypeAdapter(tuple[Verdict, ...])
_rendered: dict[int, CacheEntry[str]] = {}


def _verdicts_json(verdicts: tuple[Verdict, ...]) -> str:
    return _VERDICTS.dump_json(verdicts).decode()


def report_json(report: Report) -> str:
    """The report as compact JSON, the same bytes as `report.model_dump_json()`."""
    head = f'{{"status":"{report.status.value}","verdicts":'
    packs = ",".join(
        f'{{"name":{json_str(p.name)},"version":{json_str(p.version)}}}' for p in report.packs
    )
    tail = (
        f',"packs":[{packs}],"resolved_at":"{report.resolved_at.isoformat()}",'
        f'"lang":"{report.lang}","recipient":{json_str(report.recipient)},'
        f'"source":{_nullable(report.source)},"template":{_nullable(report.template)},'
        f'"ignored":[{",".join(map(json_str, report.ignored))}]}}'
    )
    return head + per_verdicts(_rendered, report.verdicts, _verdicts_json) + tail


def _nullable(value: str | None) -> str:
    return "null" if value is None else json_str(value)


def item(result: Result) -> str:
    if result.template is not None:
        return result.template.model_dump_json() + "\n"
    if result.report is None:
        return (
            json.dumps({"source": result.location, "error": result.error}, ensure_ascii=False)
            + "\n"
        )
    return report_json(result.report) + "\n"


FORMATTER = Formatter(item, write_each)
