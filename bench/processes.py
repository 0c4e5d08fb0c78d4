"""Running a command as a user does: timed end to end, or watched for the memory of all its
processes.

Peak memory counts every process of the run (the command and its `--jobs` workers): a thread
reads `/proc/<pid>/status` of the command and of every descendant it finds, every
`interval` seconds. Two figures come out of it:

- `peak_mib`: the sum of each process's own high-water mark (`VmHWM`, kept by the kernel, so
  no peak is missed between samples). Pages a forked worker shares with its parent count
  twice, and the peaks need not coincide: an upper bound, what a memory limit must allow.
- `rss_sum_mib`: the largest sum of resident sizes seen at one sample: a lower bound of the
  peak at any one moment, but for pages shared between processes, which count in each.
- `pss_sum_mib`: the largest sum of proportional set sizes (`Pss` of `smaps_rollup`: a page
  shared by k processes counts 1/k in each) seen at one sample: the memory all the processes
  of the run hold together at that moment, each page once.

CPU time is the user and system time of the command and every child it waited for (workers
included), from `wait4`. A small launcher process of its own starts the command and calls
`wait4`, not the benchmark's process: Linux carries a process's peak resident size over
`exec`, so a command started by the benchmark would have begun with the benchmark's peak (627
MiB reported for a one-job run of 81 MiB, on 8 December, once the benchmark had cut a 1M-line
file in halves in memory).

Watching costs the machine: reading `smaps_rollup` walks a process's page tables, and on a
2-core machine whose cores the command's workers fill, the watching thread took 0.5-0.7 s
from a 6 s `--jobs 2` run (one job, with a core to spare, barely moved). So a run is either
timed (`watch=False`: wall and CPU time, and only the largest process's peak, from `wait4`) or
watched for memory, never both: `bench_campaign` times one run and watches another.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    cpu_seconds: float
    peak_mib: float
    rss_sum_mib: float
    pss_sum_mib: float
    processes: int
    returncode: int
    stderr: str
    output_bytes: int


def _status_kib(pid: int) -> tuple[int, int] | None:
    """(VmHWM, VmRSS) of a live process in KiB, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = {}
    for line in text.splitlines():
        if line.startswith(("VmHWM:", "VmRSS:")):
            key, value = line.split(":", 1)
            values[key] = int(value.split()[0])
    if "VmHWM" not in values:  # a zombie
        return None
    return values["VmHWM"], values["VmRSS"]


def _pss_kib(pid: int) -> int:
    """The proportional set size of a live process in KiB (0 once it is gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _children(parents: set[int]) -> set[int]:
    """Live processes whose parent is in `parents` (one pass over /proc)."""
    found = set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name (2nd field) may hold spaces: the parent id follows its closing ')'.
        if int(stat.rpartition(")")[2].split()[1]) in parents:
            found.add(int(entry.name))
    return found


class _Watch(threading.Thread):
    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.hwm: dict[int, int] = {}
        self.rss_sum = 0
        self.pss_sum = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        tree = {self.pid}
        rounds = 0
        while not self.stopping.is_set():
            if rounds % 4 == 0:
                tree |= _children(tree)
            rounds += 1
            total = shared = 0
            for pid in list(tree - {self.pid}):  # the launcher's descendants: the command's
                status = _status_kib(pid)
                if status is None:
                    tree.discard(pid)
                    continue
                self.hwm[pid] = max(self.hwm.get(pid, 0), status[0])
                total += status[1]
                shared += _pss_kib(pid)
            self.rss_sum = max(self.rss_sum, total)
            self.pss_sum = max(self.pss_sum, shared)
            self.stopping.wait(self.interval)


# Starts the command, waits for it and writes back its wall and CPU seconds, peak resident
# size (KiB) and exit code: the benchmark's own peak never reaches it (see the module's docstring).
_LAUNCHER = """\
import os, sys, time
report, command = int(sys.argv[1]), sys.argv[2:]
started = time.perf_counter()
pid = os.posix_spawnp(command[0], command, os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
code = os.waitstatus_to_exitcode(status)
os.write(report, f"{seconds} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss} {code}".encode())
"""


def run(command: list[str], output: Path, interval: float = 0.05, *, watch: bool) -> Run:
    """Run `command` with its standard output written to `output`, as `cmd > output` does;
    its processes' memory sampled every `interval` seconds if `watch`, else not at all (then
    `peak_mib` and `rss_sum_mib` are the largest process's peak from `wait4`, `pss_sum_mib`
    is 0 and `processes` 1)."""
    readable, writable = os.pipe()
    launcher = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(writable), *command]
    with output.open("wb") as out, os.fdopen(readable, "rb") as report:
        try:
            process = subprocess.Popen(
                launcher,
                stdout=out,
                stderr=subprocess.PIPE,
                pass_fds=(writable,),
                start_new_session=True,  # one process group: the command's, to stop it all
            )
        finally:
            os.close(writable)
        watcher = _Watch(process.pid, interval)
        if watch:
            watcher.start()
        assert process.stderr is not None
        try:
            stderr = process.stderr.read()  # small: the summary, or an error
            reported = report.read().split()
            process.wait()
        except BaseException:  # interrupted: leave no command running
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        finally:
            if watch:
                watcher.stopping.set()
                watcher.join()
            process.stderr.close()
    if len(reported) != 4:
        raise RuntimeError(f"the command could not be started: {stderr.decode(errors='replace')}")
    seconds, cpu_seconds, maxrss_kib, returncode = (
        float(reported[0]),
        float(reported[1]),
        int(reported[2]),
        int(reported[3]),
    )
    peaks = watcher.hwm.values()
    # ru_maxrss (KiB) is the largest peak among the command and the children it waited for:
    # growth after the last sample shows there, and is added to be safe.
    unseen = max(0, maxrss_kib - max(peaks, default=0))
    return Run(
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        peak_mib=(sum(peaks) + unseen) / 1024,
        rss_sum_mib=max(watcher.rss_sum, maxrss_kib if not peaks else 0) / 1024,
        pss_sum_mib=watcher.pss_sum / 1024,
        processes=max(1, len(watcher.hwm)),
        returncode=returncode,
        stderr=stderr.decode("utf-8", "replace"),
        output_bytes=output.stat().st_size,
    )
