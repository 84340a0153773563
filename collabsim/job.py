"""One job: a parameter point run for ``replications`` seeds in one process.

A Hydra job costs about 0.15 s, so replications run inside the job: the network
and the model (engine arrays, Mesa agents) are built once and reset for each seed
(``seed``, ``seed + 1``, ...). Every parameter point of a sweep uses the same seeds,
so all comparisons between points are paired (common random numbers).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from collabsim.config import Config, flatten, to_dict
from collabsim.core.metrics import MEASURES, series_columns
from collabsim.dividend import replication_seeds
from collabsim.stats import mean_interval

# Measures given a 95 % interval over replications in summary.json.
HEADLINE = tuple(m.name for m in MEASURES if m.headline)


def parameter_columns(config: Config) -> dict[str, Any]:
    """Every parameter as one Parquet-friendly column (lists and mappings as JSON text)."""
    out = {}
    for key, value in flatten(to_dict(config)).items():
        if isinstance(value, list | dict | tuple):
            value = json.dumps(value, sort_keys=True)
        out["base_seed" if key == "seed" else key] = value
    return out


@dataclass
class JobResult:
    """Everything a job writes: per-replication rows and series, per-provider, region and
    quarter tables, the links, and the summary (means over replications with intervals)."""

    rows: pd.DataFrame
    series: pd.DataFrame
    providers: pd.DataFrame
    regions: pd.DataFrame
    links: pd.DataFrame
    summary: dict[str, Any]
    sim_seconds: float
    quarters: pd.DataFrame = field(default_factory=pd.DataFrame)
    model: Any = field(repr=False, default=None)
    records: list[dict[str, Any]] = field(repr=False, default_factory=list)  # rows, as dicts


class Progress:
    """A progress bar on stderr for long runs, only when stderr is a terminal."""

    def __init__(self, total: int, label: str, enabled: bool | None = None) -> None:
        self.bar = None
        if enabled is None:
            enabled = sys.stderr.isatty()
        if enabled and total > 0:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=label, unit="step", leave=False, file=sys.stderr)

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def summarise_replications(rows: pd.DataFrame, identity: dict[str, Any]) -> dict[str, Any]:
    """Means over replications of every measure, and 95 % intervals of the headline ones."""
    out: dict[str, Any] = {**identity, "replications": len(rows)}
    for column in (m.name for m in MEASURES if m.in_summary and m.name in rows):
        values = rows[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            finite = values[np.isfinite(values.astype(float))]
            out[column] = float(finite.mean()) if len(finite) else math.nan
    out["ci95"] = {
        m: mean_interval(rows[m].to_numpy(dtype=float)).as_dict()
        for m in HEADLINE
        if m in rows.columns
    }
    return out


def run_replications(
    config: Config, replications: int, job: str = "", progress: bool | None = None
) -> JobResult:
    """Run ``config`` for ``replications`` seeds; the network and model are built once."""
    from collabsim.model import CollabModel

    started = time.perf_counter()
    graph = cached_network(config)
    model = CollabModel(config, graph=graph)
    engine = model.engine
    params = parameter_columns(config)
    seeds = replication_seeds(config.seed, replications)
    bar = Progress(engine.steps * len(seeds), f"{config.policy.name} x{len(seeds)}", progress)
    rows, series, providers, regions, quarters = [], [], [], [], []
    try:
        for r, seed in enumerate(seeds):
            model.reset(seed)
            model.run(progress=bar.update)
            summary = model.summary
            rows.append({**params, **summary, "replication": r, "seed": seed, "job": job})
            series.append(tag(series_columns(engine), engine.recorder.steps_recorded, r, seed))
            providers.append(tag(model.providers_columns(), engine.providers.n, r, seed))
            regions.append(tag(model.regions_columns(), len(engine.providers.region_names), r,
                               seed))  # fmt: skip
            by_quarter = model.quarters_columns()
            quarters.append(tag(by_quarter, len(by_quarter["scope"]), r, seed))
    finally:
        bar.close()
    table = pd.DataFrame(rows)
    identity = {**model.identity(), "seed": config.seed}  # the job's seed: its first run's
    summary = summarise_replications(table, identity)
    result = JobResult(table, stack(series, job), stack(providers, job), stack(regions, job),
                       links_frame(model), summary, 0.0, stack(quarters, job), model)  # fmt: skip
    # the whole computation of the point: build, runs, measures and tables (not Hydra, not I/O)
    result.sim_seconds = time.perf_counter() - started
    table["sim_seconds"] = result.sim_seconds / len(seeds)
    for row in rows:
        row["sim_seconds"] = result.sim_seconds / len(seeds)
    result.records = rows
    return result


_NETWORKS: dict[str, Any] = {}


def cached_network(config: Config) -> Any:
    """The network of ``config``, built once per process for a given network setting (a
    sweep's points usually share one; generating England takes ~20 ms)."""
    from collabsim import network as networks

    stamps = []
    if config.network.preset == "file":  # a file edited since is read again
        for name in (config.network.providers_file, config.network.links_file):
            try:
                stamps.append(os.stat(name).st_mtime_ns)
            except OSError:
                stamps.append(None)
    key = json.dumps([to_dict(config.network), to_dict(config.pathway), stamps], sort_keys=True)
    if key not in _NETWORKS:
        if len(_NETWORKS) >= 4:
            _NETWORKS.clear()
        _NETWORKS[key] = networks.build(config.network, config.pathway)
    return _NETWORKS[key]


def tag(columns: dict[str, Any], n: int, replication: int, seed: int) -> dict[str, Any]:
    """Columns of one replication, with its number and seed."""
    return {**columns, "replication": np.full(n, replication), "seed": np.full(n, seed)}


def stack(parts: list[dict[str, Any]], job: str) -> pd.DataFrame:
    """One frame from the replications' columns (one concatenation per column)."""
    frame = pd.DataFrame({k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in parts[0]})
    frame.insert(0, "job", job)
    return frame


def links_frame(model: Any) -> pd.DataFrame:
    """The network's links and final trust (of the last replication), for maps."""
    e = model.engine
    ids = e.providers.ids
    return pd.DataFrame(
        {
            "source": [ids[i] for i in e.links.src],
            "target": [ids[i] for i in e.links.dst],
            "travel_minutes": e.links.travel_minutes,
            "trust_end": e.trust.copy(),
        }
    )
