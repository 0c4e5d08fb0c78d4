"""Named Python checks: the one place where checks that data cannot express are registered.

Each family module declares its checks in a `CHECKS` mapping; the families are listed here.
"""

from __future__ import annotations

from collections.abc import Mapping

from smscheck.checks import (
    charter,
    consent,
    electoral,
    format,
    identity,
    information,
    optout,
    referral,
    timing,
)
from smscheck.outcome import NamedCheck

_FAMILIES = (charter, consent, electoral, format, identity, information, optout, referral, timing)

NAMED_CHECKS: Mapping[str, NamedCheck] = {
    name: check for family in _FAMILIES for name, check in family.CHECKS.items()
}
