"""The built wheel carries the rule packs and data files, and an installed copy finds them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("smscheck-*.whl"))


def test_the_wheel_carries_every_shipped_pack_and_the_reply_keywords(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for pack in (ROOT / "rules").glob("*/pack.toml"):
        assert f"smscheck/_rules/{pack.parent.name}/pack.toml" in names
    assert "smscheck/data/reply_keywords.toml" in names
    assert "smscheck/data/calendar.toml" in names
    assert "smscheck/py.typed" in names


def test_an_installed_copy_checks_a_case_without_the_source_tree(
    wheel: Path, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = (
        "from smscheck.packs import shipped_packs, shipped_rules_dir;"
        "print(shipped_rules_dir()); print(len(shipped_packs()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    location, count = done.stdout.split()
    assert location.startswith(str(target))
    assert int(count) == len(list((ROOT / "rules").glob("*/pack.toml")))
