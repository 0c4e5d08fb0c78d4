"""Campaign files (TOML) and CSV recipients: templates checked as they are, then each filled for
every row of a spreadsheet export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smscheck.cli import main
from smscheck.inputs import InputError, read
from smscheck.inputs.csv_file import CsvOptions, fold, read_rows

BODY = (
    "Lyon Avenir : bonjour {prenom}, dimanche 15 mars, votez Marie Dupont ! Vos coordonnées "
    "proviennent de notre fichier d'adhérents. Infos et droits : "
    "https://exemple.fr/campagne/donnees STOP au 36111"
)
CAMPAIGN = f'''
[campaign]
sender_kind = "candidate"
names = ["Marie Dupont", "Lyon Avenir"]
info_notice_url = "https://exemple.fr/campagne/donnees"

[campaign.election]
kind = "municipal"
rounds = [{{ polling_date = 2026-03-15 }}]

[message]
sender = "LYONAVENIR"
send_at = 2026-03-03T10:00:00+01:00

[[templates]]
id = "invitation"
body = """{BODY}"""

[[templates]]
id = "relance"
send_at = 2026-03-10T18:00:00+01:00
body = """{BODY.replace(" STOP au 36111", "")}"""
'''
FIRST, SECOND = (n for n, line in enumerate(CAMPAIGN.splitlines(), 1) if line == "[[templates]]")
HEADER = "Téléphone;Prénom;Origine;relation;Responsable\n"
ROWS = [
    "06 12 34 56 78;Zoé;party_member_file;member;sender\n",
    "06 12 34 56 79;Léa;rented_file;prospect;\n",
]


def write(tmp_path: Path, campaign: str = CAMPAIGN, rows: str | bytes | None = None) -> Path:
    path = tmp_path / "campaign.toml"
    path.write_text(campaign, encoding="utf-8")
    if rows is not None:
        contacts = tmp_path / "contacts.csv"
        if isinstance(rows, str):
            contacts.write_text(rows, encoding="utf-8")
        else:
            contacts.write_bytes(rows)
    return path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]]]:
    code = main(["check", *args, "--format", "json", "--lang", "en", "--isolated"])
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_a_campaign_file_alone_lints_each_template_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path)
    code, out = run_json(capsys, str(path))
    assert code == 1  # the reminder has no opt-out
    assert [(line["template"], line["source"], line["status"]) for line in out] == [
        ("invitation", f"{path}:{FIRST}", "pass"),
        ("relance", f"{path}:{SECOND}", "fail"),
    ]
    assert out[1]["resolved_at"] == "2026-03-10"  # the template's own send time


def test_a_campaign_file_with_csv_recipients_checks_each_template_for_each_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, rows=HEADER + "".join(ROWS))
    code, out = run_json(capsys, str(path), "--recipients", str(tmp_path / "contacts.csv"))
    assert code == 1
    sources = [line["source"] for line in out]
    csv = tmp_path / "contacts.csv"
    assert sources == [
        f"{path}:{FIRST}",
        f"{csv}:2",
        f"{csv}:3",
        f"{path}:{SECOND}",
        f"{csv}:2",
        f"{csv}:3",
    ]
    rented = {v["rule_id"]: v["status"] for v in out[2]["verdicts"]}
    assert rented["CNIL12-CON-01"] == "fail" and out[1]["status"] == "pass"
    assert out[4]["template"] == f"{path}:{SECOND}" and out[4]["status"] == "fail"


def test_a_bad_row_is_reported_once_at_its_line_and_the_rest_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = HEADER + ROWS[0] + "pas un numéro;X;party_member_file;member;sender\n" + ROWS[1]
    path = write(tmp_path, rows=rows)
    code, out = run_json(capsys, str(path), "--recipients", str(tmp_path / "contacts.csv"))
    assert code == 2
    errors = [line for line in out if "error" in line]
    assert [line["source"] for line in errors] == [f"{tmp_path / 'contacts.csv'}:3"]
    assert "number (column 'Téléphone')" in errors[0]["error"]
    assert sum("recipient" in line for line in out) == 4  # two good rows, two templates


def test_a_windows_export_with_a_bom_or_in_cp1252_is_read(tmp_path: Path) -> None:
    text = HEADER + ROWS[0]
    for data in (b"\xef\xbb\xbf" + text.encode(), text.encode("cp1252")):
        path = tmp_path / "contacts.csv"
        path.write_bytes(data)
        [row] = read_rows(str(path), CsvOptions())
        assert row.line is not None and row.line.merge["prenom"] == "Zoé"
        assert row.line.number == "+33612345678"


def test_comma_and_tab_delimiters_are_detected_and_a_chosen_one_is_used(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    for delimiter in (",", "\t"):
        path.write_text(f"phone{delimiter}first_name\n0612345678{delimiter}Zoé\n")
        [row] = read_rows(str(path), CsvOptions())
        assert row.line is not None and row.line.merge["prenom"] == "Zoé"
    path.write_text("phone;first_name\n0612345678;Zoé\n")
    with pytest.raises(InputError, match="no column for the recipient's number"):
        list(read_rows(str(path), CsvOptions(delimiter=",")))  # one column, "phone;first_name"


def test_a_column_option_names_a_header_the_defaults_do_not_know(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, rows="Mobile perso;Prénom usuel\n0612345678;Zoé\n")
    contacts = str(tmp_path / "contacts.csv")
    code, out = run_json(capsys, str(path), "--recipients", contacts)
    assert code == 2 and "no value for {prenom}" in out[1]["error"]  # mobile found, prenom not
    code, out = run_json(
        capsys, str(path), "--recipients", contacts, "--column", "prenom=Prénom usuel"
    )
    assert [line.get("error") for line in out] == [None] * 4


def test_a_csv_without_a_number_column_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, rows="Nom;Prénom\nDupont;Zoé\n")
    code, out = run_json(capsys, str(path), "--recipients", str(tmp_path / "contacts.csv"))
    assert code == 2
    [error] = [line for line in out if "error" in line]
    assert "no column for the recipient's number" in error["error"]


def test_recipients_need_a_campaign_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "seeds/2011-ump-cantonales.json", "--recipients", "x.csv"]) == 2
    assert "campaign files" in capsys.readouterr().err


def test_a_template_without_a_send_time_names_the_missing_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, CAMPAIGN.replace("send_at = 2026-03-03T10:00:00+01:00\n", ""))
    code, out = run_json(capsys, str(path))
    assert code == 2 and "no send_at for template invitation" in out[0]["error"]


def test_the_campaign_schema_describes_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--campaign"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"campaign", "message", "templates", "recipients"} <= set(schema["properties"])


def test_read_gives_the_templates_of_a_campaign_file(tmp_path: Path) -> None:
    items = list(read(str(write(tmp_path))))
    assert [item.template.id for item in items if item.template] == ["invitation", "relance"]


@given(st.text(min_size=1, max_size=30))
def test_folding_a_header_is_stable(header: str) -> None:
    assert fold(fold(header)) == fold(header)
