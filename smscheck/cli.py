"""The `smscheck` command. Exit codes: 0 nothing fails, 1 something fails, 2 usage or input error."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from typing import get_args

from smscheck import catalogue
from smscheck.engine import Checker
from smscheck.formatters import FORMATTERS, Result, Summary, counted
from smscheck.inputs import InputError, read
from smscheck.models import Case
from smscheck.packs import Pack, PackError, load_pack, shipped_packs
from smscheck.verdicts import Lang, Report

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"smscheck: error: {message}\n")


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
    checker = Checker(_packs(args), lang=args.lang, show_numbers=args.show_numbers)
    summary = Summary()
    results = counted(_results(args.files, checker), summary)
    if args.only_problems:
        results = (result for result in results if not _passes(result))
    FORMATTERS[args.format](results, sys.stdout, args.lang)
    sys.stdout.flush()
    if summary.cases + summary.errors != 1 or summary.errors:
        print(summary.text(), file=sys.stderr)
    return summary.exit_code


def _passes(result: Result) -> bool:
    return result.report is not None and result.report.status.value == "pass"


def _results(files: Sequence[str], checker: Checker) -> Iterator[Result]:
    for path in files:
        for item in read(path, sys.stdin.buffer):
            if item.case is None:
                yield Result(item.location, error=item.error)
            else:
                report = checker.check(item.case, source=str(item.location))
                yield Result(item.location, report=report)


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


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="smscheck", description="Check political SMS against French rules.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = commands.add_parser("check", help="check cases from JSON or JSON Lines files")
    check.add_argument("files", nargs="+", metavar="FILE", help="JSON or JSON Lines; - for stdin")
    check.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    check.add_argument("--only-problems", action="store_true", help="omit cases that pass")
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except (PackError, InputError) as exc:
        print(f"smscheck: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
