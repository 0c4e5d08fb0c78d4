"""Opt-out: a working, free way to refuse further messages, and refusals honoured."""

from __future__ import annotations

from pydantic import Field

from smscheck.checks.format import unanswerable
from smscheck.models import Frozen
from smscheck.outcome import Context, NamedCheck, NoArgs, Outcome, Scope, Text, passed
from smscheck.patterns import Pattern
from smscheck.verdicts import Span, Status


class UsableArgs(Frozen):
    """Wording families, as patterns in the pack; the logic of how they combine stays here."""

    reply: tuple[Pattern, ...] = Field(
        min_length=1, description="Opt-out by replying to this sender."
    )
    short_code: tuple[Pattern, ...] = Field(
        min_length=1, description="Opt-out sent to a short code."
    )
    link: tuple[Pattern, ...] = Field(min_length=1, description="Opt-out through a link.")
    paid_or_conditional: tuple[Pattern, ...] = Field(
        min_length=1, description="Wording that makes the opt-out paid or conditional."
    )


def usable_opt_out(ctx: Context, args: UsableArgs) -> Outcome:
    """The body offers a free, unconditional opt-out that works from this sender."""
    message = ctx.case.message
    found = {
        family: _spans(getattr(args, family), message.body)
        for family in ("reply", "short_code", "link", "paid_or_conditional")
    }
    if found["paid_or_conditional"]:
        return Outcome(
            Status.FAIL,
            Text(
                fr="La désinscription est payante ou soumise à condition.",
                en="The opt-out is paid or conditional.",
            ),
            found["paid_or_conditional"],
        )
    if found["short_code"] or found["link"]:
        return passed(evidence=found["short_code"] + found["link"])
    if found["reply"]:
        asked = Text(fr="« Répondre STOP »", en="'Reply STOP'")
        return unanswerable(ctx, asked, found["reply"]) or passed(evidence=found["reply"])
    return Outcome(
        Status.FAIL,
        Text(fr="Aucun moyen de désinscription dans le texte.", en="No opt-out in the text."),
    )


def _spans(patterns: tuple[Pattern, ...], body: str) -> tuple[Span, ...]:
    return tuple(span for pattern in patterns for span in pattern.spans(body))


def not_suppressed(ctx: Context, args: NoArgs) -> Outcome:
    """A person who objected is never messaged again, whatever the message says. The number is
    read only when there is a suppression list to look it up in: without one, the verdict
    follows `opted_out` alone and recipients share it."""
    recipient = ctx.case.recipient
    if recipient.opted_out or (ctx.suppressed and recipient.number in ctx.suppressed):
        return Outcome(
            Status.FAIL,
            Text(
                fr="Ce destinataire s'est opposé à recevoir des messages de la campagne.",
                en="This recipient has objected to the campaign's messages.",
            ),
        )
    return passed()


CHECKS = {
    "optout.usable": NamedCheck(usable_opt_out, UsableArgs, Scope.MESSAGE),
    "optout.not_suppressed": NamedCheck(not_suppressed, NoArgs, Scope.RECIPIENT),
}
