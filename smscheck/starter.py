"""`smscheck init`: a starter campaign file and a commented charter pack, to edit."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from smscheck.packs import PackError

# What `init` writes: its path under the target folder, and the shipped file it copies.
STARTERS = (("campaign.jsonl", "campaign.jsonl"), ("charter/pack.toml", "charter.toml"))


def init(folder: Path) -> list[Path]:
    """Write the starter files into `folder`; refuses to overwrite any (PackError)."""
    targets = [(folder / name, shipped) for name, shipped in STARTERS]
    existing = [str(path) for path, _ in targets if path.exists()]
    if existing:
        raise PackError(existing[0], "", "exists already: remove it or choose another folder")
    data = files("smscheck") / "data" / "starter"
    for path, shipped in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((data / shipped).read_text(encoding="utf-8"), encoding="utf-8")
    return [path for path, _ in targets]
