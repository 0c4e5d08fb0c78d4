"""Primary charters: checks against a charter described as data (owned by the charter work)."""

from __future__ import annotations

from smscheck.outcome import NamedCheck

CHECKS: dict[str, NamedCheck] = {}
