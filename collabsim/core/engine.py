"""The step: one explicit, ordered list of phases over the state arrays.

``PHASES`` is the schedule, in one place: it is what ``docs/ODD.md`` documents and
where a probe or a new phase is inserted. Each phase is a function of the engine
that updates its arrays in place; none loops over providers or patients in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from collabsim.core.admission import admit, arrive
from collabsim.core.aid import Aid, begin_aid, update_trust
from collabsim.core.demand import Demand
from collabsim.core.discharge import Stays, discharge
from collabsim.core.pathway import Pathway, place_delayed
from collabsim.core.random import new_stream
from collabsim.core.record import Recorder, record
from collabsim.core.state import Links, Providers, State

Phase = Callable[["Engine"], None]

# Names of the independent random streams spawned from the run seed.
STREAMS = ("arrivals", "los", "behaviour")


def mutual_aid(engine: Engine) -> None:
    """Transfers agreed earlier and now due happen; then the policy agrees new ones."""
    begin_aid(engine)
    engine.policy.step(engine)


PHASES: tuple[Phase, ...] = (
    arrive,  # demand: age the queues, add this step's arrivals
    discharge,  # stays end; some acute patients become delayed discharges
    place_delayed,  # discharge pathway: delayed patients move to step-down partners
    mutual_aid,  # the policy (from the registry) shares patients or capacity
    admit,  # oldest-first admission into free beds, waits recorded
    update_trust,  # help received and given, refusals, drift to the baseline
    record,  # per-step totals into preallocated arrays
)


class Engine:
    """Arrays, parameters and random streams of one system; ``step`` runs ``PHASES`` once."""

    def __init__(
        self,
        providers: Providers,
        links: Links,
        config: Any,
        policy: Any,
        phases: tuple[Phase, ...] = PHASES,
    ) -> None:
        providers.validate()
        self.providers, self.links, self.config, self.policy = providers, links, config, policy
        self.phases = phases
        sim = config.sim
        self.step_days = sim.step_days
        self.steps = sim.steps
        self.warmup_steps = sim.warmup_steps
        self.max_wait_steps = sim.max_wait_steps
        self.demand = Demand(providers, config.demand, sim.step_days)
        self.stays = Stays(providers, config.discharge, config.pathway, sim.step_days)
        self.pathway = Pathway(providers, links)
        self.aid = Aid(providers, links, config.aid, sim.step_days)
        ages = np.arange(self.max_wait_steps + 1)
        waited = ages * sim.step_days
        eps = 1e-9
        self.wait_weights = np.stack(
            [
                ages,
                waited >= config.metrics.target_wait_days - eps,
                waited >= config.metrics.harm_wait_days - eps,
            ]
        ).astype(np.int64)
        self.reset(config.seed)

    def reset(self, seed: int) -> None:
        """Empty queues, beds filled to their expected occupancy, fresh streams from ``seed``."""
        self.seed = seed
        arrivals, los, behaviour = np.random.SeedSequence(seed).spawn(len(STREAMS))
        # Kernel streams (collabsim.core.random), one per source of chance.
        self.rng_arrivals = new_stream(arrivals)
        self.rng_los = new_stream(los)
        self.rng_behaviour = new_stream(behaviour)
        self.state = State(self.providers, self.max_wait_steps, self.stays.buckets)
        initial = self.config.trust.initial
        self.trust = self.links.trust.astype(float).copy()
        if initial is not None:
            self.trust[:] = initial
        self.aid.reset(self.config.trust, self.step_days)
        self.aid.trust_settled = bool((self.trust == self.config.trust.baseline).all())
        self.trust_changed()
        self._initial_occupancy()
        self.recorder = Recorder(self.steps, self.state, self.max_wait_steps)
        self.queue_top = 0
        self.t = 0
        self.policy.bind(self)

    def _initial_occupancy(self) -> None:
        """Start near the expected steady state, to shorten the warm-up.

        In treatment: demand x stay; acute delayed: the pathway share of acute
        throughput x the arrangement time; step-down partners also hold the pathway
        inflow x their stay. Everything is capped at capacity.
        """
        p, st, cfg = self.providers, self.state, self.config
        demand = p.demand_per_day * cfg.demand.scale
        path = self.pathway
        acute_demand = demand[path.acute]
        links_per_acute = np.diff(path.src_start)
        inflow = np.zeros(p.n)
        if path.size:
            per_link = (
                cfg.pathway.share * acute_demand[path.src_pos] / links_per_acute[path.src_pos]
            )
            np.add.at(inflow, path.dst, per_link)
        treated = np.minimum(np.rint((demand + inflow) * p.los_days).astype(np.int64), p.capacity)
        delayed = np.zeros(p.n, dtype=np.int64)
        has_path = links_per_acute > 0
        delayed[path.acute[has_path]] = np.rint(
            cfg.pathway.share * acute_demand[has_path] * cfg.pathway.arrangement_days
        )
        delayed = np.minimum(delayed, p.capacity - treated)
        st.in_treatment[0] = treated
        st.delayed[:] = delayed
        st.occupied[:] = treated + delayed

    def trust_changed(self) -> None:
        """Call after changing ``self.trust``: refreshes the mean the recorder writes."""
        self.trust_mean = float(self.trust.mean()) if self.trust.size else float("nan")

    @property
    def measuring(self) -> bool:
        """Whether this step is past the warm-up and counts towards the summary."""
        return self.t >= self.warmup_steps

    def step(self) -> None:
        """Run every phase once, in order, then advance the clock."""
        for phase in self.phases:
            phase(self)
        self.t += 1

    def run(self, steps: int | None = None) -> None:
        """Run ``steps`` steps (default: the rest of the configured run)."""
        for _ in range(self.steps - self.t if steps is None else steps):
            self.step()
