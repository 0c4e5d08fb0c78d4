"""Output models: one verdict per rule, gathered in a report. Field names are the public contract."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field

from smscheck.models import Frozen, trusted

Lang = Literal["fr", "en"]


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    REVIEW = "review"
    NOT_APPLICABLE = "not_applicable"


# Worst first: a report takes the status of its worst verdict.
_RANK = {
    Status.FAIL: 4,
    Status.REVIEW: 3,
    Status.WARN: 2,
    Status.PASS: 1,
    Status.NOT_APPLICABLE: 0,
}


def worst(statuses: Iterable[Status]) -> Status:
    """The most serious status; a set with nothing applicable is a pass."""
    found = max(statuses, key=_RANK.__getitem__, default=Status.PASS)
    return Status.PASS if found is Status.NOT_APPLICABLE else found


def at_least(status: Status, threshold: Status) -> bool:
    """Whether `status` is as serious as `threshold` or more (fail > review > warn)."""
    return _RANK[status] >= _RANK[threshold]


def milder(status: Status, ceiling: Status) -> Status:
    """`status`, but never worse than `ceiling`."""
    return ceiling if _RANK[status] > _RANK[ceiling] else status


class Concern(StrEnum):
    SENDER_IDENTITY = "sender_identity"
    CONSENT = "consent"
    INFORMATION = "information"
    OPT_OUT = "opt_out"
    CHARTER = "charter"
    TIMING = "timing"
    FORMAT = "format"


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Confidence(StrEnum):
    """How well the source was read (see shared/brief/sources.md)."""

    READ = "read"
    SUMMARY = "summary"
    UNVERIFIED = "unverified"


class Span(Frozen):
    """A stretch of the message body: `body[start:end] == text`, except that phone numbers in
    `text` are masked unless the checker shows numbers (`06 ** ** ** 32`, same length)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Citation(Frozen):
    title: str
    reference: str
    article: str = ""
    date: date
    link: str
    confidence: Confidence


class Verdict(Frozen):
    rule_id: str
    concern: Concern
    status: Status
    severity: Severity
    message: str
    evidence: tuple[Span, ...] = ()
    citation: Citation
    remedy: str = ""
    accepted: str | None = Field(
        default=None,
        description="Why this finding was accepted (a template's `accept`): an accepted "
        "verdict keeps its status but no longer counts towards the report's status.",
    )

    @property
    def counted(self) -> Status:
        """The status this verdict gives its report: an accepted one counts as a pass."""
        return self.status if self.accepted is None else Status.PASS


class PackRef(Frozen):
    name: str
    version: str


class Report(Frozen):
    status: Status
    verdicts: tuple[Verdict, ...]
    packs: tuple[PackRef, ...]
    resolved_at: date = Field(description="The date at which the rules were resolved.")
    lang: Lang = "fr"
    recipient: str = Field(description="The recipient's number, masked unless asked otherwise.")
    source: str | None = Field(default=None, description="Where the case was read: file[:line].")
    template: str | None = Field(
        default=None,
        description="The `source` of the template report holding this case's message-level "
        "verdicts (a campaign run): `verdicts` then holds only what differs per recipient, "
        "and `status` is still the case's whole status. None: `verdicts` holds every verdict.",
    )
    ignored: tuple[str, ...] = Field(
        default=(), description="Rules in force that the configuration (select, ignore) left out."
    )

    def filled(self, recipient: str, source: str | None) -> Report:
        """This report with the given recipient and source: a report the engine shares among
        the cases that get the same verdicts (see `Checker.shared_report`) made one case's."""
        return trusted(Report, {**self.__dict__, "recipient": recipient, "source": source})

    def by_concern(self) -> dict[Concern, Status]:
        """The worst status per concern, for concerns with at least one verdict."""
        grouped: dict[Concern, list[Status]] = {}
        for verdict in self.verdicts:
            grouped.setdefault(verdict.concern, []).append(verdict.status)
        return {concern: _concern_status(statuses) for concern, statuses in grouped.items()}

    def verdict(self, rule_id: str) -> Verdict:
        """The verdict of one rule; KeyError if the rule was not applied."""
        for verdict in self.verdicts:
            if verdict.rule_id == rule_id:
                return verdict
        raise KeyError(rule_id)


def _concern_status(statuses: list[Status]) -> Status:
    if all(status is Status.NOT_APPLICABLE for status in statuses):
        return Status.NOT_APPLICABLE
    return worst(statuses)


class TemplateReport(Frozen):
    """The check of a campaign template, once for all its recipients: the verdicts of rules that
    read only the message, sender, date and campaign; rules that need a recipient are
    `not_applicable` here ("depends on the recipient") and checked in each recipient's report
    (`Report.template` names this report's `source`)."""

    kind: Literal["template"] = "template"
    template: str | None = Field(description="The template's id, when it has one.")
    status: Status = Field(description="The worst message-level verdict (accepted ones aside).")
    verdicts: tuple[Verdict, ...]
    packs: tuple[PackRef, ...]
    resolved_at: date = Field(description="The date at which the rules were resolved.")
    lang: Lang = "fr"
    source: str = Field(description="Where the template was read: file[:line].")
    per_recipient: tuple[str, ...] = Field(
        default=(),
        description="The rules that need a recipient: `not_applicable` here, each checked in "
        "every recipient's report. The other verdicts are message-level: a recipient's report "
        "repeats one only where it differs for that recipient (a merge field filled).",
    )
    ignored: tuple[str, ...] = Field(
        default=(), description="Rules in force that the configuration (select, ignore) left out."
    )


def status_of(verdicts: Iterable[Verdict]) -> Status:
    """A report's status: the worst counted verdict; no rule in force is no evidence of
    compliance, so a person must look (review)."""
    counted = [verdict.counted for verdict in verdicts]
    return worst(counted) if counted else Status.REVIEW


class RuleEntry(Frozen):
    """A rule as the rule table of a `--format json-compact` report gives it: what a verdict
    of the rule leaves out there, and the rule's pack and validity."""

    pack: PackRef
    concern: Concern
    severity: Severity
    valid_from: date
    valid_until: date | None = Field(description="None: no end.")
    citation: Citation


class RuleTable(Frozen):
    """The first line of a `--format json-compact` report: every rule of the packs the run
    loaded, by id. A verdict takes its `concern`, `severity` and `citation` from the last
    table before it, under its `rule_id`."""

    kind: Literal["rules"] = "rules"
    smscheck_version: str
    packs: tuple[PackRef, ...]
    rules: dict[str, RuleEntry]


class InputErrorLine(Frozen):
    """A line for an input that could not be checked: where, and why (in the run's language)."""

    source: str
    error: str
