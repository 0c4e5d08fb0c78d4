"""Accent- and case-insensitive matching that keeps offsets into the original text."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

from smscheck.phones import mask
from smscheck.verdicts import Span


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFKD", char)[0].lower()
    return base if len(base) == 1 else char


def fold(text: str) -> str:
    """Lower case without accents, one character per character so offsets still hold."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def find_name(body: str, name: str) -> Span | None:
    """Where `name` stands in `body` as whole words, ignoring case, accents and hyphens/spaces."""
    pattern = _name_pattern(name)
    match = None if pattern is None else pattern.search(_folded_body(body))
    if match is None:
        return None
    return Span(start=match.start(), end=match.end(), text=body[match.start() : match.end()])


@lru_cache(maxsize=1024)  # a campaign's names and its recipients' referrers
def _name_pattern(name: str) -> regex.Pattern[str] | None:
    words = [regex.escape(word) for word in regex.split(r"[\s\-‐‑'’]+", fold(name)) if word]
    if not words:
        return None
    return regex.compile(r"(?<!\w)" + r"[\s\-‐‑'’]*".join(words) + r"(?!\w)")


@lru_cache(maxsize=64)  # one body is searched for each name, by several rules
def _folded_body(body: str) -> str:
    return fold(body)


@lru_cache(maxsize=1024)  # sender fields, campaign names and consent collectors repeat
def alnum(text: str) -> str:
    """Folded letters and digits only: how a sender field is compared with a name."""
    return "".join(char for char in fold(text) if char.isalnum())


def shown_sender(sender: str) -> str:
    """The sender field as messages quote it: a phone number is masked like any other."""
    return mask(sender) if sum(char.isdigit() for char in sender) >= 6 else sender
