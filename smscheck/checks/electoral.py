"""Code électoral rules that read the campaign as a whole."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from smscheck.models import Frozen
from smscheck.outcome import (
    Context,
    NamedCheck,
    NoArgs,
    Outcome,
    Scope,
    Text,
    not_applicable,
    passed,
)
from smscheck.patterns import Pattern
from smscheck.territories import zone
from smscheck.verdicts import Status

_DONORS = frozenset({"company", "association"})


class FreephoneArgs(Frozen):
    months_before: int = Field(
        ge=0, description="The ban starts this many months before the month of the vote."
    )
    patterns: tuple[Pattern, ...] = Field(min_length=1)


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def no_freephone_number(ctx: Context, args: FreephoneArgs) -> Outcome:
    """No free-phone number made public during the months before the election."""
    election = ctx.case.campaign.election
    first = election.rounds[0].date_in(election.territory)
    last = election.rounds[-1].date_in(election.territory)
    start = _months_back(first, args.months_before)
    # The constituency's calendar day, not the day in whatever offset send_at was written with.
    sent = ctx.case.message.send_at.astimezone(zone(election.territory)).date()
    if not start <= sent <= last:
        return not_applicable(
            Text(
                fr=f"Envoi hors de la période d'interdiction (du {start} au dernier tour).",
                en=f"Sent outside the ban period (from {start} to the last round).",
            )
        )
    spans = tuple(
        span for pattern in args.patterns for span in pattern.spans(ctx.case.message.body)
    )
    if spans:
        return Outcome(
            Status.FAIL,
            Text(
                fr=f"Numéro gratuit publié : {spans[0].text}.",
                en=f"Free-phone number published: {spans[0].text}.",
            ),
            spans,
        )
    return passed()


def no_corporate_donation(ctx: Context, args: NoArgs) -> Outcome:
    """No file or sending service given (or sold below its price) by a company or association."""
    gifts = [
        provider
        for provider in ctx.case.campaign.providers
        if provider.kind in _DONORS and not provider.paid_at_market_price
    ]
    if gifts:
        names = ", ".join(f"{gift.name} ({gift.supplies})" for gift in gifts)
        return Outcome(
            Status.FAIL,
            Text(
                fr=f"Don d'une personne morale : {names}.",
                en=f"Donation from a legal person: {names}.",
            ),
        )
    return passed()


CHECKS = {
    "electoral.no_freephone": NamedCheck(no_freephone_number, FreephoneArgs, Scope.MESSAGE),
    "electoral.no_corporate_donation": NamedCheck(no_corporate_donation, NoArgs, Scope.MESSAGE),
}
