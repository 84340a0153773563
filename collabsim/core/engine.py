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
from collabsim.core.aid import Aid, begin_aid
from collabsim.core.demand import Demand
from collabsim.core.discharge import Stays, discharge
from collabsim.core.pathway import Pathway, place_delayed
from collabsim.core.pressure import pressure
from collabsim.core.random import new_stream
from collabsim.core.record import Recorder, record
from collabsim.core.state import Links, Providers, State
from collabsim.core.traits import Traits
from collabsim.core.trust import TrustRules, update_trust

Phase = Callable[["Engine"], None]

# Names of the independent random streams spawned from the run seed. Appending a
# name leaves the earlier streams unchanged (SeedSequence children are by position).
STREAMS = ("arrivals", "los", "behaviour", "traits")


def mutual_aid(engine: Engine) -> None:
    """The policy (or, while a mandate to pool is in force, ``ics_pool``) agrees new help."""
    engine.acting_policy().step(engine)


PHASES: tuple[Phase, ...] = (
    arrive,  # demand: age the queues, add this step's arrivals
    discharge,  # stays end; some acute patients become delayed discharges
    place_delayed,  # discharge pathway: delayed patients move to step-down partners
    begin_aid,  # loans due end; transfers and loans agreed earlier and due now start
    pressure,  # true and reported pressure, requests, spare beds; hidden pressure found out
    mutual_aid,  # the policy (from the registry) agrees transfers and loans
    admit,  # oldest-first admission into free beds, waits recorded
    update_trust,  # help, refusals, harm, drift; self-preservation adapts
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
        self.aid = Aid(providers, links, config.aid, sim.step_days, policy.reach(config))
        self.traits = Traits(providers.n)
        self.mandate_policy = None
        if config.mandate.days > 0:
            from collabsim.policies import make_policy

            self.mandate_policy = make_policy("ics_pool", {"compliance": config.mandate.compliance})
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
        arrivals, los, behaviour, traits = np.random.SeedSequence(seed).spawn(len(STREAMS))
        # Kernel streams (collabsim.core.random), one per source of chance.
        self.rng_arrivals = new_stream(arrivals)
        self.rng_los = new_stream(los)
        self.rng_behaviour = new_stream(behaviour)
        cfg = self.config
        self.traits.reset(np.random.default_rng(traits), cfg)
        self.state = State(self.providers, self.max_wait_steps, self.stays.buckets)
        # protected time for relationships is taken out of staffed capacity
        cap = self.state.capacity
        cap -= np.rint(cfg.relationship.protected_time * cap).astype(np.int64)
        self.trust = self.links.trust.astype(float).copy()
        if cfg.trust.initial is not None:
            self.trust[:] = cfg.trust.initial
        self.trust_rules = TrustRules(cfg, self.step_days)
        self.trust_settled = bool((self.trust == self.trust_rules.baseline).all())
        self.discovery_per_step = 1.0 - (1.0 - cfg.candour.discovery_per_day) ** self.step_days
        mandate = cfg.mandate
        self.mandate_steps = (
            int(round(mandate.start_day / self.step_days)),
            int(round((mandate.start_day + mandate.days) / self.step_days)),
        )
        self.aid.reset()
        self.trust_changed()
        self._initial_occupancy()
        self.recorder = Recorder(self.steps, self.state, self.max_wait_steps)
        self.queue_top = 0
        self.t = 0
        self.policy.bind(self)
        if self.mandate_policy is not None:
            self.mandate_policy.bind(self)

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
        treated = np.minimum(np.rint((demand + inflow) * p.los_days).astype(np.int64), st.capacity)
        delayed = np.zeros(p.n, dtype=np.int64)
        has_path = links_per_acute > 0
        delayed[path.acute[has_path]] = np.rint(
            cfg.pathway.share * acute_demand[has_path] * cfg.pathway.arrangement_days
        )
        delayed = np.minimum(delayed, st.capacity - treated)
        st.in_treatment[0] = treated
        st.delayed[:] = delayed
        st.occupied[:] = treated + delayed

    def trust_changed(self) -> None:
        """Call after changing ``self.trust``: refreshes the mean and spread recorded."""
        self.trust_mean = float(self.trust.mean()) if self.trust.size else float("nan")
        self.trust_sd = float(self.trust.std()) if self.trust.size else float("nan")
        self.trust_settled = bool(
            self.trust.size and (self.trust == self.trust_rules.baseline).all()
        )

    def trust_unsettled(self) -> None:
        """Trust moved off the baseline: the next trust update must drift it back."""
        self.trust_settled = False

    def acting_policy(self) -> Any:
        """The policy in force this step: the mandate's pooling while it lasts."""
        start, end = self.mandate_steps
        if self.mandate_policy is not None and start <= self.t < end:
            return self.mandate_policy
        return self.policy

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
