"""Shared by the micro-benchmarks: a rate measured as the best of a few rounds."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence


def best_rate(work: Callable[[str], object], inputs: Sequence[str], rounds: int = 3) -> float:
    """Inputs handled per second by `work`, best of `rounds` rounds."""
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        for item in inputs:
            work(item)
        best = min(best, time.perf_counter() - began)
    return len(inputs) / best
