"""Strict JSON: UTF-8 only (a leading byte order mark is skipped), no duplicate keys, no NaN or
Infinity, no lone surrogates, no control characters in text other than tab, line feed and
carriage return, nesting at most MAX_DEPTH deep."""

from __future__ import annotations

import json
import re
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from smscheck.inputs.bounds import BOM, MAX_DEPTH
from smscheck.inputs.located import InputError, field_path, key_text
from smscheck.models import unreadable_character


class ExtraData(InputError):
    """A JSON value followed by more: perhaps JSON Lines."""


# What may bring such characters into JSON text: escapes, raw DEL and C1 (JSON allows them).
_SUSPECT = re.compile(rb"\\u00[0189][0-9a-fA-F]|\\u007[fF]|\\[bf]|\x7f|\xc2[\x80-\x9f]")
_SUSPECT_TEXT = re.compile(
    r"\\u00[0189][0-9a-fA-F]|\\u007[fF]|\\[bf]|[\x7f-\x9f]|\\u[dD][89a-fA-F]"
)
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def check_line(raw: bytes, model: BaseModel, *, known_printable: bool = False) -> None:
    """The checks the fast parser skips, done by the strict parser only when needed: when the
    line may hold a control character (not when `known_printable`, see inputs.printable) or a
    repeated key (the fast parser keeps the last)."""
    suspect = not known_printable and _SUSPECT.search(raw)
    if suspect or written_keys(raw) != keys_kept(model):
        loads(raw)


def written_keys(raw: bytes) -> int:
    """The `":` of a line of JSON once its whitespace is removed: one per key written, and
    more only where a string holds an escaped quote."""
    return raw.translate(None, b" \t\r").count(b'":')


# Each key is written `"key":` once spaces are removed, and the fast parser keeps one field or
# dict entry per distinct key: so a line has at least as many `":` as the keys kept, more only
# when a key repeats (or a string holds `":`, or a space before a quote). Equal counts prove
# that no key repeats, for the cost of counting.


def keys_kept(model: BaseModel) -> int:
    """The keys a parsed model holds: fields given and dict entries, nested ones included."""
    given = model.__pydantic_fields_set__
    nested = _NESTED.get(type(model))
    if nested is None:
        nested = _nested_fields(type(model))
    total = len(given)
    values = model.__dict__
    for name in nested:
        if name in given:
            value = values[name]
            if isinstance(value, BaseModel):
                total += keys_kept(value)
            elif isinstance(value, tuple):
                for item in value:
                    if isinstance(item, BaseModel):
                        total += keys_kept(item)
            elif isinstance(value, dict):
                total += len(value)
                for item in value.values():
                    if isinstance(item, BaseModel):
                        total += keys_kept(item)
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


def loads(data: bytes | str) -> object:
    """Parse JSON strictly (see the module's docstring); InputError says what is wrong."""
    if isinstance(data, bytes):
        skipped = 3 if data.startswith(BOM) else 0
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
            raise ExtraData(
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
        check_strings(document)
    return document


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise InputError(f"duplicate key {key_text(key)!r}")
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


def check_strings(document: object) -> None:
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
    return unreadable_character(text) is None


def _check_text(text: str, path: tuple[str | int, ...], *, key: bool = False) -> None:
    what = "a key" if key else "the text"
    # Format characters are the models' concern (text of a case), not JSON's: an inbound reply
    # may hold them and must still be read.
    reason = unreadable_character(text)
    if reason is not None:
        raise InputError(f"{field_path(path)}: {what} {reason}")
