"""Input models: strict, frozen, and explained when wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from smscheck import Case, Message
from smscheck.inputs import InputError, case_from
from tests.conftest import load_seed


def case_a() -> dict[str, Any]:
    document: dict[str, Any] = load_seed("2011-ump-cantonales.json")["case"]
    return document


def test_a_naive_send_time_is_rejected_with_a_clear_error() -> None:
    document = case_a()
    document["message"]["send_at"] = "2011-03-25T19:30:00"
    with pytest.raises(InputError, match=r"message\.send_at: .*timezone"):
        case_from(document)


def test_an_unknown_key_is_rejected_naming_it() -> None:
    document = case_a()
    document["recipient"]["shoe_size"] = 42
    with pytest.raises(InputError, match=r"recipient\.shoe_size: Extra inputs"):
        case_from(document)


def test_an_unknown_origin_value_is_rejected_naming_the_field() -> None:
    document = case_a()
    document["recipient"]["origin"] = "found_on_a_bus"
    with pytest.raises(InputError, match=r"recipient\.origin"):
        case_from(document)


def test_validation_errors_never_echo_the_input_values() -> None:
    document = case_a()
    document["recipient"]["relationship"] = "+33699887766"
    with pytest.raises(InputError) as caught:
        case_from(document)
    assert "99887766" not in str(caught.value)


def test_models_are_frozen() -> None:
    message = case_from(case_a()).message
    with pytest.raises(ValidationError):
        message.body = "changed"  # type: ignore[misc]


def test_the_case_json_schema_is_exportable_and_names_the_three_parts() -> None:
    schema = Case.model_json_schema()
    assert set(schema["required"]) == {"message", "recipient", "campaign"}
    json.dumps(schema)


def test_a_case_survives_a_json_round_trip() -> None:
    case = case_from(case_a())
    assert Case.model_validate_json(case.model_dump_json()) == case
    assert isinstance(case.message, Message)


def test_a_trusted_model_is_the_one_validation_makes() -> None:
    from pydantic import BaseModel

    from smscheck import models
    from smscheck.models import trusted

    built = case_from(case_a())
    again = trusted(Case, dict(built.__dict__))
    assert again == built and type(again) is Case
    assert again.__pydantic_fields_set__ == set(Case.model_fields)
    assert again.__pydantic_extra__ is None and again.__pydantic_private__ is None
    assert again.model_dump_json() == built.model_dump_json()
    for model in vars(models).values():  # trusted makes them without their __new__
        if isinstance(model, type) and issubclass(model, BaseModel):
            assert model.__new__ is object.__new__, model


def test_trusted_models_share_a_fields_set_that_refuses_changes_and_copies_as_a_set() -> None:
    import copy
    import pickle

    from smscheck.models import trusted
    from smscheck.verdicts import Span

    first = trusted(Span, {"start": 0, "end": 3, "text": "abc"})
    second = trusted(Span, {"start": 4, "end": 5, "text": "d"})
    assert first.model_fields_set is second.model_fields_set == {"start", "end", "text"}
    with pytest.raises(TypeError, match="shared"):
        first.model_fields_set.add("other")
    with pytest.raises(TypeError, match="shared"):
        first.model_fields_set.discard("text")
    changed = first.model_copy(update={"text": "xyz"})
    assert changed.text == "xyz" and type(changed.model_fields_set) is set
    assert first.text == "abc" and second.model_fields_set == {"start", "end", "text"}
    for again in (copy.copy(first), copy.deepcopy(first), pickle.loads(pickle.dumps(first))):
        assert again == first and type(again.model_fields_set) is set
    assert first.model_dump(exclude_unset=True) == {"start": 0, "end": 3, "text": "abc"}
    assert first == Span(start=0, end=3, text="abc")
    # Some fields only (not what `trusted` is for): a set of its own, as validation makes.
    partial = trusted(Span, {"start": 0, "end": 1})
    assert partial.model_fields_set == {"start", "end"}
    assert partial.model_fields_set is not first.model_fields_set
