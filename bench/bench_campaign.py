"""Campaign-scale benchmark: generated campaigns through `smscheck check` as a user runs it.

    python -m bench.bench_campaign                      # realistic + synthetic, N = 10k, 100k
    python -m bench.bench_campaign --million            # and 1M
    python -m bench.bench_campaign --sizes 20000 --scenarios realistic --commands only-problems

For each scenario (bench/campaigns.py) and size N it prints, all measured in the same run:

- the floor: validating every line with a plain Pydantic model of its fields (bench/floor.py),
  and smscheck's own reading of the file (parse, validate, fill merge fields, no rule);
- the command start-up: `smscheck check` on a two-recipient campaign;
- for each command (`--format json`, `json-compact`, `json --only-problems`, `sarif`) and
  each `--jobs` value: cases/s end to end (process start included, output written to a file),
  the ratio of its time to the floor's, CPU seconds of all its processes (and cases per CPU
  second: steadier than wall time on a loaded machine), peak memory of all
  its processes (bench/processes.py; from a second run of the command, as watching memory
  slows the timed one), the output size, the speed-up over one job, and beside
  `--jobs 2` the speed-up of two one-job runs on the file's two halves started together (the
  most two processes give that command on this machine, with no batch machinery);
- seen again: one job of the first command, in one process, on the file with each template's
  recipient lines written twice over, its chunks of first and second copies timed apart: the
  work done at first sight of a merged body or profile (with `--jobs`, the first sight of a
  body falls to the worker its merge fields go to; of a profile, to every worker that meets it);
- the library: `smscheck.check`, `Checker.check` on the file's cases (cases of one template
  share their message and campaign objects, as the reader builds them), and `Checker.check`
  on the same cases rebuilt one by one from JSON (equal campaigns that share no object);
- the machine's own scaling: a plain Python loop in one process, then in two at once.

The options used are read from `smscheck check --help` first: a missing one stops the run with
a message naming it. Every measurement runs in a fresh process.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import itertools
import json
import os
import py_compile
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import smscheck
from bench import campaigns, floor, processes
from smscheck.inputs import LineReader, is_template_line

COMMANDS = {
    "json": ("--format", "json"),
    "json-compact": ("--format", "json-compact"),
    "only-problems": ("--format", "json", "--only-problems"),
    "sarif": ("--format", "sarif"),
}
# The run's summary on standard error, in either language of reports.
_SUMMARY = re.compile(
    r"-- (\d+) (?:case\(s\)|cas) ?:.*? ?; (\d+) (?:input error\(s\)|entrée\(s\) illisible\(s\))"
)


class BenchError(Exception):
    """The benchmark cannot run as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class Cli:
    """The `smscheck` command and the `check` options it has."""

    executable: str
    options: frozenset[str]
    formats: frozenset[str]

    @classmethod
    def find(cls) -> Cli:
        beside = Path(sys.executable).with_name("smscheck")
        executable = str(beside) if beside.exists() else shutil.which("smscheck")
        if executable is None:
            raise BenchError("no `smscheck` command: install the project first (see README)")
        done = subprocess.run(
            [executable, "check", "--help"], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise BenchError(f"`smscheck check --help` failed: {done.stderr.strip()[:500]}")
        return cls.from_help(executable, done.stdout)

    @classmethod
    def from_help(cls, executable: str, text: str) -> Cli:
        options = frozenset(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", text))
        choices = re.search(r"--format \{([^}]*)\}", text)
        formats = frozenset(choices[1].split(",")) if choices else frozenset()
        return cls(executable, options, formats)

    def require(self, arguments: Sequence[str]) -> None:
        """BenchError naming every option or --format value of `arguments` it lacks."""
        missing = [a for a in arguments if a.startswith("--") and a not in self.options]
        missing += [
            f"--format {value}"
            for option, value in itertools.pairwise(arguments)
            if option == "--format" and value not in self.formats
        ]
        missing = list(dict.fromkeys(missing))
        if missing:
            raise BenchError(
                f"`smscheck check` has no {', '.join(missing)} (its options: "
                f"{', '.join(sorted(self.options))}); update bench/bench_campaign.py"
            )


def command_arguments(name: str, jobs: int) -> tuple[str, ...]:
    return COMMANDS[name] + (("--jobs", str(jobs)) if jobs != 1 else ())


# --- child processes: each measurement in a fresh interpreter ------------------------------


def child_floor_and_read(path: str) -> dict[str, float]:
    """The floor, then smscheck's own reading of the same file (nothing else), in one process."""
    from smscheck.inputs import read_lines

    lines, refused, floor_seconds = floor.validate_file(path)
    cases = errors = 0
    started = time.perf_counter()
    with open(path, "rb") as handle:
        for item in read_lines(path, handle):  # cases, errors, and templates (checked once)
            cases += item.case is not None
            errors += item.error is not None
    return {
        "lines": lines,
        "refused": refused,
        "floor_seconds": floor_seconds,
        "cases": cases,
        "errors": errors,
        "read_seconds": time.perf_counter() - started,
    }


def child_library(path: str, limit: int) -> dict[str, float]:
    """Rates of the library API on up to `limit` valid cases of the file, each in a fresh
    checker (`check()` reuses one of its own from its first call), and of a checker on every
    other case once it has checked the rest."""
    from smscheck import Case, Checker, check
    from smscheck.inputs import read_lines

    cases = []
    with open(path, "rb") as handle:
        for item in read_lines(path, handle):
            if item.case is not None:
                cases.append(item.case)
                if len(cases) == limit:
                    break
    rebuilt = [Case.model_validate_json(case.model_dump_json()) for case in cases]
    # The cases held here are the benchmark's input: out of the collector's sight, so that a
    # full collection, whose length grows with them and which falls in one pass or the next,
    # times what the checkers allocate, not what this process holds.
    gc.collect()
    gc.freeze()

    def rate(work: Sequence[Case], checker: object) -> float:
        started = time.perf_counter()
        for case in work:
            checker(case)  # type: ignore[operator]
        return len(work) / (time.perf_counter() - started)

    result = {
        "cases": len(cases),
        "check": rate(rebuilt, check),
        "checker_shared": rate(cases, Checker().check),
        "checker_equal": rate(rebuilt, Checker().check),
    }
    # Last, as what it leaves in module-level caches would help the others: the rate on other
    # cases once a campaign's merged bodies and frequent profiles are known (a long send),
    # every other case warming the checker for the rest, so that both see every template.
    warmed = Checker()
    rate(cases[::2], warmed.check)
    result["checker_warm"] = rate(cases[1::2], warmed.check)
    return result


def template_lines(lines: Sequence[bytes]) -> list[bool]:
    """For each line, whether it sets or drops the template, as the batch tells when it cuts a
    file into chunks."""
    return [
        is_template_line(line) and LineReader.changes_template(number, line)
        for number, line in enumerate(lines, start=1)
    ]


def doubled(path: Path) -> tuple[Path, list[range]]:
    """The campaign with each template's recipient lines written twice over under its template
    line, and the line numbers of each second copy: a process checks those having seen every
    merged body and recipient profile of their template once, under the same template (a
    template line written again would be a new template, whose reports are made anew)."""
    lines = path.read_bytes().splitlines(keepends=True)
    if lines and not lines[-1].endswith(b"\n"):
        lines[-1] += b"\n"
    sections: list[list[bytes]] = [[]]  # what comes before each template line, then each one's
    for line, opens in zip(lines, template_lines(lines), strict=True):
        if opens:
            sections.append([])
        sections[-1].append(line)
    twice = path.with_name(f"{path.stem}-twice{path.suffix}")
    second: list[range] = []
    written = 0
    with twice.open("wb") as out:
        for section in sections:
            opening = section[:1] if section and section is not sections[0] else []
            recipients = section[len(opening) :]
            out.writelines([*opening, *recipients, *recipients])
            written += len(opening) + len(recipients)
            if recipients:
                second.append(range(written + 1, written + len(recipients) + 1))
            written += len(recipients)
    return twice, second


def child_seen_again(path: str, name: str) -> dict[str, float]:
    """One job of command `name`, in this process, on the campaign with each template's
    recipient lines written twice over (see `doubled`): the seconds its chunks of first copies
    and of second copies take, in turn as the file has them, so that the machine's slow
    stretches fall on both alike."""
    from smscheck.batch import Settings, run
    from smscheck.cli import collect_less
    from smscheck.packs import shipped_packs

    twice, second = doubled(Path(path))
    shipped_packs()  # loaded before the timing: start-up, not first sight
    collect_less()  # as the command runs
    seconds = {"first_seconds": 0.0, "second_seconds": 0.0}
    lines = {"first_lines": 0, "second_lines": 0}
    try:
        line = 0
        started = time.perf_counter()
        arguments = dict(itertools.pairwise(COMMANDS[name]))
        settings = Settings(fmt=arguments["--format"], only_problems="--only-problems" in arguments)
        for done in run([str(twice)], settings, None):
            summary = done.summary
            count = summary.cases + summary.errors + summary.templates
            copy = "second" if any(line + 1 in copies for copies in second) else "first"
            now = time.perf_counter()
            seconds[f"{copy}_seconds"] += now - started
            lines[f"{copy}_lines"] += count
            line, started = line + count, time.perf_counter()  # not the bookkeeping above
    finally:
        twice.unlink()
    return {**seconds, **lines}


# A plain Python loop (integer arithmetic and a small dict), timed inside a bare interpreter.
LOOP = """
import sys, time
started = time.perf_counter()
table = {}
for index in range(int(sys.argv[1])):
    table[index & 1023] = table.get(index & 511, 0) + index * 3
print(time.perf_counter() - started)
"""


def in_child(mode: str, *arguments: object) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.bench_campaign", "--child", mode, *map(str, arguments)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=_ROOT)
    if done.returncode != 0:
        raise BenchError(f"the {mode} measurement failed:\n{done.stderr.strip()[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout)
    return result


_ROOT = Path(__file__).resolve().parent.parent


def run_child(mode: str, arguments: Sequence[str]) -> None:
    if mode == "library":
        result = child_library(arguments[0], int(arguments[1]))
    elif mode == "seen-again":
        result = child_seen_again(arguments[0], arguments[1])
    else:
        result = child_floor_and_read(arguments[0])
    print(json.dumps(result))


# --- the parent: generate, run, print -------------------------------------------------------


def machine_scaling(iterations: int) -> tuple[float, float, float]:
    """(one process s, slowest of two at once s, speed-up of two processes over one)."""
    command = [sys.executable, "-c", LOOP, str(iterations)]
    alone = float(subprocess.run(command, capture_output=True, check=True).stdout)
    pair = [subprocess.Popen(command, stdout=subprocess.PIPE) for _ in range(2)]
    slowest = max(float(p.communicate()[0]) for p in pair)
    return alone, slowest, 2 * alone / slowest


def checked_run(
    cli: Cli, arguments: Sequence[str], path: Path, *, watch: bool
) -> tuple[processes.Run, int]:
    """One run of `smscheck check ARGS FILE > out` and the lines its summary accounts for,
    timed, or `watch`ed for memory (see bench/processes.py: not both); BenchError if it failed
    or printed no summary."""
    output = path.with_suffix(".out")
    done = processes.run([cli.executable, "check", *arguments, str(path)], output, watch=watch)
    output.unlink()
    summary = _SUMMARY.search(done.stderr)
    if done.returncode not in (0, 1, 2) or summary is None:
        raise BenchError(
            f"`smscheck check {' '.join(arguments)}` exited {done.returncode}:\n"
            f"{done.stderr.strip()[-2000:]}"
        )
    return done, int(summary[1]) + int(summary[2])


def _require_seen(arguments: Sequence[str], seen: int, expected: int) -> None:
    if seen != expected:
        raise BenchError(f"`smscheck check {' '.join(arguments)}` saw {seen} of {expected} lines")


def cli_run(cli: Cli, arguments: Sequence[str], path: Path, expected: int) -> processes.Run:
    """A timed run of `smscheck check ARGS FILE > out`; BenchError if it did not check every
    line."""
    done, seen = checked_run(cli, arguments, path, watch=False)
    _require_seen(arguments, seen, expected)
    return done


def memory_run(cli: Cli, arguments: Sequence[str], path: Path, expected: int) -> processes.Run:
    """A run of `smscheck check ARGS FILE > out` watched for the memory of all its processes."""
    done, seen = checked_run(cli, arguments, path, watch=True)
    _require_seen(arguments, seen, expected)
    return done


def split_in_halves(path: Path) -> tuple[Path, Path]:
    """The campaign as two files of half its recipient lines each, in order: what two
    independent one-job runs would check. The second starts with the template line in force
    where the first stops."""
    lines = path.read_bytes().splitlines(keepends=True)
    is_template = template_lines(lines)
    recipients = [i for i, template in enumerate(is_template) if not template]
    cut = recipients[len(recipients) // 2]
    in_force = next(lines[i] for i in range(cut, -1, -1) if is_template[i])
    first = path.with_name(f"{path.stem}-half1{path.suffix}")
    second = path.with_name(f"{path.stem}-half2{path.suffix}")
    first.write_bytes(b"".join(lines[:cut]))
    second.write_bytes(in_force + b"".join(lines[cut:]))
    return first, second


def halves_run(cli: Cli, arguments: Sequence[str], halves: Sequence[Path], expected: int) -> float:
    """Seconds until the slower of two one-job runs, one per half, started together, is done:
    what two processes give this command on this machine with no batch machinery at all, the
    reference for `--jobs 2`."""
    with ThreadPoolExecutor(len(halves)) as pool:
        runs = list(pool.map(lambda half: checked_run(cli, arguments, half, watch=False), halves))
    _require_seen(arguments, sum(seen for _, seen in runs), expected)
    return max(done.seconds for done, _ in runs)


def seen_again(name: str, path: Path, repeat: int) -> str:
    """What each template's recipient lines cost one job of command `name` the first time and
    the second time it checks them (see `child_seen_again`), the best of `repeat` runs each."""
    runs = [in_child("seen-again", path, name) for _ in range(repeat)]
    found = runs[0]
    first = min(run["first_seconds"] for run in runs)
    second = min(run["second_seconds"] for run in runs)
    if not found["second_lines"]:
        return f"seen again ({' '.join(COMMANDS[name])}): no figure, too few lines for a chunk"
    return (
        f"seen again ({' '.join(COMMANDS[name])}, one job, in one process): each template's "
        f"recipient lines take {first:.2f} s the first time, {second:.2f} s the second "
        f"({found['second_lines'] / second:,.0f} lines/s): {first - second:.2f} s of work done "
        "at first sight of a merged body or profile"
    )


def rounds(
    cli: Cli, name: str, args: argparse.Namespace, path: Path, n: int, halves: Sequence[Path]
) -> tuple[dict[int, processes.Run], float | None]:
    """The best timed run of command `name` at each `--jobs` value, and the best time of the
    slower half (with `halves`), over `args.repeat` rounds that run each of them once: a slow
    stretch of a shared machine then falls on every figure of a ratio alike, rather than on all
    the repeats of one of them."""
    best: dict[int, processes.Run] = {}
    slowest = float("inf")
    for _ in range(args.repeat):
        for jobs in args.jobs:
            done = cli_run(cli, command_arguments(name, jobs), path, n)
            if jobs not in best or done.seconds < best[jobs].seconds:
                best[jobs] = done
        if halves:
            slowest = min(slowest, halves_run(cli, command_arguments(name, 1), halves, n))
    return best, (slowest if halves else None)


def startup(cli: Cli, folder: Path) -> float:
    """Seconds for `smscheck check --format json` of a two-recipient campaign (one alone
    prints no summary)."""
    path = folder / "two.jsonl"
    campaigns.write_jsonl(path, "synthetic", 2)
    return cli_run(cli, ("--format", "json"), path, 2).seconds


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def bench_size(cli: Cli, args: argparse.Namespace, scenario: str, n: int, folder: Path) -> None:
    path = folder / f"{scenario}-{n}.jsonl"
    began = time.perf_counter()
    written = campaigns.write_jsonl(path, scenario, n, seed=args.seed)
    megabytes = path.stat().st_size / 1e6
    print(
        f"\n## {scenario}, N = {n:,}: {written.templates} templates, {written.bad:,} bad lines, "
        f"{megabytes:,.1f} MB (generated in {time.perf_counter() - began:.1f} s); {load()}",
        flush=True,
    )
    base = in_child("floor", path)
    floor_s = base["floor_seconds"]
    print(
        f"floor (plain Pydantic, in-process): {n / floor_s:,.0f} lines/s "
        f"({base['refused']:,.0f} refused); smscheck reading alone: "
        f"{n / base['read_seconds']:,.0f}/s ({base['errors']:,.0f} errors), "
        f"{base['read_seconds'] / floor_s:.2f}x the floor",
        flush=True,
    )
    halves = split_in_halves(path) if 1 in args.jobs and 2 in args.jobs else ()
    print(
        f"{'command':<30} {'jobs':>4} {'cases/s':>9} {'x floor':>7} {'CPU s':>7} {'/CPU s':>7} "
        f"{'peak MiB':>8} {'RSS sum':>7} {'PSS sum':>7} {'procs':>5} {'out MB':>8} {'B/case':>7} "
        f"{'vs 1 job':>8} {'halves':>6}"
    )
    again = None  # the first command's first-sight work (see `seen_again`)
    for name in args.commands:
        timed, slowest = rounds(cli, name, args, path, n, halves)
        one_job = timed[1].seconds if 1 in timed else None
        if again is None and 1 in args.jobs:
            again = seen_again(name, path, args.repeat)
        for jobs, done in timed.items():
            arguments = command_arguments(name, jobs)
            memory = memory_run(cli, arguments, path, n)
            speedup = f"{one_job / done.seconds:.2f}" if one_job is not None else "-"
            reference = "-"
            if jobs == 2 and slowest is not None and one_job is not None:
                reference = f"{one_job / slowest:.2f}"
            shown = " ".join(COMMANDS[name])
            print(
                f"{shown:<30} {jobs:>4} {n / done.seconds:>9,.0f} {done.seconds / floor_s:>7.1f} "
                f"{done.cpu_seconds:>7.1f} {n / done.cpu_seconds:>7,.0f} {memory.peak_mib:>8.0f} "
                f"{memory.rss_sum_mib:>7.0f} {memory.pss_sum_mib:>7.0f} "
                f"{memory.processes:>5} {done.output_bytes / 1e6:>8,.1f} "
                f"{done.output_bytes / n:>7,.0f} {speedup:>8} {reference:>6}",
                flush=True,
            )
    if again is not None:
        print(again, flush=True)
    for half in halves:
        half.unlink()
    if args.library_cases:
        lib = in_child("library", path, min(n, args.library_cases))
        print(
            f"library on {lib['cases']:,.0f} valid cases: smscheck.check {lib['check']:,.0f}/s "
            f"(cases built one by one); Checker.check {lib['checker_shared']:,.0f}/s "
            f"(campaign objects shared), {lib['checker_equal']:,.0f}/s (equal campaigns "
            f"built separately); every other case {lib['checker_warm']:,.0f}/s once the rest "
            "have warmed the checker",
            flush=True,
        )
    path.unlink()
    print(f"({load()} at the end)")


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_campaign",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scenarios", nargs="+", choices=campaigns.SCENARIOS, default=list(campaigns.SCENARIOS)
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="add N = 1,000,000")
    parser.add_argument("--commands", nargs="+", choices=sorted(COMMANDS), default=list(COMMANDS))
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds, each running every --jobs value and the halves once: the best of each",
    )
    parser.add_argument(
        "--library-cases", type=int, default=10_000, help="cases for the library figures (0: skip)"
    )
    parser.add_argument(
        "--loop", type=int, default=5_000_000, help="iterations of the scaling loop (0: skip)"
    )
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.million and 1_000_000 not in args.sizes:
        args.sizes.append(1_000_000)
    return args


def compile_package() -> int:
    """Compile smscheck's modules to bytecode where it is missing or stale, as installing the
    package does: an editable install under PYTHONDONTWRITEBYTECODE would otherwise compile
    them at every start (0.4 s of each run here). The number of modules compiled."""
    package = Path(smscheck.__file__).parent
    stale = [
        path
        for path in package.rglob("*.py")
        if not Path(importlib.util.cache_from_source(str(path))).exists()
        or Path(importlib.util.cache_from_source(str(path))).stat().st_mtime < path.stat().st_mtime
    ]
    for path in stale:
        py_compile.compile(str(path), doraise=True)
    return len(stale)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.child:
        run_child(args.child[0], args.child[1:])
        return 0
    try:
        compiled = compile_package()
        cli = Cli.find()
        cli.require([a for c in args.commands for j in args.jobs for a in command_arguments(c, j)])
        print(f"smscheck benchmark, Python {sys.version.split()[0]}, {load()}", flush=True)
        print(f"bytecode: {compiled} of smscheck's modules compiled first, as pip install does")
        if args.loop:
            alone, pair, scaling = machine_scaling(args.loop)
            print(
                f"machine: a plain Python loop takes {alone:.2f} s alone, {pair:.2f} s two at once: "
                f"{scaling:.2f}x for 2 processes",
                flush=True,
            )
        with tempfile.TemporaryDirectory(prefix="smscheck-bench-") as name:
            folder = Path(name)
            print(
                f"start-up: `smscheck check --format json` of two recipients takes {startup(cli, folder):.2f} s"
            )
            for scenario in args.scenarios:
                for n in args.sizes:
                    bench_size(cli, args, scenario, n, folder)
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    # Stopped with SIGTERM, it still removes its files (many GB at 1M).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
