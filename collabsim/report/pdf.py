"""The report as a PDF for the board pack, printed by headless Chromium (the page's own
layout, figures and tables, A4). Chromium is the one dependency: Debian's ``chromium``
package, or any Chromium or Chrome named by ``COLLABSIM_CHROMIUM``; without one the
request is refused in one line, and the HTML report is still there.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from collabsim.collect import ResultsError
from collabsim.dashboard.headless import CHROMIUM, CHROMIUM_ARGS


def print_pdf(page: Path, out: Path, timeout: float = 120.0) -> Path:
    """``page`` (an HTML file) printed to ``out`` (written whole or not at all)."""
    if not Path(CHROMIUM).is_file():
        raise ResultsError(
            f"--pdf needs Chromium: none at {CHROMIUM} (install Debian's chromium, or set "
            "COLLABSIM_CHROMIUM to a Chromium or Chrome); the HTML report is written"
        )
    tmp = out.with_name(f".{out.name}.tmp.pdf")
    with tempfile.TemporaryDirectory(prefix="collabsim-pdf-") as profile:
        command = [
            CHROMIUM,
            "--headless",
            *CHROMIUM_ARGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={tmp}",
            page.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            tmp.unlink(missing_ok=True)
            raise ResultsError(f"--pdf: Chromium did not print the report ({exc})") from None
    if done.returncode != 0 or not tmp.is_file() or tmp.read_bytes()[:5] != b"%PDF-":
        tmp.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ResultsError(f"--pdf: Chromium did not print the report ({last})")
    tmp.replace(out)
    return out
