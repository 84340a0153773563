"""Midnights and financial quarters of the simulated calendar, in steps.

The published NHS figures count at midnight (KH03: beds occupied overnight) and by
quarter of the financial year (Q1 = April-June ... Q4 = January-March). Step ``t``
covers days ``[t * dt, (t + 1) * dt)`` from midnight on ``demand.start_day_of_year``
(1 = 1 January, 91 = 1 April; days of a 365-day year, as the winter pattern counts
them, so quarters have 90, 91, 92 and 92 days like 2024-25's).

- A step is a **midnight step** when it ends at 00:00, ``(t + 1) * dt`` a whole day:
  every step at daily (or longer whole-day) steps, every 24th at hourly steps. The
  state at the end of a midnight step is the midnight census.
- A step belongs to the quarter in which it **starts**; a quarter's steps end with
  its last step (a quarter boundary inside a step, possible only when the start day
  is not a whole day, goes to the quarter the step started in).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

YEAR_DAYS = 365
# Days from 1 January 00:00 at which each calendar quarter starts, and its financial name.
QUARTER_STARTS = np.array([0, 90, 181, 273])
QUARTER_NAMES = ("Q4", "Q1", "Q2", "Q3")  # January-March is the last of a financial year
QUARTER_DAYS = 365.25 / 4  # 91.3125: a mean quarter, for rates "per quarter"
EPS = 1e-9


def midnights(step_days: float, t0: int, t1: int) -> np.ndarray:
    """Whether each of steps ``t0..t1-1`` ends at 00:00 (its end a whole number of days)."""
    ends = np.arange(t0 + 1, t1 + 1) * step_days
    return np.abs(ends - np.rint(ends)) < EPS * np.maximum(1.0, ends)


def day_of_step_end(step_days: float, t0: int, t1: int) -> np.ndarray:
    """The day (0 = the first) whose midnight closes each step ``t0..t1-1``: the step
    ending at the end of day ``d``, and every step before it within that day, map to
    ``d``. Grouping steps by it gives each day's steps, its midnight step last."""
    ends = np.arange(t0 + 1, t1 + 1) * step_days
    return np.ceil(ends - EPS * np.maximum(1.0, ends)).astype(np.int64) - 1


class Quarter(NamedTuple):
    """A run of steps in one calendar quarter: ``[first, end)``."""

    first: int
    end: int
    year: int  # financial year: 0 = the one step 0 is in, 1 = the next, ...
    quarter: str  # "Q1".."Q4" of the financial year
    days: float  # the quarter's length in days
    complete: bool  # the steps cover the whole quarter


class Quarters:
    """The financial quarters of a run's steps, from its first calendar day."""

    def __init__(self, start_day_of_year: float, step_days: float) -> None:
        self.origin = start_day_of_year - 1.0  # days from 1 January 00:00 at step 0
        self.step_days = step_days
        year, q = self._where(np.zeros(1))
        self._year0 = int(year[0]) - (1 if q[0] == 0 else 0)  # the financial year of step 0

    def _where(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Calendar year (0: the origin's) and quarter of the year (0 = January-March) of
        the start of steps ``t``."""
        day = self.origin + t * self.step_days
        day = day + EPS * np.maximum(1.0, np.abs(day))  # a step starting on a boundary is in
        year = np.floor(day / YEAR_DAYS).astype(np.int64)
        within = day - year * YEAR_DAYS
        return year, np.searchsorted(QUARTER_STARTS, within, side="right") - 1

    def _first_step(self, year: int, q: int) -> int:
        """The first step starting in quarter ``q`` of calendar year ``year`` (may be < 0)."""
        day = year * YEAR_DAYS + (QUARTER_STARTS.tolist() + [YEAR_DAYS])[q]
        return math.ceil((day - self.origin) / self.step_days - EPS)

    def index(self, t0: int, t1: int) -> np.ndarray:
        """A number for the quarter of each of steps ``t0..t1-1``, rising by one a quarter."""
        year, q = self._where(np.arange(t0, t1))
        return 4 * year + q

    def last_steps(self, t0: int, t1: int) -> np.ndarray:
        """Of steps ``t0..t1-1``, those that end a quarter (the next step is in another)."""
        k = self.index(t0, t1 + 1)
        return t0 + np.flatnonzero(k[1:] != k[:-1])

    def split(self, first: int, end: int) -> list[Quarter]:
        """Steps ``[first, end)`` cut at quarter boundaries, each part described."""
        if end <= first:
            return []
        k = self.index(first, end)
        cuts = (np.flatnonzero(k[1:] != k[:-1]) + 1 + first).tolist()
        out = []
        for a, b in zip([first, *cuts], [*cuts, end], strict=True):
            year, q = (int(v[0]) for v in self._where(np.array([a])))
            length = float(([*QUARTER_STARTS.tolist(), YEAR_DAYS])[q + 1] - QUARTER_STARTS[q])
            whole = a == self._first_step(year, q) and b == self._first_step(year, q + 1)
            fy = year - (1 if q == 0 else 0) - self._year0  # January-March ends the last one
            out.append(Quarter(a, b, fy, QUARTER_NAMES[q], length, whole))
        return out
