"""Calendar: weekday and hour-of-day patterns averaged over each step's span.

A step covers the days [t * step, (t + 1) * step), which may be part of an hour,
part of a day or several days. Its factor is the mean of a repeating pattern (the
days of a week, the hours of a day) over exactly that span, so the pattern's mean
is kept whatever the step length: a 7-day step gets weekly factor 1, a 12-hour step
on a Saturday gets Saturday's factor, a 1-day step gets hour-of-day factor 1, a
1-hour step from 17:00 gets the 17:00 factor. Day 0 is a Monday and starts at
midnight.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Cycle:
    """A pattern of equal segments repeating every ``period_days`` (normalised to mean 1),
    for steps of ``step_days``."""

    def __init__(
        self, pattern: Sequence[float] | np.ndarray, period_days: float, step_days: float
    ) -> None:
        w = np.asarray(pattern, dtype=float)
        self.pattern = w / w.mean()
        self.period_days = period_days
        self.segment_days = period_days / w.size
        self.step_days = step_days
        self._prefix = np.concatenate(([0.0], np.cumsum(self.pattern)))  # per segment
        # Factors repeat every `period` steps when a cycle is a whole number of steps.
        steps_per_cycle = period_days / step_days
        whole = abs(steps_per_cycle - round(steps_per_cycle)) < 1e-9
        self.period = int(round(steps_per_cycle)) if whole else 0
        self._cycle = self.factors(0, self.period) if self.period else None

    def _integral(self, day: np.ndarray) -> np.ndarray:
        """Integral of the pattern (in days) from day 0 to ``day``."""
        cycles = np.floor(day / self.period_days)
        rest = (day - self.period_days * cycles) / self.segment_days
        whole = np.minimum(np.floor(rest).astype(np.int64), self.pattern.size - 1)
        within = self._prefix[whole] + (rest - whole) * self.pattern[whole]
        return cycles * self.period_days + self.segment_days * within

    def factors(self, t0: int, t1: int) -> np.ndarray:
        """Mean pattern over each of steps t0..t1-1."""
        start = np.arange(t0, t1) * self.step_days
        return (self._integral(start + self.step_days) - self._integral(start)) / self.step_days

    def factor(self, t: int) -> float:
        """Mean pattern over step t (cached by cycle when a cycle is whole steps)."""
        if self._cycle is not None:
            return float(self._cycle[t % self.period])
        return float(self.factors(t, t + 1)[0])


class Weekly(Cycle):
    """A Monday..Sunday pattern (normalised to mean 1) for steps of ``step_days``."""

    def __init__(self, pattern: Sequence[float] | np.ndarray, step_days: float) -> None:
        super().__init__(pattern, 7.0, step_days)


class Daily(Cycle):
    """An hour-of-day pattern, 24 factors from 00:00 (normalised to mean 1)."""

    def __init__(self, pattern: Sequence[float] | np.ndarray, step_days: float) -> None:
        super().__init__(pattern, 1.0, step_days)


class Rhythm:
    """A weekly pattern times an optional hour-of-day pattern: the factor of a step.

    With no hour-of-day pattern (``hourly`` empty) the factor is the weekly one exactly."""

    def __init__(
        self, weekly: Sequence[float], hourly: Sequence[float] | None, step_days: float
    ) -> None:
        self.weekly = Weekly(weekly, step_days)
        self.daily = Daily(hourly, step_days) if hourly else None

    def factor(self, t: int) -> float:
        f = self.weekly.factor(t)
        return f * self.daily.factor(t) if self.daily is not None else f
