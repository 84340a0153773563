"""Discharge: stays end, and some acute patients become delayed discharges.

A stay ends with a per-step probability from the length-of-stay distribution,
scaled by a weekday factor (fewer discharges at weekends, normalised so the
weekly mean rate is kept). Exponential stays need one bucket (constant hazard);
lognormal stays are tracked by steps into the stay. The step-length discretisation uses
geometric stays with the exact mean (p = step / mean stay), so bed-days match
the configured mean at any step length and converge to exponential as the step
shrinks.

A share of acute discharges needs an onward community/social-care place: those
patients stay in their acute bed as delayed discharges. Each step a delayed
patient's onward care is arranged with probability step / ``pathway.arrangement_days``
times the step's weekday factor (mean one over a week, so the weekly mean rate is
kept); arranged patients then wait for a free place, which the pathway finds
(``pathway.py``). All draws are exact binomials from the run's
length-of-stay stream (``random.py``), inside one compiled kernel.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numba import njit

from collabsim.core.calendar import Weekly
from collabsim.core.random import binomial
from collabsim.core.state import ACUTE, ROW, Providers

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


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
    the weekday factor (fewer discharges at weekends, weekly mean kept)."""

    def __init__(
        self, providers: Providers, discharge: Any, pathway: Any, step_days: float
    ) -> None:
        self.stay_end = stay_end_probabilities(providers.los_days, discharge, step_days)
        self.buckets = self.stay_end.shape[0]
        self.acute = np.flatnonzero(providers.kind == ACUTE)
        self.share = float(pathway.share)
        self.arrange = min(step_days / pathway.arrangement_days, 1.0)
        wf = discharge.weekend_factor
        self.weekday = Weekly([1, 1, 1, 1, 1, wf, wf], step_days)


@njit(cache=True, error_model="numpy")
def _discharge(rng, in_treatment, stay_end, factor, arrange, share, acute, block, rows):  # noqa: E501  # fmt: skip
    r_occ, r_delayed, r_arranged, r_new, r_dis = rows
    buckets, n = in_treatment.shape
    for i in range(n):
        ended = 0
        for a in range(buckets):
            k = binomial(rng, in_treatment[a, i], min(stay_end[a, i] * factor, 1.0))
            in_treatment[a, i] -= k
            ended += k
        block[r_dis, i] = ended
    arrange = min(arrange * factor, 1.0)
    for j in range(acute.size):
        i = acute[j]
        # delayed patients not yet arranged: is their onward care arranged this step?
        block[r_arranged, i] += binomial(rng, block[r_delayed, i] - block[r_arranged, i], arrange)
        # of this step's acute discharges, those who need an onward place stay, delayed
        new = binomial(rng, block[r_dis, i], share)
        block[r_new, i] = new
        block[r_delayed, i] += new
        block[r_dis, i] -= new
    for i in range(n):
        block[r_occ, i] -= block[r_dis, i]
    if buckets > 1:  # one more step of stay for everyone still in treatment
        for i in range(n):
            in_treatment[buckets - 1, i] += in_treatment[buckets - 2, i]
            for a in range(buckets - 2, 0, -1):
                in_treatment[a, i] = in_treatment[a - 1, i]
            in_treatment[0, i] = 0


DISCHARGE_ROWS = tuple(
    ROW[r] for r in ("occupied", "delayed", "arranged", "new_delayed", "discharges")
)


def discharge(engine: Engine) -> None:
    """End stays, send a share of acute discharges to the delayed list, arrange places."""
    stays, st = engine.stays, engine.state
    _discharge(
        engine.rng_los, st.in_treatment, stays.stay_end, stays.weekday.factor(engine.t),
        stays.arrange, stays.share, stays.acute, st.block, DISCHARGE_ROWS,
    )  # fmt: skip
