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
from pathlib import Path
from typing import Any

import phonenumbers
import pytest

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
    """Whether `digits` appear in `text`, even with spaces, dots or dashes between them."""
    return re.search(r"[\s.\-]*".join(digits), text) is not None


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
