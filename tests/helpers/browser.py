"""A Solara page served by the real command in a subprocess, and the system's Chromium:
shared by the dashboard's and the game's browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from collabsim.dashboard.headless import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(command: str, log: Path) -> Iterator[str]:
    """``python -m collabsim COMMAND --port P`` (dashboard, play); yields its address."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "collabsim", command, "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # the first import may compile the numba kernels
        while True:
            if proc.poll() is not None:
                pytest.fail(f"collabsim {command} exited ({proc.returncode}):\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url + "/", timeout=5) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"collabsim {command} did not answer in 90 s:\n{log.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def chromium() -> Iterator[Browser]:
    """The system's Chromium, headless (a skip without it, a failure in CI)."""
    if not Path(CHROMIUM).is_file():
        # CI installs Chromium and sets COLLABSIM_REQUIRE_BROWSER: there a missing
        # browser is a failure, never a quiet skip of the pages' only real tests
        if os.environ.get("COLLABSIM_REQUIRE_BROWSER"):
            pytest.fail(f"no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (set COLLABSIM_CHROMIUM)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
