"""Provider state as a struct of arrays, and the static description of the system.

Every per-provider quantity that the step changes is a row of one 2-D block
(``State.block``), so one ``block.sum(axis=1)`` gives every system total for the
recorder, and a per-provider view (``state.occupied``) is just a row. Each phase
declares the rows it writes (``Row``: name, label, unit; a level is a stock at the
end of the step, a flow is this step's count); ``collabsim.core.phases`` gathers
them into ``ROWS``. Patients are cohorts: ``queue[u, s % R]`` is the number waiting in
bed pool ``u`` who arrived at step ``s`` (a ring of ``R`` = maximum wait + 1 steps per
pool, so nothing moves as cohorts age); nothing is stored per patient.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

import numpy as np


class Beds(NamedTuple):
    """Per bed pool (``collabsim.core.pools``): the levels a provider's rows sum. With one
    pool per provider these are views of the state's rows."""

    capacity: np.ndarray
    occupied: np.ndarray
    waiting: np.ndarray
    delayed: np.ndarray
    arranged: np.ndarray
    home: np.ndarray  # beds the pool has when nothing is on loan
    start: np.ndarray  # arrival step of the pool's oldest cohort that may still be waiting
    booked: np.ndarray  # booked (elective) patients not yet admitted


KINDS = ("acute", "community", "social_care", "mental_health")
ACUTE = KINDS.index("acute")
STEPDOWN = (KINDS.index("community"), KINDS.index("social_care"))


@dataclass(frozen=True)
class Row:
    """One per-provider quantity of the state: a level (stock) or a flow (this step's)."""

    name: str
    label: str
    unit: str = "patients"
    level: bool = False


def level(name: str, label: str, unit: str = "patients") -> Row:
    return Row(name, label, unit, level=True)


def flow(name: str, label: str, unit: str = "patients") -> Row:
    return Row(name, label, unit, level=False)


# The rows every phase shares: beds and the queue.
SHARED_ROWS = (
    level("capacity", "staffed beds or places", "beds"),
    level("occupied", "beds occupied: in treatment + delayed", "beds"),
    level("waiting", "patients waiting for a bed here"),
)


def row_index(rows: Sequence[Row]) -> dict[str, int]:
    """Row name -> position; a name declared twice is a programming error."""
    index: dict[str, int] = {}
    for i, row in enumerate(rows):
        if row.name in index:
            raise ValueError(f"state row {row.name!r} is declared twice")
        index[row.name] = i
    return index


@dataclass(frozen=True)
class Providers:
    """Who the providers are: fixed for a run. Index ``i`` is the same everywhere."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    kind: np.ndarray  # int8 index into KINDS
    region: np.ndarray  # int32 index into region_names
    region_names: tuple[str, ...]
    capacity: np.ndarray  # int64 staffed beds / places
    demand_per_day: np.ndarray  # float64 mean arrivals per day
    los_days: np.ndarray  # float64 mean length of stay (treatment, excluding delay)

    @property
    def n(self) -> int:
        return len(self.ids)

    def validate(self) -> None:
        n = self.n
        for name in ("kind", "region", "capacity", "demand_per_day", "los_days"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"providers.{name} must have shape ({n},)")
        if n == 0:
            raise ValueError("a system needs at least one provider")
        if (self.capacity < 0).any() or (self.demand_per_day < 0).any():
            raise ValueError("capacity and demand must be non-negative")
        if (self.los_days <= 0).any():
            raise ValueError("length of stay must be positive")


@dataclass(frozen=True)
class Links:
    """Directed relationships i -> j as edge arrays, made once from the network."""

    src: np.ndarray  # int64
    dst: np.ndarray  # int64
    travel_minutes: np.ndarray  # float64
    trust: np.ndarray  # float64 in [0, 1]: how far src trusts dst

    @property
    def m(self) -> int:
        return len(self.src)


Bundle = TypeVar("Bundle")


class State:
    """Mutable per-provider state of one run, reset for each replication."""

    def __init__(
        self,
        providers: Providers,
        rows: Sequence[Row],
        max_wait_steps: int,
        los_buckets: int,
        pools: int | None = None,
    ) -> None:
        n = providers.n
        self.n = n
        self.rows = tuple(rows)
        self.index = row_index(self.rows)
        self.block = np.zeros((len(self.rows), n), dtype=np.int64)
        # Bed pools (collabsim.core.pools): the columns of the queue and the stays; one per
        # provider unless wards split acute providers' beds.
        u = n if pools is None else pools
        # queue[u, s % R]: waiting in pool u, arrived at step s, R = max_wait_steps + 1 (a
        # ring: a cohort keeps its place as it ages, the one that has waited the maximum
        # leaves the slot this step's arrivals take). Pool-major, so a pool's cohorts are
        # adjacent in memory: admission reads them oldest first.
        self.queue = np.zeros((u, max_wait_steps + 1), dtype=np.int64)
        # in_treatment[a, u]: in a bed of pool u, not yet medically fit, a steps into the
        # stay (one bucket when stays are exponential, since the hazard is constant).
        self.in_treatment = np.zeros((los_buckets, u), dtype=np.int64)
        for name, i in self.index.items():
            setattr(self, name, self.block[i])
        self.capacity[:] = providers.capacity
        # Per pool: capacity, occupied, waiting, delayed, arranged, home size. One pool per
        # provider: the provider rows themselves (the same memory), so nothing is copied.
        names = Beds._fields[:-3]
        if u == n:
            levels = [self.block[self.index[f]] if f in self.index else np.zeros(n, np.int64)
                      for f in names]  # fmt: skip
        else:
            levels = [np.zeros(u, dtype=np.int64) for _ in names]
        self.beds = Beds(*levels, *(np.zeros(u, dtype=np.int64) for _ in range(3)))

    def bundle(self, kind: type[Bundle]) -> Bundle:
        """The named tuple ``kind`` of the rows its fields name (views: writes go to the
        state)."""
        return kind(*(self.block[self.index[name]] for name in kind._fields))  # type: ignore[attr-defined]

    # The shared rows, declared for readers and type checkers; every row a phase declares
    # is an attribute too (state.transfers_out, ...), set in __init__.
    capacity: np.ndarray
    occupied: np.ndarray
    waiting: np.ndarray
