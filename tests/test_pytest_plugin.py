"""The pytest plugin, used from a project that only installed smscheck."""

from __future__ import annotations

import pytest

from tests.conftest import SEEDS

TEST_FILE = f"""
import json
from smscheck.assertions import assert_compliant, assert_fails
from smscheck.inputs import case_from

def load(name):
    return case_from(json.loads(open({str(SEEDS)!r} + "/" + name, encoding="utf-8").read()))

def test_case_a_is_not_compliant(smscheck_checker):
    assert_compliant(load("2011-ump-cantonales.json"), checker=smscheck_checker)

def test_compliant_variant(smscheck_checker):
    assert_compliant(load("2011-ump-cantonales-direct-contact.json"), checker=smscheck_checker)

def test_case_a_fails_opt_out():
    assert_fails(load("2011-ump-cantonales.json"), "CNIL06-OPT-01")
"""


def test_a_project_with_the_plugin_gets_a_failing_and_passing_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_messages=TEST_FILE)
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*message is not compliant (fail)*",
            "*FAIL CNIL06-OPT-01 (opt_out)*",
            "*source: Délibération n° 2006-229*",
            "*remedy: *STOP*",
        ]
    )


CONFIGURED = f"""
import json
from smscheck.assertions import assert_compliant, assert_fails
from smscheck.inputs import case_from

def load(name):
    return case_from(json.loads(open({str(SEEDS)!r} + "/" + name, encoding="utf-8").read()))

def test_the_ignored_rules_are_left_out(smscheck_checker):
    report = smscheck_checker.check(load("2011-ump-cantonales.json"))
    assert report.lang == "en" and "CNIL06-OPT-01" in report.ignored

def test_assertions_use_the_same_configuration():
    report = assert_fails(load("2011-ump-cantonales.json"), "CNIL06-INF-01")
    assert "CNIL06-OPT-01" in report.ignored and report.lang == "en"

def test_fail_on_warn_makes_a_warning_fail_assert_compliant():
    assert_compliant(load("2026-sunday-send.json"))  # a warning only
"""


def test_the_plugin_and_assertions_read_the_project_configuration(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_messages=CONFIGURED)
    pytester.makefile(
        ".toml",
        pyproject='[tool.smscheck]\nignore = ["CNIL06-OPT"]\nlang = "en"\nfail-on = "warn"\n',
    )
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*message is not compliant (warn)*"])
