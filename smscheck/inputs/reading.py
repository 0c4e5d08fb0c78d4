"""Reading one input file or standard input: one JSON document (or an array of them), or JSON
Lines read one line at a time."""

from __future__ import annotations

import io
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO

from smscheck.inputs.bounds import (
    LINE_SUFFIXES,
    MAX_DOCUMENT_BYTES,
    Joined,
    bounded_lines,
    chain,
)
from smscheck.inputs.campaign_file import CAMPAIGN_SUFFIXES, read_campaign_file
from smscheck.inputs.csv_file import CsvOptions
from smscheck.inputs.document import item_from
from smscheck.inputs.lines import read_lines
from smscheck.inputs.located import InputError, Item, Location
from smscheck.inputs.merge import template_filler
from smscheck.inputs.strict import ExtraData, loads


def read(
    path: str,
    stdin: IO[bytes] | None = None,
    recipients: str | None = None,
    csv: CsvOptions | None = None,
) -> Generator[Item, None, None]:
    """The items of one input (`-` is standard input). `recipients`: a CSV of recipients for
    the templates of a campaign file (`csv`: how to read it)."""
    if path == "-":
        if stdin is None:  # started with <&-: the other inputs are still checked
            yield Item(Location(path), error="standard input is closed")
        else:
            yield from _read_stream(path, stdin)
        return
    file = Path(path)
    try:
        handle = file.open("rb")
    except OSError as exc:
        yield Item(Location(path), error=f"cannot open: {exc.strerror or type(exc).__name__}")
        return
    with handle:
        try:
            if file.suffix in CAMPAIGN_SUFFIXES:
                data = handle.read(MAX_DOCUMENT_BYTES + 1)
                yield from read_campaign_file(path, data, recipients, csv)
            elif file.suffix in LINE_SUFFIXES:
                yield from read_lines(path, bounded_lines(handle.readline))
            else:
                yield from _read_stream(path, handle)
        except OSError as exc:  # e.g. a directory opened on some systems, a device error
            yield Item(Location(path), error=f"cannot read: {exc.strerror or type(exc).__name__}")


def _read_stream(path: str, handle: IO[bytes]) -> Iterator[Item]:
    """A stream that is one JSON document or JSON Lines: a document must fit in
    MAX_DOCUMENT_BYTES; beyond, only JSON Lines are read, one line at a time."""
    head = handle.read(MAX_DOCUMENT_BYTES + 1)
    if len(head) <= MAX_DOCUMENT_BYTES:
        yield from _read_document_or_lines(path, head)
        return
    lines = bounded_lines(Joined(head, handle).readline)
    blank = 0
    for first in lines:
        if first.strip():
            break
        blank += 1
    else:
        yield Item(Location(path), error="empty input")
        return
    try:
        loads(first)
    except InputError:
        limit = MAX_DOCUMENT_BYTES // (1024 * 1024)
        yield Item(
            Location(path),
            error=f"larger than {limit} MiB and not JSON Lines: too big for one JSON document",
        )
        return
    yield from read_lines(path, chain(first, lines), start=blank + 1)


def _read_document_or_lines(path: str, data: bytes) -> Iterator[Item]:
    try:
        document = loads(data)
    except ExtraData:
        yield from read_lines(path, bounded_lines(io.BytesIO(data).readline))
        return
    except InputError as exc:
        yield Item(Location(path), error=str(exc))
        return
    if isinstance(document, dict) and set(document) == {"template"}:  # checked alone
        try:
            yield template_filler(document["template"], Location(path)).item()
        except InputError as exc:
            yield Item(Location(path), error=str(exc))
    elif isinstance(document, list):
        for index, entry in enumerate(document, start=1):
            yield item_from(Location(path, entry=index), entry)
    else:
        yield item_from(Location(path), document)
