"""A progress line for long batches on an interactive terminal; silent when piped or in CI.

The line is drawn on standard error and erased before any output is written (`clear`), so
that on a terminal showing both streams it never runs into the report."""

from __future__ import annotations

import os
import time
from typing import TextIO

from smscheck.verdicts import Lang


class Progress:
    def __init__(self, stream: TextIO | None, total_bytes: int | None, lang: Lang = "en") -> None:
        self.stream = stream
        self.lang = lang
        self.total = total_bytes
        self.count = 0
        self.consumed = 0
        self.started = time.monotonic()
        self.shown = 0.0
        self.width = 0  # of the line on screen; 0 when none is

    @classmethod
    def for_stream(cls, stream: TextIO, total_bytes: int | None, lang: Lang = "en") -> Progress:
        """Shown only on a terminal, outside CI."""
        interactive = stream.isatty() and not os.environ.get("CI")
        return cls(stream if interactive else None, total_bytes, lang)

    def advance(self, cases: int, consumed: int) -> None:
        self.count += cases
        self.consumed += consumed
        now = time.monotonic()
        if self.stream is None or now - self.shown < 0.2:
            return
        self.shown = now
        rate = self.count / max(now - self.started, 1e-9)
        french = self.lang == "fr"
        line = f"{self.count:,} {'cas' if french else 'cases'}, {rate:,.0f}/s"
        if self.total and self.consumed:
            remaining = (self.total - self.consumed) * (now - self.started) / self.consumed
            done = 100 * self.consumed / self.total
            line += (
                f", {done:.0f} %, reste {remaining:.0f} s"
                if french
                else f", {done:.0f}%, ETA {remaining:.0f}s"
            )
        self.clear()
        self.stream.write(line)
        self.stream.flush()
        self.width = len(line)

    def clear(self) -> None:
        """Erase the line, if one is shown, leaving the cursor at the start of the line."""
        if self.stream is not None and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0

    def close(self) -> None:
        self.clear()
