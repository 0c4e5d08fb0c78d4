"""Bounded caches that keep what was used last.

A campaign's cases come in no useful order: the recipients of one merged body and profile are
spread over the whole stretch of the file its template covers. A cache emptied whole when full
then holds half its size on average and loses the frequent entries with the rare ones (on the
realistic benchmark, 47,000 new shared reports for 20,600 distinct ones at 4,096 entries); one
that drops only its least recently used entry keeps the frequent ones (21,000 at 8,192).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import TypeVar

# Cases' verdict lists and shared reports kept, and what is rendered or counted from each: a
# merged body's with each recipient profile, far more of them than of bodies.
MAX_REPORTS = 8192

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


class Recent(OrderedDict[_K, _V]):
    """At most `size` entries; past it, the least recently found or kept goes."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"a cache holds at least one entry, not {size}")
        super().__init__()
        self.size = size

    def found(self, key: _K) -> _V | None:
        """The value kept under `key`, now the most recently used; None if there is none."""
        value = self.get(key)
        if value is not None:
            try:
                self.move_to_end(key)
            except KeyError:  # dropped by another thread meanwhile: found all the same
                return value
        return value

    def keep(self, key: _K, value: _V) -> _V:
        """Keep `value` under `key` (dropping the least recently used entry if full)."""
        self.pop(key, None)  # a key kept again becomes the most recent too
        self[key] = value
        while len(self) > self.size:
            try:
                self.popitem(last=False)
            except KeyError:  # emptied by another thread meanwhile
                break
        return value
