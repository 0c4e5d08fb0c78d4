"""Batch checking: stream inputs in chunks, in one process or several, results in input order.

JSON Lines files are cut into chunks that any process can read and check alone (see
`chunking`). One process and N processes run the same chunk function, so their output is the
same bytes. With N processes, each checks a contiguous share of the chunks (see `workers`),
but a chunk of a campaign those shares would spread over several workers is checked by every
worker, each the lines its merge fields give it, and the parent joins their outputs line by
line (see `parts`). A worker writes its output to a file of a private temporary folder, returning
only its name and summary; the parent copies or joins the files in input order and deletes
them, the folder going with the run whatever stops it. What a worker finished ahead waits there
for its turn: a share waits for the shares before it, up to (N-1)/N of the output; a part of a
chunk only for the other parts of that chunk. Other inputs (CSV,
campaign files, JSON documents, standard input) are read as they come and checked in this
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
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import accumulate, islice
from pathlib import Path
from typing import IO, Any, BinaryIO

from smscheck.acceptance import AcceptanceError
from smscheck.chunking import CHUNK_LINES, Chunk, chunk_items, chunks, lines_of, worker_tasks
from smscheck.engine import Checker
from smscheck.formatters import FORMATTERS, PLAIN, Result, Style, Summary
from smscheck.inputs import (
    LINE_SUFFIXES,
    CsvOptions,
    Item,
    LineReader,
    Location,
    Template,
    read,
)
from smscheck.messages import error_text
from smscheck.models import Case, Message
from smscheck.packs import load_pack, shipped_packs
from smscheck.parts import first_by_line, interleaved
from smscheck.privacy import mask_numbers
from smscheck.selection import Selection
from smscheck.verdicts import Lang, Report, Status, TemplateReport
from smscheck.workers import Workers

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
class Done:
    """A checked chunk: its rendered output (or the file a worker wrote it to, encoded as
    `Settings.encoding` says) and its summary. A part of a chunk tells, to be joined to the
    others, the line each piece of its output renders and where it ends, and the line of each
    of its summary's first problems."""

    rendered: str | bytes  # bytes: encoded as `Settings.encoding` says
    summary: Summary
    consumed: int = 0
    path: str | None = None
    piece_lines: tuple[int, ...] = ()
    piece_ends: tuple[int, ...] = ()
    problem_lines: tuple[int, ...] = ()

    def text(self, encoding: tuple[str, str]) -> str:
        """The rendered output, read back from the worker's file if there is one."""
        rendered = self.output()
        return rendered.decode(*encoding) if isinstance(rendered, bytes) else rendered

    def output(self) -> str | bytes:
        """The rendered output as rendered, or the bytes of the worker's file."""
        if self.path is None:
            return self.rendered
        with open(self.path, "rb") as handle:
            return handle.read()

    def copy_to(self, out: BinaryIO, skip: int = 0) -> None:
        """Write the output, already encoded by the worker, to `out` (flushed first), less its
        first `skip` bytes: by `sendfile` where the system allows it, else through memory."""
        if self.path is None:
            raise ValueError("only a chunk a worker wrote is copied")
        with open(self.path, "rb") as handle:
            out.flush()
            if not _sent(handle, out, skip):
                handle.seek(skip)
                shutil.copyfileobj(handle, out)


def _sent(handle: BinaryIO, out: BinaryIO, start: int) -> bool:
    """Whether `handle` from byte `start` was sent to `out` whole by `sendfile`; False, having
    sent nothing, if `out` takes no `sendfile` (not a file descriptor, a device like
    /dev/full)."""
    try:
        target = out.fileno()
    except (OSError, ValueError):  # not a real file (tests)
        return False
    if not hasattr(os, "sendfile"):
        return False
    size, sent = os.fstat(handle.fileno()).st_size, start
    while sent < size:
        try:
            done = os.sendfile(target, handle.fileno(), sent, size - sent)
        except OSError as exc:
            if sent == start and exc.errno in _NO_SENDFILE:
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

    def run(self, items: Iterable[Item], marked: bool = False) -> Done:
        """The output of these items (bytes when the format renders bytes) and their summary;
        `marked` (a part of a chunk, see `parts`), as bytes, with the line of each piece of the
        output and of each first problem."""
        summary = Summary()
        pieces: list[Any] = []  # all text, or all bytes
        encoding = self.settings.encoding
        binary = marked or self.case_bytes is not None
        case_text: Callable[[Report, str, str], str | bytes] | None = self.case_bytes
        if case_text is None and self.case_text is not None:
            as_text = self.case_text
            case_text = (lambda *case: as_text(*case).encode(*encoding)) if binary else as_text
        render: Callable[[Result], str | bytes] = (
            (lambda result: self.render(result).encode(*encoding)) if binary else self.render
        )
        shown: list[int] = []  # when marked: the line of each piece
        noted: list[int] = []  # and of each first problem
        first = summary.first_problems
        for item in items:
            piece = self._piece(item, str(item.location), summary, case_text, render)
            if piece is not None:
                pieces.append(piece)
            if marked:
                line = item.location.line or 0
                if piece is not None:
                    shown.append(line)
                if len(first) > len(noted):
                    noted.append(line)
        summary.settle()
        rendered = (b"" if binary else "").join(pieces)
        if not marked:
            return Done(rendered, summary)
        ends = tuple(accumulate(map(len, pieces)))
        return Done(
            rendered, summary, piece_lines=tuple(shown), piece_ends=ends, problem_lines=tuple(noted)
        )

    def _piece(
        self,
        item: Item,
        where: str,
        summary: Summary,
        case_text: Callable[[Report, str, str], str | bytes] | None,
        render: Callable[[Result], str | bytes],
    ) -> str | bytes | None:
        """The output of an item, counted in `summary`; None if it shows nothing. A case is
        written by `case_text` where the format has one (no per-case report: quicker)."""
        settings = self.settings
        if case_text is not None and item.case is not None:
            try:
                shared = self._shared(item)
            except AcceptanceError as exc:
                result = self._error(where, str(exc))
            else:
                summary.count(shared, where)
                if settings.quiet or (settings.only_problems and shared.status is Status.PASS):
                    return None
                return case_text(shared, self._number(item.case), where)
        else:
            result = self._result(item, where)
        summary.add(result)
        checked = result.report or result.template
        if settings.quiet or (settings.only_problems and checked and checked.status is Status.PASS):
            return None
        return render(result)

    def run_chunk(self, chunk: Chunk) -> Done:
        """The output of a chunk, or of its part (see `parts`)."""
        reader = self._reader
        if reader is None or reader.path != chunk.path or self._reader_template != chunk.template:
            reader = self._reader = LineReader(chunk.path)
            if chunk.template is not None:
                reader.feed(*chunk.template)
        lines = lines_of(chunk) if chunk.lines is None else chunk.lines
        self._reader_template = chunk.after
        done = self.run(chunk_items(reader, chunk, lines), marked=chunk.parts > 1)
        if chunk.parts == 1:
            return replace(done, consumed=chunk.size)
        share, rest = divmod(chunk.size, chunk.parts)  # the bytes read, for a progress line
        return replace(done, consumed=share + (rest if chunk.part == 0 else 0))

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
        return replace(done, rendered=b"", path=path)


# A disk or a quota that is full.
_FULL = {errno.ENOSPC, errno.EDQUOT}


def _joined(parts: Sequence[Done]) -> Done:
    """A chunk's output and summary from those of its parts, their files deleted."""
    outputs: list[bytes] = []
    for done in parts:
        output = done.output()
        if done.path is not None:
            os.unlink(done.path)
        assert isinstance(output, bytes)  # a part renders bytes
        outputs.append(output)
    rendered = interleaved(outputs, [d.piece_lines for d in parts], [d.piece_ends for d in parts])
    summary = Summary()
    for done in parts:
        summary.merge(done.summary)
    # As many first problems as merging kept (up to a summary's limit), now the first by line.
    summary.first_problems[:] = first_by_line(
        [done.summary.first_problems for done in parts],
        [done.problem_lines for done in parts],
        len(summary.first_problems),
    )
    return Done(rendered, summary, sum(done.consumed for done in parts))


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
                tasks, groups, owners = worker_tasks(work, jobs)
                weights = [task.size // task.parts for task in tasks]
                openings = [task.opens and task.parts == 1 for task in tasks]
                parts: list[Done] = []
                ordered = workers.ordered(tasks, weights, openings, reached, groups, owners)
                for index, done in enumerate(ordered):
                    if tasks[index].parts == 1:
                        yield done
                        if done.path is not None:
                            os.unlink(done.path)
                        continue
                    parts.append(done)
                    if len(parts) == tasks[index].parts:
                        joined = _joined(parts)
                        parts.clear()
                        yield joined
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
