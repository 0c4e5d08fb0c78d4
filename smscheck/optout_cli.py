"""`smscheck optout ...`: record and lift opt-outs, list, import and export them, classify replies.

Exit codes: 0 done, 1 nothing matched or rejected rows, 2 usage or input error (one line on
stderr). Numbers are shown masked everywhere except in `list --show-numbers`, `classify
--show-numbers` and `export`. `classify` lives in `smscheck.classify_cli`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from smscheck import classify_cli
from smscheck.phones import mask, to_e164
from smscheck.registry import (
    GLOBAL_SCOPE,
    ImportResult,
    ImportStopped,
    RegistryError,
    SQLiteRegistry,
    export_csv,
    import_csv,
)

ENV_REGISTRY = "SMSCHECK_OPTOUTS"
DEFAULT_REGISTRY = "smscheck-optouts.sqlite3"
_PROG = "smscheck optout"
_Handler = Callable[[argparse.Namespace], int]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `optout` command and its sub-commands to a CLI's sub-parsers."""
    where = f"opt-out registry (SQLite); default ${ENV_REGISTRY}, else ./{DEFAULT_REGISTRY}"
    optout = subparsers.add_parser(
        "optout",
        help="manage the opt-out registry and classify replies",
        description="Record, lift, list, import and export opt-outs; classify SMS replies.",
    )
    optout.add_argument("--registry", metavar="PATH", help=where)
    commands = optout.add_subparsers(dest="optout_command", metavar="COMMAND", required=True)
    # Also accepted after the sub-command; SUPPRESS keeps a value given before it.
    registry = argparse.ArgumentParser(add_help=False)
    registry.add_argument("--registry", metavar="PATH", default=argparse.SUPPRESS, help=where)

    add = commands.add_parser("add", parents=[registry], help="record an opt-out")
    _event_arguments(add, source_help="where the request came from (default: cli)")
    add.set_defaults(handler=_guarded(_add))

    remove = commands.add_parser(
        "remove", parents=[registry], help="record that an opted-out number opted back in"
    )
    _event_arguments(remove, source_help="where the request came from (default: cli)")
    remove.set_defaults(handler=_guarded(_remove))

    listing = commands.add_parser("list", parents=[registry], help="list suppressed numbers")
    listing.add_argument("--scope", help="only those suppressed in this scope (default: any)")
    listing.add_argument(
        "--show-numbers", action="store_true", help="print full numbers (masked by default)"
    )
    listing.set_defaults(handler=_guarded(_list))

    classify = commands.add_parser(
        "classify",
        parents=[registry],
        help="classify replies, or an inbound export, and record what they ask (--record)",
    )
    classify_cli.add_arguments(classify)
    classify.set_defaults(handler=_guarded(_classify))

    importing = commands.add_parser(
        "import", parents=[registry], help="import number,event,at,source,scope rows"
    )
    importing.add_argument("csv", metavar="CSV", help="file to read (- for stdin)")
    importing.set_defaults(handler=_guarded(_import))

    exporting = commands.add_parser(
        "export", parents=[registry], help="write every event as CSV, with full numbers"
    )
    exporting.add_argument("csv", metavar="CSV", nargs="?", default="-", help="(default: stdout)")
    exporting.set_defaults(handler=_guarded(_export))


def _event_arguments(parser: argparse.ArgumentParser, *, source_help: str) -> None:
    parser.add_argument("number", metavar="NUMBER")
    parser.add_argument("--source", default="cli", help=source_help)
    parser.add_argument("--scope", default=GLOBAL_SCOPE, help='scope (default "*": all)')
    parser.add_argument(
        "--at", type=_instant, metavar="ISO", help="when, with a UTC offset (default: now)"
    )


def _instant(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not an ISO 8601 date and time") from None
    if at.tzinfo is None:
        raise argparse.ArgumentTypeError("give a UTC offset, e.g. 2026-03-01T09:30:00+01:00")
    return at


def _fail(message: str, code: int) -> int:
    print(f"{_PROG}: {message}", file=sys.stderr)
    return code


def _guarded(handler: _Handler) -> _Handler:
    """The handler, with expected failures turned into one line on stderr and exit code 2."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except ValidationError as error:
            first = error.errors()[0]
            return _fail(f"{'.'.join(map(str, first['loc']))}: {first['msg']}", 2)
        except (ValueError, RegistryError, OSError) as error:
            return _fail(str(error).splitlines()[0] if str(error) else type(error).__name__, 2)

    return run


def registry_path(given: str | None) -> str:
    """Where the registry is: `given`, else $SMSCHECK_OPTOUTS, else ./smscheck-optouts.sqlite3.

    Raises `RegistryError` for ":memory:", which would keep nothing.
    """
    path = given or os.environ.get(ENV_REGISTRY) or DEFAULT_REGISTRY
    if path == ":memory:":
        raise RegistryError("':memory:' is not a registry file: it would keep nothing")
    return path


def registry_to_honour(given: str | None) -> str | None:
    """The registry `check` honours: the one `optout` writes to, found the same way, except
    that a missing ./smscheck-optouts.sqlite3 means none (a given path must exist)."""
    if not (given or os.environ.get(ENV_REGISTRY)) and not Path(DEFAULT_REGISTRY).exists():
        return None
    return registry_path(given)


def _registry_path(args: argparse.Namespace) -> str:
    return registry_path(args.registry)


def _at(args: argparse.Namespace) -> datetime:
    at: datetime | None = args.at
    return at or datetime.now(UTC)


def _add(args: argparse.Namespace) -> int:
    with SQLiteRegistry(_registry_path(args)) as registry:
        record = registry.record_opt_out(
            args.number, at=_at(args), source=args.source, scope=args.scope
        )
        effective = registry.is_suppressed(record.number, record.scope)
    when = f"scope {record.scope}, {record.at.isoformat()}"
    if not effective:  # e.g. --at before an opt-in already recorded
        return _fail(
            f"recorded an opt-out for {record.masked_number} ({when}), but an opt-in recorded "
            "for a later instant still lifts it: record it again at a later time",
            2,
        )
    print(f"opted out: {record.masked_number} ({when})")
    return 0


def _remove(args: argparse.Namespace) -> int:
    shown = mask(to_e164(args.number))
    with SQLiteRegistry(_registry_path(args), create=False) as registry:
        if not registry.is_suppressed(args.number, args.scope):
            return _fail(f"{shown} is not opted out in scope {args.scope}", 1)
        record = registry.record_opt_in(
            args.number, at=_at(args), source=args.source, scope=args.scope
        )
    print(f"opted back in: {shown} (scope {record.scope}, {record.at.isoformat()})")
    return 0


def _list(args: argparse.Namespace) -> int:
    with SQLiteRegistry(_registry_path(args), create=False) as registry:
        numbers = sorted(registry.snapshot(args.scope))
    for number in numbers:
        print(number if args.show_numbers else mask(number))
    where = "any scope" if args.scope is None else f"scope {args.scope}"
    print(f"{len(numbers)} suppressed number(s) in {where}", file=sys.stderr)
    return 0 if numbers else 1


def _classify(args: argparse.Namespace) -> int:
    return classify_cli.run(args, _registry_path(args) if args.record else None)


def _import(args: argparse.Namespace) -> int:
    with SQLiteRegistry(_registry_path(args)) as registry:
        try:
            result = import_csv(registry, sys.stdin.buffer if args.csv == "-" else args.csv)
        except ImportStopped as stopped:  # the rows before were recorded: say which failed
            _rejected(stopped.result)
            raise
    _rejected(result)
    print(result.summary(), file=sys.stderr)
    return 1 if result.errors else 0


def _rejected(result: ImportResult) -> None:
    for error in result.errors:
        print(f"{_PROG}: {error}", file=sys.stderr)


def _export(args: argparse.Namespace) -> int:
    with SQLiteRegistry(_registry_path(args), create=False) as registry:
        if args.csv == "-":
            count = export_csv(registry, sys.stdout)
        else:
            with _replacing(Path(args.csv)) as file:
                count = export_csv(registry, file)
    print(f"{count} event(s) exported", file=sys.stderr)
    return 0


@contextmanager
def _replacing(path: Path) -> Iterator[TextIO]:
    """A file written beside `path` and moved over it only once complete."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with open(handle, "w", newline="", encoding="utf-8") as file:
            yield file
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
