"""The displayed sender (OADC): names, short codes and declared numbers."""

from __future__ import annotations

import copy
import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smscheck import Checker
from smscheck.inputs import case_from
from smscheck.sender_field import SenderField, classify_sender, generic_parts
from tests.conftest import ROOT, load_seed


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


# --- the operators' current rules, through the shipped packs --------------------------------

_CHECKER = Checker()
_BASE = load_seed("2026-declared-number-sender.json")


def _verdicts(
    sender: str,
    *,
    body: str | None = None,
    declared: tuple[str, ...] = (),
    send_at: str = "2026-03-03T10:00:00+01:00",
) -> dict[str, str]:
    seed = copy.deepcopy(_BASE)
    message = seed["case"]["message"]
    message.update(sender=sender, send_at=send_at, body=body or message["body"])
    seed["case"]["campaign"]["declared_numbers"] = list(declared)
    report = _CHECKER.check(case_from(seed))
    return {verdict.rule_id: verdict.status.value for verdict in report.verdicts}


def _generic_names() -> frozenset[str]:
    pack = tomllib.loads((ROOT / "rules" / "sms-format" / "pack.toml").read_text(encoding="utf-8"))
    (rule,) = (rule for rule in pack["rules"] if rule["id"] == "FMT-SND-02")
    return frozenset(name for group in rule["params"]["args"]["groups"] for name in group["names"])


GENERIC = _generic_names()


@pytest.mark.parametrize("sender", ["INFO", "ALERTE", "RDV", "MAIRIE", "info", "Infos", "BANK"])
def test_a_name_that_is_only_a_generic_word_fails_since_march_2025(sender: str) -> None:
    verdicts = _verdicts(sender)
    assert verdicts["FMT-SND-01"] == "pass"
    assert verdicts["FMT-SND-02"] == "fail"


@pytest.mark.parametrize("sender", ["INFOVOTE", "RDV2026", "ALERTEINFO", "SMS2"])
def test_generic_words_and_numbers_joined_are_still_generic(sender: str) -> None:
    assert _verdicts(sender)["FMT-SND-02"] == "fail"


@pytest.mark.parametrize("sender", ["MAIRIELYON", "INFODUPONT", "RDVDUPONT", "UMP", "LYONAVENIR"])
def test_a_name_that_also_identifies_the_sender_passes(sender: str) -> None:
    assert _verdicts(sender)["FMT-SND-02"] == "pass"


def test_the_generic_name_rule_is_in_force_from_10_march_2025() -> None:
    assert "FMT-SND-02" not in _verdicts("INFO", send_at="2025-03-09T10:00:00+01:00")
    assert _verdicts("INFO", send_at="2025-03-10T10:00:00+01:00")["FMT-SND-02"] == "fail"


def test_the_generic_name_rule_does_not_apply_to_numbers() -> None:
    assert _verdicts("36111")["FMT-SND-02"] == "not_applicable"


def test_the_failure_names_the_generic_words_and_where_the_list_comes_from() -> None:
    seed = copy.deepcopy(_BASE)
    seed["case"]["message"]["sender"] = "INFORDV"
    verdict = _CHECKER.check(case_from(seed)).verdict("FMT-SND-02")
    assert "INFO + RDV" in verdict.message
    assert "notices" in Checker(lang="en").check(case_from(seed)).verdict("FMT-SND-02").message


@given(st.lists(st.sampled_from([*sorted(GENERIC), "2", "2026"]), min_size=1, max_size=3))
def test_a_name_cut_into_generic_words_is_given_back_in_its_pieces(pieces: list[str]) -> None:
    name = "".join(pieces)
    found = generic_parts(name, GENERIC)
    if any(not piece.isdigit() for piece in pieces):
        assert found is not None and "".join(found) == name
    else:
        assert found is None


@pytest.mark.parametrize(
    "number", ["06 12 34 56 78", "+33781234567", "+590690123456", "+262692123456"]
)
def test_a_declared_french_mobile_number_as_bulk_sender_warns(number: str) -> None:
    verdicts = _verdicts(number, declared=(number,))
    assert verdicts["FMT-SND-01"] == "pass"
    assert verdicts["FMT-SND-03"] == "warn"


@pytest.mark.parametrize("number", ["01 45 67 89 01", "09 39 12 34 56"])
def test_a_declared_landline_or_platform_number_does_not_warn(number: str) -> None:
    assert _verdicts(number, declared=(number,))["FMT-SND-03"] == "pass"


def test_the_mobile_number_rule_is_in_force_from_2023_and_ignores_names() -> None:
    old = _verdicts("0612345678", declared=("0612345678",), send_at="2022-12-30T10:00:00+01:00")
    assert "FMT-SND-03" not in old
    assert _verdicts("LYONAVENIR")["FMT-SND-03"] == "not_applicable"
    assert _verdicts("36111")["FMT-SND-03"] == "not_applicable"


_LEAD = "Lyon Avenir : votez Marie Dupont ! Vos coordonnées proviennent de notre fichier. "


@pytest.mark.parametrize(
    ("ask", "status"),
    [
        ("Recevoir nos infos ? Répondez OUI.", "fail"),
        ("Répondez oui pour recevoir nos rendez-vous.", "fail"),
        ("Répondez par SMS OUI ou NON.", "fail"),
        ("Envoyez OUI pour être tenu informé.", "fail"),
        ("Reply YES to hear from us.", "fail"),
        ("Répondez STOP pour ne plus recevoir nos messages.", "fail"),
        ("Une question ? Répondez à ce SMS.", "fail"),
        ("Des questions ? Répondez-nous !", "fail"),
        ("Répondez par retour de SMS.", "fail"),
        ("Répondez OUI au 36111 pour recevoir nos infos.", "not_applicable"),
        ("Répondez OUI sur https://exemple.fr/oui", "not_applicable"),
        ("Répondez-nous sur https://exemple.fr/contact", "not_applicable"),
        ("STOP au 36111", "not_applicable"),
        ("Nous répondons à vos questions dimanche.", "not_applicable"),
    ],
)
def test_a_reply_asked_from_an_alphanumeric_name_fails(ask: str, status: str) -> None:
    assert _verdicts("LYONAVENIR", body=_LEAD + ask)["FMT-RPL-01"] == status


@pytest.mark.parametrize(("sender", "declared"), [("36111", ()), ("0145678901", ("0145678901",))])
def test_a_reply_asked_from_a_sender_that_receives_replies_passes(
    sender: str, declared: tuple[str, ...]
) -> None:
    body = _LEAD + "Recevoir nos infos ? Répondez OUI. STOP au 36111"
    assert _verdicts(sender, body=body, declared=declared)["FMT-RPL-01"] == "pass"


def test_reply_stop_from_a_name_fails_the_opt_out_rule_and_the_reply_rule_for_one_reason() -> None:
    seed = copy.deepcopy(_BASE)
    seed["case"]["message"].update(
        sender="UMP", body=_LEAD + "Répondez STOP pour vous désinscrire."
    )
    report = Checker(lang="en").check(case_from(seed))
    opt_out, reply = report.verdict("CNIL12-OPT-01"), report.verdict("FMT-RPL-01")
    assert (opt_out.status.value, reply.status.value) == ("fail", "fail")
    for verdict in (opt_out, reply):
        assert "sender UMP cannot receive replies" in verdict.message
