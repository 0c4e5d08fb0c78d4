"""The displayed sender (OADC): names, short codes and declared numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smscheck.sender_field import SenderField, classify_sender


def test_party_name_is_a_valid_alphanumeric_sender_that_cannot_receive_replies() -> None:
    assert classify_sender("UMP") == SenderField("alphanumeric", True, False)


@pytest.mark.parametrize("value", ["A", "Paris2013", "ABCDEFGHIJK", "12a", "MAIRIE75"])
def test_one_to_eleven_ascii_letters_and_digits_with_a_letter_are_a_name(value: str) -> None:
    assert classify_sender(value).kind == "alphanumeric"


def test_name_with_spaces_and_fourteen_characters_is_refused_with_both_reasons() -> None:
    sender = classify_sender("UMP PARIS 2013")
    assert (sender.kind, sender.valid, sender.can_receive_replies) == ("invalid", False, False)
    assert "14" in sender.reason_en and "spaces" in sender.reason_en
    assert "14" in sender.reason_fr and "espaces" in sender.reason_fr


def test_twelve_characters_are_too_many() -> None:
    sender = classify_sender("ABCDEFGHIJKL")
    assert not sender.valid
    assert "12 characters, at most 11" in sender.reason_en


@pytest.mark.parametrize(("value", "char"), [("ÉLU", "É"), ("UMP-Paris", "-"), ("Mairie.fr", ".")])
def test_accents_and_punctuation_are_refused_and_named(value: str, char: str) -> None:
    sender = classify_sender(value)
    assert not sender.valid
    assert char in sender.reason_en and char in sender.reason_fr


def test_empty_sender_is_refused() -> None:
    assert classify_sender("").reason_en == "Sender name refused: it is empty."


def test_punctuation_only_sender_has_no_letter() -> None:
    assert "no letter" in classify_sender("!!!").reason_en


@pytest.mark.parametrize("value", ["36111", "36000", "38200", "38999"])
def test_five_digits_starting_36_or_38_are_a_short_code_that_receives_replies(value: str) -> None:
    assert classify_sender(value) == SenderField("short_code", True, True)


@pytest.mark.parametrize("value", ["12345", "33700", "37111"])
def test_other_five_digit_codes_are_refused(value: str) -> None:
    sender = classify_sender(value)
    assert not sender.valid
    assert sender.reason_en == "A short code must start with 36 or 38."


@pytest.mark.parametrize("value", ["2013", "3611", "361111", "+33 6 12"])
def test_digits_that_are_neither_short_code_nor_number_are_refused(value: str) -> None:
    sender = classify_sender(value)
    assert not sender.valid
    assert "short code" in sender.reason_en


def test_undeclared_valid_number_is_refused() -> None:
    sender = classify_sender("+33612345678")
    assert (sender.kind, sender.valid, sender.can_receive_replies) == ("invalid", False, False)
    assert "not declared by the campaign" in sender.reason_en
    assert "pas déclaré par la campagne" in sender.reason_fr


def test_declared_number_is_a_valid_phone_sender_that_receives_replies() -> None:
    assert classify_sender("+33612345678", ["+33612345678"]) == SenderField(
        "phone_number", True, True
    )


@pytest.mark.parametrize(
    ("value", "declared"),
    [
        ("0612345678", "+33612345678"),
        ("+33612345678", "06 12 34 56 78"),
        ("06 12 34 56 78", "0033612345678"),
        ("+262 692 12 34 56", "+262692123456"),
    ],
)
def test_sender_and_declared_numbers_match_in_any_writing(value: str, declared: str) -> None:
    assert classify_sender(value, [declared]).kind == "phone_number"


def test_another_declared_number_does_not_make_a_number_valid() -> None:
    assert not classify_sender("+33612345678", ["+33612345679"]).valid


def test_malformed_declared_numbers_are_ignored() -> None:
    assert classify_sender("+33612345678", ["n/a", "", "+33612345678"]).valid


def test_declared_numbers_may_be_any_iterable() -> None:
    assert classify_sender("+33612345678", iter(("+33612345678",))).valid


@given(st.text(max_size=20), st.lists(st.text(max_size=15), max_size=3))
def test_kind_is_invalid_exactly_when_the_sender_is_refused_with_a_reason(
    value: str, declared: list[str]
) -> None:
    sender = classify_sender(value, declared)
    assert (sender.kind == "invalid") == (not sender.valid)
    assert bool(sender.reason_en) == bool(sender.reason_fr) == (not sender.valid)
    assert sender.can_receive_replies == (sender.kind in ("short_code", "phone_number"))


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
def test_names_follow_the_length_and_letter_rules(value: str) -> None:
    sender = classify_sender(value)
    if sender.kind == "alphanumeric":
        assert 1 <= len(value) <= 11
        assert any(char.isalpha() for char in value)
    elif any(char.isalpha() for char in value):
        assert not 1 <= len(value) <= 11
