"""Random streams usable inside compiled step kernels.

numpy's samplers cost ~13 microseconds per call plus 90-160 ns per binomial draw,
which alone exceeds the step budget of a national model. The step's state-dependent
draws therefore use:

* xoshiro256** (Blackman & Vigna 2018) as the generator: 4 x uint64 of state per
  stream, seeded from ``numpy.random.SeedSequence`` so streams spawned from one run
  seed are independent, and reproducible on any platform (pure integer arithmetic);
* exact binomial sampling: inversion (BINV) when n*p < 10 and BTRS, Hoermann's
  transformed rejection (1993), otherwise, as TensorFlow and JAX do.

``tests/test_random.py`` checks the distributions against the exact pmf.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, uint64

_MASK = 0xFFFFFFFFFFFFFFFF


def new_stream(seed_sequence: np.random.SeedSequence) -> np.ndarray:
    """Fresh stream state (never all zero) from a seed sequence."""
    state = seed_sequence.generate_state(4, np.uint64)
    if not state.any():
        state[0] = 1
    return state


@njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit(cache=True)
def next_u64(s: np.ndarray) -> int:
    """The next 64 random bits of stream ``s`` (advances it)."""
    result = _rotl(s[1] * uint64(5), 7) * uint64(9)
    t = s[1] << uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@njit(cache=True)
def uniform(s: np.ndarray) -> float:
    """A double in [0, 1) with 53 random bits."""
    return float(next_u64(s) >> uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _binomial_inversion(s, n, p):
    q = 1.0 - p
    ratio = p / q
    a = (n + 1) * ratio
    r0 = q**n
    while True:
        r = r0
        u = uniform(s)
        x = 0
        while u > r:
            u -= r
            x += 1
            if x > n:
                break
            r *= a / x - ratio
        if x <= n:
            return x


@njit(cache=True)
def _binomial_btrs(s, n, p):
    q = 1.0 - p
    spq = math.sqrt(n * p * q)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spq
    lpq = math.log(p / q)
    m = math.floor((n + 1) * p)
    h = math.lgamma(m + 1) + math.lgamma(n - m + 1)
    while True:
        u = uniform(s) - 0.5
        v = uniform(s)
        us = 0.5 - abs(u)
        if us <= 0.0:
            continue
        k = math.floor((2 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= v_r:
            return int(k)
        v = math.log(v * alpha / (a / (us * us) + b))
        if v <= h - math.lgamma(k + 1) - math.lgamma(n - k + 1) + (k - m) * lpq:
            return int(k)


@njit(cache=True)
def binomial(s: np.ndarray, n: int, p: float) -> int:
    """One draw from Binomial(n, p), exactly."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - binomial(s, n, 1.0 - p)
    if n * p < 10.0:
        return _binomial_inversion(s, n, p)
    return _binomial_btrs(s, n, p)


@njit(cache=True)
def binomial_array(s: np.ndarray, n: np.ndarray, p: np.ndarray, out: np.ndarray) -> None:
    """Elementwise draws (for tests and non-kernel callers)."""
    for i in range(n.size):
        out[i] = binomial(s, n[i], p[i])
