"""Whose data it is, consent as evidence, and information split as GDPR arts 13 and 14 split it."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smscheck import Checker
from smscheck.checks.consent import ConsentArgs, may_be_texted
from smscheck.checks.information import OriginArgs, origin_stated
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
    PastMessage,
    Purpose,
    Recipient,
    Relationship,
    Round,
    SenderKind,
)
from smscheck.outcome import Context
from smscheck.patterns import PatternTimeout, case_budget
from smscheck.provenance import collected_by_sender, controller
from smscheck.verdicts import Status
from tests.conftest import ROOT

PARIS = timezone(timedelta(hours=1))
CNIL_2012 = ConsentArgs(regime="cnil-2012")
CHECKER = Checker()
_GDPR = tomllib.loads((ROOT / "rules" / "gdpr" / "pack.toml").read_text(encoding="utf-8"))
ORIGIN = OriginArgs.model_validate(
    next(rule for rule in _GDPR["rules"] if rule["id"] == "GDPR-INF-03")["params"]["args"]
)


def _case(
    *,
    body: str = "Lyon Avenir : votez Marie Dupont ! STOP au 36111",
    sender_kind: SenderKind = SenderKind.CANDIDATE,
    purpose: Purpose = Purpose.CAMPAIGN,
    channel: Channel = Channel.SMS,
    history: int = 0,
    **recipient: object,
) -> Case:
    sent = datetime(2026, 3, 3, 10, 0, tzinfo=PARIS)
    past = tuple(PastMessage(sent_at=sent - timedelta(days=10 + n)) for n in range(history))
    return Case(
        message=Message(
            sender="LYONAVENIR", body=body, send_at=sent, purpose=purpose, channel=channel
        ),
        recipient=Recipient.model_validate(
            {"number": "+33612345678", "history": past, **recipient}
        ),
        campaign=Campaign(
            sender_kind=sender_kind,
            names=("Marie Dupont", "Lyon Avenir"),
            election=Election(
                kind=ElectionKind.MUNICIPAL, rounds=(Round(polling_date=date(2026, 3, 15)),)
            ),
        ),
    )


def _consent(**fields: object) -> dict[str, object]:
    return {
        "given_on": "2026-02-20",
        "scope": "political_sms",
        "collected_by": "DataLoc SAS",
        **fields,
    }


@pytest.mark.parametrize(
    ("origin", "kind", "owner"),
    [
        (Origin.COLLECTED_DIRECTLY, SenderKind.CANDIDATE, Controller.SENDER),
        (Origin.PARTY_MEMBER_FILE, SenderKind.PARTY, Controller.SENDER),
        (Origin.PARTY_MEMBER_FILE, SenderKind.CANDIDATE, None),
        (Origin.FEDERATION_FILE, SenderKind.CANDIDATE, Controller.OTHER_BODY),
        (Origin.FEDERATION_FILE, SenderKind.PARTY, None),
        (Origin.RENTED_FILE, SenderKind.PARTY, Controller.OTHER_BODY),
    ],
)
def test_whose_file_follows_from_the_origin_only_where_that_is_clear(
    origin: Origin, kind: SenderKind, owner: Controller | None
) -> None:
    assert controller(_case(sender_kind=kind, origin=origin, relationship="member")) is owner


def test_a_stated_controller_overrides_what_the_origin_suggests() -> None:
    case = _case(origin=Origin.PARTY_MEMBER_FILE, controller=Controller.OTHER_BODY)
    assert controller(case) is Controller.OTHER_BODY
    assert collected_by_sender(case) is False


def test_a_number_another_body_collected_itself_is_not_the_senders_own() -> None:
    case = _case(origin=Origin.COLLECTED_DIRECTLY, controller=Controller.OTHER_BODY)
    assert collected_by_sender(case) is False


def test_a_referred_number_is_the_senders_file_but_not_collected_from_the_person() -> None:
    case = _case(origin=Origin.REFERRAL)
    assert controller(case) is Controller.SENDER
    assert collected_by_sender(case) is False


def test_a_member_of_another_body_does_not_pass_as_a_member() -> None:
    case = _case(relationship=Relationship.MEMBER, origin=Origin.FEDERATION_FILE)
    outcome = may_be_texted(Context(case), CNIL_2012)
    assert outcome.status is Status.FAIL
    assert outcome.reason is not None and "another body" in outcome.reason.en


def test_a_member_whose_file_owner_is_unknown_is_reviewed_naming_the_field() -> None:
    case = _case(relationship=Relationship.MEMBER, origin=Origin.PARTY_MEMBER_FILE)
    outcome = may_be_texted(Context(case), CNIL_2012)
    assert outcome.status is Status.REVIEW
    assert outcome.reason is not None and "recipient.controller" in outcome.reason.en


def test_a_member_of_another_body_who_consented_to_this_campaign_passes() -> None:
    consent = _consent(given_to="this_campaign", proof="réponse OUI n° 7")
    case = _case(relationship="member", origin="federation_file", consent=consent)
    assert may_be_texted(Context(case), CNIL_2012).status is Status.PASS


def test_consent_collected_by_the_campaign_itself_counts_as_given_to_it() -> None:
    consent = _consent(collected_by="lyon-avenir", proof="formulaire 12")
    case = _case(relationship="opted_in", origin="collected_directly", consent=consent)
    assert may_be_texted(Context(case), CNIL_2012).status is Status.PASS


@pytest.mark.parametrize(
    ("given_on", "status"),
    [("2026-03-02", Status.PASS), ("2026-03-03", Status.PASS), ("2026-03-04", Status.REVIEW)],
)
def test_consent_dated_after_the_day_of_sending_is_reviewed_naming_the_field(
    given_on: str, status: Status
) -> None:
    # Sent on 3 March 2026: consent must come before the message (consentement préalable).
    consent = _consent(given_on=given_on, collected_by="Marie Dupont", proof="formulaire 12")
    case = _case(relationship="opted_in", origin="collected_directly", consent=consent)
    outcome = may_be_texted(Context(case), CNIL_2012)
    assert outcome.status is status
    if status is Status.REVIEW:
        assert outcome.reason is not None and "recipient.consent.given_on" in outcome.reason.en


def test_consents_dated_after_the_send_share_one_verdict_whatever_their_dates() -> None:
    checker = Checker()
    verdicts = [
        checker.check(
            _case(
                relationship="opted_in",
                origin="collected_directly",
                consent=_consent(given_on=day, collected_by="Marie Dupont", proof="f-1"),
            )
        ).verdict("CNIL12-CON-01")
        for day in ("2026-04-01", "2027-01-15")
    ]
    assert verdicts[0].status is Status.REVIEW and verdicts[1] is verdicts[0]


def test_consent_to_political_sms_does_not_cover_an_email() -> None:
    consent = _consent(given_to="this_campaign", proof="réponse OUI n° 7")
    case = _case(origin="rented_file", consent=consent, channel=Channel.EMAIL)
    assert may_be_texted(Context(case), CNIL_2012).status is Status.FAIL


def test_consent_of_unknown_addressee_is_reviewed_for_campaign_content() -> None:
    case = _case(origin="rented_file", consent=_consent())
    outcome = may_be_texted(Context(case), CNIL_2012)
    assert outcome.status is Status.REVIEW
    assert outcome.reason is not None and "given_to" in outcome.reason.en


def test_a_rented_file_in_2006_is_reviewed_when_what_people_were_told_is_not_given() -> None:
    case = _case(origin="rented_file", consent=_consent(given_to="unnamed_partners"))
    outcome = may_be_texted(Context(case), ConsentArgs(regime="cnil-2006"))
    assert outcome.status is Status.REVIEW


_NOT_TO_US = st.sampled_from([t for t in ConsentGivenTo if t is not ConsentGivenTo.THIS_CAMPAIGN])


@given(
    origin=st.sampled_from([Origin.RENTED_FILE, Origin.REFERRAL]),
    given_to=st.none() | _NOT_TO_US,
    scope=st.sampled_from(ConsentScope),
    proof=st.none() | st.just("formulaire 3"),
)
def test_campaign_content_to_a_bought_or_referred_number_never_passes_on_others_consent(
    origin: Origin, given_to: ConsentGivenTo | None, scope: ConsentScope, proof: str | None
) -> None:
    consent = Consent(
        given_on=date(2025, 1, 1),
        scope=scope,
        collected_by="DataLoc",
        given_to=given_to,
        proof=proof,
    )
    case = _case(origin=origin, consent=consent)
    assert may_be_texted(Context(case), CNIL_2012).status is not Status.PASS


@given(origin=st.sampled_from(Origin), relationship=st.sampled_from(Relationship))
def test_consent_to_this_campaign_without_proof_never_passes_on_its_own(
    origin: Origin, relationship: Relationship
) -> None:
    consent = _consent(given_to="this_campaign")
    case = _case(origin=origin, relationship=relationship, consent=consent)
    outcome = may_be_texted(Context(case), CNIL_2012)
    if outcome.status is Status.PASS:
        assert outcome.reason is not None and "tied to the sender itself" in outcome.reason.en


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("Téléchargez notre fichier de propositions pour Lyon.", Status.FAIL),
        ("Source : le programme de Marie Dupont.", Status.FAIL),
        ("Votre numéro de bureau de vote est sur la carte électorale.", Status.FAIL),
        ("Vos coordonnées proviennent d'un fichier loué à DataLoc SAS.", Status.PASS),
        ("Votre numéro nous a été transmis par DataLoc SAS.", Status.PASS),
        ("Paul Martin nous a donné votre numéro.", Status.PASS),
        ("Origine des données : fichier loué à DataLoc SAS.", Status.PASS),
        ("Vous recevez ce SMS car vous figurez dans le fichier de DataLoc SAS.", Status.PASS),
    ],
)
def test_only_a_statement_of_where_the_number_came_from_states_its_origin(
    body: str, status: Status
) -> None:
    case = _case(body=body, origin=Origin.RENTED_FILE)
    assert origin_stated(Context(case), ORIGIN).status is status


def test_the_origin_is_not_owed_for_the_senders_own_collection() -> None:
    case = _case(origin=Origin.COLLECTED_DIRECTLY)
    assert origin_stated(Context(case), ORIGIN).status is Status.NOT_APPLICABLE


def test_own_members_without_notice_are_advised_not_failed_and_pass_once_informed() -> None:
    def verdicts(**facts: Any) -> dict[str, Status]:
        case = _case(
            sender_kind=SenderKind.PARTY, relationship="member", origin="party_member_file", **facts
        )
        report = CHECKER.check(case)
        return {v.rule_id: v.status for v in report.verdicts if v.rule_id.startswith("GDPR-INF")}

    assert verdicts() == {
        "GDPR-INF-01": Status.WARN,
        "GDPR-INF-02": Status.WARN,
        "GDPR-INF-03": Status.NOT_APPLICABLE,
    }
    assert verdicts(informed_at_collection=True)["GDPR-INF-01"] is Status.PASS


def test_data_from_elsewhere_owes_the_information_at_the_first_message_only() -> None:
    first = CHECKER.check(_case(origin="rented_file", consent=_consent(given_to="this_campaign")))
    later = CHECKER.check(
        _case(origin="rented_file", consent=_consent(given_to="this_campaign"), history=1)
    )
    assert first.verdict("GDPR-INF-01").status is Status.FAIL
    assert later.verdict("GDPR-INF-01").status is Status.WARN


def test_a_consent_collector_written_as_a_phone_number_is_masked_in_the_reason() -> None:
    consent = _consent(collected_by="+33612345678", given_to="someone_else")
    outcome = may_be_texted(Context(_case(origin="rented_file", consent=consent)), CNIL_2012)
    assert outcome.reason is not None
    assert "+33612345678" not in outcome.reason.fr and "** ** **" in outcome.reason.fr


def test_a_kept_scan_of_a_body_still_stops_once_the_case_budget_is_spent() -> None:
    # Scans of a body are kept for the next recipient path; a case with no time left gets the
    # review a scan would have given it, not the kept result.
    body = "Votre numéro nous a été transmis par DataLoc SAS."
    case = _case(body=body, origin=Origin.RENTED_FILE)
    assert origin_stated(Context(case), ORIGIN).status is Status.PASS
    with case_budget(0), pytest.raises(PatternTimeout, match=r"^vos \(coordonn"):
        origin_stated(Context(_case(body=body, origin=Origin.UNKNOWN)), ORIGIN)
    assert origin_stated(Context(case), ORIGIN).status is Status.PASS
