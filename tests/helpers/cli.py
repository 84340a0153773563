"""The command line as a user runs it: ``python -m collabsim`` in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "collabsim", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def run_dirs(cwd: Path) -> list[Path]:
    """The finished runs (directories holding a summary.json) under ``cwd/outputs``."""
    return sorted(p.parent for p in (cwd / "outputs").rglob("summary.json"))
