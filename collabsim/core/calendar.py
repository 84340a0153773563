"""Calendar: weekday patterns averaged over each step's span of days.

A step covers the days [t * step, (t + 1) * step), which may be part of a day or
several days. Its factor is the mean of the Monday..Sunday pattern over exactly
that span, so the weekly mean is kept whatever the step length (a 7-day step gets
factor 1; a 12-hour step on a Saturday gets Saturday's factor). Day 0 is a Monday.
"""

from __future__ import annotations

import numpy as np


class Weekly:
    """A Monday..Sunday pattern (normalised to mean 1) for steps of ``step_days``."""

    def __init__(self, pattern: list[float] | np.ndarray, step_days: float) -> None:
        w = np.asarray(pattern, dtype=float)
        self.pattern = w / w.mean()
        self.step_days = step_days
        self._prefix = np.concatenate(([0.0], np.cumsum(self.pattern)))  # integral to day d
        # Factors repeat every `period` steps when a week is a whole number of steps.
        steps_per_week = 7.0 / step_days
        self.period = (
            int(round(steps_per_week)) if abs(steps_per_week - round(steps_per_week)) < 1e-9 else 0
        )
        self._cycle = self.factors(0, self.period) if self.period else None

    def _integral(self, day: np.ndarray) -> np.ndarray:
        """Integral of the pattern from day 0 to ``day``."""
        weeks = np.floor(day / 7.0)
        rest = day - 7.0 * weeks
        whole = np.minimum(np.floor(rest).astype(np.int64), 6)
        return weeks * 7.0 + self._prefix[whole] + (rest - whole) * self.pattern[whole]

    def factors(self, t0: int, t1: int) -> np.ndarray:
        """Mean pattern over each of steps t0..t1-1."""
        start = np.arange(t0, t1) * self.step_days
        return (self._integral(start + self.step_days) - self._integral(start)) / self.step_days

    def factor(self, t: int) -> float:
        """Mean pattern over step t (cached by cycle when a week is whole steps)."""
        if self._cycle is not None:
            return float(self._cycle[t % self.period])
        return float(self.factors(t, t + 1)[0])
