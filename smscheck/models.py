"""Input models: the message, its recipient and its campaign, checked together as a Case."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from smscheck.phones import PhoneNumberError, to_e164


class Frozen(BaseModel):
    """Base of every model: immutable, and unknown keys are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    PHONE = "phone"
    POST = "post"


class Purpose(StrEnum):
    """Why the message is sent: campaign content, or the first message asking for consent."""

    CAMPAIGN = "campaign"
    CONSENT_REQUEST = "consent_request"


class Relationship(StrEnum):
    """The recipient's tie to the sender (GDPR art. 9(2)(d) covers the first three)."""

    MEMBER = "member"
    FORMER_MEMBER = "former_member"
    REGULAR_CONTACT = "regular_contact"
    OPTED_IN = "opted_in"
    PROSPECT = "prospect"


class Origin(StrEnum):
    """Where the recipient's number came from."""

    COLLECTED_DIRECTLY = "collected_directly"
    PARTY_MEMBER_FILE = "party_member_file"
    FEDERATION_FILE = "federation_file"
    RENTED_FILE = "rented_file"
    REFERRAL = "referral"
    PUBLIC_BODY_FILE = "public_body_file"
    COMPANY_FILE = "company_file"
    OTHER_PURPOSE_FILE = "other_purpose_file"
    PRIMARY_VOTERS_LIST = "primary_voters_list"
    UNKNOWN = "unknown"


class SenderKind(StrEnum):
    PARTY = "party"
    CANDIDATE = "candidate"
    COMMITTEE = "committee"


class ElectionKind(StrEnum):
    MUNICIPAL = "municipal"
    CANTONAL = "cantonal"
    DEPARTMENTAL = "departmental"
    REGIONAL = "regional"
    LEGISLATIVE = "legislative"
    SENATORIAL = "senatorial"
    PRESIDENTIAL = "presidential"
    EUROPEAN = "european"
    REFERENDUM = "referendum"
    PRIMARY = "primary"


class Territory(StrEnum):
    """Where polling takes place; each has its own local time."""

    MAINLAND = "mainland"
    CORSICA = "corsica"
    REUNION = "reunion"
    GUADELOUPE = "guadeloupe"
    MARTINIQUE = "martinique"
    GUYANE = "guyane"
    MAYOTTE = "mayotte"
    SAINT_PIERRE_ET_MIQUELON = "saint_pierre_et_miquelon"
    NOUVELLE_CALEDONIE = "nouvelle_caledonie"
    POLYNESIE_FRANCAISE = "polynesie_francaise"
    WALLIS_ET_FUTUNA = "wallis_et_futuna"
    SAINT_BARTHELEMY = "saint_barthelemy"
    SAINT_MARTIN = "saint_martin"


class Message(Frozen):
    """One SMS as it will be sent."""

    sender: str = Field(min_length=1, description="The sender field as shown on the phone.")
    body: str = Field(description="The text of the message.")
    send_at: AwareDatetime = Field(description="Scheduled send time, with its UTC offset.")
    channel: Channel = Channel.SMS
    purpose: Purpose = Purpose.CAMPAIGN
    relayed_by: str | None = Field(
        default=None, description="Body that relays the message (e.g. a primary's organiser)."
    )


class ConsentScope(StrEnum):
    """What the person agreed to receive."""

    POLITICAL_SMS = "political_sms"
    POLITICAL_ANY_CHANNEL = "political_any_channel"
    NEWSLETTER = "newsletter"
    COMMERCIAL = "commercial"
    OTHER = "other"

    @property
    def political(self) -> bool:
        return self in (ConsentScope.POLITICAL_SMS, ConsentScope.POLITICAL_ANY_CHANNEL)


class Consent(Frozen):
    """Evidence that the recipient agreed to be contacted."""

    given_on: date
    scope: ConsentScope
    collected_by: str
    told_political_use: bool = Field(
        description="Whether the person was told at collection that it may serve political canvassing."
    )


class PastMessage(Frozen):
    """A message this campaign already sent to the recipient."""

    sent_at: AwareDatetime
    channel: Channel = Channel.SMS
    purpose: Purpose = Purpose.CAMPAIGN


class Recipient(Frozen):
    number: str = Field(min_length=1, description="Any usual writing; stored in E.164 form.")
    relationship: Relationship = Relationship.PROSPECT
    origin: Origin = Origin.UNKNOWN
    consent: Consent | None = None
    opted_out: bool = False
    referrer: str | None = Field(default=None, description="Who referred this contact.")
    kept_informed: bool = Field(
        default=False, description="The person asked to be kept informed after a primary."
    )
    history: tuple[PastMessage, ...] = ()

    @field_validator("number")
    @classmethod
    def _e164(cls, number: str) -> str:
        try:
            return to_e164(number)
        except PhoneNumberError as exc:
            raise ValueError(str(exc)) from None


class Round(Frozen):
    """One polling day, with the dates of territories that vote on another day."""

    polling_date: date
    territory_dates: dict[Territory, date] = Field(default_factory=dict)

    def date_in(self, territory: Territory) -> date:
        return self.territory_dates.get(territory, self.polling_date)


class Election(Frozen):
    kind: ElectionKind
    name: str = ""
    territory: Territory = Territory.MAINLAND
    rounds: tuple[Round, ...] = Field(min_length=1)


class Dispatch(Frozen):
    """A send already made by the campaign to an audience (for charter quotas)."""

    audience: str
    channel: Channel
    sent_at: AwareDatetime
    relayed_by: str | None = None


class Provider(Frozen):
    """Who supplies the file or the sending service."""

    name: str
    kind: str = Field(description="party, candidate, committee, company or association")
    supplies: str = Field(description="file or sending_service")
    paid_at_market_price: bool = True


class Campaign(Frozen):
    sender_kind: SenderKind
    names: tuple[str, ...] = Field(
        min_length=1, description="Names that identify the sender (party, candidate, committee)."
    )
    declared_numbers: tuple[str, ...] = ()
    election: Election
    charter: str | None = Field(default=None, description="Id of the primary's charter.")
    history: tuple[Dispatch, ...] = ()
    providers: tuple[Provider, ...] = ()
    info_notice_url: str | None = None

    @field_validator("names")
    @classmethod
    def _names_not_blank(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        if any(not name.strip() for name in names):
            raise ValueError("a campaign name is blank")
        return names


class Case(Frozen):
    """The unit that is checked: one message to one recipient within one campaign."""

    message: Message
    recipient: Recipient
    campaign: Campaign
