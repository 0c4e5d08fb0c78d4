"""Information owed to the recipient: in short form in the SMS, or through a link to a notice."""

from __future__ import annotations

from pydantic import Field

from smscheck.models import Frozen
from smscheck.outcome import Context, NamedCheck, Outcome, Scope, Text, passed
from smscheck.patterns import Pattern
from smscheck.verdicts import Span, Status


class MentionArgs(Frozen):
    patterns: tuple[Pattern, ...] = Field(
        min_length=1, description="Short-form wordings that suffice."
    )
    what_fr: str
    what_en: str


def mentioned_or_linked(ctx: Context, args: MentionArgs) -> Outcome:
    """The body states the information, or links to the campaign's information notice."""
    body = ctx.case.message.body
    notice = ctx.case.campaign.info_notice_url
    if notice:
        where = body.find(notice)
        if where >= 0:
            return passed(evidence=(Span(start=where, end=where + len(notice), text=notice),))
    for pattern in args.patterns:
        span = pattern.first(body)
        if span is not None:
            return passed(evidence=(span,))
    return Outcome(
        Status.FAIL,
        Text(
            fr=f"Le texte ne donne pas {args.what_fr}, ni de lien vers la notice d'information.",
            en=f"The text gives no {args.what_en}, nor a link to the information notice.",
        ),
    )


CHECKS = {
    "information.mentioned_or_linked": NamedCheck(mentioned_or_linked, MentionArgs, Scope.MESSAGE),
}
