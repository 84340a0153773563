"""The kernel samplers: exact binomial draws and independent, reproducible streams."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from collabsim.core.random import binomial_array, new_stream, uniform


def draws(n: int, p: float, size: int, seed: int) -> np.ndarray:
    s = new_stream(np.random.SeedSequence(seed))
    out = np.empty(size, dtype=np.int64)
    binomial_array(s, np.full(size, n), np.full(size, p), out)
    return out


@pytest.mark.parametrize(
    ("n", "p"),
    [
        (3, 0.01),  # inversion, mostly zeros
        (20, 0.25),  # inversion
        (40, 0.26),  # BTRS just above n*p = 10
        (700, 0.14),  # BTRS, a large acute provider's daily discharges
        (1000, 0.5),  # BTRS, symmetric
        (5, 0.9),  # p > 0.5 by symmetry
        (50, 0.8),  # p > 0.5, BTRS by symmetry
    ],
)
def test_binomial_matches_exact_pmf(n, p):
    """Chi-square goodness of fit at a fixed seed; cells pooled to expected >= 20.

    With 7 cases at alpha = 0.001 a correct sampler fails with probability < 0.7 %,
    while the errors that matter (a wrong acceptance bound, an off-by-one in the
    inversion) move p-values far below 1e-6 at 200,000 draws.
    """
    size = 200_000
    x = draws(n, p, size, seed=12345)
    observed = np.bincount(x, minlength=n + 1)
    expected = stats.binom.pmf(np.arange(n + 1), n, p) * size
    keep = expected >= 20
    o = np.append(observed[keep], observed[~keep].sum())
    e = np.append(expected[keep], expected[~keep].sum())
    if e[-1] < 20:  # fold a small remainder cell into its neighbour
        o, e = np.append(o[:-2], o[-2:].sum()), np.append(e[:-2], e[-2:].sum())
    chi2 = ((o - e) ** 2 / e).sum()
    assert stats.chi2.sf(chi2, len(o) - 1) > 0.001
    assert x.min() >= 0 and x.max() <= n


def test_binomial_edge_cases():
    s = new_stream(np.random.SeedSequence(1))
    out = np.empty(4, dtype=np.int64)
    binomial_array(s, np.array([0, 10, 10, 7]), np.array([0.3, 0.0, 1.0, 0.5]), out)
    assert out[0] == 0 and out[1] == 0 and out[2] == 10 and 0 <= out[3] <= 7


def test_streams_are_reproducible_and_distinct():
    a, b = np.random.SeedSequence(7).spawn(2)
    same1, same2 = new_stream(np.random.SeedSequence(7).spawn(2)[0]), new_stream(a)
    assert [uniform(same1) for _ in range(5)] == [uniform(same2) for _ in range(5)]
    u = np.array([uniform(new_stream(b)) for _ in range(1)])
    s_a, s_b = new_stream(np.random.SeedSequence(7).spawn(2)[0]), new_stream(b)
    xa = np.array([uniform(s_a) for _ in range(10_000)])
    xb = np.array([uniform(s_b) for _ in range(10_000)])
    assert abs(np.corrcoef(xa, xb)[0, 1]) < 4 / np.sqrt(10_000)  # 4 standard errors
    assert xa.min() >= 0 and xa.max() < 1 and u.size == 1
    # uniform on [0, 1): Kolmogorov-Smirnov at a fixed seed
    assert stats.kstest(xa, "uniform").pvalue > 0.001


def chi_square_p(x: np.ndarray, pmf: np.ndarray) -> float:
    """Goodness-of-fit p-value of integer draws against a pmf (cells pooled to >= 20)."""
    size = x.size
    observed = np.bincount(x, minlength=pmf.size)[: pmf.size]
    expected = pmf * size
    keep = expected >= 20
    o = np.append(observed[keep], size - observed[keep].sum())
    e = np.append(expected[keep], size - expected[keep].sum())
    if e[-1] < 20:
        o, e = np.append(o[:-2], o[-2:].sum()), np.append(e[:-2], e[-2:].sum())
    return stats.chi2.sf(((o - e) ** 2 / e).sum(), len(o) - 1)


@pytest.mark.parametrize("lam", [0.3, 3.0, 9.99, 10.0, 37.5, 150.0])
def test_poisson_matches_exact_pmf(lam):
    """Both regimes (multiplication below 10, PTRS from 10), alpha = 0.001 each."""
    from collabsim.core.random import poisson_array

    s = new_stream(np.random.SeedSequence(99))
    x = np.empty(200_000, dtype=np.int64)
    poisson_array(s, np.full(x.size, lam), x)
    ks = np.arange(int(lam + 12 * np.sqrt(lam) + 20))
    assert chi_square_p(x, stats.poisson.pmf(ks, lam)) > 0.001


@pytest.mark.parametrize(("k", "mean"), [(0.5, 4.0), (5.0, 20.0), (50.0, 90.0)])
def test_negative_binomial_matches_exact_pmf(k, mean):
    """Gamma-Poisson mixture: NB with p = k / (k + mean); covers gamma shape < 1 and > 1."""
    from collabsim.core.random import negative_binomial_array

    s = new_stream(np.random.SeedSequence(5))
    x = np.empty(200_000, dtype=np.int64)
    negative_binomial_array(s, k, np.full(x.size, mean), x)
    ks = np.arange(int(mean + 20 * np.sqrt(mean + mean**2 / k) + 20))
    assert chi_square_p(x, stats.nbinom.pmf(ks, k, k / (k + mean))) > 0.001
