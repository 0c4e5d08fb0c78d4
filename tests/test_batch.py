"""Batch checks: streaming JSON Lines with campaign templates, bad lines, and --jobs."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from itertools import accumulate
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.campaigns import generate, write_jsonl
from smscheck.cli import main
from smscheck.formatters import FORMATTERS

TEMPLATE = {
    "template": {
        "message": {
            "sender": "36111",
            "body": "Bonjour {prenom}, votez Marie Dupont dimanche ! Infos : https://exemple.fr/donnees STOP au 36111",
            "send_at": "2011-03-16T14:00:00+01:00",
        },
        "campaign": {
            "sender_kind": "candidate",
            "names": ["Marie Dupont"],
            "election": {"kind": "municipal", "rounds": [{"polling_date": "2011-03-20"}]},
            "info_notice_url": "https://exemple.fr/donnees",
        },
    }
}


def recipient(index: int) -> str:
    line = {
        "number": f"+3361234{index:04d}",
        "relationship": "member",
        "origin": "party_member_file",
        "controller": "sender",
    }
    return json.dumps({**line, "merge": {"prenom": "Zoé"}}, ensure_ascii=False)


def test_bad_lines_in_the_middle_are_reported_and_every_good_line_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [json.dumps(TEMPLATE, ensure_ascii=False)]
    bad = {
        5: "{broken",
        9: '{"number": "+33612345678", "origin": "moon"}',
        12: '{"number": "not a number"}',
    }
    for number in range(2, 16):
        lines.append(bad.get(number, recipient(number)))
    path = tmp_path / "campaign.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["check", str(path), "--format", "json", "--lang", "en"]) == 2
    captured = capsys.readouterr()
    out = [json.loads(line) for line in captured.out.splitlines()]
    errors = {
        int(item["source"].rsplit(":", 1)[1]): item["error"] for item in out if "error" in item
    }
    reports = [item for item in out if "recipient" in item]
    assert out[0]["kind"] == "template" and out[0]["source"] == f"{path}:1"
    assert set(errors) == set(bad)
    assert "recipient.origin" not in errors[9] and "origin" in errors[9]
    assert len(reports) == 14 - len(bad)
    assert [r["source"].rsplit(":", 1)[1] for r in reports] == [
        str(n) for n in range(2, 16) if n not in bad
    ]
    assert "3 input error(s)" in captured.err


def test_a_personalised_body_is_checked_with_its_merge_fields_filled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_name = json.dumps({**json.loads(recipient(2)), "merge": {"prenom": "Zoé" * 150}})
    path = tmp_path / "campaign.jsonl"
    path.write_text("\n".join([json.dumps(TEMPLATE), recipient(1), long_name]) + "\n")
    main(["check", str(path), "--format", "json", "--lang", "en"])
    template, short, long = map(json.loads, capsys.readouterr().out.splitlines())
    spans = [span["text"] for verdict in template["verdicts"] for span in verdict["evidence"]]
    assert "Marie Dupont" in spans
    assert short["recipient"] == "+33 6 ** ** ** 01" and short["template"] == f"{path}:1"
    # The filled body of the long name needs more parts: only there does FMT-LEN-01 differ.
    assert "FMT-LEN-01" not in [v["rule_id"] for v in short["verdicts"]]
    [length] = [v for v in long["verdicts"] if v["rule_id"] == "FMT-LEN-01"]
    assert length["status"] == "warn" and long["status"] == "warn"


def test_jobs_output_is_identical_to_single_process_output(tmp_path: Path) -> None:
    path = tmp_path / "campaign.jsonl"
    generate(path, 5000)

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        command = [
            sys.executable,
            "-m",
            "smscheck.cli",
            "check",
            str(path),
            "--format",
            "json",
            *extra,
        ]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    single, double = run(), run("--jobs", "2")
    assert single.returncode == double.returncode == 2  # the generator writes 1% bad lines
    assert single.stdout == double.stdout
    assert single.stderr == double.stderr
    assert len(single.stdout.splitlines()) == 5000 + 2  # the two templates' reports


def test_only_problems_leaves_out_the_cases_that_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "campaign.jsonl"
    path.write_text(json.dumps(TEMPLATE) + "\n" + recipient(1) + "\n" + "{bad\n", encoding="utf-8")
    main(["check", str(path), "--format", "json", "--only-problems"])
    out = capsys.readouterr().out.splitlines()
    assert all("error" in json.loads(line) or json.loads(line)["status"] != "pass" for line in out)


def _run_cut(path: Path, size: int) -> list[str]:
    """Errors and sources of a batch run with chunks of `size` lines, in order."""
    from smscheck.batch import LOSSLESS, Settings, _Worker
    from smscheck.chunking import chunks

    worker = _Worker(Settings(fmt="json", lang="en"))
    with path.open("rb") as handle:
        rendered = "".join(
            worker.run_chunk(chunk).text(LOSSLESS) for chunk in chunks(str(path), handle, size)
        )
    return [_summary_of(json.loads(line)) for line in rendered.splitlines()]


def _summary_of(line: dict[str, str]) -> str:
    if "error" in line:
        return line["error"]
    if line.get("kind") == "template":
        return f"template {line['source']}"
    return f"{line['source']} (template {line['template']})"


@pytest.mark.parametrize("size", [1, 2, 3, 2000])
def test_each_template_is_reported_once_at_its_line_whatever_the_chunks(
    tmp_path: Path, size: int
) -> None:
    path = tmp_path / "campaign.jsonl"
    lines = [json.dumps(TEMPLATE), recipient(1), recipient(2), json.dumps(TEMPLATE)]
    path.write_text("\n".join(lines) + "\n")
    assert _run_cut(path, size) == [
        f"template {path}:1",
        f"{path}:2 (template {path}:1)",
        f"{path}:3 (template {path}:1)",
        f"template {path}:4",  # a template with no recipient after it: checked alone
    ]


# What each kind of line is, for the property below: good and bad templates, recipients.
_LINES = {
    "template": json.dumps(TEMPLATE),
    "plain template": json.dumps(TEMPLATE).replace("Bonjour {prenom}", "Bonjour"),
    "template not JSON": '{"template": {"message": ',
    "template not a template": '{"template": {"message": {}}}',
    "template after a byte order mark": "\ufeff" + json.dumps(TEMPLATE),
    "recipient": recipient(1),
    "recipient named template": recipient(2).replace("Zoé", "template"),
    "recipient without merge fields": recipient(3).replace(', "merge": {"prenom": "Zoé"}', ""),
    "blank": "",
}


@settings(max_examples=60, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(sorted(_LINES)), min_size=1, max_size=10),
    size=st.integers(min_value=1, max_value=4),
)
def test_chunks_read_as_the_whole_file_whatever_the_cut_and_the_workers(
    tmp_path_factory: pytest.TempPathFactory, kinds: list[str], size: int
) -> None:
    # --jobs changed results: after an unparseable template line, a chunk reused the template
    # before it (--jobs 1: 6,000 errors; --jobs 2: 2,000 passes; --jobs 4: 4,002 passes).
    from smscheck.batch import LOSSLESS, Settings, _Worker
    from smscheck.chunking import chunks
    from smscheck.inputs import read_lines

    path = tmp_path_factory.mktemp("cut") / "campaign.jsonl"
    path.write_bytes("".join(_LINES[kind] + "\n" for kind in kinds).encode())
    whole = _Worker(Settings(fmt="json")).run(read_lines(str(path), path.open("rb"))).text(LOSSLESS)
    with path.open("rb") as handle:
        cut = list(chunks(str(path), handle, size))
    one = _Worker(Settings(fmt="json"))  # --jobs 1: one worker, chunk after chunk
    two = [_Worker(Settings(fmt="json")) for _ in range(2)]  # --jobs 2: chunks alternate
    assert "".join(one.run_chunk(chunk).text(LOSSLESS) for chunk in cut) == whole
    assert (
        "".join(two[i % 2].run_chunk(chunk).text(LOSSLESS) for i, chunk in enumerate(cut)) == whole
    )


_PARTED_LINES = {
    **_LINES,
    "recipient Léo": recipient(4).replace("Zoé", "Léo"),
    "recipient Inès, a problem": recipient(5).replace("Zoé", "Inès").replace("member", "prospect"),
    "not JSON": '{"number": ',
}


@settings(max_examples=60, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(sorted(_PARTED_LINES)), min_size=1, max_size=14),
    size=st.integers(min_value=1, max_value=6),
    jobs=st.integers(min_value=2, max_value=3),
    endless=st.booleans(),
)
def test_parts_of_chunks_join_to_what_one_reader_gives_whatever_the_cut_and_the_workers(
    tmp_path_factory: pytest.TempPathFactory, kinds: list[str], size: int, jobs: int, endless: bool
) -> None:
    from dataclasses import replace

    from smscheck.batch import LOSSLESS, Settings, _joined, _Worker
    from smscheck.chunking import chunks
    from smscheck.formatters import Summary

    path = tmp_path_factory.mktemp("parts") / "campaign.jsonl"
    path.write_text("".join(_PARTED_LINES[kind] + "\n" for kind in kinds))
    one = _Worker(Settings(fmt="json"))
    with path.open("rb") as handle:
        cut = list(chunks(str(path), handle, size, workers=jobs))
    if endless:  # as a line with no end stops the reading (too long to write here)
        cut[-1] = replace(cut[-1], error="a line with no end")
    whole, whole_summary = "", Summary()
    for chunk in cut:
        done = one.run_chunk(chunk)
        whole += done.text(LOSSLESS)
        whole_summary.merge(done.summary)
    workers = [_Worker(Settings(fmt="json")) for _ in range(jobs)]
    joined, summary = "", Summary()
    for chunk in cut:
        parts = [workers[p].run_chunk(replace(chunk, part=p, parts=jobs)) for p in range(jobs)]
        done = _joined(parts)
        joined += done.text(LOSSLESS)
        summary.merge(done.summary)
    assert joined == whole
    assert summary.text("en") == whole_summary.text("en")


@pytest.mark.parametrize("jobs", ["1", "2", "4"])
def test_recipients_after_an_unparseable_template_line_are_errors_whatever_the_jobs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    lines = [json.dumps(TEMPLATE), recipient(1), '{"template": {"message": ']
    lines += [recipient(index) for index in range(5999)]
    path = tmp_path / "campaign.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["check", str(path), "--jobs", jobs, "--format", "json", "--lang", "en"]) == 2
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    errors = [line.get("error") for line in out]
    assert errors.count("follows the invalid template of line 3") == 5999
    assert [
        line["source"] for line in out if "status" in line and line.get("kind") != "template"
    ] == [f"{path}:2"]


def test_a_chunk_long_enough_ends_before_a_template_line_and_a_short_one_does_not(
    tmp_path: Path,
) -> None:
    from smscheck.chunking import ALIGNED_LINES, chunks

    path = tmp_path / "campaign.jsonl"
    runs = [ALIGNED_LINES, 3, ALIGNED_LINES + 5]  # recipients under each of three templates
    lines = [line for run in runs for line in [json.dumps(TEMPLATE), *map(recipient, range(run))]]
    path.write_text("\n".join(lines) + "\n")
    with path.open("rb") as handle:
        cut = [(chunk.first_line, chunk.count) for chunk in chunks(str(path), handle)]
    # The second template's run is too short to stand alone: it goes with the third's start.
    assert cut == [(1, ALIGNED_LINES + 1), (ALIGNED_LINES + 2, len(lines) - ALIGNED_LINES - 1)]
    assert cut[-1][0] + cut[-1][1] - 1 == len(lines)


@pytest.fixture(scope="module")
def three_chunks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("chunks") / "campaign.jsonl"
    generate(path, 4500)  # several chunks, two templates, 1% bad lines
    return path


def test_chunks_for_workers_shorten_near_the_end_and_cover_every_line_once(
    three_chunks: Path,
) -> None:
    from smscheck.chunking import TAIL_LINES, chunks

    size = 2000
    with three_chunks.open("rb") as handle:
        cut = list(chunks(str(three_chunks), handle, size=size, workers=2))
    lines = three_chunks.read_bytes().splitlines(keepends=True)
    assert [chunk.first_line for chunk in cut] == [
        1 + sum(chunk.count for chunk in cut[:index]) for index in range(len(cut))
    ]
    assert sum(chunk.count for chunk in cut) == len(lines)
    assert [len(b"".join(lines[: c.first_line - 1])) for c in cut] == [c.offset for c in cut]
    counts = [chunk.count for chunk in cut]
    # 4,500 lines in chunks of up to 2,000: the first is a quarter of them, the next shorter.
    assert counts[0] < size and counts[-2] < counts[0] // 2
    assert min(counts[:-1]) >= TAIL_LINES


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder temporary files go to, in this process and the workers it forks."""
    import tempfile

    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture(scope="module")
def one_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Realistic recipients under one template: its chunks go to both workers, by merge fields."""
    path = tmp_path_factory.mktemp("single") / "campaign.jsonl"
    write_jsonl(path, "single", 3000)  # 1% bad lines
    return path


@pytest.mark.parametrize("campaign", ["three_chunks", "one_template"])
@pytest.mark.parametrize(
    "options",
    [("--format", name) for name in sorted(FORMATTERS)]
    + [("--format", "json", "--only-problems"), ("--format", "sarif", "--only-problems")],
)
def test_two_jobs_write_the_same_file_as_one_and_leave_no_temporary_file(
    request: pytest.FixtureRequest,
    private_tmp: Path,
    tmp_path: Path,
    options: tuple[str, ...],
    campaign: str,
) -> None:
    path = str(request.getfixturevalue(campaign))
    single, double = tmp_path / "single", tmp_path / "double"
    assert main(["check", path, *options, "-o", str(single)]) == 2
    assert main(["check", path, *options, "-o", str(double), "--jobs", "2"]) == 2
    assert single.read_bytes() == double.read_bytes()
    assert single.stat().st_size > 0
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_two_jobs_write_what_one_does_on_an_output_whose_encoding_marks_its_start(
    three_chunks: Path, tmp_path: Path, encoding: str
) -> None:
    # Workers' files copied byte for byte each began with a byte order mark.
    def run(jobs: str) -> bytes:
        command = [sys.executable, "-m", "smscheck.cli", "check", str(three_chunks)]
        environment = {**os.environ, "PYTHONIOENCODING": encoding, "TMPDIR": str(tmp_path)}
        done = subprocess.run(
            [*command, "--jobs", jobs], capture_output=True, check=False, env=environment
        )
        assert done.returncode == 2
        return done.stdout

    single = run("1")
    assert single.decode(encoding).count("\ufeff") == 0  # one mark, at the start only
    assert run("2") == single


def test_workers_encode_as_the_output_does_on_a_terminal_without_utf_8(
    three_chunks: Path, tmp_path: Path
) -> None:
    # Workers' files are copied byte for byte: they must escape what ASCII lacks as stdout does.
    def run(jobs: str) -> bytes:
        command = [sys.executable, "-m", "smscheck.cli", "check", str(three_chunks)]
        environment = {**os.environ, "PYTHONIOENCODING": "ascii", "TMPDIR": str(tmp_path)}
        done = subprocess.run(
            [*command, "--jobs", jobs], capture_output=True, check=False, env=environment
        )
        assert done.returncode == 2
        return done.stdout

    single = run("1")
    assert b"\\xe9" in single  # é, escaped
    assert run("2") == single
    assert list(tmp_path.iterdir()) == []


def whole_case(index: int) -> str:
    """A line that is a case of its own, outside any campaign template."""
    template = json.loads(json.dumps(TEMPLATE["template"]))
    template["message"]["body"] = template["message"]["body"].replace("{prenom}", "Zoé")
    line = json.loads(recipient(index))
    del line["merge"]
    return json.dumps({"recipient": line, **template})


@pytest.fixture(scope="module")
def whole_cases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cases") / "cases.jsonl"
    path.write_text("".join(whole_case(index) + "\n" for index in range(1500)))
    return path


def test_a_chunk_file_lasts_until_the_next_is_asked_for_and_the_folder_goes_on_close(
    whole_cases: Path, private_tmp: Path
) -> None:
    from smscheck.batch import Settings, run

    results = run([str(whole_cases)], Settings(fmt="json"), None, jobs=2)
    first = next(results)
    assert first.path is not None and Path(first.path).parent.parent == private_tmp
    counted = first.summary.cases + first.summary.errors + first.summary.templates
    assert first.text(Settings().encoding).count("\n") == counted > 0  # a line per result
    second = next(results)
    assert not Path(first.path).exists() and second.path is not None
    results.close()  # e.g. the output failed, or Ctrl-C: the rest is not read
    assert list(private_tmp.iterdir()) == []


def test_the_parts_of_a_campaign_chunk_come_back_joined_their_files_gone(
    one_template: Path, private_tmp: Path
) -> None:
    from smscheck.batch import Settings, run

    results = run([str(one_template)], Settings(fmt="json"), None, jobs=2)
    first = next(results)
    assert first.path is None  # both workers' parts, read back and joined in line order
    counted = first.summary.cases + first.summary.errors + first.summary.templates
    lines = first.text(Settings().encoding).splitlines()
    assert len(lines) == counted > 0
    assert json.loads(lines[0])["kind"] == "template"
    results.close()
    assert list(private_tmp.iterdir()) == []


def _tasks_of(path: Path, lines: list[str], jobs: int) -> list[tuple[int, int, int | None]]:
    """Each task's first line, its part's number of parts, and the worker it is given to, for
    a file of `lines` cut in chunks of 50."""
    from smscheck.chunking import chunks, worker_tasks

    path.write_text("".join(line + "\n" for line in lines))
    with path.open("rb") as handle:
        work = list(chunks(str(path), handle, 50))
    tasks, _, given = worker_tasks(work, jobs)
    return [(task.first_line, task.parts, owner) for task, owner in zip(tasks, given, strict=True)]


def test_a_template_the_shares_would_spread_is_parted_and_one_within_a_share_is_not(
    tmp_path: Path,
) -> None:
    cases = [whole_case(index) for index in range(200)]
    campaign = [json.dumps(TEMPLATE), *(recipient(index) for index in range(199))]
    # Whole cases, then a campaign as long: the shares are cut where the template begins.
    assert {parts for _, parts, _ in _tasks_of(tmp_path / "a.jsonl", cases + campaign, 2)} == {1}
    # A campaign alone: the cut falls within it, so each of its chunks is a part per worker.
    tasks = _tasks_of(tmp_path / "b.jsonl", campaign, 2)
    assert [parts for _, parts, _ in tasks] == [2] * len(tasks)
    assert [first for first, _, _ in tasks[:8]] == sorted(2 * list(range(1, 201, 50)))
    assert [owner for _, _, owner in tasks] == [0, 1] * (len(tasks) // 2)


def test_parts_are_joined_piece_by_piece_in_line_order_and_their_files_deleted(
    tmp_path: Path,
) -> None:
    from smscheck.batch import Done, _joined
    from smscheck.formatters import Summary

    def part(name: str, pieces: dict[int, list[bytes]], problems: list[int]) -> Done:
        """A worker's part: its pieces by line, written to a file, and its first problems."""
        output = b"".join(piece for line in pieces for piece in pieces[line])
        (tmp_path / name).write_bytes(output)
        lines = tuple(line for line in pieces for _ in pieces[line])
        ends = tuple(accumulate(len(piece) for line in pieces for piece in pieces[line]))
        summary = Summary(cases=len(lines), first_problems=[f"f:{line}" for line in problems])
        return Done(b"", summary, 10, str(tmp_path / name), lines, ends, tuple(problems))

    # Line 3 renders two pieces (its case, then the error that ended the chunk), in one part.
    first = part("a", {1: [b"1|"], 3: [b"3|", b"3e|"]}, [1, 3, 3])
    second = part("b", {2: [b"2|"], 4: [b"4|"]}, [2])
    joined = _joined([first, second])
    assert joined.rendered == b"1|2|3|3e|4|" and joined.consumed == 20
    assert joined.summary.cases == 5
    assert joined.summary.first_problems == ["f:1", "f:2", "f:3", "f:3"]
    assert list(tmp_path.iterdir()) == []


def test_an_error_in_a_worker_is_one_line_and_leaves_no_temporary_file(
    three_chunks: Path,
    private_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from smscheck import batch
    from smscheck.inputs import Item

    real = batch._Worker._shared

    def broken(worker: batch._Worker, item: Item) -> object:
        if (item.location.line or 0) > 4000:  # in the last chunk
            raise RuntimeError("a bug")
        return real(worker, item)

    monkeypatch.setattr(batch._Worker, "_shared", broken)
    assert main(["check", str(three_chunks), "--jobs", "2", "--lang", "en"]) == 2
    assert "unexpected RuntimeError" in capsys.readouterr().err
    assert list(private_tmp.iterdir()) == []


def test_an_output_that_fails_leaves_no_temporary_file(
    three_chunks: Path, private_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    command = ["check", str(three_chunks), "--jobs", "2", "--lang", "en", "-o", "/dev/full"]
    assert main([*command, "--format", "json"]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert list(private_tmp.iterdir()) == []


@pytest.mark.parametrize("folder", ["tmp", "mon dossier"])
def test_a_full_temporary_disk_is_named_as_such_and_leaves_no_temporary_file(
    three_chunks: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    folder: str,
) -> None:
    import builtins
    import errno
    import tempfile

    from smscheck import batch

    private_tmp = tmp_path / folder  # a path with a space is read as a whole too
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))

    class Full(io.RawIOBase):  # a part file created, whose write finds the disk full
        def writable(self) -> bool:
            return True

        def write(self, data: object) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def opened(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        if isinstance(file, int) and mode == "wb":  # the descriptor of a new part file
            os.close(file)
            return Full()
        return builtins.open(file, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(batch, "open", opened, raising=False)  # in the workers, forked after
    for lang, full, words in (
        ("en", "No space left on device", "set TMPDIR"),
        ("fr", "plus de place sur le disque", "donnez à TMPDIR"),  # the system's words too
    ):
        command = ["check", str(three_chunks), "--jobs", "2", "--lang", lang, "--format", "json"]
        assert main(command) == 2
        error = capsys.readouterr().err.strip().splitlines()[-1]
        assert str(private_tmp) in error and full in error and words in error
        assert list(private_tmp.iterdir()) == []


@pytest.fixture(scope="module")
def long_campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("long") / "campaign.jsonl"
    generate(path, 30_000)
    return path


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs process groups")
@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_ctrl_c_with_two_jobs_leaves_no_temporary_file(
    long_campaign: Path, tmp_path: Path, fmt: str
) -> None:
    import signal

    command = [sys.executable, "-m", "smscheck.cli", "check", str(long_campaign), "--jobs", "2"]
    process = subprocess.Popen(
        [*command, "--format", fmt, "--lang", "en"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert process.stdout is not None
    process.stdout.read(1)  # the run has started writing
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    assert process.returncode == 130
    assert list(tmp_path.iterdir()) == []


def test_a_broken_pipe_with_two_jobs_leaves_no_temporary_file(
    long_campaign: Path, tmp_path: Path
) -> None:
    command = [sys.executable, "-m", "smscheck.cli", "check", str(long_campaign), "--jobs", "2"]
    process = subprocess.Popen(
        [*command, "--format", "json", "--lang", "en"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    process.wait(timeout=60)
    assert process.returncode == 2
    assert "results are incomplete" in process.stderr.read().decode()
    assert list(tmp_path.iterdir()) == []


def _forked_children(pid: int) -> list[int]:
    """Live processes forked by `pid` with its own command line (its pool workers, not a
    helper process it started), from Linux's /proc."""
    own = Path(f"/proc/{pid}/cmdline").read_bytes()
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
                command = Path(entry.path, "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid and command == own:
                found.append(int(entry.name))
    return found


def _two_job_run(campaign: Path, tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path, list[int]]:
    """`smscheck check --jobs 2` started on `campaign` with its own temporary folder, once its
    two workers run: the process, the folder and the workers' ids."""
    import time

    command = [sys.executable, "-m", "smscheck.cli", "check", str(campaign), "--jobs", "2"]
    folder = tmp_path / "tmp"
    folder.mkdir()
    process = subprocess.Popen(
        [*command, "--format", "json", "--lang", "en", "-o", str(tmp_path / "out.json")],
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(folder)},
    )
    deadline = time.monotonic() + 30
    while len(workers := _forked_children(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # both workers are checking their first ranges
    if process.poll() is not None:
        pytest.skip("the run ended before it could be stopped")
    return process, folder, workers


def _error_at_end(process: subprocess.Popen[bytes]) -> str:
    try:
        _, error = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return error.decode()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_worker_killed_mid_run_ends_the_run_with_an_error_not_a_hang(
    long_campaign: Path, tmp_path: Path
) -> None:
    import signal

    process, folder, workers = _two_job_run(long_campaign, tmp_path)
    os.kill(workers[0], signal.SIGKILL)
    error = _error_at_end(process)
    assert process.returncode == 2
    assert "a worker process ended unexpectedly (signal 9)" in error
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_sigterm_stops_the_workers_and_leaves_no_temporary_file(
    long_campaign: Path, tmp_path: Path
) -> None:
    process, folder, workers = _two_job_run(long_campaign, tmp_path)
    process.terminate()
    error = _error_at_end(process)
    assert process.returncode == 143
    assert "terminated: the results are incomplete" in error
    assert list(folder.iterdir()) == []
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


def test_a_campaign_file_and_its_csv_are_checked_and_written_a_chunk_at_a_time(
    tmp_path: Path,
) -> None:
    # The whole output of one CSV was held at once: 4.1 GB for 60,000 rows in --format json.
    from smscheck.batch import LOSSLESS, Settings, run
    from smscheck.chunking import CHUNK_LINES
    from tests.test_campaign_file import HEADER, write

    rows = "".join(
        f"06 12 {n // 100:02d} {n % 100:02d} 78;Zoé;party_member_file;member;sender\n"
        for n in range(2 * CHUNK_LINES + 1)
    )
    path = write(tmp_path, rows=HEADER + rows)
    settings = Settings(fmt="json", recipients=str(tmp_path / "contacts.csv"))
    done = list(run([str(path)], settings, None))
    sizes = [part.summary.cases + part.summary.templates for part in done]
    templates = sum(part.summary.templates for part in done)
    assert len(done) > 2 and all(size <= CHUNK_LINES for size in sizes)
    assert sum(part.summary.cases for part in done) == templates * (2 * CHUNK_LINES + 1)
    lines = "".join(part.text(LOSSLESS) for part in done).splitlines()
    assert len(lines) == sum(sizes)  # each template and recipient once, in order


@pytest.mark.parametrize("to_a_file", [True, False])
def test_a_workers_file_is_copied_less_the_bytes_asked(tmp_path: Path, to_a_file: bool) -> None:
    from smscheck.batch import Done
    from smscheck.formatters.base import Summary

    part = tmp_path / "chunk.part"
    part.write_bytes(b",\n{result}")
    done = Done(b"", Summary(), path=str(part))
    if to_a_file:  # by sendfile, from an offset
        with (tmp_path / "out").open("wb") as out:
            done.copy_to(out, skip=1)
        assert (tmp_path / "out").read_bytes() == b"\n{result}"
    else:  # a stream with no file under it: through memory
        memory = io.BytesIO()
        done.copy_to(memory, skip=1)
        assert memory.getvalue() == b"\n{result}"
