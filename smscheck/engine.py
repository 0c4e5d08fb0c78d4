"""The check engine: resolve the rules in force at the send date, run them, gather a report."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import get_args

from smscheck.models import Campaign, Case, Message, Recipient, trusted
from smscheck.outcome import Context, Outcome, Scope, Text, as_key, path_scope, read_path
from smscheck.packs import Pack, Rule, distinct_rules, load_pack, rules_at, shipped_packs
from smscheck.patterns import PatternTimeout, case_budget
from smscheck.phones import mask, to_e164
from smscheck.verdicts import (
    Confidence,
    Lang,
    PackRef,
    Report,
    Status,
    Verdict,
    milder,
    worst,
)

_QUIET = (Status.PASS, Status.NOT_APPLICABLE)


# Recipient-scope checks read these fields, whether the number is suppressed, and the area
# its prefix designates; recipients alike in all of them share their verdicts.
_PROFILE = attrgetter(*(name for name in Recipient.model_fields if name != "number"))


# Distinct messages of one campaign whose shared verdicts are kept.
_MAX_BATCHES = 4096


def _area(number: str) -> str:
    """The part of a number that decides its territory (all of +33 is mainland France)."""
    return "+33" if number.startswith("+33") else number[:9]


@dataclass(slots=True)
class _Batch:
    """What is shared by the cases of one message and campaign."""

    message: Message
    campaign: Campaign
    at: date
    rules: tuple[Rule, ...]
    refs: tuple[PackRef, ...]
    by_number: bool  # whether a rule reads the number itself: then no two numbers share verdicts
    shared: dict[str, Verdict]  # by rule id: ids are unique among a checker's packs
    by_profile: dict[tuple[object, ...], tuple[tuple[Verdict, ...], Status, tuple[PackRef, ...]]]


class Checker:
    """Checks cases against a fixed set of packs; reuse one for many cases.

    `suppressed` holds numbers that must receive nothing, written in any usual way (an invalid
    one raises `PhoneNumberError`).

    Verdicts of rules that read only the message and campaign are computed once for a run of
    cases sharing the same message and campaign objects (a campaign sent to many recipients).
    """

    def __init__(
        self,
        packs: Sequence[Pack] | None = None,
        *,
        extra: Iterable[Pack | Path | str] = (),
        suppressed: Collection[str] = frozenset(),
        lang: Lang = "fr",
        show_numbers: bool = False,
    ) -> None:
        if lang not in get_args(Lang):
            raise ValueError(
                f"unknown language {lang!r}: smscheck speaks {' and '.join(get_args(Lang))}"
            )
        added = tuple(pack if isinstance(pack, Pack) else load_pack(pack) for pack in extra)
        self.packs: tuple[Pack, ...] = distinct_rules(
            (tuple(shipped_packs()) if packs is None else tuple(packs)) + added
        )
        self.lang: Lang = lang
        self.show_numbers = show_numbers
        if isinstance(suppressed, str):  # one number would be read as its characters
            raise TypeError("`suppressed` is a collection of numbers, not a string")
        # Any usual writing of a number, compared as recipients' numbers are: in E.164.
        self.suppressed = frozenset(map(to_e164, suppressed))
        self.charters = {pack.charter: pack for pack in self.packs if pack.charter}
        self._charter_packs = {pack.id for pack in self.charters.values()}
        self._at: dict[date, tuple[Rule, ...]] = {}
        self._last: _Batch | None = None
        self._campaign: Campaign | None = None
        self._batches: dict[Message, _Batch] = {}

    def rules_at(self, at: date) -> tuple[Rule, ...]:
        """The rules in force on `at` (cached per date)."""
        found = self._at.get(at)
        if found is None:
            found = self._at[at] = rules_at(self.packs, at)
        return found

    def check(self, case: Case, *, source: str | None = None) -> Report:
        batch = self._batch(case)
        number = case.recipient.number
        suppressed = number in self.suppressed
        profile = (
            _PROFILE(case.recipient),
            suppressed,
            _area(number),
            number if batch.by_number else None,
        )
        found = batch.by_profile.get(profile)
        if found is None:
            found = batch.by_profile[profile] = self._verdicts(batch, case)
        verdicts, status, refs = found
        return trusted(
            Report,
            {
                "status": status,
                "verdicts": verdicts,
                "packs": refs,
                "resolved_at": batch.at,
                "lang": self.lang,
                "recipient": number if self.show_numbers else mask(number),
                "source": source,
            },
        )

    def _batch(self, case: Case) -> _Batch:
        """The shared state of this message and campaign: the same objects as the last case,
        or an equal message of the same campaign (personalised bodies repeat, e.g. first names)."""
        last = self._last
        if last is not None and last.message is case.message and last.campaign is case.campaign:
            return last
        if case.campaign is not self._campaign or len(self._batches) >= _MAX_BATCHES:
            self._campaign, self._batches = case.campaign, {}
        found = self._batches.get(case.message)
        if found is None:
            found = self._batches[case.message] = self._new_batch(case)
        self._last = found
        return found

    def _new_batch(self, case: Case) -> _Batch:
        at = case.message.send_at.date()
        own = self.charters.get(case.campaign.charter or "")
        own_charter = own.id if own is not None else None
        rules = tuple(
            rule
            for rule in self.rules_at(at)
            if rule.pack not in self._charter_packs or rule.pack == own_charter
        )
        used = {rule.pack for rule in rules}
        refs = tuple(PackRef(name=p.id, version=p.version) for p in self.packs if p.id in used)
        by_number = any(_reads_number(rule) for rule in rules)
        return _Batch(case.message, case.campaign, at, rules, refs, by_number, {}, {})

    def _verdicts(
        self, batch: _Batch, case: Case
    ) -> tuple[tuple[Verdict, ...], Status, tuple[PackRef, ...]]:
        context = Context(case=case, suppressed=self.suppressed, charters=self.charters)
        verdicts = []
        with case_budget():  # the patterns of all the rules share one time budget per case
            for rule in batch.rules:
                verdict = batch.shared.get(rule.id)
                if verdict is None:
                    verdict = self._run(rule, context)
                    if _reads_message_only(rule):
                        batch.shared[rule.id] = verdict
                verdicts.append(verdict)
        # No rule in force at that date is no evidence of compliance: a person must look.
        status = worst(v.status for v in verdicts) if verdicts else Status.REVIEW
        return tuple(verdicts), status, batch.refs

    def _run(self, rule: Rule, context: Context) -> Verdict:
        outcome = _unmet_condition(rule, context) or _guarded(rule, context)
        return self._verdict(rule, outcome)

    def _verdict(self, rule: Rule, outcome: Outcome) -> Verdict:
        status = outcome.status
        if rule.ceiling is not None:
            status = milder(status, rule.ceiling)
        if rule.citation.confidence is Confidence.UNVERIFIED:
            status = milder(status, Status.REVIEW)
        message = _lead(rule, status)[self.lang]
        if outcome.reason is not None:
            message = f"{message} {outcome.reason[self.lang]}"
        return Verdict.model_construct(
            rule_id=rule.id,
            concern=rule.concern,
            status=status,
            severity=rule.severity,
            message=message,
            evidence=outcome.evidence,
            citation=rule.citation,
            remedy="" if status in _QUIET else (outcome.remedy or rule.remedy)[self.lang],
        )


def _lead(rule: Rule, status: Status) -> Text:
    """The verdict's first sentence, from the rule's wording for that status."""
    if status in _QUIET:
        return rule.title
    return rule.review if status is Status.REVIEW else rule.message


def _reads_message_only(rule: Rule) -> bool:
    return rule.built.scope is Scope.MESSAGE and all(
        path_scope(path) is Scope.MESSAGE for path in rule.when
    )


def _reads_number(rule: Rule) -> bool:
    """Whether the rule reads `recipient.number` as data (a condition, a field, a count)."""
    return _NUMBER in rule.when or _NUMBER in rule.built.reads


_NUMBER = "recipient.number"


def _unmet_condition(rule: Rule, context: Context) -> Outcome | None:
    for path, allowed in rule.when.items():
        value = as_key(read_path(context.case, path))
        if value not in allowed:
            listed = ", ".join(allowed)
            return Outcome(
                Status.NOT_APPLICABLE,
                Text(
                    fr=f"(ne s'applique que si {path} vaut {listed} ; ici {value}.)",
                    en=f"(applies only when {path} is {listed}; here {value}.)",
                ),
            )
    return None


def _guarded(rule: Rule, context: Context) -> Outcome:
    try:
        return rule.built.check(context)
    except PatternTimeout as timeout:
        return Outcome(
            Status.REVIEW,
            Text(
                fr=f"Le motif {timeout} a dépassé le temps imparti : vérification manuelle requise.",
                en=f"Pattern {timeout} ran out of time: check this rule by hand.",
            ),
        )


def check(
    case: Case,
    *,
    packs: Sequence[Pack] | None = None,
    extra: Iterable[Pack | Path | str] = (),
    suppressed: Collection[str] = frozenset(),
    lang: Lang = "fr",
) -> Report:
    """Check one case against the shipped packs (or `packs`), plus any `extra` packs."""
    return Checker(packs, extra=extra, suppressed=suppressed, lang=lang).check(case)
