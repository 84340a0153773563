"""Small statistics for replications: means with t intervals, paired differences.

The Student t quantile is SciPy's (``scipy.special.stdtrit``: the special function alone,
without the ~1.7 s import of ``scipy.stats`` a job would otherwise pay).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np


def t975(df: int) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom (two-sided 95 %)."""
    if df < 1:
        return float("nan")
    from scipy.special import stdtrit

    return float(stdtrit(df, 0.975))


@dataclass(frozen=True)
class Interval:
    """A mean over replications with its standard error and 95 % t interval."""

    mean: float
    se: float
    low: float
    high: float
    n: int

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def mean_interval(values: np.ndarray) -> Interval:
    """Mean and 95 % confidence interval of independent replications (NaNs dropped)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan, math.nan, 1)
    se = float(x.std(ddof=1) / math.sqrt(n))
    half = t975(n - 1) * se
    return Interval(mean, se, mean - half, mean + half, n)


def paired_difference(a: np.ndarray, b: np.ndarray) -> Interval:
    """Mean of ``a - b`` over paired replications (same seeds), with its 95 % interval."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError("paired samples must have the same length")
    return mean_interval(a - b)
