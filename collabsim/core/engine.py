"""The engine: the arrays, parameters and random streams of one system, and its step.

``step`` runs the phases of ``collabsim.core.phases.PHASES`` once, in order. Each
phase builds itself from the engine (config, clock, providers, links) once, and
resets itself at every replication after the engine has made the state, the
random streams and the trust fresh (behaviour settings changed in ``config`` take
effect at the next reset). What several phases share lives here: the
state, the trust on every link, the providers' traits, the aid book (links, help in
flight, needs) and the discharge pathway's links.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from collabsim.core.aid import Aid
from collabsim.core.clock import Clock
from collabsim.core.pathway import Pathway
from collabsim.core.phase import Phase
from collabsim.core.phases import PHASES, rows_of
from collabsim.core.pools import pool_map, split
from collabsim.core.random import new_stream
from collabsim.core.record import Recorder
from collabsim.core.state import Links, Providers, State
from collabsim.core.traits import Traits
from collabsim.core.trust import TrustRules

# Names of the independent random streams spawned from the run seed. Appending a
# name leaves the earlier streams unchanged (SeedSequence children are by position).
STREAMS = ("arrivals", "los", "behaviour", "traits")


class Engine:
    """Arrays, parameters and random streams of one system; ``step`` runs the phases once."""

    def __init__(
        self,
        providers: Providers,
        links: Links,
        config: Any,
        policy: Any,
        phases: Sequence[type[Phase]] = PHASES,
    ) -> None:
        providers.validate()
        self.providers, self.links, self.config, self.policy = providers, links, config, policy
        sim = config.sim
        self.clock = Clock(sim.step_days, sim.decision_steps)
        self.step_days = sim.step_days
        self.steps = sim.steps
        self.warmup_steps = sim.warmup_steps
        self.max_wait_steps = sim.max_wait_steps
        self.rows = rows_of(phases)
        self.pools = pool_map(providers, config.wards, config.network.seed)
        self.pathway = Pathway(providers, links)
        self.aid = Aid(
            providers, links, config.aid, self.clock, policy.reach(config), config.channels
        )
        self.traits = Traits(providers.n)
        self.phases = tuple(phase(self) for phase in phases)
        self._phase = {phase.name: phase for phase in self.phases}
        self.reset(config.seed)

    def phase(self, name: str) -> Any:
        """The phase called ``name`` (``engine.phase("mutual_aid").agree(grants)``)."""
        return self._phase[name]

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
        discharge = self._phase.get("discharge")
        buckets = discharge.stays.buckets if discharge is not None else 1
        pools = self.pools
        self.state = State(
            self.providers, self.rows, self.max_wait_steps, buckets, pools.provider.size
        )
        # protected time for relationships is taken out of staffed capacity
        cap = self.state.capacity
        cap -= np.rint(cfg.relationship.protected_time * cap).astype(np.int64)
        beds = self.state.beds
        beds.capacity[:] = split(cap, pools.first)
        beds.home[:] = beds.capacity
        self.trust = self.links.trust.astype(float).copy()
        if cfg.trust.initial is not None:
            self.trust[:] = cfg.trust.initial
        # how far shared history has moved each relationship's level from the baseline
        self.trust_shift = np.zeros_like(self.trust)
        self.trust_rules = TrustRules.of(cfg, self.clock)
        self.aid.configure(cfg.aid, self.clock, cfg.channels)
        self.aid.reset(self.state, self.trust, self.pools, self.rng_behaviour)
        self.trust_changed()
        self._initial_occupancy()
        self.recorder = Recorder(self.steps, self.state, self.max_wait_steps)
        self.t = 0
        self.policy.bind(self)
        for phase in self.phases:
            phase.reset()

    def _initial_occupancy(self) -> None:
        """Start near the expected steady state, to shorten the warm-up.

        In treatment: demand x stay; acute delayed: the pathway share of acute
        throughput x the arrangement time; step-down partners also hold the pathway
        inflow x their stay. Everything is capped at capacity.
        """
        p, st, cfg = self.providers, self.state, self.config
        demand = p.demand_per_day * cfg.demand.scale
        path = self.pathway.links
        acute_demand = demand[path.acute]
        links_per_acute = np.diff(path.src_start)
        inflow = np.zeros(p.n)
        if path.dst.size:
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
        beds, first = st.beds, self.pools.first
        treated, delayed = split(treated, first), split(delayed, first)
        delayed = np.minimum(delayed, beds.capacity - treated)  # pools: whole beds only
        st.in_treatment[0] = treated
        beds.delayed[:] = delayed
        beds.occupied[:] = treated + delayed
        self.gather()

    def set_capacity(self, i: int, beds: int) -> None:
        """Give provider ``i`` ``beds`` staffed beds (sickness, escalation from outside).

        More beds are spread evenly over its pools; fewer are taken from free beds first
        (the pools with most free), then from the largest pools, which may then hold more
        patients than beds until discharges empty them, as a provider of one pool does. The
        pools' own sizes (``home``) change with them, so loans and escalation stay exact."""
        b, lo, hi = self.state.beds, self.pools.first[i], self.pools.first[i + 1]
        change = int(beds) - int(b.capacity[lo:hi].sum())
        if change >= 0:
            part = split(np.array([change]), np.array([0, hi - lo]))
        else:
            part = np.zeros(hi - lo, dtype=np.int64)
            cap, free = (
                b.capacity[lo:hi].copy(),
                np.maximum(b.capacity[lo:hi] - b.occupied[lo:hi], 0),
            )
            for _ in range(-change):  # one bed at a time: a Python loop outside the step
                k = int(np.argmax(free)) if free.max() > 0 else int(np.argmax(cap + part))
                part[k] -= 1
                free[k] = max(free[k] - 1, 0)
        b.capacity[lo:hi] += part
        b.home[lo:hi] = np.maximum(b.home[lo:hi] + part, 0)
        self.gather()
        self.state.capacity[i] = beds

    def gather(self) -> None:
        """Providers' rows from their pools (after a change made to the pools from Python)."""
        st, pools = self.state, self.pools
        if pools.provider.size == self.providers.n:
            return  # the pools are the providers' rows
        for name in ("capacity", "occupied", "waiting", "delayed", "arranged"):
            if name in st.index:
                getattr(st, name)[:] = np.add.reduceat(getattr(st.beds, name), pools.first[:-1])

    def queue_by_age(self) -> np.ndarray:
        """The queue by age (rows ``0..R``, ``R`` = maximum wait + 1) and pool (columns):
        row ``a`` holds who arrived ``a`` steps before step ``t`` (a copy). Row ``R`` is
        non-empty only before this step's ``arrive``: the cohort about to leave."""
        st, t = self.state, self.t
        ring = st.queue.shape[1]
        by_age = np.zeros((ring + 1, st.queue.shape[0]), dtype=np.int64)
        by_age[:ring] = st.queue[:, (t - np.arange(ring)) % ring].T
        leaving = st.beds.start <= t - ring  # slot t % ring still holds step t - ring
        by_age[ring, leaving] = by_age[0, leaving]
        by_age[0, leaving] = 0
        return by_age

    def set_queue(self, by_age: np.ndarray) -> None:
        """Fill the queue by hand (tests, what-ifs): ``by_age[a, u]`` patients of pool ``u``
        who arrived ``a`` steps before step ``t``, as ``queue_by_age`` gives it (age ``R``
        only where age 0 is empty); the pools' and providers' waiting follow."""
        st, t = self.state, self.t
        ring = st.queue.shape[1]
        by_age = np.asarray(by_age, dtype=np.int64)
        rows, pools = by_age.shape if by_age.ndim == 2 else (0, 0)
        if not 0 < rows <= ring + 1 or pools != st.queue.shape[0]:
            raise ValueError(f"a queue by age has 1 to {ring + 1} rows and one column per pool")
        if rows == ring + 1 and (by_age[0] * by_age[ring]).any():
            raise ValueError("ages 0 and R share a slot of the ring: one of them must be empty")
        st.queue[:] = 0
        ages = np.arange(min(rows, ring))
        st.queue[:, (t - ages) % ring] = by_age[: ages.size].T
        if rows == ring + 1:
            st.queue[:, t % ring] += by_age[ring]
        st.beds.waiting[:] = by_age.sum(axis=0)
        held = by_age > 0
        oldest = rows - 1 - np.argmax(held[::-1], axis=0)  # the oldest age held, per pool
        st.beds.start[:] = np.where(held.any(axis=0), t - oldest, t)
        self.gather()

    def trust_changed(self) -> None:
        """Call after changing ``self.trust``: refreshes the mean and spread recorded."""
        self.trust_mean = float(self.trust.mean()) if self.trust.size else float("nan")
        self.trust_sd = float(self.trust.std()) if self.trust.size else float("nan")
        level = self.trust_rules.baseline + self.trust_shift
        self.trust_settled = bool(self.trust.size and (self.trust == level).all())

    def trust_unsettled(self) -> None:
        """Trust moved off the baseline: the next trust update must drift it back."""
        self.trust_settled = False

    @property
    def measuring(self) -> bool:
        """Whether this step is past the warm-up and counts towards the summary."""
        return self.t >= self.warmup_steps

    def step(self) -> None:
        """Run every phase once, in order, then advance the clock."""
        for phase in self.phases:
            phase()
        self.t += 1

    def run(self, steps: int | None = None) -> None:
        """Run ``steps`` steps (default: the rest of the configured run)."""
        for _ in range(self.steps - self.t if steps is None else steps):
            self.step()
