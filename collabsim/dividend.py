"""The trust dividend: how much shorter (and cheaper) waits are when partners trust.

``trust_dividend`` runs the same system twice per replication, once with a low and
once with a high value of one setting (by default ``trust.initial``; ``culture.*``
or ``trust.baseline`` work the same way), on the same seeds, so both versions see
identical arrivals and stays (common random numbers). The dividend is the paired
difference low minus high, per measure, with a 95 % t interval over replications:
a positive wait dividend means trust shortened waits. ``dividend_of`` is that
computation on paired runs, shared with the report, which finds the runs in a sweep
over one of ``TRUST_SETTINGS`` instead of running them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from collabsim.core.metrics import MEASURES
from collabsim.errors import ConfigError
from collabsim.stats import Interval, mean_interval, paired_difference

if TYPE_CHECKING:
    from collabsim.config import Config

DIVIDEND_MEASURES = tuple(m.name for m in MEASURES if m.dividend)
# Settings that change trust: comparing their low and high values shows the dividend.
TRUST_SETTINGS = (
    "trust.initial",
    "trust.baseline",
    "culture.name",
    "culture.harm_loss",
    "relationship.protected_time",
)
LESS_TRUST_WHEN_HIGHER = ("culture.harm_loss",)  # trust lost per harm


def trust_ends(setting: str, levels: Iterable[Any]) -> tuple[Any, Any]:
    """The low-trust and the high-trust end of the values ``levels`` of ``setting``: the
    lowest and the highest, except where more means less trust (harm_loss). Names sort
    as text: "blame" before "learning", as it should."""
    ordered = sorted(levels, key=lambda v: (isinstance(v, str), v))
    if setting in LESS_TRUST_WHEN_HIGHER:
        return ordered[-1], ordered[0]
    return ordered[0], ordered[-1]


def dividend_of(
    at_low: Mapping[str, Any], at_high: Mapping[str, Any], measures: Iterable[str]
) -> dict[str, dict[str, Interval]]:
    """The dividend from paired runs (the same seeds, in the same order) at the low- and
    the high-trust end: per measure, the paired difference low minus high with its 95 %
    interval (``dividend``), and the mean at each end (``at_low``, ``at_high``)."""
    measures = tuple(measures)
    return {
        "dividend": {m: paired_difference(at_low[m], at_high[m]) for m in measures},
        "at_low": {m: mean_interval(at_low[m]) for m in measures},
        "at_high": {m: mean_interval(at_high[m]) for m in measures},
    }


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Seeds of ``replications`` runs: ``seed, seed + 1, ...`` (replication 0 is the run
    ``seed`` on its own), shared by every setting compared, so comparisons are paired."""
    return [seed + r for r in range(replications)]


def with_setting(config: Config, path: str, value: Any) -> Config:
    """A copy of ``config`` with the dotted setting ``path`` set to ``value`` (validated)."""
    from collabsim.config import flatten, from_dict, set_setting, to_dict

    data = to_dict(config)
    if path not in flatten(data):
        raise ConfigError(f"{path}: unknown setting")
    set_setting(data, path, value)
    return from_dict(data)


def trust_dividend(
    config: Config,
    low: float = 0.2,
    high: float = 0.8,
    replications: int = 10,
    setting: str = "trust.initial",
    measures: tuple[str, ...] = DIVIDEND_MEASURES,
) -> dict[str, Any]:
    """Paired low-vs-high comparison of ``setting`` over ``replications`` seeds.

    Returns ``{"setting", "low", "high", "seeds", "dividend": {measure: interval},
    "at_low": {...}, "at_high": {...}}`` where each interval is a dict with mean, se,
    low, high and n; ``dividend`` is (value at low) - (value at high).
    """
    from collabsim import network as networks
    from collabsim.model import CollabModel

    if replications < 2:
        raise ConfigError("replications: a confidence interval needs at least 2")
    graph = networks.build(config.network, config.pathway)  # one network for every run
    models = [CollabModel(with_setting(config, setting, v), graph=graph) for v in (low, high)]
    seeds = replication_seeds(config.seed, replications)
    values = {m: np.zeros((2, replications)) for m in measures}
    for r, seed in enumerate(seeds):
        for k, model in enumerate(models):
            model.reset(seed)
            model.run()
            summary = model.summary
            for m in measures:
                values[m][k, r] = summary[m]
    at_low = {m: v[0] for m, v in values.items()}
    at_high = {m: v[1] for m, v in values.items()}
    found = dividend_of(at_low, at_high, measures)
    return {
        "setting": setting,
        "low": low,
        "high": high,
        "seeds": seeds,
        **{part: {m: iv.as_dict() for m, iv in ivs.items()} for part, ivs in found.items()},
    }


__all__ = [
    "DIVIDEND_MEASURES",
    "TRUST_SETTINGS",
    "dividend_of",
    "replication_seeds",
    "trust_dividend",
    "trust_ends",
    "with_setting",
]
