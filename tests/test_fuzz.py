"""Fuzzing, briefly, in CI: random bytes, random JSON and mutated seeds go through the reader,
the checker and every formatter (fuzz/fuzz_inputs.py holds the invariants); valid cases with
dates anywhere in the accepted range go through the engine. A longer, coverage-guided run
uses atheris on the same target (see the README)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smscheck
from fuzz.fuzz_inputs import run_one
from smscheck import models
from smscheck.cli import main
from smscheck.inputs import InputError, case_from
from smscheck.testing import cases, french_numbers
from tests.conftest import SEEDS

# A few hundred examples in CI; SMSCHECK_FUZZ_EXAMPLES=20000 for a longer local run.
EXAMPLES = int(os.environ.get("SMSCHECK_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SEED_DOCUMENTS = [
    json.loads(path.read_text(encoding="utf-8"))["case"] for path in sorted(SEEDS.glob("*.json"))
]
FIRST = datetime(models.FIRST_YEAR, 1, 2)
LAST = datetime(models.LAST_YEAR, 12, 30)


def json_values_with(floats: st.SearchStrategy[float]) -> st.SearchStrategy[Any]:
    return st.recursive(
        st.none() | st.booleans() | st.integers() | floats | st.text(max_size=40),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=12), children, max_size=4)
        ),
        max_leaves=20,
    )


json_values = json_values_with(st.floats(allow_nan=False))  # infinities: not JSON, good to try
valid_json_values = json_values_with(st.floats(allow_nan=False, allow_infinity=False))
offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
instants = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
    st.datetimes(min_value=FIRST, max_value=LAST),
    offsets,
)
days = st.dates(min_value=FIRST.date(), max_value=LAST.date()).map(date.isoformat)
texts = st.sampled_from(
    ["", " ", "\u00a0", "STOP", "STOP au 36111", "0800 123 456", "{prenom}", "Marie Dupont"]
) | st.text(max_size=200)


def paths(node: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every place in a JSON document, containers included."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


ENUMS = [
    sorted(member.value for member in value)
    for value in vars(models).values()
    if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum
]
ENUM_VALUES = frozenset(member for values in ENUMS for member in values)
enum_values = st.sampled_from(sorted(ENUM_VALUES))
replacements = json_values | instants | days | enum_values | texts | french_numbers()


def like(value: object) -> st.SearchStrategy[Any]:
    """Values of the same kind as `value` (mostly valid where it was), sometimes anything."""
    if isinstance(value, bool):
        kind: st.SearchStrategy[Any] = st.booleans()
    elif isinstance(value, str) and value in ENUM_VALUES:
        kind = st.sampled_from(sorted({v for values in ENUMS if value in values for v in values}))
    elif isinstance(value, str) and "T" in value and value[:4].isdigit():
        kind = instants
    elif isinstance(value, str) and value[:4].isdigit() and value.count("-") == 2:
        kind = days
    elif isinstance(value, str) and value[:1] in "+0":
        kind = french_numbers() | st.sampled_from(["06 12 34 56 78", "+262692473829", "0612"])
    elif isinstance(value, str):
        kind = texts
    else:
        kind = json_values
    return st.one_of(kind, kind, kind, replacements)


def _at(document: Any, place: tuple[str | int, ...]) -> Any:
    for part in place:
        document = document[part]
    return document


@st.composite
def mutated_seeds(draw: st.DrawFn) -> Any:
    """A seed case with one to three values replaced, mostly by values of their kind, or keys
    added or removed: many stay valid cases, which then go through the engine."""
    document = json.loads(json.dumps(draw(st.sampled_from(SEED_DOCUMENTS))))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        places = paths(document)[1:]
        leaves = [place for place in places if not isinstance(_at(document, place), dict | list)]
        action = draw(st.sampled_from(["leaf"] * 12 + ["any", "add", "remove"]))
        place = draw(st.sampled_from(leaves if action == "leaf" and leaves else places))
        parent = _at(document, place[:-1])
        if action == "remove":
            del parent[place[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(replacements)
        else:
            parent[place[-1]] = draw(like(parent[place[-1]]))
    return document


@FUZZ
@given(st.binary(max_size=4000))
def test_random_bytes_never_crash_the_reader_or_the_checker(data: bytes) -> None:
    run_one(data)


@FUZZ
@given(json_values)
def test_random_json_never_crashes_the_reader_or_the_checker(value: object) -> None:
    run_one(json.dumps(value).encode())


@FUZZ
@given(mutated_seeds(), st.booleans())
def test_mutated_seeds_end_in_a_report_or_an_input_error(document: Any, ascii_only: bool) -> None:
    data = json.dumps(document, ensure_ascii=ascii_only).encode()
    run_one(data)  # as a file, and as a JSON Lines line
    try:
        case = case_from(document)
    except InputError as error:
        assert str(error)
        return
    report = smscheck.check(case, lang="en")
    report.model_dump_json().encode("utf-8")


@FUZZ
@given(
    cases(),
    st.datetimes(min_value=FIRST, max_value=LAST),
    offsets,
    st.dates(min_value=FIRST.date(), max_value=LAST.date()),
)
def test_any_accepted_date_gets_a_report(
    case: smscheck.Case, moment: datetime, zone: timezone, polling: date
) -> None:
    message = case.message.model_copy(update={"send_at": moment.replace(tzinfo=zone)})
    rounds = (smscheck.Round(polling_date=polling),)
    election = case.campaign.election.model_copy(update={"rounds": rounds})
    campaign = case.campaign.model_copy(update={"election": election})
    changed = case.model_copy(update={"message": message, "campaign": campaign})
    assert smscheck.check(changed).status in smscheck.Status


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000) | json_values.map(lambda value: json.dumps(value).encode()))
def test_the_command_line_never_crashes(data: bytes) -> None:
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        for name in ("cases.json", "cases.jsonl"):
            path = Path(folder) / name
            path.write_bytes(data)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["check", str(path), "--format", "json", "--lang", "en"])
            assert code in (0, 1, 2)
            assert (code == 2) == ("error" in out.getvalue() + err.getvalue())
            out.seek(0), out.truncate(), err.seek(0), err.truncate()


@st.composite
def written(draw: st.DrawFn, value: object, duplicated: list[bool]) -> str:
    """`value` as JSON text written in any legal way: spaces, tabs and carriage returns around
    colons and commas, keys partly written as \\u escapes, and sometimes a key written twice
    (`duplicated` then holds True)."""

    def space() -> str:
        return draw(st.sampled_from(["", "", " ", "  ", "\t", "\r", " \t"]))

    def key(text: str) -> str:
        if not text or not draw(st.booleans()):
            return json.dumps(text)
        index = draw(st.integers(min_value=0, max_value=len(text) - 1))
        escaped = f"\\u{ord(text[index]):04x}" if ord(text[index]) < 0x10000 else text[index]
        return json.dumps(text[:index])[:-1] + escaped + json.dumps(text[index + 1 :])[1:]

    if isinstance(value, dict):
        items = list(value.items())
        if items and draw(st.integers(min_value=0, max_value=9)) == 0:
            name, old = draw(st.sampled_from(items))
            again = draw(st.sampled_from([old, draw(valid_json_values)]))
            items.insert(draw(st.integers(min_value=0, max_value=len(items))), (name, again))
            duplicated[0] = True
        fields = [
            key(name) + space() + ":" + space() + draw(written(item, duplicated))
            for name, item in items
        ]
        return "{" + space() + ("," + space()).join(fields) + space() + "}"
    if isinstance(value, list):
        return "[" + ",".join(draw(written(item, duplicated)) for item in value) + "]"
    return json.dumps(value, ensure_ascii=draw(st.booleans()))


@FUZZ
@given(st.sampled_from(SEED_DOCUMENTS), st.data())
def test_the_fast_path_never_misses_a_duplicate_key(document: Any, data: st.DataObject) -> None:
    from smscheck.inputs import read, read_lines

    duplicated = [False]
    line = data.draw(written(document, duplicated)).encode()
    (strict,) = read("-", io.BytesIO(line))
    (fast,) = read_lines("cases.jsonl", [line])
    if duplicated[0]:
        assert strict.error is not None and "duplicate key" in strict.error
        assert fast.error is not None and "duplicate key" in fast.error
    else:
        assert strict.case is not None and fast.case == strict.case
