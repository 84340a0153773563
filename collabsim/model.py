"""CollabModel: the Mesa model of providers sharing patients over a network.

It builds the network from the config, the engine's arrays from the network, and
one ``Provider`` agent per provider on a ``mesa.discrete_space.Network``.
``step()`` runs the engine's phase list once (``collabsim.core.engine.PHASES``).
``reset(seed)`` and ``run()`` are the one door for replications (jobs, the trust
dividend): they reseed the engine and Mesa's generators together.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mesa
import networkx as nx
import numpy as np
import pandas as pd
from mesa.discrete_space import Network

from collabsim import network as networks
from collabsim.agents import Provider
from collabsim.budget import check_memory
from collabsim.config import Config
from collabsim.core.engine import Engine
from collabsim.core.metrics import (
    MEASURES,
    provider_hours,
    quarter_columns,
    series_columns,
    summarise,
    waits_by,
)
from collabsim.core.phases import ROW
from collabsim.core.state import KINDS
from collabsim.errors import ConfigError
from collabsim.policies import policy_for

# Mesa logs every step at INFO, and Hydra sets the root logger to INFO.
for _name in ("MESA", "matplotlib"):
    logging.getLogger(_name).setLevel(logging.WARNING)

RUN_CHUNK = 100  # steps run between progress reports
# The measures Mesa's DataCollector reports at the end of a run (those jobs give intervals).
HEADLINE = tuple(m.name for m in MEASURES if m.headline)
# Per-provider measures in hours added to providers.parquet (metrics.provider_hours).
PROVIDER_HOURS = ("waits_12h", "waits_12h_per_bed_quarter", "mean_wait_hours", "share_over_4h",
                  "midnight_occupancy")  # fmt: skip


class CollabModel(mesa.Model):
    """Providers (Mesa agents) whose state lives in the engine's arrays."""

    def __init__(
        self, config: Config | None = None, graph: nx.DiGraph | None = None, **settings: Any
    ) -> None:
        """``config``, or keyword settings as Mesa's ``batch_run`` passes them: a setting's
        dots as double underscores (``trust__initial=0.8``), a group by its name
        (``policy="trust_gated"``), ``seed=3``; the defaults otherwise."""
        if settings:
            if config is not None:
                raise ConfigError("CollabModel: give a config or keyword settings, not both")
            from collabsim.batch import overrides_of
            from collabsim.settings import load_config

            dotted = {key.replace("__", "."): value for key, value in settings.items()}
            config = load_config(overrides_of(dotted))
        config = config or Config()
        super().__init__(rng=config.seed)
        self.config = config
        self.graph = graph if graph is not None else networks.build(config.network, config.pathway)
        check_memory(config, self.graph)  # before the engine's arrays are made
        providers, links = networks.to_arrays(self.graph)
        self.policy = policy_for(config)
        self.engine = Engine(providers, links, config, self.policy)
        self.space = Network(self.graph.to_undirected(as_view=True), capacity=1, random=self.random)
        for i in range(providers.n):
            Provider(self, i)
        self.datacollector = RecordedData(self)

    def step(self) -> None:
        """One step of every phase, in the documented order; at the end of the configured
        run ``running`` turns False (as Mesa's ``batch_run`` expects)."""
        self.engine.step()
        if self.engine.t >= self.engine.steps:
            self.running = False

    def reset(self, seed: int | None = None) -> None:
        """Start again from the beginning with ``seed`` (default: the config's): the engine's
        state and streams, and Mesa's own generators (``random``, ``rng``), so a
        replication is the run a fresh model with that seed makes, whatever uses them."""
        seed = self.config.seed if seed is None else seed
        self.engine.reset(seed)
        self.reset_randomizer(seed)  # in place: the space and agent sets share it
        self.reset_rng(seed)
        self.steps = 0
        self.running = True

    def run(self, steps: int | None = None, progress: Callable[[int], Any] | None = None) -> None:
        """Run the rest of the configured run (or ``steps`` more), calling ``progress``
        with the number of steps done every 100 steps.

        The engine runs in chunks, without Mesa's per-step call and log line (a sweep
        runs millions of steps); Mesa's step counter still counts every step. ``step``
        is not called: what must happen every step belongs in a phase of the engine.
        """
        left = self.engine.steps - self.engine.t if steps is None else steps
        while left > 0:
            chunk = min(left, RUN_CHUNK)
            self.engine.run(chunk)
            self.steps += chunk
            left -= chunk
            if progress is not None:
                progress(chunk)

    @property
    def summary(self) -> dict[str, Any]:
        """Headline measures so far, with the run's identity."""
        return {**self.identity(), **summarise(self.engine)}

    def identity(self) -> dict[str, Any]:
        from collabsim import __version__

        return {
            "version": __version__,
            "seed": self.engine.seed,
            "policy": self.config.policy.name,
            "scenario": self.config.scenario,
            "culture": self.config.culture.name,
            "network": self.config.network.preset,
            "providers": self.engine.providers.n,
            "links": self.engine.links.m,
            "step_days": self.config.sim.step_days,
        }

    @property
    def series(self) -> pd.DataFrame:
        """Per-step system series as a DataFrame (converted once, here)."""
        return pd.DataFrame(series_columns(self.engine))

    def providers_frame(self) -> pd.DataFrame:
        """One row per provider: description and post-warm-up averages."""
        return pd.DataFrame(self.providers_columns())

    def providers_columns(self) -> dict[str, Any]:
        """``providers_frame`` as columns (arrays), cheap to gather over replications."""
        e = self.engine
        p, rec = e.providers, e.recorder
        steps = max(rec.measured_steps, 1)
        totals = rec.provider_totals
        admitted = totals[ROW["admissions"]]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_wait = np.where(admitted > 0, totals[ROW["wait_steps"]] / admitted, np.nan)
        hours = provider_hours(e, totals, rec.night, rec.measured_steps)
        return {
            "id": p.ids,
            "name": p.names,
            "kind": [KINDS[k] for k in p.kind],
            "region": [p.region_names[r] for r in p.region],
            "capacity": p.capacity,
            "demand_per_day": p.demand_per_day,
            "x_km": [self.graph.nodes[i].get("x_km", np.nan) for i in range(p.n)],
            "y_km": [self.graph.nodes[i].get("y_km", np.nan) for i in range(p.n)],
            "mean_occupancy": totals[ROW["occupied"]] / np.maximum(totals[ROW["capacity"]], 1),
            "mean_waiting": totals[ROW["waiting"]] / steps,
            "mean_delayed": totals[ROW["delayed"]] / steps,
            "admissions": admitted,
            "mean_wait_days": mean_wait * e.step_days,
            "harm_events": totals[ROW["harms"]] + totals[ROW["lost"]],
            "transfers_out": totals[ROW["transfers_out"]],
            "transfers_in": totals[ROW["transfers_in"]],
            "beds_lent": totals[ROW["loans_out"]],
            "beds_borrowed": totals[ROW["loans_in"]],
            "refused_by_partners": totals[ROW["refusals"]],
            "self_preservation": e.traits.self_preservation.copy(),
            "candour": e.traits.candour.copy(),
            **{name: hours[name] for name in PROVIDER_HOURS},
        }

    def quarters_frame(self) -> pd.DataFrame:
        """One row per financial quarter for all acute providers, then per provider and
        quarter (``collabsim.core.metrics.quarter_columns``)."""
        return pd.DataFrame(self.quarters_columns())

    def quarters_columns(self) -> dict[str, Any]:
        """``quarters_frame`` as columns (arrays)."""
        return quarter_columns(self.engine)

    def regions_frame(self) -> pd.DataFrame:
        """One row per region: providers, beds and the post-warm-up mean wait."""
        return pd.DataFrame(self.regions_columns())

    def regions_columns(self) -> dict[str, Any]:
        """``regions_frame`` as columns (arrays)."""
        e = self.engine
        p = e.providers
        region = p.region.astype(np.int64)
        groups = len(p.region_names)
        totals = e.recorder.provider_totals
        return {
            "region": p.region_names,
            "providers": np.bincount(region, minlength=groups),
            "capacity": np.bincount(region, p.capacity, minlength=groups).astype(np.int64),
            "admissions": np.bincount(region, totals[ROW["admissions"]], minlength=groups).astype(
                np.int64
            ),
            "mean_wait_days": waits_by(e, region, groups),
        }


class RecordedData:
    """What Mesa's ``DataCollector`` offers ``batch_run`` and its users (``model_vars``,
    ``get_model_vars_dataframe``), read from the engine's own recorder: the state at the end
    of each step (patients waiting, beds occupied, mean trust) and the headline measures at
    the last step. Written here rather than a ``DataCollector`` because its ``collect()``
    calls every reporter in Python each step, and ``model.step()`` then ran at 41,000 steps
    a second on the small network instead of 76,000 (``benchmarks/bench.py``); the engine
    records these every step anyway."""

    agent_reporters: dict[str, Any] = {}  # noqa: RUF012 - read only, as Mesa's
    _agent_records: dict[int, Any] = {}  # noqa: RUF012 - no agent data (batch_run reads it)

    def __init__(self, model: CollabModel) -> None:
        self.model = model
        self._made: tuple[int, bool, dict[str, list[Any]]] = (-1, True, {})

    def collect(self, model: CollabModel) -> None:
        """Nothing to do: the engine recorded the step."""

    @property
    def model_vars(self) -> dict[str, list[Any]]:
        """Each measure's value at every step so far (headline measures: None until the run
        has ended). Made once per step count, so ``batch_run`` reading it at every step of a
        finished run costs one pass."""
        model = self.model
        steps, running = model.engine.t, model.running
        if self._made[:2] != (steps, running):
            rec = model.engine.recorder
            rows = rec.rows[:steps]
            made: dict[str, list[Any]] = {
                "waiting_now": rows[:, ROW["waiting"]].tolist(),
                "occupied_now": rows[:, ROW["occupied"]].tolist(),
                "trust_now": rec.mean_trust[:steps].tolist(),
            }
            final = {} if running or not steps else model.summary
            for name in HEADLINE:
                made[name] = [None] * max(steps - 1, 0) + ([final.get(name)] if steps else [])
            self._made = (steps, running, made)
        return self._made[2]

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        return pd.DataFrame(self.model_vars)


@dataclass
class SimulationResult:
    """What ``simulate`` returns: the summary, the series and the model itself."""

    summary: dict[str, Any]
    series: pd.DataFrame
    model: CollabModel = field(repr=False)
