"""Fixtures shared by the tests; helpers (systems, files, the command line) are in
tests/helpers/."""

from __future__ import annotations

import pytest

from collabsim.config import Config


@pytest.fixture(scope="session")
def small_config() -> Config:
    from collabsim import load_config

    return load_config(["sim.days=120", "sim.warmup_days=20"])


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201 - playwright's Browser, imported only by the browser tests
    """The system's Chromium, headless, for a module of browser tests."""
    from tests.helpers.browser import chromium

    with chromium() as b:
        yield b
