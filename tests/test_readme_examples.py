"""The README's examples run as written, so the README stays true.

A fenced block is tested when the line just above it is an HTML comment (invisible on GitHub)
`<!-- readme-test: KIND ... -->`:

- `python`: executed from the repository root;
- `pytest`: written to a test file and run by pytest in a fresh folder (the plugin loads as
  an installed entry point); every test in it must pass;
- `sh`: each line is a command run from a folder that sees the repository's `seeds/` and
  `docs/`; a trailing comment saying "exits N" sets the exit code expected (else 0);
- `workflow`: a GitHub Actions snippet; its `run: smscheck ...` steps are run like `sh`
  lines and the upload step must read the file they write;
- `file PATH`: the block is the repository file PATH, as it is.

Every block after the first screen (whose install commands tests/test_cli.py and the CI
script already run) must carry a marker, so a new example cannot slip in untested.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.M | re.S)
MARKER = re.compile(r"<!-- readme-test: (\w+)[^>]*-->\s*$")
KINDS = ("python", "pytest", "sh", "workflow", "file")
FILE_MARKER = re.compile(r"<!-- readme-test: file (\S+) -->\s*\n```\w*\n(.*?)^```", re.M | re.S)


def fenced() -> list[tuple[str | None, str, str, int]]:
    """Every fenced block: its marker kind (or None), language, text and line number."""
    found = []
    for match in FENCE.finditer(README):
        before = README[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = MARKER.search(before)
        line = README.count("\n", 0, match.start()) + 1
        found.append((marker.group(1) if marker else None, match.group(1), match.group(2), line))
    return found


def blocks(kind: str) -> list[str]:
    return [text for marker, _, text, _ in fenced() if marker == kind]


def test_every_example_after_the_first_screen_is_marked() -> None:
    first, *rest = fenced()
    assert first[0] is None and "pip install" in first[2]  # the first screen stays as it is
    unmarked = [line for marker, _, _, line in rest if marker not in KINDS]
    assert unmarked == [], f"README blocks at lines {unmarked} have no readme-test marker"
    for kind in KINDS:
        assert blocks(kind), f"no README example of kind {kind}"


@pytest.mark.parametrize("code", blocks("python"))
def test_python_examples_run(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})


@pytest.mark.parametrize("code", blocks("pytest"))
def test_pytest_examples_pass(code: str, pytester: pytest.Pytester) -> None:
    tests = len(re.findall(r"^def test_", code, re.M))
    assert tests
    pytester.makepyfile(test_readme_example=code)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=tests)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A folder where the examples' relative paths resolve, without writing into the repo."""
    for name in ("seeds", "docs"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    return tmp_path


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    scripts = str(Path(sys.executable).parent)  # where the smscheck console script is
    env = {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def commands(block: str) -> list[tuple[str, int]]:
    """Each command of a shell block, with the exit code its comment announces."""
    found = []
    for line in block.splitlines():
        command, _, comment = line.partition(" #")
        if command.strip():
            expected = re.search(r"exits (\d)", comment)
            found.append((command.strip(), int(expected.group(1)) if expected else 0))
    return found


SH_COMMANDS = [pair for block in blocks("sh") for pair in commands(block)]


@pytest.mark.parametrize(("command", "expected"), SH_COMMANDS, ids=[c for c, _ in SH_COMMANDS])
def test_shell_examples_run_with_the_exit_code_they_announce(
    command: str, expected: int, workspace: Path
) -> None:
    done = run(command, workspace)
    assert done.returncode == expected, done.stderr
    assert "Traceback" not in done.stderr
    written = [target for target in workspace.glob("*") if target.name not in {"seeds", "docs"}]
    assert done.stdout or written
    for target in written:
        if target.suffix == ".sarif":
            assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"


@pytest.mark.parametrize("workflow", blocks("workflow"))
def test_the_code_scanning_workflow_runs_its_check_and_uploads_what_it_wrote(
    workflow: str, workspace: Path
) -> None:
    steps = re.findall(r"^\s*- run: (smscheck .*?)\s*$", workflow, re.M)
    assert steps, "the workflow runs no smscheck command"
    uploaded = re.search(r"sarif_file: (\S+)", workflow)
    assert uploaded and "github/codeql-action/upload-sarif@" in workflow
    assert "security-events: write" in workflow
    assert re.search(r"upload-sarif@\S+\n\s+if: always\(\)", workflow), "upload even on failure"
    for step in steps:
        done = run(step, workspace)
        assert done.returncode in (0, 1), done.stderr  # 1: a rule fails; the log is written
        assert step.endswith(f"> {uploaded.group(1)}")
    sarif = json.loads((workspace / uploaded.group(1)).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]


@pytest.mark.parametrize(("path", "text"), FILE_MARKER.findall(README))
def test_file_examples_are_the_repository_files(path: str, text: str) -> None:
    assert (ROOT / path).read_text(encoding="utf-8") == text
