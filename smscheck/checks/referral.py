"""Contacts obtained by referral: one message, naming the referrer, and no reminder."""

from __future__ import annotations

from smscheck.outcome import Context, NamedCheck, NoArgs, Outcome, Scope, Text, passed
from smscheck.text import find_name
from smscheck.verdicts import Status


def single_message_naming_referrer(ctx: Context, args: NoArgs) -> Outcome:
    recipient, body = ctx.case.recipient, ctx.case.message.body
    if recipient.times_messaged:
        return Outcome(
            Status.FAIL,
            Text(
                fr=f"Contact recommandé déjà écrit {recipient.times_messaged} fois : un seul message permis.",
                en=f"Referred contact already messaged {recipient.times_messaged} time(s): one message only.",
            ),
        )
    if recipient.referrer is None:
        return Outcome(
            Status.REVIEW,
            Text(
                fr="Le parrain n'est pas renseigné : impossible de vérifier qu'il est nommé.",
                en="The referrer is not given: cannot check that the message names them.",
            ),
        )
    span = find_name(body, recipient.referrer)
    if span is None:
        return Outcome(
            Status.FAIL,
            Text(
                fr="Le message ne nomme pas la personne qui a recommandé ce contact.",
                en="The message does not name the person who referred this contact.",
            ),
        )
    return passed(evidence=(span,))


CHECKS = {
    "referral.single_message": NamedCheck(single_message_naming_referrer, NoArgs, Scope.RECIPIENT),
}
