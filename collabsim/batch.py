"""Sweeps from Python: points run in this process, results returned as DataFrames.

    import collabsim
    result = collabsim.run_sweep(
        {"policy": ["none", "trust_gated"], "trust.initial": [0.2, 0.8]},
        replications=5,
        base=["network=small", "sim.days=180"],
    )
    result.runs.groupby(["policy", "trust.initial"])["mean_wait_hours"].mean()

as ``mesa.batch_run`` and EMA workbench's ``perform_experiments`` do. A grid (a mapping of
setting -> values: every combination) or a list of points (mappings of setting -> value)
is run point by point, each point for ``replications`` seeds exactly as one job of
``collabsim -m`` runs it (``collabsim.job.run_replications``: the same seeds, so the same
numbers as the command line, and every point on the same seeds: common random numbers).
Settings are the command line's: ``policy=trust_gated`` chooses a group's option,
``trust.initial=0.8`` sets a value. Every point is checked before the first runs, so a
mistake in the tenth point costs nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from collabsim.config import Config
from collabsim.errors import ConfigError

TABLES = ("runs", "series", "providers", "regions", "quarters", "links")


@dataclass(frozen=True)
class SweepResult:
    """Every table of every point, stacked, each row tagged with its ``point`` (0, 1, ...)
    and the point's settings (one column per swept setting, named as the setting)."""

    points: pd.DataFrame  # one row per point: its settings
    runs: pd.DataFrame  # one row per replication (runs.parquet)
    series: pd.DataFrame  # one row per step and replication (series.parquet)
    providers: pd.DataFrame
    regions: pd.DataFrame
    quarters: pd.DataFrame
    links: pd.DataFrame  # the network's links and trust at the end of each point's last run

    def table(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(f"no table {name!r}; tables: {', '.join(TABLES)}")
        return getattr(self, name)


def points_of(design: Mapping[str, Iterable[Any]] | Sequence[Mapping[str, Any]]) -> list[dict]:
    """A grid's every combination (in the order given, the last setting fastest), or a
    list of points as given."""
    if isinstance(design, Mapping):
        keys = list(design)
        values = []
        for key in keys:
            given = design[key]
            if isinstance(given, str) or not isinstance(given, Iterable):
                raise ConfigError(f"sweep {key}: give a list of values, not {given!r}")
            values.append(list(given))
            if not values[-1]:
                raise ConfigError(f"sweep {key}: no values")
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]
    points = [dict(p) for p in design]
    if not points:
        raise ConfigError("sweep: no points")
    return points


def overrides_of(point: Mapping[str, Any]) -> list[str]:
    """A point's settings as command-line overrides (``trust.initial=0.8``)."""
    return [_override(key, value) for key, value in point.items()]


def _override(key: str, value: Any) -> str:
    from collabsim.sweep import value_text

    return f"{key}={value_text(value)}"


def configs_of(points: list[dict], base: Sequence[str] = ()) -> list[Config]:
    """Each point's config, every one checked before any runs (ConfigError names the
    point and its setting)."""
    from collabsim.settings import load_config

    configs = []
    for k, point in enumerate(points):
        overrides = [*base, *overrides_of(point)]
        try:
            configs.append(load_config(overrides))
        except ConfigError as exc:
            raise ConfigError(f"sweep point {k} ({_shown(point)}): {exc}") from None
    return configs


def _shown(point: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in point.items())


def run_sweep(
    design: Mapping[str, Iterable[Any]] | Sequence[Mapping[str, Any]],
    replications: int = 1,
    base: Sequence[str] = (),
    progress: bool | None = False,
) -> SweepResult:
    """Run every point of ``design`` (a grid or a list of points) for ``replications``
    seeds, on top of the overrides ``base``; return every table, stacked."""
    from collabsim.job import run_replications

    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ConfigError(f"replications: {replications!r} is not a whole number >= 1")
    points = points_of(design)
    configs = configs_of(points, base)
    stacked: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for k, (point, config) in enumerate(zip(points, configs, strict=True)):
        result = run_replications(config, replications, job=str(k), progress=progress)
        for name in TABLES:
            frame = result.rows if name == "runs" else getattr(result, name)
            frame = frame.copy()
            frame.insert(0, "point", k)
            for key, value in point.items():  # runs carry most already (every setting)
                if key not in frame.columns:
                    frame[key] = value
            stacked[name].append(frame)
    tables = {name: pd.concat(frames, ignore_index=True) for name, frames in stacked.items()}
    grid = pd.DataFrame(points)
    grid.insert(0, "point", range(len(points)))
    return SweepResult(points=grid, **tables)
