"""Printable lines: read without checking each text field, to the same values, and only when
no text field could refuse them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from smscheck.inputs.merge import RecipientLine
from smscheck.inputs.printable import printable, printable_validator
from smscheck.models import Case

UNCHECKED = printable_validator(RecipientLine)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"merge": {"prenom": "Cécile", "quartier": "États-Unis"}}\n', True),
        ('{"prenom": "Zoé"}\r\n', True),
        ('{"prenom": "Zo\u200bé"}\n', False),  # a format character, as written
        ('{"prenom": "Zo\\u200bé"}\n', False),  # an escape may write anything
        ('{"prenom": "a\\"b"}', False),
        ('{"prenom": "a\x7fb"}', False),
        ('{"prenom": "a\x85b"}', False),
        ('{"prenom":\t"a"}', False),  # whitespace but spaces: not worth telling apart
    ],
)
def test_a_line_is_printable_when_no_string_can_hold_a_refused_character(
    raw: str, expected: bool
) -> None:
    assert printable(raw.encode()) is expected


def test_a_line_that_is_not_utf8_is_not_printable() -> None:
    assert not printable(b'{"prenom": "Zo\xe9"}')


def test_the_printable_validator_checks_text_and_years_without_calling_python() -> None:
    shown = repr(UNCHECKED)
    assert "clean_text" not in shown and "in_years" not in shown and "Prebuilt" not in shown
    assert RecipientLine.__pydantic_complete__  # left as found


texts = st.text(st.characters(codec="utf-8", exclude_characters='\\"\n\r'), max_size=12)
lines = st.fixed_dictionaries(
    {"number": st.sampled_from(["06 12 34 56 78", "+33612345678", "0612", "+262 692 12 34 56"])},
    optional={
        "relationship": st.sampled_from(["member", "prospect", "moon"]),
        "referrer": texts,
        "consent": st.fixed_dictionaries(
            {
                "given_on": st.sampled_from(
                    [
                        "2024-02-29",
                        "2025-02-30",
                        "1850-01-01",
                        "1900-01-01",
                        "2199-12-31",
                        "2200-01-01",
                    ]
                ),
                "scope": st.sampled_from(["political_sms", "other"]),
                "collected_by": texts,
            },
            optional={"proof": texts},
        ),
        "history": st.lists(
            st.fixed_dictionaries(
                {
                    "sent_at": st.sampled_from(
                        [
                            "2026-03-01T10:00:00+01:00",
                            "2026-03-01T10:00",
                            "1900-01-01T00:30:00+01:00",
                            "1900-01-01T23:30:00-01:00",
                            "1899-12-31T23:30:00-01:00",
                            "2199-12-31T23:30:00-05:00",
                            "2200-01-01T00:30:00+05:00",
                        ]
                    )
                }
            ),
            max_size=2,
        ),
        "merge": st.dictionaries(texts, texts, max_size=3),
    },
)


@given(lines)
def test_a_printable_line_reads_unchecked_as_the_model_reads_it(
    document: dict[str, object],
) -> None:
    raw = json.dumps(document, ensure_ascii=False).encode()
    try:
        expected: RecipientLine | None = RecipientLine.model_validate_json(raw)
    except ValidationError:
        expected = None
    if printable(raw):
        try:
            found = UNCHECKED.validate_json(raw)
        except ValidationError:
            found = None
        if found is None and expected is not None:  # near a year bound: read by the model
            assert any(stamp[:4] in ("1900", "2199") for stamp in _stamps(document))
            return
        assert found == expected
        if found is not None and expected is not None:
            assert found.__pydantic_fields_set__ == expected.__pydantic_fields_set__
            assert type(found.consent) is type(expected.consent)


def _stamps(document: dict[str, object]) -> list[str]:
    history = document.get("history", [])
    assert isinstance(history, list)
    return [past["sent_at"] for past in history]


def test_a_case_model_is_still_checked_field_by_field() -> None:
    with pytest.raises(ValidationError, match="U\\+202E"):
        Case.model_validate(
            {
                "message": {
                    "sender": "\u202eX",
                    "body": "b",
                    "send_at": "2026-03-01T10:00:00+01:00",
                },
                "recipient": {"number": "0612345678"},
                "campaign": {
                    "sender_kind": "party",
                    "names": ["P"],
                    "election": {"kind": "municipal", "rounds": [{"polling_date": "2026-03-15"}]},
                },
            }
        )
