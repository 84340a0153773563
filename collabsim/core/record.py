"""Recording: per-step system totals into preallocated arrays, per-provider totals.

The step writes one row of ``rows`` (every level and flow summed over providers,
in one reduction), the mean trust, and, after the warm-up, adds the state block
to per-provider totals. Converting to pandas happens once, at the end, outside
the engine.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from collabsim.core.kernel import compiled
from collabsim.core.phase import Phase
from collabsim.core.state import State


class Recorder:
    """Preallocated per-step series and post-warm-up accumulators."""

    def __init__(self, steps: int, state: State, max_wait_steps: int) -> None:
        self.rows = np.zeros((max(steps, 1), len(state.rows)), dtype=np.int64)
        self.mean_trust = np.full(max(steps, 1), np.nan)
        self.trust_sd = np.full(max(steps, 1), np.nan)
        self.provider_totals = np.zeros_like(state.block)  # summed over measured steps
        self.wait_histogram = np.zeros(max_wait_steps + 1, dtype=np.int64)  # admissions by wait
        self.measured_steps = 0
        self.steps_recorded = 0

    def _grow(self) -> None:
        """Stepping past the configured run: double the series (rare, outside hot path)."""
        self.rows = np.concatenate([self.rows, np.zeros_like(self.rows)])
        self.mean_trust = np.concatenate([self.mean_trust, np.full_like(self.mean_trust, np.nan)])
        self.trust_sd = np.concatenate([self.trust_sd, np.full_like(self.trust_sd, np.nan)])


@njit(cache=True, error_model="numpy")
def _record(block, row, totals, measuring):
    rows, n = block.shape
    for r in range(rows):
        s = 0
        for i in range(n):
            s += block[r, i]
        row[r] = s
    if measuring:
        for r in range(rows):
            for i in range(n):
                totals[r, i] += block[r, i]


class Record(Phase):
    """Write this step's system totals; accumulate per-provider totals after warm-up."""

    name = "record"

    def reset(self) -> None:
        e = self.engine
        self.kernel = compiled(
            _record, e.state.block, e.recorder.rows[0], e.recorder.provider_totals, False
        )

    def __call__(self) -> None:
        e = self.engine
        rec, t = e.recorder, e.t
        if t >= rec.rows.shape[0]:
            rec._grow()
        measuring = e.measuring
        self.kernel(e.state.block, rec.rows[t], rec.provider_totals, measuring)
        rec.mean_trust[t] = e.trust_mean
        rec.trust_sd[t] = e.trust_sd
        rec.steps_recorded = t + 1
        rec.measured_steps += measuring
