"""Printable lines: read without checking each text field, to the same values, and only when
no text field could refuse them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from smscheck.inputs.lines import _read_printable
from smscheck.inputs.located import InputError
from smscheck.inputs.merge import RecipientLine
from smscheck.inputs.printable import printable, printable_validator
from smscheck.inputs.strict import _nested_fields, check_line
from smscheck.models import Case, Consent, PastMessage, Recipient

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


def _printable_text(raw: bytes) -> bool:
    """What `printable` says, the slow way."""
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return False
    return "\\" not in text and text.rstrip("\r\n").isprintable()


_PIECES = [b'{"a": "', b"Zo\xc3\xa9", b"\xc3", b"\xa9", b"(", b"\\", b"\r", b"\n", b"\t", b"\x7f"]
_PIECES += [b"\xc2\x85", "\u200b".encode(), "\U0001f600".encode(), b"\xed\xa0\x80", b" "]


@given(
    st.one_of(
        st.binary(max_size=30),
        st.text(max_size=30).map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.lists(st.sampled_from(_PIECES), max_size=12).map(b"".join),
    )
)
def test_printable_looks_at_the_bytes_beyond_ascii_to_the_same_answer(raw: bytes) -> None:
    assert printable(raw) is _printable_text(raw)


def test_the_printable_validator_checks_text_and_years_without_calling_python() -> None:
    shown = repr(UNCHECKED)
    assert "clean_text" not in shown and "in_years" not in shown and "Prebuilt" not in shown
    assert RecipientLine.__pydantic_complete__  # left as found


NUMBERS = ["06 12 34 56 78", "+33612345678", "0612", "+262 692 12 34 56", "", "0692123456"]
NUMBERS += ["+33 (0)6 12 34 56 78", "0033612345678", "06.12.34.56.78", "+3361234567a", "+1 202"]
texts = st.text(st.characters(codec="utf-8", exclude_characters='\\"\n\r'), max_size=12)
lines = st.fixed_dictionaries(
    {"number": st.sampled_from(NUMBERS)},
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


def _model_read(raw: bytes) -> tuple[Recipient, dict[str, str]] | None:
    """A recipient line as the model and the strict parser read it, or None if refused."""
    try:
        line = RecipientLine.model_validate_json(raw)
        check_line(raw, line)
    except (ValidationError, InputError):
        return None
    fields = line.__dict__.copy()
    merge = fields.pop("merge")
    recipient = Recipient.model_construct(line.model_fields_set - {"merge"}, **fields)
    return recipient, merge


@given(lines, st.sampled_from(["", "number", "origin", "merge", "consent", "merge field"]))
def test_a_printable_line_reads_in_one_validator_as_the_model_reads_it(
    document: dict[str, object], repeated: str
) -> None:
    raw = json.dumps(document, ensure_ascii=False).encode()
    if repeated == "merge field" and document.get("merge"):
        raw = raw.replace(b'"merge": {', b'"merge": {"x": "", "x": "", ', 1)
    elif repeated in document:  # the same value again: the fast parser keeps the last
        again = json.dumps({repeated: document[repeated]}, ensure_ascii=False).encode()
        raw = raw[:-1] + b", " + again[1:]
    expected = _model_read(raw)
    if not printable(raw):
        return
    found = _read_printable(raw)
    if found is None and expected is not None:  # near a year bound: read by the model
        assert any(stamp[:4] in ("1900", "2199") for stamp in _stamps(document))
        return
    assert found == expected
    if found is not None and expected is not None:
        (recipient, merge), (model, model_merge) = found, expected
        assert list(recipient.__dict__) == list(model.__dict__)  # the order reports use
        assert recipient.__pydantic_fields_set__ == model.__pydantic_fields_set__
        assert type(recipient.consent) is type(model.consent)
        assert list(map(type, recipient.history)) == list(map(type, model.history))
        assert type(merge) is type(model_merge) is dict


@pytest.mark.parametrize(
    "raw",
    [
        b'{"number": "0612345678", "number": "0612345678"}',
        b'{"number": "0612345678", "consent": {"given_on": "2024-01-01", "given_on": "2024-01-01"'
        b', "scope": "other", "collected_by": "X"}}',
        b'{"number": "0612345678", "history": [{"sent_at": "2026-03-01T10:00:00+01:00", '
        b'"sent_at": "2026-03-01T10:00:00+01:00"}]}',
        b'{"number": "0612345678", "merge": {"a": "b", "a": "b"}}',
        b'{"number": "0612345678", "merge": {}, "merge": {"a": "b"}}',
    ],
)
def test_a_repeated_key_is_left_to_the_strict_parser(raw: bytes) -> None:
    assert _read_printable(raw) is None and _model_read(raw) is None


def test_the_one_validator_builds_a_recipient_and_leaves_the_models_as_found() -> None:
    found = _read_printable(b'{"number": "06 12 34 56 78", "merge": {"a": "b"}}')
    assert found is not None
    recipient, merge = found
    assert type(recipient) is Recipient and merge == {"a": "b"}
    assert recipient.number == "+33612345678"
    assert RecipientLine.__pydantic_complete__ and Recipient.__pydantic_complete__
    with pytest.raises(TypeError, match="cannot build"):
        printable_validator(Recipient, builds=Case)


def test_the_one_validator_counts_the_keys_of_every_field_that_holds_keys() -> None:
    # Its count knows these fields: a new one would send every line to the model (slowly).
    assert _nested_fields(RecipientLine) == ("consent", "history", "merge")
    assert _nested_fields(Consent) == _nested_fields(PastMessage) == ()
