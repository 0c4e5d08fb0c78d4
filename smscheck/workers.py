"""Worker processes that each take a share of an ordered list of tasks: those given to it, and
a contiguous stretch of the others.

A worker keeps its caches warm on what recurs in the tasks it runs: the campaign, the merged
bodies and the recipients' profiles. A task may be given to a worker (the part of a chunk whose
merge fields fall to it, see `parts`); the others are split into one contiguous share per
worker, cut where a template begins when one lies near the balanced cut, as neighbouring
chunks of a file share most of what is warm. A worker that ends its share takes the last task
of the share with the most work left, one at a time, and one that is cold for it (of a
template it has not run, or given to another) only from a share with much left (`Schedule`).
Outcomes are yielded in task order: what a worker finished ahead is kept by the caller's tasks
(files, for the batch), only their small outcomes here.

Each worker has its own pipe, so that no lock is shared: a worker killed at any moment is seen
(its process ends) and never leaves the others or the parent waiting. Tasks go out from a
thread per worker, so that the parent keeps reading outcomes while a task is sent: a large task
and a large outcome crossing in one pipe would otherwise leave both sides waiting to write.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Generator, Hashable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkContext, SpawnContext
from multiprocessing.process import BaseProcess
from queue import SimpleQueue
from typing import Generic, TypeVar

Task = TypeVar("Task")
Outcome = TypeVar("Outcome")

AHEAD = 2  # tasks a worker holds: it starts its next one without waiting for the parent
# A chunk of a template a worker has not run costs it about 8 warm chunks' time (on the
# realistic benchmark: its message rules run again on every body new to it, 0.34 s for 500
# lines against 0.04): taken from another's share only when that share has as much left.
COLD_STEAL = 8
PARENT_CHECK_SECONDS = 1.0  # how often a waiting worker checks that its parent still runs


def shares(weights: Sequence[int], openings: Sequence[bool], count: int) -> list[deque[int]]:
    """The indices of the tasks in `count` contiguous shares of about equal weight. A share
    starts at a task marked in `openings` (one that begins a template) if one lies within a
    quarter of a share of the balanced cut, else at the task nearest that cut."""
    if not any(weights):  # weightless tasks are shared out by number
        weights = [1] * len(weights)
    before = list(accumulate(weights, initial=0))  # before[i]: the weight of the tasks < i
    total, tasks = before[-1], len(weights)
    slack = total / (4 * count)
    cuts = [0]
    for share in range(1, count):
        target, low = total * share / count, cuts[-1]

        def distance(index: int, target: float = target) -> float:
            return abs(before[index] - target)

        near = bisect_left(before, target, lo=low, hi=tasks)
        nearest = min(range(max(low, near - 1), min(tasks, near + 1) + 1), key=distance)
        first = bisect_left(before, target - slack, lo=low, hi=tasks)
        last = bisect_right(before, target + slack, lo=first, hi=tasks)
        opening = [index for index in range(first, last) if openings[index]]
        cuts.append(min(opening, key=distance) if opening else nearest)
    cuts.append(tasks)
    return [deque(range(start, end)) for start, end in pairwise(cuts)]


class Schedule:
    """Which task each worker runs next. Each has its share: the tasks `owners` gives it, and a
    contiguous share (`shares`) of those it gives nobody. It holds up to AHEAD of them, so that
    it starts the next without waiting for the parent. A worker that ends its share takes the
    last task of the share with the most work left, one at a time (a task it holds ahead could
    have been run sooner by the share's owner). Tasks of one of `groups` share what a worker
    keeps warm (a chunk's template): a task of a group the worker has not run costs it far
    more than its owner, so it takes one only from a share with COLD_STEAL times that task's
    weight left. So it does for a task given to another worker, whatever it ran: what that
    task meets is warm in its owner only (the part of a chunk its merge fields give it)."""

    def __init__(
        self,
        weights: Sequence[int],
        openings: Sequence[bool],
        count: int,
        groups: Sequence[Hashable] | None = None,
        owners: Sequence[int | None] | None = None,
    ) -> None:
        self._weights, self._groups, self._owners = weights, groups, owners
        self._queues = _owned(weights, openings, count, owners)
        self._left = [sum(weights[index] for index in queue) for queue in self._queues]
        self._held = [0] * count
        self._ran: list[set[Hashable]] = [set() for _ in range(count)]

    def next_for(self, worker: int) -> int | None:
        """The task to send `worker` now, if any (counted as held until `returned`)."""
        owner = worker
        if self._held[worker] >= AHEAD:
            return None
        if not self._queues[worker]:
            if self._held[worker]:
                return None
            found = self._victim(worker)
            if found is None:
                return None
            owner = found
        queue = self._queues[owner]
        index = queue.popleft() if owner == worker else queue.pop()
        self._left[owner] -= self._weights[index]
        self._held[worker] += 1
        if self._groups is not None:
            self._ran[worker].add(self._groups[index])
        return index

    def returned(self, worker: int) -> None:
        """`worker` sent back the outcome of a task it held."""
        self._held[worker] -= 1

    def _victim(self, worker: int) -> int | None:
        """The share `worker` takes its next task from, if one is worth taking from."""
        worth = [
            other
            for other, queue in enumerate(self._queues)
            if queue and (self._warm(worker, queue[-1]) or self._worth_cold(other, queue[-1]))
        ]
        return max(worth, key=self._left.__getitem__) if worth else None

    def _warm(self, worker: int, index: int) -> bool:
        if self._owners is not None and self._owners[index] is not None:
            return self._owners[index] == worker
        return self._groups is None or self._groups[index] in self._ran[worker]

    def _worth_cold(self, owner: int, index: int) -> bool:
        return self._left[owner] >= COLD_STEAL * max(self._weights[index], 1)


def _owned(
    weights: Sequence[int],
    openings: Sequence[bool],
    count: int,
    owners: Sequence[int | None] | None,
) -> list[deque[int]]:
    """Each worker's share, in task order: the tasks `owners` gives it, and its contiguous share
    of the others."""
    if owners is None or not any(owner is not None for owner in owners):
        return shares(weights, openings, count)
    free = [
        0 if owner is not None else weight for weight, owner in zip(weights, owners, strict=True)
    ]
    queues = [
        deque(i for i in queue if owners[i] is None) for queue in shares(free, openings, count)
    ]
    for index, owner in enumerate(owners):
        if owner is not None:
            queues[owner].append(index)
    return [deque(sorted(queue)) for queue in queues]


def _serve(
    connection: Connection,
    factory: Callable[[], Callable[[Task], Outcome]],
    inherited: Sequence[Connection],
) -> None:
    """A worker's loop: build the task handler, then answer each `(index, task)` received with
    `(index, outcome)`, or the exception the task raised; end on None, or when the parent is
    gone. A handler that cannot be built answers every task with its error. `inherited`: the
    parent's ends of the pipes, copied by the fork, closed here, so that the parent's death
    ends this worker's pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the parent handles it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for other in inherited:
        other.close()
    parent = os.getppid()
    handler: Callable[[Task], Outcome] | None = None
    try:
        handler = factory()
    except Exception as exc:
        failure: Exception = exc
    while True:
        try:
            while not connection.poll(PARENT_CHECK_SECONDS):
                if os.getppid() != parent:
                    return
            message = connection.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if message is None:
            return
        index, task = message
        outcome: Outcome | Exception
        try:
            outcome = handler(task) if handler is not None else failure
        except Exception as exc:
            outcome = exc
        try:
            connection.send((index, _sendable(outcome)))
        except OSError:  # the parent is gone
            return


def _sendable(outcome: object) -> object:
    """The outcome, as the parent can rebuild it: an exception whose constructor does not take
    its `args` back (one with arguments of its own) goes as its class and state."""
    if not isinstance(outcome, BaseException):
        return outcome
    for sent in (outcome, _Raised.of(outcome)):
        try:
            pickle.loads(pickle.dumps(sent))
        except Exception as exc:
            failure = exc
        else:
            return sent
    return RuntimeError(f"{type(outcome).__name__}: {outcome} ({failure})")


@dataclass(frozen=True, slots=True)
class _Raised:
    """An exception as its class, `args` and attributes, rebuilt without its constructor."""

    kind: type[BaseException]
    args: tuple[object, ...]
    attributes: dict[str, object]

    @classmethod
    def of(cls, exc: BaseException) -> _Raised:
        return cls(type(exc), exc.args, dict(getattr(exc, "__dict__", {})))

    def rebuilt(self) -> BaseException:
        exc = self.kind.__new__(self.kind)
        exc.args = self.args
        exc.__dict__.update(self.attributes)
        return exc


class Workers(Generic[Task, Outcome]):
    """`count` processes, each running the handler `factory` builds (forked where the platform
    allows it: no re-import of the caller's main module, which fails for code run from standard
    input; with `spawn`, `factory` must pickle)."""

    def __init__(self, count: int, factory: Callable[[], Callable[[Task], Outcome]]) -> None:
        context: ForkContext | SpawnContext = (
            multiprocessing.get_context("fork")
            if "fork" in multiprocessing.get_all_start_methods()
            else multiprocessing.get_context("spawn")
        )
        for stream in (sys.stdout, sys.stderr):  # a child would write its copy of their buffers
            if stream is not None:
                stream.flush()
        # What the workers inherit stays out of their garbage collections: fewer pages copied,
        # and shorter pauses (a pause within a pattern's search counts against its time budget).
        gc.freeze()
        forked = isinstance(context, ForkContext)
        self._connections: list[Connection] = []
        self._processes: list[BaseProcess] = []
        self._outboxes: list[SimpleQueue[object]] = []
        self._senders: list[threading.Thread] = []
        self._spoiled = False  # a run left outcomes on the way: they would be taken as another's
        try:
            for _ in range(count):
                ours, theirs = context.Pipe()
                self._connections.append(ours)
                inherited = tuple(self._connections) if forked else ()
                process = context.Process(
                    target=_serve, args=(theirs, factory, inherited), daemon=True
                )
                self._processes.append(process)
                process.start()
                theirs.close()  # the worker's end is its own: its death is seen as an end of file
            for connection in self._connections:  # threads after the forks: none is copied
                outbox: SimpleQueue[object] = SimpleQueue()
                sender = threading.Thread(target=_sending, args=(outbox, connection), daemon=True)
                self._outboxes.append(outbox)
                self._senders.append(sender)
                sender.start()
        except BaseException:
            self.stop()
            raise

    @property
    def processes(self) -> tuple[BaseProcess, ...]:
        return tuple(self._processes)

    def ordered(
        self,
        tasks: Sequence[Task],
        weights: Sequence[int],
        openings: Sequence[bool],
        reached: Callable[[Outcome], None] | None = None,
        groups: Sequence[Hashable] | None = None,
        owners: Sequence[int | None] | None = None,
    ) -> Generator[Outcome, None, None]:
        """The tasks' outcomes in task order (see `Schedule` for who runs which), each passed
        to `reached` as soon as it is back. The exception a task raised is raised here;
        ChildProcessError if a worker ends meanwhile (killed, out of memory)."""
        if self._spoiled:
            raise RuntimeError("these workers ran a run that did not end: stop them")
        schedule = Schedule(weights, openings, len(self._processes), groups, owners)
        back: dict[int, Outcome] = {}

        def feed(worker: int) -> None:
            while (index := schedule.next_for(worker)) is not None:
                self._outboxes[worker].put((index, tasks[index]))

        self._spoiled = True
        for worker in range(len(self._processes)):
            feed(worker)
        for index in range(len(tasks)):
            while index not in back:
                for worker, outcome in self._received():
                    schedule.returned(worker)
                    back[outcome[0]] = outcome[1]
                    if reached is not None:
                        reached(outcome[1])
                    feed(worker)
            yield back.pop(index)
        self._spoiled = False

    def _received(self) -> Iterator[tuple[int, tuple[int, Outcome]]]:
        """The outcomes ready, once one is, with the worker that sent each."""
        sentinels = {process.sentinel: worker for worker, process in enumerate(self._processes)}
        ready = wait([*self._connections, *sentinels])
        for worker, connection in enumerate(self._connections):
            if connection in ready:
                try:
                    index, outcome = connection.recv()
                except (EOFError, OSError):  # the worker died with its pipe open or mid-message
                    raise self._ended(worker) from None
                except Exception as exc:  # an answer that does not unpickle here
                    raise RuntimeError(f"a worker's answer could not be read: {exc}") from None
                if isinstance(outcome, _Raised):
                    raise outcome.rebuilt()
                if isinstance(outcome, Exception):
                    raise outcome
                yield worker, (index, outcome)
        for sentinel, worker in sentinels.items():
            if sentinel in ready and not self._has_data(worker):
                raise self._ended(worker)

    def _has_data(self, worker: int) -> bool:
        try:
            return self._connections[worker].poll()
        except OSError:
            return False

    def _ended(self, worker: int) -> ChildProcessError:
        process = self._processes[worker]
        process.join(timeout=1)
        code = process.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return ChildProcessError(
            f"a worker process ended unexpectedly ({how}): the results are incomplete"
        )

    def stop(self) -> None:
        """Stop every worker for good (at once: what they were doing is not wanted)."""
        for process in self._processes:
            if process.pid is not None:
                process.kill()
        for process in self._processes:
            if process.pid is not None:
                process.join()
        for outbox in self._outboxes:
            outbox.put(None)
        for sender in self._senders:
            sender.join()
        for connection in self._connections:
            connection.close()


def _sending(outbox: SimpleQueue[object], connection: Connection) -> None:
    """Send what `outbox` gives to a worker, until None. A worker gone is not reported here: its
    process's end is what the parent sees (`Workers._received`)."""
    while (message := outbox.get()) is not None:
        try:
            connection.send(message)
        except OSError:
            return
