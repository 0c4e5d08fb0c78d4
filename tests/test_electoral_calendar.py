"""The built-in electoral calendar, the voter's territory, and the rules of issue 13."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smscheck import Checker
from smscheck.catalogue import calendar_entries, render
from smscheck.elections import NATIONAL, Hours, PollingDay, calendar, polling_days, polls_closing
from smscheck.models import (
    Campaign,
    Case,
    Election,
    ElectionKind,
    Message,
    Origin,
    Provider,
    ProviderKind,
    Recipient,
    Relationship,
    Round,
    SenderKind,
    Territory,
)
from smscheck.packs import shipped_packs
from smscheck.territories import zone
from smscheck.verdicts import Status

CHECKER = Checker()
PRESIDENTIAL_2022 = (Round(polling_date=date(2022, 4, 10)), Round(polling_date=date(2022, 4, 24)))
# Not in the calendar: a presidential election of April 2027 whose decree is not out.
PRESIDENTIAL_2027 = (Round(polling_date=date(2027, 4, 11)),)
PLAIN = "Marie Dupont : dimanche, votez ! STOP au 36111"
MUNICIPAL_2026 = (Round(polling_date=date(2026, 3, 15)), Round(polling_date=date(2026, 3, 22)))


def _case(
    local: datetime,
    territory: Territory,
    *,
    kind: ElectionKind = ElectionKind.PRESIDENTIAL,
    rounds: tuple[Round, ...] = PRESIDENTIAL_2022,
    number: str = "+33612345678",
    recipient_territory: Territory | None = None,
    constituency: Territory = Territory.MAINLAND,
    body: str = PLAIN,
    **campaign: Any,
) -> Case:
    """An SMS sent at `local`, a naive time read in `territory`."""
    return Case(
        message=Message(
            sender="36111",
            body=body,
            send_at=local.replace(tzinfo=zone(territory)).astimezone(UTC),
        ),
        recipient=Recipient(
            number=number,
            relationship=Relationship.MEMBER,
            origin=Origin.PARTY_MEMBER_FILE,
            territory=recipient_territory,
        ),
        campaign=Campaign(
            sender_kind=campaign.pop("sender_kind", SenderKind.CANDIDATE),
            names=campaign.pop("names", ("Marie Dupont",)),
            election=Election(kind=kind, territory=constituency, rounds=rounds),
            **campaign,
        ),
    )


def _status(case: Case, rule_id: str) -> Status:
    return CHECKER.check(case).verdict(rule_id).status


# The calendar as data


def test_every_known_round_is_a_sunday_and_every_early_date_falls_before_it() -> None:
    for election in calendar().spec.elections:
        for round_ in election.rounds:
            assert round_.polling_date.weekday() == 6, (election.name, round_)
            for day in round_.territory_dates.values():
                assert day < round_.polling_date, (election.name, day)


def test_every_calendar_entry_cites_a_source_with_a_link_and_a_confidence() -> None:
    for entry in calendar_entries(None):
        assert entry["citation"]["link"].startswith("https://")
        assert entry["citation"]["confidence"] in {"read", "summary", "unverified"}


def test_only_national_elections_have_territories_voting_a_day_early() -> None:
    for kind in ElectionKind:
        assert bool(calendar().early_territories(kind)) is (kind in NATIONAL)


def test_a_territory_date_given_in_the_case_wins_over_the_calendar() -> None:
    given_date = date(2022, 4, 8)
    rounds = (
        Round(polling_date=date(2022, 4, 10), territory_dates={Territory.GUADELOUPE: given_date}),
    )
    election = Election(kind=ElectionKind.PRESIDENTIAL, rounds=rounds)
    assert list(polling_days(election, Territory.GUADELOUPE)) == [PollingDay(0, (given_date,))]


def test_the_calendar_knows_the_early_day_and_the_exceptions_of_known_elections() -> None:
    presidential = Election(kind=ElectionKind.PRESIDENTIAL, rounds=PRESIDENTIAL_2022)
    assert [d.dates for d in polling_days(presidential, Territory.GUADELOUPE)] == [
        (date(2022, 4, 9),),
        (date(2022, 4, 23),),
    ]
    assert [d.dates for d in polling_days(presidential, Territory.REUNION)] == [
        (date(2022, 4, 10),),
        (date(2022, 4, 24),),
    ]
    legislative = Election(
        kind=ElectionKind.LEGISLATIVE,
        rounds=(Round(polling_date=date(2022, 6, 12)), Round(polling_date=date(2022, 6, 19))),
    )
    assert [d.dates for d in polling_days(legislative, Territory.POLYNESIE_FRANCAISE)] == [
        (date(2022, 6, 4),),
        (date(2022, 6, 18),),
    ]


def test_an_unknown_national_election_leaves_the_early_territories_undecided() -> None:
    election = Election(kind=ElectionKind.PRESIDENTIAL, rounds=PRESIDENTIAL_2027)
    [day] = polling_days(election, Territory.MARTINIQUE)
    assert not day.known
    assert day.dates == (date(2027, 4, 10), date(2027, 4, 11))


def test_local_elections_vote_on_the_given_day_everywhere() -> None:
    election = Election(
        kind=ElectionKind.MUNICIPAL,
        territory=Territory.GUADELOUPE,
        rounds=(Round(polling_date=date(2030, 3, 17)),),
    )
    assert [d.dates for d in polling_days(election, Territory.GUADELOUPE)] == [(date(2030, 3, 17),)]


# The silence in the voter's territory


def test_unknown_election_friday_in_guadeloupe_is_review_naming_the_missing_date() -> None:
    case = _case(
        datetime(2027, 4, 9, 12, 0),
        Territory.GUADELOUPE,
        rounds=PRESIDENTIAL_2027,
        number="+590690123456",
    )
    verdict = CHECKER.check(case).verdict("CE-L49-01")
    assert verdict.status is Status.REVIEW
    assert "campaign.election.rounds[0].territory_dates.guadeloupe" in verdict.message


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2027, 4, 8, 23, 59), Status.PASS),  # Thursday: before either eve
        (datetime(2027, 4, 10, 12, 0), Status.FAIL),  # Saturday: silent whichever the day
        (datetime(2027, 4, 11, 19, 0), Status.REVIEW),  # Sunday: silent only if voting Sunday
        (datetime(2027, 4, 11, 20, 0), Status.PASS),  # after the latest close
    ],
)
def test_unknown_election_in_an_early_territory_fails_only_where_both_days_agree(
    local: datetime, expected: Status
) -> None:
    case = _case(local, Territory.GUADELOUPE, rounds=PRESIDENTIAL_2027, number="+590690123456")
    assert _status(case, "CE-L49-01") is expected


def test_a_given_territory_date_settles_an_unknown_election() -> None:
    rounds = (
        Round(
            polling_date=date(2027, 4, 11),
            territory_dates={Territory.GUADELOUPE: date(2027, 4, 10)},
        ),
    )
    case = _case(
        datetime(2027, 4, 9, 12, 0), Territory.GUADELOUPE, rounds=rounds, number="+590690123456"
    )
    assert _status(case, "CE-L49-01") is Status.FAIL


def test_the_recipient_override_places_a_mainland_number_in_its_territory() -> None:
    # Friday 12:00 in Guadeloupe is Friday 18:00 in Paris: silent only where the vote is Saturday.
    friday = datetime(2022, 4, 8, 12, 0)
    mainland_number = _case(friday, Territory.GUADELOUPE)
    lives_in_guadeloupe = _case(
        friday, Territory.GUADELOUPE, recipient_territory=Territory.GUADELOUPE
    )
    assert _status(mainland_number, "CE-L49-01") is Status.PASS
    assert _status(lives_in_guadeloupe, "CE-L49-01") is Status.FAIL


def test_a_local_election_keeps_the_constituencys_clock_whatever_the_number() -> None:
    # Saturday 00:30 in Nouméa is Friday 14:30 in Paris: a Lyon municipal campaign is not silent.
    rounds = (Round(polling_date=date(2026, 3, 15)),)
    case = _case(
        datetime(2026, 3, 14, 0, 30),
        Territory.NOUVELLE_CALEDONIE,
        kind=ElectionKind.MUNICIPAL,
        rounds=rounds,
        number="+687751234",
    )
    assert _status(case, "CE-L49-01") is Status.PASS


def test_the_silence_reason_cites_electronic_propaganda_read_with_l48_1_not_serial_calls() -> None:
    case = _case(datetime(2022, 4, 9, 10, 0), Territory.MAINLAND)
    verdict = CHECKER.check(case).verdict("CE-L49-01")
    assert verdict.status is Status.FAIL
    assert "L48-1" in verdict.message and "L48-1" in verdict.citation.title
    assert "appels" in verdict.citation.reference


# When the polls close


def test_every_kind_of_public_election_has_closing_hours_from_a_cited_source() -> None:
    for kind in ElectionKind:
        hours = calendar().kind_hours(kind)
        assert (hours is None) is (kind is ElectionKind.PRIMARY), kind
        if hours is not None:
            assert hours.earliest <= hours.latest
            assert calendar().citation(hours.source).link.startswith("https://")


def test_a_known_decree_sets_the_closing_hours_and_other_rounds_take_their_kinds() -> None:
    presidential = polls_closing(
        Election(kind=ElectionKind.PRESIDENTIAL, rounds=PRESIDENTIAL_2022), 1
    )
    assert presidential.hours == Hours(earliest=time(19, 0), latest=time(20, 0))
    assert presidential.set_by == "decree" and "2022" in presidential.decree
    municipal = polls_closing(Election(kind=ElectionKind.MUNICIPAL, rounds=MUNICIPAL_2026), 0)
    assert municipal.hours == Hours(earliest=time(18, 0), latest=time(20, 0))
    assert municipal.set_by == "kind" and municipal.article is not None
    assert municipal.article.fr == "Code électoral, R41"


def test_a_close_given_in_the_case_wins_over_the_decree() -> None:
    rounds = (Round(polling_date=date(2022, 4, 10), polls_close=time(20, 0)),)
    closing = polls_closing(Election(kind=ElectionKind.PRESIDENTIAL, rounds=rounds), 0)
    assert closing.hours == Hours(earliest=time(20, 0), latest=time(20, 0))
    assert closing.set_by == "case"


def test_a_kind_without_closing_hours_leaves_the_whole_polling_day_open() -> None:
    rounds = (Round(polling_date=date(2026, 3, 15)),)
    closing = polls_closing(Election(kind=ElectionKind.PRIMARY, rounds=rounds), 0)
    assert closing.hours == Hours(earliest=time(0), latest=time.max)
    assert closing.set_by == "unknown"


def test_a_polls_close_with_a_utc_offset_is_an_input_error() -> None:
    with pytest.raises(ValueError, match="local time"):
        Round(polling_date=date(2026, 3, 15), polls_close="19:00+01:00")


def _municipal(local: datetime, rounds: tuple[Round, ...] = MUNICIPAL_2026) -> Case:
    return _case(local, Territory.MAINLAND, kind=ElectionKind.MUNICIPAL, rounds=rounds)


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        (time(17, 59), Status.FAIL),  # before R41's close: the polls are open everywhere
        (time(18, 0), Status.REVIEW),  # closed, unless the prefect pushed the close back
        (time(19, 59), Status.REVIEW),
        (time(20, 0), Status.PASS),  # no poll is open after 20:00
    ],
)
def test_a_municipal_polling_day_send_is_reviewed_between_the_earliest_and_latest_close(
    clock: time, expected: Status
) -> None:
    assert _status(_municipal(datetime.combine(date(2026, 3, 15), clock)), "CE-L49-01") is expected


def test_the_closing_review_names_both_hours_their_source_and_the_field_to_fill() -> None:
    case = _municipal(datetime(2026, 3, 22, 19, 0))
    for lang in ("fr", "en"):
        verdict = Checker(lang=lang).check(case).verdict("CE-L49-01")
        assert verdict.status is Status.REVIEW
        assert "18:00" in verdict.message and "20:00" in verdict.message
        assert "R41" in verdict.message
        assert "campaign.election.rounds[1].polls_close" in verdict.message


def test_a_given_close_turns_the_review_into_a_pass_after_it_and_a_fail_before_it() -> None:
    rounds = (Round(polling_date=date(2026, 3, 15), polls_close=time(19, 0)),)
    assert _status(_municipal(datetime(2026, 3, 15, 19, 30), rounds), "CE-L49-01") is Status.PASS
    assert _status(_municipal(datetime(2026, 3, 15, 18, 59), rounds), "CE-L49-01") is Status.FAIL


@pytest.mark.parametrize(
    ("clock", "expected"),
    [(time(18, 30), Status.FAIL), (time(19, 30), Status.REVIEW), (time(20, 0), Status.PASS)],
)
def test_the_2022_presidential_decree_closes_the_polls_at_19_and_20_at_the_latest(
    clock: time, expected: Status
) -> None:
    case = _case(datetime.combine(date(2022, 4, 24), clock), Territory.MAINLAND)
    verdict = CHECKER.check(case).verdict("CE-L49-01")
    assert verdict.status is expected
    if expected is not Status.PASS:
        assert "19:00" in verdict.message and "Élection présidentielle 2022" in verdict.message


def test_a_saturday_vote_overseas_closes_by_the_decree_in_local_time() -> None:
    # Saturday 9 April 2022, 19:30 in Guadeloupe: after 19:00, before 20:00 there.
    case = _case(datetime(2022, 4, 9, 19, 30), Territory.GUADELOUPE, number="+590690123456")
    assert _status(case, "CE-L49-01") is Status.REVIEW


def test_an_unknown_election_in_an_early_territory_names_the_date_and_the_close_to_fill() -> None:
    case = _case(
        datetime(2027, 4, 11, 19, 0),
        Territory.GUADELOUPE,
        rounds=PRESIDENTIAL_2027,
        number="+590690123456",
    )
    verdict = CHECKER.check(case).verdict("CE-L49-01")
    assert verdict.status is Status.REVIEW
    assert "rounds[0].territory_dates.guadeloupe" in verdict.message
    assert "rounds[0].polls_close" in verdict.message


@pytest.mark.parametrize(
    ("kind", "clock", "expected"),
    [
        (ElectionKind.REFERENDUM, time(21, 0), Status.REVIEW),  # 22:00 at the latest in 2005
        (ElectionKind.REFERENDUM, time(22, 0), Status.PASS),
        (ElectionKind.SENATORIAL, time(10, 59), Status.FAIL),  # before the first ballot ends
        (ElectionKind.SENATORIAL, time(15, 0), Status.REVIEW),  # a second ballot may be on
        (ElectionKind.SENATORIAL, time(17, 30), Status.PASS),
    ],
)
def test_referendum_and_senatorial_votes_keep_their_own_closing_hours(
    kind: ElectionKind, clock: time, expected: Status
) -> None:
    rounds = (Round(polling_date=date(2029, 9, 23)),)
    case = _case(
        datetime.combine(date(2029, 9, 23), clock), Territory.MAINLAND, kind=kind, rounds=rounds
    )
    assert _status(case, "CE-L49-01") is expected


@given(close=st.times(), sent=st.times())
def test_a_given_polls_close_never_lets_a_send_before_it_pass(close: time, sent: time) -> None:
    rounds = (Round(polling_date=date(2026, 3, 15), polls_close=close),)
    status = _status(_municipal(datetime.combine(date(2026, 3, 15), sent), rounds), "CE-L49-01")
    assert status is (Status.FAIL if sent < close else Status.PASS)


# L48-2 on content


def test_an_accusation_on_the_thursday_before_the_vote_needs_review_with_evidence() -> None:
    body = "Marie Dupont : le maire sortant vient d'être mis en examen. Votez ! STOP au 36111"
    case = _case(datetime(2022, 4, 7, 12, 0), Territory.MAINLAND, body=body)
    verdict = CHECKER.check(case).verdict("CE-L48-2-01")
    assert verdict.status is Status.REVIEW
    assert [span.text for span in verdict.evidence] == ["mis en examen"]


def test_a_declared_opponent_named_in_the_last_days_needs_review() -> None:
    body = "Marie Dupont, pas Paul Durand : dimanche, votez ! STOP au 36111"
    named = _case(
        datetime(2022, 4, 8, 12, 0), Territory.MAINLAND, body=body, opponents=("Paul Durand",)
    )
    undeclared = _case(datetime(2022, 4, 8, 12, 0), Territory.MAINLAND, body=body)
    assert _status(named, "CE-L48-2-01") is Status.REVIEW
    assert _status(undeclared, "CE-L48-2-01") is Status.PASS


def test_a_blank_opponent_name_is_no_sign_of_controversy() -> None:
    case = _case(datetime(2022, 4, 8, 12, 0), Territory.MAINLAND, opponents=("  ",))
    assert _status(case, "CE-L48-2-01") is Status.PASS


def test_a_plain_get_out_the_vote_message_on_friday_passes() -> None:
    assert (
        _status(_case(datetime(2022, 4, 8, 18, 0), Territory.MAINLAND), "CE-L48-2-01")
        is Status.PASS
    )


@given(days_before=st.integers(min_value=4, max_value=60), hour=st.integers(0, 23))
def test_an_accusation_before_the_window_is_not_the_last_minute(
    days_before: int, hour: int
) -> None:
    body = "Marie Dupont : scandale, le maire est accusé de fraude. STOP au 36111"
    sent = datetime.combine(date(2022, 4, 10) - timedelta(days=days_before), time(hour))
    case = _case(sent, Territory.MAINLAND, body=body)
    assert _status(case, "CE-L48-2-01") is Status.PASS


# L52-8 for every legal person


@pytest.mark.parametrize("kind", list(ProviderKind))
def test_a_free_sending_service_fails_exactly_when_a_barred_legal_person_gives_it(
    kind: ProviderKind,
) -> None:
    provider = Provider(name="X", kind=kind, supplies="sending_service", paid_at_market_price=False)
    case = _case(datetime(2022, 3, 1, 10, 0), Territory.MAINLAND, providers=(provider,))
    barred = kind not in {
        ProviderKind.PARTY,
        ProviderKind.POLITICAL_GROUP,
        ProviderKind.CANDIDATE,
        ProviderKind.COMMITTEE,
        ProviderKind.INDIVIDUAL,
    }
    assert _status(case, "CE-L52-8-01") is (Status.FAIL if barred else Status.PASS)
    paid = provider.model_copy(update={"paid_at_market_price": True})
    paid_case = _case(datetime(2022, 3, 1, 10, 0), Territory.MAINLAND, providers=(paid,))
    assert _status(paid_case, "CE-L52-8-01") is Status.PASS


def test_a_provider_kind_outside_the_enumeration_is_an_input_error() -> None:
    with pytest.raises(ValueError, match="kind"):
        Provider(name="X", kind="town hall", supplies="file")


# L52-1 al. 2


def _town_hall(body: str, sent: datetime) -> Case:
    return _case(
        sent,
        Territory.MAINLAND,
        kind=ElectionKind.MUNICIPAL,
        rounds=(Round(polling_date=date(2026, 3, 15)),),
        body=body,
        sender_kind=SenderKind.LOCAL_AUTHORITY,
        names=("Ville de Lyon",),
    )


def test_a_town_halls_neutral_notice_inside_the_period_passes() -> None:
    body = "Ville de Lyon : travaux rue Victor-Hugo du 3 au 7 novembre, circulation déviée. STOP au 36111"
    assert _status(_town_hall(body, datetime(2025, 11, 1, 10, 0)), "CE-L52-1-01") is Status.PASS


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (datetime(2025, 8, 31, 23, 0), Status.PASS),
        (datetime(2025, 9, 1, 0, 0), Status.FAIL),
        (datetime(2026, 3, 15, 10, 0), Status.FAIL),
    ],
)
def test_a_town_halls_record_fails_from_the_first_day_of_the_sixth_month_before(
    sent: datetime, expected: Status
) -> None:
    body = "Ville de Lyon : promesses tenues, nous avons rénové 12 écoles. STOP au 36111"
    assert _status(_town_hall(body, sent), "CE-L52-1-01") is expected


def test_a_candidates_record_is_not_a_local_authoritys_promotion() -> None:
    body = "Marie Dupont : nous avons rénové 12 écoles, votez pour notre bilan ! STOP au 36111"
    case = _case(
        datetime(2025, 11, 1, 10, 0),
        Territory.MAINLAND,
        kind=ElectionKind.MUNICIPAL,
        rounds=(Round(polling_date=date(2026, 3, 15)),),
        body=body,
    )
    assert _status(case, "CE-L52-1-01") is Status.NOT_APPLICABLE


# L50-1 before February 2021


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (datetime(2013, 8, 31, 10, 0), Status.NOT_APPLICABLE),
        (datetime(2013, 11, 30, 10, 0), Status.REVIEW),
        (datetime(2013, 12, 1, 10, 0), Status.FAIL),
    ],
)
def test_before_2021_only_three_months_of_the_freephone_ban_are_certain(
    sent: datetime, expected: Status
) -> None:
    body = "Marie Dupont : appelez le 0 800 12 34 56. STOP au 36111"
    case = _case(
        sent,
        Territory.MAINLAND,
        kind=ElectionKind.MUNICIPAL,
        rounds=(Round(polling_date=date(2014, 3, 23)),),
        body=body,
    )
    assert _status(case, "CE-L50-1-02") is expected


# The af2m charters and the recipient's clock


def test_sending_hours_follow_the_recipient_override() -> None:
    # 21:00 in Paris is 23:00 in Réunion in March (UTC+4).
    sent = datetime(2026, 3, 3, 21, 0)
    in_paris = _case(
        sent,
        Territory.MAINLAND,
        kind=ElectionKind.MUNICIPAL,
        rounds=(Round(polling_date=date(2026, 3, 15)),),
    )
    in_reunion = _case(
        sent,
        Territory.MAINLAND,
        kind=ElectionKind.MUNICIPAL,
        rounds=(Round(polling_date=date(2026, 3, 15)),),
        recipient_territory=Territory.REUNION,
    )
    assert _status(in_paris, "SMS-HRS-01") is Status.PASS
    assert _status(in_reunion, "SMS-HRS-01") is Status.WARN


def test_each_af2m_charter_rule_cites_its_own_edition() -> None:
    rules = {rule.id: rule for pack in shipped_packs() for rule in pack.rules}
    assert rules["SMS-HRS-01"].valid_from == date(2026, 2, 17)
    assert rules["SMS-HRS-02"].valid_until == date(2026, 2, 16)
    assert "2026" in rules["SMS-HRS-01"].citation.title
    assert "2024" in rules["SMS-HRS-02"].citation.title


# `smscheck rules --at DATE`


def test_the_catalogue_at_a_date_lists_the_calendar_entries_then_in_force() -> None:
    text = render(shipped_packs(), "text", "fr", at=date(2026, 3, 1))
    assert "Élections municipales 2026" in text
    assert "Élection présidentielle 2022" not in text
    assert "vote a day early in guadeloupe" in text
    everything = render(shipped_packs(), "text", "fr")
    assert "Élection présidentielle 2022" in everything


def test_the_catalogue_at_a_date_shows_the_closing_hours_in_force() -> None:
    text = render(shipped_packs(), "text", "fr", at=date(2022, 4, 1))
    assert (
        "presidential/european: polls close at 18:00 at the earliest, 20:00 at the latest" in text
    )
    assert "2022-04-24; polls close at 19:00 at the earliest, 20:00 at the latest" in text
    closes = [e for e in calendar_entries(date(2022, 4, 1)) if e["entry"] == "polls_close"]
    assert {kind for entry in closes for kind in entry["kinds"]} == {
        kind.value for kind in ElectionKind if kind is not ElectionKind.PRIMARY
    }
