"""Run one phase of an engine's step by itself (tests set a state by hand first)."""

from __future__ import annotations

import numpy as np

from collabsim.core.engine import Engine


def begin_aid(e: Engine) -> None:
    """Clear this step's aid marks, end loans due, start help due."""
    e.phase("begin_aid")()


def pressure(e: Engine) -> None:
    """Needs, requests, room and offers of every provider."""
    e.phase("pressure")()


def mutual_aid(e: Engine) -> None:
    """The policy decides, and what it agrees is booked (after the friction delay)."""
    e.phase("mutual_aid")()


def agree(e: Engine, grants: np.ndarray) -> None:
    """Book ``grants`` units of help per aid link, as if a policy had agreed them."""
    e.phase("mutual_aid").agree(grants)


def admit(e: Engine) -> None:
    e.phase("admit")()


def update_trust(e: Engine) -> None:
    e.phase("update_trust")()
