"""Per-provider behavioural traits: self-preservation and candour.

Each is drawn once per replication from a beta distribution with the configured
mean and spread (sd; 0 gives every provider the mean), from the run's own
``traits`` stream, so changing a trait's spread never changes the arrivals.
Self-preservation may then adapt during the run (``collabsim.core.trust``).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def draw_beta(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    """``n`` values in [0, 1] with this mean and sd (all equal to ``mean`` when sd is 0)."""
    if sd < 1e-6 or mean <= 0 or mean >= 1:  # (a tinier sd is no spread at all)
        return np.full(n, float(mean))
    concentration = mean * (1 - mean) / sd**2 - 1
    return rng.beta(mean * concentration, (1 - mean) * concentration, size=n)


class Traits:
    """Self-preservation and candour of every provider, redrawn at each reset."""

    def __init__(self, n: int) -> None:
        self.self_preservation = np.zeros(n)
        self.candour = np.zeros(n)

    def reset(self, rng: np.random.Generator, config: Any) -> None:
        n = self.self_preservation.size
        sp, cand = config.self_preservation, config.candour
        self.self_preservation[:] = draw_beta(rng, sp.mean, sp.spread, n)
        self.candour[:] = draw_beta(rng, cand.mean, cand.spread, n)


def financial_pressure(finance: Any, day: float) -> float:
    """Financial pressure on ``day``: the starting level plus its yearly rise, at most 1."""
    return min(1.0, finance.pressure + finance.rise_per_year * day / 365.0)
