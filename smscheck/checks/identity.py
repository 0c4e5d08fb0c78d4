"""Sender identity: the party or candidate speaking must be recognisable."""

from __future__ import annotations

from smscheck.models import Frozen
from smscheck.outcome import Context, NamedCheck, Outcome, Scope, Text, passed
from smscheck.text import alnum, find_name, shown_sender
from smscheck.verdicts import Span, Status


class IdentityArgs(Frozen):
    body_required: bool = False
    """True when the sender field alone is not enough: the body itself must name the sender."""


def names_sender(ctx: Context, args: IdentityArgs) -> Outcome:
    """The sender field or the body names one of the identities the campaign declares."""
    message, names = ctx.case.message, ctx.case.campaign.names
    spans = tuple(span for name in names if (span := find_name(message.body, name)) is not None)
    sender = alnum(message.sender)
    in_sender = next((name for name in names if _same_name(sender, alnum(name))), None)
    if spans:
        return passed(evidence=spans)
    if in_sender is not None and not args.body_required:
        return passed(
            Text(fr=f"Émetteur affiché : {in_sender}.", en=f"Displayed sender: {in_sender}.")
        )
    declared = ", ".join(names)
    if in_sender is not None:
        reason = Text(
            fr=f"L'émetteur affiché ({shown_sender(message.sender)}) ne suffit pas : le texte ne nomme pas {declared}.",
            en=f"The displayed sender ({shown_sender(message.sender)}) is not enough: the text does not name {declared}.",
        )
    else:
        reason = Text(
            fr=f"Ni l'émetteur ({shown_sender(message.sender)}) ni le texte ne nomment {declared}.",
            en=f"Neither the sender ({shown_sender(message.sender)}) nor the text names {declared}.",
        )
    return Outcome(Status.FAIL, reason, _initials(message.body, names))


def _same_name(sender: str, name: str) -> bool:
    return bool(sender) and bool(name) and (sender == name or (len(name) >= 3 and name in sender))


def _initials(body: str, names: tuple[str, ...]) -> tuple[Span, ...]:
    """Initials of a declared name used in the body (e.g. `NKM`): shown as evidence of a near miss."""
    spans = []
    for name in names:
        letters = "".join(word[0] for word in name.replace("-", " ").split() if word)
        if len(letters) >= 2 and (span := find_name(body, letters)) is not None:
            spans.append(span)
    return tuple(spans)


CHECKS = {
    "identity.names_sender": NamedCheck(names_sender, IdentityArgs, Scope.MESSAGE),
}
