"""The `smscheck` command. Exit codes: 0 nothing fails, 1 something fails, 2 usage or input error
(or any unexpected error), 130 interrupted."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import traceback
from collections.abc import Generator, Sequence
from contextlib import closing, suppress
from datetime import date
from pathlib import Path
from typing import TextIO, get_args

from smscheck import catalogue, optout_cli
from smscheck.batch import Settings, run
from smscheck.formatters import FORMATTERS, Summary
from smscheck.inputs import InputError
from smscheck.models import Case
from smscheck.packs import Pack, PackError, distinct_rules, load_pack, shipped_packs
from smscheck.progress import Progress
from smscheck.registry import RegistryError, SQLiteRegistry
from smscheck.verdicts import Lang, Report

USAGE_ERROR = 2
INTERRUPTED = 130  # as shells report a command stopped by SIGINT


def _packs(args: argparse.Namespace) -> tuple[Pack, ...]:
    base = () if args.no_default_packs else shipped_packs()
    return distinct_rules(tuple(base) + tuple(load_pack(path) for path in args.pack))


def _add_pack_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pack",
        action="append",
        default=[],
        metavar="PATH",
        help="add a rule pack (file or folder)",
    )
    parser.add_argument(
        "--no-default-packs", action="store_true", help="use only the packs given with --pack"
    )
    parser.add_argument("--lang", choices=get_args(Lang), default="fr", help="language of messages")


def _run_check(args: argparse.Namespace) -> int:
    packs = _packs(args)  # a broken pack is a usage error before any input is read
    settings = Settings(
        pack_paths=tuple(args.pack),
        default_packs=not args.no_default_packs,
        lang=args.lang,
        show_numbers=args.show_numbers,
        suppressed=_suppressed(args.optouts),
        fmt=args.format,
        only_problems=args.only_problems,
    )
    summary = Summary()
    progress = Progress.for_stream(sys.stderr, _sizes(args.files))
    formatter = FORMATTERS[args.format].for_packs(packs)
    stdin = sys.stdin.buffer if sys.stdin is not None else None
    if args.format != "text":  # JSON is UTF-8 whatever the terminal's encoding
        _reconfigure(sys.stdout, encoding="utf-8")

    def rendered() -> Generator[str, None, None]:
        # Closed on any way out, so that worker processes are stopped at once.
        with closing(run(args.files, settings, stdin, jobs=args.jobs)) as results:
            for done in results:
                summary.merge(done.summary)
                progress.advance(done.summary.cases + done.summary.errors, done.consumed)
                yield done.rendered

    with closing(rendered()) as chunks:
        try:
            formatter.write(chunks, sys.stdout)
            sys.stdout.flush()
        finally:
            progress.close()
    if summary.cases + summary.errors != 1 or summary.errors:
        print(summary.text(), file=sys.stderr)
    if summary.cases + summary.errors == 0:  # e.g. an empty JSON Lines file: nothing was checked
        raise InputError("no case to check in the input")
    return summary.exit_code


def _sizes(files: Sequence[str]) -> int | None:
    try:
        return sum(os.path.getsize(path) for path in files)
    except OSError:
        return None


def _suppressed(given: str | None) -> frozenset[str]:
    """Numbers suppressed in any scope of the registry `optout` writes to, opened read-only."""
    path = optout_cli.registry_to_honour(given)
    if path is None:
        return frozenset()
    with SQLiteRegistry(path, read_only=True) as registry:
        return registry.snapshot()


def _run_rules(args: argparse.Namespace) -> int:
    packs = _packs(args)
    sys.stdout.write(catalogue.render(packs, args.format, args.lang, at=args.at))
    return 0


def _run_schema(args: argparse.Namespace) -> int:
    model = Report if args.report else Case
    print(
        json.dumps(
            model.model_json_schema(mode="serialization" if args.report else "validation"),
            indent=2,
            ensure_ascii=False,
        )
    )
    return 0


MAX_JOBS = 64


def _jobs(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_JOBS:
        raise argparse.ArgumentTypeError(f"not a whole number from 1 to {MAX_JOBS}: {text!r}")
    return int(text)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smscheck", description="Check political SMS against French rules.")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="check cases from JSON or JSON Lines files")
    check.add_argument("files", nargs="+", metavar="FILE", help="JSON or JSON Lines; - for stdin")
    check.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    check.add_argument("--only-problems", action="store_true", help="omit cases that pass")
    check.add_argument("--jobs", type=_jobs, default=1, metavar="N", help="worker processes")
    check.add_argument(
        "--optouts",
        metavar="PATH",
        help=f"opt-out registry to honour, every scope (default ${optout_cli.ENV_REGISTRY}, "
        f"else ./{optout_cli.DEFAULT_REGISTRY} if present)",
    )
    check.add_argument(
        "--show-numbers", action="store_true", help="print full phone numbers (masked by default)"
    )
    _add_pack_options(check)
    check.set_defaults(handler=_run_check)

    rules = commands.add_parser("rules", help="list the rules, optionally those in force at a date")
    rules.add_argument("--at", type=_date, help="only rules in force on this date (YYYY-MM-DD)")
    rules.add_argument("--format", choices=catalogue.FORMATS, default="text")
    _add_pack_options(rules)
    rules.set_defaults(handler=_run_rules)

    schema = commands.add_parser("schema", help="print the JSON Schema of a case (or a report)")
    schema.add_argument("--report", action="store_true", help="the schema of a report instead")
    schema.set_defaults(handler=_run_schema)

    optout_cli.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if sys.stderr is None:  # started with 2>&-: errors go nowhere, the exit code still tells
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (for the process)
    _reconfigure(sys.stderr)
    if sys.stdout is None:
        return _error("standard output is closed")
    _reconfigure(sys.stdout)
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except (PackError, InputError, RegistryError) as exc:
        return _error(str(exc))
    except KeyboardInterrupt:
        _error("interrupted: the results are incomplete")
        return INTERRUPTED
    except BrokenPipeError:
        _discard_stdout()
        return _error("the output was closed before the end (broken pipe): results are incomplete")
    except OSError as exc:  # a file that vanished, a full disk on output
        return _error(exc.strerror or str(exc))
    except Exception as exc:  # a bug: one line, and 2 (exit code 1 would read "a rule fails")
        return _error(f"unexpected {type(exc).__name__} at {_where(exc)}: please report it")
    return code


def _error(message: str) -> int:
    print(f"smscheck: error: {message}", file=sys.stderr)
    return USAGE_ERROR


def _where(exc: BaseException) -> str:
    """The innermost line of smscheck the error came from, without its message (which may
    quote data)."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [frame for frame in frames if "smscheck" in Path(frame.filename).parts]
    frame = (own or frames)[-1]
    return f"{Path(frame.filename).name}:{frame.lineno}"


def _reconfigure(stream: TextIO, encoding: str | None = None) -> None:
    """Never fail on a character the stream's encoding lacks (a latin-1 terminal, a file name
    that is not UTF-8): write it as an escape instead."""
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(encoding=encoding, errors="backslashreplace")


def _discard_stdout() -> None:
    """After a broken pipe, what is still buffered goes nowhere (not into a second error)."""
    with suppress(OSError, ValueError):  # ValueError: not a real file (tests capture it)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
