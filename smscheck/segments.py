"""SMS encoding and segment arithmetic, as networks bill it (GSM 03.38 / 03.40).

A message is sent in the GSM 7-bit alphabet when every character is in it, otherwise the whole
message goes as UCS-2. One SMS carries 160 septets or 70 UCS-2 units; a concatenated part loses
room to its header and carries 153 septets or 67 units. A part never ends inside a GSM escape
pair, a surrogate pair or a grapheme cluster (what a reader sees as one character), with one
exception: CR and LF are two independent characters of the alphabet, so a part may end between
them, as networks (and Twilio's segment calculator) cut them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Literal

import regex

Encoding = Literal["gsm7", "ucs2"]

# GSM 03.38 default alphabet, codes 0x00 to 0x7F in order; 0x1B (the escape to the extension
# table) is left out as it is not a character.
_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each is sent as ESC + code, two septets.
_EXTENSION = "\f^{}\\[~]|€"

# Text made only of these is one septet per character, and a part may end after any of them
# (CR LF is one grapheme cluster, but two characters to the network).
_NOT_SIMPLE = re.compile("[^" + re.escape(_BASIC) + "]")
_NOT_GSM = re.compile("[^" + re.escape(_BASIC + _EXTENSION) + "]")
_EXTENSION_CHAR = re.compile("[" + re.escape(_EXTENSION) + "]")
_GRAPHEME = regex.compile(r"\X")

# Tokens for packing: group 1 is a run of one-unit characters, each a grapheme cluster of its
# own (CR and LF counted apart), so a part may end anywhere in it; group 2 is one grapheme
# cluster, never to be cut. In GSM-7 text every basic character qualifies (no combining marks
# exist there).
_GSM_TOKENS = regex.compile("([" + regex.escape(_BASIC) + r"]+)|(\X)")
# In UCS-2 text a run holds CR, LF and BMP characters that no grapheme rule (UAX #29) joins to
# their neighbours, and its last one must not be followed by a mark or joiner that attaches to it.
_UCS2_TOKENS = regex.compile(
    r"([[\p{GCB=Other}\n\r]--[\p{Extended_Pictographic}\p{InCB=Consonant}\U00010000-\U0010FFFF]]+)"
    r"(?![\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}])|(\X)",
    regex.V1,
)

GSM7_SINGLE = 160
GSM7_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67


@dataclass(frozen=True, slots=True)
class Trigger:
    """A character outside GSM-7 that forces the whole message into UCS-2."""

    index: int
    char: str


@dataclass(frozen=True, slots=True)
class Segmentation:
    """How a text is encoded and split into billed parts; units are septets in GSM-7 (an
    extension character takes two) and 16-bit code units in UCS-2."""

    encoding: Encoding
    parts: tuple[str, ...]
    part_count: int
    units_used: int
    units_left_in_last_part: int
    ucs2_triggers: tuple[Trigger, ...]


@dataclass(frozen=True, slots=True)
class Replacement:
    """A substitution that keeps the message in GSM-7, and its effect on the part count.

    `from_char` is one character as a reader sees it (a grapheme cluster, so possibly a letter
    and a combining accent). Replacements are listed lossless first; `parts_before` and
    `parts_after` count parts with every earlier replacement applied, without and with this one.
    """

    from_char: str
    to: str
    count: int
    parts_before: int
    parts_after: int
    lossy: bool


@lru_cache(maxsize=64)  # a body is measured by several steps of one check (see within_parts)
def measure(text: str) -> Segmentation:
    """Encoding, parts and units of `text` as it would be sent."""
    if _NOT_SIMPLE.search(text) is None:
        return _measure_simple(text)
    return _measure_clusters(text)


def _measure_simple(text: str) -> Segmentation:
    """One septet per character, no cluster longer than a character: plain slicing."""
    units = len(text)
    if units <= GSM7_SINGLE:
        return Segmentation("gsm7", (text,), 1, units, GSM7_SINGLE - units, ())
    parts = tuple(text[start : start + GSM7_PART] for start in range(0, units, GSM7_PART))
    left = GSM7_PART - len(parts[-1])
    return Segmentation("gsm7", parts, len(parts), units, left, ())


def _measure_clusters(text: str) -> Segmentation:
    """The general case: pack whole grapheme clusters into parts."""
    triggers = tuple(Trigger(found.start(), found.group()) for found in _NOT_GSM.finditer(text))
    encoding: Encoding
    if triggers:
        encoding, units, single, per_part = "ucs2", _ucs2_units, UCS2_SINGLE, UCS2_PART
        tokens = _UCS2_TOKENS
    else:
        encoding, units, single, per_part = "gsm7", _septets, GSM7_SINGLE, GSM7_PART
        tokens = _GSM_TOKENS
    total = units(text)
    if total <= single:
        return Segmentation(encoding, (text,), 1, total, single - total, triggers)
    cuts: list[int] = []
    end = used = 0
    for token in tokens.finditer(text):
        run, cluster = token.group(1, 2)
        if run is None:
            for piece, size in _pieces(cluster, per_part, units):
                if used + size > per_part:
                    cuts.append(end)
                    used = 0
                end += len(piece)
                used += size
            continue
        length = len(run)
        while used + length > per_part:
            room = per_part - used
            end += room
            length -= room
            used = 0
            cuts.append(end)
        end += length
        used += length
    bounds = [0, *cuts, len(text)]
    parts = tuple(text[start:stop] for start, stop in pairwise(bounds))
    return Segmentation(encoding, parts, len(parts), total, per_part - used, triggers)


def _pieces(cluster: str, per_part: int, units: Callable[[str], int]) -> Iterator[tuple[str, int]]:
    """A cluster as one piece; one too big for any part is cut between its code points."""
    size = units(cluster)
    if size <= per_part:
        yield cluster, size
    else:
        yield from ((char, units(char)) for char in cluster)


def _septets(text: str) -> int:
    return len(text) + len(_EXTENSION_CHAR.findall(text))


def _ucs2_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# Substitutions that keep the meaning: typographic apostrophes, quotes, dashes and ellipsis.
# Space separators other than the plain space become a plain space (see `_substitute`).
_LOSSLESS = {
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "−": "-",
    "…": "...",
}
# Letters with no accent-folded single letter.
_LOSSY = {"œ": "oe", "Œ": "OE"}


def _substitute(cluster: str, allow_lossy: bool) -> tuple[str, bool] | None:
    """The GSM-7 text to send instead of `cluster`, and whether that loses information."""
    if cluster in _LOSSLESS:
        return _LOSSLESS[cluster], False
    if len(cluster) == 1 and cluster != " " and unicodedata.category(cluster) == "Zs":
        return " ", False
    composed = unicodedata.normalize("NFC", cluster)
    if composed != cluster and _NOT_GSM.search(composed) is None:
        return composed, False
    if not allow_lossy:
        return None
    if cluster in _LOSSY:
        return _LOSSY[cluster], True
    decomposed = unicodedata.normalize("NFD", cluster)
    base, marks = decomposed[0], decomposed[1:]
    if base.isascii() and base.isalpha() and marks and _only_marks(marks):
        return base, True
    return None


def _only_marks(chars: str) -> bool:
    return all(unicodedata.category(char) == "Mn" for char in chars)


def _plan(text: str, allow_lossy: bool) -> tuple[tuple[str, ...], dict[str, tuple[str, bool]]]:
    """The text's clusters, and the substitution for each cluster that has one."""
    if _NOT_GSM.search(text) is None:
        return (), {}
    clusters = _clusters(text)
    plan: dict[str, tuple[str, bool]] = {}
    for cluster in dict.fromkeys(clusters):  # each distinct cluster, in order of appearance
        if _NOT_GSM.search(cluster) is not None:
            found = _substitute(cluster, allow_lossy)
            if found is not None:
                plan[cluster] = found
    # Lossless first, each group in order of first appearance (sorting is stable).
    return clusters, dict(sorted(plan.items(), key=lambda item: item[1][1]))


@lru_cache(maxsize=16)  # a body is planned twice by one check: lossless, then lossy too
def _clusters(text: str) -> tuple[str, ...]:
    return tuple(_GRAPHEME.findall(text))


def suggest_replacements(text: str, allow_lossy: bool = False) -> tuple[Replacement, ...]:
    """Meaning-keeping substitutions towards GSM-7; accent folding too when `allow_lossy`."""
    clusters, plan = _plan(text, allow_lossy)
    applied: dict[str, str] = {}
    parts = measure(text).part_count
    suggestions: list[Replacement] = []
    for cluster, (to, lossy) in plan.items():
        applied[cluster] = to
        after = measure("".join(map(applied.get, clusters, clusters))).part_count  # get(c, c)
        count = clusters.count(cluster)
        suggestions.append(Replacement(cluster, to, count, parts, after, lossy))
        parts = after
    return tuple(suggestions)


def apply_replacements(text: str, allow_lossy: bool = False) -> str:
    """`text` with every substitution `suggest_replacements` proposes."""
    clusters, plan = _plan(text, allow_lossy)
    if not plan:
        return text
    return "".join(plan[c][0] if c in plan else c for c in clusters)
