"""Verdicts shared between cases by what each rule reads: the same reports as checking each case
alone, reuse across recipients and across equal campaigns built apart, bounded memory."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smscheck
from smscheck import Case, Checker, Status, running
from smscheck.checks import NAMED_CHECKS
from smscheck.checks.consent import ConsentArgs
from smscheck.checks.information import MentionArgs
from smscheck.models import (
    Consent,
    ConsentGivenTo,
    ConsentScope,
    Controller,
    Frozen,
    Message,
    Origin,
    PastMessage,
    Purpose,
    Recipient,
    Relationship,
    Territory,
)
from smscheck.outcome import Context, NoArgs, Outcome
from smscheck.packs import Rule
from smscheck.sharing import MAX_VERDICTS_PER_RULE, Read, Traced
from smscheck.testing import campaigns, french_bodies

NUMBERS = (
    "06 12 34 56 78",
    "+33 7 81 22 33 44",
    "0692 12 34 56",  # Réunion
    "+590 690 12 34 56",  # Guadeloupe
    "+687 75 12 34",  # New Caledonia
    "+32 470 12 34 56",  # Belgium
)


CONSENTS = st.none() | st.builds(
    Consent,
    given_on=st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 1, 1)),
    scope=st.sampled_from(ConsentScope),
    collected_by=st.sampled_from(["Marie Dupont", "Agence Data", "Paul Martin"]),
    given_to=st.none() | st.sampled_from(ConsentGivenTo),
    proof=st.none() | st.just("formulaire 12"),
    told_political_use=st.none() | st.booleans(),
)
PAST_MESSAGES = st.builds(
    PastMessage,
    sent_at=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31)).map(
        lambda moment: moment.replace(tzinfo=UTC)
    ),
    purpose=st.sampled_from(Purpose),
)
REFERRERS = st.none() | st.just("Paul Martin")


@st.composite
def recipients(
    draw: st.DrawFn,
    consents: st.SearchStrategy[Consent | None] = CONSENTS,
    past_messages: st.SearchStrategy[PastMessage] = PAST_MESSAGES,
    referrers: st.SearchStrategy[str | None] = REFERRERS,
) -> Recipient:
    """Recipients varying in every field a rule may read, numbers of several territories."""
    return Recipient(
        number=draw(st.sampled_from(NUMBERS)),
        relationship=draw(st.sampled_from(Relationship)),
        origin=draw(st.sampled_from(Origin)),
        controller=draw(st.none() | st.sampled_from(Controller)),
        informed_at_collection=draw(st.none() | st.booleans()),
        consent=draw(consents),
        opted_out=draw(st.booleans()),
        referrer=draw(referrers),
        kept_informed=draw(st.booleans()),
        history=tuple(draw(st.lists(past_messages, max_size=3))),
        territory=draw(st.none() | st.sampled_from(Territory)),
    )


@st.composite
def campaign_sends(draw: st.DrawFn) -> list[Case]:
    """The cases of one campaign: a few messages (sent near the vote or not), many recipients."""
    campaign = draw(campaigns())
    polling = campaign.election.rounds[0].polling_date
    messages = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        day = polling - timedelta(days=draw(st.integers(min_value=-1, max_value=5)))
        hour = draw(st.sampled_from([7, 10, 19, 21, 23]))
        messages.append(
            Message(
                sender=draw(st.sampled_from(["36111", "PS2026"])),
                body=draw(french_bodies(name=campaign.names[0], with_mentions=draw(st.booleans()))),
                send_at=datetime(day.year, day.month, day.day, hour, 30, tzinfo=UTC),
                purpose=draw(st.sampled_from(Purpose)),
            )
        )
    people = draw(st.lists(recipients(), min_size=2, max_size=12))
    return [
        Case(message=draw(st.sampled_from(messages)), recipient=person, campaign=campaign)
        for person in people
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(campaign_sends(), st.booleans())
def test_shared_verdicts_give_each_case_the_report_it_gets_checked_alone(
    sends: list[Case], listed: bool
) -> None:
    # Without a suppression list, GDPR-OBJ-01 reads no number: it is then shared too.
    suppressed = {sends[0].recipient.number} if listed else set()
    shared = Checker(suppressed=suppressed)
    for case in sends + sends[::-1]:  # the second pass finds everything kept
        alone = Checker(suppressed=suppressed).check(case)
        assert shared.check(case).model_dump_json() == alone.model_dump_json()


def _case(
    body: str = "Marie Dupont vous invite samedi au marché. STOP au 36111", **recipient: object
) -> Case:
    return Case.model_validate(
        {
            "message": {
                "sender": "36111",
                "body": body,
                "send_at": "2026-03-04T18:00:00+01:00",
            },
            "recipient": {"number": "06 12 34 56 78", **recipient},
            "campaign": {
                "sender_kind": "candidate",
                "names": ["Marie Dupont"],
                "election": {"kind": "municipal", "rounds": [{"polling_date": "2026-03-15"}]},
            },
        }
    )


def counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the rules run from now on, one for each run."""
    runs: list[str] = []
    real = running.outcome_of

    def counted(rule: Rule, context: Context) -> Outcome:
        runs.append(rule.id)
        return real(rule, context)

    monkeypatch.setattr(running, "outcome_of", counted)
    return runs


def test_recipients_differing_in_a_field_a_rule_ignores_share_its_verdict() -> None:
    checker = Checker()
    first = checker.check(_case(relationship="member", origin="party_member_file"))
    other = _case(relationship="member", origin="party_member_file", number="07 81 22 33 44")
    second = checker.check(other)
    # The sending hours depend on the send time and the recipient's territory, not the number.
    assert second.verdict("SMS-HRS-01") is first.verdict("SMS-HRS-01")


def test_equal_campaigns_built_apart_share_their_work() -> None:
    checker = Checker()
    first = checker.check(_case())
    rebuilt = Case.model_validate_json(_case().model_dump_json())
    assert rebuilt.campaign is not _case().campaign
    second = checker.check(rebuilt)
    assert second.verdict("FMT-LEN-01") is first.verdict("FMT-LEN-01")


def test_a_rule_keeps_a_bounded_number_of_verdicts_whatever_the_variety() -> None:
    checker = Checker()
    start = date(2000, 1, 1)
    for offset in range(MAX_VERDICTS_PER_RULE + 50):
        consent = {
            "given_on": (start + timedelta(days=offset)).isoformat(),
            "scope": "political_sms",
            "collected_by": "Marie Dupont",
            "proof": "formulaire",
        }
        checker.check(_case(relationship="opted_in", consent=consent))
    kept = [tree.leaves for tree in checker._trees.values()]
    assert max(kept) <= MAX_VERDICTS_PER_RULE
    assert max(kept) > 0


def test_a_rule_shares_its_verdict_with_recipients_that_differ_off_its_path() -> None:
    checker = Checker()
    # CNIL12-REF-01 applies to referred prospects without consent: for anyone else it stops at
    # the origin, so recipients with different consents share its verdict.
    consent = {"given_on": "2025-01-01", "scope": "newsletter", "collected_by": "Marie Dupont"}
    first = checker.check(_case(origin="party_member_file", relationship="member"))
    second = checker.check(
        _case(origin="party_member_file", relationship="member", consent=consent)
    )
    assert second.verdict("CNIL12-REF-01") is first.verdict("CNIL12-REF-01")


def test_a_traced_model_notes_what_is_read_in_order_and_refuses_writes() -> None:
    read: dict[Read, object] = {}
    recipient = Traced(
        Recipient(number="06 12 34 56 78", origin=Origin.REFERRAL), "recipient", read
    )
    assert recipient.origin is Origin.REFERRAL
    assert recipient.number_territory == "mainland"
    assert recipient.origin is Origin.REFERRAL
    assert list(read.items()) == [
        (("recipient", "origin"), Origin.REFERRAL),
        (("recipient", "number_territory"), "mainland"),
    ]
    try:
        recipient.origin = Origin.UNKNOWN
    except AttributeError:
        pass
    else:
        raise AssertionError("a traced model was written to")


def _reads(
    name: str, case: Case, args: Frozen, suppressed: frozenset[str] = frozenset()
) -> list[Read]:
    """The fields the named check reads on the case, in order."""
    read: dict[Read, object] = {}
    traced = Case.model_construct(
        message=Traced(case.message, "message", read),  # type: ignore[arg-type]  # stands in
        recipient=Traced(case.recipient, "recipient", read),  # type: ignore[arg-type]
        campaign=case.campaign,
    )
    NAMED_CHECKS[name].run(Context(case=traced, suppressed=suppressed), args)
    return list(read)


def test_the_number_is_read_only_to_look_it_up_in_a_suppression_list() -> None:
    objection, listed = "optout.not_suppressed", frozenset({"+33698765432"})
    assert _reads(objection, _case(), NoArgs()) == [("recipient", "opted_out")]
    assert _reads(objection, _case(), NoArgs(), listed) == [
        ("recipient", "opted_out"),
        ("recipient", "number"),
    ]
    assert _reads(objection, _case(opted_out=True), NoArgs(), listed) == [
        ("recipient", "opted_out")
    ]


def test_information_the_body_gives_is_judged_on_the_body_alone() -> None:
    owed = "information.owed_to_recipient"
    args = MentionArgs.model_validate(
        {"patterns": ["communication politique"], "what_fr": "x", "what_en": "x"}
    )
    given = _case().model_copy(
        update={"message": _case().message.model_copy(update={"body": "Communication politique"})}
    )
    assert _reads(owed, given, args) == [("message", "body")]
    assert _reads(owed, _case(), args)[:2] == [
        ("message", "body"),
        ("recipient", "from_the_person"),
    ]


def test_numbers_the_person_did_not_give_share_one_origin_verdict_whatever_their_origin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GDPR-INF-03 ran once per origin and merged body; what it needs of the origin is whether
    # the person gave the number (art. 13) or not (art. 14).
    checker = Checker()
    body = "Marie Dupont vous invite samedi. Vos données : https://exemple.fr/d. STOP au 36111"
    first = checker.check(_case(body, origin="rented_file", relationship="prospect"))
    runs = counting(monkeypatch)
    others = [
        checker.check(_case(body, origin=origin, relationship="prospect"))
        for origin in ("referral", "public_body_file", "company_file", "unknown")
    ]
    assert "GDPR-INF-03" not in runs
    assert all(other.verdict("GDPR-INF-03") is first.verdict("GDPR-INF-03") for other in others)
    member = checker.check(_case(body, origin="party_member_file", relationship="member"))
    assert "GDPR-INF-03" in runs  # a member file: whose it is decides, the rule runs
    assert member.verdict("GDPR-INF-03") is not first.verdict("GDPR-INF-03")


def test_the_senders_own_contacts_are_judged_without_their_consent_records() -> None:
    texted, args = "consent.may_be_texted", ConsentArgs(regime="cnil-2012")
    consent = {"given_on": "2025-01-01", "scope": "political_sms", "collected_by": "Agence Data"}
    own = _case(relationship="regular_contact", origin="collected_directly", consent=consent)
    assert ("recipient", "consent") not in _reads(texted, own, args)
    other = _case(relationship="member", origin="federation_file", consent=consent)
    assert ("recipient", "consent") in _reads(texted, other, args)


def test_a_review_for_want_of_time_is_never_shared_with_other_recipients(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real, calls = running.guarded, []

    def out_of_time_once(rule: object, context: object) -> object:
        calls.append(rule)
        if len(calls) == 1:
            return running.TimedOut(Status.REVIEW)
        return real(rule, context)  # type: ignore[arg-type]

    monkeypatch.setattr(running, "guarded", out_of_time_once)
    checker = Checker()
    first = checker.check(_case())
    timed_out = next(v for v in first.verdicts if v.status is Status.REVIEW)
    again = checker.check(_case(number="07 81 22 33 44"))
    alone = Checker().check(_case(number="07 81 22 33 44"))
    assert again.verdict(timed_out.rule_id) == alone.verdict(timed_out.rule_id)


def test_the_same_instant_at_another_offset_is_judged_on_its_own_local_day() -> None:
    base = _case().model_dump(mode="json")
    late = {**base, "message": {**base["message"], "send_at": "2026-03-03T23:30:00+00:00"}}
    east = {**base, "message": {**base["message"], "send_at": "2026-03-04T04:30:00+05:00"}}
    checker = Checker()
    checker.check(Case.model_validate(late))
    shared = checker.check(Case.model_validate(east))
    alone = Checker().check(Case.model_validate(east))
    assert shared.resolved_at == alone.resolved_at == date(2026, 3, 4)
    assert shared.model_dump_json() == alone.model_dump_json()


def test_consent_records_differing_in_a_field_the_rule_does_not_read_share_its_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checker = Checker()
    # Consent given to someone else: the verdict names the collector, never the date.
    record = {"scope": "political_sms", "collected_by": "Agence Data", "given_to": "someone_else"}
    first = checker.check(
        _case(relationship="opted_in", consent={**record, "given_on": "2024-01-01"})
    )
    runs = counting(monkeypatch)
    second = checker.check(
        _case(relationship="opted_in", consent={**record, "given_on": "2025-06-30", "proof": "f-9"})
    )
    assert first.verdict("CNIL12-CON-01").status is Status.FAIL
    assert second.verdict("CNIL12-CON-01") is first.verdict("CNIL12-CON-01")
    assert "CNIL12-CON-01" not in runs  # found, not run again
    other = {**record, "given_on": "2024-01-01", "collected_by": "Paul Martin"}
    checker.check(_case(relationship="opted_in", consent=other))
    assert "CNIL12-CON-01" in runs  # the verdict names the collector: another one runs it


def test_a_condition_on_a_record_reads_only_whether_there_is_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # CNIL12-REF-01 applies to referred prospects with no consent record.
    checker = Checker()
    record = {"scope": "political_sms", "collected_by": "Marie Dupont", "given_on": "2024-01-01"}
    referred = {"relationship": "prospect", "origin": "referral", "referrer": "Paul Martin"}
    first = checker.check(_case(**referred, consent=record)).verdict("CNIL12-REF-01")
    runs = counting(monkeypatch)
    other = {**record, "given_on": "2025-06-30", "proof": "formulaire 12"}
    second = checker.check(_case(**referred, consent=other)).verdict("CNIL12-REF-01")
    assert first.status is Status.NOT_APPLICABLE
    assert first.message.endswith("ici present.)")  # the key packs write, not the record
    assert second is first and "CNIL12-REF-01" not in runs


def test_recipients_messaged_as_many_times_share_verdicts_whatever_the_dates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checker = Checker()
    referred = {"relationship": "prospect", "origin": "referral", "referrer": "Paul Martin"}
    first = checker.check(_case(**referred, history=[{"sent_at": "2026-01-10T10:00:00+01:00"}]))
    runs = counting(monkeypatch)
    second = checker.check(_case(**referred, history=[{"sent_at": "2026-02-21T17:45:00+01:00"}]))
    assert first.verdict("CNIL12-REF-01").status is Status.FAIL
    assert second.model_dump_json() == first.model_dump_json()
    assert not {"CNIL12-REF-01", "GDPR-INF-03"} & set(runs)


def test_a_fact_is_noted_on_the_path_under_its_name_and_its_name_is_its_own() -> None:
    from smscheck.checks.consent import CONSENT_AFTER_SEND
    from smscheck.sharing import Fact

    read: dict[Read, object] = {}
    case = _case(consent={"given_on": "2027-01-01", "scope": "political_sms", "collected_by": "X"})
    traced = Case.model_construct(
        message=Traced(case.message, "message", read),  # type: ignore[arg-type]  # stands in
        recipient=Traced(case.recipient, "recipient", read),  # type: ignore[arg-type]
        campaign=case.campaign,
    )
    assert CONSENT_AFTER_SEND.read(traced) is True and CONSENT_AFTER_SEND.read(case) is True
    assert read == {("fact", "consent_after_send"): True}  # not the date, nor the send time
    with pytest.raises(ValueError, match="exists already"):
        Fact("consent_after_send", lambda message, recipient: None)


def test_a_traced_model_within_a_model_is_read_field_by_field_and_whole_when_shown() -> None:
    read: dict[Read, object] = {}
    consent = Consent(given_on=date(2025, 1, 1), scope=ConsentScope.NEWSLETTER, collected_by="X")
    recipient = Traced(Recipient(number="06 12 34 56 78", consent=consent), "recipient", read)
    record: Any = recipient.consent  # a traced consent, read as one
    assert record is not None and record.scope is ConsentScope.NEWSLETTER
    assert list(read) == [("recipient", "consent"), ("recipient", "consent.scope")]
    assert str(record) == str(consent)  # showing it reads it all: its every field is on the path
    assert set(read) == {("recipient", "consent")} | {
        ("recipient", f"consent.{name}") for name in Consent.model_fields
    }
    assert record == consent and hash(record) == hash(consent)


def test_a_rule_that_read_nothing_of_the_recipient_is_settled_for_the_whole_message() -> None:
    checker = Checker()
    first = checker.check(_case())  # ten days before the vote: the silence rule reads no one
    batch = checker._last
    assert batch is not None
    silence = [rule.id for rule in batch.rules].index("CE-L49-01")
    # Settled for the message's every case: no lookup per recipient any more.
    assert batch.fixed[silence] is first.verdict("CE-L49-01") and silence not in batch.open
    other = checker.check(_case(origin="rented_file", number="07 81 22 33 44", opted_out=True))
    assert other.verdict("CE-L49-01") is first.verdict("CE-L49-01")


def test_a_verdict_found_without_reading_the_recipient_is_settled_for_another_message_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checker = Checker()
    first = checker.check(_case())  # the silence rule's path reads the send date alone
    runs = counting(monkeypatch)
    merged = checker.check(_case(body="Zoé, Marie Dupont vous invite samedi. STOP au 36111"))
    batch = checker._last
    assert batch is not None and batch.message.body.startswith("Zoé")
    silence = [rule.id for rule in batch.rules].index("CE-L49-01")
    # Found in the rule's tree by the message alone: settled for the new message's every case.
    assert "CE-L49-01" not in runs and silence not in batch.open
    assert batch.fixed[silence] is first.verdict("CE-L49-01") is merged.verdict("CE-L49-01")


def test_check_calls_with_the_same_packs_share_one_checker_and_keep_their_own_settings() -> None:
    case = _case()
    first, again = smscheck.check(case), smscheck.check(_case())
    assert again.verdict("FMT-LEN-01") is first.verdict("FMT-LEN-01")  # the work was shared
    barred = smscheck.check(case, suppressed={"+33612345678"})
    assert barred.verdict("GDPR-OBJ-01").status is Status.FAIL
    assert smscheck.check(case).verdict("GDPR-OBJ-01").status is Status.PASS
    assert smscheck.check(case, lang="en").lang == "en"
