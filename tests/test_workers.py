"""Worker processes: contiguous shares, outcomes in task order, and no hang when one dies."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smscheck.workers import AHEAD, COLD_STEAL, Schedule, Workers, shares

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

Task = TypeVar("Task")
T = TypeVar("T")
Outcome = TypeVar("Outcome")


@contextmanager
def _started(factory: Callable[[], Callable[[Task], Outcome]]) -> Iterator[Workers[Task, Outcome]]:
    """Two workers running the handler `factory` builds, stopped on the way out."""
    workers = Workers(2, factory)
    try:
        yield workers
    finally:
        workers.stop()


def _flatten(split: list[list[int]]) -> list[int]:
    return [index for share in split for index in share]


_WEIGHTS = st.lists(st.integers(min_value=0, max_value=1000), max_size=60)
_COUNTS = st.integers(min_value=1, max_value=5)


def _per_task(data: st.DataObject, values: st.SearchStrategy[T], weights: list[int]) -> list[T]:
    """One drawn value for each task."""
    return data.draw(st.lists(values, min_size=len(weights), max_size=len(weights)))


@given(weights=_WEIGHTS, count=_COUNTS, data=st.data())
def test_shares_are_contiguous_and_hand_out_every_task_once(
    weights: list[int], count: int, data: st.DataObject
) -> None:
    openings = _per_task(data, st.booleans(), weights)
    split = [list(share) for share in shares(weights, openings, count)]
    assert len(split) == count
    assert _flatten(split) == list(range(len(weights)))


def test_shares_balance_the_weight_when_no_template_begins_near_the_cut() -> None:
    split = shares([10] * 100, [False] * 100, 2)
    assert [len(share) for share in split] == [50, 50]


def test_a_share_begins_where_a_template_begins_near_the_balanced_cut() -> None:
    openings = [False] * 100
    openings[0] = openings[41] = True
    split = shares([10] * 100, openings, 2)
    assert split[1][0] == 41


def test_a_template_far_from_the_balanced_cut_does_not_unbalance_the_shares() -> None:
    openings = [False] * 100
    openings[0] = openings[5] = True
    split = shares([10] * 100, openings, 2)
    assert split[1][0] == 50


def test_fewer_tasks_than_workers_leaves_some_shares_empty() -> None:
    split = shares([5], [True], 3)
    assert _flatten([list(share) for share in split]) == [0]


def _square() -> Callable[[int], int]:
    return lambda task: task * task


def _slow_on_the_first_half() -> Callable[[int], int]:
    def handle(task: int) -> int:
        if task < 10:
            time.sleep(0.05)
        return os.getpid()

    return handle


def _fails_on_seven() -> Callable[[int], int]:
    def handle(task: int) -> int:
        if task == 7:
            raise ValueError("seven is refused")
        return task

    return handle


def _cannot_be_built() -> Callable[[int], int]:
    raise LookupError("no registry")


def _drain(schedule: Schedule, worker: int) -> list[int]:
    """Run `worker` alone until the schedule gives it nothing, returning each task at once."""
    ran = []
    while (index := schedule.next_for(worker)) is not None:
        ran.append(index)
        schedule.returned(worker)
    return ran


@given(weights=_WEIGHTS, count=_COUNTS, data=st.data())
def test_a_schedule_hands_out_every_task_once_whatever_the_order_of_returns(
    weights: list[int], count: int, data: st.DataObject
) -> None:
    groups = _per_task(data, st.sampled_from("abc"), weights)
    schedule = Schedule(weights, [False] * len(weights), count, groups)
    held: list[list[int]] = [[] for _ in range(count)]
    handed: list[int] = []
    for worker in range(count):
        while (index := schedule.next_for(worker)) is not None:
            held[worker].append(index)
    while any(held):
        worker = data.draw(st.sampled_from([w for w in range(count) if held[w]]))
        handed.append(held[worker].pop(0))
        schedule.returned(worker)
        while (index := schedule.next_for(worker)) is not None:
            held[worker].append(index)
    assert sorted(handed) == list(range(len(weights)))


def test_a_worker_holds_its_own_tasks_ahead_but_another_shares_one_at_a_time() -> None:
    schedule = Schedule([1] * 40, [False] * 40, 2)
    assert [schedule.next_for(0) for _ in range(AHEAD + 1)] == [*range(AHEAD), None]
    for index in range(20, 40):  # worker 1 ends its share
        assert schedule.next_for(1) == index
        schedule.returned(1)
    assert schedule.next_for(1) == 39 - 20  # the last task of worker 0's share...
    assert schedule.next_for(1) is None  # ...and no other until it is back
    schedule.returned(1)
    assert schedule.next_for(1) == 18


def test_a_worker_leaves_a_share_of_a_template_it_has_not_run_that_has_little_left() -> None:
    half = COLD_STEAL  # worker 0 holds its first task: COLD_STEAL - 1 are left in its share
    schedule = Schedule([1] * 2 * half, [False] * 2 * half, 2, ["a"] * half + ["b"] * half)
    assert schedule.next_for(0) == 0
    assert _drain(schedule, 1) == list(range(half, 2 * half))  # its own share only
    schedule.returned(0)
    assert _drain(schedule, 0) == list(range(1, half))


def test_a_worker_takes_from_a_share_of_another_template_with_much_left_then_warm() -> None:
    half = COLD_STEAL + 2  # worker 0 holds its first task: COLD_STEAL + 1 are left
    schedule = Schedule([1] * 2 * half, [False] * 2 * half, 2, ["a"] * half + ["b"] * half)
    assert schedule.next_for(0) == 0
    # Its share, the other's last task (much was left), then, that template now warm, the rest.
    assert _drain(schedule, 1) == [*range(half, 2 * half), *range(half - 1, 0, -1)]


def test_a_worker_takes_tasks_of_a_template_it_has_run_however_little_is_left() -> None:
    groups = ["first"] * 12 + ["second"] * 8  # the cut falls within the first template
    schedule = Schedule([1] * 20, [False] * 20, 2, groups)
    assert schedule.next_for(0) == 0
    assert _drain(schedule, 1) == [*range(10, 20), *range(9, 0, -1)]


def test_a_task_given_to_a_worker_is_in_its_share_and_the_others_are_cut_contiguously() -> None:
    # Chunks 0-3 outside any template, whole; chunks 4-5 under one, a part for each worker.
    owners, weights = [None, None, None, None, 0, 1, 0, 1], [4, 4, 4, 4, 1, 1, 1, 1]
    schedule = Schedule(weights, [False] * 8, 2, owners=owners)
    assert _drain(schedule, 0) == [0, 1, 4, 6, 7, 5, 3, 2]  # its own, then the other's from the end
    schedule = Schedule(weights, [False] * 8, 2, owners=owners)
    assert schedule.next_for(0) == 0 and schedule.next_for(1) == 2
    assert schedule.next_for(1) == 3 and schedule.next_for(1) is None  # AHEAD held


def test_a_worker_takes_the_parts_of_another_only_from_a_share_with_much_left() -> None:
    # Worker 0 ends its parts while worker 1 has run none of its: it takes worker 1's last parts,
    # cold, while COLD_STEAL are left, though it ran parts of that group and template.
    parts = 2 * (COLD_STEAL + 1)
    owners = [index % 2 for index in range(parts)]
    schedule = Schedule([1] * parts, [False] * parts, 2, ["template"] * parts, owners)
    assert _drain(schedule, 0) == [*range(0, parts, 2), parts - 1, parts - 3]


@given(weights=_WEIGHTS, count=_COUNTS, data=st.data())
def test_a_schedule_with_owned_tasks_hands_out_every_task_once(
    weights: list[int], count: int, data: st.DataObject
) -> None:
    owners = _per_task(data, st.sampled_from([None, *range(count)]), weights)
    schedule = Schedule(weights, [False] * len(weights), count, owners=owners)
    handed = [index for worker in range(count) for index in _drain(schedule, worker)]
    assert sorted(handed) == list(range(len(weights)))


@needs_fork
def test_outcomes_come_back_in_task_order_and_each_is_reported_as_it_arrives() -> None:
    seen: list[int] = []
    with _started(_square) as workers:
        tasks = list(range(40))
        got = list(workers.ordered(tasks, [1] * 40, [False] * 40, seen.append))
    assert got == [task * task for task in tasks]
    assert sorted(seen) == sorted(got)


@needs_fork
def test_a_worker_that_ends_its_share_takes_work_from_the_other_share() -> None:
    with _started(_slow_on_the_first_half) as workers:
        pids = list(workers.ordered(list(range(20)), [1] * 20, [False] * 20))
    first_half = set(pids[:10])
    assert len(first_half) == 2  # the fast worker stole from the slow worker's share


@needs_fork
def test_the_exception_a_task_raises_is_raised_to_the_caller() -> None:
    with (
        _started(_fails_on_seven) as workers,
        pytest.raises(ValueError, match="seven is refused"),
    ):
        list(workers.ordered(list(range(10)), [1] * 10, [False] * 10))


@needs_fork
def test_a_handler_that_cannot_be_built_fails_the_tasks_with_its_error() -> None:
    with _started(_cannot_be_built) as workers, pytest.raises(LookupError, match="no registry"):
        list(workers.ordered([1, 2], [1, 1], [False, False]))


@needs_fork
def test_a_killed_worker_ends_the_run_with_an_error_and_stopping_still_ends() -> None:
    workers: Workers[int, int] = Workers(2, _slow_on_the_first_half)
    outcomes = workers.ordered(list(range(20)), [1] * 20, [False] * 20)
    for process in workers.processes:
        assert process.pid is not None
        os.kill(process.pid, 9)
    with pytest.raises(ChildProcessError, match="ended unexpectedly"):
        list(outcomes)
    stopping = threading.Thread(target=workers.stop, daemon=True)
    stopping.start()
    stopping.join(timeout=30)
    assert not stopping.is_alive()
    assert all(process.exitcode is not None for process in workers.processes)


def _large_answers() -> Callable[[bytes], bytes]:
    return lambda task: b"y" * len(task)


@needs_fork
def test_large_tasks_and_large_answers_crossing_in_a_pipe_do_not_hang() -> None:
    # The parent sending a worker its next task while that worker sends a large answer: each
    # waited for the other to read, for ever, once both were larger than the pipe's buffer.
    workers: Workers[bytes, bytes] = Workers(2, _large_answers)
    got: list[int] = []

    def run() -> None:
        tasks = [b"x" * (1 << 20)] * 8
        got.extend(map(len, workers.ordered(tasks, [1] * 8, [False] * 8)))

    try:
        running = threading.Thread(target=run, daemon=True)
        running.start()
        running.join(timeout=60)
        assert not running.is_alive()
    finally:
        workers.stop()
    assert got == [1 << 20] * 8


class _NeedsTwoArguments(Exception):
    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key


def _raises_with_arguments_of_its_own() -> Callable[[int], int]:
    def handle(task: int) -> int:
        raise _NeedsTwoArguments("pack.toml", "no such pack file")

    return handle


@needs_fork
def test_an_exception_with_arguments_of_its_own_reaches_the_caller_as_raised() -> None:
    # Unpickling calls an exception's constructor with its `args`: one taking other arguments
    # (PackError) failed there, and the caller got a TypeError instead of the error.
    with (
        _started(_raises_with_arguments_of_its_own) as workers,
        pytest.raises(_NeedsTwoArguments, match=r"pack\.toml: no such pack file") as raised,
    ):
        list(workers.ordered([1, 2], [1, 1], [False, False]))
    assert raised.value.key == "pack.toml"


def _raises_what_cannot_be_sent() -> Callable[[int], int]:
    def handle(task: int) -> int:
        error = ValueError("the line is refused")
        error.check = lambda: None  # type: ignore[attr-defined]  # a lambda does not pickle
        raise error

    return handle


@needs_fork
def test_an_exception_that_cannot_be_sent_reaches_the_caller_as_its_text() -> None:
    with (
        _started(_raises_what_cannot_be_sent) as workers,
        pytest.raises(RuntimeError, match="ValueError: the line is refused"),
    ):
        list(workers.ordered([1], [1], [False]))


@needs_fork
def test_workers_whose_run_was_abandoned_refuse_another_run() -> None:
    with _started(_square) as workers:
        first = workers.ordered(list(range(10)), [1] * 10, [False] * 10)
        next(first)
        first.close()  # its other outcomes are still on the way
        with pytest.raises(RuntimeError, match="did not end"):
            list(workers.ordered([3], [1], [False]))


def test_weightless_tasks_are_shared_out_by_number() -> None:
    split = shares([0] * 10, [False] * 10, 2)
    assert [len(share) for share in split] == [5, 5]


_STALLED_PARENT = """
import time
from smscheck.workers import Workers

def factory():
    return lambda task: b"y" * (4 << 20)

workers = Workers(2, factory)
print(*(process.pid for process in workers.processes), flush=True)
# The parent stops reading: a worker waits to send its large answer.
list(workers.ordered(list(range(8)), [1] * 8, [False] * 8, lambda _: time.sleep(3600)))
"""


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


@needs_fork
@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
def test_a_worker_waiting_to_send_ends_when_its_parent_is_killed() -> None:
    import signal
    import subprocess
    import sys

    parent = subprocess.Popen([sys.executable, "-c", _STALLED_PARENT], stdout=subprocess.PIPE)
    try:
        assert parent.stdout is not None
        pids = [int(pid) for pid in parent.stdout.readline().split()]
        time.sleep(1.5)  # the answers are sent meanwhile; the parent reads only the first
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 20
    while any(map(_running, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in pids if _running(pid)]
    for pid in left:  # not to leave them behind when this fails
        os.kill(pid, signal.SIGKILL)
    assert not left
