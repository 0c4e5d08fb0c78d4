"""One JSON document: a case (`message`, `recipient`, `campaign`) or a seed (`case` plus
`expected`)."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from smscheck.inputs.located import InputError, Item, Location, describe_validation, kind_of
from smscheck.inputs.strict import check_strings
from smscheck.models import Case


def case_from(document: object) -> Case:
    """A case from a parsed JSON value: a case or a seed. Text is checked as strictly as in
    files (no lone surrogates or control characters)."""
    check_strings(document)
    return _case(document)


def _case(document: object) -> Case:
    prefix = ""
    if isinstance(document, dict) and "case" in document:
        document, prefix = document["case"], "case."
    if not isinstance(document, dict | BaseModel):
        where = prefix.rstrip(".") or "(document)"
        raise InputError(f"{where}: expected a JSON object (a case), found {kind_of(document)}")
    try:
        return Case.model_validate(document)
    except ValidationError as exc:
        raise InputError(describe_validation(exc, prefix)) from None


def item_from(location: Location, document: object) -> Item:
    try:
        return Item(location, case=_case(document))
    except InputError as exc:
        return Item(location, error=str(exc))
