"""Output formats, keyed by name, one module each (as bandit keeps its formatters).

Each format is a `Formatter`: `item` renders one result (it may run in a worker process) and
`write` lays the rendered items out on the output stream. Formats: `text` for a terminal,
`html` for a page to archive, `json` (one self-contained report per line), `json-compact`
(a rule table, then one report per line that names its rules; both in docs/reports.md) and
`sarif` (SARIF 2.1.0 for code-scanning dashboards, see `smscheck.formatters.sarif`).
"""

from __future__ import annotations

from collections.abc import Mapping

from smscheck.formatters import html, json, sarif, text
from smscheck.formatters.base import PLAIN, Formatter, Result, Style, Summary, Write
from smscheck.formatters.json import REPORT_FORMATS, expand, report_json, report_schema, rule_table
from smscheck.formatters.sarif import (
    INPUT_ERROR,
    NO_RULE_IN_FORCE,
    SARIF_LEVELS,
    SARIF_SCHEMA,
    rule_descriptor,
)
from smscheck.formatters.text import summary_table, text_report

FORMATTERS: Mapping[str, Formatter] = {
    "text": text.FORMATTER,
    "html": html.FORMATTER,
    "json": json.FULL,
    "json-compact": json.COMPACT,
    "sarif": sarif.FORMATTER,
}

__all__ = [
    "FORMATTERS",
    "INPUT_ERROR",
    "NO_RULE_IN_FORCE",
    "PLAIN",
    "REPORT_FORMATS",
    "SARIF_LEVELS",
    "SARIF_SCHEMA",
    "Formatter",
    "Result",
    "Style",
    "Summary",
    "Write",
    "expand",
    "report_json",
    "report_schema",
    "rule_descriptor",
    "rule_table",
    "summary_table",
    "text_report",
]
