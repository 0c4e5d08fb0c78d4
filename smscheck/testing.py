"""Hypothesis strategies for users' own test suites: generate valid cases to property-test with.

Example::

    @given(cases(compliant_body=True))
    def test_our_template_engine(case): ...
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from smscheck.models import (
    Campaign,
    Case,
    Channel,
    Consent,
    ConsentGivenTo,
    ConsentScope,
    Controller,
    Election,
    ElectionKind,
    Message,
    Origin,
    Purpose,
    Recipient,
    Relationship,
    Round,
    SenderKind,
    Territory,
)

_OPENINGS = (
    "Chers amis,",
    "Bonjour,",
    "Madame, Monsieur,",
    "Chère électrice, cher électeur,",
)
_CALLS = (
    "ce dimanche, chaque voix compte : votez !",
    "rendez-vous mardi à 19h à la salle des fêtes pour notre réunion publique.",
    "notre programme pour la ville est en ligne.",
    "merci de votre soutien, la campagne a besoin de vous.",
    "venez nombreux au marché samedi matin, nous y serons.",
)
_MOBILE_BLOCKS = ("+33612", "+33623", "+33645", "+33650", "+33678", "+33699", "+33751", "+33782")
_NAMES = ("Marie Dupont", "Jean Martin", "Ensemble pour Lyon", "Parti Écologiste", "Éric Lefèvre")


@st.composite
def french_numbers(draw: st.DrawFn) -> str:
    """Valid French mobile numbers in E.164 form (from blocks open to mainland mobiles)."""
    block = draw(st.sampled_from(_MOBILE_BLOCKS))
    return block + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=6, max_size=6)))


@st.composite
def french_bodies(draw: st.DrawFn, *, name: str, with_mentions: bool) -> str:
    """A campaign SMS in French; with the mandatory mentions (name, opt-out, origin) or without."""
    text = f"{draw(st.sampled_from(_OPENINGS))} {draw(st.sampled_from(_CALLS))}"
    if with_mentions:
        text += (
            f" {name}. Vos coordonnées proviennent de notre fichier d'adhérents."
            " Infos et droits : https://exemple.fr/donnees. STOP au 36111"
        )
    return text


@st.composite
def campaigns(draw: st.DrawFn, *, polling: date | None = None) -> Campaign:
    first = polling or draw(st.dates(min_value=date(2007, 1, 7), max_value=date(2030, 12, 29)))
    first -= timedelta(days=(first.weekday() - 6) % 7)  # a Sunday
    rounds = (Round(polling_date=first), Round(polling_date=first + timedelta(days=7)))
    return Campaign(
        sender_kind=draw(st.sampled_from(SenderKind)),
        names=(draw(st.sampled_from(_NAMES)),),
        election=Election(
            kind=draw(st.sampled_from([k for k in ElectionKind if k is not ElectionKind.PRIMARY])),
            territory=draw(st.sampled_from(Territory)),
            rounds=rounds,
        ),
        info_notice_url="https://exemple.fr/donnees",
    )


@st.composite
def recipients(draw: st.DrawFn, *, close: bool | None = None) -> Recipient:
    """Recipients; `close=True` only members and regular contacts of the sender's own file."""
    if close is True:
        relationship = draw(st.sampled_from([Relationship.MEMBER, Relationship.REGULAR_CONTACT]))
        origin = Origin.PARTY_MEMBER_FILE
    else:
        relationship = draw(st.sampled_from(Relationship))
        origin = draw(st.sampled_from(Origin))
    consent = draw(
        st.none()
        | st.builds(
            Consent,
            given_on=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
            scope=st.sampled_from(ConsentScope),
            collected_by=st.sampled_from(_NAMES),
            given_to=st.none() | st.sampled_from(ConsentGivenTo),
            proof=st.none() | st.just("réponse OUI n° 1"),
            told_political_use=st.none() | st.booleans(),
        )
    )
    return Recipient(
        number=draw(french_numbers()),
        relationship=relationship,
        origin=origin,
        controller=Controller.SENDER if close else draw(st.none() | st.sampled_from(Controller)),
        informed_at_collection=draw(st.none() | st.booleans()),
        consent=None if close else consent,
        opted_out=False if close else draw(st.booleans()),
    )


@st.composite
def cases(draw: st.DrawFn, *, compliant_body: bool | None = None) -> Case:
    """Valid cases. `compliant_body=True`: a member, on a weekday afternoon well before the vote,
    with every mandatory mention; these pass every shipped rule."""
    if compliant_body:
        campaign = draw(campaigns())
        polling = campaign.election.rounds[0].polling_date
        send_day = polling - timedelta(days=draw(st.integers(min_value=9, max_value=12)))
        send_at = datetime(send_day.year, send_day.month, send_day.day, 14, 0, tzinfo=UTC)
        recipient = draw(recipients(close=True))
        channel = Channel.SMS
        sender = "36111"
    else:
        campaign = draw(campaigns())
        send_at = draw(
            st.datetimes(
                min_value=datetime(2006, 10, 5),
                max_value=datetime(2031, 12, 31),
                timezones=st.just(UTC),
            )
        )
        recipient = draw(recipients())
        channel = draw(st.sampled_from(Channel))
        sender = draw(st.sampled_from(["UMP", "36111", "PS2026", "+33612345678"]))
    with_mentions = compliant_body if compliant_body is not None else draw(st.booleans())
    body = draw(french_bodies(name=campaign.names[0], with_mentions=with_mentions))
    message = Message(
        sender=sender,
        body=body,
        send_at=send_at,
        channel=channel,
        purpose=Purpose.CAMPAIGN if compliant_body else draw(st.sampled_from(Purpose)),
    )
    return Case(message=message, recipient=recipient, campaign=campaign)
