"""Random streams usable inside compiled step kernels.

numpy's samplers cost ~13 microseconds per call plus 90-160 ns per binomial draw,
which alone exceeds the step budget of a national model. The step's state-dependent
draws therefore use:

* xoshiro256** (Blackman & Vigna 2018) as the generator: 4 x uint64 of state per
  stream, seeded from ``numpy.random.SeedSequence`` so streams spawned from one run
  seed are independent, and reproducible on any platform (pure integer arithmetic);
* exact binomial sampling: inversion (BINV) when n*p < 10 and BTRS, Hoermann's
  transformed rejection (1993), otherwise, as TensorFlow and JAX do;
* exact Poisson sampling: multiplication when lambda < 10 and PTRS, Hoermann's
  transformed rejection with squeeze (1993), otherwise, as numpy does;
* gamma by Marsaglia & Tsang (2000), for negative binomial as a gamma-Poisson mixture.

``tests/test_random.py`` checks the binomial, Poisson and negative binomial (so also
the gamma and normal draws inside it) against their exact pmfs, and the uniforms.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, uint64

_MASK = 0xFFFFFFFFFFFFFFFF

# log(k!) for k < 4096, exact to rounding: the rejection steps of BTRS and PTRS need
# log-factorials, and a table load is far cheaper than lgamma (beyond it, lgamma).
_LOGFACT_N = 4096
_LOGFACT = np.array([math.lgamma(k + 1.0) for k in range(_LOGFACT_N)])


@njit(cache=True, error_model="numpy", inline="always")
def log_factorial(k):
    """log(k!) for a whole number k >= 0."""
    return _LOGFACT[k] if k < _LOGFACT_N else math.lgamma(k + 1.0)


def new_stream(seed_sequence: np.random.SeedSequence) -> np.ndarray:
    """Fresh stream state (never all zero) from a seed sequence."""
    state = seed_sequence.generate_state(4, np.uint64)
    if not state.any():
        state[0] = 1
    return state


@njit(cache=True, error_model="numpy", inline="always")
def _rotl(x, k):
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit(cache=True, error_model="numpy", inline="always")
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


@njit(cache=True, error_model="numpy", inline="always")
def uniform(s: np.ndarray) -> float:
    """A double in [0, 1) with 53 random bits."""
    return float(next_u64(s) >> uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
def _binomial_btrs(s, n, p):
    q = 1.0 - p
    spq = math.sqrt(n * p * q)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    h = math.nan  # the slow path's constants: computed only if a draw needs them
    alpha = lpq = m = 0.0
    while True:
        u = uniform(s) - 0.5
        v = uniform(s)
        us = 0.5 - abs(u)
        if us <= 0.0:
            continue
        k = math.floor((2 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= v_r:  # quick acceptance
            return int(k)
        if h != h:
            alpha = (2.83 + 5.1 / b) * spq
            lpq = math.log(p / q)
            m = math.floor((n + 1) * p)
            h = log_factorial(int(m)) + log_factorial(int(n - m))
        v = math.log(v * alpha / (a / (us * us) + b))
        if v <= h - log_factorial(int(k)) - log_factorial(int(n - k)) + (k - m) * lpq:
            return int(k)


@njit(cache=True, error_model="numpy")
def binomial(s: np.ndarray, n: int, p: float) -> int:
    """One draw from Binomial(n, p), exactly."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    flip = p > 0.5  # draw failures instead of successes: the samplers need p <= 1/2
    q = 1.0 - p if flip else p
    k = _binomial_inversion(s, n, q) if n * q < 10.0 else _binomial_btrs(s, n, q)
    return n - k if flip else k


@njit(cache=True, error_model="numpy")
def binomial_array(s: np.ndarray, n: np.ndarray, p: np.ndarray, out: np.ndarray) -> None:
    """Elementwise draws (for tests and non-kernel callers)."""
    for i in range(n.size):
        out[i] = binomial(s, n[i], p[i])


@njit(cache=True, error_model="numpy")
def poisson(s: np.ndarray, lam: float) -> int:
    """One draw from Poisson(lam), exactly."""
    if lam <= 0.0:
        return 0
    if lam < 10.0:  # multiplication of uniforms until below exp(-lam)
        limit = math.exp(-lam)
        x = 0
        prod = uniform(s)
        while prod > limit:
            x += 1
            prod *= uniform(s)
        return x
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = uniform(s) - 0.5
        v = uniform(s)
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:  # quick acceptance
            return int(k)
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + math.log(invalpha) - math.log(
            a / (us * us) + b
        ) <= -lam + k * loglam - log_factorial(int(k)):
            return int(k)


@njit(cache=True, error_model="numpy")
def standard_normal(s: np.ndarray) -> float:
    """One N(0, 1) draw (Marsaglia's polar method; the second value is discarded)."""
    while True:
        x = 2.0 * uniform(s) - 1.0
        y = 2.0 * uniform(s) - 1.0
        r = x * x + y * y
        if 0.0 < r < 1.0:
            return x * math.sqrt(-2.0 * math.log(r) / r)


@njit(cache=True, error_model="numpy")
def gamma(s: np.ndarray, shape: float) -> float:
    """One draw from Gamma(shape, scale 1) by Marsaglia & Tsang."""
    if shape <= 0.0:
        return 0.0
    if shape < 1.0:  # boost: Gamma(a) = Gamma(a + 1) * U^(1/a)
        u = uniform(s)
        while u <= 0.0:
            u = uniform(s)
        return gamma(s, shape + 1.0) * u ** (1.0 / shape)
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = standard_normal(s)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform(s)
        if u < 1.0 - 0.0331 * x**4:
            return d * v
        if u > 0.0 and math.log(u) < 0.5 * x * x + d * (1.0 - v + math.log(v)):
            return d * v


@njit(cache=True, error_model="numpy")
def negative_binomial(s: np.ndarray, k: float, mean: float) -> int:
    """One draw with the given mean and variance mean + mean^2 / k (gamma-Poisson)."""
    if mean <= 0.0:
        return 0
    return poisson(s, gamma(s, k) * mean / k)


@njit(cache=True, error_model="numpy")
def poisson_array(s: np.ndarray, lam: np.ndarray, out: np.ndarray) -> None:
    for i in range(lam.size):
        out[i] = poisson(s, lam[i])


@njit(cache=True, error_model="numpy")
def negative_binomial_array(s: np.ndarray, k: float, mean: np.ndarray, out: np.ndarray) -> None:
    for i in range(mean.size):
        out[i] = negative_binomial(s, k, mean[i])
