"""Accepting a finding with a reason: a template's `accept` table, rule id to reason.

An accepted verdict keeps its status and carries the reason; it no longer counts towards its
report's status. The law does not bend to a configuration file: a `fail` of a high-severity
rule on consent, opt-out or timing cannot be accepted, and asking for it is an error.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Annotated

from pydantic import StringConstraints

from smscheck.models import MAX_TEXT_CHARS
from smscheck.verdicts import Concern, Severity, Status, Verdict

PROTECTED = frozenset({Concern.CONSENT, Concern.OPT_OUT, Concern.TIMING})

RuleId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS)
]


class AcceptanceError(ValueError):
    """An acceptance that cannot be honoured: an unknown rule, or a protected failure."""


def check_names(accept: Mapping[str, str], known: Collection[str]) -> None:
    """AcceptanceError naming the accepted rule ids no loaded pack has (a typo accepts nothing)."""
    unknown = sorted(rule_id for rule_id in accept if rule_id not in known)
    if unknown:
        raise AcceptanceError(f"accept: no loaded rule has the id {', '.join(unknown)}")


def apply(verdicts: tuple[Verdict, ...], accept: Mapping[str, str]) -> tuple[Verdict, ...]:
    """The verdicts with the accepted findings (fail, review, warn) marked with their reason."""
    marked = []
    for verdict in verdicts:
        reason = accept.get(verdict.rule_id)
        if reason is None or verdict.status in (Status.PASS, Status.NOT_APPLICABLE):
            marked.append(verdict)
            continue
        if (
            verdict.status is Status.FAIL
            and verdict.severity is Severity.HIGH
            and verdict.concern in PROTECTED
        ):
            raise AcceptanceError(
                f"accept: {verdict.rule_id} fails ({verdict.concern.value}, severity high), "
                "and such a failure cannot be accepted: the law does not bend to a "
                "configuration file; fix the message or the recipients"
            )
        marked.append(verdict.model_copy(update={"accepted": reason}))
    return tuple(marked)
