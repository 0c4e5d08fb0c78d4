"""`--format html`: one self-contained page, rendered in a real headless browser (Debian's
chromium driven by Playwright): the figures at the top match the run, no full phone number
appears, nothing is fetched from the network, and it fits a phone's width."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from smscheck.cli import main
from tests.conftest import ROOT

CAMPAIGN = ROOT / "docs/examples/municipales-54.jsonl"
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FULL_NUMBER = re.compile(r"(?:\+33|0)\s*[1-9](?:[\s.-]*\d){8}")


def _browser_or_skip() -> object:
    """Playwright's sync API, or a skip (a failure in CI, where .ci/run installs both)."""
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright package is not installed"
    if missing is None and not CHROMIUM.exists():
        missing = f"no browser at {CHROMIUM} (apt-get install chromium)"
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser test: {missing}")
        pytest.skip(missing)
    return sync_playwright


def _report(tmp_path: Path, *args: str) -> Path:
    target = tmp_path / "report.html"
    assert main(["check", str(CAMPAIGN), "--format", "html", "-o", str(target), *args]) in (0, 1)
    return target


def _expected(capsys: pytest.CaptureFixture[str]) -> Counter[str]:
    main(["check", str(CAMPAIGN), "--format", "json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return Counter(line["status"] for line in lines if line.get("kind") != "template")


def test_the_html_report_is_self_contained_and_keeps_numbers_masked(tmp_path: Path) -> None:
    page = _report(tmp_path).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'name="viewport"' in page
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(", page)
    assert not FULL_NUMBER.search(page)
    assert "+33 6 ** ** ** 03" in page  # masked numbers are shown
    assert re.search(r"[0-9a-f]{64}", page)  # the input's digest, for the archive


def test_the_html_report_renders_in_a_browser_with_the_run_s_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sync_playwright = _browser_or_skip()
    expected = _expected(capsys)
    report = _report(tmp_path)
    requests: list[str] = []
    profile = tmp_path / "chromium-profile"
    with sync_playwright() as playwright:  # type: ignore[operator]
        browser = playwright.chromium.launch_persistent_context(
            str(profile),  # a fresh --user-data-dir
            executable_path=str(CHROMIUM),
            args=FLAGS,
            viewport={"width": 390, "height": 844},  # a phone
        )
        try:
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.goto(report.as_uri())
            for status in ("fail", "review", "warn", "pass"):
                shown = page.inner_text(f"#count-{status} .n")
                assert int(shown) == expected[status], status
            assert int(page.inner_text("#count-cases .n")) == sum(expected.values())
            assert int(page.inner_text("#count-templates .n")) == 2
            text = page.inner_text("body")
            assert not FULL_NUMBER.search(text)
            assert "+33 6 ** ** ** 03" in text
            assert page.inner_text("#version").strip()
            assert "sms-format" in page.inner_text("#packs")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"wider than a phone: {width}px"
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "report.png").stat().st_size > 1000
    assert requests == [report.as_uri()]  # nothing fetched but the file itself
    shutil.rmtree(profile, ignore_errors=True)
