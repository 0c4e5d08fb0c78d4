"""`smscheck schema --pack`: a JSON Schema editors can use, which every shipped pack, the
starter charter and the test charter satisfy, and which refuses what loading refuses."""

from __future__ import annotations

import datetime
import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from smscheck.cli import main
from smscheck.packs import discover, shipped_rules_dir
from tests.conftest import ROOT

PACKS = [
    *discover(shipped_rules_dir()),
    ROOT / "smscheck/data/starter/charter.toml",
    ROOT / "tests/data/charters/haute-autorite.toml",
]


def as_json(value: Any) -> Any:
    """A TOML document as JSON data (dates as ISO text)."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    from smscheck.catalogue import pack_schema

    return jsonschema.Draft202012Validator(pack_schema())


@pytest.mark.parametrize("path", PACKS, ids=[p.parent.name or p.name for p in PACKS])
def test_every_known_pack_satisfies_the_schema(
    path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    validator.validate(as_json(tomllib.loads(path.read_text(encoding="utf-8"))))


def test_the_schema_refuses_an_unknown_key_and_a_bad_enum(
    validator: jsonschema.Draft202012Validator,
) -> None:
    pack = as_json(tomllib.loads(PACKS[0].read_text(encoding="utf-8")))
    pack["rules"][0]["severity"] = "huge"
    assert not validator.is_valid(pack)
    pack = as_json(tomllib.loads(PACKS[0].read_text(encoding="utf-8")))
    pack["pack"]["colour"] = "blue"
    assert not validator.is_valid(pack)


def test_schema_pack_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--pack"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert set(schema["properties"]) == {"pack", "sources", "rules", "charter"}
    assert "Charter" in schema["$defs"]
