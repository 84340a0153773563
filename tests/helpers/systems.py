"""Small hand-built systems and configs for engine tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from collabsim.config import Config, from_dict
from collabsim.core.engine import Engine
from collabsim.core.state import KINDS, Links, Providers
from collabsim.policies import policy_for

NO_LINKS = Links(
    np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
)  # fmt: skip


def providers(
    capacity: list[int] | np.ndarray,
    demand: list[float] | np.ndarray,
    los: list[float] | np.ndarray,
    kinds: list[str] | None = None,
    regions: list[int] | None = None,
) -> Providers:
    n = len(capacity)
    kinds = kinds or ["community"] * n
    regions = regions or [0] * n
    return Providers(
        ids=tuple(f"P{i}" for i in range(n)),
        names=tuple(f"Provider {i}" for i in range(n)),
        kind=np.array([KINDS.index(k) for k in kinds], dtype=np.int8),
        region=np.array(regions, dtype=np.int32),
        region_names=tuple(f"R{r}" for r in range(max(regions) + 1)),
        capacity=np.asarray(capacity, dtype=np.int64),
        demand_per_day=np.asarray(demand, dtype=float),
        los_days=np.asarray(los, dtype=float),
    )


def links(pairs: list[tuple[int, int]], trust: float = 0.5) -> Links:
    src = np.array([a for a, _ in pairs], dtype=np.int64)
    dst = np.array([b for _, b in pairs], dtype=np.int64)
    return Links(src, dst, np.full(len(pairs), 30.0), np.full(len(pairs), trust))


def config(**sections: Any) -> Config:
    """A validated config from nested keyword dicts, e.g. config(sim={"days": 10})."""
    return from_dict(sections)


# A flat world: no weekly pattern, no winter, no weekend effect (for queueing checks).
FLAT = {
    "demand": {"weekly": [1.0] * 7, "winter_amplitude": 0.0},
    "discharge": {"weekend_factor": 1.0},
}


def engine(prov: Providers, lnk: Links = NO_LINKS, cfg: Config | None = None) -> Engine:
    cfg = cfg or Config()
    return Engine(prov, lnk, cfg, policy_for(cfg))


def fill(e: Engine, occupied: list[int], waiting: list[int], age: int = 0) -> Engine:
    """Set a hand-built state: beds occupied (in treatment), and patients waiting, all
    having arrived ``age`` steps ago; nothing else waiting."""
    st = e.state
    st.in_treatment[0] = occupied
    st.occupied[:] = occupied
    by_age = np.zeros((age + 1, len(waiting)), dtype=np.int64)
    by_age[age] = waiting
    e.set_queue(by_age)
    return e


def asker_and_helper(**sections: Any) -> Engine:
    """A: 10 beds, all full, 6 waiting (3 steps old). B: 20 beds, 10 free. Linked both
    ways, 30 minutes apart, trust 0.5 everywhere, no drift, no self-preservation."""
    sections.setdefault("trust", {}).setdefault("drift_per_day", 0.0)
    sections.setdefault("self_preservation", {}).setdefault("mean", 0.0)
    sections.setdefault("aid", {}).setdefault("delay_days", 0.0)
    sections.setdefault("sim", {"days": 30, "warmup_days": 0})
    cfg = config(**sections)
    e = engine(providers([10, 20], [0.0, 0.0], [1000.0, 1000.0]), links([(0, 1), (1, 0)]), cfg)
    return fill(e, occupied=[10, 10], waiting=[6, 0], age=2)


def link(e: Engine, a: int, b: int) -> int:
    """Index of aid link a -> b (a asks, b helps)."""
    return int(np.flatnonzero((e.aid.links.src == a) & (e.aid.links.dst == b))[0])
