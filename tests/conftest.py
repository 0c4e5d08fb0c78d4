"""Shared fixtures: the repository's folders and a loader for seeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def load_seed(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SEEDS / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture
def seed() -> Any:
    return load_seed
