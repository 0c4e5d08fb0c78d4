"""Primary charters: checks against the charter of the campaign's primary, described as data.

The charter is the `[charter]` table of the pack the campaign names (`campaign.charter`); the
engine runs a charter pack's rules only for campaigns that name its charter. Every reason names
the clause it relies on, so a person can find it in the charter. How a recipient maps to an
audience is documented in `smscheck.charter`.

`voter_list_reuse` is different: it carries the CNIL's position on primaries and applies to every
campaign, during or long after the primary, so it lives in a pack of its own.
"""

from __future__ import annotations

from datetime import date

from smscheck.charter import (
    CHANNEL_LABELS,
    MILESTONE_LABELS,
    Audience,
    ChannelClause,
    Charter,
    audience_of,
)
from smscheck.labels import label
from smscheck.models import Case, Channel, ElectionKind, Origin
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
from smscheck.territories import zone
from smscheck.verdicts import Status


def _charter(ctx: Context) -> Charter | None:
    pack = ctx.charters.get(ctx.case.campaign.charter or "")
    return pack.charter_data if pack is not None else None


def _no_charter(ctx: Context) -> Outcome:
    """A charter check run for a campaign whose charter is not loaded (e.g. from a plain pack)."""
    wanted = ctx.case.campaign.charter
    if wanted is None:
        reason = Text(
            fr="La campagne ne nomme pas de charte (campaign.charter).",
            en="The campaign names no charter (campaign.charter).",
        )
    else:
        reason = Text(
            fr=f"La charte « {wanted} » n'est pas chargée : ajoutez son pack.",
            en=f"Charter '{wanted}' is not loaded: add its pack.",
        )
    return Outcome(Status.REVIEW, reason)


def _local_day(case: Case) -> date:
    return case.message.send_at.astimezone(zone(case.campaign.election.territory)).date()


def _what(channel: Channel, audience: Audience) -> Text:
    """`l'envoi par SMS aux adhérents du parti` / `sending by SMS to party members`."""
    label = CHANNEL_LABELS[channel]
    return Text(
        fr=f"l'envoi par {label.fr} {audience.label.fr}",
        en=f"sending by {label.en} {audience.label.en}",
    )


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _quoted(clause: ChannelClause | str) -> str:
    return f"« {clause if isinstance(clause, str) else clause.clause} »"


def _lookup(ctx: Context) -> tuple[Charter, Audience, ChannelClause | None, Text] | Outcome:
    charter = _charter(ctx)
    if charter is None:
        return _no_charter(ctx)
    audience = audience_of(ctx.case.recipient)
    channel = ctx.case.message.channel
    return charter, audience, charter.clause_for(audience, channel), _what(channel, audience)


def channel_allowed(ctx: Context, args: NoArgs) -> Outcome:
    """The charter allows this channel towards this audience; its silence is for a person to judge."""
    found = _lookup(ctx)
    if isinstance(found, Outcome):
        return found
    charter, audience, clause, what = found
    if clause is not None and clause.allowed:
        return passed(
            Text(
                fr=f"{_cap(what.fr)} : permis par la clause {_quoted(clause)}.",
                en=f"{_cap(what.en)}: allowed by the clause {_quoted(clause)}.",
            )
        )
    if clause is not None:
        return Outcome(
            Status.FAIL,
            Text(
                fr=f"{_cap(what.fr)} : exclu par la clause {_quoted(clause)}.",
                en=f"{_cap(what.en)}: ruled out by the clause {_quoted(clause)}.",
            ),
        )
    closest = charter.closest_clause(audience, ctx.case.message.channel)
    if closest is None:
        near = Text(
            fr="elle ne contient aucune clause sur les canaux.",
            en="it has no clause on channels at all.",
        )
    else:
        near_audience, near_channel, near_clause = closest
        near_what = _what(near_channel, near_audience)
        stance = (
            Text(fr="permis", en="allowed")
            if near_clause.allowed
            else Text(fr="exclu", en="ruled out")
        )
        near = Text(
            fr=f"la clause la plus proche vise {near_what.fr} ({stance.fr}) : "
            f"{_quoted(near_clause)}.",
            en=f"the closest clause is about {near_what.en} ({stance.en}): {_quoted(near_clause)}.",
        )
    return Outcome(
        Status.REVIEW,
        Text(
            fr=f"La charte ne dit rien de {what.fr} ; {near.fr} Ce silence ne vaut pas "
            "autorisation : à faire trancher par l'organisateur.",
            en=f"The charter says nothing about {what.en}; {near.en} Silence is not "
            "permission: ask the organiser to decide.",
        ),
    )


def within_quota(ctx: Context, args: NoArgs) -> Outcome:
    """Messages this campaign already sent to this audience on this channel, plus this one."""
    found = _lookup(ctx)
    if isinstance(found, Outcome):
        return found
    _, audience, clause, what = found
    if clause is None or not clause.allowed:
        return not_applicable(
            Text(
                fr=f"Pas de quota : la charte ne permet pas expressément {what.fr}.",
                en=f"No quota: the charter does not expressly allow {what.en}.",
            )
        )
    if clause.quota is None:
        return passed(
            Text(
                fr=f"La clause {_quoted(clause)} ne fixe pas de nombre de messages.",
                en=f"The clause {_quoted(clause)} sets no number of messages.",
            )
        )
    channel = ctx.case.message.channel
    sent = sum(
        1
        for dispatch in ctx.case.campaign.history
        if dispatch.audience == audience.value and dispatch.channel is channel
    )
    rank = sent + 1
    counted = Text(
        fr=f"{sent} déjà envoyé(s), celui-ci serait le n° {rank} ; la clause {_quoted(clause)} "
        f"en permet {clause.quota}.",
        en=f"{sent} already sent, this one would be no. {rank}; the clause {_quoted(clause)} "
        f"allows {clause.quota}.",
    )
    return Outcome(Status.FAIL, counted) if rank > clause.quota else passed(counted)


def relayed_by_organiser(ctx: Context, args: NoArgs) -> Outcome:
    """When the charter demands it, the message goes out through the primary's organiser."""
    found = _lookup(ctx)
    if isinstance(found, Outcome):
        return found
    charter, _, clause, what = found
    organiser = charter.organiser
    if clause is not None and not clause.allowed:
        return not_applicable(
            Text(
                fr=f"{_cap(what.fr)} : exclu par la charte.",
                en=f"{_cap(what.en)}: ruled out by the charter.",
            )
        )
    if clause is not None and clause.relayed is not None:
        required = clause.relayed
        basis = Text(fr=f"la clause {_quoted(clause)}", en=f"the clause {_quoted(clause)}")
    else:
        required = organiser.relay_required
        basis = Text(fr="la règle générale de la charte", en="the charter's general rule")
    if not required:
        return not_applicable(
            Text(
                fr=f"{_cap(basis.fr)} n'impose pas de relais.",
                en=f"{_cap(basis.en)} requires no relay.",
            )
            if clause is not None and clause.relayed is not None
            else Text(
                fr=f"La charte n'impose pas de relais pour {what.fr}.",
                en=f"The charter requires no relay for {what.en}.",
            )
        )
    relayed_by = ctx.case.message.relayed_by
    if organiser.relays(relayed_by):
        return passed(
            Text(
                fr=f"Relayé par {organiser.name}, comme l'exige {basis.fr}.",
                en=f"Relayed by {organiser.name}, as {basis.en} requires.",
            )
        )
    how = (
        Text(
            fr="envoyé directement par l'équipe du candidat",
            en="sent by the candidate's team itself",
        )
        if relayed_by is None
        else Text(fr=f"relayé par « {relayed_by} »", en=f"relayed by '{relayed_by}'")
    )
    return Outcome(
        Status.FAIL,
        Text(
            fr=f"Message {how.fr}, alors que {basis.fr} impose de passer par {organiser.name}.",
            en=f"Message {how.en}, but {basis.en} requires going through {organiser.name}.",
        ),
    )


def not_from_off_limits_file(ctx: Context, args: NoArgs) -> Outcome:
    """The number does not come from a file the charter keeps away from candidates."""
    charter = _charter(ctx)
    if charter is None:
        return _no_charter(ctx)
    off_limits = charter.off_limits
    if off_limits is None:
        return not_applicable(
            Text(fr="La charte n'exclut aucun fichier.", en="The charter rules out no file.")
        )
    origin = ctx.case.recipient.origin
    clause = _quoted(off_limits.clause)
    if origin not in off_limits.origins:
        return passed(
            Text(
                fr=f"Numéro hors des fichiers exclus par la clause {clause} (origine : {label(origin).fr}).",
                en=f"Number outside the files ruled out by the clause {clause} (origin: {label(origin).en}).",
            )
        )
    organiser = charter.organiser
    if off_limits.organiser_may_use and organiser.relays(ctx.case.message.relayed_by):
        return passed(
            Text(
                fr=f"{_cap(label(origin).fr)} utilisé par {organiser.name} lui-même, non par le "
                f"candidat : la clause {clause} le permet.",
                en=f"{_cap(label(origin).en)} used by {organiser.name} itself, not by the candidate: "
                f"the clause {clause} allows it.",
            )
        )
    return Outcome(
        Status.FAIL,
        Text(
            fr=f"Le numéro vient d'un fichier que la clause {clause} interdit aux candidats "
            f"({label(origin).fr}).",
            en=f"The number comes from a file the clause {clause} keeps from candidates "
            f"({label(origin).en}).",
        ),
    )


def not_before_start(ctx: Context, args: NoArgs) -> Outcome:
    """Sent no earlier than the date from which the clause allows it (e.g. close of candidacies)."""
    found = _lookup(ctx)
    if isinstance(found, Outcome):
        return found
    charter, _, clause, what = found
    if clause is None or not clause.allowed or clause.starts is None:
        return not_applicable(
            Text(
                fr=f"Aucune date de début fixée pour {what.fr}.",
                en=f"No start date set for {what.en}.",
            )
        )
    start = charter.dates.get(clause.starts)
    assert start is not None  # checked when the charter loads
    milestone = MILESTONE_LABELS[clause.starts]
    day = _local_day(ctx.case)
    told = Text(
        fr=f"Envoi le {day}, la clause {_quoted(clause)} ne le permet qu'à partir de "
        f"{milestone.fr} ({start}).",
        en=f"Sent on {day}; the clause {_quoted(clause)} allows it only from {milestone.en} "
        f"({start}).",
    )
    return Outcome(Status.FAIL, told) if day < start else passed(told)


def voter_list_reuse(ctx: Context, args: NoArgs) -> Outcome:
    """A primary's voter list serves that primary only; afterwards, only people who asked to be
    kept informed may be written to (CNIL). A charter may forbid even that."""
    case = ctx.case
    recipient = case.recipient
    if recipient.origin is not Origin.PRIMARY_VOTERS_LIST:
        return not_applicable(
            Text(
                fr=f"Numéro hors liste d'une primaire (origine : {label(recipient.origin).fr}).",
                en=f"Number not from a primary's list (origin: {label(recipient.origin).en}).",
            )
        )
    charter = _charter(ctx)
    day = _local_day(case)
    primary = _primary_window(ctx, charter)
    if primary is not None and day <= primary[0]:
        closes, which = primary
        return passed(
            Text(
                fr=f"Liste utilisée pendant {which.fr} (vote clos le {closes}).",
                en=f"List used during {which.en} (voting closed on {closes}).",
            )
        )
    if primary is None:
        kind = case.campaign.election.kind.value
        after = Text(
            fr=f"en dehors de toute primaire (campagne : {kind})",
            en=f"outside any primary ({kind} campaign)",
        )
    else:
        closes, which = primary
        after = Text(
            fr=f"après {which.fr}, close le {closes}", en=f"after {which.en}, closed on {closes}"
        )
    if charter is not None and charter.voter_lists.reuse == "never":
        clause = charter.voter_lists.clause or charter.title
        return Outcome(
            Status.FAIL,
            Text(
                fr=f"Liste des électeurs de la primaire réutilisée {after.fr} ; la charte va plus "
                f"loin que la CNIL et l'interdit même pour qui a demandé à être tenu informé "
                f"({_quoted(clause)}).",
                en=f"Primary voter list reused {after.en}; the charter goes further than the CNIL "
                f"and forbids it even for people who asked to be kept informed ({_quoted(clause)}).",
            ),
        )
    if recipient.kept_informed:
        return passed(
            Text(
                fr=f"Liste de la primaire réutilisée {after.fr}, mais cette personne a demandé à "
                "être tenue informée.",
                en=f"Primary list reused {after.en}, but this person asked to be kept informed.",
            )
        )
    return Outcome(
        Status.FAIL,
        Text(
            fr=f"Numéro tiré de la liste des électeurs d'une primaire et réutilisé {after.fr}, "
            "sans que la personne ait demandé à être tenue informée.",
            en=f"Number taken from a primary's voter list and reused {after.en}, though the "
            "person never asked to be kept informed.",
        ),
    )


def _primary_window(ctx: Context, charter: Charter | None) -> tuple[date, Text] | None:
    """When the campaign's primary closed, and how to name it; None if the campaign is no primary.

    The charter's dates win; failing a charter, a primary election's last round is used.
    """
    if charter is not None:
        return charter.dates.voting_closes, Text(
            fr=f"la primaire de la charte « {charter.title} »",
            en=f"the primary of '{charter.title}'",
        )
    election = ctx.case.campaign.election
    if election.kind is ElectionKind.PRIMARY:
        last = max(round_.date_in(election.territory) for round_ in election.rounds)
        return last, Text(fr="la primaire de cette campagne", en="this campaign's primary")
    return None


def charter_described(ctx: Context, args: NoArgs) -> Outcome:
    """A primary's messages are checked against its charter: the charter must be loaded."""
    campaign = ctx.case.campaign
    charter = _charter(ctx)
    if charter is not None:
        return passed(
            Text(fr=f"Charte vérifiée : {charter.title}.", en=f"Charter checked: {charter.title}.")
        )
    if campaign.charter is None and campaign.election.kind is not ElectionKind.PRIMARY:
        return not_applicable(Text(fr="Pas une primaire.", en="Not a primary."))
    return _no_charter(ctx)


CHECKS = {
    "charter.described": NamedCheck(charter_described, NoArgs, Scope.MESSAGE),
    "charter.channel_allowed": NamedCheck(channel_allowed, NoArgs, Scope.RECIPIENT),
    "charter.within_quota": NamedCheck(within_quota, NoArgs, Scope.RECIPIENT),
    "charter.relayed_by_organiser": NamedCheck(relayed_by_organiser, NoArgs, Scope.RECIPIENT),
    "charter.not_from_off_limits_file": NamedCheck(
        not_from_off_limits_file, NoArgs, Scope.RECIPIENT
    ),
    "charter.not_before_start": NamedCheck(not_before_start, NoArgs, Scope.RECIPIENT),
    "charter.voter_list_reuse": NamedCheck(voter_list_reuse, NoArgs, Scope.RECIPIENT),
}
