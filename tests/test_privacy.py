"""Privacy by default: no output shows a recipient's number unmasked unless --show-numbers.

Known numbers, written in several ways (E.164, national with spaces or dots, overseas), go
through every output format, bad-line errors, batch summaries and the optout commands; the
digits a mask hides never appear on stdout or stderr, not even with separators between them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
import regex
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from smscheck.cli import main
from smscheck.formatters import FORMATTERS
from tests.conftest import SEEDS

CASE: dict[str, Any] = json.loads(
    (SEEDS / "2026-ordinary-number.json").read_text(encoding="utf-8")
)["case"]

# As written in the input -> E.164. Masks show the country code, the first digit of the
# national number and its last two: `+33 6 ** ** ** 31`.
NUMBERS = {
    "+33698765431": "+33698765431",
    "06 98 76 54 32": "+33698765432",
    "06.98.76.54.33": "+33698765433",
    "+262 692 47 38 29": "+262692473829",  # La Réunion
    "+590690473815": "+590690473815",  # Guadeloupe
}
# Bad lines: an invalid number (one digit short), a valid one next to a bad field.
INVALID = "06 98 76 54 3"
BAD_FIELD = "+33698765434"


def hidden(e164: str) -> str:
    """The digits a mask hides: the national number but its first digit and last two."""
    return str(phonenumbers.parse(e164).national_number)[1:-2]


def leaks(text: str, digits: str) -> bool:
    """Whether `digits` appear in `text`, even with spaces, dots, dashes or slashes between
    them."""
    return re.search(r"[\s.\-/\u2013]*".join(digits), text) is not None


def test_the_hidden_digits_are_those_a_mask_hides() -> None:
    from smscheck.phones import mask

    for e164 in NUMBERS.values():
        assert not leaks(mask(e164), hidden(e164))
        assert leaks(e164, hidden(e164))


def campaign(tmp_path: Path) -> Path:
    """A campaign with every number (from a rented file: each case has problems, so every
    format reports it), a line with an invalid number and a line with a bad field."""
    message = dict(CASE["message"], body="{prenom}, " + CASE["message"]["body"])
    lines: list[dict[str, Any]] = [{"template": {"message": message, "campaign": CASE["campaign"]}}]
    for written in NUMBERS:
        lines.append({"number": written, "origin": "rented_file", "merge": {"prenom": "Zoé"}})
    lines.append({"number": INVALID, "merge": {"prenom": "Zoé"}})
    lines.append({"number": BAD_FIELD, "origin": "moon", "merge": {"prenom": "Zoé"}})
    lines.append({"number": BAD_FIELD, "merge": {BAD_FIELD: 5, "prenom": "Zoé"}})
    path = tmp_path / "campaign.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


def all_hidden() -> list[str]:
    return [hidden(e164) for e164 in (*NUMBERS.values(), BAD_FIELD)]


@pytest.mark.parametrize("fmt", sorted(FORMATTERS))
def test_no_format_shows_a_number_by_default(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(campaign(tmp_path)), "--format", fmt]) == 2  # the bad lines
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "entrée(s) illisible(s)" in output  # the summary was written
    assert "+262 6** ** ** 29" in output  # the reports were written, numbers masked
    for digits in all_hidden():
        assert not leaks(output, digits), digits


@pytest.mark.parametrize("fmt", sorted(FORMATTERS))
def test_show_numbers_shows_them(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", str(campaign(tmp_path)), "--format", fmt, "--show-numbers"])
    out = capsys.readouterr().out
    for e164 in NUMBERS.values():
        assert e164 in out


def test_a_single_case_and_its_errors_are_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for index, written in enumerate(NUMBERS):
        path = tmp_path / f"case{index}.json"
        case = json.loads(json.dumps(CASE))
        case["recipient"]["number"] = written
        path.write_text(json.dumps(case), encoding="utf-8")
        bad = tmp_path / f"bad{index}.json"
        case["recipient"]["origin"] = "moon"
        bad.write_text(json.dumps(case), encoding="utf-8")
        main(["check", str(path), str(bad)])
    output = "".join(capsys.readouterr())
    for e164 in NUMBERS.values():
        assert not leaks(output, hidden(e164))


def test_recipients_in_the_opt_out_registry_are_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = str(tmp_path / "optouts.sqlite3")
    for written in NUMBERS:
        assert main(["optout", "--registry", registry, "add", written]) == 0
    assert main(["optout", "--registry", registry, "list"]) == 0
    assert main(["optout", "--registry", registry, "remove", "06 98 76 54 32"]) == 0
    assert main(["optout", "--registry", registry, "add", INVALID]) == 2
    main(["check", str(campaign(tmp_path)), "--optouts", registry, "--format", "json"])
    output = "".join(capsys.readouterr())
    assert "+33 6 ** ** ** 31" in output
    for digits in all_hidden():
        assert not leaks(output, digits), digits


def test_optout_list_shows_numbers_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = str(tmp_path / "optouts.sqlite3")
    for written in NUMBERS:
        main(["optout", "--registry", registry, "add", written])
    capsys.readouterr()
    main(["optout", "--registry", registry, "list", "--show-numbers"])
    out = capsys.readouterr().out
    assert all(e164 in out for e164 in NUMBERS.values())


def test_workers_mask_numbers_too(tmp_path: Path) -> None:
    path = campaign(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "smscheck.cli", "check", str(path), "--jobs", "2"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2
    for digits in all_hidden():
        assert not leaks(done.stdout + done.stderr, digits), digits


def test_rejected_import_rows_are_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ["number,event,at,source,scope"]
    rows += [f"{written},opt_out,2026-01-01T10:00:00+00:00,cli,*" for written in NUMBERS]
    rows += [f"{INVALID},opt_out,2026-01-01T10:00:00+00:00,cli,*"]
    rows += [f"{BAD_FIELD},bogus,2026-01-01T10:00:00+00:00,cli,*"]
    rows += [f"{BAD_FIELD},opt_out,not a date,cli,*"]
    path = tmp_path / "optouts.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    registry = str(tmp_path / "optouts.sqlite3")
    assert main(["optout", "--registry", registry, "import", str(path)]) == 1
    output = "".join(capsys.readouterr())
    assert "3 row(s) rejected" in output
    for digits in all_hidden():
        assert not leaks(output, digits), digits


# --- numbers quoted in evidence and messages (issue 14) -----------------------------------

# Bodies that quote numbers where rules take evidence: a premium-rate opt-out (the paid opt-out
# rule quotes it), an opt-out link carrying the number, a referrer's number filled in from a
# merge field. PREMIUM, LINKED and REFERRER are the numbers they quote.
PREMIUM, LINKED, REFERRER = "+33698765435", "+33698765436", "+33698765437"
QUOTING = (
    "Lyon Avenir : votez Marie Dupont ! Vos coordonnées proviennent de notre fichier "
    "d'adhérents. Infos et droits : https://exemple.fr/donnees Parrainé par {parrain}. "
    "STOP au 06 98 76 54 35 (0,50 € par SMS) ou https://exemple.fr/stop?tel=0698765436"
)


def quoting_campaign(tmp_path: Path) -> Path:
    message = dict(CASE["message"], body=QUOTING)
    lines: list[dict[str, Any]] = [{"template": {"message": message, "campaign": CASE["campaign"]}}]
    lines.append({"number": "+33698765431", "merge": {"parrain": "06 98 76 54 37"}})
    path = tmp_path / "quoting.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


QUOTED = [hidden(e164) for e164 in (PREMIUM, LINKED, REFERRER)]


@pytest.mark.parametrize("fmt", sorted(FORMATTERS))
def test_numbers_quoted_in_evidence_are_masked_in_every_format(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(quoting_campaign(tmp_path)), "--format", fmt]) == 1
    out = capsys.readouterr().out
    assert "06 ** ** ** 35" in out  # the paid opt-out's evidence, masked
    for digits in QUOTED:
        assert not leaks(out, digits), digits
    capsys.readouterr()
    main(["check", str(quoting_campaign(tmp_path)), "--format", fmt, "--show-numbers"])
    assert "06 98 76 54 35" in capsys.readouterr().out


def _quoting_case() -> Any:
    from smscheck.inputs import case_from

    document = json.loads(json.dumps(CASE))
    document["message"]["body"] = QUOTING.replace("{parrain}", "06 98 76 54 37")
    return case_from(document)


def test_library_reports_mask_quoted_numbers_unless_asked() -> None:
    from smscheck import Checker

    case = _quoting_case()
    report = Checker(lang="en").check(case)
    spans = [span for verdict in report.verdicts for span in verdict.evidence]
    assert any(span.text.startswith("STOP au 06 ** ** ** 35") for span in spans)
    for span in spans:  # offsets still point into the body
        assert len(span.text) == span.end - span.start
        quoted = case.message.body[span.start : span.end]
        assert all(a in (b, "*") for a, b in zip(span.text, quoted, strict=True))
    assert not any(leaks(report.model_dump_json(), digits) for digits in QUOTED)
    shown = Checker(lang="en", show_numbers=True).check(case)
    assert any("06 98 76 54 35" in span.text for v in shown.verdicts for span in v.evidence)


def test_assert_compliant_messages_mask_quoted_numbers() -> None:
    from smscheck.assertions import assert_compliant

    with pytest.raises(AssertionError) as raised:
        assert_compliant(_quoting_case())
    assert "« STOP au 06 ** ** ** 35" in str(raised.value)
    for digits in QUOTED:
        assert not leaks(str(raised.value), digits)


def test_a_template_error_masks_a_number_written_as_a_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = dict(CASE["message"], body="Appelez le {0698765432}. " + CASE["message"]["body"])
    path = tmp_path / "bad.jsonl"
    lines = [{"template": {"message": message, "campaign": CASE["campaign"]}}, CASE["recipient"]]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    assert main(["check", str(path), "--lang", "en"]) == 2
    output = "".join(capsys.readouterr())
    assert "'{06******32}' at character 12 is not a merge field" in output
    assert not leaks(output, hidden("+33698765432"))


# --- library exceptions and repr ----------------------------------------------------------


def test_validation_errors_raised_to_library_users_do_not_quote_the_number() -> None:
    from pydantic import ValidationError

    from smscheck import Case, Recipient
    from smscheck.registry import OptOutRecord

    attempts: list[Callable[[], object]] = [
        lambda: Recipient(number=INVALID),
        lambda: Recipient(number="0698765432", origin="moon"),
        lambda: Case.model_validate({**CASE, "recipient": {"number": INVALID}}),
        lambda: Case.model_validate_json(json.dumps({**CASE, "recipient": {"number": INVALID}})),
        lambda: OptOutRecord(number="0698765432", event="opt_out", at="x", source="s"),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as raised:
            attempt()
        shown = str(raised.value) + repr(raised.value)
        assert "input_value" not in shown
        assert not leaks(shown, "987654"), shown


def test_other_library_errors_do_not_quote_the_number(tmp_path: Path) -> None:
    from smscheck import Checker
    from smscheck.registry import SQLiteRegistry

    with SQLiteRegistry(tmp_path / "r.sqlite3") as registry:
        attempts: list[Callable[[], object]] = [
            lambda: Checker(suppressed={INVALID}),
            lambda: registry.record_opt_out(INVALID, at=datetime.now(UTC), source="sms"),
            lambda: registry.is_suppressed("06 98 76 54 3x"),
        ]
        for attempt in attempts:
            with pytest.raises(ValueError) as raised:
                attempt()
            assert not leaks(str(raised.value) + repr(raised.value), "987654")


def test_repr_and_str_of_a_case_mask_every_number() -> None:
    case = _quoting_case()
    for shown in (repr(case), str(case), repr(case.recipient), repr(case.message)):
        assert not leaks(shown, hidden("+33612345678")), shown
        for digits in QUOTED[:2]:  # the body's numbers too
            assert not leaks(shown, digits), shown
    assert "number='+336******78'" in repr(case.recipient)
    assert "Marie Dupont" in repr(case.message)  # the rest is shown as it is


# --- what counts as a phone number in a text ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("STOP au 06 98 76 54 32", "STOP au 06 ** ** ** 32"),
        ("06.98.76.54.32", "06.**.**.**.32"),
        ("06-98-76-54-32", "06-**-**-**-32"),
        ("tél. 04\u00a078\u00a012\u00a034\u00a056", "tél. 04\u00a0**\u00a0**\u00a0**\u00a056"),
        ("https://a.fr/?tel=0698765432&x=1", "https://a.fr/?tel=06******32&x=1"),
        ("https://a.fr/?tel=%2B33698765432", "https://a.fr/?tel=%2B336******32"),
        ("?tel=33698765432", "?tel=336******32"),
        ("+33 6 98 76 54 32", "+33 6 ** ** ** 32"),
        ("+33 (0)6 98 76 54 32", "+33 (0)6 ** ** ** 32"),
        ("0033 6 98 76 54 32", "0033 6 ** ** ** 32"),
        ("+262 692 47 38 29", "+262 6** ** ** 29"),
        ("+44 7700 900123", "+44 7*** ****23"),
        ("en 2026 06 98 76 54 32", "en 2026 06 ** ** ** 32"),
        ("06 9876 5432", "06 **** **32"),
        ("06/98/76/54/32", "06/**/**/**/32"),
        ("?msg=Appelez%20le%200698765432", "?msg=Appelez%20le%2006******32"),
        ("?body=RDV%20au%2006%2098%2076%2054%2032", "?body=RDV%20au%2006%20**%20**%20**%2032"),
        ("06. 98. 76. 54. 32", "06. **. **. **. 32"),
        ("06 – 98 – 76 – 54 – 32", "06 – ** – ** – ** – 32"),  # en dashes
        ("069 876 5432", "06* *** **32"),
        ("tel0698765432", "tel06******32"),
        ("https://a.fr/?tel%3A0698765432", "https://a.fr/?tel%3A06******32"),
        ("+999 06 98 76 54 32", "+99* ** ** ** ** 32"),
        ("?tel=330698765432", "?tel=3306******32"),
        ("06987654321", "06******321"),  # a digit too many: still someone's number
        # After a date or other groups of digits, as a number is often written:
        ("le 01 02 2026 06 98 76 54 32", "le 01 02 2026 06 ** ** ** 32"),
        ("Le 15.03.2026 06.98.76.54.32", "Le 15.03.2026 06.**.**.**.32"),
        ("Horaires 08 00 06 98 76 54 32", "Horaires 08 00 06 ** ** ** 32"),
    ],
)
def test_phone_numbers_in_text_are_masked_keeping_their_length(text: str, masked: str) -> None:
    from smscheck.privacy import mask_numbers

    assert mask_numbers(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "STOP au 36111",
        "STOP SMS au 38 123",
        "dimanche 15 mars 2026",
        "le 15.03.2026 à 10:30",
        "le 01.03.2026",
        "le 01 02 2026 10h",
        "le 15 03 2026 08 00",
        "le 15/03/2026 à 10 h, page 1/2 - 3/4",
        # groups whose separators change are dates and hours, not a number
        "Vos RDV : 05/03 - 12/03 - 19/03",
        "RDV les 01/03 08/03 15/03 22/03",
        "Ouvert 09.00-12.00 14.00-18.00",
        "le 5 06 2026 14 30",
        "le 30 09 2026 1000 tracts",
        "2026-03-15T10:00:00+01:00",
        "69003 Lyon",
        "1 000 000 € ; 12 345,67 €",
        "loi n° 2004-575 du 21 juin 2004, art. L. 34-5",
        "Appel gratuit au 0 800 12 34 56 ou 0800123456",
        "+33 8 00 12 34 56",
        "de 8 h à 20 h, +5 %",
        "06 98 76 54",  # eight digits: not a number
    ],
)
def test_dates_short_codes_amounts_and_service_numbers_are_not_masked(text: str) -> None:
    from smscheck.privacy import mask_numbers

    assert mask_numbers(text) == text


def test_no_shipped_rule_text_would_be_masked() -> None:
    from smscheck.packs import shipped_packs
    from smscheck.privacy import mask_numbers

    for pack in shipped_packs():
        for rule in pack.rules:
            for text in (rule.title, rule.message, rule.review, rule.remedy):
                for lang in ("fr", "en"):
                    assert mask_numbers(text[lang]) == text[lang], (rule.id, text[lang])


# A day, a month and a year, as groups of digits: a date, read before any number.
_DATE = regex.compile(
    r"(?<!\d)(0?[1-9]|[12]\d|3[01])\D{1,3}(0?[1-9]|1[0-2])\D{1,3}(19|20)\d\d(?!\d)"
)
_SEPARATORS = st.sampled_from(["", " ", ".", "-", "\u00a0", "/", "  ", ". ", " \u2013 ", "\t"])
_WORDS = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([1, 2, 3, 4, 5, 6, 7, 9]),  # 08: service numbers, shown
    st.integers(0, 99_999_999),
    _SEPARATORS,
    st.sampled_from(["national", "e164", "url"]),
    _WORDS,
    _WORDS,
)
def test_any_french_number_in_any_text_loses_its_hidden_digits(
    first: int, rest: int, separator: str, writing: str, before: str, after: str
) -> None:
    from smscheck.privacy import mask_numbers

    national = f"{first}{rest:08d}"
    pairs = separator.join(national[index : index + 2] for index in range(1, 9, 2))
    written = {
        "national": f"0{national[0]}{separator}{pairs}",
        "e164": f"+33{separator}{national[0]}{separator}{pairs}",
        "url": f"?tel=0{national}",
    }[writing]
    # Words glued to the number are other text: a space between them, as messages have.
    text = f"{before} {written} {after}"
    masked = mask_numbers(text)
    assert len(masked) == len(text)
    # At the number's own place (the words around it may hold the same digits by chance).
    start = len(before) + 1
    assert not leaks(masked[start : start + len(written)], national[1:-2])
    assert mask_numbers(masked) == masked


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([1, 2, 3, 4, 5, 6, 7, 9]),
    st.integers(0, 99_999_999),
    _SEPARATORS,
    st.lists(st.booleans(), min_size=9, max_size=9),  # where it goes: grouped in any way
    # Digits glued before it make another run (`330698765432` has its own test above).
    st.sampled_from(
        [
            *("", "tel", "x_", "%3A", "+", "+999 ", "00 ", "+1 00000 ", "+44 "),
            # other groups of digits before it: a date, a time, a room, a year
            *("le 15 03 2026 ", "01.02.2026 ", "08 00 ", "Bureau 0123 ", "5 ", "2026 "),
        ]
    ),
)
def test_a_french_number_grouped_in_any_way_and_glued_to_anything_is_masked(
    first: int, rest: int, separator: str, cuts: list[bool], before: str
) -> None:
    from smscheck.privacy import mask_numbers

    digits = f"0{first}{rest:08d}"
    pairs = zip(cuts, digits[1:], strict=True)
    written = digits[0] + "".join(separator * cut + digit for cut, digit in pairs)
    text = f"Appelez {before}{written} !"
    start = len("Appelez ") + len(before)  # the run before may hold the same digits
    # A date whose year falls in the number (`5 ` then `06 2026 ...`) is read as a date.
    assume(all(date.end() <= start for date in _DATE.finditer(text, overlapped=True)))
    masked = mask_numbers(text)
    assert len(masked) == len(text)
    assert not leaks(masked[start : start + len(written)], digits[2:-2]), (text, masked)


def test_a_french_number_after_a_short_international_looking_run_is_masked() -> None:
    from smscheck.privacy import mask_numbers

    # Read as one international number, the two runs would have too many digits: the run is
    # masked whole, its leading zeros and the last two digits shown.
    assert mask_numbers("+100000 0698765432 ") == "+100000 06******32 "
    assert mask_numbers("+100000 0100000000") == "+100000 01******00"
    assert mask_numbers("+1 00000 0.286402047") == "+1 00000 0.2******47"
    assert mask_numbers("+33 6 98 76 54 32 12 34") == "+33 6 ** ** ** ** ** 34"
