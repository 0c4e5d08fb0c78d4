"""Properties of the engine over generated cases."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from smscheck import Case, Checker, Status
from smscheck.testing import cases

CHECKER = Checker()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(cases())
def test_any_valid_case_gets_a_report_whose_status_is_its_worst_verdict(case: Case) -> None:
    report = CHECKER.check(case)
    statuses = {verdict.status for verdict in report.verdicts}
    order = [Status.FAIL, Status.REVIEW, Status.WARN]
    quiet = Status.PASS if report.verdicts else Status.REVIEW  # no rule in force: review
    assert report.status is next((status for status in order if status in statuses), quiet)


@SETTINGS
@given(cases())
def test_checking_is_deterministic_and_independent_of_checker_reuse(case: Case) -> None:
    first = CHECKER.check(case).model_dump_json()
    assert CHECKER.check(case).model_dump_json() == first
    assert Checker().check(case).model_dump_json() == first


@SETTINGS
@given(cases())
def test_every_verdict_carries_a_citation_and_evidence_points_into_the_body(case: Case) -> None:
    for verdict in CHECKER.check(case).verdicts:
        assert verdict.citation.link
        for span in verdict.evidence:
            assert (
                case.message.body[span.start : span.end] == span.text
                or span.text in case.message.sender
            )


@SETTINGS
@given(cases(compliant_body=True))
def test_generated_compliant_cases_pass_every_shipped_rule(case: Case) -> None:
    report = CHECKER.check(case)
    failing = [(v.rule_id, v.message) for v in report.verdicts if v.status is Status.FAIL]
    assert failing == []
