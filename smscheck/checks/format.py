"""Format: the sender field and what the message costs in SMS parts (owned by the format work)."""

from __future__ import annotations

from smscheck.outcome import NamedCheck

CHECKS: dict[str, NamedCheck] = {}
