"""Rules are resolved at the send date, and the electoral silence is read in local time."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from smscheck import Checker
from smscheck.inputs import case_from
from smscheck.models import (
    Campaign,
    Case,
    Election,
    ElectionKind,
    Message,
    Origin,
    Recipient,
    Relationship,
    Round,
    SenderKind,
    Territory,
)
from smscheck.territories import zone
from smscheck.verdicts import Report, Status
from tests.conftest import ROOT, load_seed

CHECKER = Checker()
CURRENT_PACKS = {"cnil-2012", "gdpr", "code-electoral", "sms-industry"}


def _check(seed: dict[str, Any]) -> Report:
    return CHECKER.check(case_from(seed))


def _case_a_in(year_2026: bool, *, body: str | None = None, sender: str = "UMP") -> Report:
    seed = load_seed("2026-ump-case-a-message.json" if year_2026 else "2011-ump-cantonales.json")
    message = seed["case"]["message"]
    if body is not None:
        message["body"] = body
    message["sender"] = sender
    return _check(seed)


def _statuses(report: Report) -> dict[str, Status]:
    return {verdict.rule_id: verdict.status for verdict in report.verdicts}


# --- which packs judge which date -------------------------------------------------------------


def test_case_a_in_2011_is_judged_by_the_2006_pack_alone() -> None:
    report = _case_a_in(year_2026=False)
    # The SMS format pack is arithmetic and operator practice, the same in every period.
    assert {ref.name for ref in report.packs} == {"cnil-2006", "sms-format"}
    assert report.resolved_at == date(2011, 3, 25)
    assert all(rule_id.startswith(("CNIL06-", "FMT-")) for rule_id in _statuses(report))


def test_case_a_dated_2026_is_judged_by_the_current_packs_not_the_2006_one() -> None:
    report = _case_a_in(year_2026=True)
    packs = {ref.name for ref in report.packs}
    assert packs >= CURRENT_PACKS
    assert "cnil-2006" not in packs
    assert not any(rule_id.startswith("CNIL06-") for rule_id in _statuses(report))


def test_case_a_gets_different_verdicts_in_2011_and_2026_where_the_rules_differ() -> None:
    old, new = _statuses(_case_a_in(year_2026=False)), _statuses(_case_a_in(year_2026=True))
    # 2006: the CNIL advised against political SMS as such; no such rule since 2012.
    assert old["CNIL06-SMS-01"] is Status.WARN
    # Since the GDPR: purpose and rights are owed (in short form or by a link); 2006 had no rule.
    assert new["GDPR-INF-01"] is Status.FAIL
    assert new["GDPR-INF-02"] is Status.FAIL
    # Since 2012 the last campaign days are read for a new controversy (L48-2); case A is a
    # plain call to vote, so it passes, where 2006 had no such rule.
    assert new["CE-L48-2-01"] is Status.PASS
    assert "CE-L48-2-01" not in old
    # The same facts stay wrong under both regimes.
    assert old["CNIL06-OPT-01"] is new["CNIL12-OPT-01"] is Status.FAIL
    assert old["CNIL06-CON-01"] is new["CNIL12-CON-01"] is Status.REVIEW


def test_an_unsigned_text_from_a_named_sender_passed_in_2011_and_fails_since_2012() -> None:
    body = "Ce dimanche, chaque voix compte : votez ! STOP au 36111"
    old = _statuses(_case_a_in(year_2026=False, body=body))
    new = _statuses(_case_a_in(year_2026=True, body=body))
    assert old["CNIL06-ID-01"] is Status.PASS  # the sender field sufficed
    assert new["CNIL12-ID-01"] is Status.FAIL  # the text itself must name the sender


def test_reply_stop_from_an_alphanumeric_sender_passed_in_2011_and_fails_since_2012() -> None:
    body = "Chers amis, votez UMP ! Jean-François Copé. Répondez STOP pour ne plus recevoir."
    old = _statuses(_case_a_in(year_2026=False, body=body))
    new = _statuses(_case_a_in(year_2026=True, body=body))
    assert old["CNIL06-OPT-01"] is Status.PASS  # 2006 asked only for a way to stop
    assert new["CNIL12-OPT-01"] is Status.FAIL  # UMP cannot receive the reply


def test_rules_in_force_in_march_2011_and_march_2026_differ() -> None:
    in_2011 = {rule.id for rule in CHECKER.rules_at(date(2011, 3, 25))}
    in_2026 = {rule.id for rule in CHECKER.rules_at(date(2026, 3, 14))}
    assert {"CNIL06-ID-01", "CNIL06-SMS-01"} <= in_2011
    assert {"CNIL12-ID-01", "GDPR-INF-01", "CE-L49-01", "SMS-HRS-01"} <= in_2026
    assert {rule_id for rule_id in in_2011 & in_2026 if not rule_id.startswith("FMT-")} == set()


@pytest.mark.parametrize(
    ("before", "after", "ending", "starting"),
    [
        (date(2012, 1, 25), date(2012, 1, 26), "CNIL06-CON-01", "CNIL12-CON-01"),
        (date(2018, 5, 24), date(2018, 5, 25), "CNIL12-OPT-02", "GDPR-OBJ-01"),
        (date(2018, 5, 24), date(2018, 5, 25), "CNIL12-INF-01", "GDPR-INF-03"),
        (date(2020, 6, 29), date(2020, 6, 30), "CE-L49-02", "CE-L49-01"),
        (date(2024, 8, 31), date(2024, 9, 1), None, "SMS-HRS-02"),
        (date(2026, 2, 16), date(2026, 2, 17), "SMS-HRS-02", "SMS-HRS-01"),
        (date(2021, 1, 31), date(2021, 2, 1), "CE-L50-1-02", "CE-L50-1-01"),
    ],
)
def test_a_rule_that_replaces_another_takes_over_the_next_day_without_overlap(
    before: date, after: date, ending: str | None, starting: str
) -> None:
    on_before = {rule.id for rule in CHECKER.rules_at(before)}
    on_after = {rule.id for rule in CHECKER.rules_at(after)}
    assert starting not in on_before and starting in on_after
    if ending is not None:
        assert ending in on_before and ending not in on_after


def _named_checks() -> dict[str, str]:
    """Rule id -> named check, for the rules of the packs of 2012 to today."""
    found: dict[str, str] = {}
    for pack in sorted(CURRENT_PACKS):
        raw = tomllib.loads((ROOT / "rules" / pack / "pack.toml").read_text(encoding="utf-8"))
        for rule in raw["rules"]:
            if rule["kind"] == "check":
                found[rule["id"]] = rule["params"]["name"]
    return found


# The one named check that several rules in force on one day use for different facts: each rule
# asks for a different piece of information (purpose, rights, source) with its own wording.
SHARED_CHECKS = {"information.owed_to_recipient"}


@pytest.mark.parametrize(
    "day",
    [date(2012, 1, 26), date(2018, 5, 24), date(2018, 5, 25), date(2020, 6, 30), date(2026, 3, 14)],
)
def test_no_two_rules_in_force_on_one_day_run_the_same_check(day: date) -> None:
    named = _named_checks()
    in_force = [named[rule.id] for rule in CHECKER.rules_at(day) if rule.id in named]
    repeated = {name for name in in_force if in_force.count(name) > 1} - SHARED_CHECKS
    assert repeated == set()


# --- local time at the edges of the silence ---------------------------------------------------

SUNDAY = date(2027, 4, 11)
SATURDAY = SUNDAY - timedelta(days=1)
# Territories of the Americas and French Polynesia vote on Saturday in national elections.
VOTES_ON_SATURDAY = {
    Territory.GUADELOUPE: SATURDAY,
    Territory.MARTINIQUE: SATURDAY,
    Territory.GUYANE: SATURDAY,
    Territory.POLYNESIE_FRANCAISE: SATURDAY,
}
TERRITORIES = [
    Territory.MAINLAND,
    Territory.REUNION,
    Territory.GUADELOUPE,
    Territory.MARTINIQUE,
    Territory.GUYANE,
    Territory.MAYOTTE,
    Territory.NOUVELLE_CALEDONIE,
    Territory.POLYNESIE_FRANCAISE,
]
# (name, days after the local eve, local clock time, expected L49 verdict)
EDGES = [
    ("one second before 00:00 on the eve", -1, time(23, 59, 59), Status.PASS),
    ("00:00 on the eve", 0, time(0, 0), Status.FAIL),
    ("17:59 on polling day", 1, time(17, 59), Status.FAIL),
    # After R41's 18:00 close, before the latest close a prefect may set: the close is not given.
    ("19:59 on polling day", 1, time(19, 59), Status.REVIEW),
    ("20:00 on polling day", 1, time(20, 0), Status.PASS),
]


def _silence_case(territory: Territory, local: datetime) -> Case:
    """A presidential-election SMS to a member living in `territory`, sent at `local` (naive,
    that territory's time): in a countrywide election the voter's territory counts."""
    sent = local.replace(tzinfo=zone(territory)).astimezone(UTC)
    return Case(
        message=Message(
            sender="36111",
            body="Marie Dupont : votez dimanche ! STOP au 36111",
            send_at=sent,
        ),
        recipient=Recipient(
            number="+33612345678",
            relationship=Relationship.MEMBER,
            origin=Origin.PARTY_MEMBER_FILE,
            territory=territory,
        ),
        campaign=Campaign(
            sender_kind=SenderKind.CANDIDATE,
            names=("Marie Dupont",),
            election=Election(
                kind=ElectionKind.PRESIDENTIAL,
                territory=territory,
                rounds=(Round(polling_date=SUNDAY, territory_dates=VOTES_ON_SATURDAY),),
            ),
        ),
    )


@pytest.mark.parametrize(("edge", "offset", "clock", "expected"), EDGES, ids=[e[0] for e in EDGES])
@pytest.mark.parametrize("territory", TERRITORIES, ids=[t.value for t in TERRITORIES])
def test_silence_starts_at_midnight_on_the_local_eve_and_ends_by_20h_local_on_polling_day(
    territory: Territory, edge: str, offset: int, clock: time, expected: Status
) -> None:
    polling = VOTES_ON_SATURDAY.get(territory, SUNDAY)
    eve = polling - timedelta(days=1)
    local = datetime.combine(eve + timedelta(days=offset), clock)
    report = CHECKER.check(_silence_case(territory, local))
    assert report.verdict("CE-L49-01").status is expected, (
        edge,
        local,
        report.verdict("CE-L49-01"),
    )


def test_a_territory_voting_on_saturday_is_silent_on_friday_while_the_mainland_is_not() -> None:
    friday_noon = datetime.combine(SATURDAY - timedelta(days=1), time(12, 0))
    guadeloupe = CHECKER.check(_silence_case(Territory.GUADELOUPE, friday_noon))
    mainland = CHECKER.check(_silence_case(Territory.MAINLAND, friday_noon))
    assert guadeloupe.verdict("CE-L49-01").status is Status.FAIL
    assert mainland.verdict("CE-L49-01").status is Status.PASS


def test_the_same_instant_is_in_the_silence_in_noumea_and_not_in_paris() -> None:
    # Friday 22:00 in Paris is Saturday 07:00 in Nouméa (UTC+11).
    instant = datetime(2027, 4, 9, 20, 0, tzinfo=UTC)
    paris = _silence_case(
        Territory.MAINLAND, instant.astimezone(zone(Territory.MAINLAND)).replace(tzinfo=None)
    )
    noumea = _silence_case(
        Territory.NOUVELLE_CALEDONIE,
        instant.astimezone(zone(Territory.NOUVELLE_CALEDONIE)).replace(tzinfo=None),
    )
    assert paris.message.send_at == noumea.message.send_at
    assert CHECKER.check(paris).verdict("CE-L49-01").status is Status.PASS
    assert CHECKER.check(noumea).verdict("CE-L49-01").status is Status.FAIL


def test_silence_on_the_night_clocks_change_counts_20h_in_summer_time() -> None:
    # Mainland clocks go forward at 02:00 on Sunday 29 March 2026; a vote that day closes at
    # 20:00 CEST (18:00 UTC) at the latest: read in CET, 18:00 UTC would still be polling time.
    rounds = (Round(polling_date=date(2026, 3, 29)),)
    case = _silence_case(Territory.MAINLAND, datetime(2026, 3, 29, 19, 59))
    case = case.model_copy(
        update={
            "campaign": case.campaign.model_copy(
                update={"election": case.campaign.election.model_copy(update={"rounds": rounds})}
            )
        }
    )
    assert case.message.send_at == datetime(2026, 3, 29, 17, 59, tzinfo=UTC)
    assert CHECKER.check(case).verdict("CE-L49-01").status is Status.REVIEW  # close not given
    after = case.model_copy(
        update={
            "message": case.message.model_copy(
                update={"send_at": datetime(2026, 3, 29, 18, 0, tzinfo=UTC)}
            )
        }
    )
    assert CHECKER.check(after).verdict("CE-L49-01").status is Status.PASS


def test_the_code_electoral_silence_does_not_apply_to_a_party_primary() -> None:
    local = datetime.combine(SATURDAY, time(10, 0))
    case = _silence_case(Territory.MAINLAND, local)
    election = case.campaign.election.model_copy(update={"kind": ElectionKind.PRIMARY})
    primary = case.model_copy(
        update={"campaign": case.campaign.model_copy(update={"election": election})}
    )
    assert CHECKER.check(case).verdict("CE-L49-01").status is Status.FAIL
    assert CHECKER.check(primary).verdict("CE-L49-01").status is Status.NOT_APPLICABLE
