"""The clock: the one place where days become steps and rates per day become per step.

Everything the user sets is in days (or per day); the engine counts steps of
``step_days``. Converting in one place keeps every phase rounding the same way:
a moment in days is the *nearest* step, a duration that must not be cut short is
*at least* its steps, and a chance per day becomes the chance per step that gives
the same chance over a day.

People decide at a coarser rhythm than patients flow (bed meetings a few times a
day, not every hour): decisions (requests, mutual aid, trust) happen every
``decision_steps`` steps, at steps ``t`` with ``t % decision_steps == 0``, and their
rates are counted per decision interval of ``decision_days`` (help agreed then starts at
whatever step its delay ends).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Clock:
    """Steps of ``step_days`` days; step ``t`` covers days [t * step_days, (t + 1) * step_days)."""

    step_days: float
    decision_steps: int = 1  # steps per decision interval

    @property
    def decision_days(self) -> float:
        """The length of a decision interval in days."""
        return self.step_days * self.decision_steps

    def deciding(self, t: int) -> bool:
        """Whether people decide in step ``t``."""
        return t % self.decision_steps == 0

    def per_decision(self, chance_per_day: float) -> float:
        """The chance per decision interval that gives ``chance_per_day`` over a day."""
        return 1.0 - (1.0 - chance_per_day) ** self.decision_days

    def steps(self, days: float) -> int:
        """The nearest whole number of steps to ``days`` (a moment, or a length that may
        round either way)."""
        return int(round(days / self.step_days))

    def steps_at_least(self, days: float) -> int:
        """Whole steps covering ``days`` (a length that must not be cut short)."""
        return int(math.ceil(days / self.step_days - 1e-9))

    def window(self, start_day: float, days: float) -> tuple[int, int]:
        """Steps [first, end) of the window of ``days`` days from ``start_day``."""
        return self.steps(start_day), self.steps(start_day + days)

    def days(self, steps: float) -> float:
        """The length of ``steps`` steps in days (or the day step ``steps`` starts)."""
        return steps * self.step_days

    def per_step(self, chance_per_day: float) -> float:
        """The chance per step that gives ``chance_per_day`` over a day."""
        return 1.0 - (1.0 - chance_per_day) ** self.step_days
