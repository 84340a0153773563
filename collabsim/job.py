"""One job: a parameter point run for ``replications`` seeds in one process.

A Hydra job costs about 0.15 s, so replications run inside the job: the network
and the model (engine arrays, Mesa agents) are built once and reset for each seed
(``seed``, ``seed + 1``, ...). Every parameter point of a sweep uses the same seeds,
so all comparisons between points are paired (common random numbers).
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from collabsim.config import Config, flatten, to_dict
from collabsim.dividend import replication_seeds
from collabsim.stats import mean_interval

NOT_MEASURES = {"replication", "seed", "job", "base_seed", "replications", "scenario"}
# Measures given a 95 % interval over replications in summary.json.
HEADLINE = ("mean_wait_days", "p95_wait_days", "breach_share", "harm_events", "transfers",
            "loans", "aid_cost", "mean_trust", "wait_gini_regions")  # fmt: skip


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
    """Everything a job writes: per-replication rows and series, per-provider and region
    tables, the links, and the summary (means over replications with intervals)."""

    rows: pd.DataFrame
    series: pd.DataFrame
    providers: pd.DataFrame
    regions: pd.DataFrame
    links: pd.DataFrame
    summary: dict[str, Any]
    sim_seconds: float
    model: Any = field(repr=False, default=None)


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
    for column in rows.columns:
        if column in identity or "." in column or column in NOT_MEASURES:
            continue  # identity and parameters, not measures
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
    from collabsim import network as networks
    from collabsim.model import CollabModel

    graph = networks.build(config.network, config.pathway)
    model = CollabModel(config, graph=graph)
    engine = model.engine
    params = parameter_columns(config)
    seeds = replication_seeds(config.seed, replications)
    bar = Progress(engine.steps * len(seeds), f"{config.policy.name} x{len(seeds)}", progress)
    rows, series, providers, regions = [], [], [], []
    started = time.perf_counter()
    try:
        for r, seed in enumerate(seeds):
            engine.reset(seed)
            left = engine.steps
            while left > 0:
                chunk = min(left, 100)
                for _ in range(chunk):
                    model.step()
                left -= chunk
                bar.update(chunk)
            summary = model.summary
            rows.append({**params, **summary, "replication": r, "seed": seed, "job": job})
            tagged = {"job": job, "replication": r, "seed": seed}
            series.append(model.series.assign(**tagged))
            providers.append(model.providers_frame().assign(**tagged))
            regions.append(model.regions_frame().assign(**tagged))
    finally:
        bar.close()
    sim_seconds = time.perf_counter() - started
    table = pd.DataFrame(rows)
    table["sim_seconds"] = sim_seconds / len(seeds)
    identity = {**model.identity(), "seed": config.seed}  # the job's seed: its first run's
    summary = summarise_replications(table, identity)
    links = links_frame(model)
    return JobResult(table, pd.concat(series, ignore_index=True),
                     pd.concat(providers, ignore_index=True), pd.concat(regions, ignore_index=True),
                     links, summary, sim_seconds, model)  # fmt: skip


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
