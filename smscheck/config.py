"""Configuration, found as ruff finds its own: `smscheck.toml`, or the `[tool.smscheck]` table
of `pyproject.toml`, in the working directory or the nearest parent that has one.

    [tool.smscheck]
    packs = ["rules/our-charter"]     # extra packs, relative to the file
    default-packs = true              # the shipped packs too
    select = ["CNIL12", "CE"]         # rule ids or families; every rule when absent
    ignore = ["FMT-LEN-01"]           # listed as ignored in every report
    fail-on = "review"                # fail (default), review or warn: what fails the run
    lang = "en"
    optouts = "data/optouts.sqlite3"  # the opt-out registry to honour, relative to the file

Command-line options override it; `smscheck check`, the pytest plugin and
`smscheck.assertions` read the same file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, ValidationError

from smscheck.engine import Checker
from smscheck.models import Frozen
from smscheck.packs import Pack, load_pack, shipped_packs
from smscheck.registry import SQLiteRegistry
from smscheck.selection import Selection
from smscheck.verdicts import Lang, Status, at_least

FILES = ("smscheck.toml", "pyproject.toml")


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and the key."""


class FileConfig(Frozen):
    """The keys of a configuration file (kebab-case, as ruff's)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=lambda name: name.replace("_", "-")
    )

    packs: tuple[str, ...] = ()
    default_packs: bool = True
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: Literal["fail", "review", "warn"] | None = None
    lang: Lang | None = None
    optouts: str | None = Field(default=None, min_length=1)


@dataclass(frozen=True, slots=True)
class Config:
    """A configuration, its paths resolved: what a run uses, before command-line overrides."""

    path: Path | None = None  # the file it was read from
    packs: tuple[str, ...] = ()
    default_packs: bool = True
    selection: Selection = field(default_factory=Selection)
    fail_on: Status | None = None  # None: not set (the command fails on `fail`)
    lang: Lang | None = None
    optouts: str | None = None

    def check_selection(self, packs: tuple[Pack, ...], selection: Selection) -> None:
        """ConfigError if a selector names no rule of `packs` (a typo would select nothing)."""
        unknown = selection.unknown({rule.id for pack in packs for rule in pack.rules})
        if unknown:
            where = f" ({self.path})" if self.path else ""
            raise ConfigError(f"select/ignore{where}: no rule or family {', '.join(unknown)}")

    def checker(self) -> Checker:
        """A checker as `smscheck check` builds it from this configuration alone."""
        packs = (tuple(shipped_packs()) if self.default_packs else ()) + tuple(
            map(load_pack, self.packs)
        )
        self.check_selection(packs, self.selection)
        suppressed: frozenset[str] = frozenset()
        if self.optouts is not None:
            with SQLiteRegistry(self.optouts, read_only=True) as registry:
                suppressed = registry.snapshot()
        return Checker(
            packs, suppressed=suppressed, lang=self.lang or "fr", selection=self.selection
        )

    def tolerated(self) -> tuple[Status, ...] | None:
        """The statuses `fail-on` lets pass (None when not set)."""
        if self.fail_on is None:
            return None
        threshold = self.fail_on
        return tuple(s for s in (Status.WARN, Status.REVIEW) if not at_least(s, threshold))


def find(start: Path | None = None) -> Path | None:
    """The configuration file for `start` (the working directory): in it or the nearest parent,
    `smscheck.toml` before a `pyproject.toml` that has a [tool.smscheck] table."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / FILES[0]
        if own.is_file():
            return own
        project = candidate / FILES[1]
        if project.is_file() and _table(project) is not None:
            return project
    return None


def load(path: Path) -> Config:
    """The configuration in `path` (a smscheck.toml, or a pyproject.toml's [tool.smscheck])."""
    table = _table(path)
    if table is None:
        raise ConfigError(f"{path}: no [tool.smscheck] table")
    try:
        found = FileConfig.model_validate(table)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, problem['loc'])) or '(table)'}: {problem['msg']}"
            for problem in exc.errors(include_url=False, include_input=False)
        )
        raise ConfigError(f"{path}: {problems}") from None
    folder = path.resolve().parent
    return Config(
        path=path,
        packs=tuple(str(folder / pack) for pack in found.packs),
        default_packs=found.default_packs,
        selection=Selection(found.select, found.ignore),
        fail_on=None if found.fail_on is None else Status(found.fail_on),
        lang=found.lang,
        optouts=None if found.optouts is None else str(folder / found.optouts),
    )


def discover(start: Path | None = None) -> Config:
    """The configuration found for `start` (the working directory), or the defaults."""
    path = find(start)
    return Config() if path is None else load(path)


def _table(path: Path) -> dict[str, object] | None:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name != FILES[1]:
        return document
    tool = document.get("tool")
    table = tool.get("smscheck") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None
