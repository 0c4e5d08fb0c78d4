"""The 54-recipient example campaign (docs/examples/municipales-54.jsonl) reads in one screen per
template: a heading per template at its line, its message-level findings once, then only the
recipients that need action, and a closing summary table."""

from __future__ import annotations

import re

import pytest

from smscheck.cli import main
from tests.conftest import ROOT

EXAMPLE = ROOT / "docs/examples/municipales-54.jsonl"
SCREEN = 45  # lines: a laptop terminal


def _report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[list[str], list[str]]:
    assert main(["check", str(EXAMPLE), *args]) == 1
    report, summary = capsys.readouterr().out.split("Résumé : ")
    return report.splitlines(), summary.splitlines()


def test_each_template_of_the_example_fits_in_one_screen(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines, _ = _report(capsys)
    headings = [n for n, line in enumerate(lines) if re.match(r"\S+:\d+: modèle ", line)]
    assert [lines[n].split(": modèle ")[1].split(" :")[0] for n in headings] == [
        "rappel-j12",
        "appel-vote",
    ]
    assert headings[0] == 0
    blocks = [
        lines[start:end] for start, end in zip(headings, [*headings[1:], len(lines)], strict=True)
    ]
    assert all(len(block) <= SCREEN for block in blocks), [len(block) for block in blocks]
    finding = re.compile(r"\S+:\d+: [A-Z0-9-]+ ")
    assert all(finding.match(line) or line.startswith(("    ", str(EXAMPLE))) for line in lines)


def test_a_template_fault_is_reported_once_at_the_template_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines, _ = _report(capsys)
    opt_out = [line for line in lines if " CNIL12-OPT-01 " in line]
    assert opt_out == [opt_out[0]] and opt_out[0].startswith(f"{EXAMPLE}:32: CNIL12-OPT-01 ")


def test_the_summary_counts_statuses_rules_and_templates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, summary = _report(capsys)
    assert summary[0] == "54 cas, 2 modèle(s)"
    table = "\n".join(summary)
    assert re.search(r"CNIL12-CON-01 +non conforme +5\b", table)
    assert re.search(r"CNIL12-OPT-01 +non conforme +1\b", table)  # once, not per recipient
    assert re.search(r"municipales-54.jsonl:32 +2 +24 +appel-vote", table)


def test_quiet_and_verbose_give_the_two_ends(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE), "-q"]) == 1
    assert capsys.readouterr().out.startswith("Résumé : 54 cas, 2 modèle(s)")
    assert main(["check", str(EXAMPLE), "--verbose"]) == 1
    assert len(capsys.readouterr().out.splitlines()) > 54 * 10  # every rule of every case
