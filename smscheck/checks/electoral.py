"""Code électoral rules that read the campaign as a whole."""

from __future__ import annotations

from dataclasses import dataclass
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
from smscheck.verdicts import Span, Status


class PeriodArgs(Frozen):
    months_before: int = Field(
        ge=0, description="The ban starts this many months before the month of the vote."
    )
    patterns: tuple[Pattern, ...] = Field(min_length=1)


class FreephoneArgs(PeriodArgs):
    certain_months_before: int | None = Field(
        default=None,
        ge=0,
        description="Where the period's length is not verified: only this many months are "
        "certain, and a number published earlier in the period is sent for review.",
    )


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class _Period:
    """Where a send falls in a ban that runs from months before the month of the vote."""

    start: date
    sent: date
    inside: bool

    @property
    def outside(self) -> Outcome:
        return not_applicable(
            Text(
                fr=f"Envoi hors de la période d'interdiction (du {self.start} au dernier tour).",
                en=f"Sent outside the ban period (from {self.start} to the last round).",
            )
        )


def _period(ctx: Context, months_before: int) -> _Period:
    election = ctx.case.campaign.election
    first = election.rounds[0].date_in(election.territory)
    last = election.rounds[-1].date_in(election.territory)
    start = _months_back(first, months_before)
    # The constituency's calendar day, not the day in whatever offset send_at was written with.
    sent = ctx.case.message.send_at.astimezone(zone(election.territory)).date()
    return _Period(start, sent, start <= sent <= last)


def _signs(ctx: Context, args: PeriodArgs) -> tuple[Span, ...]:
    return tuple(span for pattern in args.patterns for span in pattern.spans(ctx.case.message.body))


def no_freephone_number(ctx: Context, args: FreephoneArgs) -> Outcome:
    """No free-phone number made public during the months before the election."""
    period = _period(ctx, args.months_before)
    if not period.inside:
        return period.outside
    spans = _signs(ctx, args)
    certain = args.certain_months_before
    if spans and certain is not None and period.sent < _period(ctx, certain).start:
        return Outcome(
            Status.REVIEW,
            Text(
                fr=f"Numéro gratuit publié : {spans[0].text}, plus de {certain} mois avant le "
                f"mois du scrutin ; que l'interdiction ait alors duré {args.months_before} mois "
                "n'est pas vérifié.",
                en=f"Free-phone number published: {spans[0].text}, more than {certain} months "
                f"before the month of the vote; that the ban then lasted {args.months_before} "
                "months is not verified.",
            ),
            spans,
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
    """No file or sending service given, or sold below its price, by a legal person other than
    a party or political group (a company, association, foundation, union, local authority or
    public body)."""
    gifts = [
        provider
        for provider in ctx.case.campaign.providers
        if provider.kind.barred_donor and not provider.paid_at_market_price
    ]
    if gifts:
        names = ", ".join(f"{gift.name} ({gift.kind.value}, {gift.supplies})" for gift in gifts)
        return Outcome(
            Status.FAIL,
            Text(
                fr=f"Don d'une personne morale : {names}.",
                en=f"Donation from a legal person: {names}.",
            ),
        )
    return passed()


def no_authority_promotion(ctx: Context, args: PeriodArgs) -> Outcome:
    """A local authority does not promote its achievements or management in the months before
    the general renewal of its council (L52-1 al. 2)."""
    period = _period(ctx, args.months_before)
    if not period.inside:
        return passed(
            Text(
                fr=f"Envoi avant la période de réserve (ouverte le {period.start}).",
                en=f"Sent before the pre-election period (opening {period.start}).",
            )
        )
    spans = _signs(ctx, args)
    if spans:
        quoted = ", ".join(f"« {span.text} »" for span in spans[:3])
        return Outcome(
            Status.FAIL,
            Text(
                fr=f"Message d'une collectivité vantant son action ({quoted}), envoyé depuis "
                f"le {period.start}, premier jour de la période de réserve.",
                en=f"A local authority's message praising its record ({quoted}), sent since "
                f"{period.start}, the first day of the pre-election period.",
            ),
            spans,
        )
    return passed()


CHECKS = {
    "electoral.no_freephone": NamedCheck(no_freephone_number, FreephoneArgs, Scope.MESSAGE),
    "electoral.no_corporate_donation": NamedCheck(no_corporate_donation, NoArgs, Scope.MESSAGE),
    "electoral.no_authority_promotion": NamedCheck(
        no_authority_promotion, PeriodArgs, Scope.MESSAGE
    ),
}
