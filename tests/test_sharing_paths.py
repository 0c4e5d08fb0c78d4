"""Shared checkers give each case the report a fresh checker gives it on the paths that reading
consent records field by field and settling verdicts per message opened: consent fields,
`when` conditions on them, templates, histories."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smscheck
from smscheck import Case, Checker
from smscheck.models import (
    Campaign,
    Channel,
    Consent,
    ConsentGivenTo,
    ConsentScope,
    Election,
    ElectionKind,
    Message,
    PastMessage,
    Purpose,
    Recipient,
    Round,
    SenderKind,
    Territory,
)
from smscheck.packs import load_pack
from tests.test_sharing import _case
from tests.test_sharing import recipients as sharing_recipients

PACK = load_pack(Path(__file__).parent / "data" / "consent_paths_pack" / "pack.toml")
NAMES = ["Marie Dupont", "Ensemble pour Lyon", "Paul Martin"]
COLLECTORS = ["Marie Dupont", "marie-dupont", "Agence Data", "Paul Martin", "Ensemble pour Lyon"]
NUMBERS = [
    "06 12 34 56 78",
    "+33 7 81 22 33 44",
    "0692 12 34 56",
    "+590 690 12 34 56",
    "+687 75 12 34",
    "+32 470 12 34 56",
    "06 99 88 77 66",
]
OFFSETS = [
    UTC,
    timezone(timedelta(hours=1)),
    timezone(timedelta(hours=4)),
    timezone(timedelta(hours=-4)),
    timezone(timedelta(hours=11)),
]
BODIES = [
    "Marie Dupont vous invite samedi au marché. STOP au 36111",
    "Votez Ensemble pour Lyon dimanche ! Vos données : https://exemple.fr/donnees. STOP au 36111",
    "Paul Martin vous recommande Marie Dupont. Vos coordonnées proviennent de Paul Martin. STOP 36111",
    "Bonjour, dernier appel : le candidat adverse a menti hier ! STOP au 36111",
    "Consentez-vous à recevoir nos messages ? Répondez OUI. Ensemble pour Lyon",
]


consents = st.none() | st.builds(
    Consent,
    given_on=st.sampled_from(
        [date(2011, 5, 1), date(2019, 1, 1), date(2025, 1, 1), date(2026, 3, 1)]
    ),
    scope=st.sampled_from(ConsentScope),
    collected_by=st.sampled_from(COLLECTORS),
    given_to=st.none() | st.sampled_from(ConsentGivenTo),
    proof=st.none() | st.sampled_from(["formulaire 12", "OUI 06 12 34 56 78"]),
    told_political_use=st.none() | st.booleans(),
)


def recipients() -> st.SearchStrategy[Recipient]:
    """test_sharing's recipients, with consents and histories near the paths opened here."""
    return sharing_recipients(
        consents=consents,
        past_messages=st.builds(
            PastMessage,
            sent_at=st.sampled_from(
                [datetime(2026, 3, 1, 23, 30), datetime(2026, 3, 14, 22, 0)]
            ).flatmap(lambda m: st.sampled_from(OFFSETS).map(lambda z: m.replace(tzinfo=z))),
            channel=st.sampled_from(Channel),
            purpose=st.sampled_from(Purpose),
        ),
        referrers=st.none() | st.sampled_from(["Paul Martin", "Jean Valjean"]),
    )


@st.composite
def campaigns(draw: st.DrawFn) -> Campaign:
    polling = draw(st.sampled_from([date(2026, 3, 15), date(2014, 3, 23), date(2017, 6, 11)]))
    return Campaign(
        sender_kind=draw(st.sampled_from(SenderKind)),
        names=tuple(draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=2, unique=True))),
        election=Election(
            kind=draw(st.sampled_from([k for k in ElectionKind if k is not ElectionKind.PRIMARY])),
            territory=draw(st.sampled_from(Territory)),
            rounds=(Round(polling_date=polling), Round(polling_date=polling + timedelta(days=7))),
        ),
        info_notice_url=draw(st.none() | st.just("https://exemple.fr/donnees")),
    )


@st.composite
def sends(draw: st.DrawFn) -> list[Case]:
    cases = []
    for _ in range(draw(st.integers(1, 2))):
        campaign = draw(campaigns())
        polling = campaign.election.rounds[0].polling_date
        messages = []
        for _ in range(draw(st.integers(1, 3))):
            day = polling - timedelta(days=draw(st.integers(-1, 3)))
            hour = draw(st.sampled_from([0, 7, 10, 19, 20, 21, 23]))
            zone = draw(st.sampled_from(OFFSETS))
            messages.append(
                Message(
                    sender=draw(st.sampled_from(["36111", "MDupont"])),
                    body=draw(st.sampled_from(BODIES)),
                    send_at=datetime(day.year, day.month, day.day, hour, 30, tzinfo=zone),
                    channel=draw(st.sampled_from([Channel.SMS, Channel.SMS, Channel.EMAIL])),
                    purpose=draw(st.sampled_from(Purpose)),
                )
            )
        for person in draw(st.lists(recipients(), min_size=2, max_size=10)):
            cases.append(
                Case(message=draw(st.sampled_from(messages)), recipient=person, campaign=campaign)
            )
    return cases


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(sends(), st.sets(st.sampled_from(NUMBERS), max_size=2), st.booleans())
def test_shared_checker_equals_fresh_checker(
    cases: list[Case], suppressed: set[str], templated: bool
) -> None:
    shared = Checker(extra=[PACK], suppressed=suppressed)
    for case in cases + cases[::-1]:
        template = None
        fresh = Checker(extra=[PACK], suppressed=suppressed)
        if templated:
            template = shared.check_template(case.message, case.campaign, source="t")
            alone_template = fresh.check_template(case.message, case.campaign, source="t")
            assert template.model_dump_json() == alone_template.model_dump_json()
        got = shared.check(case, template=template)
        alone = fresh.check(case, template=None if template is None else alone_template)
        assert got.model_dump_json() == alone.model_dump_json()
        # the module-level function with its kept checker
        kept = smscheck.check(case, extra=[PACK], suppressed=suppressed)
        assert (
            kept.model_dump_json()
            == Checker(extra=[PACK], suppressed=suppressed).check(case).model_dump_json()
        )


def _plain(**recipient: object) -> Case:
    return _case("Marie Dupont vous invite samedi au marché.", **recipient)  # no opt-out: fails


def test_check_reads_suppressed_numbers_given_as_an_iterator() -> None:
    case = _plain(relationship="member", origin="party_member_file")
    report = smscheck.check(case, suppressed=(n for n in ["06 12 34 56 78"]))
    assert report.verdict("GDPR-OBJ-01").status is smscheck.Status.FAIL
    again = smscheck.check(case, suppressed=iter(["06 12 34 56 78"]))
    assert again.verdict("GDPR-OBJ-01").status is smscheck.Status.FAIL


def test_a_rule_another_thread_fixes_meanwhile_is_not_left_out() -> None:
    """Two threads checking cases of one new batch: between this case's reading of the batch's
    open rules and of their fixed verdicts, the other fixes some (simulated in-thread)."""
    first = _plain(relationship="member", origin="party_member_file")
    second = _plain(relationship="member", origin="party_member_file", number="07 81 22 33 44")
    checker = Checker()
    batch = checker._batch(second)
    interleaved = []

    class Interleaved(list):  # type: ignore[type-arg]
        """The batch's fixed verdicts; the first read of them lets the other thread run."""

        armed = True

        def _other_thread(self) -> None:
            if Interleaved.armed:
                Interleaved.armed = False
                still_open = len(batch.open)
                checker.check(first)  # the other thread, at this very point
                interleaved.append(still_open - len(batch.open))

        def __iter__(self):  # type: ignore[no-untyped-def]
            snapshot = list(list.__iter__(self))  # what this case reads, before the other runs
            self._other_thread()
            return iter(snapshot)

        def __getitem__(self, index):  # type: ignore[no-untyped-def]
            self._other_thread()
            return list.__getitem__(self, index)

    batch.fixed = Interleaved(batch.fixed)
    got = checker.check(second)
    assert interleaved[0] > 0  # the other thread fixed rules this case had found open
    alone = Checker().check(second)
    assert got.model_dump_json() == alone.model_dump_json()


def test_a_message_checked_against_a_new_template_report_each_time_keeps_few_layouts() -> None:
    # Each layout holds its template report: one kept per report made grew without bound.
    from smscheck.engine import _MAX_LAYOUTS

    case = _plain(relationship="member", origin="party_member_file")
    checker = Checker()
    for index in range(3 * _MAX_LAYOUTS):
        template = checker.check_template(case.message, case.campaign, source=f"t{index}")
        checker.check(case, template=template)
    assert 0 < len(checker._batch(case).layouts) <= _MAX_LAYOUTS


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(sends())
def test_a_templated_report_is_the_whole_report_less_what_its_template_gives(
    cases: list[Case],
) -> None:
    checker = Checker(extra=[PACK])
    for case in cases + cases[::-1]:
        template = checker.check_template(case.message, case.campaign, source="t")
        given = {
            verdict.rule_id: (verdict.status, verdict.accepted)
            for verdict in template.verdicts
            if verdict.rule_id not in template.per_recipient
        }
        whole = Checker(extra=[PACK]).check(case)
        split = checker.check(case, template=template)
        assert split.status is whole.status
        assert split.verdicts == tuple(
            verdict
            for verdict in whole.verdicts
            if given.get(verdict.rule_id) != (verdict.status, verdict.accepted)
        )


def test_histories_of_equal_instants_at_other_offsets_do_not_share_a_verdict() -> None:
    pack = load_pack(Path(__file__).parent / "data" / "history_instants_pack" / "pack.toml")
    first = _plain(history=[{"sent_at": "2026-03-01T10:00:00+01:00"}])
    other = _plain(number="07 81 22 33 44", history=[{"sent_at": "2026-03-01T09:00:00+00:00"}])
    checker = Checker(packs=[pack])
    assert checker.check(first).verdict("HIST-01").status is smscheck.Status.FAIL
    assert (
        checker.check(other).model_dump_json()
        == Checker(packs=[pack]).check(other).model_dump_json()
    )


def test_equal_layouts_made_for_other_batches_are_one_layout() -> None:
    from smscheck.layout import Layouts

    checker = Checker()
    report = checker.check(_case())
    verdicts = list(report.verdicts)
    layouts = Layouts()
    made = layouts.of([None, *verdicts[1:]], (0,), None)
    again = layouts.of([None, *(v.model_copy() for v in verdicts[1:])], (0,), None)  # equal
    assert again is made
    assert layouts.of([*verdicts[:1], None, *verdicts[2:]], (1,), None) is not made
    assert layouts.of(list(verdicts), (), None) is not made
