"""Discharge: stays end, and some acute patients become delayed discharges.

A stay ends with a per-step probability from the length-of-stay distribution,
scaled by a weekday factor (fewer discharges at weekends, normalised so the
weekly mean rate is kept) and, with ``discharge.hourly``, an hour-of-day factor
(most discharges in the afternoon; normalised so the daily mean rate is kept).
Exponential stays need one bucket (constant hazard); lognormal stays are tracked
by steps into the stay. The step-length discretisation uses geometric stays with
the exact mean (p = step / mean stay), so bed-days match the configured mean at
any step length and converge to exponential as the step shrinks.

A share of acute discharges needs an onward community/social-care place: those
patients stay in their acute bed as delayed discharges. Each step a delayed
patient's onward care is arranged with probability step / ``pathway.arrangement_days``
times the same weekday and hour-of-day factor, so the mean rate is kept; arranged
patients then wait for a free place, which the pathway finds (``pathway.py``). All
draws are exact binomials from the run's length-of-stay stream (``random.py``),
inside one compiled kernel.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
from numba import njit

from collabsim.core.calendar import Rhythm
from collabsim.core.kernel import compiled, packed
from collabsim.core.phase import Phase
from collabsim.core.pools import pick
from collabsim.core.random import binomial, uniform
from collabsim.core.state import ACUTE, Providers, flow, level


def _lognormal_survival(x: np.ndarray, mean: np.ndarray, sigma: float) -> np.ndarray:
    """P(stay > x) for lognormal stays with the given means; x broadcast against mean."""
    mu = np.log(mean) - sigma**2 / 2
    with np.errstate(divide="ignore"):
        z = (np.log(np.maximum(x, 1e-300)) - mu) / (sigma * math.sqrt(2))
    erfc = np.vectorize(math.erfc, otypes=[float])
    return np.where(x <= 0, 1.0, 0.5 * erfc(z))


def stay_end_probabilities(los_days: np.ndarray, discharge: Any, step_days: float) -> np.ndarray:
    """Per-step probability that a stay ends, shape (buckets, n), before weekday scaling.

    Returns hazards as rates per step so weekday factors can multiply them.
    """
    if discharge.los == "exponential":
        return np.minimum(step_days / los_days, 1.0)[None, :]
    buckets = max(2, int(math.ceil(discharge.los_horizon_days / step_days)))
    # Stays rounded to the nearest whole step (at least one), so the mean is kept.
    edges = (np.arange(buckets + 1) + 0.5)[:, None] * step_days
    # Providers share a few distinct mean stays: evaluate each once.
    means, which = np.unique(los_days, return_inverse=True)
    surv = _lognormal_survival(edges, means[None, :], discharge.lognormal_sigma)[:, which]
    surv[0] = 1.0  # every stay lasts at least one step
    # P(stay ends in bucket a | it lasted a steps) = (S(a) - S(a+1)) / S(a)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(surv[:-1] > 0, (surv[:-1] - surv[1:]) / surv[:-1], 1.0)
    p[-1] = np.maximum(p[-2], p[-1])  # the tail bucket keeps the last hazard
    return np.clip(p, 0.0, 1.0)


class Stays:
    """Per-step probabilities of ending a stay and of arranging an onward place, before
    the weekday and hour-of-day factor (fewer discharges at weekends and at night, mean kept)."""

    def __init__(
        self,
        providers: Providers,
        discharge: Any,
        pathway: Any,
        step_days: float,
        has_partner: np.ndarray,
    ) -> None:
        self.stay_end = stay_end_probabilities(providers.los_days, discharge, step_days)
        self.buckets = self.stay_end.shape[0]
        self.acute = np.flatnonzero(providers.kind == ACUTE)
        # per acute provider: the share of its discharges that need an onward place; an
        # acute provider with no step-down partner sends everyone home (they would
        # otherwise wait for a place that does not exist)
        self.share = np.where(has_partner, float(pathway.share), 0.0)
        self.arrange = min(step_days / pathway.arrangement_days, 1.0)
        wf = discharge.weekend_factor
        # fewer discharges at weekends and, with discharge.hourly, most in the afternoon
        self.rhythm = Rhythm([1, 1, 1, 1, 1, wf, wf], discharge.hourly, step_days)


class DischargeRows(NamedTuple):
    occupied: np.ndarray
    delayed: np.ndarray
    arranged: np.ndarray
    new_delayed: np.ndarray
    discharges: np.ndarray


@njit(cache=True, error_model="numpy")
def _discharge(
    rng, in_treatment, stay_end, factor, arrange, share, acute, rows, pools, beds, scratch
):
    discharges = rows.discharges
    arranged = rows.arranged
    delayed = rows.delayed
    new_delayed = rows.new_delayed
    occupied = rows.occupied
    first = pools.first
    pool_occupied = beds.occupied
    pool_delayed = beds.delayed
    pool_arranged = beds.arranged
    ended = scratch[0]  # per pool: stays ended this step (then: those going home); zero
    # between calls
    buckets = in_treatment.shape[0]
    n = first.size - 1
    # One draw per provider (and bucket), split over its pools exactly (pools.pick).
    for i in range(n):
        lo, hi = first[i], first[i + 1]
        total = 0
        for a in range(buckets):
            if buckets == 1:  # everyone in treatment: the provider's row says how many
                here = occupied[i] - delayed[i]
            else:
                here = 0
                for u in range(lo, hi):
                    here += in_treatment[a, u]
            k = binomial(rng, here, min(stay_end[a, i] * factor, 1.0))
            pick(rng, k, here, in_treatment[a], lo, hi, ended)
            total += k
        discharges[i] = total
    arrange = min(arrange * factor, 1.0)
    for j in range(acute.size):
        i = acute[j]
        lo, hi = first[i], first[i + 1]
        # delayed patients not yet arranged: is their onward care arranged this step?
        unarranged = delayed[i] - arranged[i]
        arrange_some(rng, binomial(rng, unarranged, arrange), unarranged, beds, lo, hi)
        # of this step's acute discharges, those who need an onward place stay, delayed
        fresh = binomial(rng, discharges[i], share[j])
        pick(rng, fresh, discharges[i], ended, lo, hi, pool_delayed)
        new_delayed[i] = fresh
        discharges[i] -= fresh
    for i in range(n):  # who goes home leaves a bed; the provider's rows are its pools'
        taken = held = ready = 0
        for u in range(first[i], first[i + 1]):
            pool_occupied[u] -= ended[u]
            ended[u] = 0
            taken += pool_occupied[u]
            held += pool_delayed[u]
            ready += pool_arranged[u]
        # assigned, not added: with one pool per provider the pools' rows are these rows
        occupied[i] = taken
        delayed[i] = held
        arranged[i] = ready
    if buckets > 1:  # one more step of stay for everyone still in treatment
        for u in range(in_treatment.shape[1]):
            in_treatment[buckets - 1, u] += in_treatment[buckets - 2, u]
            for a in range(buckets - 2, 0, -1):
                in_treatment[a, u] = in_treatment[a - 1, u]
            in_treatment[0, u] = 0


@njit(cache=True, error_model="numpy")
def arrange_some(rng, k, total, beds, lo, hi):
    """Onward care arranged for ``k`` of the ``total`` delayed patients not yet arranged in
    pools ``lo:hi``, chosen at random without replacement (``pools.pick``, reading each
    pool's count as delayed - arranged instead of keeping it in an array)."""
    delayed = beds.delayed
    arranged = beds.arranged
    if hi - lo == 1:
        arranged[lo] += k
        return
    left = total
    for _ in range(k):
        r = int(uniform(rng) * left)
        for u in range(lo, hi):
            r -= delayed[u] - arranged[u]
            if r < 0:
                arranged[u] += 1
                break
        left -= 1


class Discharge(Phase):
    """End stays, send a share of acute discharges to the delayed list, arrange places."""

    name = "discharge"
    rows = (
        level("delayed", "acute patients medically fit but waiting for an onward place"),
        level(
            "arranged",
            "of those, the ones whose onward care is arranged (waiting for a free place)",
        ),
        flow("discharges", "left a bed for home (or died): the end of a stay"),
        flow("new_delayed", "medically fit acute patients who now need an onward place"),
    )

    def __init__(self, engine) -> None:  # noqa: ANN001 - Engine
        super().__init__(engine)
        cfg = engine.config
        has_partner = np.diff(engine.pathway.links.src_start) > 0
        self.stays = Stays(
            engine.providers, cfg.discharge, cfg.pathway, engine.clock.step_days, has_partner
        )

    def reset(self) -> None:
        e, stays = self.engine, self.stays
        self.scratch = np.zeros((1, e.pools.provider.size), dtype=np.int64)  # per pool
        self.head = packed(e.rng_los, e.state.in_treatment, stays.stay_end)
        self.tail = packed(
            stays.arrange,
            stays.share,
            stays.acute,
            e.state.bundle(DischargeRows),
            e.pools,
            e.state.beds,
            self.scratch,
        )
        self.kernel = compiled(_discharge, *self.head, 1.0, *self.tail)

    def __call__(self) -> None:
        self.kernel(*self.head, self.stays.rhythm.factor(self.engine.t), *self.tail)
