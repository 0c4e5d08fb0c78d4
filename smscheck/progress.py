"""A progress line for long batches on an interactive terminal; silent when piped or in CI."""

from __future__ import annotations

import os
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None, total_bytes: int | None) -> None:
        self.stream = stream
        self.total = total_bytes
        self.count = 0
        self.consumed = 0
        self.started = time.monotonic()
        self.shown = 0.0

    @classmethod
    def for_stream(cls, stream: TextIO, total_bytes: int | None) -> Progress:
        """Shown only on a terminal, outside CI."""
        interactive = stream.isatty() and not os.environ.get("CI")
        return cls(stream if interactive else None, total_bytes)

    def advance(self, cases: int, consumed: int) -> None:
        self.count += cases
        self.consumed += consumed
        now = time.monotonic()
        if self.stream is None or now - self.shown < 0.2:
            return
        self.shown = now
        rate = self.count / max(now - self.started, 1e-9)
        line = f"\r{self.count:,} cases, {rate:,.0f}/s"
        if self.total and self.consumed:
            remaining = (self.total - self.consumed) * (now - self.started) / self.consumed
            line += f", {100 * self.consumed / self.total:.0f}%, ETA {remaining:.0f}s"
        self.stream.write(line + "   ")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.count:
            self.stream.write("\n")
