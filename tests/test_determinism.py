"""Determinism: the same input and packs give byte-identical output, whatever the run, the
hash seed (set and dict order) and the number of worker processes, in every format."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.campaigns import generate
from smscheck.formatters import FORMATTERS
from tests.test_packs import GOOD


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A campaign over three chunks (two templates, 1% bad lines) and a user pack."""
    folder = tmp_path_factory.mktemp("determinism")
    campaign = folder / "campaign.jsonl"
    generate(campaign, 4500)
    pack = folder / "pack.toml"
    pack.write_text(GOOD.replace("valid_from = 2020-01-01", "valid_from = 2000-01-01"))
    return campaign, pack


def run(campaign: Path, pack: Path, fmt: str, *extra: str, seed: str) -> tuple[int, str, str]:
    command = [sys.executable, "-m", "smscheck.cli", "check", str(campaign), "--format", fmt]
    command += ["--pack", str(pack), *extra]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "PYTHONHASHSEED": seed},
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("fmt", sorted(FORMATTERS))
def test_output_is_byte_identical_across_runs_hash_seeds_and_jobs(
    inputs: tuple[Path, Path], fmt: str
) -> None:
    campaign, pack = inputs
    first = run(campaign, pack, fmt, seed="1")
    assert first[0] == 2  # the generator writes bad lines
    assert first[1] and "entrée(s) illisible(s)" in first[1] + first[2]
    assert run(campaign, pack, fmt, seed="2") == first
    assert run(campaign, pack, fmt, "--jobs", "2", seed="3") == first
