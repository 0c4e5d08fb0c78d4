"""When a message may be sent: electoral silence, the last day of campaigning, sending hours."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import Field

from smscheck.models import Case, Frozen, Territory
from smscheck.outcome import Context, NamedCheck, NoArgs, Outcome, Scope, Text, passed
from smscheck.phones import PhoneNumberError, describe
from smscheck.territories import holiday_name, zone
from smscheck.verdicts import Status

_DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# Our own names: strftime('%A') would follow the process locale.
_DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def polling_days(case: Case) -> Iterator[date]:
    """Each round's polling date in the constituency's territory."""
    election = case.campaign.election
    return (round_.date_in(election.territory) for round_ in election.rounds)


def local_send_time(case: Case, territory: Territory) -> datetime:
    return case.message.send_at.astimezone(zone(territory))


def _stamp(moment: datetime) -> Text:
    day = moment.date()
    clock = moment.strftime("%H:%M")
    return Text(
        fr=f"{_DAYS_FR[day.weekday()]} {day.isoformat()} à {clock} ({moment.tzname()})",
        en=f"{_DAYS_EN[day.weekday()]} {day.isoformat()} at {clock} ({moment.tzname()})",
    )


class SilenceArgs(Frozen):
    days_before: int = Field(
        default=1, ge=0, description="Silence starts at 00:00 this many days before."
    )
    polls_close: time = Field(default=time(20, 0), description="Latest closing time of the polls.")


def outside_silence(ctx: Context, args: SilenceArgs) -> Outcome:
    """No message from 00:00 on the eve of a polling day until the polls close, in local time."""
    territory = ctx.case.campaign.election.territory
    sent = local_send_time(ctx.case, territory)
    tz = zone(territory)
    for polling in polling_days(ctx.case):
        start = datetime.combine(polling - timedelta(days=args.days_before), time(0, 0), tz)
        end = datetime.combine(polling, args.polls_close, tz)
        if start <= sent < end:
            when = _stamp(sent)
            return Outcome(
                Status.FAIL,
                Text(
                    fr=f"Envoi le {when.fr}, pendant le silence électoral du scrutin du {polling}.",
                    en=f"Sent on {when.en}, during the electoral silence before the {polling} vote.",
                ),
            )
    return passed()


def last_campaign_day(ctx: Context, args: NoArgs) -> Outcome:
    """On the last day before silence, whether a message opens a new controversy needs a person."""
    territory = ctx.case.campaign.election.territory
    sent = local_send_time(ctx.case, territory).date()
    for polling in polling_days(ctx.case):
        if sent == polling - timedelta(days=2):
            return Outcome(
                Status.REVIEW,
                Text(
                    fr="Dernier jour de campagne : une machine ne peut pas juger si le texte lance "
                    "une polémique nouvelle à laquelle l'adversaire ne pourrait plus répondre.",
                    en="Last day of campaigning: a machine cannot judge whether the text opens a "
                    "new controversy the opponents could no longer answer.",
                ),
            )
    return passed()


class HoursArgs(Frozen):
    start: time
    end: time
    discouraged: tuple[Literal["sunday", "holiday"], ...] = ()


def recipient_territory(case: Case) -> Territory:
    """The recipient's territory from the number; the constituency's when it tells nothing."""
    try:
        key = describe(case.recipient.number).territory
    except PhoneNumberError:
        key = "foreign"
    return (
        Territory(key)
        if key in Territory.__members__.values()
        else case.campaign.election.territory
    )


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
    "timing.outside_silence": NamedCheck(outside_silence, SilenceArgs, Scope.MESSAGE),
    "timing.last_campaign_day": NamedCheck(last_campaign_day, NoArgs, Scope.MESSAGE),
    "timing.sending_hours": NamedCheck(within_sending_hours, HoursArgs, Scope.RECIPIENT),
}
