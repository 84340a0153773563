"""Queues: arrivals join as a cohort, the oldest are admitted first, waits are recorded.

``state.queue[a, i]`` holds the patients at provider ``i`` who arrived ``a`` steps
ago. Only a pool's rows below its top (``state.beds.top``) can be non-empty, so the work
per step follows each pool's longest wait, not the maximum wait allowed. A patient admitted ``a``
steps after arriving waited ``a * step_days``; one admitted in the step it arrived
waited zero (the clock's resolution is one step).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from collabsim.core.demand import Demand
from collabsim.core.kernel import compiled, packed
from collabsim.core.phase import Phase
from collabsim.core.pools import gather, scatter
from collabsim.core.random import binomial, poisson
from collabsim.core.random import negative_binomial as negative_binomial_draw
from collabsim.core.state import ACUTE, flow, level


class ArriveRows(NamedTuple):
    arrivals: np.ndarray
    electives: np.ndarray
    lost: np.ndarray
    waiting: np.ndarray


class AdmitRows(NamedTuple):
    occupied: np.ndarray
    waiting: np.ndarray
    admissions: np.ndarray
    wait_steps: np.ndarray
    breaches: np.ndarray
    harms: np.ndarray
    over_4h: np.ndarray
    over_12h: np.ndarray
    outliers: np.ndarray
    elective_admissions: np.ndarray
    cancelled: np.ndarray
    booked: np.ndarray


class WaitWeights(NamedTuple):
    """Per age in steps (the queue's rows): what one admission at that age adds."""

    steps: np.ndarray  # steps waited
    breach: np.ndarray  # 1 from the target wait on
    harm: np.ndarray  # 1 from the harm threshold on
    over_4h: np.ndarray  # 1 from 4 hours on (the published thresholds, fixed)
    over_12h: np.ndarray  # 1 from 12 hours on


@njit(cache=True, error_model="numpy")
def _arrive(queue, rng, base, factor, negative_binomial, k, elective, rows, pools, beds, scratch):
    lost = rows.lost
    electives = rows.electives
    booked = beds.booked
    arrivals = rows.arrivals
    waiting = rows.waiting
    first = pools.first
    pool_waiting = beds.waiting
    pool_top = beds.top
    oldest = queue.shape[0] - 1
    n = first.size - 1
    # Each pool's cohorts age one step (only its rows below its top can be non-empty,
    # so the work follows each pool's longest wait); who has waited the maximum leaves.
    for i in range(n):
        gone = 0
        for u in range(first[i], first[i + 1]):
            rows_used = pool_top[u]
            if rows_used > oldest:  # someone here has waited the maximum: they leave
                gone += queue[oldest, u]
                pool_waiting[u] -= queue[oldest, u]
                rows_used = oldest
            for a in range(rows_used, 0, -1):
                queue[a, u] = queue[a - 1, u]
            pool_top[u] = rows_used + 1  # row 0: this step's arrivals, drawn below
        lost[i] = gone
    for i in range(n):
        lo, hi = first[i], first[i + 1]
        mean = base[i] * factor
        arrived = negative_binomial_draw(rng, k, mean) if negative_binomial else poisson(rng, mean)
        booking = binomial(rng, arrived, elective[i]) if elective[i] > 0.0 else 0
        arrived -= booking
        arrivals[i] = arrived
        electives[i] = booking
        # the provider's arrivals, each to one of its (equal) pools at random
        scatter(rng, arrived, lo, hi, scratch)
        for u in range(lo, hi):
            queue[0, u] = scratch[u]
            pool_waiting[u] += scratch[u]
        scatter(rng, booking, lo, hi, scratch)
        for u in range(lo, hi):
            booked[u] += scratch[u]
        gather(first, pool_waiting, waiting, i)


class Arrive(Phase):
    """Age every waiting cohort by one step, let the oldest go, draw this step's arrivals."""

    name = "arrive"
    rows = (
        flow("arrivals", "joined a queue (emergency patients)"),
        flow("electives", "booked (elective) patients arriving for a bed"),
        flow("lost", "left a queue unadmitted after the maximum wait"),
    )

    def __init__(self, engine) -> None:  # noqa: ANN001 - Engine
        super().__init__(engine)
        self.demand = Demand(engine.providers, engine.config.demand, engine.clock)
        p, share = engine.providers, engine.config.demand.elective_share
        self.elective = np.where(p.kind == ACUTE, float(share), 0.0)  # per provider

    def reset(self) -> None:
        e, d = self.engine, self.demand
        st = e.state
        self.args = (st.queue, e.rng_arrivals)
        self.tail = packed(
            d.negative_binomial,
            d.k_step,
            self.elective,
            st.bundle(ArriveRows),
            e.pools,
            st.beds,
            np.zeros(e.pools.provider.size, dtype=np.int64),  # scratch: arrivals per pool
        )
        self.kernel = compiled(_arrive, *self.args, d.base_at(0), d.factor(0), *self.tail)

    def __call__(self) -> None:
        d, t = self.demand, self.engine.t
        self.kernel(*self.args, d.base_at(t), d.factor(t), *self.tail)


@njit(cache=True, error_model="numpy", inline="always")
def _tally(take, a, weights, tally, histograms, acute, measuring):
    """Count ``take`` admissions that waited ``a`` steps: steps waited, breaches, harm,
    waits of 4 and of 12 hours, and (after the warm-up) the histograms of waits (all
    providers; acute providers, whose waits the published figures count)."""
    tally[0] += take * weights.steps[a]
    tally[1] += take * weights.breach[a]
    tally[2] += take * weights.harm[a]
    tally[3] += take * weights.over_4h[a]
    tally[4] += take * weights.over_12h[a]
    if measuring:
        histograms[0, a] += take
        if acute:
            histograms[1, a] += take


@njit(cache=True, error_model="numpy")
def _admit(
    queue,
    rows,
    in_treatment0,
    weights,
    histograms,
    is_acute,
    pools,
    beds,
    spare,
    tally,
    day_end,
    measuring,
):
    occupied = rows.occupied
    waiting = rows.waiting
    admissions = rows.admissions
    wait_steps = rows.wait_steps
    rows_breaches = rows.breaches
    rows_harms = rows.harms
    rows_over_4h = rows.over_4h
    rows_over_12h = rows.over_12h
    rows_outliers = rows.outliers
    rows_elective_admissions = rows.elective_admissions
    rows_cancelled = rows.cancelled
    rows_booked = rows.booked
    booked = beds.booked
    first = pools.first
    reserve = pools.reserve
    pool_capacity = beds.capacity
    pool_occupied = beds.occupied
    pool_waiting = beds.waiting
    pool_top = beds.top
    n = first.size - 1
    for i in range(n):
        admitted = outliers = 0
        tally[:] = 0
        lo, hi = first[i], first[i + 1]
        longest = 0  # the provider's longest wait (rows), for outliers
        booked_in = turned_away = 0
        for u in range(lo, hi):  # each pool admits its own patients, oldest first
            free = max(pool_capacity[u] - pool_occupied[u], 0)
            if booked[u]:  # booked patients first, into the beds kept for them; who is
                # still without a bed at the day's end is cancelled, and comes back tomorrow
                take = min(booked[u], free)
                free -= take
                pool_occupied[u] += take
                in_treatment0[u] += take
                booked_in += take
                booked[u] -= take
                if day_end:
                    turned_away += booked[u]
            left = pool_waiting[u]  # the queue's column sum: stop once all are seen
            took = 0
            longest = max(longest, pool_top[u])
            a = pool_top[u] - 1
            while a >= 0 and free > 0 and left > 0:
                q = queue[a, u]
                if q > 0:
                    left -= q
                    take = min(q, free)
                    queue[a, u] = q - take
                    free -= take
                    took += take
                    _tally(take, a, weights, tally, histograms, is_acute[i], measuring)
                a -= 1
            pool_occupied[u] += took
            pool_waiting[u] -= took
            in_treatment0[u] += took
            admitted += took
        if hi - lo > 1:  # outliers: the oldest still waiting take beds other pools spare
            room = 0
            for u in range(lo, hi):
                keep = reserve[u] * pool_capacity[u]
                spare[u] = max(int(pool_capacity[u] - pool_occupied[u] - keep), 0)
                room += spare[u]
            still = 0
            for u in range(lo, hi):
                still += pool_waiting[u]
            a = longest - 1
            while a >= 0 and room > 0 and still > 0:
                for u in range(lo, hi):
                    q = queue[a, u]
                    if q == 0 or room == 0:
                        continue
                    still -= q
                    take = min(q, room)
                    queue[a, u] = q - take
                    pool_waiting[u] -= take
                    room -= take
                    placed = take
                    while placed > 0:  # into the pools with most beds to spare
                        best = lo
                        for v in range(lo + 1, hi):
                            if spare[v] > spare[best]:
                                best = v
                        x = min(spare[best], placed)
                        spare[best] -= x
                        pool_occupied[best] += x
                        in_treatment0[best] += x
                        placed -= x
                    outliers += take
                    admitted += take
                    _tally(take, a, weights, tally, histograms, is_acute[i], measuring)
                a -= 1
        admissions[i] = admitted
        rows_elective_admissions[i] = booked_in
        rows_cancelled[i] = turned_away
        gather(first, booked, rows_booked, i)
        gather(first, pool_occupied, occupied, i)
        gather(first, pool_waiting, waiting, i)
        wait_steps[i] = tally[0]
        rows_breaches[i] = tally[1]
        rows_harms[i] = tally[2]
        rows_over_4h[i] = tally[3]
        rows_over_12h[i] = tally[4]
        rows_outliers[i] = outliers
        for u in range(lo, hi):  # the oldest cohort still waiting sets the pool's top
            a = pool_top[u] - 1
            if pool_waiting[u] == 0:
                a = -1
            while a >= 0 and queue[a, u] == 0:
                a -= 1
            pool_top[u] = a + 1


class Admit(Phase):
    """Fill free beds oldest-first from the waiting cohorts; record each cohort's wait."""

    name = "admit"
    rows = (
        flow("admissions", "admitted from a queue into a bed"),
        flow("wait_steps", "steps waited, summed over this step's admissions", "steps"),
        flow("breaches", "admissions that waited at least the target"),
        flow("harms", "admissions that waited at least the harm threshold"),
        flow("over_4h", "admissions that waited at least 4 hours for a bed"),
        flow("over_12h", "admissions that waited at least 12 hours for a bed"),
        flow("outliers", "admissions into another pool (ward) of the provider than their own"),
        flow("elective_admissions", "booked patients admitted (not counted in admissions)"),
        flow("cancelled", "booked admissions cancelled at a day's end for want of a bed"),
        level("booked", "booked patients not yet admitted (cancelled ones come back next day)"),
    )

    def __init__(self, engine) -> None:  # noqa: ANN001 - Engine
        super().__init__(engine)
        metrics, clock = engine.config.metrics, engine.clock
        ages = np.arange(engine.max_wait_steps + 1)
        waited = clock.days(ages)
        eps = 1e-9
        self.weights = WaitWeights(
            ages.astype(np.int64),
            (waited >= metrics.target_wait_days - eps).astype(np.int64),
            (waited >= metrics.harm_wait_days - eps).astype(np.int64),
            (waited >= 4 / 24 - eps).astype(np.int64),
            (waited >= 12 / 24 - eps).astype(np.int64),
        )

    def reset(self) -> None:
        e = self.engine
        st = e.state
        self.spare = np.zeros(e.pools.provider.size, dtype=np.int64)  # scratch: outlier beds
        self.day = max(1, e.clock.steps(1.0))  # steps in a day
        self.args = packed(
            st.queue,
            st.bundle(AdmitRows),
            st.in_treatment[0],
            self.weights,
            e.recorder.histograms,
            e.providers.kind == ACUTE,
            e.pools,
            st.beds,
            self.spare,
            np.zeros(5, dtype=np.int64),  # scratch: a provider's tally (_tally)
        )
        self.kernel = compiled(_admit, *self.args, False, False)

    def __call__(self) -> None:
        e = self.engine
        self.kernel(*self.args, (e.t + 1) % self.day == 0, e.measuring)
