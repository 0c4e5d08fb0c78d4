"""JSON Lines files cut into chunks that any process can check alone, and the tasks of N
worker processes made of them.

A chunk is a range of lines, ending before a template line where it can, that carries the
campaign template line in force at its start: a worker reads its lines again from the file
and checks them as one reading the whole file would. With N workers, chunks go in contiguous
shares, one per worker (see `workers`), but a chunk of a template those shares would spread over
several workers is one task per worker, each checking the lines whose merge fields fall to it
(see `parts`).
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import IO

from smscheck.inputs import InputError, Item, LineReader, Location, bounded_lines, is_template_line
from smscheck.parts import line_parts
from smscheck.workers import shares

CHUNK_LINES = 500
# A chunk this long already ends before a template line rather than run on past it: a worker
# then checks one campaign at a time, and chunks stay long enough to amortise.
ALIGNED_LINES = CHUNK_LINES // 4
TAIL_LINES = CHUNK_LINES // 8  # the least lines of a chunk shortened near the end of a file


@dataclass(frozen=True, slots=True)
class Chunk:
    """`count` consecutive lines of a file from byte `offset` (`size` bytes as read), with the
    template line in force before the first and `after` the last, and whether that first line
    `opens` a template (sets or drops it); the last chunk of a file knows the error that
    stopped reading, if any. A chunk checked in the process that cut it holds its `lines`;
    one sent to a worker does not, and is read again there."""

    path: str
    first_line: int
    offset: int
    count: int
    size: int = 0
    template: tuple[int, bytes] | None = None
    after: tuple[int, bytes] | None = None
    error: str | None = None
    opens: bool = False
    lines: tuple[bytes, ...] | None = None
    part: int = 0  # which of `parts` to check: the lines that fall to it (see `parts`)
    parts: int = 1
    openers: tuple[int, ...] = ()  # the lines that set or drop the template, from 0


def lines_of(chunk: Chunk) -> tuple[bytes, ...]:
    """The chunk's lines, read again from its file as `chunks` read them (the same bounds)."""
    with open(chunk.path, "rb") as handle:
        handle.seek(chunk.offset)
        return tuple(islice(bounded_lines(handle.readline), chunk.count))


def chunk_items(reader: LineReader, chunk: Chunk, lines: Sequence[bytes]) -> Iterator[Item]:
    """The items of a chunk's `lines` (read again by `lines_of`, or kept), or of those that
    fall to its part (see `parts`), read by `reader` set as for the chunk's start."""
    return _fed(reader, chunk, lines) if chunk.parts == 1 else _part(reader, chunk, lines)


def _fed(reader: LineReader, chunk: Chunk, lines: Sequence[bytes]) -> Iterator[Item]:
    """The items of all the chunk's lines."""
    for number, raw in enumerate(lines, start=chunk.first_line):
        item = reader.feed(number, raw)
        if item is not None:
            yield item
    if chunk.error is not None:
        yield _ending(chunk, lines)


def _ending(chunk: Chunk, lines: Sequence[bytes]) -> Item:
    """The error that stopped the reading of a file, after the last line of its last chunk."""
    assert chunk.error is not None
    return Item(Location(chunk.path, chunk.first_line + len(lines) - 1), error=chunk.error)


def _part(reader: LineReader, chunk: Chunk, lines: Sequence[bytes]) -> Iterator[Item]:
    """The items of the lines of a chunk that fall to its part (see `parts`). The reader is
    fed every line that sets or drops the template (the first part's), so that it reads the
    part's lines as one reading the whole file would; an error that ends the chunk falls to the
    part of its last line."""
    part, openers = chunk.part, chunk.openers
    owner = line_parts(lines, chunk.parts, openers)
    for index, raw in enumerate(lines):
        if owner[index] == part or index in openers:
            item = reader.feed(chunk.first_line + index, raw)
            if item is not None and owner[index] == part:
                yield item
    if chunk.error is not None and (owner[-1] if owner else 0) == part:
        yield _ending(chunk, lines)


def chunks(
    path: str, handle: IO[bytes], size: int = CHUNK_LINES, workers: int = 0, *, keep: bool = False
) -> Iterator[Chunk]:
    """Cut a JSON Lines file into chunks of at most `size` lines, each knowing the template
    line in force; a chunk of ALIGNED_LINES or more ends before a line that sets or drops the
    template. For `workers` processes, a chunk of TAIL_LINES or more also ends once it holds
    a 2 x `workers`th of the bytes left at its start: the file's last chunks are short, so that
    the worker with the last share ends close to the others (a worker that ends first takes
    whole chunks from the end of the share with the most left: see `workers`).

    Lines are read with a bounded length (an endless line stops the reading with an error);
    the last chunk, possibly empty, closes the file. Only offsets are kept, not the lines,
    unless `keep` (for a chunk checked as soon as it is cut: its lines are not read twice)."""
    template: tuple[int, bytes] | None = None  # in force before the chunk begun
    latest = template  # in force after the last line read
    aligned = max(1, min(size, ALIGNED_LINES))
    total = os.fstat(handle.fileno()).st_size if workers else 0
    first, offset, count, read, share, number = 1, 0, 0, 0, 0, 0
    opens = False  # whether the chunk begun starts with a template line
    kept: list[bytes] = []
    openers: list[int] = []  # its lines that set or drop the template

    def cut(error: str | None = None) -> Chunk:
        lines = tuple(kept) if keep else None
        kept.clear()
        found = tuple(openers)
        openers.clear()
        return Chunk(
            path, first, offset, count, read, template, latest, error, opens, lines, openers=found
        )

    error = None
    try:
        for number, raw in enumerate(bounded_lines(handle.readline), start=1):
            changes = is_template_line(raw) and LineReader.changes_template(number, raw)
            if count >= aligned and changes:
                yield cut()
                count = 0
            if count == 0:
                first, offset, read, template = number, handle.tell() - len(raw), 0, latest
                opens = changes
                share = (total - offset) // (2 * workers) if workers else 0
            count += 1
            read += len(raw)
            if keep:
                kept.append(raw)
            if changes:
                latest = (number, raw)
                openers.append(count - 1)
            if count == size or (count >= TAIL_LINES and read >= share > 0):
                yield cut()
                count = 0
    except InputError as exc:  # a line with no end
        error = str(exc)
    if count == 0:
        first, offset, read, template, opens = number + 1, handle.tell(), 0, latest, False
    yield cut(error)


def _groups(work: list[Chunk]) -> list[int | None]:
    """For each chunk, the template line in force at its end: what a worker keeps warm when it
    checks the chunk (a chunk runs on past a template line only when it starts fewer than
    ALIGNED_LINES before it, so most of its lines are under the template in force at its end)."""
    if not work:
        return []
    last = work[-1]
    ending = last.template if not last.opens else (last.first_line, b"")
    return [
        None if after is None else after[0] for after in [c.template for c in work[1:]] + [ending]
    ]


def worker_tasks(
    work: list[Chunk], jobs: int
) -> tuple[list[Chunk], list[Hashable], list[int | None]]:
    """The tasks of `jobs` workers for a file's chunks, with what each keeps warm and the worker
    it is given to. Chunks are cut into contiguous shares (see `workers`); a template whose
    chunks those shares would spread over several workers is instead shared out by merge
    fields, each of its chunks one part for each worker (see `parts`), and the shares cut again
    from the other chunks. A template within one share stays there whole: its recipients'
    profiles are then met by one worker, and its bodies too."""
    groups = _groups(work)
    parted: set[Hashable] = set()
    while spread := _spread(work, groups, parted, jobs):
        parted |= spread
    tasks: list[Chunk] = []
    given: list[int | None] = []
    kept: list[Hashable] = []
    for chunk, group in zip(work, groups, strict=True):
        if group not in parted:
            tasks.append(chunk)
            kept.append(group)
            given.append(None)
            continue
        for part in range(jobs):
            tasks.append(replace(chunk, part=part, parts=jobs))
            kept.append(group)
            given.append(part)
    return tasks, kept, given


def _spread(
    work: list[Chunk],
    groups: list[int | None],
    parted: set[Hashable],
    jobs: int,
) -> set[Hashable]:
    """The templates not yet `parted` whose chunks the contiguous shares of the others spread
    over several workers (chunks outside any template are never shared out by merge fields), the
    shares cut as `workers.Schedule` cuts them."""
    free = [0 if group in parted else chunk.size for chunk, group in zip(work, groups, strict=True)]
    if not any(free):
        return set()
    openings = [
        chunk.opens and group not in parted for chunk, group in zip(work, groups, strict=True)
    ]
    share_of: dict[int, int] = {}
    for share, queue in enumerate(shares(free, openings, jobs)):
        share_of.update((index, share) for index in queue)
    first: dict[Hashable, int] = {}
    spread: set[Hashable] = set()
    for index, group in enumerate(groups):
        if group is None or group in parted:
            continue
        if first.setdefault(group, share_of[index]) != share_of[index]:
            spread.add(group)
    return spread
