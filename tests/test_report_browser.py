"""The board report as a reader sees it: opened in headless Chromium with no network,
nothing fails to load, and the README's screenshot of it is saved (docs/images)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.helpers import run, write

pytestmark = pytest.mark.slow
IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"


def test_the_report_opens_offline_and_is_photographed(browser: Browser, tmp_path: Path) -> None:
    write(tmp_path)
    done = run(["-m", "network=file", "network.providers_file=providers.csv",
                "network.links_file=links.csv", "policy=none,trust_gated", "scenario=winter",
                "replications=3", "sim.days=120", "sim.warmup_days=20",
                "hydra.sweep.dir=whatif"], tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert run(["report", "whatif"], tmp_path).returncode == 0
    context = browser.new_context(viewport={"width": 1200, "height": 900}, offline=True)
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto((tmp_path / "whatif" / "report.html").as_uri())
    summary = page.locator(".summary").inner_text()
    assert "policy=trust_gated" in summary and "hours" in summary
    images = page.locator("img")
    assert images.count() >= 3
    # every figure is drawn (inline, so offline): a real width once decoded
    assert all(page.evaluate("els => els.map(e => e.naturalWidth > 0)", images.element_handles()))
    assert failed == []
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=IMAGES / "report.png", full_page=False)
    context.close()
    assert (IMAGES / "report.png").read_bytes()[:4] == b"\x89PNG"


def test_the_report_as_a_pdf_for_the_board_pack(browser: Browser, tmp_path: Path) -> None:
    """(``browser``: Chromium is there, or the test is skipped, and fails in CI, as every
    browser test is: the PDF is printed by the same Chromium.)"""
    import os

    write(tmp_path)
    done = run(["-m", "network=file", "network.providers_file=providers.csv",
                "network.links_file=links.csv", "policy=none,trust_gated", "sim.days=60",
                "sim.warmup_days=10", "hydra.sweep.dir=whatif"], tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = run(["report", "whatif", "--pdf"], tmp_path)
    assert printed.returncode == 0, printed.stderr
    pdf = (tmp_path / "whatif" / "report.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-"
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 2  # the whole page, not one screen
    # no Chromium: one line, and the HTML report is still written
    missing = subprocess.run(
        [sys.executable, "-m", "collabsim", "report", "whatif", "--pdf", "--out", "b.html"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "COLLABSIM_CHROMIUM": str(tmp_path / "no-chromium")},
    )  # fmt: skip
    assert missing.returncode == 2 and "--pdf needs Chromium" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1 and (tmp_path / "b.html").is_file()
