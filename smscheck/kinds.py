"""The kinds of rule a pack can declare as data, each implemented once.

- `pattern`: the body (or sender) must / must not match one of some patterns;
- `field`: a field's value maps to a status (e.g. the number's origin);
- `count`: the items of a list field matching a filter stay under a limit;
- `check`: a named Python check, for what data cannot express (see `smscheck.checks`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from smscheck.checks import NAMED_CHECKS
from smscheck.models import Frozen
from smscheck.outcome import (
    Check,
    Context,
    Outcome,
    Scope,
    Text,
    as_key,
    check_path,
    check_values,
    field_annotation,
    passed,
    path_scope,
    read_path,
)
from smscheck.patterns import Pattern
from smscheck.verdicts import Status


@dataclass(frozen=True, slots=True)
class Built:
    check: Check
    scope: Scope
    reads: tuple[str, ...] = ()  # the fields of the case the check reads, when data says so


@dataclass(frozen=True, slots=True)
class Kind:
    params: type[Frozen]
    build: Callable[[Any], Built]


class PatternParams(Frozen):
    mode: Literal["require", "forbid"]
    patterns: tuple[Pattern, ...] = Field(min_length=1)
    target: Literal["body", "sender"] = "body"
    status: Status = Status.FAIL


def _build_pattern(params: PatternParams) -> Built:
    compiled = params.patterns
    target = params.target

    def require(ctx: Context) -> Outcome:
        text = getattr(ctx.case.message, target)
        for pattern in compiled:
            span = pattern.first(text)
            if span is not None:
                return passed(evidence=(span,))
        return Outcome(
            params.status,
            Text(
                fr="Aucune mention correspondante dans le texte.",
                en="No matching wording in the text.",
            ),
        )

    def forbid(ctx: Context) -> Outcome:
        text = getattr(ctx.case.message, target)
        spans = tuple(span for pattern in compiled for span in pattern.spans(text))
        if not spans:
            return passed()
        quoted = ", ".join(f"« {span.text} »" for span in spans)
        return Outcome(
            params.status,
            Text(fr=f"Passage en cause : {quoted}.", en=f"Offending wording: {quoted}."),
            spans,
        )

    return Built(require if params.mode == "require" else forbid, Scope.MESSAGE)


class FieldParams(Frozen):
    field: str
    outcomes: dict[str, Status] = Field(min_length=1)
    default: Status

    @field_validator("field")
    @classmethod
    def _known(cls, path: str) -> str:
        check_path(path)
        return path

    @model_validator(mode="after")
    def _outcomes_can_occur(self) -> FieldParams:
        check_values("outcomes", field_annotation(self.field), self.outcomes)
        return self


def _build_field(params: FieldParams) -> Built:
    def check(ctx: Context) -> Outcome:
        value = as_key(read_path(ctx.case, params.field))
        status = params.outcomes.get(value, params.default)
        return Outcome(
            status, Text(fr=f"{params.field} : {value}.", en=f"{params.field}: {value}.")
        )

    return Built(check, path_scope(params.field), (params.field,))


class CountParams(Frozen):
    field: str
    max: int = Field(ge=0)
    match: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    status: Status = Status.FAIL

    @field_validator("field")
    @classmethod
    def _a_list(cls, path: str) -> str:
        check_path(path)
        if get_origin(field_annotation(path)) is not tuple:
            raise ValueError(f"{path!r} is not a list field")
        return path

    @model_validator(mode="after")
    def _match_keys_are_item_fields(self) -> CountParams:
        item = get_args(field_annotation(self.field))[0]
        fields = item.model_fields if isinstance(item, type) and issubclass(item, BaseModel) else {}
        for key, allowed in self.match.items():
            if key not in fields:
                raise ValueError(
                    f"match: unknown field {key!r} of the items of {self.field} "
                    f"(known: {', '.join(fields) or 'none, they are texts'})"
                )
            check_values(f"match.{key}", fields[key].annotation, allowed)
        return self


def _build_count(params: CountParams) -> Built:
    def matches(item: object) -> bool:
        return all(as_key(getattr(item, key)) in allowed for key, allowed in params.match.items())

    def check(ctx: Context) -> Outcome:
        items = read_path(ctx.case, params.field)
        assert isinstance(items, tuple)  # checked when the pack loaded
        count = sum(1 for item in items if matches(item))
        reason = Text(
            fr=f"{count} déjà envoyé(s), {params.max} au plus.",
            en=f"{count} already sent, at most {params.max}.",
        )
        return Outcome(Status.PASS if count <= params.max else params.status, reason)

    return Built(check, path_scope(params.field), (params.field,))


class NamedParams(Frozen):
    name: str
    args: Frozen = Field(default_factory=dict, validate_default=True)

    @field_validator("name")
    @classmethod
    def _registered(cls, name: str) -> str:
        if name not in NAMED_CHECKS:
            known = ", ".join(sorted(NAMED_CHECKS))
            raise ValueError(f"unknown check {name!r} (known: {known})")
        return name

    @field_validator("args", mode="before")
    @classmethod
    def _valid_args(cls, args: object, info: ValidationInfo) -> object:
        """The check's own arguments, patterns compiled: a bad one is refused at load."""
        named = NAMED_CHECKS.get(info.data.get("name", ""))
        return args if named is None else named.args.model_validate(args)


def _build_named(params: NamedParams) -> Built:
    named = NAMED_CHECKS[params.name]
    args = params.args

    def check(ctx: Context) -> Outcome:
        return named.run(ctx, args)

    return Built(check, named.scope)


KINDS: Mapping[str, Kind] = {
    "pattern": Kind(PatternParams, _build_pattern),
    "field": Kind(FieldParams, _build_field),
    "count": Kind(CountParams, _build_count),
    "check": Kind(NamedParams, _build_named),
}
