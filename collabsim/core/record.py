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

Acute waits by the hour need a histogram of acute admissions by steps waited, but the
admission kernel keeps one histogram for every provider. The recorder recovers the
admissions by age of one side, acute providers or the others, whichever has fewer queue
columns (acute providers split into wards have thousands; the others one each), and
the acute histogram is that side's, or the whole histogram minus the others'. It keeps
that side's queue by age at the end of each step and finds this step's admissions at
each age as what aged into the row minus what is left: patients leave a queue row only
by admission (the oldest leave unadmitted in ``arrive``, before ageing; transfers move
them between providers of the same kind at the same age; outliers stay within their
provider; booked patients never queue). The admissions found must add up to the side's
admissions row; a step where they do not (a queue set by hand, say) is counted in
``acute_mismatches``, the queue is read afresh, and the acute histogram is not used
(see metrics). Converting to pandas happens once, at the end, outside the engine.
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
        self.wait_histogram = np.zeros(max_wait_steps + 1, dtype=np.int64)  # admissions by wait
        # one side's (acute or the others') admissions by steps waited (measured), its
        # queue by age now, and scratch for the queue's row sums
        self.side_acute = True
        self.side_histogram = np.zeros(max_wait_steps + 1, dtype=np.int64)
        self.side_queue = np.zeros(max_wait_steps + 1, dtype=np.int64)
        self.scratch = np.zeros(max_wait_steps + 1, dtype=np.int64)
        # measured midnight steps: per provider, beds occupied and available, summed
        self.night = np.zeros((2, state.block.shape[1]), dtype=np.int64)
        self.midnight = np.zeros(size, dtype=np.bool_)  # which steps end at 00:00
        # [side's queue rows that may be non-empty, mismatches measured, nights measured]
        self.marks = np.zeros(3, dtype=np.int64)
        self.cuts: list[Snapshot] = []  # at the last step of each quarter after the warm-up
        self.measured_steps = 0
        self.steps_recorded = 0

    @property
    def acute_histogram(self) -> np.ndarray:
        """Acute admissions after the warm-up by steps waited."""
        if self.side_acute:
            return self.side_histogram
        return self.wait_histogram - self.side_histogram

    @property
    def acute_mismatches(self) -> int:
        """Measured steps whose admissions by age could not be recovered."""
        return int(self.marks[1])

    @property
    def nights(self) -> int:
        """Midnight steps measured."""
        return int(self.marks[2])

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
    histogram: np.ndarray
    queue_by_age: np.ndarray
    scratch: np.ndarray
    marks: np.ndarray


class Watch(NamedTuple):
    """What the kernel reads: the state, and where the acute providers are."""

    block: np.ndarray
    queue: np.ndarray
    pool_top: np.ndarray  # per queue column: only its rows below this can be non-empty
    acute: np.ndarray  # acute providers (state columns)
    side: np.ndarray  # the queue columns whose admissions by age are recovered
    acute_index: np.ndarray  # the state rows of ACUTE_ROWS, in its order
    # state rows occupied, capacity, arrivals, admissions; ACUTE_ROWS arrivals, admissions;
    # 1 if the side is the acute providers
    index: np.ndarray


@njit(cache=True, error_model="numpy")
def _record(t, measuring, tape, watch):
    block = watch.block
    queue = watch.queue
    pool_top = watch.pool_top
    acute = watch.acute
    side = watch.side
    acute_index = watch.acute_index
    occupied_row, capacity_row, arrivals_row, admissions_row = watch.index[:4]
    arrivals_at, admissions_at, side_acute = watch.index[4:]
    row = tape.rows[t]
    acute_row = tape.acute_rows[t]
    totals = tape.totals
    marks = tape.marks
    by_age = tape.queue_by_age
    now = tape.scratch
    histogram = tape.histogram
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
            marks[2] += 1
    # The side's admissions by age: what aged into each row of its queue since the last
    # step (this step's arrivals into row 0) minus what is left in it now. Its patients
    # can only be in the rows up to its last step's top, aged by one.
    arrived, admitted = acute_row[arrivals_at], acute_row[admissions_at]
    if not side_acute:
        arrived, admitted = row[arrivals_row] - arrived, row[admissions_row] - admitted
    oldest = queue.shape[0] - 1
    scan = min(marks[0] + 1, oldest + 1)
    for a in range(scan):
        now[a] = 0
    for c in side:
        for a in range(min(pool_top[c], scan)):
            now[a] += queue[a, c]
    found = 0
    ok = True
    top = 0
    for a in range(scan - 1, -1, -1):
        before = arrived if a == 0 else by_age[a - 1]
        took = before - now[a]
        if took < 0:
            ok = False
        found += took
        if measuring:
            histogram[a] += took
        by_age[a] = now[a]
        if now[a] > 0 and top == 0:
            top = a + 1
    if found != admitted:
        ok = False
    if not ok:  # the queue changed some other way: count it, and read it afresh
        if measuring:
            marks[1] += 1
        for a in range(oldest + 1):
            by_age[a] = 0
        for c in side:
            for a in range(pool_top[c]):
                by_age[a] += queue[a, c]
        top = 0
        for a in range(oldest + 1):
            if by_age[a] > 0:
                top = a + 1
    marks[0] = top


class Record(Phase):
    """Write this step's system and acute totals; accumulate per-provider totals after the
    warm-up, the midnight census, and a snapshot at each quarter's end."""

    name = "record"

    def reset(self) -> None:
        e = self.engine
        rec, st, p = e.recorder, e.state, e.providers
        self.quarters = Quarters(e.config.demand.start_day_of_year, e.step_days)
        acute = np.flatnonzero(p.kind == ACUTE).astype(np.int64)
        # The queue's columns are bed pools (one per provider unless wards split them);
        # recover the side with fewer of them.
        in_acute = p.kind[e.pools.provider] == ACUTE
        rec.side_acute = bool(in_acute.sum() <= (~in_acute).sum())
        side = np.flatnonzero(in_acute if rec.side_acute else ~in_acute).astype(np.int64)
        acute_index = np.array([st.index[r] for r in ACUTE_ROWS], dtype=np.int64)
        index = np.array([st.index["occupied"], st.index["capacity"], st.index["arrivals"],
                          st.index["admissions"], ACUTE_ROW["arrivals"], ACUTE_ROW["admissions"],
                          int(rec.side_acute)], dtype=np.int64)  # fmt: skip
        watch = Watch(st.block, st.queue, st.beds.top, acute, side, acute_index, index)
        self.watch = packed(watch)[0]
        self._tape()
        self.kernel = compiled(_record, 0, False, self.tape, self.watch)

    def _tape(self) -> None:
        """Pack the recorder's arrays (again after they grow), mark the midnight steps and
        find the quarters' last steps up to the recorder's end."""
        rec, e = self.engine.recorder, self.engine
        rec.midnight[:] = midnights(e.step_days, 0, rec.rows.shape[0])
        self.tape = packed(Tape(rec.rows, rec.acute_rows, rec.provider_totals, rec.night,
                                rec.midnight, rec.side_histogram, rec.side_queue, rec.scratch,
                                rec.marks))[0]  # fmt: skip
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
