"""The campaign benchmark keeps working as the code changes: its generator writes what smscheck
reads, its memory figure counts every process, and the harness runs end to end at a tiny size."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench import bench_campaign, campaigns, floor, processes
from smscheck.chunking import CHUNK_LINES
from smscheck.inputs import LineReader, is_template_line, read_lines
from smscheck.models import Relationship


def _cases_and_errors(path: Path) -> tuple[list[object], int]:
    with path.open("rb") as handle:
        items = list(read_lines(str(path), handle))
    return [item.case for item in items if item.case is not None], sum(
        item.error is not None for item in items
    )


@pytest.mark.parametrize("scenario", ["realistic", "single"])
def test_realistic_campaign_is_refused_exactly_on_its_bad_lines(
    tmp_path: Path, scenario: str
) -> None:
    written = campaigns.write_jsonl(tmp_path / "c.jsonl", scenario, 1500, seed=3)
    cases, errors = _cases_and_errors(written.path)
    assert written.bad > 0
    assert errors == written.bad
    assert len(cases) == written.lines - written.bad


def test_realistic_campaign_has_the_variety_of_a_crm_export(tmp_path: Path) -> None:
    written = campaigns.write_jsonl(tmp_path / "c.jsonl", "realistic", 1500, seed=3)
    cases, _ = _cases_and_errors(written.path)
    recipients = [case.recipient for case in cases]  # type: ignore[attr-defined]
    assert {r.relationship for r in recipients} == set(Relationship)
    assert len({r.consent.given_on for r in recipients if r.consent}) > 100
    assert any(not r.number.startswith("+33") for r in recipients)  # overseas
    assert any(r.history for r in recipients)
    assert len({case.message.body for case in cases}) > 300  # type: ignore[attr-defined]
    assert written.templates == 3
    text = written.path.read_text(encoding="utf-8")
    assert '"06 ' in text and '"+33 ' in text and '"0033' in text  # number writings


def test_a_single_template_campaign_spreads_its_merged_bodies_over_the_whole_file(
    tmp_path: Path,
) -> None:
    written = campaigns.write_jsonl(tmp_path / "c.jsonl", "single", 1500, seed=3)
    cases, _ = _cases_and_errors(written.path)
    bodies = [case.message.body for case in cases]  # type: ignore[attr-defined]
    assert written.templates == 1
    half = len(bodies) // 2
    assert len(set(bodies[:half]) & set(bodies[half:])) > 100  # met by either half of the file


def test_floor_refuses_no_good_line(tmp_path: Path) -> None:
    written = campaigns.write_jsonl(tmp_path / "c.jsonl", "realistic", 800, seed=5)
    lines, refused, _ = floor.validate_file(str(written.path))
    assert lines == written.lines
    assert 0 < refused <= written.bad


def test_peak_memory_counts_the_children_of_the_command(tmp_path: Path) -> None:
    script = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    block = bytearray(80 * 1024 * 1024); time.sleep(0.5); os._exit(0)\n"
        "os.wait()\n"
    )
    done = processes.run([sys.executable, "-c", script], tmp_path / "out", watch=True)
    assert done.returncode == 0
    assert done.processes == 2
    assert done.peak_mib > 80
    assert 80 < done.pss_sum_mib <= done.rss_sum_mib + 1  # the block is the child's alone


def test_a_timed_run_is_not_watched_but_still_knows_its_largest_process(tmp_path: Path) -> None:
    script = "block = bytearray(60 * 1024 * 1024)\n"
    done = processes.run([sys.executable, "-c", script], tmp_path / "out", watch=False)
    assert done.returncode == 0 and done.seconds > 0 and done.cpu_seconds > 0
    assert done.processes == 1 and done.pss_sum_mib == 0  # nothing sampled
    assert done.peak_mib > 60  # from wait4


def test_the_benchmarks_own_memory_is_never_counted_as_the_commands(tmp_path: Path) -> None:
    # Linux carries a process's peak over exec: started from this process, the command would
    # begin with this process's peak, which wait4 would then report as its own.
    block = bytearray(b"\1") * (200 * 1024 * 1024)  # written: resident here
    for watch in (False, True):
        done = processes.run([sys.executable, "-c", "pass"], tmp_path / "out", watch=watch)
        assert done.returncode == 0
        assert done.peak_mib < 100 and done.rss_sum_mib < 100
    assert block[-1] == 1


def test_a_command_that_cannot_start_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="could not be started"):
        processes.run([str(tmp_path / "no-such-command")], tmp_path / "out", watch=False)


HELP_WITHOUT_JOBS = """usage: smscheck check [-h] [--format {json,text}] [--only-problems] FILE
options:
  --format {json,text}
  --only-problems       omit cases that pass
"""


def test_an_option_the_cli_lacks_is_named() -> None:
    cli = bench_campaign.Cli.from_help("smscheck", HELP_WITHOUT_JOBS)
    cli.require(("--format", "json", "--only-problems"))
    with pytest.raises(bench_campaign.BenchError, match=r"--jobs, --format sarif"):
        cli.require(("--format", "sarif", "--jobs", "2"))


def test_a_missing_option_stops_the_run_with_a_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = bench_campaign.Cli.from_help("smscheck", HELP_WITHOUT_JOBS)
    monkeypatch.setattr(bench_campaign.Cli, "find", classmethod(lambda cls: cli))
    assert bench_campaign.main(["--sizes", "10", "--commands", "sarif"]) == 2
    assert capsys.readouterr().err.startswith("bench: error: `smscheck check` has no --jobs")


def _recipient_lines(path: Path) -> list[bytes]:
    lines = path.read_bytes().splitlines()
    return [
        line
        for number, line in enumerate(lines, start=1)
        if not (is_template_line(line) and LineReader.changes_template(number, line))
    ]


def test_halves_hold_the_recipient_lines_in_order_each_under_its_template(
    tmp_path: Path,
) -> None:
    written = campaigns.write_jsonl(tmp_path / "c.jsonl", "realistic", 1500, seed=3)
    halves = bench_campaign.split_in_halves(written.path)
    first, second = (_recipient_lines(half) for half in halves)
    assert first + second == _recipient_lines(written.path)
    assert abs(len(first) - len(second)) <= 1
    whole_cases, whole_errors = _cases_and_errors(written.path)
    read = [_cases_and_errors(half) for half in halves]
    bodies = [case.message.body for found, _ in read for case in found]  # type: ignore[attr-defined]
    assert bodies == [case.message.body for case in whole_cases]  # type: ignore[attr-defined]
    assert sum(errors for _, errors in read) == whole_errors


def _sections(path: Path) -> list[tuple[bytes, list[bytes]]]:
    """Each template line of the file with the lines after it, up to the next one."""
    found: list[tuple[bytes, list[bytes]]] = []
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        if is_template_line(line) and LineReader.changes_template(number, line):
            found.append((line, []))
        else:
            found[-1][1].append(line)
    return found


def test_the_doubled_campaign_holds_each_templates_recipient_lines_twice_under_it(
    tmp_path: Path,
) -> None:
    written = campaigns.write_jsonl(tmp_path / "c.jsonl", "realistic", 300, seed=5)
    twice, second = bench_campaign.doubled(written.path)
    once = _sections(written.path)
    assert len(once) > 1
    assert _sections(twice) == [(template, lines + lines) for template, lines in once]
    lines = twice.read_bytes().splitlines()
    assert [lines[copy.start - 1 : copy.stop - 1] for copy in second] == [r for _, r in once]
    cases, errors = _cases_and_errors(written.path)
    twice_cases, twice_errors = _cases_and_errors(twice)
    assert (len(twice_cases), twice_errors) == (2 * len(cases), 2 * errors) != (0, 0)


def test_seen_again_times_first_and_second_copies_apart(tmp_path: Path) -> None:
    written = campaigns.write_jsonl(tmp_path / "c.jsonl", "single", 2000, seed=5)
    found = bench_campaign.child_seen_again(str(written.path), "sarif")
    assert found["first_lines"] + found["second_lines"] == 2 * 2000 + 1  # and the template line
    assert found["second_lines"] >= 2000 - CHUNK_LINES  # a chunk may straddle
    assert found["first_seconds"] > 0 and found["second_seconds"] > 0
    assert not (tmp_path / "c-twice.jsonl").exists()  # the doubled file is removed


def test_benchmark_runs_end_to_end_at_a_tiny_size(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--sizes", "40", "--scenarios", "realistic", "--commands", "only-problems"]
    argv += ["--jobs", "1", "2", "--library-cases", "20", "--loop", "1000"]
    assert bench_campaign.main(argv) == 0
    out = capsys.readouterr().out
    assert "x for 2 processes" in out
    assert "floor (plain Pydantic, in-process)" in out
    two_jobs = next(
        line for line in out.splitlines() if line.startswith("--format json --only-problems     2")
    )
    assert float(two_jobs.split()[-1]) > 0  # two one-job runs on the halves, the reference
    assert "seen again (--format json --only-problems" in out
    assert "library on 20 valid cases" in out


def test_the_instruction_count_says_plainly_when_valgrind_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from bench import instructions

    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert instructions.main(["--lines", "10"]) == 2
    assert "valgrind is not installed" in capsys.readouterr().err


def test_an_instruction_count_runs_the_root_it_names_from_the_repository_folder(
    tmp_path: Path,
) -> None:
    import subprocess

    from bench.instructions import rooted

    (tmp_path / "smscheck").mkdir()
    (tmp_path / "smscheck" / "__init__.py").write_text("")
    command, env = rooted(tmp_path, "import smscheck; print(smscheck.__file__)")
    repository = Path(__file__).resolve().parent.parent  # holds a smscheck of its own
    done = subprocess.run(command, env=env, cwd=repository, capture_output=True, text=True)
    assert Path(done.stdout.strip()).parent == tmp_path / "smscheck"
