"""The trust dividend: how much shorter (and cheaper) waits are when partners trust.

``trust_dividend`` runs the same system twice per replication, once with a low and
once with a high value of one setting (by default ``trust.initial``; ``culture.*``
or ``trust.baseline`` work the same way), on the same seeds, so both versions see
identical arrivals and stays (common random numbers). The dividend is the paired
difference low minus high, per measure, with a 95 % t interval over replications:
a positive wait dividend means trust shortened waits. ``dividend_of`` is that
computation on paired runs, shared with the report, which finds the runs in a sweep
over one of ``TRUST_SETTINGS`` instead of running them.

Trust acts only through four channels (``collabsim.config.CHANNELS``: offering,
telling, haggling, memory; ODD 7.13). With ``channels=True`` ``trust_dividend`` also
says how much of the dividend comes through each: it runs the low and the high end
again with each channel switched off in turn (added to ``channels.off``), and with all
of them off, on the same seeds. A channel's contribution is, per seed, the dividend
with every channel on less the dividend with that channel off (``contributions``,
paired, with a 95 % t interval). With every channel off trust acts through nothing, so
that dividend (``all_off``) is zero in every measure but trust itself; what the four
contributions do not account for on their own is their ``interaction`` (per seed, the
total less ``all_off`` and the four contributions, so the parts add up to the total).
``channel_parts`` is that arithmetic on paired dividends, shared with the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from collabsim.config import CHANNELS
from collabsim.core.metrics import MEASURES
from collabsim.errors import ConfigError
from collabsim.stats import Interval, mean_interval, paired_difference

if TYPE_CHECKING:
    from collabsim.config import Config

DIVIDEND_MEASURES = tuple(m.name for m in MEASURES if m.dividend)
# Measures a channel decomposition always reports, as planners count them: the mean
# emergency (acute) wait for a bed in hours, 12-hour waits a quarter, patients harmed
# and the cost of arranging aid.
CHANNEL_MEASURES = ("mean_wait_hours", "waits_12h_per_quarter", "harm_events", "aid_cost")
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


def channel_parts(
    total: np.ndarray, without: Mapping[str, np.ndarray], all_off: np.ndarray | None = None
) -> dict[str, Any]:
    """A dividend split by channel, from per-seed dividends (low minus high, the same
    seeds in the same order): ``total`` with the channels on, ``without[c]`` with channel
    ``c`` off, ``all_off`` with every channel off. Returns intervals: ``total``;
    ``contributions[c]`` = total - without[c], paired; ``without[c]``; ``all_off`` when
    given; and, when ``without`` names every channel, the ``interaction``: per seed, the
    total less the four contributions (and less ``all_off`` when given), so
    ``all_off + contributions + interaction`` add up to the total. ``all_off`` is zero
    in every measure but trust itself (trust then acts through nothing), so for waits,
    harm and cost the contributions and the interaction alone make up the total."""
    total = np.asarray(total, dtype=float)
    out: dict[str, Any] = {
        "total": mean_interval(total),
        "contributions": {c: paired_difference(total, v) for c, v in without.items()},
        "without": {c: mean_interval(v) for c, v in without.items()},
    }
    if all_off is not None:
        out["all_off"] = mean_interval(all_off)
    if set(without) >= set(CHANNELS):
        rest = total - sum((total - np.asarray(without[c], dtype=float) for c in CHANNELS),
                           np.zeros_like(total))  # fmt: skip
        if all_off is not None:
            rest = rest - np.asarray(all_off, dtype=float)
        out["interaction"] = mean_interval(rest)
    return out


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
    channels: bool = False,
) -> dict[str, Any]:
    """Paired low-vs-high comparison of ``setting`` over ``replications`` seeds.

    Returns ``{"setting", "low", "high", "seeds", "dividend": {measure: interval},
    "at_low": {...}, "at_high": {...}}`` where each interval is a dict with mean, se,
    low, high and n; ``dividend`` is (value at low) - (value at high).

    With ``channels=True`` it also runs both ends with each channel of
    ``collabsim.config.CHANNELS`` added to ``channels.off`` (those the config already
    switches off stay off) and with all of them off, on the same seeds, and adds
    ``"by_channel"``: ``{"measures", "already_off", "total": {measure: interval},
    "contributions": {channel: {measure: interval}}, "without": {channel: {...}},
    "interaction": {...}, "all_off": {...}}`` over ``measures`` and
    ``CHANNEL_MEASURES`` (``channel_parts``; a channel already off contributes 0).
    ``total`` is ``dividend`` (the channels as configured); ``contributions[c]`` is the
    total less the dividend with ``c`` off (``without[c]``), paired per seed;
    ``all_off`` is the dividend when trust acts through no channel (zero but in trust
    itself); ``interaction`` is what ``all_off`` and the contributions leave of the
    total. Each variant builds its two models once and runs every seed on them.
    """
    from collabsim import network as networks
    from collabsim.model import CollabModel

    if replications < 2:
        raise ConfigError("replications: a confidence interval needs at least 2")
    measures = tuple(measures)
    recorded = tuple(dict.fromkeys((*measures, *CHANNEL_MEASURES))) if channels else measures
    already = list(config.channels.off)
    variants: dict[str, list[str]] = {"on": already}
    if channels:
        for c in CHANNELS:
            variants[c] = [*already, c] if c not in already else already
        variants["all_off"] = [*already, *(c for c in CHANNELS if c not in already)]
    graph = networks.build(config.network, config.pathway)  # one network for every run
    seeds = replication_seeds(config.seed, replications)
    runs: dict[tuple[str, ...], dict[str, np.ndarray]] = {}  # by channels off
    for off in variants.values():
        if tuple(off) in runs:  # a channel already off: the same runs as with all on
            continue
        base = with_setting(config, "channels.off", off) if off != already else config
        models = [CollabModel(with_setting(base, setting, v), graph=graph) for v in (low, high)]
        values = {m: np.zeros((2, replications)) for m in recorded}
        for r, seed in enumerate(seeds):
            for k, model in enumerate(models):
                model.reset(seed)
                model.run()
                summary = model.summary
                for m in recorded:
                    values[m][k, r] = summary[m]
        runs[tuple(off)] = values
        del models  # one variant's models at a time: England's are large
    on = runs[tuple(already)]
    at_low = {m: on[m][0] for m in measures}
    at_high = {m: on[m][1] for m in measures}
    found = dividend_of(at_low, at_high, measures)
    out = {
        "setting": setting,
        "low": low,
        "high": high,
        "seeds": seeds,
        **{part: {m: iv.as_dict() for m, iv in ivs.items()} for part, ivs in found.items()},
    }
    if channels:

        def per_seed(off: list[str], m: str) -> np.ndarray:
            v = runs[tuple(off)][m]
            return v[0] - v[1]  # low minus high, seed by seed

        by_measure = {
            m: channel_parts(
                per_seed(already, m),
                {c: per_seed(variants[c], m) for c in CHANNELS},
                per_seed(variants["all_off"], m),
            )
            for m in recorded
        }
        split: dict[str, Any] = {"measures": list(recorded), "already_off": already}
        for part in ("total", "interaction", "all_off"):
            split[part] = {m: by_measure[m][part].as_dict() for m in recorded}
        for part in ("contributions", "without"):
            split[part] = {
                c: {m: by_measure[m][part][c].as_dict() for m in recorded} for c in CHANNELS
            }
        out["by_channel"] = split
    return out


__all__ = [
    "CHANNEL_MEASURES",
    "DIVIDEND_MEASURES",
    "TRUST_SETTINGS",
    "channel_parts",
    "dividend_of",
    "replication_seeds",
    "trust_dividend",
    "trust_ends",
    "with_setting",
]
