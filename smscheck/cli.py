"""The `smscheck` command. Exit codes: 0 nothing fails, 1 something fails, 2 usage or input error
(or any unexpected error), 130 interrupted."""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import signal
import sys
import traceback
from collections.abc import Generator, Iterator, Sequence
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import BinaryIO, TextIO, get_args

from smscheck import catalogue, config, explain, optout_cli, starter
from smscheck.batch import LOSSLESS, Done, Settings, run
from smscheck.config import Config, ConfigError
from smscheck.formatters import (
    FORMATTERS,
    REPORT_FORMATS,
    Style,
    Summary,
    report_schema,
    summary_table,
)
from smscheck.formatters.base import write_each
from smscheck.inputs import CAMPAIGN_SUFFIXES, CampaignFile, CsvOptions, InputError
from smscheck.inputs.csv_file import DELIMITERS, ENCODINGS
from smscheck.messages import error_text
from smscheck.models import Case
from smscheck.packs import Pack, PackError, distinct_rules, load_pack, rules_at, shipped_packs
from smscheck.progress import Progress
from smscheck.registry import RegistryError, SQLiteRegistry
from smscheck.selection import Selection, split_ids
from smscheck.verdicts import Lang, Status

USAGE_ERROR = 2
INTERRUPTED = 130  # as shells report a command stopped by SIGINT
TERMINATED = 143  # and by SIGTERM


def _packs(args: argparse.Namespace) -> tuple[Pack, ...]:
    base = () if args.no_default_packs else shipped_packs()
    return distinct_rules(tuple(base) + tuple(load_pack(path) for path in args.pack))


def _add_pack_options(parser: argparse.ArgumentParser, lang: Lang | None = "fr") -> None:
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
    parser.add_argument(
        "--lang", choices=get_args(Lang), default=lang, help="language of messages (default fr)"
    )


def _run_check(args: argparse.Namespace) -> int:
    configured = _configuration(args)
    args.lang = args.lang or configured.lang or "fr"
    # A broken pack, or a selector naming no rule, is a usage error before any input is read.
    default_packs = configured.default_packs and not args.no_default_packs
    pack_paths = (*configured.packs, *args.pack)
    packs = (tuple(shipped_packs()) if default_packs else ()) + tuple(map(load_pack, pack_paths))
    selection = Selection(
        split_ids(args.select) or configured.selection.select,
        split_ids(args.ignore) or configured.selection.ignore,
    )
    configured.check_selection(packs, selection)
    if args.recipients is not None and not all(
        Path(path).suffix in CAMPAIGN_SUFFIXES for path in args.files
    ):
        raise InputError("--recipients fills the templates of campaign files (.toml) only")
    fail_on = Status(args.fail_on) if args.fail_on else configured.fail_on or Status.FAIL
    with _output(args.output) as out:
        style = Style(verbose=args.verbose, colour=_colour(out))
        formatter = FORMATTERS[args.format].for_run(packs, args.lang, selection)
        if args.format != "text" and out is sys.stdout:  # JSON is UTF-8 whatever the terminal
            _reconfigure(out, encoding="utf-8")
        # A format that writes its items as they come (after a head line, for some, or in a
        # frame) gets its output written as bytes: workers' files copied byte for byte,
        # rendered bytes as such.
        head, frame = formatter.head, formatter.frame
        write = write_each if head is not None else formatter.write
        raw = _binary(out) if write is write_each or frame is not None else None
        settings = Settings(
            pack_paths=pack_paths,
            default_packs=default_packs,
            lang=args.lang,
            show_numbers=args.show_numbers,
            suppressed=_suppressed(args.optouts or configured.optouts),
            fmt=args.format,
            only_problems=args.only_problems,
            style=style,
            quiet=args.quiet,
            selection=selection,
            recipients=args.recipients,
            csv=CsvOptions(dict(args.column), args.csv_delimiter, args.csv_encoding),
            encoding=LOSSLESS if raw is None else (out.encoding, out.errors or "strict"),
        )
        summary = Summary()
        progress = Progress.for_stream(sys.stderr, _sizes(args.files), args.lang)
        stdin = sys.stdin.buffer if sys.stdin is not None else None

        def advance(done: Done) -> None:  # as chunks are checked, whoever checks them
            progress.advance(done.summary.cases + done.summary.errors, done.consumed)

        written_errors = 0  # input errors among the results written, for a frame's closing

        def rendered() -> Generator[str, None, None]:
            nonlocal written_errors
            # Closed on any way out, so that worker processes are stopped at once.
            results = run(args.files, settings, stdin, jobs=args.jobs, reached=advance)
            heading = head  # until the first output
            lead = 0 if frame is None or raw is None else frame.lead  # of the first output
            with contextlib.closing(results):
                for done in results:
                    summary.merge(done.summary)
                    progress.clear()  # never let the progress line run into the report
                    shows = done.path is not None or bool(done.rendered)
                    if heading is not None and shows:
                        yield heading(packs)
                        heading = None
                    if raw is not None and done.path is not None:
                        out.flush()
                        done.copy_to(raw, skip=lead)
                    elif raw is not None and isinstance(done.rendered, bytes):
                        out.flush()
                        raw.write(done.rendered[lead:])
                    else:
                        yield done.text(settings.encoding)[lead:]
                    if shows:
                        lead = 0
                        written_errors += done.summary.errors

        with contextlib.closing(rendered()) as chunks:
            try:
                if args.quiet:
                    for _ in chunks:
                        pass
                elif frame is not None and raw is not None:
                    frame.write(chunks, out, lambda: written_errors)
                else:
                    write(chunks, out)
            finally:
                progress.close()
        checked = summary.cases + summary.errors + summary.templates
        if args.quiet or args.format == "text":
            out.write(summary_table(summary, args.lang, style))
        elif checked != 1 or summary.errors:
            print(summary.text(args.lang), file=sys.stderr)
        out.flush()
    if checked == 0:  # e.g. an empty JSON Lines file: nothing was checked
        raise InputError("no case to check in the input")
    return summary.exit_code_for(fail_on)


def _configuration(args: argparse.Namespace) -> Config:
    if args.isolated:
        return Config()
    return config.load(Path(args.config)) if args.config else config.discover()


def _column(text: str) -> tuple[str, str]:
    name, equals, header = text.partition("=")
    if not (equals and name.strip() and header.strip()):
        raise argparse.ArgumentTypeError(f"not FIELD=HEADER: {text!r}")
    return name.strip(), header.strip()


def _delimiter(text: str) -> str:
    found = {"tab": "\t", "\\t": "\t"}.get(text, text)
    if found not in DELIMITERS:
        raise argparse.ArgumentTypeError(f"not one of ; , tab: {text!r}")
    return found


def _add_check_options(check: argparse.ArgumentParser) -> None:
    """What a configuration file may also set, recipients of campaign files, and CSV reading."""
    check.add_argument("--config", metavar="PATH", help="configuration file (default: found)")
    check.add_argument("--isolated", action="store_true", help="ignore configuration files")
    check.add_argument(
        "--select", action="append", default=[], metavar="IDS", help="only these rules or families"
    )
    check.add_argument(
        "--ignore", action="append", default=[], metavar="IDS", help="leave these rules out"
    )
    check.add_argument(
        "--fail-on",
        choices=("fail", "review", "warn"),
        help="the least status that fails the run (exit 1); default fail",
    )
    check.add_argument("--recipients", metavar="CSV", help="recipients for campaign files")
    check.add_argument(
        "--column",
        action="append",
        type=_column,
        default=[],
        metavar="FIELD=HEADER",
        help="the CSV column of a recipient or merge field",
    )
    check.add_argument("--csv-delimiter", type=_delimiter, help="; , or tab (default: detected)")
    check.add_argument("--csv-encoding", choices=ENCODINGS, help="default: detected")


def _binary(out: TextIO) -> BinaryIO | None:
    """The bytes under `out`, where text written to it reaches them unchanged but for its
    encoding (no newline translation), in an encoding whose pieces join: chunks encoded apart
    then give the bytes of the whole (not so with a byte order mark before each, UTF-16's)."""
    buffer = getattr(out, "buffer", None)
    if not isinstance(out, io.TextIOWrapper) or os.linesep != "\n":
        return None
    return buffer if _pieces_join(out.encoding, out.errors or "strict") else None


def _pieces_join(encoding: str, errors: str) -> bool:
    try:
        whole = "aé".encode(encoding, errors)
        return "a".encode(encoding, errors) + "é".encode(encoding, errors) == whole
    except (LookupError, UnicodeError):
        return False


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    """Standard output, or the file given with -o (written in UTF-8)."""
    if path is None or path == "-":
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as out:
        yield out


def _colour(out: TextIO) -> bool:
    """Colour on a terminal only, never when NO_COLOR is set (https://no-color.org)."""
    return out.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


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
    if args.at is not None and not rules_at(packs, args.at):
        raise PackError("--at", "", f"no rule in force on {args.at} in the packs loaded")
    sys.stdout.write(catalogue.render(packs, args.format, args.lang, at=args.at))
    return 0


def _run_explain(args: argparse.Namespace) -> int:
    sys.stdout.write(explain.explain(_packs(args), args.rule_id, args.lang))
    return 0


def _run_init(args: argparse.Namespace) -> int:
    written = starter.init(Path(args.folder))
    done = "écrit" if args.lang == "fr" else "written"
    for path in written:
        print(f"{path}: {done}" if args.lang == "en" else f"{path} : {done}")
    return 0


def _run_schema(args: argparse.Namespace) -> int:
    if args.pack_file:
        schema = catalogue.pack_schema()
    elif args.report:  # a line of `--format json` (or json-compact)
        schema = report_schema(args.report)
    elif args.campaign:
        schema = CampaignFile.model_json_schema(mode="validation")
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


def _version() -> str:
    try:
        return metadata.version("smscheck")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smscheck", description="Check political SMS against French rules."
    )
    parser.add_argument("--version", action="version", version=f"smscheck {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="check cases from JSON or JSON Lines files")
    check.add_argument("files", nargs="+", metavar="FILE", help="JSON or JSON Lines; - for stdin")
    check.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    check.add_argument("--only-problems", action="store_true", help="omit cases that pass")
    check.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    shown = check.add_mutually_exclusive_group()
    shown.add_argument("-q", "--quiet", action="store_true", help="print the summary only")
    shown.add_argument(
        "--verbose", action="store_true", help="text: show passing and not-applicable rules too"
    )
    check.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="worker processes sharing out the file (same output)",
    )
    check.add_argument(
        "--optouts",
        metavar="PATH",
        help=f"opt-out registry to honour, every scope (default ${optout_cli.ENV_REGISTRY}, "
        f"else ./{optout_cli.DEFAULT_REGISTRY} if present)",
    )
    check.add_argument(
        "--show-numbers", action="store_true", help="print full phone numbers (masked by default)"
    )
    _add_pack_options(check, lang=None)  # None: the configuration's, else fr
    _add_check_options(check)
    check.set_defaults(handler=_run_check)

    rules = commands.add_parser("rules", help="list the rules, optionally those in force at a date")
    rules.add_argument("--at", type=_date, help="only rules in force on this date (YYYY-MM-DD)")
    rules.add_argument("--format", choices=catalogue.FORMATS, default="text")
    _add_pack_options(rules)
    rules.set_defaults(handler=_run_rules)

    explaining = commands.add_parser(
        "explain", help="what a rule checks, its source, validity and examples"
    )
    explaining.add_argument("rule_id", metavar="RULE-ID")
    _add_pack_options(explaining)
    explaining.set_defaults(handler=_run_explain)

    starting = commands.add_parser(
        "init", help="write a starter campaign file and a commented charter pack"
    )
    starting.add_argument("folder", nargs="?", default=".", help="where to write (default: .)")
    starting.add_argument(
        "--lang", choices=get_args(Lang), default="fr", help="language of messages"
    )
    starting.set_defaults(handler=_run_init)

    schema = commands.add_parser("schema", help="print the JSON Schema of a case (or a report)")
    which = schema.add_mutually_exclusive_group()
    which.add_argument(
        "--report",
        nargs="?",
        const="json",
        choices=REPORT_FORMATS,
        help="the schema of a line of a report instead (--format json, or json-compact)",
    )
    which.add_argument(
        "--campaign", action="store_true", help="the schema of a campaign file (TOML) instead"
    )
    which.add_argument(
        "--pack", dest="pack_file", action="store_true", help="the schema of a rule pack file"
    )
    schema.set_defaults(handler=_run_schema)

    optout_cli.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if sys.stderr is None:  # started with 2>&-: errors go nowhere, the exit code still tells
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (for the process)
    _reconfigure(sys.stderr)
    args = build_parser().parse_args(argv)
    lang: Lang = getattr(args, "lang", None) or "fr"
    if sys.stdout is None:
        _error("standard output is closed", lang)
        return USAGE_ERROR
    _reconfigure(sys.stdout)
    try:
        code: int = args.handler(args)
    except (PackError, InputError, RegistryError, ConfigError) as exc:
        _error(str(exc), lang)
        return USAGE_ERROR
    except KeyboardInterrupt:
        _error("interrupted: the results are incomplete", lang)
        return INTERRUPTED
    except Terminated:
        _error("terminated: the results are incomplete", lang)
        return TERMINATED
    except BrokenPipeError:
        _discard_stdout()
        _error("the output was closed before the end (broken pipe): results are incomplete", lang)
        return USAGE_ERROR
    except OSError as exc:  # a file that vanished, a full disk on output
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}", lang)
        return USAGE_ERROR
    except Exception as exc:
        if _signalled:  # a library turned the signal's exception into its own (pydantic does)
            stopped = _signalled[-1] is Terminated
            _error(
                f"{'terminated' if stopped else 'interrupted'}: the results are incomplete", lang
            )
            return TERMINATED if stopped else INTERRUPTED
        # A bug: one line, and 2 (exit code 1 would read "a rule fails").
        _error(f"unexpected {type(exc).__name__} at {_where(exc)}: please report it", lang)
        return USAGE_ERROR
    return code


def _error(message: str, lang: Lang) -> None:
    label = "smscheck : erreur :" if lang == "fr" else "smscheck: error:"
    print(f"{label} {error_text(message, lang)}", file=sys.stderr)


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
    with contextlib.suppress(OSError, ValueError):  # ValueError: not a real file (tests)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def command() -> int:
    """The `smscheck` program: `main` in a process of its own, whose cyclic garbage collector
    runs less often (see `collect_less`)."""
    collect_less()
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _interrupt)
    return main()


def collect_less() -> None:
    """Set this process's cyclic garbage collector as the program runs it: what is built so far
    is never walked again, and collections come far less often. A campaign's cases and reports
    form no cycles (reference counting frees them), yet every 700 allocations the collector
    walked them: about 10% of a large run."""
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


class Terminated(BaseException):
    """SIGTERM (`kill`, a CI job's timeout): unwinds like Ctrl-C, so that workers are stopped
    and temporary files removed."""


# The signals `command` received, as the exceptions they raised: code that calls back into
# Python may turn them into errors of its own (pydantic-core makes a KeyboardInterrupt in a
# serializer a PydanticSerializationError), which must still end the run as the signal does.
_signalled: list[type[BaseException]] = []


def _terminate(signum: int, frame: object) -> None:
    _signalled.append(Terminated)
    raise Terminated


def _interrupt(signum: int, frame: object) -> None:
    _signalled.append(KeyboardInterrupt)
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(command())
