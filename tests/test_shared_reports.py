"""Reports shared among the cases that get the same verdicts: one object per verdict set,
filled in with each case's recipient and source; the batch's quick lane writes from it the
bytes the case's own report gives, and its summary counts what adding each report counts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from bench.campaigns import write_jsonl
from smscheck import Case, Checker, engine
from smscheck.cli import main
from smscheck.formatters import FORMATTERS
from smscheck.formatters.base import _MAX_PENDING, Result, Summary
from tests.conftest import SEEDS
from tests.test_acceptance import NO_NAME, campaign
from tests.test_campaign_file import HEADER, ROWS, write
from tests.test_sharing import _case, campaign_sends

QUICK = sorted(name for name, formatter in FORMATTERS.items() if formatter.case is not None)


def test_cases_with_the_same_verdicts_share_one_report_less_their_recipient() -> None:
    checker = Checker()
    checker.check(_case())  # the first case settles the rules that read nothing of a recipient
    first = checker.shared_report(_case(number="06 98 76 54 32"))
    second = checker.shared_report(_case(number="07 81 22 33 44"))
    assert second is first
    assert (first.recipient, first.source) == ("", None)
    filled = checker.check(_case(number="07 81 22 33 44"), source="contacts.jsonl:2")
    assert filled.recipient == "+33 7 ** ** ** 44" and filled.source == "contacts.jsonl:2"
    assert filled.verdicts is first.verdicts


def test_cases_with_other_verdicts_get_another_shared_report() -> None:
    checker = Checker()
    member = checker.shared_report(_case(relationship="member", origin="party_member_file"))
    prospect = checker.shared_report(_case(relationship="prospect", origin="rented_file"))
    assert prospect is not member
    assert prospect.status != member.status or prospect.verdicts != member.verdicts


def test_a_shared_report_used_recently_outlasts_others_past_the_cache_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "MAX_REPORTS", 2)
    checker = Checker()
    checker.check(_case())  # the first case settles the rules that read nothing of a recipient
    member, prospect, opted_in = (
        _case(relationship="member", origin="party_member_file"),
        _case(relationship="prospect", origin="rented_file"),
        _case(relationship="opted_in", origin="collected_directly"),
    )
    kept = checker.shared_report(member)
    checker.shared_report(prospect)
    assert checker.shared_report(member) is kept  # used again: now the most recent
    checker.shared_report(opted_in)  # the cache is full: the least recently used goes
    assert checker.shared_report(member) is kept


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(campaign_sends())
def test_a_shared_report_filled_in_is_the_report_check_gives_and_renders_alike(
    sends: list[Case],
) -> None:
    checker = Checker()
    for at, case in enumerate(sends, 1):
        where = f"campaign.jsonl:{at}"
        shared = checker.shared_report(case)
        number = checker.shown_number(case.recipient.number)
        filled = shared.filled(number, where)
        alone = Checker().check(case, source=where)
        assert filled.model_dump_json() == alone.model_dump_json()
        for name in QUICK:
            formatter = FORMATTERS[name]
            assert formatter.case is not None
            text = formatter.item(Result(where, filled))
            assert formatter.case(shared, number, where) == text
            encoded = None if formatter.encoded is None else formatter.encoded(("utf-8", "strict"))
            if encoded is not None:
                assert encoded(shared, number, where) == text.encode()


ENCODED = sorted(name for name, formatter in FORMATTERS.items() if formatter.encoded is not None)


def test_the_json_formats_render_encoded_bytes() -> None:
    assert ENCODED == ["json", "json-compact"]


@pytest.mark.parametrize("name", ENCODED)
def test_a_format_renders_encoded_bytes_only_in_an_encoding_whose_pieces_join(name: str) -> None:
    encoded = FORMATTERS[name].encoded
    assert encoded is not None
    assert encoded(("utf-8", "strict")) is not None
    assert encoded(("UTF8", "strict")) is not None and encoded(("u8", "strict")) is not None
    assert encoded(("utf-16", "strict")) is None  # a byte order mark would start each piece
    assert encoded(("utf-8-sig", "strict")) is None


def _checked(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["check", *args, "--lang", "en", "--isolated"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("only_problems", [False, True])
@pytest.mark.parametrize("fmt", QUICK)
def test_the_quick_lane_writes_the_bytes_and_counts_of_each_case_s_own_report(
    fmt: str,
    only_problems: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Templates and bad lines, with lone cases; a campaign file whose template accepts a finding.
    lines = write_jsonl(tmp_path / "realistic.jsonl", "realistic", 600).path
    accepted = '{ "CNIL12-ID-01" = "the sender field names the list" }'
    accepting = write(tmp_path, campaign(NO_NAME, accepted), rows=HEADER + "".join(ROWS))
    runs = [
        [str(lines), *map(str, sorted(SEEDS.glob("*.json")))],
        [str(accepting), "--recipients", str(tmp_path / "contacts.csv")],
    ]
    extra = ["--format", fmt, *(["--only-problems"] if only_problems else [])]
    quick = [_checked(args + extra, capsys) for args in runs]
    with monkeypatch.context() as generic:
        generic.setitem(FORMATTERS, fmt, replace(FORMATTERS[fmt], case=None))
        assert quick == [_checked(args + extra, capsys) for args in runs]
    # The bad lines of the first run make it exit 2; cases were written, their numbers masked.
    assert [code for code, _, _ in quick] == [2, 1]
    assert all("** ** **" in out for _, out, _ in quick)


def test_a_summary_counts_shared_reports_as_adding_each_one_does_with_bounded_memory() -> None:
    checker = Checker()
    shared = [
        checker.shared_report(_case(relationship=relationship, origin=origin))
        for relationship, origin in [
            ("member", "party_member_file"),
            ("prospect", "rented_file"),
            ("opted_in", "collected_directly"),
        ]
    ]
    counted, added = Summary(), Summary()
    for at in range(2 * _MAX_PENDING):
        report = shared[at % 3]
        if at % 7:  # a report of its own, as the generic lane makes
            report = report.filled("06 ** ** ** 78", f"f:{at}")
        counted.count(report, f"f:{at}")
        assert len(counted._pending) <= _MAX_PENDING
        added.add(Result(f"f:{at}", report.filled("06 ** ** ** 78", f"f:{at}")))
    merged = Summary()
    merged.merge(counted)
    for summary in (counted, merged):
        assert summary.text() == added.text()
        assert summary.rule_counts() == added.rule_counts()
        assert summary.exit_code_for(shared[1].status) == added.exit_code_for(shared[1].status)


def test_merged_bodies_that_get_equal_verdicts_share_one_report() -> None:
    checker = Checker()
    body = "Bonjour {}, Marie Dupont vous invite samedi au marché. STOP au 36111"
    paul, yves, maxime = (_case(body.format(name)) for name in ("Paul", "Yves", "Maxime"))
    for case in (paul, yves, maxime):
        checker.check(case)  # each first case settles its body's message rules
    shared = checker.shared_report(paul)
    assert checker.shared_report(yves) is shared  # same evidence, at the same places
    other = checker.shared_report(maxime)  # a longer name moves the evidence quoted
    assert other is not shared and other.verdicts != shared.verdicts
    assert checker.check(yves).model_dump_json() == Checker().check(yves).model_dump_json()


def test_equal_verdicts_made_apart_are_one_object() -> None:
    checker = Checker()
    body = "Bonjour {}, Marie Dupont vous invite samedi au marché. STOP au 36111"
    paul = checker.check(_case(body.format("Paul")))
    yves = checker.check(_case(body.format("Yves")))
    assert all(a is b for a, b in zip(paul.verdicts, yves.verdicts, strict=True))
