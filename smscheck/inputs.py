"""Reading cases from files: one JSON document, or JSON Lines read one line at a time.

Accepted documents: a case (`message`, `recipient`, `campaign`); a seed (`case` plus
`expected`); and in JSON Lines a campaign: a line `{"template": {"message": ..., "campaign": ...}}`
followed by recipient lines, each a recipient with optional `merge` fields that fill the
template's `{placeholders}`.

Reading is strict and bounded whatever the bytes: UTF-8 only (a leading byte order mark is
skipped), no duplicate keys, no NaN or Infinity, no lone surrogates, no control characters in
text other than tab, line feed and carriage return, nesting at most MAX_DEPTH deep, a document
at most MAX_DOCUMENT_BYTES and a JSON Lines line at most MAX_LINE_BYTES. Every problem becomes
an error naming the field (the line is in the item's location) that never quotes the data.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, get_args, get_origin

from pydantic import BaseModel, Field, ValidationError

from smscheck.models import MAX_BODY_CHARS, Campaign, Case, Frozen, Message, Recipient, trusted
from smscheck.phones import mask

LINE_SUFFIXES = (".jsonl", ".ndjson")
MAX_DEPTH = 64
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
MAX_LINE_BYTES = 1024 * 1024  # its line ending included
MAX_PROBLEMS = 5  # validation problems listed in one error message

_BOM = b"\xef\xbb\xbf"


class InputError(ValueError):
    """An input that is not a case; the message names the field, never the data."""


class _EndlessLine(InputError):
    """A line so long that the rest of the input is given up."""


class _ExtraData(InputError):
    """A JSON value followed by more: perhaps JSON Lines."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where an input was read: `file`, `file:line` (JSON Lines) or `file[entry]` (the entry of
    a JSON array, counted from 1)."""

    file: str
    line: int | None = None
    entry: int | None = None

    def __str__(self) -> str:
        if self.entry is not None:
            return f"{self.file}[{self.entry}]"
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


# --- error messages -------------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"[^\W\d][\w-]{0,39}")


def _key_text(part: str | int) -> str:
    """A key for an error message: field names as they are; a key that may be data (a number,
    a long or odd string) masked like a phone number, so that no message gives it away."""
    if isinstance(part, int):
        return str(part)
    if _PLAIN_KEY.fullmatch(part) and sum(char.isdigit() for char in part) < 5:
        return part
    if len(part) > 40:
        return f"(a key of {len(part)} characters)"
    shown = mask(part)
    return shown if shown.isprintable() else "(a key)"


def _where(loc: Iterable[str | int], prefix: str = "") -> str:
    parts = [_key_text(part) for part in loc if part != "[key]"]
    return prefix + ".".join(parts) if parts else (prefix.rstrip(".") or "(document)")


# Pydantic's wording where it speaks of Python types.
_PLAIN_MESSAGES = {
    "model_type": "expected a JSON object",
    "model_attributes_type": "expected a JSON object",
    "dict_type": "expected a JSON object",
    "tuple_type": "expected a JSON array",
}


def describe_validation(error: ValidationError, prefix: str = "") -> str:
    """Each problem as `field.path: reason`, without echoing the input values."""
    problems = error.errors(include_url=False, include_input=False, include_context=False)
    parts = []
    for problem in problems[:MAX_PROBLEMS]:
        where = _where(problem["loc"], prefix)
        message = _PLAIN_MESSAGES.get(problem["type"], problem["msg"])
        if problem["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    if len(problems) > MAX_PROBLEMS:
        parts.append(f"and {len(problems) - MAX_PROBLEMS} more problem(s)")
    return "; ".join(parts)


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "null" if value is None else type(value).__name__


# --- documents ------------------------------------------------------------------------------


def case_from(document: object) -> Case:
    """A case from a parsed JSON value: a case or a seed. Text is checked as strictly as in
    files (no lone surrogates or control characters)."""
    _check_strings(document)
    return _case(document)


def _case(document: object) -> Case:
    prefix = ""
    if isinstance(document, dict) and "case" in document:
        document, prefix = document["case"], "case."
    if not isinstance(document, dict | BaseModel):
        where = prefix.rstrip(".") or "(document)"
        raise InputError(f"{where}: expected a JSON object (a case), found {_kind(document)}")
    try:
        return Case.model_validate(document)
    except ValidationError as exc:
        raise InputError(describe_validation(exc, prefix)) from None


def read(path: str, stdin: IO[bytes] | None = None) -> Iterator[Item]:
    """The items of one input (`-` is standard input)."""
    if path == "-":
        if stdin is None:
            raise InputError("no standard input")
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
            if file.suffix in LINE_SUFFIXES:
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
    lines = bounded_lines(_Joined(head, handle).readline)
    blank = 0
    for first in lines:
        if first.strip():
            break
        blank += 1
    else:
        yield Item(Location(path), error="empty input")
        return
    try:
        _loads(first)
    except InputError:
        limit = MAX_DOCUMENT_BYTES // (1024 * 1024)
        yield Item(
            Location(path),
            error=f"larger than {limit} MiB and not JSON Lines: too big for one JSON document",
        )
        return
    yield from read_lines(path, _chain(first, lines), start=blank + 1)


def _read_document_or_lines(path: str, data: bytes) -> Iterator[Item]:
    try:
        document = _loads(data)
    except _ExtraData:
        yield from read_lines(path, bounded_lines(io.BytesIO(data).readline))
        return
    except InputError as exc:
        yield Item(Location(path), error=str(exc))
        return
    if isinstance(document, dict) and set(document) == {"template"}:
        error = "a campaign template and no recipient: in JSON Lines, recipient lines follow it"
        yield Item(Location(path), error=error)
    elif isinstance(document, list):
        for index, entry in enumerate(document, start=1):
            yield _item(Location(path, entry=index), entry)
    else:
        yield _item(Location(path), document)


def _item(location: Location, document: object) -> Item:
    try:
        return Item(location, case=_case(document))
    except InputError as exc:
        return Item(location, error=str(exc))


# --- JSON Lines -----------------------------------------------------------------------------


def bounded_lines(readline: Callable[[int], bytes]) -> Iterator[bytes]:
    """Lines from `readline`, memory bounded even on endless input: a line longer than
    MAX_LINE_BYTES comes as its first MAX_LINE_BYTES + 1 bytes (an error when read), the rest
    of it skipped; _EndlessLine if that rest goes on beyond MAX_DOCUMENT_BYTES (/dev/zero)."""
    limit = MAX_LINE_BYTES + 1
    while line := readline(limit):
        yield line
        if len(line) == limit and not line.endswith(b"\n"):
            skipped = 0
            while (rest := readline(limit)) and not rest.endswith(b"\n"):
                skipped += len(rest)
                if skipped > MAX_DOCUMENT_BYTES:
                    raise _EndlessLine(
                        f"a line longer than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB: "
                        "the rest of the input is not read"
                    )


class _Joined:
    """Bytes already read, then the rest of the stream, line by line."""

    def __init__(self, head: bytes, handle: IO[bytes]) -> None:
        self.head = io.BytesIO(head)
        self.handle = handle

    def readline(self, limit: int) -> bytes:
        line = self.head.readline(limit)
        if line.endswith(b"\n") or len(line) == limit:
            return line
        return line + self.handle.readline(limit - len(line))


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def is_template_line(raw: bytes) -> bool:
    """Cheap test for a campaign template line; confirmed by parsing."""
    return b'"template"' in raw


_TEMPLATE_START = re.compile(rb'\s*(?:\xef\xbb\xbf)?\s*\{\s*"template"\s*:')


class LineReader:
    """Reads JSON Lines of one file, remembering the campaign template lines set."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.template: Template | None = None
        self.template_error: int | None = None
        self._body: MergeBody | None = None
        # Filled bodies repeat (first names): one message object per distinct body and template.
        self._messages: dict[str, Message] = {}
        self._template_line: int | None = None
        self._used = True  # whether the template in force has had a recipient line
        self._last: int | None = None

    @staticmethod
    def sets_template(raw: bytes) -> bool:
        """Whether this line is a template line (a JSON object whose only key is `template`)."""
        try:
            document = _loads(raw)
        except InputError:
            return False
        return isinstance(document, dict) and set(document) == {"template"}

    def feed(self, number: int, raw: bytes) -> Item | None:
        """The item of line `number`; None for blank lines and template lines that parse.

        A template line that follows a template no recipient line used is an error at the
        earlier template's line (lines this reader was not given, as when a batch cuts a file
        into chunks, count as used).
        """
        if self._last is not None and number != self._last + 1:
            self._used = True
        self._last = number
        location = Location(self.path, number)
        if len(raw) > MAX_LINE_BYTES:
            if _TEMPLATE_START.match(raw):
                self._drop_template(number)
            else:
                self._used = True
            return Item(location, error=f"line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB")
        if not raw.strip():
            return None
        if raw.startswith(_BOM):
            if number != 1:
                return Item(location, error="a byte order mark in the middle of the file")
            raw = raw[len(_BOM) :]
        if is_template_line(raw):
            try:
                document = _loads(raw)
            except InputError as exc:
                if _TEMPLATE_START.match(raw):
                    self._drop_template(number)
                else:
                    self._used = True
                return Item(location, error=str(exc))
            if isinstance(document, dict) and set(document) == {"template"}:
                return self._set_template(number, document["template"])
        self._used = True
        if self.template_error is not None:
            return Item(
                location, error=f"follows the invalid template of line {self.template_error}"
            )
        if self.template is not None:
            return _personal(location, raw, self.template, self._body, self._messages)
        return _line(location, raw)

    def finish(self, last_line: int | None = None) -> Item | None:
        """At the end of the input: an error if the last template had no recipient line.

        `last_line`: the input's last line number, when this reader was not given every line
        (lines after the last one it was given count as used)."""
        if last_line is not None and self._last is not None and last_line != self._last:
            self._used = True
        if self._used or self._template_line is None:
            return None
        return Item(
            Location(self.path, self._template_line),
            error="template line with no recipient line after it",
        )

    def _set_template(self, number: int, document: object) -> Item | None:
        unused = self.finish()
        try:
            template = Template.model_validate(document)
            body = MergeBody.parse(template.message.body)
        except ValidationError as exc:
            self._drop_template(number)
            return Item(Location(self.path, number), error=describe_validation(exc, "template."))
        except ValueError as exc:
            self._drop_template(number)
            return Item(Location(self.path, number), error=f"template.message.body: {exc}")
        if not body.names and body.text != template.message.body:  # braces written {{ }}
            message = template.message.model_copy(update={"body": body.text})
            template = template.model_copy(update={"message": message})
        self.template, self.template_error = template, None
        self._body = body if body.names else None
        self._messages = {}
        self._template_line, self._used = number, False
        return unused

    def _drop_template(self, number: int) -> None:
        self.template, self.template_error, self._body = None, number, None
        self._template_line, self._used = None, True


def read_lines(path: str, lines: Iterable[bytes], start: int = 1) -> Iterator[Item]:
    """JSON Lines, one item per non-blank line, streaming; a bad line never stops the rest."""
    reader = LineReader(path)
    number = start - 1
    try:
        for number, raw in enumerate(lines, start=start):
            item = reader.feed(number, raw)
            if item is not None:
                yield item
    except _EndlessLine as exc:
        yield Item(Location(path, number), error=str(exc))
        return
    unused = reader.finish()
    if unused is not None:
        yield unused


def _line(location: Location, raw: bytes) -> Item:
    """A line outside any campaign: a whole case (or a seed)."""
    try:
        case = Case.model_validate_json(raw)
    except ValidationError as exc:
        document = _loads_or_none(raw)
        if isinstance(document, dict) and "case" in document:  # a seed
            return _item(location, document)
        return Item(location, error=_line_error(raw, exc, top_level=True))
    try:
        _check_line(raw, case)
    except InputError as exc:
        return Item(location, error=str(exc))
    return Item(location, case=case)


_MAX_MESSAGES = 4096
_RECIPIENT_FIELDS = tuple(Recipient.model_fields)


def _personal(
    location: Location,
    raw: bytes,
    template: Template,
    body: MergeBody | None,
    messages: dict[str, Message],
) -> Item:
    """A recipient line of a campaign: the template's message, its merge fields filled.

    The parts were validated (the line, the template), so the case is assembled as it is."""
    try:
        line = RecipientLine.model_validate_json(raw)
    except ValidationError as exc:
        return Item(location, error=_line_error(raw, exc, top_level=False))
    try:
        _check_line(raw, line)
        message = template.message
        if body is not None:
            text = body.fill(line.merge)
            found = messages.get(text)
            if found is None:
                if len(messages) >= _MAX_MESSAGES:
                    messages.clear()
                found = messages[text] = trusted(Message, {**message.__dict__, "body": text})
            message = found
    except InputError as exc:
        return Item(location, error=str(exc))
    fields = line.__dict__
    recipient = trusted(Recipient, {name: fields[name] for name in _RECIPIENT_FIELDS})
    case = trusted(
        Case, {"message": message, "recipient": recipient, "campaign": template.campaign}
    )
    return Item(location, case=case)


_CASE_KEYS = frozenset(Case.model_fields) | {"case"}
_RECIPIENT_KEYS = frozenset(RecipientLine.model_fields)


def _loads_or_none(raw: bytes) -> object:
    try:
        return _loads(raw)
    except InputError:
        return None


def _line_error(raw: bytes, error: ValidationError, *, top_level: bool) -> str:
    """The error of a line the fast parser refused, as clear as a full parse can make it."""
    try:
        document = _loads(raw)
    except InputError as exc:
        return str(exc)
    if not isinstance(document, dict):
        return f"(document): expected a JSON object, found {_kind(document)}"
    if top_level:
        keys = set(document)
        if "number" in keys and keys <= _RECIPIENT_KEYS and not keys & _CASE_KEYS:
            return (
                "a recipient line before any template line: a line "
                '{"template": {"message": ..., "campaign": ...}} must come first'
            )
    return describe_validation(error)


# --- merge fields ---------------------------------------------------------------------------

_BRACES = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_FIELD = re.compile(r"[^\W\d][\w-]{0,63}")


@dataclass(frozen=True, slots=True)
class MergeBody:
    """A template body, ready to be filled for each recipient line.

    Only `{name}` is a field (letters, digits, `_` and `-`); `{{` and `}}` stand for braces.
    Anything else in braces is refused, so that a template cannot reach attributes or indexes
    (`{x.__class__}`, `{x[0]}`), call conversions (`{x!r}`) or ask for huge padding
    (`{x:>99999999}`), as `str.format` would let it. `layout` is the body rewritten for
    `str.format_map` with nothing but plain names in its fields and the text's braces doubled:
    filling it only looks the names up, at the speed of `str.format_map`.
    """

    text: str  # the body, braces undoubled (what is sent when there is no field)
    layout: str
    names: frozenset[str]

    @classmethod
    def parse(cls, body: str) -> MergeBody:
        """The body's fields; ValueError saying where a brace is wrong."""
        text: list[str] = []
        layout: list[str] = []
        names: set[str] = set()
        last = 0
        for match in _BRACES.finditer(body):
            text.append(body[last : match.start()])
            layout.append(_double(body[last : match.start()]))
            last = match.end()
            token = match.group()
            if token in ("{{", "}}"):
                text.append(token[0])
                layout.append(token)
                continue
            name = match.group(1)
            column = match.start() + 1
            if name is None:
                raise ValueError(
                    f"unmatched {token!r} at character {column}; "
                    f"write {token * 2} for the brace itself"
                )
            if not _FIELD.fullmatch(name):
                shown = token if len(token) <= 40 else token[:39] + "…"
                raise ValueError(
                    f"{shown!r} at character {column} is not a merge field: write {{name}} "
                    "(letters, digits, _ or -), and {{ or }} for a brace"
                )
            text.append(token)
            layout.append(token)
            names.add(name)
        text.append(body[last:])
        layout.append(_double(body[last:]))
        return cls("".join(text), "".join(layout), frozenset(names))

    def fill(self, merge: dict[str, str]) -> str:
        """The body with each field replaced by its merge value (values are not templates in
        turn); InputError naming the fields missing, or if the body grows too long."""
        try:
            body = self.layout.format_map(merge)
        except KeyError:
            missing = sorted(self.names - merge.keys())
            listed = ", ".join(f"{{{name}}}" for name in missing[:MAX_PROBLEMS])
            raise InputError(f"merge: no value for {listed}") from None
        if len(body) > MAX_BODY_CHARS:
            raise InputError(
                f"merge: the filled body has {len(body)} characters, more than {MAX_BODY_CHARS}"
            )
        return body


def _double(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


# --- strict JSON ----------------------------------------------------------------------------

# Text characters refused: C0 controls but tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# What may bring such characters into JSON text: escapes, raw DEL and C1 (JSON allows them).
_SUSPECT = re.compile(rb"\\u00[0189][0-9a-fA-F]|\\u007[fF]|\\[bf]|\x7f|\xc2[\x80-\x9f]")
_SUSPECT_TEXT = re.compile(
    r"\\u00[0189][0-9a-fA-F]|\\u007[fF]|\\[bf]|[\x7f-\x9f]|\\u[dD][89a-fA-F]"
)
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _check_line(raw: bytes, model: BaseModel) -> None:
    """The checks the fast parser skips, done by the strict parser only when needed: when the
    line may hold a control character or a repeated key (the fast parser keeps the last)."""
    if _SUSPECT.search(raw) or raw.translate(None, b" \t\r").count(b'":') != _keys_kept(model):
        _loads(raw)


# Each key is written `"key":` once spaces are removed, and the fast parser keeps one field or
# dict entry per distinct key: so a line has at least as many `":` as the keys kept, more only
# when a key repeats (or a string holds `":`, or a space before a quote). Equal counts prove
# that no key repeats, for the cost of counting.


def _keys_kept(model: BaseModel) -> int:
    """The keys a parsed model holds: fields given and dict entries, nested ones included."""
    given = model.model_fields_set
    total = len(given)
    for name in _nested_fields(type(model)):
        if name in given:
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                total += _keys_kept(value)
            elif isinstance(value, tuple):
                for item in value:
                    if isinstance(item, BaseModel):
                        total += _keys_kept(item)
            elif isinstance(value, dict):
                total += len(value)
                for item in value.values():
                    if isinstance(item, BaseModel):
                        total += _keys_kept(item)
                    else:
                        break  # a dict of plain values (every dict of the models)
    return total


_NESTED: dict[type[BaseModel], tuple[str, ...]] = {}


def _nested_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model whose values may hold keys (models, dicts, tuples of them)."""
    found = _NESTED.get(model)
    if found is None:
        found = _NESTED[model] = tuple(
            name for name, info in model.model_fields.items() if _holds_keys(info.annotation)
        )
    return found


def _holds_keys(annotation: object) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel | dict):
        return True
    if get_origin(annotation) is dict:
        return True
    return any(_holds_keys(argument) for argument in get_args(annotation))


def _loads(data: bytes | str) -> object:
    """Parse JSON strictly (see the module's docstring); InputError says what is wrong."""
    if isinstance(data, bytes):
        skipped = 3 if data.startswith(_BOM) else 0
        try:
            text = data[skipped:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start + skipped + 1})") from None
    else:
        text = data
    if not text.strip():
        raise InputError("empty input")
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except InputError:
        raise
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            raise _ExtraData(
                f"invalid JSON: more after the first value (line {exc.lineno})"
            ) from None
        raise InputError(
            f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise InputError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # an integer of more than 4,300 digits
        raise InputError("invalid JSON: a number too long to read") from None
    if text.count("[") + text.count("{") > MAX_DEPTH and _too_deep(text):
        raise InputError(f"JSON nested deeper than {MAX_DEPTH} levels")
    if _SUSPECT_TEXT.search(text):
        _check_strings(document)
    return document


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise InputError(f"duplicate key {_key_text(key)!r}")
        document[key] = value
    return document


def _no_constant(name: str) -> object:
    raise InputError(f"invalid JSON: {name} is not a JSON number")


def _too_deep(text: str) -> bool:
    """Whether valid JSON text nests deeper than MAX_DEPTH (brackets in strings aside)."""
    brackets = nested = _NOT_BRACKET.sub("", _STRING.sub("", text))
    # Removing the innermost pairs of one kind lowers the depth by at most one level, so a
    # text emptied in n passes of both kinds is at most 2n deep: quick for ordinary files.
    for _ in range(MAX_DEPTH // 2):
        if not nested:
            return False
        nested = nested.replace("[]", "").replace("{}", "")
    if not nested:
        return False
    depth = 0
    for char in brackets:
        depth += 1 if char in "[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


def _check_strings(document: object) -> None:
    """InputError naming the first place where a key or a string holds a lone surrogate or a
    refused control character, or where nesting is deeper than MAX_DEPTH."""
    if _clean(document):
        return
    stack: list[tuple[object, tuple[str | int, ...]]] = [(document, ())]
    while stack:  # again, slowly, to say where
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise InputError(f"JSON nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, str):
            _check_text(node, path)
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str):
                    _check_text(key, path, key=True)
                stack.append((value, (*path, key)))
        elif isinstance(node, list | tuple):
            stack.extend((value, (*path, index)) for index, value in enumerate(node))


def _clean(document: object) -> bool:
    """Quickly: whether every key and string is clean and nesting is within MAX_DEPTH."""
    level: list[object] = [document]
    for _ in range(MAX_DEPTH + 1):
        below: list[object] = []
        for node in level:
            if isinstance(node, dict):
                for key in node:
                    if isinstance(key, str) and not _clean_text(key):
                        return False
                below.extend(node.values())
            elif isinstance(node, list | tuple):
                below.extend(node)
            elif isinstance(node, str) and not _clean_text(node):
                return False
        if not below:
            return True
        level = below
    return False


def _clean_text(text: str) -> bool:
    # Printable text has neither (both are Unicode category C): the usual case, checked at once.
    return text.isprintable() or not (_SURROGATE.search(text) or _CONTROL.search(text))


def _check_text(text: str, path: tuple[str | int, ...], *, key: bool = False) -> None:
    what = "a key" if key else "the text"
    if _SURROGATE.search(text):
        raise InputError(f"{_where(path)}: {what} holds a lone surrogate (not Unicode text)")
    found = _CONTROL.search(text)
    if found:
        code = f"U+{ord(found.group()):04X}"
        raise InputError(
            f"{_where(path)}: {what} holds the control character {code} "
            "(only tab, line feed and carriage return are allowed)"
        )
