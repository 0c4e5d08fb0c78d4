"""The tree stays as the design card asks: typed (mypy strict, with the tests and benchmarks),
linted and formatted (ruff), checked by the same run as the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_the_package_its_tests_and_its_benchmarks_pass_mypy_strict() -> None:
    done = _run("mypy")  # the files of [tool.mypy] in pyproject.toml
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_ruff_finds_nothing_to_lint() -> None:
    done = _run("ruff", "check", ".")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_every_file_is_formatted_as_ruff_formats_it() -> None:
    done = _run("ruff", "format", "--check", ".")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
