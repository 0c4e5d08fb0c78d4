"""Command-line habits: --version, explain, init, rules --at on an uncovered date, -o, -q,
--verbose, colour only on a terminal without NO_COLOR, a progress line that never runs into
the report."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from smscheck.cli import main
from smscheck.packs import load_pack
from smscheck.progress import Progress
from tests.conftest import ROOT

CASE_A = str(ROOT / "seeds/2011-ump-cantonales.json")
CAMPAIGN = str(ROOT / "docs/examples/campaign.jsonl")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
PROGRESS = re.compile(r"\d cas, [\d,]+/s")


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib import metadata

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"smscheck {metadata.version('smscheck')}"


def test_explain_gives_wording_by_status_source_validity_and_two_examples(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["explain", "cnil06-opt-01", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("CNIL06-OPT-01 — cnil-2006 1.0.0")
    for expected in (
        "Checks: The message says how to stop receiving messages.",
        "When it fails: The message does not say how to stop receiving messages.",
        "When a fact is missing: To check: does the message say how to stop",
        "Remedy: Add a simple way to refuse further messages",
        "In force: 2006-10-05 →",
        "Délibération n° 2006-229",
        "Failing example (fail):",
        "Passing example (pass):",
    ):
        assert expected in out, expected


def test_explain_an_unknown_rule_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "NOPE-01"]) == 2
    assert "aucune règle NOPE-01" in capsys.readouterr().err


def test_init_writes_a_campaign_and_a_charter_pack_that_check_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", str(tmp_path)]) == 0
    campaign, pack = tmp_path / "campaign.jsonl", tmp_path / "charter/pack.toml"
    assert "# A starter charter pack" in pack.read_text(encoding="utf-8")
    loaded = load_pack(pack)
    assert loaded.charter and loaded.charter_data is not None and loaded.rules
    capsys.readouterr()
    assert main(["check", str(campaign), "--pack", str(pack)]) == 0
    before = pack.read_bytes()
    assert main(["init", str(tmp_path)]) == 2
    assert "existe déjà" in capsys.readouterr().err
    assert pack.read_bytes() == before


def test_rules_at_a_date_no_pack_covers_says_so_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules", "--at", "1990-01-01", "--lang", "en"]) == 2
    assert "no rule in force on 1990-01-01" in capsys.readouterr().err
    assert main(["rules", "--at", "2026-03-14"]) == 0


def test_output_file_gets_the_report_and_standard_output_stays_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.json"
    assert main(["check", CASE_A, "--format", "json", "-o", str(target)]) == 1
    assert capsys.readouterr().out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["status"] == "fail"


def test_quiet_prints_the_summary_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", CAMPAIGN, "-q"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Résumé : 4 cas")
    assert "docs/examples/campaign.jsonl:4: " not in out  # no finding line


def test_default_text_shows_findings_and_verbose_every_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["check", CAMPAIGN])
    default = capsys.readouterr().out
    main(["check", CAMPAIGN, "--verbose"])
    verbose = capsys.readouterr().out
    assert not re.search(r"\d: [A-Z0-9-]+ conforme", default)  # passing rules are not listed
    assert "CNIL12-ID-01 conforme" in verbose
    assert (
        ":4: CNIL12-CON-01 non conforme" in default and ":4: CNIL12-CON-01 non conforme" in verbose
    )


def _on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """The command's output as a terminal shows it (stdout and stderr both on a pty)."""
    controller, terminal = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "smscheck.cli", *args],
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
        env=env,
        check=False,
        timeout=120,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert done.returncode in (0, 1)
    return b"".join(chunks).decode()


def _terminal_env(**changes: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI")}
    return {**env, "TERM": "xterm", **changes}


def test_colour_on_a_terminal_and_none_with_no_color_or_when_piped() -> None:
    shown = _on_a_terminal("check", CAMPAIGN, env=_terminal_env())
    assert ANSI.search(shown)
    assert not ANSI.search(_on_a_terminal("check", CAMPAIGN, env=_terminal_env(NO_COLOR="1")))
    piped = subprocess.run(
        [sys.executable, "-m", "smscheck.cli", "check", CAMPAIGN],
        capture_output=True,
        text=True,
        env=_terminal_env(),
        check=False,
    )
    assert piped.stdout and not ANSI.search(piped.stdout + piped.stderr)


def test_the_progress_line_is_cleared_before_the_report_is_written(tmp_path: Path) -> None:
    lines = Path(CAMPAIGN).read_text(encoding="utf-8").splitlines()
    big = tmp_path / "big.jsonl"
    big.write_text("\n".join([lines[0], *(lines[1:] * 1500)]) + "\n", encoding="utf-8")
    shown = ANSI.sub("", _on_a_terminal("check", str(big), "-q", env=_terminal_env()))
    assert PROGRESS.search(shown)  # the progress line was drawn
    for line in shown.replace("\r\n", "\n").split("\n"):
        visible = line.split("\r")[-1]  # what stays on screen after carriage returns
        assert not PROGRESS.search(visible), line  # erased, not left before the output


def test_progress_erases_its_line_and_writes_nothing_off_a_terminal() -> None:
    screen = io.StringIO()
    progress = Progress(screen, 100, "en")
    progress.advance(10, 50)
    assert "10 cases" in screen.getvalue()
    drawn = screen.getvalue()
    progress.clear()
    assert screen.getvalue() == drawn + "\r" + " " * len(drawn) + "\r"  # blanked, cursor home
    piped = io.StringIO()
    Progress.for_stream(piped, 100).advance(10, 50)
    assert piped.getvalue() == ""
