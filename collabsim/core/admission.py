"""Queues: arrivals join as a cohort, the oldest are admitted first, waits are recorded.

``state.queue[u, s % R]`` holds the patients of bed pool ``u`` who arrived at step ``s``:
a ring of ``R`` = maximum wait + 1 steps, so a cohort stays where it is as it ages and
nothing is moved each step. Only arrival steps from the pool's ``state.beds.start`` on can
be non-empty, so the work per step follows each pool's longest wait, not the maximum
wait allowed. A patient admitted at step ``t`` who arrived at step ``s`` waited
``(t - s) * step_days``; one admitted in the step it arrived waited zero (the clock's
resolution is one step).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from collabsim.core.demand import Demand
from collabsim.core.kernel import compiled, packed
from collabsim.core.phase import Phase
from collabsim.core.pools import cumulate, pool_of
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
def _arrive(queue, rng, base, factor, t, negative_binomial, k, elective, rows, pools, beds, cum):
    lost = rows.lost
    electives = rows.electives
    booked = beds.booked
    arrivals = rows.arrivals
    waiting = rows.waiting
    first = pools.first
    pool_waiting = beds.waiting
    start = beds.start
    home = beds.home
    ring = queue.shape[1]
    slot = t % ring  # this step's arrivals take the slot of those who arrived `ring` ago
    leaving = t - ring  # ... who have waited the maximum and leave now, unadmitted
    n = first.size - 1
    for i in range(n):
        lo, hi = first[i], first[i + 1]
        gone = still = 0
        for u in range(lo, hi):
            # a pool's start is stale once it is empty (arrivals reset it below)
            if start[u] <= leaving and pool_waiting[u] > 0:  # its oldest cohort leaves
                q = queue[u, slot]
                gone += q
                pool_waiting[u] -= q
                queue[u, slot] = 0
                start[u] = leaving + 1
            still += pool_waiting[u]
        lost[i] = gone
        mean = base[i] * factor
        arrived = negative_binomial_draw(rng, k, mean) if negative_binomial else poisson(rng, mean)
        booking = binomial(rng, arrived, elective[i]) if elective[i] > 0.0 else 0
        arrived -= booking
        arrivals[i] = arrived
        electives[i] = booking
        # the provider's arrivals, each to one of its pools at random, by their beds
        if hi - lo == 1:
            _join(queue, pool_waiting, start, lo, slot, t, arrived)
            booked[lo] += booking
        elif arrived or booking:
            cumulate(home, lo, hi, cum)
            for _ in range(arrived):
                _join(queue, pool_waiting, start, pool_of(rng, lo, hi, cum), slot, t, 1)
            for _ in range(booking):
                booked[pool_of(rng, lo, hi, cum)] += 1
        # (assigned, not added: with one pool per provider the pool's row is this row)
        waiting[i] = still + arrived


@njit(cache=True, error_model="numpy", inline="always")
def _join(queue, pool_waiting, start, u, slot, t, k):
    """``k`` patients arriving at step ``t`` join pool u's queue."""
    if k:
        if pool_waiting[u] == 0:
            start[u] = t
        queue[u, slot] += k
        pool_waiting[u] += k


class Arrive(Phase):
    """Let who has waited the maximum go, draw this step's arrivals (cohorts age as the
    clock moves: the queue is a ring of arrival steps)."""

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
            np.zeros(e.pools.provider.size, dtype=np.int64),  # scratch: beds of pools so far
        )
        self.kernel = compiled(_arrive, *self.args, d.base_at(0), d.factor(0), 0, *self.tail)

    def __call__(self) -> None:
        d, t = self.demand, self.engine.t
        self.kernel(*self.args, d.base_at(t), d.factor(t), t, *self.tail)


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
    scratch,
    tally,
    t,
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
    spare = scratch[0]  # per pool: beds it spares for outliers
    held = scratch[1]  # a provider's pools with patients still waiting ...
    cursor = scratch[2]  # ... and the arrival step each has been scanned to
    pool_capacity = beds.capacity
    pool_occupied = beds.occupied
    pool_waiting = beds.waiting
    start = beds.start
    ring = queue.shape[1]
    n = first.size - 1
    for i in range(n):
        admitted = outliers = 0
        for k in range(tally.size):
            tally[k] = 0
        lo, hi = first[i], first[i + 1]
        oldest = t + 1  # the arrival step of the provider's oldest still waiting
        m = 0  # how many of its pools still have patients waiting (outliers)
        booked_in = turned_away = 0
        beds_taken = still_waiting = still_booked = 0  # the provider's rows, summed here
        for u in range(lo, hi):  # each pool admits its own patients, oldest first
            if booked[u] or pool_waiting[u]:
                free = max(pool_capacity[u] - pool_occupied[u], 0)
                if booked[u]:  # booked patients first, into the beds kept for them; who is
                    # still without a bed at the day's end is cancelled, comes back tomorrow
                    take = min(booked[u], free)
                    free -= take
                    pool_occupied[u] += take
                    in_treatment0[u] += take
                    booked_in += take
                    booked[u] -= take
                    if day_end:
                        turned_away += booked[u]
                left = pool_waiting[u]  # the queue's row sum: stop once all are seen
                took = 0
                s = start[u]  # arrival steps start[u]..t, oldest first
                slot = s % ring
                while s <= t and free > 0 and left > 0:
                    q = queue[u, slot]
                    if q > 0:
                        left -= q
                        take = min(q, free)
                        queue[u, slot] = q - take
                        free -= take
                        took += take
                        _tally(take, t - s, weights, tally, histograms, is_acute[i], measuring)
                    s += 1
                    slot = slot + 1 if slot + 1 < ring else 0
                pool_occupied[u] += took
                pool_waiting[u] -= took
                in_treatment0[u] += took
                admitted += took
                if pool_waiting[u]:
                    oldest = min(oldest, start[u])
            beds_taken += pool_occupied[u]
            still_waiting += pool_waiting[u]
            still_booked += booked[u]
        if oldest <= t:  # outliers: the oldest still waiting take beds other pools spare
            room = still = 0
            for u in range(lo, hi):
                keep = reserve[u] * pool_capacity[u]
                spare[u] = max(int(pool_capacity[u] - pool_occupied[u] - keep), 0)
                room += spare[u]
                if pool_waiting[u]:  # the pools with patients still waiting, in order
                    still += pool_waiting[u]
                    held[m] = u
                    cursor[m] = start[u]
                    m += 1
            while room > 0 and still > 0:
                # the cohort that arrived first among the pools still waiting (the lowest
                # pool on a tie): each pool's own cohorts are adjacent, so this scans
                # only them, not every pool at every step
                j, s = -1, t + 1
                for k in range(m):
                    u = held[k]
                    c = cursor[k]
                    while c <= t and queue[u, c % ring] == 0:
                        c += 1
                    cursor[k] = c
                    if c < s:
                        j, s = k, c
                u = held[j]
                slot = s % ring
                q = queue[u, slot]
                cursor[j] = s + 1
                still -= q
                take = min(q, room)
                queue[u, slot] = q - take
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
                _tally(take, t - s, weights, tally, histograms, is_acute[i], measuring)
        admissions[i] = admitted
        rows_elective_admissions[i] = booked_in
        rows_cancelled[i] = turned_away
        # assigned, not added: with one pool per provider the pools' rows are these rows
        rows_booked[i] = still_booked
        occupied[i] = beds_taken + outliers
        waiting[i] = still_waiting - outliers
        wait_steps[i] = tally[0]
        rows_breaches[i] = tally[1]
        rows_harms[i] = tally[2]
        rows_over_4h[i] = tally[3]
        rows_over_12h[i] = tally[4]
        rows_outliers[i] = outliers
        if oldest <= t:  # the oldest cohort still waiting starts each pool's ring (the
            # start of a pool with nobody waiting is stale: arrive resets it)
            for k in range(m):
                u = held[k]
                if pool_waiting[u]:
                    slot = start[u] % ring
                    while queue[u, slot] == 0:
                        start[u] += 1
                        slot = slot + 1 if slot + 1 < ring else 0


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
        self.scratch = np.zeros((3, e.pools.provider.size), dtype=np.int64)  # for outliers
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
            self.scratch,
            np.zeros(5, dtype=np.int64),  # scratch: a provider's tally (_tally)
        )
        self.kernel = compiled(_admit, *self.args, 0, False, False)

    def __call__(self) -> None:
        e = self.engine
        self.kernel(*self.args, e.t, (e.t + 1) % self.day == 0, e.measuring)
