"""A primary's charter described as data: the `[charter]` table of a charter pack.

A charter is the campaign-specific rulebook of a party primary: who organises it, which
channels each candidate may use towards which audience and how often, which files candidates
may not touch, and the primary's dates. It is validated when its pack loads; the named checks
in `smscheck.checks.charter` read it.

How a recipient maps to an audience (see `audience_of`), first match wins:

1. the number came from the primary's own list (`origin = primary_voters_list`): the person
   pre-registered to vote, so `registered_voters`;
2. the person is or was a party member (`relationship` member or former_member), or the number
   came from a member file (`origin` party_member_file or federation_file): `members`;
3. anyone else: `public`.

A pre-registered voter who is also a member counts as a registered voter when the number was
taken from the primary's list: the list used decides which clause governs the message.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from smscheck.models import Channel, Frozen, Origin, Recipient, Relationship
from smscheck.outcome import Text


class Audience(StrEnum):
    """Who a candidate writes to, as charters distinguish them."""

    REGISTERED_VOTERS = "registered_voters"
    MEMBERS = "members"
    PUBLIC = "public"

    @property
    def label(self) -> Text:
        return _AUDIENCE_LABELS[self]


_AUDIENCE_LABELS = {
    Audience.REGISTERED_VOTERS: Text(
        fr="aux électeurs pré-inscrits à la primaire", en="to voters pre-registered for the primary"
    ),
    Audience.MEMBERS: Text(fr="aux adhérents du parti", en="to party members"),
    Audience.PUBLIC: Text(
        fr="au public (ni adhérent ni pré-inscrit)",
        en="to the general public (neither member nor registered)",
    ),
}

CHANNEL_LABELS = {
    Channel.SMS: Text(fr="SMS", en="SMS"),
    Channel.EMAIL: Text(fr="courriel", en="e-mail"),
    Channel.PHONE: Text(fr="téléphone", en="phone"),
    Channel.POST: Text(fr="courrier postal", en="post"),
}

_MEMBER_FILES = frozenset({Origin.PARTY_MEMBER_FILE, Origin.FEDERATION_FILE})
_MEMBERS = frozenset({Relationship.MEMBER, Relationship.FORMER_MEMBER})


def audience_of(recipient: Recipient) -> Audience:
    """The charter audience a recipient belongs to (rules in the module docstring)."""
    if recipient.origin is Origin.PRIMARY_VOTERS_LIST:
        return Audience.REGISTERED_VOTERS
    if recipient.relationship in _MEMBERS or recipient.origin in _MEMBER_FILES:
        return Audience.MEMBERS
    return Audience.PUBLIC


Milestone = Literal[
    "charter_adopted",
    "candidacies_close",
    "campaign_opens",
    "registration_opens",
    "registration_closes",
    "voting_opens",
]

MILESTONE_LABELS: dict[str, Text] = {
    "charter_adopted": Text(fr="l'adoption de la charte", en="the adoption of the charter"),
    "candidacies_close": Text(fr="la clôture des candidatures", en="the close of candidacies"),
    "campaign_opens": Text(
        fr="l'ouverture de la campagne officielle", en="the opening of the official campaign"
    ),
    "registration_opens": Text(
        fr="l'ouverture des pré-inscriptions", en="the opening of voter pre-registration"
    ),
    "registration_closes": Text(
        fr="la clôture des pré-inscriptions", en="the close of voter pre-registration"
    ),
    "voting_opens": Text(fr="l'ouverture du vote", en="the opening of the vote"),
}


class CharterError(ValueError):
    """A charter whose parts do not fit together; `key` is the offending key in `[charter]`."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


class PrimaryDates(Frozen):
    """The primary's calendar. `voting_closes` is the last day of voting, any second round included."""

    charter_adopted: date | None = None
    candidacies_close: date | None = None
    campaign_opens: date | None = None
    registration_opens: date | None = None
    registration_closes: date | None = None
    voting_opens: date
    voting_closes: date

    def get(self, milestone: Milestone) -> date | None:
        found: date | None = getattr(self, milestone)
        return found


class Organiser(Frozen):
    """The body that runs the primary and, when the charter says so, relays candidates' messages."""

    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = Field(default=(), description="Other spellings, e.g. initials.")
    relay_required: bool = Field(
        default=False,
        description="Every communication must go through the organiser, unless a clause says otherwise.",
    )

    def relays(self, relayed_by: str | None) -> bool:
        """Whether `relayed_by` names this organiser (case and spacing do not matter)."""
        if relayed_by is None:
            return False
        wanted = _normal(relayed_by)
        return any(_normal(name) == wanted for name in (self.name, *self.aliases))


def _normal(name: str) -> str:
    return " ".join(name.casefold().split())


class ChannelClause(Frozen):
    """What the charter says about one channel towards one audience."""

    allowed: bool
    quota: int | None = Field(
        default=None, ge=0, description="Messages per candidate on this channel to this audience."
    )
    starts: Milestone | None = Field(
        default=None, alias="from", description="Allowed only from this date of the primary."
    )
    relayed: bool | None = Field(
        default=None,
        description="Must go through the organiser; unset means the organiser's relay_required.",
    )
    clause: str = Field(min_length=1, description="Which clause of the charter says this.")


class OffLimitsFiles(Frozen):
    """Files candidates may not use themselves."""

    origins: tuple[Origin, ...] = Field(min_length=1)
    organiser_may_use: bool = Field(
        default=True,
        description="The organiser may still write to these people on a candidate's behalf.",
    )
    clause: str = Field(min_length=1)


class VoterLists(Frozen):
    """What happens to the lists of primary voters once the primary is over.

    The CNIL's position is the floor: no reuse, except to recontact people who asked to be kept
    informed. A charter may be stricter (`never`), it cannot be looser.
    """

    reuse: Literal["kept_informed_only", "never"] = "kept_informed_only"
    clause: str | None = None


class Charter(Frozen):
    """The `[charter]` table of a charter pack."""

    title: str = Field(min_length=1)
    organiser: Organiser
    dates: PrimaryDates
    audiences: dict[Audience, dict[Channel, ChannelClause]] = Field(default_factory=dict)
    off_limits: OffLimitsFiles | None = None
    voter_lists: VoterLists = VoterLists()

    @model_validator(mode="after")
    def _fits_together(self) -> Charter:
        dates = self.dates
        if dates.voting_closes < dates.voting_opens:
            raise CharterError("dates.voting_closes", "is before dates.voting_opens")
        for name in PrimaryDates.model_fields:
            value = getattr(dates, name)
            if value is not None and value > dates.voting_closes:
                raise CharterError(f"dates.{name}", "is after dates.voting_closes")
        for audience, channels in self.audiences.items():
            for channel, clause in channels.items():
                where = f"audiences.{audience.value}.{channel.value}"
                if clause.starts is not None and dates.get(clause.starts) is None:
                    raise CharterError(
                        f"{where}.from", f"refers to dates.{clause.starts}, which is not given"
                    )
                if not clause.allowed and clause.quota is not None:
                    raise CharterError(
                        f"{where}.quota", "a channel that is not allowed has no quota"
                    )
        return self

    def clause_for(self, audience: Audience, channel: Channel) -> ChannelClause | None:
        return self.audiences.get(audience, {}).get(channel)

    def closest_clause(
        self, audience: Audience, channel: Channel
    ) -> tuple[Audience, Channel, ChannelClause] | None:
        """The clause nearest to an unmentioned (audience, channel), for a person to judge by.

        Nearest means: another channel for the same audience, in order of likeness (an SMS is
        nearest to an e-mail, then a phone call, then post); else the same channel for another
        audience; else any other clause.
        """
        order = (channel, *_NEIGHBOURS[channel])
        audiences = (audience, *(other for other in Audience if other is not audience))
        candidates = [(a, c) for a in audiences for c in order if (a, c) != (audience, channel)]
        # Same audience first, then the same channel elsewhere, then everything else.
        candidates.sort(key=lambda pair: (pair[0] is not audience, pair[1] is not channel))
        for near_audience, near_channel in candidates:
            clause = self.clause_for(near_audience, near_channel)
            if clause is not None:
                return near_audience, near_channel, clause
        return None


_NEIGHBOURS = {
    Channel.SMS: (Channel.EMAIL, Channel.PHONE, Channel.POST),
    Channel.EMAIL: (Channel.SMS, Channel.POST, Channel.PHONE),
    Channel.PHONE: (Channel.SMS, Channel.EMAIL, Channel.POST),
    Channel.POST: (Channel.EMAIL, Channel.SMS, Channel.PHONE),
}
