"""Reading cases from files: one JSON document, or JSON Lines read one line at a time.

Accepted documents: a case (`message`, `recipient`, `campaign`); a seed (`case` plus
`expected`); and in JSON Lines a campaign: a line `{"template": {"message": ..., "campaign": ...}}`
followed by recipient lines, each a recipient with optional `merge` fields that fill the
template's `{placeholders}`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pydantic import Field, ValidationError

from smscheck.models import Campaign, Case, Frozen, Message, Recipient

LINE_SUFFIXES = (".jsonl", ".ndjson")
MAX_DEPTH = 64


class InputError(ValueError):
    """An input that is not a case; the message names the field, never the data."""


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int | None = None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Item:
    """One input: a case to check, or the reason it could not be read."""

    location: Location
    case: Case | None = None
    error: str | None = None


class Template(Frozen):
    message: Message
    campaign: Campaign


class RecipientLine(Recipient):
    merge: dict[str, str] = Field(default_factory=dict)


def describe_validation(error: ValidationError) -> str:
    """Each problem as `field.path: reason`, without echoing the input values."""
    parts = []
    for problem in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in problem["loc"]) or "(document)"
        parts.append(f"{where}: {problem['msg']}")
    return "; ".join(parts)


def case_from(document: object) -> Case:
    """A case from a parsed JSON value: a case or a seed."""
    if isinstance(document, dict) and "case" in document:
        document = document["case"]
    try:
        return Case.model_validate(document)
    except ValidationError as exc:
        raise InputError(describe_validation(exc)) from None


def read(path: str, stdin: IO[bytes] | None = None) -> Iterator[Item]:
    """The items of one input (`-` is standard input)."""
    if path == "-":
        if stdin is None:
            raise InputError("no standard input")
        yield from _read_document_or_lines(path, stdin.read())
        return
    file = Path(path)
    try:
        handle = file.open("rb")
    except OSError as exc:
        yield Item(Location(path), error=f"cannot open: {exc.strerror}")
        return
    with handle:
        if file.suffix in LINE_SUFFIXES:
            yield from read_lines(path, handle)
        else:
            yield from _read_document_or_lines(path, handle.read())


def _read_document_or_lines(path: str, data: bytes) -> Iterator[Item]:
    try:
        document = _loads(data)
    except InputError as exc:
        if "Extra data" not in str(exc):
            yield Item(Location(path), error=str(exc))
            return
        yield from read_lines(path, iter(data.splitlines(keepends=True)))
        return
    if isinstance(document, list):
        for index, entry in enumerate(document, start=1):
            yield _item(Location(path, index), entry)
        return
    yield _item(Location(path), document)


def _item(location: Location, document: object) -> Item:
    try:
        return Item(location, case=case_from(document))
    except InputError as exc:
        return Item(location, error=str(exc))


def is_template_line(raw: bytes) -> bool:
    """Cheap test for a campaign template line; confirmed by parsing."""
    return b'"template"' in raw


class LineReader:
    """Reads JSON Lines of one file, remembering the campaign template lines set."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.template: Template | None = None
        self.template_error: int | None = None

    @staticmethod
    def sets_template(raw: bytes) -> bool:
        """Whether this line is a template line (a JSON object whose only key is `template`)."""
        try:
            document = _loads(raw)
        except InputError:
            return False
        return isinstance(document, dict) and set(document) == {"template"}

    def feed(self, number: int, raw: bytes) -> Item | None:
        """The item of line `number`; None for blank lines and template lines that parse."""
        if not raw.strip():
            return None
        location = Location(self.path, number)
        if is_template_line(raw):
            try:
                document = _loads(raw)
            except InputError as exc:
                return Item(location, error=str(exc))
            if isinstance(document, dict) and set(document) == {"template"}:
                try:
                    self.template = Template.model_validate(document["template"])
                    self.template_error = None
                    return None
                except ValidationError as exc:
                    self.template, self.template_error = None, number
                    return Item(location, error="template: " + describe_validation(exc))
        if self.template_error is not None:
            return Item(
                location, error=f"follows the invalid template of line {self.template_error}"
            )
        if self.template is not None:
            return _personal(location, raw, self.template)
        return _line(location, raw)


def read_lines(path: str, lines: Iterable[bytes], start: int = 1) -> Iterator[Item]:
    """JSON Lines, one item per non-blank line, streaming; a bad line never stops the rest."""
    reader = LineReader(path)
    for number, raw in enumerate(lines, start=start):
        item = reader.feed(number, raw)
        if item is not None:
            yield item


def _line(location: Location, raw: bytes) -> Item:
    try:
        return Item(location, case=Case.model_validate_json(raw))
    except ValidationError as exc:
        if exc.errors()[0]["type"].startswith("json"):
            return _item_from_bytes(location, raw)
        return Item(location, error=describe_validation(exc))


def _item_from_bytes(location: Location, raw: bytes) -> Item:
    try:
        return _item(location, _loads(raw))
    except InputError as exc:
        return Item(location, error=str(exc))


def _personal(location: Location, raw: bytes, template: Template) -> Item:
    try:
        line = RecipientLine.model_validate_json(raw)
    except ValidationError as exc:
        return Item(location, error=describe_validation(exc))
    message = template.message
    if line.merge:
        try:
            body = message.body.format_map(line.merge)
        except (KeyError, ValueError, IndexError) as exc:
            return Item(location, error=f"merge: cannot fill the template: {exc!r}")
        message = message.model_copy(update={"body": body})
    recipient = Recipient.model_construct(**{k: getattr(line, k) for k in Recipient.model_fields})
    return Item(
        location,
        case=Case.model_construct(message=message, recipient=recipient, campaign=template.campaign),
    )


def _loads(data: bytes | str) -> object:
    """Parse JSON strictly: UTF-8 only, no duplicate keys, bounded nesting."""
    if isinstance(data, bytes):
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})") from None
    else:
        text = data
    if not text.strip():
        raise InputError("empty input")
    if _depth(text) > MAX_DEPTH:
        raise InputError(f"JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise InputError(f"duplicate key {key!r}")
        document[key] = value
    return document


def _depth(text: str) -> int:
    """Deepest bracket nesting, ignoring brackets inside strings (a cheap pre-check)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest
