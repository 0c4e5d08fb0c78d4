"""Batch checking: stream inputs in chunks, in one process or several, results in input order.

JSON Lines files are cut into chunks, ranges of lines ending before a template line where it
can; each chunk carries the campaign template line in force at its start, so any process can
read and check it alone. One process and N processes run the same chunk function, so their
output is the same bytes. With N processes, each checks a contiguous share of a file's chunks
(see `workers`), and writes a chunk's output to a file of a private temporary folder, returning
only its name and summary; the parent copies the files out in input order and deletes them, the
folder going with the run whatever stops it. The shares after the first wait there for their
turn: a run with N workers needs temporary space for up to (N-1)/N of its output. Other inputs
(CSV, campaign files, JSON documents, standard input) are read as they come and checked in this
process CHUNK_LINES items at a time, so that their output too is held a chunk at a time.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import IO, Any, BinaryIO

from smscheck.acceptance import AcceptanceError
from smscheck.engine import Checker
from smscheck.formatters import FORMATTERS, PLAIN, Result, Style, Summary
from smscheck.inputs import (
    LINE_SUFFIXES,
    CsvOptions,
    InputError,
    Item,
    LineReader,
    Location,
    Template,
    bounded_lines,
    is_template_line,
    read,
)
from smscheck.messages import error_text
from smscheck.models import Case, Message
from smscheck.packs import load_pack, shipped_packs
from smscheck.privacy import mask_numbers
from smscheck.selection import Selection
from smscheck.verdicts import Lang, Report, Status, TemplateReport
from smscheck.workers import Workers

CHUNK_LINES = 500
# A chunk this long already ends before a template line rather than run on past it: a worker
# then checks one campaign at a time, and chunks stay long enough to amortise.
ALIGNED_LINES = CHUNK_LINES // 4
TAIL_LINES = CHUNK_LINES // 8  # the least lines of a chunk shortened near the end of a file
# How a worker encodes what it writes when the parent reads it back as text: losslessly.
LOSSLESS = ("utf-8", "surrogatepass")


@dataclass(frozen=True, slots=True)
class Settings:
    """How to build the checker and render results; sent to worker processes."""

    pack_paths: tuple[str, ...] = ()
    default_packs: bool = True
    lang: Lang = "fr"
    show_numbers: bool = False
    suppressed: frozenset[str] = frozenset()
    fmt: str = "text"
    only_problems: bool = False
    style: Style = PLAIN  # for the formats people read
    quiet: bool = False  # count only: render nothing
    selection: Selection = field(default_factory=Selection)
    recipients: str | None = None  # a CSV of recipients for the templates of campaign files
    csv: CsvOptions | None = None
    # How workers encode the files they write: as the output does when the parent copies
    # them byte for byte, else LOSSLESS.
    encoding: tuple[str, str] = LOSSLESS

    def checker(self) -> Checker:
        base = shipped_packs() if self.default_packs else ()
        packs = tuple(base) + tuple(load_pack(path) for path in self.pack_paths)
        return Checker(
            packs,
            suppressed=self.suppressed,
            lang=self.lang,
            show_numbers=self.show_numbers,
            selection=self.selection,
        )


@dataclass(frozen=True, slots=True)
class Chunk:
    """`count` consecutive lines of a file from byte `offset` (`size` bytes as read), with the
    template line in force before the first and `after` the last, and whether that first line
    `opens` a template (sets or drops it); the last chunk of a file knows the error that
    stopped reading, if any. A chunk checked in the process that cut it holds its `lines`;
    one sent to a worker does not, and is read again there."""

    path: str
    first_line: int
    offset: int
    count: int
    size: int = 0
    template: tuple[int, bytes] | None = None
    after: tuple[int, bytes] | None = None
    error: str | None = None
    opens: bool = False
    lines: tuple[bytes, ...] | None = None


@dataclass(frozen=True, slots=True)
class Done:
    """A checked chunk: its rendered output (or the file a worker wrote it to, encoded as
    `Settings.encoding` says) and its summary."""

    rendered: str | bytes  # bytes: encoded as `Settings.encoding` says
    summary: Summary
    consumed: int = 0
    path: str | None = None

    def text(self, encoding: tuple[str, str]) -> str:
        """The rendered output, read back from the worker's file if there is one."""
        if self.path is None:
            rendered = self.rendered
            return rendered.decode(*encoding) if isinstance(rendered, bytes) else rendered
        with open(self.path, "rb") as handle:
            return handle.read().decode(*encoding)

    def copy_to(self, out: BinaryIO) -> None:
        """Write the output, already encoded by the worker, to `out` (flushed first): by
        `sendfile` where the system allows it, else through memory."""
        if self.path is None:
            raise ValueError("only a chunk a worker wrote is copied")
        with open(self.path, "rb") as handle:
            out.flush()
            if not _sent(handle, out):
                shutil.copyfileobj(handle, out)


def _sent(handle: BinaryIO, out: BinaryIO) -> bool:
    """Whether `handle` was sent to `out` whole by `sendfile`; False, having sent nothing, if
    `out` takes no `sendfile` (not a file descriptor, a device like /dev/full)."""
    try:
        target = out.fileno()
    except (OSError, ValueError):  # not a real file (tests)
        return False
    if not hasattr(os, "sendfile"):
        return False
    size, sent = os.fstat(handle.fileno()).st_size, 0
    while sent < size:
        try:
            done = os.sendfile(target, handle.fileno(), sent, size - sent)
        except OSError as exc:
            if sent == 0 and exc.errno in _NO_SENDFILE:
                return False
            raise
        if done == 0:  # the file shrank: nothing more to send
            break
        sent += done
    return True


# Errors of a `sendfile` the target does not take (macOS sends to sockets only: ENOTSOCK).
_NO_SENDFILE = {
    errno.EINVAL,
    errno.ENOSYS,
    errno.ENOTSUP,
    errno.EOPNOTSUPP,
    errno.EXDEV,
    errno.ENOTSOCK,
}


class _Worker:
    """Per-process state: the checker and the formatter, built once."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.checker = settings.checker()
        # Rendered as the parent's formatter, built for the same run, writes it.
        formatter = (
            FORMATTERS[settings.fmt]
            .styled(settings.style)
            .for_run(self.checker.packs, settings.lang, settings.selection)
        )
        self.render, self.case_text = formatter.item, formatter.case
        # A format that can render its cases as bytes in the output's encoding does (quicker
        # than encoding their text): what a worker writes, or the parent copies, as it is.
        self.case_bytes = (
            None if formatter.encoded is None else formatter.encoded(settings.encoding)
        )
        # The reader of the last chunk, and the template line in force at its end: a chunk that
        # starts under the same template reuses it, keeping the same campaign objects, so the
        # checker's shared verdicts survive from chunk to chunk.
        self._reader: LineReader | None = None
        self._reader_template: tuple[int, bytes] | None = None
        self._templates: dict[int, tuple[Template, TemplateReport | AcceptanceError]] = {}

    def _result(self, item: Item, where: str) -> Result:
        """The result of an input: a case, a template or an input error."""
        try:
            if item.case is not None:
                alone = None if item.template is not None else self._body(item.case.message)
                report = self._shared(item).filled(self._number(item.case), where)
                return Result(where, report=report, body=alone)
            if item.template is not None:
                return Result(
                    where,
                    template=self._template(item.template, item.location),
                    body=self._body(item.template.message),
                )
            return self._error(where, item.error or "")
        except AcceptanceError as exc:
            return self._error(where, str(exc))

    def _number(self, case: Case) -> str:
        return self.checker.shown_number(case.recipient.number)

    def _body(self, message: Message) -> str:
        """A body to show: its phone numbers masked unless asked (offsets stay the same)."""
        return message.body if self.settings.show_numbers else mask_numbers(message.body)

    def _error(self, where: str, error: str) -> Result:
        """An input that could not be checked, its error in the run's language."""
        lang = self.settings.lang
        return Result(where, error=error_text(error, lang), lang=lang)

    def _shared(self, item: Item) -> Report:
        """A case's report as its checker shares it (see `Checker.shared_report`); filled from a
        template, only what differs from the template's."""
        assert item.case is not None
        template, at = item.template, item.template_at
        if template is None or at is None:
            return self.checker.shared_report(item.case)
        try:
            report = self._template(template, at)
        except AcceptanceError as exc:
            raise AcceptanceError(f"its template ({at}) cannot be checked: {exc}") from None
        return self.checker.shared_report(item.case, accept=template.accept, template=report)

    def _template(self, template: Template, at: Location) -> TemplateReport:
        """The report of a template, computed once per template object (a chunk of a file may
        run in another process: there it is computed again, the same)."""
        found = self._templates.get(id(template))
        if found is None or found[0] is not template:
            report: TemplateReport | AcceptanceError
            try:
                report = self.checker.check_template(
                    template.message,
                    template.campaign,
                    source=str(at),
                    template_id=template.id,
                    accept=template.accept,
                )
            except AcceptanceError as exc:
                report = exc
            if len(self._templates) > 64:
                self._templates.clear()
            found = self._templates[id(template)] = (template, report)
        if isinstance(found[1], AcceptanceError):
            raise found[1]
        return found[1]

    def run(self, items: Iterable[Item]) -> Done:
        """The output of these items (bytes when the format renders bytes) and their summary."""
        summary = Summary()
        parts: list[Any] = []  # all text, or all bytes
        settings, encoding = self.settings, self.settings.encoding
        case_text: Callable[[Report, str, str], str | bytes] | None = (
            self.case_text if self.case_bytes is None else self.case_bytes
        )
        render: Callable[[Result], str | bytes] = (
            self.render
            if self.case_bytes is None
            else lambda result: self.render(result).encode(*encoding)
        )
        for item in items:
            where = str(item.location)
            if case_text is not None and item.case is not None:  # no per-case report: quicker
                try:
                    shared = self._shared(item)
                except AcceptanceError as exc:
                    result = self._error(where, str(exc))
                else:
                    summary.count(shared, where)
                    if not settings.quiet and not (
                        settings.only_problems and shared.status is Status.PASS
                    ):
                        parts.append(case_text(shared, self._number(item.case), where))
                    continue
            else:
                result = self._result(item, where)
            summary.add(result)
            checked = result.report or result.template
            if settings.quiet or (
                settings.only_problems and checked and checked.status is Status.PASS
            ):
                continue
            parts.append(render(result))
        summary.settle()
        return Done(("" if self.case_bytes is None else b"").join(parts), summary)

    def run_chunk(self, chunk: Chunk) -> Done:
        reader = self._reader
        if reader is None or reader.path != chunk.path or self._reader_template != chunk.template:
            reader = self._reader = LineReader(chunk.path)
            if chunk.template is not None:
                reader.feed(*chunk.template)
        lines = self._lines(chunk) if chunk.lines is None else chunk.lines
        self._reader_template = chunk.after
        done = self.run(_fed(reader, chunk, lines))
        return Done(done.rendered, done.summary, chunk.size)

    @staticmethod
    def _lines(chunk: Chunk) -> tuple[bytes, ...]:
        """The chunk's lines, read as `chunks` read them (the same bounds)."""
        with open(chunk.path, "rb") as handle:
            handle.seek(chunk.offset)
            return tuple(islice(bounded_lines(handle.readline), chunk.count))

    def write_chunk(self, chunk: Chunk, folder: str) -> Done:
        """`run_chunk`, its output written to a new file in `folder` (none if it is empty)."""
        done = self.run_chunk(chunk)
        if not done.rendered:
            return done
        rendered = done.rendered
        data = rendered if isinstance(rendered, bytes) else rendered.encode(*self.settings.encoding)
        try:
            descriptor, path = tempfile.mkstemp(suffix=".part", dir=folder)
            with open(descriptor, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            if exc.errno in _FULL:  # not the output's disk, which the user would look at
                raise OSError(
                    exc.errno,
                    f"{exc.strerror} in the temporary folder where --jobs keeps workers' output "
                    "until its turn: set TMPDIR to a disk with more room, or use --jobs 1",
                    folder,
                ) from None
            raise
        return Done("", done.summary, done.consumed, path)


# A disk or a quota that is full.
_FULL = {errno.ENOSPC, errno.EDQUOT}


def _fed(reader: LineReader, chunk: Chunk, lines: Sequence[bytes]) -> Iterator[Item]:
    for number, raw in enumerate(lines, start=chunk.first_line):
        item = reader.feed(number, raw)
        if item is not None:
            yield item
    if chunk.error is not None:
        yield Item(Location(chunk.path, chunk.first_line + len(lines) - 1), error=chunk.error)


def chunks(
    path: str, handle: IO[bytes], size: int = CHUNK_LINES, workers: int = 0, *, keep: bool = False
) -> Iterator[Chunk]:
    """Cut a JSON Lines file into chunks of at most `size` lines, each knowing the template
    line in force; a chunk of ALIGNED_LINES or more ends before a line that sets or drops the
    template. For `workers` processes, a chunk of TAIL_LINES or more also ends once it holds
    a 2 x `workers`th of the bytes left at its start: the file's last chunks are short, so that
    the worker with the last share ends close to the others (a worker that ends first takes
    whole chunks from the end of the share with the most left: see `workers`).

    Lines are read with a bounded length (an endless line stops the reading with an error);
    the last chunk, possibly empty, closes the file. Only offsets are kept, not the lines,
    unless `keep` (for a chunk checked as soon as it is cut: its lines are not read twice)."""
    template: tuple[int, bytes] | None = None  # in force before the chunk begun
    latest = template  # in force after the last line read
    aligned = max(1, min(size, ALIGNED_LINES))
    total = os.fstat(handle.fileno()).st_size if workers else 0
    first, offset, count, read, share, number = 1, 0, 0, 0, 0, 0
    opens = False  # whether the chunk begun starts with a template line
    kept: list[bytes] = []

    def cut(error: str | None = None) -> Chunk:
        lines = tuple(kept) if keep else None
        kept.clear()
        return Chunk(path, first, offset, count, read, template, latest, error, opens, lines)

    error = None
    try:
        for number, raw in enumerate(bounded_lines(handle.readline), start=1):
            changes = is_template_line(raw) and LineReader.changes_template(number, raw)
            if count >= aligned and changes:
                yield cut()
                count = 0
            if count == 0:
                first, offset, read, template = number, handle.tell() - len(raw), 0, latest
                opens = changes
                share = (total - offset) // (2 * workers) if workers else 0
            count += 1
            read += len(raw)
            if keep:
                kept.append(raw)
            if changes:
                latest = (number, raw)
            if count == size or (count >= TAIL_LINES and read >= share > 0):
                yield cut()
                count = 0
    except InputError as exc:  # a line with no end
        error = str(exc)
    if count == 0:
        first, offset, read, template, opens = number + 1, handle.tell(), 0, latest, False
    yield cut(error)


def _groups(work: list[Chunk]) -> list[int | None]:
    """For each chunk, the template line in force at its end: what a worker keeps warm when it
    checks the chunk (a chunk runs on past a template line only when it starts fewer than
    ALIGNED_LINES before it, so most of its lines are under the template in force at its end)."""
    if not work:
        return []
    last = work[-1]
    ending = last.template if not last.opens else (last.first_line, b"")
    return [
        None if after is None else after[0] for after in [c.template for c in work[1:]] + [ending]
    ]


def _chunk_writer(settings: Settings, folder: str) -> Callable[[Chunk], Done]:
    """A worker process's task: check a chunk and write its output to a file of `folder`."""
    return partial(_Worker(settings).write_chunk, folder=folder)


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Ctrl-C (SIGINT) waits for the end of the block, where the platform can hold it (the
    workers forked meanwhile keep it held: they leave it to the parent)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def run(
    files: Iterable[str],
    settings: Settings,
    stdin: IO[bytes] | None,
    jobs: int = 1,
    reached: Callable[[Done], None] | None = None,
) -> Generator[Done, None, None]:
    """Check every input file, yielding rendered chunks in input order (with jobs > 1, a
    chunk's file lasts until the next chunk is asked for). `reached` is given each chunk once
    checked, before its turn comes (a progress line counts what the workers have done)."""
    folder: str | None = None
    workers: Workers[Chunk, Done] | None = None
    local: list[_Worker] = []  # this process's worker, built when first needed

    def checked(done: Done) -> Done:
        if reached is not None:
            reached(done)
        return done

    def worker() -> _Worker:
        if not local:
            local.append(_Worker(settings))
        return local[0]

    try:
        if jobs > 1:
            with _ctrl_c_held():  # until both are named, so that `finally` sees what to remove
                folder = tempfile.mkdtemp(prefix="smscheck-")  # private (0700)
                workers = Workers(jobs, partial(_chunk_writer, settings, folder))
        for path in files:
            if path != "-" and Path(path).suffix in LINE_SUFFIXES and Path(path).is_file():
                with open(path, "rb") as handle:
                    if workers is None:
                        for chunk in chunks(path, handle, keep=True):
                            yield checked(worker().run_chunk(chunk))
                        continue
                    work = list(chunks(path, handle, workers=jobs))
                sizes, openings = [c.size for c in work], [c.opens for c in work]
                groups = _groups(work)
                for done in workers.ordered(work, sizes, openings, reached, groups):
                    yield done
                    if done.path is not None:
                        os.unlink(done.path)
            else:  # read as it comes, checked and yielded a chunk's worth at a time
                items = read(path, stdin, settings.recipients, settings.csv)
                with closing(items):
                    while part := list(islice(items, CHUNK_LINES)):
                        yield checked(worker().run(part))
    finally:
        if workers is not None:
            workers.stop()  # the workers are stopped (and joined) before their files go
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
