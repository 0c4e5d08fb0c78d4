"""pytest plugin (entry point `pytest11`): fixtures to check messages in users' test suites."""

from __future__ import annotations

import pytest

from smscheck.assertions import assert_compliant, assert_fails, configured_checker
from smscheck.engine import Checker


@pytest.fixture(scope="session")
def smscheck_checker() -> Checker:
    """The checker of the configuration found from the working directory (`[tool.smscheck]`
    or `smscheck.toml`, as `smscheck check` finds it), shared by the session."""
    return configured_checker()


__all__ = ["assert_compliant", "assert_fails", "smscheck_checker"]
