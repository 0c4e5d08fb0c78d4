"""The `smscheck` command. Exit codes: 0 nothing fails, 1 something fails, 2 usage or input error."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from typing import get_args

from pydantic import TypeAdapter

from smscheck import catalogue, optout_cli
from smscheck.batch import Settings, run
from smscheck.formatters import FORMATTERS, Summary
from smscheck.inputs import InputError
from smscheck.models import Case
from smscheck.packs import Pack, PackError, load_pack, shipped_packs
from smscheck.progress import Progress
from smscheck.registry import RegistryError, SQLiteRegistry
from smscheck.verdicts import Lang, Report, TemplateReport

USAGE_ERROR = 2


def _packs(args: argparse.Namespace) -> tuple[Pack, ...]:
    base = () if args.no_default_packs else shipped_packs()
    return tuple(base) + tuple(load_pack(path) for path in args.pack)


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

    def rendered() -> Iterator[str]:
        for done in run(args.files, settings, sys.stdin.buffer, jobs=args.jobs):
            summary.merge(done.summary)
            progress.advance(done.summary.cases + done.summary.errors, done.consumed)
            yield done.rendered

    formatter.write(rendered(), sys.stdout)
    sys.stdout.flush()
    progress.close()
    checked = summary.cases + summary.errors + summary.templates
    if checked != 1 or summary.errors:
        print(summary.text(), file=sys.stderr)
    if checked == 0:  # e.g. an empty JSON Lines file: nothing was checked
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
    if args.report:  # one line of `--format json`: a case's report or a template's
        schema = TypeAdapter(Report | TemplateReport).json_schema(mode="serialization")
        schema["title"] = "smscheck report (a case's, or a campaign template's)"
    else:
        schema = Case.model_json_schema(mode="validation")
    print(json.dumps(schema, indent=2, ensure_ascii=False))
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
    parser = argparse.ArgumentParser(
        prog="smscheck", description="Check political SMS against French rules."
    )
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
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except (PackError, InputError, RegistryError) as exc:
        print(f"smscheck: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file that vanished, a full disk on output
        print(f"smscheck: error: {exc.strerror or exc}", file=sys.stderr)
        return USAGE_ERROR
    return code


if __name__ == "__main__":
    sys.exit(main())
