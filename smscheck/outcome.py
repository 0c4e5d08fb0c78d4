"""What a check returns, what it sees, and how rules address fields of a case."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from types import NoneType, UnionType
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

from pydantic import BaseModel

from smscheck.models import Case, Frozen
from smscheck.sharing import Traced
from smscheck.verdicts import Span, Status

if TYPE_CHECKING:
    from smscheck.packs import Pack


class Scope(StrEnum):
    """What a check reads: the message alone (reusable across recipients) or the recipient too."""

    MESSAGE = "message"
    RECIPIENT = "recipient"


@dataclass(frozen=True, slots=True)
class Text:
    """A sentence in both languages."""

    fr: str
    en: str

    def __getitem__(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    reason: Text | None = None
    evidence: tuple[Span, ...] = ()
    remedy: Text | None = None  # a remedy for this case, in place of the rule's general one


def passed(reason: Text | None = None, evidence: tuple[Span, ...] = ()) -> Outcome:
    return Outcome(Status.PASS, reason, evidence)


def not_applicable(reason: Text) -> Outcome:
    return Outcome(Status.NOT_APPLICABLE, reason)


@dataclass(frozen=True)
class Context:
    """Everything a check may read besides the case itself."""

    case: Case
    suppressed: Collection[str] = frozenset()
    charters: Mapping[str, Pack] = field(default_factory=dict)


Check = Callable[[Context], Outcome]


def read_path(case: Case, path: str) -> object:
    """The value at a dotted path such as `recipient.origin` (None when a parent is None)."""
    value: object = case
    for name in path.split("."):
        if value is None:
            return None
        value = getattr(value, name)
    return value


def as_key(value: object) -> str:
    """How a field value is written in a rule pack: enum value, `true`/`false`, `none`, and
    `present` for a record (a consent): whether there is one, not what it holds."""
    if value is None:
        return "none"
    if isinstance(value, BaseModel | Traced):
        return "present"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def check_path(path: str) -> None:
    """Raise ValueError unless `path` names a field of Case (through nested models)."""
    model: type[BaseModel] = Case
    names = path.split(".")
    for position, name in enumerate(names):
        if name not in model.model_fields:
            raise ValueError(f"unknown field {path!r}: {model.__name__} has no {name!r}")
        inner = _model_in(model.model_fields[name].annotation)
        if position < len(names) - 1:
            if inner is None:
                raise ValueError(f"unknown field {path!r}: {name!r} has no sub-fields")
            model = inner


def field_annotation(path: str) -> object:
    """The type of the field at `path` (a path that `check_path` accepts)."""
    model: type[BaseModel] = Case
    *parents, last = path.split(".")
    for name in parents:
        inner = _model_in(model.model_fields[name].annotation)
        assert inner is not None  # checked by check_path
        model = inner
    return model.model_fields[last].annotation


def value_keys(annotation: object) -> frozenset[str] | None:
    """The keys (see `as_key`) a field of this type can take, or None when they are open-ended."""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return frozenset(as_key(member) for member in annotation)
    if annotation is bool:
        return frozenset({"true", "false"})
    if annotation is NoneType:
        return frozenset({"none"})
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return frozenset({"present"})
    if get_origin(annotation) in (Union, UnionType):
        keys: set[str] = set()
        for arg in get_args(annotation):
            inner = value_keys(arg)
            if inner is None:
                return None
            keys |= inner
        return frozenset(keys)
    return None


def check_values(what: str, annotation: object, values: Collection[str]) -> None:
    """Raise ValueError when a value a rule compares with can never occur: a typo in a pack
    would otherwise make the rule silently never match."""
    keys = value_keys(annotation)
    unknown = sorted(set(values) - keys) if keys is not None else []
    if unknown:
        raise ValueError(
            f"{what}: {', '.join(map(repr, unknown))} can never occur "
            f"(known: {', '.join(sorted(keys or ()))})"
        )


def _model_in(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, Frozen):
        return annotation
    if get_origin(annotation) in (Union, UnionType):
        models = [arg for arg in get_args(annotation) if arg is not NoneType]
        return _model_in(models[0]) if len(models) == 1 else None
    return None


def path_scope(path: str) -> Scope:
    return Scope.RECIPIENT if path.split(".", 1)[0] == "recipient" else Scope.MESSAGE


@dataclass(frozen=True, slots=True)
class NamedCheck:
    """A check written in Python because data cannot express it; packs call it by name."""

    run: Callable[[Context, Any], Outcome]
    args: type[Frozen]
    scope: Scope


class NoArgs(Frozen):
    """For named checks that take no arguments."""
