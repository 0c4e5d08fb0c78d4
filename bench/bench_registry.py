"""Opt-out registry lookups stay constant-time as it grows: `python -m bench.bench_registry`.

Grows one SQLite registry to 1k, 10k and 100k numbers opted out (bulk insert for the setup,
2% of them opted back in later), and at each size prints: `is_suppressed` lookups per second
(E.164 input, half present, half absent, best of three rounds, so `to_e164` answers from its
cache and the figure is the indexed lookup itself; normalising raw input costs extra, see
bench_phones.py), the time to build `snapshot()`, membership tests per second on that
snapshot, and durable `record_opt_out` calls per second (each one committed to disk).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.timing import best_rate
from smscheck.registry import OptOutRecord, SQLiteRegistry

SIZES = (1_000, 10_000, 100_000)
LOOKUPS = 20_000
MEMBERSHIP_TESTS = 1_000_000
DURABLE_WRITES = 200
START = datetime(2026, 1, 1, tzinfo=UTC)


def records(numbers: Sequence[str], first: int) -> list[OptOutRecord]:
    """One opt-out per number, and an opt-in a day later for every fiftieth."""
    made = []
    for offset, number in enumerate(numbers):
        at = START + timedelta(seconds=first + offset)
        made.append(OptOutRecord(number=number, event="opt_out", at=at, source="bench"))
        if (first + offset) % 50 == 0:
            later = at + timedelta(days=1)
            made.append(OptOutRecord(number=number, event="opt_in", at=later, source="bench"))
    return made


def main() -> None:
    draw = random.Random(2026)
    extra = LOOKUPS // 2 + DURABLE_WRITES * len(SIZES)
    pool = [f"+3361{n:07d}" for n in draw.sample(range(10**7), SIZES[-1] + extra)]
    stored, absent = pool[: SIZES[-1]], pool[SIZES[-1] : SIZES[-1] + LOOKUPS // 2]
    fresh = iter(pool[SIZES[-1] + LOOKUPS // 2 :])
    print(
        f"{'opt-outs':>9} {'is_suppressed/s':>16} "
        f"{'snapshot ms':>12} {'in snapshot/s':>14} {'durable writes/s':>17}"
    )
    with (
        tempfile.TemporaryDirectory() as folder,
        SQLiteRegistry(Path(folder) / "bench.sqlite3") as registry,
    ):
        filled = 0
        for size in SIZES:
            registry.record_many(records(stored[filled:size], filled))
            filled = size
            present = draw.choices(stored[:size], k=LOOKUPS // 2)
            probes = present + absent
            draw.shuffle(probes)
            lookups = best_rate(registry.is_suppressed, probes)
            began = time.perf_counter()
            snapshot = registry.snapshot()
            snapshot_ms = (time.perf_counter() - began) * 1000
            tests = (probes * (MEMBERSHIP_TESTS // len(probes) + 1))[:MEMBERSHIP_TESTS]
            membership = best_rate(snapshot.__contains__, tests)
            print(
                f"{size:>9,} {lookups:>16,.0f} {snapshot_ms:>12,.1f} {membership:>14,.0f}",
                end="",
                flush=True,
            )
            began = time.perf_counter()
            for n in range(DURABLE_WRITES):
                registry.record_opt_out(
                    next(fresh), at=START + timedelta(days=size, seconds=n), source="bench"
                )
            writes = DURABLE_WRITES / (time.perf_counter() - began)
            print(f" {writes:>17,.0f}")


if __name__ == "__main__":
    main()
