"""Recording: per-step system and acute totals into preallocated arrays, per-provider totals.

The step writes one row of ``rows`` (every level and flow summed over providers, in
one reduction), the rows the hour measures need summed over acute providers only
(``acute_rows``, ``ACUTE_ROWS``: the published figures count acute trusts, not
step-down or mental-health providers), the mean trust and, after the warm-up, adds the
state block to per-provider totals, and at midnight steps (``collabsim.core.periods``)
each provider's beds occupied and available to the midnight census. At the last step
of each financial quarter the cumulative per-provider totals are copied (``cuts``), so
per-quarter figures per provider are differences of two snapshots, not a per-step
record of every provider.

The admission phase keeps two histograms of admissions by steps waited (after the
warm-up): every provider's, and acute providers' (the published waits count acute trusts).
Converting to pandas happens once, at the end, outside the engine.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from collabsim.core.kernel import compiled, packed
from collabsim.core.periods import Quarters, midnights
from collabsim.core.phase import Phase
from collabsim.core.state import ACUTE, State

# The rows also summed over acute providers each step (``Recorder.acute_rows``, in this
# order): what acute waits, 12-hour waits, occupancy and delays by step, day or quarter need.
ACUTE_ROWS = ("capacity", "occupied", "waiting", "delayed", "arrivals", "lost", "admissions",
              "wait_steps", "over_4h", "over_12h")  # fmt: skip
ACUTE_ROW = {name: k for k, name in enumerate(ACUTE_ROWS)}


class Snapshot(NamedTuple):
    """Cumulative per-provider totals at the end of step ``t`` (the last of a quarter)."""

    t: int
    totals: np.ndarray  # provider_totals then
    night: np.ndarray  # night then
    nights: int  # midnight steps measured until then


class Recorder:
    """Preallocated per-step series and post-warm-up accumulators."""

    def __init__(self, steps: int, state: State, max_wait_steps: int) -> None:
        size = max(steps, 1)
        self.rows = np.zeros((size, len(state.rows)), dtype=np.int64)
        self.acute_rows = np.zeros((size, len(ACUTE_ROWS)), dtype=np.int64)  # ACUTE_ROWS
        self.mean_trust = np.full(size, np.nan)
        self.trust_sd = np.full(size, np.nan)
        self.provider_totals = np.zeros_like(state.block)  # summed over measured steps
        # admissions after the warm-up by steps waited: every provider's, acute providers'
        self.histograms = np.zeros((2, max_wait_steps + 1), dtype=np.int64)
        self.wait_histogram, self.acute_histogram = self.histograms
        # measured midnight steps: per provider, beds occupied and available, summed
        self.night = np.zeros((2, state.block.shape[1]), dtype=np.int64)
        self.midnight = np.zeros(size, dtype=np.bool_)  # which steps end at 00:00
        self.marks = np.zeros(1, dtype=np.int64)  # midnight steps measured
        self.cuts: list[Snapshot] = []  # at the last step of each quarter after the warm-up
        self.measured_steps = 0
        self.steps_recorded = 0

    @property
    def nights(self) -> int:
        """Midnight steps measured."""
        return int(self.marks[0])

    def _grow(self) -> None:
        """Stepping past the configured run: double the series (rare, outside hot path)."""
        self.rows = np.concatenate([self.rows, np.zeros_like(self.rows)])
        self.acute_rows = np.concatenate([self.acute_rows, np.zeros_like(self.acute_rows)])
        self.mean_trust = np.concatenate([self.mean_trust, np.full_like(self.mean_trust, np.nan)])
        self.trust_sd = np.concatenate([self.trust_sd, np.full_like(self.trust_sd, np.nan)])
        self.midnight = np.concatenate([self.midnight, np.zeros_like(self.midnight)])


class Tape(NamedTuple):
    """The recorder's arrays the kernel writes."""

    rows: np.ndarray
    acute_rows: np.ndarray
    totals: np.ndarray
    night: np.ndarray
    midnight: np.ndarray
    marks: np.ndarray


class Watch(NamedTuple):
    """What the kernel reads: the state, and where the acute providers are."""

    block: np.ndarray
    acute: np.ndarray  # acute providers (state columns)
    acute_index: np.ndarray  # the state rows of ACUTE_ROWS, in its order
    index: np.ndarray  # state rows occupied, capacity


@njit(cache=True, error_model="numpy")
def _record(t, measuring, tape, watch):
    block = watch.block
    acute = watch.acute
    acute_index = watch.acute_index
    occupied_row, capacity_row = watch.index[0], watch.index[1]
    row = tape.rows[t]
    acute_row = tape.acute_rows[t]
    totals = tape.totals
    rows, n = block.shape
    for r in range(rows):
        s = 0
        for i in range(n):
            s += block[r, i]
        row[r] = s
    for k in range(acute_index.size):
        r = acute_index[k]
        s = 0
        for i in acute:
            s += block[r, i]
        acute_row[k] = s
    if measuring:
        for r in range(rows):
            for i in range(n):
                totals[r, i] += block[r, i]
        if tape.midnight[t]:
            night = tape.night
            for i in range(n):
                night[0, i] += block[occupied_row, i]
                night[1, i] += block[capacity_row, i]
            tape.marks[0] += 1


class Record(Phase):
    """Write this step's system and acute totals; accumulate per-provider totals after the
    warm-up, the midnight census, and a snapshot at each quarter's end."""

    name = "record"

    def reset(self) -> None:
        e = self.engine
        st, p = e.state, e.providers
        self.quarters = Quarters(e.config.demand.start_day_of_year, e.step_days)
        acute = np.flatnonzero(p.kind == ACUTE).astype(np.int64)
        acute_index = np.array([st.index[r] for r in ACUTE_ROWS], dtype=np.int64)
        index = np.array([st.index["occupied"], st.index["capacity"]], dtype=np.int64)
        watch = Watch(st.block, acute, acute_index, index)
        self.watch = packed(watch)[0]
        self._tape()
        self.kernel = compiled(_record, 0, False, self.tape, self.watch)

    def _tape(self) -> None:
        """Pack the recorder's arrays (again after they grow), mark the midnight steps and
        find the quarters' last steps up to the recorder's end."""
        rec, e = self.engine.recorder, self.engine
        rec.midnight[:] = midnights(e.step_days, 0, rec.rows.shape[0])
        self.tape = packed(Tape(rec.rows, rec.acute_rows, rec.provider_totals, rec.night,
                                rec.midnight, rec.marks))[0]  # fmt: skip
        ends = self.quarters.last_steps(0, rec.rows.shape[0])
        self.cuts = ends[ends >= max(e.warmup_steps, e.t)].tolist()[::-1]  # next one last

    def __call__(self) -> None:
        e = self.engine
        rec, t = e.recorder, e.t
        if t >= rec.rows.shape[0]:
            rec._grow()
            self._tape()
        measuring = e.measuring
        self.kernel(t, measuring, self.tape, self.watch)
        rec.mean_trust[t] = e.trust_mean
        rec.trust_sd[t] = e.trust_sd
        rec.steps_recorded = t + 1
        rec.measured_steps += measuring
        if self.cuts and self.cuts[-1] == t:
            self.cuts.pop()
            rec.cuts.append(Snapshot(t, rec.provider_totals.copy(), rec.night.copy(), rec.nights))
