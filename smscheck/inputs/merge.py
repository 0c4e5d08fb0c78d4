"""Campaign templates and merge fields: a template body filled for each recipient, whatever the
input format the recipients come from."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, StringConstraints, ValidationError

from smscheck.acceptance import Reason, RuleId
from smscheck.inputs.located import MAX_PROBLEMS, InputError, Item, Location, describe_validation
from smscheck.models import (
    MAX_BODY_CHARS,
    Campaign,
    Case,
    CleanText,
    Frozen,
    Message,
    Recipient,
    trusted,
)
from smscheck.privacy import mask_numbers

TemplateId = Annotated[str, StringConstraints(pattern=r"^[\w.-]{1,64}$")]


class Template(Frozen):
    """A campaign's message, to fill for each recipient and to check once for all of them."""

    id: TemplateId | None = Field(default=None, description="Names the template in reports.")
    message: Message
    campaign: Campaign
    accept: dict[RuleId, Reason] = Field(
        default_factory=dict,
        description="Findings accepted with a mandatory reason, by rule id; a fail of a "
        "high-severity rule on consent, opt-out or timing cannot be accepted.",
    )


class RecipientLine(Recipient):
    merge: dict[str, CleanText] = Field(default_factory=dict)


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
    fields: tuple[tuple[int, str], ...]  # each field's name, after so many characters of text

    @classmethod
    def parse(cls, body: str) -> MergeBody:
        """The body's fields; ValueError saying where a brace is wrong."""
        text: list[str] = []
        layout: list[str] = []
        names: set[str] = set()
        fields: list[tuple[int, str]] = []
        last = since = 0  # characters of text since the last field
        for match in _BRACES.finditer(body):
            text.append(body[last : match.start()])
            layout.append(_double(body[last : match.start()]))
            since += match.start() - last
            last = match.end()
            token = match.group()
            if token in ("{{", "}}"):
                text.append(token[0])
                layout.append(token)
                since += 1
                continue
            name = match.group(1)
            column = match.start() + 1
            if name is None:
                raise ValueError(
                    f"unmatched {token!r} at character {column}; "
                    f"write {token * 2} for the brace itself"
                )
            if not _FIELD.fullmatch(name):
                shown = mask_numbers(token)  # a number written in braces is still a number
                shown = shown if len(shown) <= 40 else shown[:39] + "…"
                raise ValueError(
                    f"{shown!r} at character {column} is not a merge field: write {{name}} "
                    "(letters, digits, _ or -), and {{ or }} for a brace"
                )
            text.append(token)
            layout.append(token)
            names.add(name)
            fields.append((since, name))
            since = 0
        text.append(body[last:])
        layout.append(_double(body[last:]))
        return cls("".join(text), "".join(layout), frozenset(names), tuple(fields))

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

    def spans(self, merge: dict[str, str]) -> tuple[tuple[int, int], ...]:
        """Where the merge values sit in the filled body, as [start, end) offsets."""
        found, at = [], 0
        for since, name in self.fields:
            start = at + since
            at = start + len(merge[name])
            if at > start:
                found.append((start, at))
        return tuple(found)


def _double(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


_MAX_MESSAGES = 4096


class _Messages:
    """The messages of a template whose body has merge fields. Filled bodies repeat (first
    names): one message object per distinct body, found by the merge values the body shows,
    quicker than filling it, or else by the body filled."""

    def __init__(self, message: Message, body: MergeBody) -> None:
        self._message = message
        self._body = body
        self._values = operator.itemgetter(*sorted(body.names))
        self._by_body: dict[str, Message] = {}
        self._by_values: dict[object, Message] = {}

    def of(self, merge: dict[str, str]) -> Message:
        """The message for these merge fields; InputError as `MergeBody.fill` says."""
        try:
            found = self._by_values.get(self._values(merge))
        except KeyError:  # a field without a value: filling says which
            found = None
        return self._filled(merge) if found is None else found

    def _filled(self, merge: dict[str, str]) -> Message:
        text = self._body.fill(merge)
        found = self._by_body.get(text)
        if found is None:
            if len(self._by_body) >= _MAX_MESSAGES:
                self._by_body.clear()
                self._by_values.clear()
            found = self._by_body[text] = trusted(
                Message, {**self._message.__dict__, "body": text, "merged": self._body.spans(merge)}
            )
        if len(self._by_values) >= _MAX_MESSAGES:
            self._by_values.clear()
        self._by_values[self._values(merge)] = found
        return found


class Filler:
    """A campaign template ready to make one case per recipient, its merge fields filled."""

    def __init__(self, template: Template, at: Location) -> None:
        """ValueError saying where a brace of the body is wrong. `at`: where it was read."""
        body = MergeBody.parse(template.message.body)
        if not body.names and body.text != template.message.body:  # braces written {{ }}
            message = template.message.model_copy(update={"body": body.text})
            template = template.model_copy(update={"message": message})
        self.template = template
        self.at = at
        self._messages = _Messages(template.message, body) if body.names else None

    def item(self) -> Item:
        """The template itself, to check once for all its recipients."""
        return Item(self.at, template=self.template)

    def recipient(self, location: Location, line: RecipientLine) -> Item:
        """The item of one recipient line; an error item if its case cannot be filled."""
        fields = line.__dict__.copy()
        merge = fields.pop("merge")  # what a line has besides its recipient
        recipient = trusted(Recipient, fields)
        object.__setattr__(recipient, "__pydantic_fields_set__", line.model_fields_set - {"merge"})
        return self.filled(location, recipient, merge)

    def filled(self, location: Location, recipient: Recipient, merge: dict[str, str]) -> Item:
        """The item of a recipient whose line has these merge fields; an error item if a field
        has no value or the body grows too long. The parts were validated (the recipient, the
        template), so the case is assembled as it is."""
        messages = self._messages
        try:
            message = self.template.message if messages is None else messages.of(merge)
        except InputError as exc:
            return Item(location, error=str(exc))
        case = trusted(
            Case, {"message": message, "recipient": recipient, "campaign": self.template.campaign}
        )
        return Item(location, case, None, self.template, self.at)  # by position: quicker


def template_filler(document: object, at: Location) -> Filler:
    """The filler of a template document read at `at`; InputError naming the field."""
    try:
        return Filler(Template.model_validate(document), at)
    except ValidationError as exc:
        raise InputError(describe_validation(exc, "template.")) from None
    except ValueError as exc:
        raise InputError(f"template.message.body: {exc}") from None
