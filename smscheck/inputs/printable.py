"""Printable lines: a JSON line without escapes whose text is all printable holds no character
that a text field refuses, so its text fields need no check one by one (a Python call per
string, at campaign scale a sizeable part of reading a line)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic_core import SchemaValidator

from smscheck.models import clean_text


def printable(raw: bytes) -> bool:
    """Whether every string of this JSON text is printable, as every key: no escape (the
    strings are as written), UTF-8, and printable text but for the line ending."""
    if b"\\" in raw:
        return False
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return False
    return text.rstrip("\r\n").isprintable()


def without_text_checks(model: type[BaseModel]) -> SchemaValidator:
    """A validator of `model` as its own, but that does not check its text fields: for
    printable input only, whose text they accept (equal values, of the same classes)."""
    schema = _unchecked(model.__pydantic_core_schema__)
    # pydantic-core reuses the validator of a complete model class where the schema names it:
    # the classes are shown as incomplete while the schema is compiled, for it to be used.
    classes = {cls for cls in _classes(schema) if cls.__dict__.get("__pydantic_complete__")}
    try:
        for cls in classes:
            cls.__pydantic_complete__ = False
        return SchemaValidator(schema)
    finally:
        for cls in classes:
            cls.__pydantic_complete__ = True


def _classes(node: Any) -> Iterator[type[BaseModel]]:
    """The model classes a core schema builds."""
    if isinstance(node, dict):
        if node.get("type") == "model":
            yield node["cls"]
        for value in node.values():
            yield from _classes(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _classes(value)


def _unchecked(node: Any) -> Any:
    """A copy of a core schema without its `clean_text` validators."""
    if isinstance(node, dict):
        if node.get("type") == "function-after" and node["function"]["function"] is clean_text:
            return _unchecked(node["schema"])
        return {key: _unchecked(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return type(node)(map(_unchecked, node))
    return node
