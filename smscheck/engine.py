"""The check engine: resolve the rules in force at the send date, run them, gather a report."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from pathlib import Path

from smscheck.models import Campaign, Case, Message
from smscheck.outcome import Context, Outcome, Scope, Text, as_key, path_scope, read_path
from smscheck.packs import Pack, Rule, load_pack, rules_at, shipped_packs
from smscheck.patterns import PatternTimeout
from smscheck.phones import mask
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


class Checker:
    """Checks cases against a fixed set of packs; reuse one for many cases.

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
        added = tuple(pack if isinstance(pack, Pack) else load_pack(pack) for pack in extra)
        self.packs: tuple[Pack, ...] = (
            tuple(shipped_packs()) if packs is None else tuple(packs)
        ) + added
        self.lang: Lang = lang
        self.show_numbers = show_numbers
        self.suppressed = suppressed
        self.charters = {pack.charter: pack for pack in self.packs if pack.charter}
        self._charter_packs = {pack.id for pack in self.charters.values()}
        self._at: dict[date, tuple[Rule, ...]] = {}
        self._shared: tuple[Message, Campaign, dict[str, Verdict]] | None = None

    def rules_at(self, at: date) -> tuple[Rule, ...]:
        """The rules in force on `at` (cached per date)."""
        found = self._at.get(at)
        if found is None:
            found = self._at[at] = rules_at(self.packs, at)
        return found

    def check(self, case: Case, *, source: str | None = None) -> Report:
        at = case.message.send_at.date()
        shared = self._shared_verdicts(case)
        context = Context(case=case, suppressed=self.suppressed, charters=self.charters)
        verdicts = []
        used: dict[str, None] = {}
        own = self.charters.get(case.campaign.charter or "")
        own_charter = own.id if own is not None else None
        for rule in self.rules_at(at):
            if rule.pack in self._charter_packs and rule.pack != own_charter:
                continue
            verdict = shared.get(rule.id)
            if verdict is None:
                verdict = self._run(rule, context)
                if _reads_message_only(rule):
                    shared[rule.id] = verdict
            verdicts.append(verdict)
            used[rule.pack] = None
        refs = tuple(PackRef(name=p.id, version=p.version) for p in self.packs if p.id in used)
        return Report.model_construct(
            # No rule in force at that date is no evidence of compliance: a person must look.
            status=worst(v.status for v in verdicts) if verdicts else Status.REVIEW,
            verdicts=tuple(verdicts),
            packs=refs,
            resolved_at=at,
            lang=self.lang,
            recipient=case.recipient.number if self.show_numbers else mask(case.recipient.number),
            source=source,
        )

    def _shared_verdicts(self, case: Case) -> dict[str, Verdict]:
        last = self._shared
        if last is not None and last[0] is case.message and last[1] is case.campaign:
            return last[2]
        fresh: dict[str, Verdict] = {}
        self._shared = (case.message, case.campaign, fresh)
        return fresh

    def _run(self, rule: Rule, context: Context) -> Verdict:
        outcome = _unmet_condition(rule, context) or _guarded(rule, context)
        return self._verdict(rule, outcome)

    def _verdict(self, rule: Rule, outcome: Outcome) -> Verdict:
        status = outcome.status
        if rule.ceiling is not None:
            status = milder(status, rule.ceiling)
        if rule.citation.confidence is Confidence.UNVERIFIED:
            status = milder(status, Status.REVIEW)
        lead = rule.title if status in _QUIET or status is Status.REVIEW else rule.message
        message = lead[self.lang]
        if status is Status.REVIEW:
            message += " À vérifier :" if self.lang == "fr" else " To review:"
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
            remedy="" if status in _QUIET else rule.remedy[self.lang],
        )


def _reads_message_only(rule: Rule) -> bool:
    return rule.built.scope is Scope.MESSAGE and all(
        path_scope(path) is Scope.MESSAGE for path in rule.when
    )


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
