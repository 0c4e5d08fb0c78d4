"""The electoral calendar: known polling dates, which territories vote a day early, and when
the polls close.

The data is `smscheck/data/calendar.toml`, each entry with its source. `polling_days` gives the
polling date of each round in one territory: the date the case gives wins, then the calendar's;
when neither can tell whether the territory votes a day early, both dates are returned.
`polls_closing` gives a round's closing hours: the close the case gives wins, then the convening
decree's, then the default of the kind of election.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache
from importlib.resources import files
from typing import Literal

from pydantic import Field, model_validator

from smscheck.models import Election, ElectionKind, Frozen, Territory
from smscheck.outcome import Text
from smscheck.verdicts import Citation

# National elections: some overseas territories vote on the Saturday by derogation.
NATIONAL = frozenset(
    {
        ElectionKind.PRESIDENTIAL,
        ElectionKind.LEGISLATIVE,
        ElectionKind.EUROPEAN,
        ElectionKind.REFERENDUM,
    }
)
# Elections with one constituency for the whole country: every voter votes where they live.
COUNTRYWIDE = frozenset({ElectionKind.PRESIDENTIAL, ElectionKind.EUROPEAN, ElectionKind.REFERENDUM})

_SUNDAY = 6


class EarlyVote(Frozen):
    """Territories that vote the day before the mainland in these kinds of election."""

    kinds: tuple[ElectionKind, ...] = Field(min_length=1)
    territories: tuple[Territory, ...] = Field(min_length=1)
    source: str


class Hours(Frozen):
    """When polls close on polling day, local time: at `earliest` unless the prefect pushes the
    close back, never after `latest`."""

    earliest: time
    latest: time

    @model_validator(mode="after")
    def _ordered(self) -> Hours:
        if self.latest < self.earliest:
            raise ValueError("the latest close comes before the earliest")
        return self


class KindHours(Hours):
    """The closing hours of these kinds of election when no convening decree is known."""

    kinds: tuple[ElectionKind, ...] = Field(min_length=1)
    article: Text = Field(description="What sets them, as the reasons name it.")
    source: str


class KnownRound(Frozen):
    polling_date: date
    territory_dates: dict[Territory, date] = Field(default_factory=dict)


class KnownElection(Frozen):
    name: str
    kind: ElectionKind
    source: str
    rounds: tuple[KnownRound, ...] = Field(min_length=1)
    hours: Hours | None = Field(default=None, description="As the convening decree sets them.")


class CalendarSpec(Frozen):
    sources: dict[str, Citation]
    early: tuple[EarlyVote, ...]
    closing: tuple[KindHours, ...]
    elections: tuple[KnownElection, ...]

    @model_validator(mode="after")
    def _sources_exist(self) -> CalendarSpec:
        entries: tuple[EarlyVote | KindHours | KnownElection, ...] = (
            *self.early,
            *self.closing,
            *self.elections,
        )
        for source in (entry.source for entry in entries):
            if source not in self.sources:
                raise ValueError(f"calendar entry cites unknown source {source!r}")
        return self


@dataclass(frozen=True, slots=True)
class Calendar:
    spec: CalendarSpec

    def early_territories(self, kind: ElectionKind) -> frozenset[Territory]:
        return frozenset(
            t for entry in self.spec.early if kind in entry.kinds for t in entry.territories
        )

    def known(self, kind: ElectionKind, polling: date) -> tuple[KnownElection, KnownRound] | None:
        """The calendar's election of this kind with a round on this general polling date."""
        for election in self.spec.elections:
            if election.kind is kind:
                for round_ in election.rounds:
                    if round_.polling_date == polling:
                        return election, round_
        return None

    def kind_hours(self, kind: ElectionKind) -> KindHours | None:
        return next((entry for entry in self.spec.closing if kind in entry.kinds), None)

    def citation(self, source: str) -> Citation:
        return self.spec.sources[source]

    def elections_at(self, at: date | None) -> tuple[KnownElection, ...]:
        """The elections whose convening text is out and whose last round is not past."""
        return tuple(
            election
            for election in self.spec.elections
            if at is None
            or self.spec.sources[election.source].date <= at <= election.rounds[-1].polling_date
        )


@cache
def calendar() -> Calendar:
    text = (files("smscheck") / "data" / "calendar.toml").read_text(encoding="utf-8")
    return Calendar(CalendarSpec.model_validate(tomllib.loads(text)))


@dataclass(frozen=True, slots=True)
class PollingDay:
    """A round's polling date in one territory; two candidate dates when it is not known."""

    round_index: int
    dates: tuple[date, ...]

    @property
    def known(self) -> bool:
        return len(self.dates) == 1


def polling_days(election: Election, territory: Territory) -> Iterator[PollingDay]:
    """Each round's polling date in `territory`: given, from the calendar, or undecided."""
    early = (
        calendar().early_territories(election.kind) if election.kind in NATIONAL else frozenset()
    )
    for index, round_ in enumerate(election.rounds):
        general = round_.polling_date
        if territory in round_.territory_dates:
            yield PollingDay(index, (round_.territory_dates[territory],))
            continue
        found = calendar().known(election.kind, general)
        known = found[1] if found is not None else None
        if known is not None and territory in known.territory_dates:
            yield PollingDay(index, (known.territory_dates[territory],))
        elif territory not in early or general.weekday() != _SUNDAY:
            # Not a territory that votes early, or a date already given as its own.
            yield PollingDay(index, (general,))
        elif known is not None:
            yield PollingDay(index, (general - timedelta(days=1),))
        else:
            yield PollingDay(index, (general - timedelta(days=1), general))


@dataclass(frozen=True, slots=True)
class Closing:
    """A round's closing hours and what sets them: the case, the convening decree of the
    calendar's election named `decree`, the `article` for its kind, or nothing known."""

    hours: Hours
    set_by: Literal["case", "decree", "kind", "unknown"]
    decree: str = ""
    article: Text | None = None


# A kind of election with no closing hours in the calendar (a party's primary): any hour.
_ANY_HOUR = Hours(earliest=time(0), latest=time.max)


def polls_closing(election: Election, round_index: int) -> Closing:
    """When round `round_index` closes: as given, as its decree sets it, or its kind's default."""
    round_ = election.rounds[round_index]
    if round_.polls_close is not None:
        return Closing(Hours(earliest=round_.polls_close, latest=round_.polls_close), "case")
    found = calendar().known(election.kind, round_.polling_date)
    if found is not None and found[0].hours is not None:
        return Closing(found[0].hours, "decree", decree=found[0].name)
    default = calendar().kind_hours(election.kind)
    if default is None:
        return Closing(_ANY_HOUR, "unknown")
    hours = Hours(earliest=default.earliest, latest=default.latest)
    return Closing(hours, "kind", article=default.article)
