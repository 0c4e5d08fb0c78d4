"""Running one rule on a case, and the verdict its outcome gives."""

from __future__ import annotations

from dataclasses import dataclass

from smscheck.models import trusted
from smscheck.outcome import Context, Outcome, Text, as_key, read_path
from smscheck.packs import Rule
from smscheck.patterns import PatternTimeout
from smscheck.privacy import mask_evidence, mask_numbers
from smscheck.verdicts import Confidence, Lang, Status, Verdict, milder

_QUIET = (Status.PASS, Status.NOT_APPLICABLE)


def outcome_of(rule: Rule, context: Context) -> Outcome:
    """What the rule finds in the case: not applicable when a condition of its `when` is unmet,
    else its check's outcome (a review when the case's time budget runs out)."""
    return _unmet_condition(rule, context) or guarded(rule, context)


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


def guarded(rule: Rule, context: Context) -> Outcome:
    """The rule's check on the case; a review if its patterns run out of the case's time."""
    try:
        return rule.built.check(context)
    except PatternTimeout as timeout:
        return TimedOut(
            Status.REVIEW,
            Text(
                fr=f"Le motif {timeout} a dépassé le temps imparti : vérification manuelle requise.",
                en=f"Pattern {timeout} ran out of time: check this rule by hand.",
            ),
        )


@dataclass(frozen=True, slots=True)
class TimedOut(Outcome):
    """A review because the case's time budget ran out: never shared with other cases, as
    the budget is the whole case's."""


def verdict_of(rule: Rule, outcome: Outcome, body: str, lang: Lang, show_numbers: bool) -> Verdict:
    """The rule's verdict on a case whose message has this `body`, in `lang`: the outcome's
    status within the rule's ceiling (a review at most for a citation not yet verified), its
    reason after the rule's wording, numbers quoted masked unless `show_numbers`."""
    status = outcome.status
    if rule.ceiling is not None:
        status = milder(status, rule.ceiling)
    if rule.citation.confidence is Confidence.UNVERIFIED:
        status = milder(status, Status.REVIEW)
    message = _lead(rule, status)[lang]
    # Reasons, evidence and a case's own remedy quote it (bodies, links, fields): their
    # numbers are masked as the recipient's is. Rule texts hold none (tests/test_privacy.py).
    if outcome.reason is not None:
        reason = outcome.reason[lang]
        message = f"{message} {reason if show_numbers else mask_numbers(reason)}"
    evidence = outcome.evidence
    remedy = "" if status in _QUIET else (outcome.remedy or rule.remedy)[lang]
    if not show_numbers:
        evidence = mask_evidence(evidence, body)
        remedy = mask_numbers(remedy) if outcome.remedy else remedy
    return trusted(
        Verdict,
        {
            "rule_id": rule.id,
            "concern": rule.concern,
            "status": status,
            "severity": rule.severity,
            "message": message,
            "evidence": evidence,
            "citation": rule.citation,
            "remedy": remedy,
            "accepted": None,
        },
    )


def _lead(rule: Rule, status: Status) -> Text:
    """The verdict's first sentence, from the rule's wording for that status."""
    if status in _QUIET:
        return rule.title
    return rule.review if status is Status.REVIEW else rule.message
