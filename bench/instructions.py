"""Instructions, not seconds: what `smscheck check` costs, counted by valgrind's callgrind.

A count of instructions does not change with what else the machine runs, where wall and CPU
times of the same run vary by half on a shared machine: it is the figure for an A/B comparison
of two versions (a `git worktree` of each) on the same file, process start included.

    python -m bench.instructions                                # this tree, 5,000 lines
    python -m bench.instructions --root ../base --root . --formats sarif json

For each root and format it runs `smscheck check FILE --format F -o FILE` under callgrind, with
the root first on the import path, on the file and on its first ten lines, and prints the
instructions per line beyond the command's start and each root's ratio to the first. Callgrind runs 50-100x slower than the program: keep the file small. Cache
misses and memory stalls are not counted: a change that only moves memory needs timings too.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.campaigns import SCENARIOS, write_jsonl

_COLLECTED = re.compile(rb"Collected : (\d+)")
_COMMAND = "import sys; from smscheck.cli import main; sys.exit(main())"


def rooted(root: Path, code: str) -> tuple[list[str], dict[str, str]]:
    """The command and environment that run Python `code` importing smscheck from `root`: with
    `-P`, as `python -c` would otherwise put the current folder first on the import path, and
    run the tree it is started from whatever the root (before 7 December, every root run from
    the repository's own folder ran that folder's code)."""
    return [sys.executable, "-P", "-c", code], {**os.environ, "PYTHONPATH": str(root.resolve())}


def instructions(root: Path, campaign: Path, fmt: str, output: Path) -> int:
    """The instructions of one `smscheck check` of `campaign` with `root` on the import path."""
    python, env = rooted(root, _COMMAND)
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *python]
    command += ["check", str(campaign), "--format", fmt, "-o", str(output)]
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    found = _COLLECTED.search(done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind gave no count for {root}: {done.stderr[-500:]!r}")
    return int(found[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    parser.add_argument("--root", action="append", type=Path, help="a tree to run (repeatable)")
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--scenario", choices=SCENARIOS, default="realistic")
    parser.add_argument("--formats", nargs="+", default=["sarif", "json"])
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    roots = args.root or [Path(__file__).resolve().parent.parent]
    small = 10  # the same command on 10 lines: its start, subtracted
    if args.lines <= small:
        parser.error(f"--lines must be more than {small}")
    with tempfile.TemporaryDirectory() as folder:
        files = [
            write_jsonl(Path(folder) / f"{n}.jsonl", args.scenario, n).path
            for n in (args.lines, small)
        ]
        runs = [(root, fmt, file) for fmt in args.formats for root in roots for file in files]
        outputs = [Path(folder) / f"{at}.out" for at in range(len(runs))]
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:  # counts do not mind the load
            counts = list(
                pool.map(lambda run, out: instructions(run[0], run[2], run[1], out), runs, outputs)
            )
    print(
        f"{args.scenario}, {args.lines:,} lines; instructions per line beyond the command's"
        f" start (its count on {small} lines), and the ratio to the first root"
    )
    per_line = [
        (counts[at] - counts[at + 1]) / (args.lines - small) for at in range(0, len(counts), 2)
    ]
    for at, (root, fmt, _) in enumerate(runs[::2]):
        first = per_line[at - at % len(roots)]
        print(f"--format {fmt:<13} {root!s:<40} {per_line[at]:>12,.0f}  {per_line[at] / first:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
