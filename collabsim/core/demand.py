"""Demand: arrivals per provider and step.

Arrivals are drawn from their own random stream, which nothing else uses, one
draw per provider per step whatever the state: so two runs with the same seed see
the same patients arrive whatever the policy does (common random numbers), and a
shorter run sees the first steps of a longer one.

The mean per step is ``demand_per_day * scale * step_days`` times the weekly
pattern and the hour-of-day pattern (``demand.hourly``; each averaged over the
step's span), winter seasonality and any shock active
in the step. The draws themselves happen in the ``Arrive`` phase (admission.py).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from collabsim.core.calendar import Rhythm
from collabsim.core.clock import Clock
from collabsim.core.state import Providers
from collabsim.errors import ConfigError


def shock_masks(providers: Providers, shocks: list[Any]) -> list[np.ndarray]:
    """For each shock, which providers it hits (all when it names none)."""
    masks = []
    region_index = {name: i for i, name in enumerate(providers.region_names)}
    id_index = {pid: i for i, pid in enumerate(providers.ids)}
    for shock in shocks:
        if not shock.regions and not shock.providers:
            masks.append(np.ones(providers.n, dtype=bool))
            continue
        mask = np.zeros(providers.n, dtype=bool)
        for name in shock.regions:
            if name not in region_index:
                raise ConfigError(
                    f"demand.shocks: unknown region {name!r}; known: "
                    f"{', '.join(providers.region_names[:10])}"
                    f"{' ...' if len(providers.region_names) > 10 else ''}"
                )
            mask |= providers.region == region_index[name]
        for pid in shock.providers:
            if pid not in id_index:
                raise ConfigError(f"demand.shocks: unknown provider {pid!r}")
            mask[id_index[pid]] = True
        masks.append(mask)
    return masks


class Demand:
    """Mean arrivals per step for every provider."""

    def __init__(self, providers: Providers, demand: Any, clock: Clock) -> None:
        step_days = clock.step_days
        self.step_days = step_days
        self.base = providers.demand_per_day * demand.scale * step_days  # per step
        self.rhythm = Rhythm(demand.weekly, demand.hourly, step_days)
        self.season = (demand.winter_amplitude, demand.winter_peak_day, demand.start_day_of_year)
        self.shocks = [
            (*clock.window(s.start_day, s.days), s.multiplier, mask)
            for s, mask in zip(demand.shocks, shock_masks(providers, demand.shocks), strict=True)
        ]
        self.negative_binomial = demand.distribution == "negative_binomial"
        # k at the daily scale becomes k * step_days per step, so the daily variance
        # (mean + mean^2 / k) is the same whatever the step length.
        self.k_step = demand.dispersion * step_days
        self._active: tuple[bool, ...] | None = None
        self._base_now = self.base

    def add_shock(self, start: int, stop: int, multiplier: float) -> None:
        """Multiply every provider's demand by ``multiplier`` for steps [start, stop): a
        surge decided while the run goes on (the dashboard's button). It lasts until the
        arrive phase is built again (a new model), not only until the next reset."""
        if not (multiplier > 0 and math.isfinite(multiplier)):
            raise ValueError(f"a demand multiplier is a positive number, not {multiplier!r}")
        self.shocks.append(
            (int(start), int(stop), float(multiplier), np.ones_like(self.base, dtype=bool))
        )
        self._active = None  # the shocks changed: base_at recomputes

    def factor(self, t: int) -> float:
        """Weekly (and hour-of-day) pattern times winter seasonality for step t (same for
        every provider)."""
        amplitude, peak, start = self.season
        day = start + (t + 0.5) * self.step_days
        season = 1.0 + amplitude * math.cos(2 * math.pi * (day - peak) / 365.25)
        return self.rhythm.factor(t) * season

    def base_at(self, t: int) -> np.ndarray:
        """Per-provider mean per step before the common factor: shocks applied."""
        active = tuple(start <= t < stop for start, stop, _, _ in self.shocks)
        if active != self._active:
            base = self.base.copy()
            for on, (_, _, multiplier, mask) in zip(active, self.shocks, strict=True):
                if on:
                    base[mask] *= multiplier
            self._active, self._base_now = active, base
        return self._base_now

    def mean(self, t0: int, t1: int) -> np.ndarray:
        """Expected arrivals for steps t0..t1-1, shape (t1 - t0, n)."""
        return np.stack([self.base_at(t) * self.factor(t) for t in range(t0, t1)])
