"""`smscheck optout classify`: classify replies given as arguments or read from an inbound export.

Each reply gives one line: in text, tab-separated fields (for an export, the line, the masked
number and the received time first; then class, status, keyword, confidence, the reply with its
line breaks written `\\n`, and the reason); in JSON, one object. With `--record`, what the
replies ask is written into the opt-out registry and a summary on stderr says what was recorded
and what needs a person, and why.

Exit codes: 0 done, 1 no reply matched or a row could not be used, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import IO, Any, get_args

from smscheck.inbound import (
    Columns,
    Decision,
    Inbound,
    InboundError,
    InboundFormat,
    Recorder,
    classify_inbound,
    inbound_format,
    read_inbound,
)
from smscheck.registry import GLOBAL_SCOPE, SQLiteRegistry
from smscheck.replies import ReplyClass, classify_reply

_PROG = "smscheck optout classify"
_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
# How many replies that need a person are listed one by one on stderr.
_LISTED = 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `optout classify`."""
    parser.add_argument(
        "text", nargs="*", metavar="TEXT", help="replies to classify (- reads one per line)"
    )
    parser.add_argument(
        "--input",
        metavar="EXPORT",
        help="an inbound export to read (CSV or JSON Lines; - for stdin); replies may span lines",
    )
    parser.add_argument(
        "--input-format",
        choices=get_args(InboundFormat),
        help="format of the export (default: JSON Lines for .jsonl/.ndjson, else CSV)",
    )
    defaults = Columns()
    parser.add_argument("--number-column", default=defaults.number, metavar="NAME")
    parser.add_argument("--reply-column", default=defaults.reply, metavar="NAME")
    parser.add_argument(
        "--received-column",
        default=defaults.received_at,
        metavar="NAME",
        help="column with the received time, ISO 8601 with a UTC offset",
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help="write the opt-outs (those to review too, until a person decides) and clear opt-ins "
        "into the registry",
    )
    parser.add_argument("--scope", default=GLOBAL_SCOPE, help='scope recorded (default "*": all)')
    parser.add_argument("--source", default="sms-reply", help="source recorded (default sms-reply)")
    parser.add_argument(
        "--show-numbers", action="store_true", help="print full numbers (masked by default)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr", help="language of reasons")


def run(args: argparse.Namespace, registry_path: str | None) -> int:
    """Classify, print, and record into `registry_path` when `--record` asks for it."""
    if args.input is None:
        if args.record:
            return _usage("--record needs --input: an export gives each reply's number and time")
        if not args.text:
            return _usage("give replies to classify, or --input EXPORT")
        return _classify_texts(args)
    if args.text:
        return _usage("give replies as arguments or --input, not both")
    columns = Columns(args.number_column, args.reply_column, args.received_column)
    fmt = inbound_format(args.input, args.input_format)
    if args.input == "-":
        return _classify_export(args, sys.stdin.buffer, fmt, columns, registry_path)
    with open(args.input, "rb") as data:
        return _classify_export(args, data, fmt, columns, registry_path)


def _usage(message: str) -> int:
    print(f"{_PROG}: {message}", file=sys.stderr)
    return 2


def _texts(args: argparse.Namespace) -> Iterator[str]:
    if args.text == ["-"]:
        yield from (line.rstrip("\r\n") for line in sys.stdin)
    else:
        yield from args.text


def _classify_texts(args: argparse.Namespace) -> int:
    matched = False
    for text in _texts(args):
        result = classify_reply(text)
        matched = matched or result.kind != "other"
        if args.format == "json":
            print(json.dumps({**result.model_dump(), "reply": text}, ensure_ascii=False))
        else:
            print("\t".join(_fields(result, text, args.lang)))
    return 0 if matched else 1


def _fields(result: ReplyClass, reply: str, lang: str) -> list[str]:
    reason = result.reason_fr if lang == "fr" else result.reason_en
    return [
        result.kind,
        result.status,
        result.keyword or "-",
        f"{result.confidence:.2f}",
        reply.translate(_ESCAPES),
        reason,
    ]


def _classify_export(
    args: argparse.Namespace,
    data: IO[bytes],
    fmt: InboundFormat,
    columns: Columns,
    registry_path: str | None,
) -> int:
    decisions = classify_inbound(read_inbound(data, fmt, columns))
    try:
        if registry_path is None:
            return _report(args, decisions, None)
        with SQLiteRegistry(registry_path) as registry:
            return _report(
                args, decisions, Recorder(registry, source=args.source, scope=args.scope)
            )
    except InboundError as error:
        print(f"{_PROG}: {error}", file=sys.stderr)
        return 2


def _report(
    args: argparse.Namespace, decisions: Iterator[Decision], recorder: Recorder | None
) -> int:
    matched = False
    rejected = 0
    to_see: list[Decision] = []
    people = 0
    for decision in decisions:
        inbound = decision.inbound
        matched = matched or decision.result.kind != "other"
        if inbound.error:
            rejected += 1
            print(f"{_PROG}: line {inbound.line}: {_unkept(decision)}", file=sys.stderr)
        if recorder is not None:
            recorder.add(decision)
            if decision.needs_person:
                people += 1
                if len(to_see) < _LISTED:
                    to_see.append(decision)
        print(_line(decision, args) if args.format == "text" else _json(decision, args))
    if recorder is not None:
        recorder.flush()
        _summary(recorder, to_see, people, args.lang)
    return 0 if matched and not rejected else 1


def _unkept(decision: Decision) -> str:
    """Why a row cannot be recorded, loud when it asks for something (an opt-out above all)."""
    result = decision.result
    if result.kind == "other":
        return decision.inbound.error
    return f"{decision.inbound.error}; the reply reads as {result.kind} ({result.status}) and is NOT recorded"


def _number(inbound: Inbound, show: bool) -> str:
    return inbound.number if show and inbound.number else inbound.shown_number


def _line(decision: Decision, args: argparse.Namespace) -> str:
    inbound = decision.inbound
    at = inbound.received_at.isoformat() if inbound.received_at else "-"
    head = [str(inbound.line), _number(inbound, args.show_numbers), at]
    return "\t".join(head + _fields(decision.result, inbound.reply, args.lang))


def _json(decision: Decision, args: argparse.Namespace) -> str:
    inbound = decision.inbound
    found: dict[str, Any] = {
        "line": inbound.line,
        "number": _number(inbound, args.show_numbers),
        "received_at": inbound.received_at.isoformat() if inbound.received_at else None,
        "reply": inbound.reply,
        **decision.result.model_dump(),
        "action": decision.action,
        "needs_person": decision.needs_person,
    }
    if inbound.error:
        found["error"] = inbound.error
    return json.dumps(found, ensure_ascii=False)


def _summary(recorder: Recorder, to_see: list[Decision], people: int, lang: str) -> None:
    done = recorder.done
    print(
        f"recorded: {done.opt_out} opt-out(s), {done.opt_out_to_review} opt-out(s) to review "
        f"(suppressed until a person decides), {done.opt_in} opt-in(s); "
        f"{done.new} new event(s) in the registry",
        file=sys.stderr,
    )
    print(f"needs a person: {people} reply(ies)", file=sys.stderr)
    for decision in to_see:
        result, inbound = decision.result, decision.inbound
        reason = result.reason_fr if lang == "fr" else result.reason_en
        if inbound.error:
            reason = f"{inbound.error}; {reason}"
        print(
            f"  line {inbound.line} {inbound.shown_number}: {result.kind} {result.status}: {reason}",
            file=sys.stderr,
        )
    if people > len(to_see):
        print(f"  … and {people - len(to_see)} more (see the output)", file=sys.stderr)
