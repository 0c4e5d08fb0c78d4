"""When a message may be sent: electoral silence, the last day of campaigning, sending hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from enum import Enum
from functools import lru_cache
from typing import Literal

import regex
from pydantic import Field

from smscheck.elections import COUNTRYWIDE, Closing, Hours, PollingDay, polling_days, polls_closing
from smscheck.models import Case, Frozen, Territory
from smscheck.outcome import Context, NamedCheck, Outcome, Scope, Text, passed
from smscheck.patterns import Pattern, compile_pattern
from smscheck.territories import holiday_name, territory_name, zone
from smscheck.verdicts import Status

_DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# Our own names: strftime('%A') would follow the process locale.
_DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def local_send_time(case: Case, territory: Territory) -> datetime:
    return case.message.send_at.astimezone(zone(territory))


def _stamp(moment: datetime) -> Text:
    day = moment.date()
    clock = moment.strftime("%H:%M")
    return Text(
        fr=f"{_DAYS_FR[day.weekday()]} {day.isoformat()} à {clock} ({moment.tzname()})",
        en=f"{_DAYS_EN[day.weekday()]} {day.isoformat()} at {clock} ({moment.tzname()})",
    )


def recipient_territory(case: Case) -> Territory:
    """Where the recipient lives: as given, else from the number; the constituency's when the
    number tells nothing (a foreign number)."""
    if case.recipient.territory is not None:
        return case.recipient.territory
    key = case.recipient.number_territory
    return (
        Territory(key)
        if key in Territory.__members__.values()
        else case.campaign.election.territory
    )


def voting_territory(case: Case) -> Territory:
    """Whose clock and polling day count: the recipient's in a countrywide election (each voter
    votes where they live), the constituency's otherwise."""
    election = case.campaign.election
    return recipient_territory(case) if election.kind in COUNTRYWIDE else election.territory


def _where(territory: Territory) -> Text:
    return Text(fr=territory_name(territory, "fr"), en=territory_name(territory, "en"))


def _undecided(day: PollingDay, territory: Territory) -> Text:
    early, general = day.dates
    field = f"campaign.election.rounds[{day.round_index}].territory_dates.{territory.value}"
    where = _where(territory)
    return Text(
        fr=f"Le calendrier intégré ne connaît pas ce scrutin et la date du vote en {where.fr} "
        f"n'est pas donnée : le {early} (veille, comme aux derniers scrutins nationaux) ou le "
        f"{general} ; selon la date, l'envoi tombe ou non dans le silence électoral. "
        f"Renseignez {field}.",
        en=f"The built-in calendar does not know this election and the polling date in "
        f"{where.en} is not given: {early} (a day early, as in recent national elections) or "
        f"{general}; depending on the date, the send falls in the electoral silence or not. "
        f"Fill in {field}.",
    )


def _set_by(closing: Closing) -> Text:
    """What sets the closing hours, as a reason names it."""
    if closing.set_by == "case":
        return Text(fr="heure de clôture donnée", en="the close given")
    if closing.set_by == "decree":
        name = f"« {closing.decree} »"
        return Text(fr=f"décret de convocation, {name}", en=f"convening decree, {name}")
    return closing.article or Text(fr="aucune heure connue", en="no known hours")


def _closing_unknown(sent: datetime, closing: Closing, round_index: int) -> Text:
    when, by = _stamp(sent), _set_by(closing)
    earliest, latest = f"{closing.hours.earliest:%H:%M}", f"{closing.hours.latest:%H:%M}"
    field = f"campaign.election.rounds[{round_index}].polls_close"
    return Text(
        fr=f"Envoi le {when.fr}, jour du scrutin, après la clôture la plus précoce ({earliest}) "
        f"mais avant la plus tardive qu'un arrêté préfectoral puisse fixer ({latest} ; "
        f"{by.fr}) : le scrutin est-il déjà clos là où vote le destinataire ? "
        f"Renseignez {field}.",
        en=f"Sent on {when.en}, polling day, after the earliest close ({earliest}) but before "
        f"the latest a prefect's order may set ({latest}; {by.en}): have the polls closed "
        f"where the recipient votes? Fill in {field}.",
    )


class _Phase(Enum):
    BEFORE_OR_AFTER = "outside the silence"
    SILENT = "in the silence"
    CLOSING = "between the earliest and the latest close"


def _phase(sent: datetime, polling: date, hours: Hours, days_before: int, tz: tzinfo) -> _Phase:
    if sent < datetime.combine(polling - timedelta(days=days_before), time(0, 0), tz):
        return _Phase.BEFORE_OR_AFTER
    if sent < datetime.combine(polling, hours.earliest, tz):
        return _Phase.SILENT
    if sent < datetime.combine(polling, hours.latest, tz):
        return _Phase.CLOSING
    return _Phase.BEFORE_OR_AFTER


class SilenceArgs(Frozen):
    days_before: int = Field(
        default=1, ge=0, description="Silence starts at 00:00 this many days before."
    )


def outside_silence(ctx: Context, args: SilenceArgs) -> Outcome:
    """No message from 00:00 on the eve of a polling day until the polls close, in local time:
    the recipient's in a countrywide election, the constituency's otherwise. The close is the
    one given, else the calendar's; a send that may fall before or after it is `review`."""
    territory = voting_territory(ctx.case)
    tz = zone(territory)
    sent = local_send_time(ctx.case, territory)
    election = ctx.case.campaign.election
    review: Outcome | None = None
    for day in polling_days(election, territory):
        closing = polls_closing(election, day.round_index)
        phases = [
            _phase(sent, polling, closing.hours, args.days_before, tz) for polling in day.dates
        ]
        if all(phase is _Phase.SILENT for phase in phases):
            return Outcome(Status.FAIL, _silent(sent, day.dates[0], territory, closing))
        if review is None and any(phase is not _Phase.BEFORE_OR_AFTER for phase in phases):
            reasons = [_undecided(day, territory)] if len(set(phases)) > 1 else []
            if _Phase.CLOSING in phases:
                reasons.append(_closing_unknown(sent, closing, day.round_index))
            review = Outcome(
                Status.REVIEW,
                Text(fr=" ".join(r.fr for r in reasons), en=" ".join(r.en for r in reasons)),
            )
    return review or passed()


def _silent(sent: datetime, polling: date, territory: Territory, closing: Closing) -> Text:
    when, where = _stamp(sent), _where(territory)
    reason = Text(
        fr=f"Envoi le {when.fr}, pendant le silence électoral du scrutin du {polling} en "
        f"{where.fr}.",
        en=f"Sent on {when.en}, during the electoral silence before the {polling} vote in "
        f"{where.en}.",
    )
    if sent.date() != polling:
        return reason
    earliest, by = f"{closing.hours.earliest:%H:%M}", _set_by(closing)
    return Text(
        fr=f"{reason.fr[:-1]}, avant la clôture du scrutin ({earliest}, {by.fr}).",
        en=f"{reason.en[:-1]}, before the polls close ({earliest}, {by.en}).",
    )


class ControversyArgs(Frozen):
    window_days: int = Field(
        default=3,
        ge=2,
        description="The window opens at 00:00 this many days before polling day (3: the "
        "Thursday before a Sunday vote) and closes when the silence starts, the eve at 00:00.",
    )
    patterns: tuple[Pattern, ...] = Field(min_length=1, description="Signs of a new controversy.")


@lru_cache(maxsize=256)
def _opponent_patterns(names: tuple[str, ...]) -> tuple[Pattern, ...]:
    return tuple(
        compile_pattern(rf"(?<!\w){regex.escape(name.strip())}(?!\w)")
        for name in names
        if name.strip()
    )


def no_new_controversy(ctx: Context, args: ControversyArgs) -> Outcome:
    """In the last days before the silence, a message with signs of a new controversy
    (accusations, legal proceedings, scandal words, a declared opponent named) needs a person."""
    territory = voting_territory(ctx.case)
    tz = zone(territory)
    sent = local_send_time(ctx.case, territory)
    for day in polling_days(ctx.case.campaign.election, territory):
        opens = datetime.combine(min(day.dates) - timedelta(days=args.window_days), time(0), tz)
        closes = datetime.combine(max(day.dates) - timedelta(days=1), time(0), tz)
        if opens <= sent < closes:
            body = ctx.case.message.body
            signs = (*args.patterns, *_opponent_patterns(ctx.case.campaign.opponents))
            spans = tuple(span for pattern in signs for span in pattern.spans(body, limit=3))
            if not spans:
                return passed(
                    Text(
                        fr="Fin de campagne, mais le texte ne porte aucun signe de polémique "
                        "nouvelle (accusation, procédure, scandale, adversaire nommé).",
                        en="End of the campaign, but the text shows no sign of a new "
                        "controversy (accusation, proceedings, scandal, opponent named).",
                    )
                )
            quoted = ", ".join(f"« {span.text} »" for span in spans[:3])
            return Outcome(
                Status.REVIEW,
                Text(
                    fr=f"Fin de campagne ({day.dates[0]} : scrutin) et le texte porte des signes "
                    f"de polémique ({quoted}) : s'ils sont nouveaux, l'adversaire ne pourra plus "
                    "y répondre (L48-2).",
                    en=f"End of the campaign ({day.dates[0]}: polling day) and the text shows "
                    f"signs of controversy ({quoted}): if they are new, the opponents can no "
                    "longer answer them (L48-2).",
                ),
                tuple(sorted(spans, key=lambda span: span.start)),
            )
    return passed()


class HoursArgs(Frozen):
    start: time
    end: time
    discouraged: tuple[Literal["sunday", "holiday"], ...] = ()


def within_sending_hours(ctx: Context, args: HoursArgs) -> Outcome:
    """Sent within the hours the operators' charter allows, in the recipient's local time."""
    territory = recipient_territory(ctx.case)
    sent = local_send_time(ctx.case, territory)
    when = _stamp(sent)
    if not args.start <= sent.time() <= args.end:
        return Outcome(
            Status.WARN,
            Text(
                fr=f"Envoi le {when.fr}, hors de la plage {args.start:%H:%M}-{args.end:%H:%M}.",
                en=f"Sent on {when.en}, outside {args.start:%H:%M}-{args.end:%H:%M}.",
            ),
        )
    if "sunday" in args.discouraged and sent.weekday() == 6:
        return Outcome(
            Status.WARN,
            Text(fr=f"Envoi un dimanche ({when.fr}).", en=f"Sent on a Sunday ({when.en})."),
        )
    holiday = holiday_name(territory, sent.date()) if "holiday" in args.discouraged else None
    if holiday is not None:
        in_english = holiday_name(territory, sent.date(), "en")
        return Outcome(
            Status.WARN,
            Text(
                fr=f"Envoi un jour férié ({holiday}, {when.fr}).",
                en=f"Sent on a public holiday ({in_english}, {when.en}).",
            ),
        )
    return passed()


CHECKS = {
    "timing.outside_silence": NamedCheck(outside_silence, SilenceArgs, Scope.RECIPIENT),
    "timing.no_new_controversy": NamedCheck(no_new_controversy, ControversyArgs, Scope.RECIPIENT),
    "timing.sending_hours": NamedCheck(within_sending_hours, HoursArgs, Scope.RECIPIENT),
}
