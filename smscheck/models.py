"""Input models: the message, its recipient and its campaign, checked together as a Case."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from smscheck.phones import PhoneNumberError, territory_of, to_e164
from smscheck.privacy import mask_numbers


class Frozen(BaseModel):
    """Base of every model: immutable, and unknown keys are an error. Validation errors do not
    quote the input (`input_value=...`): it may be someone's phone number."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


M = TypeVar("M", bound=BaseModel)


def trusted(model: type[M], values: dict[str, Any]) -> M:
    """A model from values known to be valid, every field given: no validation, no defaults.

    For the per-case hot path only (reports, cases rebuilt from validated parts); it is
    `model_construct` without the work that such values do not need, about five times faster.
    The models define no `__new__`; BaseModel's slots are set through their descriptors.
    """
    built = _new(model)
    _set(built, "__dict__", values)
    given = _ALL_GIVEN.get(model)
    if given is None:
        given = _ALL_GIVEN[model] = AllGiven(model.__pydantic_fields__)
    # Shared by the model's instances (a set each would cost more than the rest of a verdict);
    # a call that gives other fields than all of them gets its own.
    _set_fields_set(built, given if len(values) == len(given) else set(values))
    _set_extra(built, None)
    _set_private(built, None)
    return built


class AllGiven(set[str]):
    """The fields set of models built by `trusted` with every field given: one set shared by a
    model's instances, so it refuses changes (a copy, as `model_copy` makes, is a plain set)."""

    __slots__ = ()

    def _shared(self, *_: object) -> None:
        raise TypeError("the fields set of a trusted model is shared: copy it to change it")

    add = discard = remove = pop = clear = update = _shared  # type: ignore[assignment]
    intersection_update = difference_update = symmetric_difference_update = _shared
    __ior__ = __iand__ = __isub__ = __ixor__ = _shared  # type: ignore[assignment]

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: object) -> set[str]:
        return set(self)

    def __reduce__(self) -> tuple[type[set[str]], tuple[list[str]]]:
        return set, (list(self),)


_ALL_GIVEN: dict[type[BaseModel], AllGiven] = {}
_new = object.__new__
_set = object.__setattr__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


# Bounds on what a case may hold: beyond them an input is an error rather than a slow check
# (every check reads the body, some compare each campaign name with it). The body may be as long
# as the longest concatenated SMS (255 parts of 153 GSM-7 characters).
MAX_BODY_CHARS = 40_000
MAX_TEXT_CHARS = 1_000  # any other text field, and each merge field
MAX_NAME_CHARS = 200
FIRST_YEAR, LAST_YEAR = 1900, 2199  # date arithmetic overflows near years 1 and 9999

_When = TypeVar("_When", date, datetime)


def in_years(value: _When) -> _When:
    """The check of every date and instant of a case: its year within FIRST_YEAR-LAST_YEAR."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"year {value.year} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return value


def _local_clock(value: time) -> time:
    if value.utcoffset() is not None:
        raise ValueError("a local time of day, without a UTC offset")
    return value


Day = Annotated[date, AfterValidator(in_years)]
Instant = Annotated[AwareDatetime, AfterValidator(in_years)]
Clock = Annotated[time, AfterValidator(_local_clock)]  # a wall-clock time in the voter's zone

# Characters no text of a case may hold, however the case is built (a file, a model, a merge
# field): C0 controls but tab, line feed and carriage return; DEL; C1 controls; lone surrogates;
# and the invisible format characters (Unicode category Cf: bidirectional controls, zero-width
# spaces, soft hyphen, tags...), with which a phone shows a text other than the one checked
# ("\u202eSTOP au 36111" reads reversed). Kept: U+200D, the zero width joiner of emoji
# sequences, and tags within an emoji tag sequence (a subdivision flag); variation selectors
# are not format characters.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SURROGATE = re.compile("[\ud800-\udfff]")
FORMAT = re.compile(
    "[\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200c\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)
_EMOJI_TAGS = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")


def unreadable_character(text: str) -> str | None:
    """What makes `text` unfit to read or show at all (a lone surrogate, a control character
    other than tab, line feed and carriage return), or None."""
    if text.isprintable():  # the usual case: every such character is unprintable
        return None
    if SURROGATE.search(text):
        return "holds a lone surrogate (not Unicode text)"
    found = CONTROL.search(text)
    if found:
        return (
            f"holds the control character U+{ord(found.group()):04X} "
            "(only tab, line feed and carriage return are allowed)"
        )
    return None


def refused_character(text: str) -> str | None:
    """What refuses `text` as text of a case (its first such character), or None: what
    `unreadable_character` refuses, and invisible format characters, which would hide from the
    reader of a phone the text that is checked."""
    if text.isprintable():
        return None
    unreadable = unreadable_character(text)
    if unreadable is not None:
        return unreadable
    found = FORMAT.search(_EMOJI_TAGS.sub("", text))
    if found:
        char = found.group()
        name = unicodedata.name(char, "a format character").lower()
        return (
            f"holds the invisible format character U+{ord(char):04X} ({name}): a phone would "
            "not show the text that is checked"
        )
    return None


def clean_text(text: str) -> str:
    """The check of every text field of a case: `text` itself, or ValueError saying what
    `refused_character` refuses."""
    if text.isprintable():
        return text
    reason = refused_character(text)
    if reason is not None:
        raise ValueError(f"the text {reason}")
    return text


CleanText = Annotated[str, AfterValidator(clean_text)]
Name = Annotated[str, StringConstraints(max_length=MAX_NAME_CHARS), AfterValidator(clean_text)]


class CaseModel(Frozen):
    """Base of the models of a case: text fields are bounded."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_max_length=MAX_TEXT_CHARS)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """Fields as `repr` shows them: phone numbers masked, the recipient's and any quoted."""
        for name, value in super().__repr_args__():
            if isinstance(value, str):
                value = mask_numbers(value)
            elif isinstance(value, tuple) and all(isinstance(item, str) for item in value):
                value = tuple(map(mask_numbers, value))
            yield name, value


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
    """The recipient's tie to a political body (GDPR art. 9(2)(d) covers the first three).

    Which body is `Recipient.controller`: the sender's own organisation or another one.
    """

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


# Numbers the person gave to whoever holds the file: its members, voters or contacts.
FROM_THE_PERSON = frozenset(
    {
        Origin.COLLECTED_DIRECTLY,
        Origin.PARTY_MEMBER_FILE,
        Origin.FEDERATION_FILE,
        Origin.PRIMARY_VOTERS_LIST,
    }
)


class Controller(StrEnum):
    """Whose file the number is in, and whose member or contact the recipient is."""

    SENDER = "sender"
    """The sending party's or candidate's own organisation: its member file, its contacts."""
    OTHER_BODY = "other_body"
    """Another body: the federation's file used by one candidate, the national party's file used
    by a list candidate, another party, a broker."""


class SenderKind(StrEnum):
    PARTY = "party"
    CANDIDATE = "candidate"
    COMMITTEE = "committee"
    LOCAL_AUTHORITY = "local_authority"  # a commune, department, region or their groupings


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


class Message(CaseModel):
    """One SMS as it will be sent."""

    sender: CleanText = Field(min_length=1, description="The sender field as shown on the phone.")
    body: CleanText = Field(max_length=MAX_BODY_CHARS, description="The text of the message.")
    send_at: Instant = Field(description="Scheduled send time, with its UTC offset.")
    channel: Channel = Channel.SMS
    purpose: Purpose = Purpose.CAMPAIGN
    relayed_by: CleanText | None = Field(
        default=None, description="Body that relays the message (e.g. a primary's organiser)."
    )
    merged: tuple[tuple[int, int], ...] = Field(
        default=(),
        max_length=1000,
        description="Stretches [start, end) of the body filled from merge fields (set by the "
        "campaign reader, so that a remedy can say a character came from a merge value).",
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

    def covers(self, channel: Channel) -> bool:
        """Political messages by this channel are what the person agreed to."""
        return self is ConsentScope.POLITICAL_ANY_CHANNEL or (
            self is ConsentScope.POLITICAL_SMS and channel is Channel.SMS
        )


class ConsentGivenTo(StrEnum):
    """To whom the person gave consent."""

    THIS_CAMPAIGN = "this_campaign"
    """The sender itself, typically by answering its consent request."""
    NAMED_PARTNERS = "named_partners"
    """A list of partners, shown by name to the person, that includes this campaign."""
    UNNAMED_PARTNERS = "unnamed_partners"
    """'Partners' of a broker or site, not named to the person."""
    SOMEONE_ELSE = "someone_else"
    """Another party, candidate or body."""


class Consent(CaseModel):
    """Evidence that the recipient agreed to be contacted: to whom, for what, when, and its proof."""

    given_on: Day
    scope: ConsentScope = Field(
        description="What was agreed to: political messages, by which channel."
    )
    collected_by: CleanText = Field(
        description="Who collected the consent (the campaign, a broker...)."
    )
    given_to: ConsentGivenTo | None = Field(
        default=None,
        description="To whom consent was given. Left out, it is this campaign when collected_by "
        "is one of the campaign's names, and unknown otherwise.",
    )
    proof: CleanText | None = Field(
        default=None,
        min_length=1,
        description="Reference of the proof the campaign keeps (reply id, form id...).",
    )
    told_political_use: bool | None = Field(
        default=None,
        description="Whether the person was told at collection that it may serve political canvassing.",
    )


class PastMessage(CaseModel):
    """A message this campaign already sent to the recipient."""

    sent_at: Instant
    channel: Channel = Channel.SMS
    purpose: Purpose = Purpose.CAMPAIGN


class Recipient(CaseModel):
    number: str = Field(min_length=1, description="Any usual writing; stored in E.164 form.")
    relationship: Relationship = Relationship.PROSPECT
    origin: Origin = Origin.UNKNOWN
    controller: Controller | None = Field(
        default=None,
        description="Whose file and whose member or contact this is. Left out, it follows from "
        "the origin where that is clear (collected_directly: sender; rented and other third-party "
        "files: other_body; party_member_file sent by a party: sender; federation_file or "
        "primary_voters_list used by a candidate or committee: other_body), and otherwise is "
        "unknown.",
    )
    informed_at_collection: bool | None = Field(
        default=None,
        description="Whether the sender, collecting the number from the person, gave the "
        "information the GDPR owes at collection (art. 13: controller, purposes, rights).",
    )
    consent: Consent | None = None
    opted_out: bool = False
    referrer: CleanText | None = Field(default=None, description="Who referred this contact.")
    kept_informed: bool = Field(
        default=False, description="The person asked to be kept informed after a primary."
    )
    history: tuple[PastMessage, ...] = Field(default=(), max_length=1_000)
    territory: Territory | None = Field(
        default=None,
        description="Where the recipient votes and lives, when the number's prefix misleads.",
    )

    @field_validator("number")
    @classmethod
    def _e164(cls, number: str) -> str:
        try:
            return to_e164(number)
        except PhoneNumberError as exc:
            raise ValueError(str(exc)) from None

    @property
    def times_messaged(self) -> int:
        """How many messages this campaign already sent the recipient: all the checks need of
        `history`, read as this so that recipients with as many past messages share their
        verdicts, whatever their dates (see `smscheck.sharing`)."""
        return len(self.history)

    @property
    def from_the_person(self) -> bool:
        """Whether the person gave the number to whoever holds the file (collected directly, a
        member, voter or contact file): checks that need no more of the origin read this, so
        that recipients of the other origins share their verdicts (see `smscheck.sharing`)."""
        return self.origin in FROM_THE_PERSON

    @property
    def number_territory(self) -> str:
        """Where the number's prefix places it: a `Territory` value, or another territory's
        name, or "foreign". Checks that need no more of the number read this, so that
        recipients of one area share their verdicts (see `smscheck.sharing`)."""
        try:
            return territory_of(self.number)
        except PhoneNumberError:
            return "foreign"


class Round(CaseModel):
    """One polling day, with the dates of territories that vote on another day."""

    polling_date: Day
    territory_dates: dict[Territory, Day] = Field(default_factory=dict)
    polls_close: Clock | None = Field(
        default=None,
        description="When the polls close where the recipient votes (their commune's, or the "
        'constituency\'s), local time such as "19:00", when the campaign knows it from the '
        "prefect's order; without it smscheck takes the convening decree's hours or, for an "
        "election its calendar does not know, the hours of its kind (R41's 18:00 to 20:00 for "
        "most; senatorial 11:00 to 17:30; a primary's whole polling day), and a send between "
        "the earliest and the latest close is `review`.",
    )

    def date_in(self, territory: Territory) -> date:
        return self.territory_dates.get(territory, self.polling_date)


class Election(CaseModel):
    kind: ElectionKind
    name: CleanText = ""
    territory: Territory = Territory.MAINLAND
    rounds: tuple[Round, ...] = Field(min_length=1, max_length=10)


class Dispatch(CaseModel):
    """A send already made by the campaign to an audience (for charter quotas)."""

    audience: CleanText
    channel: Channel
    sent_at: Instant
    relayed_by: CleanText | None = None


class ProviderKind(StrEnum):
    """Who a provider is in campaign-finance law (Code électoral L52-8)."""

    PARTY = "party"
    POLITICAL_GROUP = "political_group"
    CANDIDATE = "candidate"
    COMMITTEE = "committee"  # the candidate's own campaign team or financial agent
    INDIVIDUAL = "individual"
    COMPANY = "company"
    ASSOCIATION = "association"
    FOUNDATION = "foundation"
    TRADE_UNION = "trade_union"
    LOCAL_AUTHORITY = "local_authority"
    PUBLIC_BODY = "public_body"

    @property
    def barred_donor(self) -> bool:
        """A legal person other than a party or political group: it may give nothing."""
        return self not in _MAY_GIVE


_MAY_GIVE = frozenset(
    {
        ProviderKind.PARTY,
        ProviderKind.POLITICAL_GROUP,
        ProviderKind.CANDIDATE,
        ProviderKind.COMMITTEE,
        ProviderKind.INDIVIDUAL,
    }
)


class Provider(CaseModel):
    """Who supplies the file or the sending service."""

    name: CleanText
    kind: ProviderKind
    supplies: CleanText = Field(description="file or sending_service")
    paid_at_market_price: bool = True


class Campaign(CaseModel):
    sender_kind: SenderKind
    names: tuple[Name, ...] = Field(
        min_length=1,
        max_length=50,
        description="Names that identify the sender (party, candidate, committee).",
    )
    declared_numbers: tuple[CleanText, ...] = Field(default=(), max_length=100)
    election: Election
    charter: CleanText | None = Field(default=None, description="Id of the primary's charter.")
    history: tuple[Dispatch, ...] = Field(default=(), max_length=10_000)
    providers: tuple[Provider, ...] = Field(default=(), max_length=100)
    info_notice_url: CleanText | None = None
    opponents: tuple[Name, ...] = Field(
        default=(),
        max_length=50,
        description="Declared opponents (candidates, lists) as a message would name them.",
    )

    @field_validator("names")
    @classmethod
    def _names_not_blank(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        if any(not name.strip() for name in names):
            raise ValueError("a campaign name is blank")
        return names


class Case(CaseModel):
    """The unit that is checked: one message to one recipient within one campaign."""

    message: Message
    recipient: Recipient
    campaign: Campaign
