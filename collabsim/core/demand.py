"""Demand: arrivals per provider and step.

Arrivals do not depend on the state, so they are drawn ahead in blocks of steps
from their own random stream. That is exact (the same distribution as drawing
step by step), it makes two runs with the same seed see the same patients
whatever the policy does (common random numbers), and it spreads numpy's
per-call cost over many steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from collabsim.core.state import Providers

DAYS_PER_YEAR = 365.25


def weekly_factors(weekly: list[float]) -> np.ndarray:
    """Monday..Sunday multipliers normalised to a mean of one (so totals are kept)."""
    w = np.asarray(weekly, dtype=float)
    return w / w.mean()


def day_of_week(steps: np.ndarray, step_days: float) -> np.ndarray:
    """0 = Monday for the day a step starts in (step 0 starts on a Monday)."""
    return (np.floor(steps * step_days + 1e-9).astype(np.int64)) % 7


def seasonal_factor(
    steps: np.ndarray, step_days: float, amplitude: float, peak_day: float, start_day: float
) -> np.ndarray:
    """1 + a cos(2 pi (day of year - peak) / 365.25), evaluated mid-step."""
    day = start_day + (steps + 0.5) * step_days
    return 1.0 + amplitude * np.cos(2 * np.pi * (day - peak_day) / DAYS_PER_YEAR)


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
            mask |= providers.region == region_index[name]
        for pid in shock.providers:
            mask[id_index[pid]] = True
        masks.append(mask)
    return masks


class Demand:
    """Mean arrivals per step for every provider, and the arrival draws themselves."""

    def __init__(self, providers: Providers, demand: Any, step_days: float) -> None:
        self.step_days = step_days
        self.base = providers.demand_per_day * demand.scale * step_days  # per step
        self.weekly = weekly_factors(demand.weekly)
        self.season = (demand.winter_amplitude, demand.winter_peak_day, demand.start_day_of_year)
        self.shocks = [
            (
                int(round(s.start_day / step_days)),
                int(round((s.start_day + s.days) / step_days)),
                s.multiplier,
                mask,
            )
            for s, mask in zip(demand.shocks, shock_masks(providers, demand.shocks), strict=True)
        ]
        self.negative_binomial = demand.distribution == "negative_binomial"
        # k at the daily scale becomes k * step_days per step, so the daily variance
        # (mean + mean^2 / k) is the same whatever the step length.
        self.k_step = demand.dispersion * step_days
        # Blocks depend only on the number of providers, so runs of any length with
        # the same seed draw the same arrivals for the steps they share.
        self.block_steps = int(max(1, min(512, 4_000_000 // max(providers.n, 1))))
        self.rng: np.random.Generator | None = None
        self._block = np.zeros((self.block_steps, providers.n), dtype=np.int64)
        self._start = -self.block_steps

    def time_factor(self, t0: int, t1: int) -> np.ndarray:
        """Weekly pattern times winter seasonality for steps t0..t1-1."""
        t = np.arange(t0, t1)
        return self.weekly[day_of_week(t, self.step_days)] * seasonal_factor(
            t, self.step_days, *self.season
        )

    def reset(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._start = -self.block_steps

    def mean(self, t0: int, t1: int) -> np.ndarray:
        """Expected arrivals for steps t0..t1-1, shape (t1 - t0, n)."""
        rate = self.time_factor(t0, t1)[:, None] * self.base[None, :]
        for start, stop, multiplier, mask in self.shocks:
            lo, hi = max(start, t0), min(stop, t1)
            if lo < hi:
                rate[lo - t0 : hi - t0, mask] *= multiplier
        return rate

    def arrivals(self, t: int) -> np.ndarray:
        """Arrivals in step t (a row of the current block; do not modify)."""
        i = t - self._start
        if not 0 <= i < self.block_steps:
            self._draw_block(t)
            i = 0
        return self._block[i]

    def _draw_block(self, t0: int) -> None:
        assert self.rng is not None, "Demand.reset(rng) must be called before drawing"
        rate = self.mean(t0, t0 + self.block_steps)
        if self.negative_binomial:
            k = self.k_step
            self._block[:] = self.rng.negative_binomial(k, k / (k + rate))
        else:
            self._block[:] = self.rng.poisson(rate)
        self._start = t0
