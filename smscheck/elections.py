"""The electoral calendar: known polling dates, and which territories vote a day early.

The data is `smscheck/data/calendar.toml`, each entry with its source. `polling_days` gives the
polling date of each round in one territory: the date the case gives wins, then the calendar's;
when neither can tell whether the territory votes a day early, both dates are returned.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib.resources import files

from pydantic import Field, model_validator

from smscheck.models import Election, ElectionKind, Frozen, Territory
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


class KnownRound(Frozen):
    polling_date: date
    territory_dates: dict[Territory, date] = Field(default_factory=dict)


class KnownElection(Frozen):
    name: str
    kind: ElectionKind
    source: str
    rounds: tuple[KnownRound, ...] = Field(min_length=1)


class CalendarSpec(Frozen):
    sources: dict[str, Citation]
    early: tuple[EarlyVote, ...]
    elections: tuple[KnownElection, ...]

    @model_validator(mode="after")
    def _sources_exist(self) -> CalendarSpec:
        for source in (*(e.source for e in self.early), *(e.source for e in self.elections)):
            if source not in self.sources:
                raise ValueError(f"calendar entry cites unknown source {source!r}")
        return self


@dataclass(frozen=True, slots=True)
class Calendar:
    spec: CalendarSpec

    def early_territories(self, kind: ElectionKind) -> frozenset[Territory]:
        return frozenset(t for entry in self.spec.early if kind in entry.kinds for t in entry.territories)

    def known_round(self, kind: ElectionKind, polling: date) -> KnownRound | None:
        """The calendar's round of this kind held on this general polling date, if known."""
        for election in self.spec.elections:
            if election.kind is kind:
                for round_ in election.rounds:
                    if round_.polling_date == polling:
                        return round_
        return None

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
        known = calendar().known_round(election.kind, general)
        if known is not None and territory in known.territory_dates:
            yield PollingDay(index, (known.territory_dates[territory],))
        elif territory not in early or general.weekday() != _SUNDAY:
            # Not a territory that votes early, or a date already given as its own.
            yield PollingDay(index, (general,))
        elif known is not None:
            yield PollingDay(index, (general - timedelta(days=1),))
        else:
            yield PollingDay(index, (general - timedelta(days=1), general))
