"""pytest plugin (entry point `pytest11`): fixtures to check messages in users' test suites."""

from __future__ import annotations

import pytest

from smscheck.assertions import assert_compliant, assert_fails
from smscheck.engine import Checker


@pytest.fixture(scope="session")
def smscheck_checker() -> Checker:
    """A checker with the shipped packs, shared by the session."""
    return Checker()


__all__ = ["assert_compliant", "assert_fails", "smscheck_checker"]
