"""Bounded caches that drop the entry used least recently, never more than their size."""

from __future__ import annotations

import sys
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smscheck.recent import Recent


def test_a_full_cache_drops_the_entry_used_least_recently() -> None:
    cache: Recent[str, int] = Recent(2)
    cache.keep("a", 1)
    cache.keep("b", 2)
    assert cache.found("a") == 1  # now used after b
    cache.keep("c", 3)
    assert list(cache) == ["a", "c"]
    assert cache.found("b") is None


def test_keeping_a_key_again_replaces_its_value_and_makes_it_the_most_recent() -> None:
    cache: Recent[str, int] = Recent(2)
    cache.keep("a", 1)
    cache.keep("b", 2)
    assert cache.keep("a", 10) == 10
    cache.keep("c", 3)
    assert dict(cache) == {"a": 10, "c": 3}


def test_a_cache_holds_at_least_one_entry() -> None:
    with pytest.raises(ValueError, match="at least one entry"):
        Recent(0)


_OPERATIONS = st.lists(st.tuples(st.booleans(), st.integers(0, 9)), max_size=200)


@given(st.integers(1, 6), _OPERATIONS)
def test_a_cache_holds_the_most_recently_used_keys_within_its_size(
    size: int, operations: list[tuple[bool, int]]
) -> None:
    cache: Recent[int, int] = Recent(size)
    recent: list[int] = []  # the keys kept, least recently used first
    for keeping, key in operations:
        if keeping:
            cache.keep(key, key * 10)
            recent = [other for other in recent if other != key] + [key]
            recent = recent[-size:]
        else:
            assert cache.found(key) == (key * 10 if key in recent else None)
            if key in recent:
                recent = [other for other in recent if other != key] + [key]
        assert list(cache) == recent


def test_threads_sharing_a_cache_never_fail_and_keep_it_within_its_size() -> None:
    cache: Recent[int, int] = Recent(4)
    failures: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for step in range(20_000):
                key = (seed * 7 + step) % 9
                if step % 3:
                    cache.found(key)
                else:
                    cache.keep(key, step)
        except BaseException as exc:  # any failure is the finding
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(0.005)
    assert failures == []
    assert len(cache) <= 4
