"""Information owed to the recipient, split as the GDPR splits it.

Data the sender collected from the person (art. 13): owed at collection and not again (13(4));
a short mention or a link in the SMS is then recommended, not owed. Data obtained elsewhere
(art. 14): owed at the latest at the first message (14(3)(b)), then a link to the full notice in
each message, as in the CNIL's two-level example. Where it came from: only for data obtained
elsewhere, and stated in words that say where the number came from.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from smscheck.models import Case, Frozen
from smscheck.outcome import Context, NamedCheck, Outcome, Scope, Text, not_applicable, passed
from smscheck.patterns import Pattern
from smscheck.provenance import collected_by_sender
from smscheck.verdicts import Span, Status


class MentionArgs(Frozen):
    patterns: tuple[Pattern, ...] = Field(
        min_length=1, description="Short-form wordings that suffice."
    )
    what_fr: str
    what_en: str


class OriginArgs(MentionArgs):
    each_message: bool = Field(
        description="True: every message states the origin (CNIL); False: the first message must, "
        "later ones are reminded to (GDPR art. 14(3)(b))."
    )


def owed_information(ctx: Context, args: MentionArgs) -> Outcome:
    """Purpose or rights: given at collection for the sender's own data, else in the first
    message and through a link to the notice afterwards. A body that gives it passes whoever
    the recipient is: the recipient is read only when it does not (so recipients share it)."""
    case = ctx.case
    link, mention = _link(case), _mention(case, args)
    if link or mention:
        return passed(evidence=link or mention)
    own = collected_by_sender(case)
    if own is True:
        if case.recipient.informed_at_collection:
            return passed(
                Text(
                    fr="Information donnée lors de la collecte par l'émetteur : pas due à nouveau.",
                    en="Information given when the sender collected the data: not owed again.",
                )
            )
        return Outcome(
            Status.WARN,
            Text(
                fr=f"Données recueillies par l'émetteur : cette information ({args.what_fr}) est "
                "due à la collecte, pas dans chaque SMS. Une mention ou un lien reste conseillé ; si l'information a "
                "été donnée à la collecte, indiquez recipient.informed_at_collection.",
                en=f"Data the sender collected itself: this information ({args.what_en}) is owed "
                "at collection, not in each SMS. A mention or a link is still advised; if it was given at "
                "collection, set recipient.informed_at_collection.",
            ),
        )
    if own is None:
        return _whose_file()
    if case.recipient.times_messaged:
        return Outcome(
            Status.WARN,
            Text(
                fr="Données obtenues ailleurs, message suivant le premier : chaque message devrait "
                "renvoyer à la notice d'information (campaign.info_notice_url).",
                en="Data obtained elsewhere, a message after the first: each message should link "
                "to the information notice (campaign.info_notice_url).",
            ),
        )
    return Outcome(
        Status.FAIL,
        Text(
            fr=f"Données obtenues ailleurs, premier message : le texte ne donne pas "
            f"{args.what_fr}, ni de lien vers la notice d'information.",
            en=f"Data obtained elsewhere, first message: the text gives no {args.what_en}, nor a "
            "link to the information notice.",
        ),
    )


def origin_stated(ctx: Context, args: OriginArgs) -> Outcome:
    """Where the number came from, unless the sender collected it from the person."""
    case = ctx.case
    own = collected_by_sender(case)
    if own is True:
        return not_applicable(
            Text(
                fr="Numéro recueilli par l'émetteur auprès de la personne : son origine n'est pas due.",
                en="Number the sender collected from the person: its origin is not owed.",
            )
        )
    found = _link(case) or _mention(case, args)
    if found:
        return passed(evidence=found)
    if own is None:
        return _whose_file()
    if case.recipient.times_messaged and not args.each_message:
        return Outcome(
            Status.WARN,
            Text(
                fr="Message suivant le premier : l'origine des données était due au premier ; la "
                "rappeler, ou renvoyer à la notice, reste conseillé.",
                en="A message after the first: the origin of the data was owed in the first one; "
                "restating it, or linking to the notice, is still advised.",
            ),
        )
    return Outcome(
        Status.FAIL,
        Text(
            fr=f"Le texte ne donne pas {args.what_fr}, ni de lien vers la notice d'information.",
            en=f"The text gives no {args.what_en}, nor a link to the information notice.",
        ),
    )


def _link(case: Case) -> tuple[Span, ...]:
    notice, body = case.campaign.info_notice_url, case.message.body
    where = body.find(notice) if notice else -1
    if notice is None or where < 0:
        return ()
    return (Span(start=where, end=where + len(notice), text=notice),)


def _mention(case: Case, args: MentionArgs) -> tuple[Span, ...]:
    """The first short-form wording in the body. A body is scanned for each path through the
    recipient that reaches here, so a completed scan is kept (one that ran out of time raises
    and is not); a case whose time budget is spent stops here as the scan would."""
    args.patterns[0].budget()
    return _first_span(args.patterns, case.message.body)


@lru_cache(maxsize=4096)  # a campaign's distinct bodies, for each of the rules that scan them
def _first_span(patterns: tuple[Pattern, ...], body: str) -> tuple[Span, ...]:
    return next(((span,) for pattern in patterns if (span := pattern.first(body))), ())


def _whose_file() -> Outcome:
    return Outcome(
        Status.REVIEW,
        Text(
            fr="On ne sait pas si le fichier est celui de l'émetteur (information due à la "
            "collecte) ou d'un autre organisme (due au premier message) : renseignez "
            "recipient.controller.",
            en="Whether the file is the sender's own (information owed at collection) or another "
            "body's (owed at the first message) is not known: fill in recipient.controller.",
        ),
    )


CHECKS = {
    "information.owed_to_recipient": NamedCheck(owed_information, MentionArgs, Scope.RECIPIENT),
    "information.origin_stated": NamedCheck(origin_stated, OriginArgs, Scope.RECIPIENT),
}
