"""The trust dividend: how much shorter (and cheaper) waits are when partners trust.

``trust_dividend`` runs the same system twice per replication, once with a low and
once with a high value of one setting (by default ``trust.initial``; ``culture.*``
or ``trust.baseline`` work the same way), on the same seeds, so both versions see
identical arrivals and stays (common random numbers). The dividend is the paired
difference low minus high, per measure, with a 95 % t interval over replications:
a positive wait dividend means trust shortened waits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from collabsim.config import Config
from collabsim.errors import ConfigError
from collabsim.stats import mean_interval, paired_difference

MEASURES = ("mean_wait_days", "p95_wait_days", "breach_share", "harm_events", "aid_cost",
            "transfers", "loans", "mean_trust")  # fmt: skip


def replication_seeds(seed: int, replications: int) -> list[int]:
    """Seeds of ``replications`` runs: ``seed, seed + 1, ...`` (replication 0 is the run
    ``seed`` on its own), shared by every setting compared, so comparisons are paired."""
    return [seed + r for r in range(replications)]


def with_setting(config: Config, path: str, value: Any) -> Config:
    """A copy of ``config`` with the dotted setting ``path`` set to ``value`` (validated)."""
    from collabsim.config import flatten, from_dict, to_dict

    data = to_dict(config)
    if path not in flatten(data):
        raise ConfigError(f"{path}: unknown setting")
    node = data
    *parents, leaf = path.split(".")
    for key in parents:
        node = node[key]
    node[leaf] = value
    return from_dict(data)


def trust_dividend(
    config: Config,
    low: float = 0.2,
    high: float = 0.8,
    replications: int = 10,
    setting: str = "trust.initial",
    measures: tuple[str, ...] = MEASURES,
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
            model.engine.reset(seed)
            model.run()
            summary = model.summary
            for m in measures:
                values[m][k, r] = summary[m]
    return {
        "setting": setting,
        "low": low,
        "high": high,
        "seeds": seeds,
        "dividend": {m: paired_difference(*values[m]).as_dict() for m in measures},
        "at_low": {m: mean_interval(values[m][0]).as_dict() for m in measures},
        "at_high": {m: mean_interval(values[m][1]).as_dict() for m in measures},
    }


__all__ = ["replication_seeds", "trust_dividend", "with_setting"]
