"""The bounds every input is read within, and reading lines memory bounded whatever the bytes."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import IO

from smscheck.inputs.located import InputError

LINE_SUFFIXES = (".jsonl", ".ndjson")
MAX_DEPTH = 64
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
MAX_LINE_BYTES = 1024 * 1024  # its line ending included

BOM = b"\xef\xbb\xbf"


class EndlessLine(InputError):
    """A line so long that the rest of the input is given up."""


def bounded_lines(readline: Callable[[int], bytes]) -> Iterator[bytes]:
    """Lines from `readline`, memory bounded even on endless input: a line longer than
    MAX_LINE_BYTES comes as its first MAX_LINE_BYTES + 1 bytes (an error when read), the rest
    of it skipped; EndlessLine if that rest goes on beyond MAX_DOCUMENT_BYTES (/dev/zero)."""
    limit = MAX_LINE_BYTES + 1
    while line := readline(limit):
        yield line
        if len(line) == limit and not line.endswith(b"\n"):
            skipped = 0
            while (rest := readline(limit)) and not rest.endswith(b"\n"):
                skipped += len(rest)
                if skipped > MAX_DOCUMENT_BYTES:
                    raise EndlessLine(
                        f"a line longer than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB: "
                        "the rest of the input is not read"
                    )


class Joined:
    """Bytes already read, then the rest of the stream, line by line."""

    def __init__(self, head: bytes, handle: IO[bytes]) -> None:
        self.head = io.BytesIO(head)
        self.handle = handle

    def readline(self, limit: int) -> bytes:
        line = self.head.readline(limit)
        if line.endswith(b"\n") or len(line) == limit:
            return line
        return line + self.handle.readline(limit - len(line))


def chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest
