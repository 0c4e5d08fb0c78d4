"""The `json` format: one report per line, the same bytes as `Report.model_dump_json()`
(see `smscheck schema --report`)."""

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
        f'"source":{"null" if report.source is None else json_str(report.source)}}}'
    )
    return head + per_verdicts(_rendered, report.verdicts, _verdicts_json) + tail


def item(result: Result) -> str:
    if result.report is None:
        return (
            json.dumps({"source": result.location, "error": result.error}, ensure_ascii=False)
            + "\n"
        )
    return report_json(result.report) + "\n"


FORMATTER = Formatter(item, write_each)
