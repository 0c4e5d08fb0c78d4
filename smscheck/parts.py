"""A chunk of a campaign shared out among worker processes by its recipients' merge fields, and
their outputs put back in line order.

Under a template, most of a worker's work on a chunk is the first sight of each merged body:
its message rules run once per body, then their verdicts are reused. Contiguous shares of the
file that cut a campaign make every worker meet nearly every body of it, and run its rules
again. Each line of such a campaign's chunk goes instead to the part its merge fields fall to
(a checksum of their bytes as written), so that recipients with the same merge fields, and so
the same body, are checked by one worker. Every part still reads the lines that set or drop the
template, as one reading the whole file would; those lines, and an error that ends the chunk,
fall to one part. Which line goes where only decides what is computed twice: the output, joined
back by line, is the same whatever the cut.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Sequence
from typing import TypeVar

_MERGE = b'"merge"'

Output = TypeVar("Output", str, bytes)


def line_parts(lines: Sequence[bytes], parts: int, openers: Collection[int]) -> list[int]:
    """For each line of a chunk, which of `parts` checks it: the first for the lines at
    `openers` (those that set or drop the template); for a recipient line, the part its merge
    fields fall to, and lines without any shared out in turn."""
    crc = zlib.crc32
    starts = [raw.find(_MERGE) for raw in lines]
    return [
        0
        if index in openers
        else index % parts
        if start < 0
        else crc(raw[start : raw.find(b"}", start)]) % parts
        for index, (raw, start) in enumerate(zip(lines, starts, strict=True))
    ]


def interleaved(
    outputs: Sequence[Output], lines: Sequence[Sequence[int]], ends: Sequence[Sequence[int]]
) -> Output:
    """The parts' outputs as one, their pieces in line order: part `p`'s `i`th piece ends at
    `ends[p][i]` of `outputs[p]` and renders line `lines[p][i]` (lines that several pieces
    render are all in one part, in order)."""
    pieces: list[tuple[int, int, int, int]] = []  # line, part, start, end
    for part in range(len(outputs)):
        stops: Sequence[int] = ends[part]
        starts = [0, *stops][: len(stops)]
        pieces += zip(lines[part], [part] * len(stops), starts, stops, strict=True)
    pieces.sort()
    return outputs[0][:0].join([outputs[p][start:stop] for _, p, start, stop in pieces])


def first_by_line(
    locations: Sequence[Sequence[str]], lines: Sequence[Sequence[int]], count: int
) -> list[str]:
    """The `count` first of the parts' locations by line (`lines[p][i]` the line of
    `locations[p][i]`)."""
    ordered = sorted(
        (line, location)
        for part_lines, part_locations in zip(lines, locations, strict=True)
        for line, location in zip(part_lines, part_locations, strict=True)
    )
    return [location for _, location in ordered[:count]]
