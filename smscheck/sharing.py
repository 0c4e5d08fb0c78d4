"""Which cases may share a rule's verdict: the fields the rule actually read, learned as it runs.

A check is a pure function of the case (and of what its checker holds fixed: packs, suppressed
numbers, charters). Run on a case whose message and recipient record every attribute read, it
tells which fields decided its outcome. Any other case of the same campaign that agrees with it
on those fields would take exactly the same path through the check, so it gets the same
verdict: the rule's verdict is cached under the values of the fields it read, nothing else.

A rule may read more on another path (the consent only of opted-in recipients, say): the set it
is keyed by is the union of what its runs have read, and its cache restarts when that grows, so
a verdict is only ever found under a key covering every field its own run read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Generic, TypeVar

from smscheck.models import Message, Recipient
from smscheck.verdicts import Verdict

_M = TypeVar("_M", Message, Recipient)

# Each rule keeps at most this many verdicts: a rule whose verdict follows a field that is
# nearly unique per recipient (a consent date, a history) costs bounded memory, as it restarts.
MAX_VERDICTS_PER_RULE = 8192


class Traced(Generic[_M]):
    """A message or recipient that notes the name of every attribute read through it."""

    __slots__ = ("_of", "_read")
    _of: _M
    _read: set[str]

    def __init__(self, of: _M, read: set[str]) -> None:
        object.__setattr__(self, "_of", of)
        object.__setattr__(self, "_read", read)

    def __getattr__(self, name: str) -> object:
        self._read.add(name)
        return getattr(self._of, name)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a traced model is read-only")


def _getter(names: tuple[str, ...]) -> Callable[[object], object]:
    """The values of `names` on an object, as one hashable key (`()` when none)."""
    if not names:
        return lambda _: ()
    return attrgetter(*names)


@dataclass(slots=True)
class Reads:
    """The message and recipient attributes a rule has been seen to read, and its verdicts by
    their values. `version` changes whenever the names grow (the cache then restarts)."""

    message: tuple[str, ...] = ()
    recipient: tuple[str, ...] = ()
    version: int = 0
    of_message: Callable[[object], object] = field(default=_getter(()))
    of_recipient: Callable[[object], object] = field(default=_getter(()))
    verdicts: dict[object, Verdict] = field(default_factory=dict)

    def learn(self, message: set[str], recipient: set[str]) -> bool:
        """Add what one run read; True when the names grew (the cache is then emptied)."""
        if message <= set(self.message) and recipient <= set(self.recipient):
            return False
        self.message = tuple(sorted(message.union(self.message)))
        self.recipient = tuple(sorted(recipient.union(self.recipient)))
        self.of_message, self.of_recipient = _getter(self.message), _getter(self.recipient)
        self.version += 1
        self.verdicts = {}
        return True

    @property
    def per_recipient(self) -> bool:
        """Whether the rule reads the number itself: no two recipients then share a verdict,
        and keeping them would only cost memory."""
        return "number" in self.recipient

    def keep(self, key: object, verdict: Verdict) -> None:
        if len(self.verdicts) >= MAX_VERDICTS_PER_RULE:
            self.verdicts = {}
        self.verdicts[key] = verdict
