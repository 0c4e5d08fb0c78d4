"""Printable lines: a JSON line without escapes whose text is all printable holds no character
that a text field refuses, so its text fields need no check one by one (a Python call per
string, at campaign scale a sizeable part of reading a line); nor need its dates, checked by
pydantic-core within bounds a day narrower than the models' years."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel
from pydantic_core import SchemaValidator

from smscheck.models import FIRST_YEAR, LAST_YEAR, clean_text, in_years


def printable(raw: bytes) -> bool:
    """Whether every string of this JSON text is printable, as every key: no escape (the
    strings are as written), UTF-8, and printable text but for the line ending."""
    # Only what is not printable ASCII (the backslash aside) is looked at: a few letters.
    rest = raw.rstrip(b"\r\n").translate(None, _PLAIN_ASCII)
    if not rest:
        return True
    if b"\\" in rest:
        return False
    try:
        raw.decode()  # then its bytes beyond ASCII are UTF-8 too
    except UnicodeDecodeError:
        return False
    return rest.decode().isprintable()


_PLAIN_ASCII = bytes(byte for byte in range(0x20, 0x7F) if byte != ord("\\"))


def printable_validator(
    model: type[BaseModel], builds: type[BaseModel] | None = None
) -> SchemaValidator:
    """A validator of `model` for printable input only: it does not check text fields (they
    accept printable text) and checks years in pydantic-core. What it accepts, the model
    accepts, to equal values of the same classes; what it refuses, the model refuses, but for
    the instants of the first and last day of the years accepted (to read with the model).

    `builds`: a base class of `model` to build instead, its dict holding `model`'s fields
    (those the base lacks to take out before it is used)."""
    schema = _unchecked(model.__pydantic_core_schema__)
    if builds is not None:
        if not issubclass(model, builds) or schema["type"] != "model":
            raise TypeError(f"a validator of {model.__name__} cannot build {builds.__name__}")
        schema["cls"] = builds
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


_BOUNDS: dict[str, dict[str, date]] = {
    "date": {"ge": date(FIRST_YEAR, 1, 1), "le": date(LAST_YEAR, 12, 31)},
    # Within a day of the bounds, an instant's local year depends on its offset.
    "datetime": {
        "gt": datetime(FIRST_YEAR, 1, 2, tzinfo=UTC),
        "lt": datetime(LAST_YEAR, 12, 31, tzinfo=UTC),
    },
}


def _unchecked(node: Any) -> Any:
    """A copy of a core schema, its `clean_text` validators dropped and its `in_years` ones
    made bounds of the dates and instants."""
    if isinstance(node, dict):
        if node.get("type") == "function-after":
            check, inner = node["function"]["function"], node["schema"]
            if check is clean_text:
                return _unchecked(inner)
            bounds = _BOUNDS.get(inner["type"], {})
            if check is in_years and bounds and not inner.keys() & {"ge", "gt", "le", "lt"}:
                return {**inner, **bounds}
        return {key: _unchecked(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return type(node)(map(_unchecked, node))
    return node
