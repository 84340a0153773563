"""Queues: arrivals join as a cohort, the oldest are admitted first, waits are recorded.

``state.queue[a, i]`` holds the patients at provider ``i`` who arrived ``a`` steps
ago. Only the first ``engine.queue_top`` rows can be non-empty, so the work per
step follows the longest wait, not the maximum wait allowed. A patient admitted
``a`` steps after arriving waited ``a * step_days``; one admitted in the step it
arrived waited zero (the clock's resolution is one step).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from numba import njit

from collabsim.core.random import negative_binomial as negative_binomial_draw
from collabsim.core.random import poisson
from collabsim.core.state import ROW

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@njit(cache=True, error_model="numpy")
def _arrive(queue, top, rng, base, factor, negative_binomial, k, block, rows):  # fmt: skip
    r_arrivals, r_lost, r_waiting = rows
    oldest = queue.shape[0] - 1
    n = queue.shape[1]
    if top > oldest:  # someone has waited the maximum: they leave unadmitted
        for i in range(n):
            block[r_lost, i] = queue[oldest, i]
        top = oldest
    else:
        for i in range(n):
            block[r_lost, i] = 0
    for a in range(top, 0, -1):
        for i in range(n):
            queue[a, i] = queue[a - 1, i]
    for i in range(n):
        mean = base[i] * factor
        arrived = negative_binomial_draw(rng, k, mean) if negative_binomial else poisson(rng, mean)
        queue[0, i] = arrived
        block[r_arrivals, i] = arrived
        block[r_waiting, i] += arrived - block[r_lost, i]
    return top + 1


ARRIVE_ROWS = (ROW["arrivals"], ROW["lost"], ROW["waiting"])


def arrive(engine: Engine) -> None:
    """Age every waiting cohort by one step, let the oldest go, draw this step's arrivals."""
    d, t = engine.demand, engine.t
    engine.queue_top = _arrive(
        engine.state.queue, engine.queue_top, engine.rng_arrivals, d.base_at(t), d.factor(t),
        d.negative_binomial, d.k_step, engine.state.block, ARRIVE_ROWS,
    )  # fmt: skip


@njit(cache=True, error_model="numpy")
def _admit(queue, top, block, in_treatment0, wait_weights, histogram, measuring, rows):  # fmt: skip
    r_cap, r_occ, r_wait, r_adm, r_steps, r_breach, r_harm = rows
    n = queue.shape[1]
    new_top = 0
    for i in range(n):
        free = max(block[r_cap, i] - block[r_occ, i], 0)
        admitted = steps = breaches = harms = 0
        a = top - 1
        while a >= 0 and free > 0:
            q = queue[a, i]
            if q > 0:
                take = min(q, free)
                queue[a, i] = q - take
                free -= take
                admitted += take
                steps += take * wait_weights[0, a]
                breaches += take * wait_weights[1, a]
                harms += take * wait_weights[2, a]
                if measuring:
                    histogram[a] += take
            a -= 1
        block[r_adm, i] = admitted
        block[r_occ, i] += admitted
        block[r_wait, i] -= admitted
        in_treatment0[i] += admitted
        block[r_steps, i] = steps
        block[r_breach, i] = breaches
        block[r_harm, i] = harms
        if block[r_wait, i] > 0:  # the oldest cohort still waiting sets the queue's top
            a = top - 1
            while a >= new_top and queue[a, i] == 0:
                a -= 1
            new_top = max(new_top, a + 1)
    return new_top


ADMIT_ROWS = tuple(
    ROW[r]
    for r in ("capacity", "occupied", "waiting", "admissions", "wait_steps", "breaches", "harms")
)


def admit(engine: Engine) -> None:
    """Fill free beds oldest-first from the waiting cohorts; record each cohort's wait."""
    st = engine.state
    engine.queue_top = _admit(
        st.queue, engine.queue_top, st.block, st.in_treatment[0], engine.wait_weights,
        engine.recorder.wait_histogram, engine.measuring, ADMIT_ROWS,
    )  # fmt: skip
