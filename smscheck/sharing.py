"""Which cases may share a rule's verdict: the fields the rule read, in the order it read them.

A check is a pure function of the case (and of what its checker holds fixed: packs, suppressed
numbers, charters). Run on a case whose message and recipient note each attribute read and its
value, it tells the path it took: the origin, then (for a referral only) the consent, say. Any
case of the same campaign that has the same values along that path would read the same fields
in the same order and take the same path to the same outcome. So a rule keeps its verdicts in a
tree: each branch names the next field read, each edge is one value of it, each leaf a verdict.
Finding a case's verdict reads only the fields on its own path; recipients that differ in
anything else share it.

A field that holds a model (a recipient's consent record) is read field by field: its reads
are `consent.scope`, `consent.given_on`, after `consent` itself, whose value on the path is only
whether a record is there. Recipients whose records differ in a field the rule did not read
share its verdict.

A path that reads the recipient's number ends in a branch that keeps nothing (no two recipients
share a number): the rule then runs for each of them.

A check that needs only a fact about the message and the recipient together (whether a consent
is dated after the send) reads it as a `Fact`: the path then holds the fact's value, not the
fields it is drawn from, and recipients for whom it is the same share the verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Literal, get_args, get_origin

from pydantic import AwareDatetime, BaseModel, FutureDatetime, NaiveDatetime, PastDatetime

from smscheck.models import Case, Message, Recipient
from smscheck.verdicts import Verdict

Source = Literal["message", "recipient", "fact"]
Read = tuple[Source, str]

# Each rule keeps at most this many verdicts: a rule whose verdict follows a field that is
# nearly unique per recipient (a consent date, a history) costs bounded memory, as it restarts.
MAX_VERDICTS_PER_RULE = 8192

# Fields no two recipients share: a path through one is not kept.
_UNSHARED = frozenset({("recipient", "number")})

# What a path notes for a field holding a model: that there is one (its fields are read apart).
PRESENT = "(present)"


# pydantic's datetime annotations, classes of their own.
_DATETIMES = (AwareDatetime, NaiveDatetime, FutureDatetime, PastDatetime)


def _fields(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Each field whose values are not kept as they are, nested ones dotted, with how: `model`
    (a model, or None: its fields are read apart), `instant` (a datetime: kept with its UTC
    offset, as equal instants at other offsets fall on other local days and hours), or
    `items` (a tuple of models holding datetimes: kept with their offsets too)."""
    for name, info in model.__pydantic_fields__.items():
        kinds = get_args(info.annotation) or (info.annotation,)
        if get_origin(info.annotation) is tuple:
            if any(
                isinstance(k, type) and issubclass(k, BaseModel) and _instants(k) for k in kinds
            ):
                yield prefix + name, "items"
            continue
        for kind in kinds:
            if kind in _DATETIMES or (isinstance(kind, type) and issubclass(kind, datetime)):
                yield prefix + name, "instant"
            elif isinstance(kind, type) and issubclass(kind, BaseModel):
                yield prefix + name, "model"
                yield from _fields(kind, f"{prefix}{name}.")


def _instants(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of `model` that hold datetimes."""
    return tuple(name for name, kind in _fields(model) if kind == "instant")


_KINDS: dict[Read, str] = {
    **{("message", name): kind for name, kind in _fields(Message)},
    **{("recipient", name): kind for name, kind in _fields(Recipient)},
}


class Traced:
    """A message or recipient that notes, in `read`, each attribute first read and its value;
    a model it holds is traced too, its attributes noted under `field.attribute`."""

    __slots__ = ("_of", "_prefix", "_read", "_source")
    _of: BaseModel
    _source: Source
    _read: dict[Read, object]
    _prefix: str

    def __init__(
        self, of: BaseModel, source: Source, read: dict[Read, object], prefix: str = ""
    ) -> None:
        object.__setattr__(self, "_of", of)
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_read", read)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name: str) -> object:
        value = getattr(self._of, name)
        read = (self._source, self._prefix + name)
        if isinstance(value, BaseModel):
            self._read.setdefault(read, PRESENT)
            return Traced(value, self._source, self._read, f"{read[1]}.")
        self._read.setdefault(read, value)
        return value

    def _whole(self) -> BaseModel:
        """The model, each of its fields noted as read: what shows or compares it reads all."""
        for name in type(self._of).__pydantic_fields__:
            getattr(self, name)
        return self._of

    def __str__(self) -> str:
        return str(self._whole())

    def __repr__(self) -> str:
        return repr(self._whole())

    def __format__(self, spec: str) -> str:
        return format(self._whole(), spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Traced):
            other = other._whole()
        return self._whole() == other

    def __hash__(self) -> int:
        return hash(self._whole())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a traced model is read-only")


@dataclass(frozen=True, slots=True)
class Fact:
    """A value drawn from a case's message and recipient together, read under its own name
    (see the module's docstring); `of` must read nothing else and give a hashable value."""

    name: str
    of: Callable[[Message, Recipient], object]

    def __post_init__(self) -> None:
        if _FACTS.setdefault(self.name, self) is not self:
            raise ValueError(f"a fact named {self.name!r} exists already")

    def read(self, case: Case) -> object:
        """The fact of this case, noted on its path when the case is traced."""
        message, recipient = case.message, case.recipient
        if isinstance(recipient, Traced):
            real = message._of if isinstance(message, Traced) else message
            value = self.of(real, recipient._of)  # type: ignore[arg-type]
            recipient._read.setdefault(("fact", self.name), value)
            return value
        return self.of(message, recipient)


_FACTS: dict[str, Fact] = {}


class Branch:
    """The field a rule reads next, having read the values on the way here."""

    __slots__ = ("edges", "fact", "get", "items", "kind", "on_message", "plain", "read")

    def __init__(self, read: Read, value: object) -> None:
        # What `find` needs at each step, worked out once: it runs for every rule and case.
        self.read = read
        self.on_message = read[0] == "message"
        self.fact = _FACTS[read[1]].of if read[0] == "fact" else None
        self.get = attrgetter(read[1])  # dotted within a model: `consent.scope`
        # None: its values are kept as they are. A field's kind comes from its model; a datetime
        # read from elsewhere (a property) is an instant too.
        self.kind = _KINDS.get(read) or ("instant" if isinstance(value, datetime) else None)
        self.items = _instants_of_items(read) if self.kind == "items" else ()
        self.edges: dict[object, Branch | Verdict] = {}
        # The most frequent step, a recipient's field kept as it is, is one call in C; any
        # other goes through `key`.
        plain = read[0] == "recipient" and self.kind is None
        self.plain: Callable[[Recipient], object] | None = self.get if plain else None

    def key(self, message: Message, recipient: Recipient) -> object:
        """What this case is kept under here."""
        if self.fact is not None:
            value = self.fact(message, recipient)
        else:
            value = self.get(message if self.on_message else recipient)
        return value if self.kind is None else self.edge(value)

    def edge(self, value: object) -> object:
        """What a value read is kept under (see `_fields`)."""
        if self.kind == "instant" and value is not None:
            return (value, value.utcoffset())  # type: ignore[attr-defined]
        if self.kind == "model":
            return value if value is None or value is PRESENT else PRESENT
        if self.kind == "items":
            items: tuple[object, ...] = value  # type: ignore[assignment]  # a tuple field's value
            offsets = tuple(
                getattr(item, name).utcoffset() for item in items for name in self.items
            )
            return (value, offsets)
        return value


class _Unshared(Branch):
    """A field no two recipients share (see `_UNSHARED`): nothing is kept past it, and a walk
    that reaches it ends there (a `Branch` only by kind, so that `find` stops at it)."""

    __slots__ = ()


def _branch(read: Read, value: object) -> Branch:
    return _Unshared(read, value) if read in _UNSHARED else Branch(read, value)


def _instants_of_items(read: Read) -> tuple[str, ...]:
    """The datetime fields of the models the tuple field `read` holds."""
    source = Message if read[0] == "message" else Recipient
    info = source.__pydantic_fields__[read[1]]
    return tuple(
        name
        for kind in get_args(info.annotation)
        if isinstance(kind, type) and issubclass(kind, BaseModel)
        for name in _instants(kind)
    )


class _RecipientRead(Exception):
    """A path through a tree reached a field of the recipient."""


class _Unread:
    """Stands for the recipient where none may be read (see `Tree.for_every_recipient`)."""

    def __getattr__(self, name: str) -> object:
        raise _RecipientRead(name)


_UNREAD = _Unread()


@dataclass(slots=True)
class Tree:
    """A rule's verdicts, by campaign and then by the values along each path."""

    roots: dict[object, Branch | Verdict] = field(default_factory=dict)
    leaves: int = 0

    def find(self, token: int, message: Message, recipient: Recipient) -> Verdict | Branch | None:
        """The verdict kept for this case; else the branch where the path leaves the tree when
        it keeps nothing (the rule must run for each case there), else None."""
        node = self.roots.get(token)
        while type(node) is Branch:  # not at a leaf, nor at a branch that keeps nothing
            plain = node.plain
            value = node.key(message, recipient) if plain is None else plain(recipient)
            try:
                node = node.edges.get(value)
            except TypeError:  # a value that cannot be hashed: nothing is kept under it
                return None
        return node

    def for_every_recipient(self, token: int, message: Message) -> Verdict | None:
        """The verdict kept for every recipient of this message: one whose path reads the
        message alone (kept when another message of the campaign had the same values there),
        else None."""
        try:
            found = self.find(token, message, _UNREAD)  # type: ignore[arg-type]
        except _RecipientRead:
            return None
        return found if type(found) is Verdict else None

    def keep(self, token: int, path: dict[Read, object], verdict: Verdict) -> None:
        """Keep `verdict` at the end of `path`, the reads of the run that gave it, in order."""
        if self.leaves >= MAX_VERDICTS_PER_RULE:
            self.roots, self.leaves = {}, 0
        edges: dict[object, Branch | Verdict] = self.roots
        key: object = token
        try:
            for read, value in path.items():
                node = edges.get(key)
                if node is None:
                    node = edges[key] = _branch(read, value)
                if type(node) is not Branch or node.read != read:
                    return  # past an unshared field, or not the path a deterministic check
                    # takes: keep nothing
                edges, key = node.edges, node.edge(value)
            if key not in edges:
                self.leaves += 1
            edges[key] = verdict
        except TypeError:  # a value that cannot be hashed: nothing is kept under it
            return
