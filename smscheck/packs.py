"""Rule packs: TOML files under `rules/`, validated on load and resolved at a date."""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import IO, Any

from pydantic import Field, ValidationError, model_validator

from smscheck.charter import Charter, CharterError
from smscheck.kinds import KINDS, Built
from smscheck.models import Frozen
from smscheck.outcome import Text, check_path, check_values, field_annotation
from smscheck.verdicts import Citation, Concern, Confidence, PackRef, Severity, Status

RULE_ID = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"


class PackError(ValueError):
    """A pack that cannot be loaded; the message names the file and the key."""

    def __init__(self, path: Path | str, key: str, reason: str) -> None:
        super().__init__(f"{path}: {key}: {reason}" if key else f"{path}: {reason}")
        self.path = str(path)
        self.key = key
        self.reason = reason


class TextSpec(Frozen):
    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def text(self) -> Text:
        return Text(fr=self.fr, en=self.en)


class SourceSpec(Frozen):
    title: str
    reference: str
    date: date
    link: str
    confidence: Confidence


class RuleSpec(Frozen):
    id: str = Field(pattern=RULE_ID)
    concern: Concern
    severity: Severity
    source: str
    article: str = ""
    title: TextSpec
    message: TextSpec
    review: TextSpec | None = Field(
        default=None, description="The lead of a review verdict: what a person must check."
    )
    remedy: TextSpec
    valid_from: date | None = None
    valid_until: date | None = None
    kind: str
    params: dict[str, Any] = Field(default_factory=dict)
    when: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    ceiling: Status | None = None


class PackMeta(Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str
    title: str
    valid_from: date
    valid_until: date | None = None
    charter: str | None = None


class PackSpec(Frozen):
    pack: PackMeta
    sources: dict[str, SourceSpec] = Field(min_length=1)
    rules: tuple[RuleSpec, ...] = Field(min_length=1)
    charter: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _sources_exist(self) -> PackSpec:
        for rule in self.rules:
            if rule.source not in self.sources:
                raise ValueError(f"rule {rule.id} cites unknown source {rule.source!r}")
        return self


@dataclass(frozen=True, slots=True)
class Rule:
    """A loaded rule: its metadata, its citation and its compiled check."""

    id: str
    concern: Concern
    severity: Severity
    title: Text  # the pass wording: what holds when the rule passes
    message: Text  # the failing message
    review: Text  # the lead of a review verdict: what a person must check
    remedy: Text
    citation: Citation
    valid_from: date
    valid_until: date | None
    when: dict[str, tuple[str, ...]]
    ceiling: Status | None
    kind: str
    built: Built
    pack: str

    def in_force(self, at: date) -> bool:
        return self.valid_from <= at and (self.valid_until is None or at <= self.valid_until)


@dataclass(frozen=True, slots=True)
class Pack:
    id: str
    version: str
    title: str
    path: str
    charter: str | None
    charter_data: Charter | None
    rules: tuple[Rule, ...]

    @property
    def ref(self) -> PackRef:
        return PackRef(name=self.id, version=self.version)


# Packs loaded in this process, by file identity and version: a pack given to several worker
# processes is loaded once, before they fork, and a checker built again reuses it.
_LOADED: dict[tuple[str, int, int, int, int], Pack] = {}
_MAX_LOADED = 256


# Texts a pack's rules may hold in all (the shipped packs hold at most 200): each pattern is
# compiled when the pack loads, about 0.1 ms apiece, so 150,000 of them took 18 s.
MAX_RULE_TEXTS = 5_000


def _texts_in(node: object) -> int:
    """How many strings `node` (parsed TOML) holds, however nested."""
    count, stack = 0, [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            count += 1
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def load_pack(path: Path | str) -> Pack:
    """Load one pack from a `.toml` file or a folder holding `pack.toml`."""
    file = Path(path)
    if file.is_dir():
        file = file / "pack.toml"
    try:
        with _open_pack(file) as handle:
            identity = os.fstat(handle.fileno())
            key = (
                str(file.resolve()),
                identity.st_dev,
                identity.st_ino,
                identity.st_mtime_ns,
                identity.st_size,
            )
            if key in _LOADED:
                return _LOADED[key]
            text = _read_pack_text(handle)
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise PackError(file, "", "no such pack file") from None
    except tomllib.TOMLDecodeError as exc:
        raise PackError(file, "", f"invalid TOML: {exc}") from None
    except RecursionError:
        raise PackError(file, "", "invalid TOML: nested too deep") from None
    except (OSError, ValueError) as exc:  # ValueError: not UTF-8, not a file, too large
        raise PackError(file, "", f"cannot read: {exc}") from None
    texts = _texts_in(raw.get("rules"))
    if texts > MAX_RULE_TEXTS:
        raise PackError(
            file, "rules", f"{texts} texts (patterns, wordings), more than {MAX_RULE_TEXTS}"
        )
    try:
        spec = PackSpec.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise PackError(file, _key(raw, error["loc"]), _reason(error["msg"])) from None
    except RecursionError:
        raise PackError(file, "", "nested too deep") from None
    pack = _compile(spec, file, _charter(spec, raw, file))
    if len(_LOADED) >= _MAX_LOADED:
        _LOADED.clear()
    _LOADED[key] = pack
    return pack


def _charter(spec: PackSpec, raw: dict[str, Any], file: Path) -> Charter | None:
    """The validated `[charter]` table; a charter id and a charter table go together."""
    if spec.charter is None:
        if spec.pack.charter is not None:
            raise PackError(
                file, "charter", "pack.charter is set but the [charter] table is missing"
            )
        return None
    if spec.pack.charter is None:
        raise PackError(file, "pack.charter", "a pack with a [charter] table must give its id")
    try:
        return Charter.model_validate(spec.charter)
    except ValidationError as exc:
        error = exc.errors()[0]
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, CharterError):
            raise PackError(file, f"charter.{cause.key}", cause.reason) from None
        loc = tuple(part for part in error["loc"] if part != "[key]")  # a bad dict key
        raise PackError(file, _key(raw, ("charter", *loc)), _reason(error["msg"])) from None


MAX_PACK_BYTES = 4 * 1024 * 1024


def _open_pack(file: Path) -> IO[bytes]:
    """The pack file, opened without waiting (a named pipe would block until a writer came);
    ValueError unless it is a regular file."""
    descriptor = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _O_BINARY)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise ValueError("not a regular file")
    return os.fdopen(descriptor, "rb")


_O_BINARY = getattr(os, "O_BINARY", 0)


def _read_pack_text(handle: IO[bytes]) -> str:
    """A pack's text: at most MAX_PACK_BYTES, UTF-8."""
    data = handle.read(MAX_PACK_BYTES + 1)
    if len(data) > MAX_PACK_BYTES:
        raise ValueError(f"larger than {MAX_PACK_BYTES // (1024 * 1024)} MiB")
    return data.decode("utf-8")


def _reason(message: str) -> str:
    """A validation message without pydantic's prefix for errors raised by validators."""
    return message.removeprefix("Value error, ")


def _key(raw: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """A validation location as a key a person finds in the file: `rules[2] (CNIL-X).kind`."""
    parts: list[str] = []
    node: Any = raw
    for item in loc:
        if isinstance(item, int):
            entry = node[item] if isinstance(node, list) and item < len(node) else None
            rule_id = entry.get("id") if isinstance(entry, dict) else None
            parts[-1] += f"[{item}]" + (f" ({rule_id})" if isinstance(rule_id, str) else "")
            node = entry
        else:
            parts.append(item)
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def _compile(spec: PackSpec, file: Path, charter: Charter | None) -> Pack:
    seen: set[str] = set()
    rules = []
    for index, rule in enumerate(spec.rules):
        where = f"rules[{index}] ({rule.id})"
        if rule.id in seen:
            raise PackError(file, f"{where}.id", "duplicate rule id")
        seen.add(rule.id)
        rules.append(_compile_rule(spec, rule, file, where))
    return Pack(
        id=spec.pack.id,
        version=spec.pack.version,
        title=spec.pack.title,
        path=str(file),
        charter=spec.pack.charter,
        charter_data=charter,
        rules=tuple(rules),
    )


def _compile_rule(spec: PackSpec, rule: RuleSpec, file: Path, where: str) -> Rule:
    kind = KINDS.get(rule.kind)
    if kind is None:
        raise PackError(
            file, f"{where}.kind", f"unknown kind {rule.kind!r} (known: {', '.join(KINDS)})"
        )
    try:
        params = kind.params.model_validate(rule.params)
        built = kind.build(params)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
        raise PackError(file, f"{where}.params{key}", _reason(error["msg"])) from None
    for path, allowed in rule.when.items():
        try:
            check_path(path)
            check_values(f"values of {path}", field_annotation(path), allowed)
        except ValueError as exc:
            raise PackError(file, f"{where}.when", str(exc)) from None
    source = spec.sources[rule.source]
    valid_from = rule.valid_from or spec.pack.valid_from
    valid_until = rule.valid_until or spec.pack.valid_until
    if valid_until is not None and valid_until < valid_from:
        raise PackError(file, f"{where}.valid_until", "ends before it starts")
    return Rule(
        id=rule.id,
        concern=rule.concern,
        severity=rule.severity,
        title=rule.title.text(),
        message=rule.message.text(),
        review=rule.review.text() if rule.review else _review_lead(rule.title),
        remedy=rule.remedy.text(),
        citation=Citation(
            title=source.title,
            reference=source.reference,
            article=rule.article,
            date=source.date,
            link=source.link,
            confidence=source.confidence,
        ),
        valid_from=valid_from,
        valid_until=valid_until,
        when=rule.when,
        ceiling=rule.ceiling,
        kind=rule.kind,
        built=built,
        pack=spec.pack.id,
    )


def _review_lead(title: TextSpec) -> Text:
    """A pack's rule without its own `review` lead: the question its title answers."""
    return Text(fr=f"À vérifier : {title.fr}", en=f"To check: {title.en}")


def shipped_rules_dir() -> Path:
    """The packs shipped with smscheck: inside the wheel, or `rules/` in a source checkout."""
    bundled = Path(str(files("smscheck"))) / "_rules"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parent.parent / "rules"


def discover(directory: Path) -> list[Path]:
    """Every pack in `directory`: each sub-folder holding a `pack.toml`, in name order."""
    return sorted(entry for entry in directory.glob("*/pack.toml"))


_SHIPPED: tuple[Pack, ...] | None = None


def shipped_packs() -> tuple[Pack, ...]:
    """The shipped packs, loaded once per process."""
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = tuple(load_pack(path) for path in discover(shipped_rules_dir()))
    return _SHIPPED


def distinct_rules(packs: Iterable[Pack]) -> tuple[Pack, ...]:
    """The packs, each once, refused (PackError) when two of them define the same rule id: a
    rule id names one rule in reports, and a user's rule must not pass for a shipped one."""
    kept: list[Pack] = []
    owners: dict[str, Pack] = {}
    for pack in packs:
        if any(pack is other for other in kept):
            continue
        for index, rule in enumerate(pack.rules):
            other = owners.setdefault(rule.id, pack)
            if other is not pack:
                raise PackError(
                    pack.path,
                    f"rules[{index}] ({rule.id}).id",
                    f"rule id already used by pack {other.id!r} ({other.path}): choose another id",
                )
        kept.append(pack)
    return tuple(kept)


def load_packs(paths: Iterable[Path | str]) -> tuple[Pack, ...]:
    return tuple(load_pack(path) for path in paths)


def rules_at(packs: Sequence[Pack], at: date) -> tuple[Rule, ...]:
    """The rules in force on `at`, in pack then file order."""
    return tuple(rule for pack in packs for rule in pack.rules if rule.in_force(at))
