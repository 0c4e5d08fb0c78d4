"""Assertions for users' test suites: `assert_compliant(case)`, `assert_fails(case, rule_id)`.

Their failure messages list each offending rule with its message, the quoted evidence and the
citation, readable in a terminal. Without a `checker`, they use the configuration found from
the working directory (`[tool.smscheck]` or `smscheck.toml`, as `smscheck check` does): its
packs, select, ignore, lang, opt-out registry and fail-on.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from smscheck import config
from smscheck.engine import Checker
from smscheck.models import Case
from smscheck.verdicts import Report, Status, Verdict


@cache
def _configured() -> config.Config:
    return config.discover()


@cache
def configured_checker() -> Checker:
    """The checker of the configuration found from the working directory, built once."""
    return _configured().checker()


def explain(verdicts: Iterable[Verdict]) -> str:
    """Each verdict as a short block: status, rule, message, evidence, citation, remedy."""
    blocks = []
    for verdict in verdicts:
        lines = [
            f"{verdict.status.value.upper()} {verdict.rule_id} ({verdict.concern.value}): {verdict.message}"
        ]
        lines += [
            f"    evidence: « {span.text} » at {span.start}:{span.end}" for span in verdict.evidence
        ]
        cite = verdict.citation
        article = f", {cite.article}" if cite.article else ""
        lines.append(f"    source: {cite.reference}{article} <{cite.link}>")
        if verdict.remedy:
            lines.append(f"    remedy: {verdict.remedy}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def assert_compliant(
    case: Case, *, checker: Checker | None = None, tolerate: Iterable[Status] | None = None
) -> Report:
    """Fail unless every verdict passes; returns the report. Tolerated: `tolerate`, else what
    the configuration's fail-on lets pass, else warnings."""
    report = (checker or configured_checker()).check(case)
    if tolerate is None:
        configured = _configured().tolerated()
        tolerate = (Status.WARN,) if configured is None else configured
    allowed = {Status.PASS, Status.NOT_APPLICABLE, *tolerate}
    offending = [verdict for verdict in report.verdicts if verdict.counted not in allowed]
    if offending or (not report.verdicts and Status.REVIEW not in allowed):
        detail = explain(offending) or "no rule is in force at the send date"
        raise AssertionError(f"message is not compliant ({report.status.value}):\n{detail}")
    return report


def assert_fails(case: Case, rule_id: str, *, checker: Checker | None = None) -> Report:
    """Fail unless rule `rule_id` was applied and failed; returns the report."""
    report = (checker or configured_checker()).check(case)
    try:
        verdict = report.verdict(rule_id)
    except KeyError:
        applied = ", ".join(v.rule_id for v in report.verdicts)
        raise AssertionError(f"rule {rule_id} was not applied (applied: {applied})") from None
    if verdict.status is not Status.FAIL:
        raise AssertionError(f"rule {rule_id} did not fail:\n{explain([verdict])}")
    return report
