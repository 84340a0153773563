"""Bed pools: wards or specialty groups inside a provider, each with its own beds and queue.

Real hospitals wait because their beds are not one pool: a patient needs a bed on
the right ward or specialty, and a bed free elsewhere helps only if the patient may
be placed there as an *outlier*. With ``wards.beds`` set, each acute provider's beds
are split into ``round(beds / wards.beds)`` pools of near-equal size; each pool has
a share of the provider's demand in proportion to its beds (each arrival joins one of
them at random), so every pool carries its provider's load,
its own queue, stays and delayed discharges. A patient waits for a bed in their own
pool; once every pool has admitted its own patients (oldest first), the oldest still
waiting anywhere in the provider may take a free bed in another of its pools while
that pool keeps more than ``wards.reserve`` of its beds free for its own patients.

Pools are the rows of the queue (``state.queue[u, s % R]``, a ring of arrival steps)
and the columns of the stays (``state.in_treatment[a, u]``); ``Beds`` holds their
capacity, occupancy, queue length and delayed discharges. A provider's rows in the
state are the sums over its pools (``gather``). Without wards every provider is one
pool and ``Beds`` *is* the state's rows (the same arrays), so nothing is copied and
results are exactly those of a model without pools. Kernels change a pool's numbers, then gather.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numba import njit

from collabsim.core.random import uniform
from collabsim.core.state import ACUTE, Beds, Providers

__all__ = [
    "Beds",
    "PoolMap",
    "add_beds",
    "cumulate",
    "gather",
    "pick",
    "pool_of",
    "pool_map",
    "split",
    "take_free_beds",
    "take_surplus_beds",
]


class PoolMap(NamedTuple):
    """Which provider each pool belongs to: fixed for a run."""

    provider: np.ndarray  # int64, per pool
    first: np.ndarray  # int64 (n + 1): provider i's pools are first[i]:first[i + 1]
    reserve: np.ndarray  # float64, per pool: free beds it keeps from outliers (its share)


def pool_counts(providers: Providers, wards: Any, seed: int = 0) -> np.ndarray:
    """Pools per provider: acute providers' beds split by ``wards.beds`` (times a lognormal
    factor per provider with ``wards.spread``, mean 1, drawn from ``seed``); others one."""
    counts = np.ones(providers.n, dtype=np.int64)
    if wards.beds > 0:
        acute = providers.kind == ACUTE
        size = np.full(int(acute.sum()), float(wards.beds))
        if wards.spread > 0:
            z = np.random.default_rng([seed, 2]).standard_normal(size.size)
            size *= np.exp(wards.spread * z - wards.spread**2 / 2)
        pools = np.maximum(1, np.rint(providers.capacity[acute] / size)).astype(np.int64)
        counts[acute] = np.minimum(pools, np.maximum(providers.capacity[acute], 1))
    return counts


def pool_map(providers: Providers, wards: Any, seed: int = 0) -> PoolMap:
    counts = pool_counts(providers, wards, seed)
    first = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    provider = np.repeat(np.arange(providers.n, dtype=np.int64), counts)
    reserve = np.full(provider.size, float(wards.reserve))
    return PoolMap(provider, first, reserve)


def split(total: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Each provider's ``total`` split over its pools as evenly as whole numbers allow
    (the first pools take the remainder): the pools' beds, or their starting occupancy."""
    counts = np.diff(first)
    provider = np.repeat(np.arange(counts.size), counts)
    rank = np.arange(provider.size) - first[provider]
    base, extra = np.divmod(np.asarray(total, dtype=np.int64), counts)
    return (base[provider] + (rank < extra[provider])).astype(np.int64)


@njit(cache=True, error_model="numpy", inline="always")
def gather(first, pool, out, i):
    """Provider i's row ``out[i]``: the sum of its pools' ``pool`` (a no-op copy when the
    pools are the providers)."""
    s = 0
    for u in range(first[i], first[i + 1]):
        s += pool[u]
    out[i] = s


@njit(cache=True, error_model="numpy")
def _take(beds, first, i, k, surplus_only):
    """Take up to ``k`` free beds from provider i's pools, each time from the pool with
    most to give: free beds above its home size (``surplus_only``), or any free beds.
    Returns the number taken."""
    capacity = beds.capacity
    occupied = beds.occupied
    home = beds.home
    taken = 0
    while taken < k:
        best, best_free = -1, 0
        for u in range(first[i], first[i + 1]):
            free = capacity[u] - occupied[u]
            if surplus_only:
                free = min(free, capacity[u] - home[u])
            if free > best_free:
                best, best_free = u, free
        if best < 0:
            break
        x = min(best_free, k - taken)
        capacity[best] -= x
        taken += x
    return taken


@njit(cache=True, error_model="numpy")
def take_surplus_beds(beds, first, i, k):
    """Take up to ``k`` free beds above the pools' own sizes (escalation beds closing)."""
    return _take(beds, first, i, k, True)


@njit(cache=True, error_model="numpy")
def take_free_beds(beds, first, i, k):
    """Take ``k`` free beds from provider i's pools (for a loan out or a loan going back):
    first from pools above their home size, then from the pools with most beds free.
    Returns the number taken (at most the free beds)."""
    taken = _take(beds, first, i, k, True)
    return taken + _take(beds, first, i, k - taken, False)


@njit(cache=True, error_model="numpy")
def add_beds(beds, first, i, k):
    """Add ``k`` beds to provider i's pools (a loan in or a loan come back): first to
    pools below their home size, the rest to the pool with most patients waiting."""
    capacity = beds.capacity
    home = beds.home
    waiting = beds.waiting
    lo, hi = first[i], first[i + 1]
    left = k
    for u in range(lo, hi):
        if left == 0:
            break
        x = min(max(home[u] - capacity[u], 0), left)
        capacity[u] += x
        left -= x
    if left:
        best = lo
        for u in range(lo + 1, hi):
            if waiting[u] > waiting[best]:
                best = u
        capacity[best] += left


# Draws for a provider's pools: one draw for the provider, then split exactly. A binomial
# draw per pool would cost a draw per pool per step (most of them zero at hourly steps);
# these cost a uniform per patient drawn. Hand-written because they run inside kernels.


@njit(cache=True, error_model="numpy")
def pick(rng, k, total, source, lo, hi, dest):
    """``k`` of the ``total`` patients in ``source[lo:hi]`` (the patients of a provider's
    pools), chosen at random without replacement, move from ``source`` to ``dest``. If
    ``k`` is Binomial(total, p), each pool's count moved is exactly an independent
    Binomial(source[u], p) draw (given their sum it is multivariate hypergeometric, which
    choosing without replacement is). A provider of one pool draws nothing."""
    if hi - lo == 1:
        source[lo] -= k
        dest[lo] += k
        return
    left = total
    for _ in range(k):
        r = int(uniform(rng) * left)
        for u in range(lo, hi):
            r -= source[u]
            if r < 0:
                source[u] -= 1
                dest[u] += 1
                break
        left -= 1


@njit(cache=True, error_model="numpy")
def pool_of(rng, lo, hi, cum):
    """One of the pools ``lo:hi`` for one arrival, at random in proportion to their own beds
    (``cum[u]``: the beds of pools lo..u, their home sizes; equally if they have none): a
    Poisson total so spread is exactly an independent Poisson per pool, and each pool's
    offered load is the provider's."""
    total = cum[hi - 1]
    if total <= 0:
        return lo + int(uniform(rng) * (hi - lo))
    r = uniform(rng) * total
    a, b = lo, hi - 1  # the first pool whose cumulative beds exceed r
    while a < b:
        mid = (a + b) // 2
        if cum[mid] > r:
            b = mid
        else:
            a = mid + 1
    return a


@njit(cache=True, error_model="numpy", inline="always")
def cumulate(values, lo, hi, out):
    """``out[u]``: the sum of ``values[lo..u]``, for u in lo:hi."""
    s = 0
    for u in range(lo, hi):
        s += values[u]
        out[u] = s
