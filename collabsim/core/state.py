"""Provider state as a struct of arrays, and the static description of the system.

Every per-provider quantity that the step changes is a row of one 2-D block
(``State.block``), so one ``block.sum(axis=1)`` gives every system total for the
recorder, and a per-provider view (``state.occupied``) is just a row. Patients are
cohorts: ``queue[a, i]`` is the number waiting at provider ``i`` who arrived ``a``
steps ago; nothing is stored per patient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINDS = ("acute", "community", "social_care", "mental_health")
ACUTE = KINDS.index("acute")
STEPDOWN = (KINDS.index("community"), KINDS.index("social_care"))

# Rows of State.block. Levels are stocks at the end of a step; flows are this step's counts.
LEVELS = (
    "capacity",  # staffed beds or places
    "occupied",  # beds occupied: in treatment + delayed
    "delayed",  # acute patients medically fit but waiting for an onward place
    "arranged",  # of those, the ones whose onward care is arranged (waiting for a free place)
    "waiting",  # patients waiting for a bed here
    "lent",  # staffed beds this provider has lent to partners (out of its capacity)
    "borrowed",  # staffed beds borrowed from partners (part of its capacity)
)
FLOWS = (
    "arrivals",  # joined a queue
    "admissions",  # admitted from a queue into a bed
    "lost",  # left a queue unadmitted after the maximum wait
    "discharges",  # left a bed for home (or died): the end of a stay
    "new_delayed",  # medically fit acute patients who now need an onward place
    "placed_out",  # delayed acute patients placed with a step-down partner
    "placed_in",  # step-down beds taken by those placements
    "transfers_out",  # waiting patients sent to a partner by mutual aid
    "transfers_in",  # waiting patients received by mutual aid
    "loans_out",  # staffed beds lent to partners, starting this step
    "loans_in",  # staffed beds borrowed from partners, starting this step
    "aid_cost",  # cost of the transfers and loans begun this step, GBP (paid by the asker)
    "aid_minutes",  # travel minutes of this step's transfers (per patient) and loans (per bed)
    "need",  # patients beyond free beds and help already agreed (true pressure)
    "asked",  # of that need, what the provider asked for (candour, asking threshold)
    "refusals",  # partners with visible room that refused this provider's request
    "discoveries",  # hidden pressure found out by partners
    "wait_steps",  # sum over this step's admissions of steps waited
    "breaches",  # admissions that waited at least the target
    "harms",  # admissions that waited at least the harm threshold
)
ROWS = LEVELS + FLOWS
ROW = {name: i for i, name in enumerate(ROWS)}


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


class State:
    """Mutable per-provider state of one run, reset for each replication."""

    def __init__(self, providers: Providers, max_wait_steps: int, los_buckets: int) -> None:
        n = providers.n
        self.n = n
        self.block = np.zeros((len(ROWS), n), dtype=np.int64)
        # queue[a, i]: waiting at i, arrived a steps ago; row max_wait_steps is the oldest.
        self.queue = np.zeros((max_wait_steps + 1, n), dtype=np.int64)
        # in_treatment[a, i]: in a bed, not yet medically fit, a steps into the stay
        # (one bucket when stays are exponential, since the hazard is constant).
        self.in_treatment = np.zeros((los_buckets, n), dtype=np.int64)
        for name, i in ROW.items():
            setattr(self, name, self.block[i])
        self.capacity[:] = providers.capacity

    # Attributes set from ROWS above (declared for type checkers and readers).
    capacity: np.ndarray
    occupied: np.ndarray
    delayed: np.ndarray
    arranged: np.ndarray
    waiting: np.ndarray
    lent: np.ndarray
    borrowed: np.ndarray
    arrivals: np.ndarray
    admissions: np.ndarray
    lost: np.ndarray
    discharges: np.ndarray
    new_delayed: np.ndarray
    placed_out: np.ndarray
    placed_in: np.ndarray
    transfers_out: np.ndarray
    transfers_in: np.ndarray
    loans_out: np.ndarray
    loans_in: np.ndarray
    aid_cost: np.ndarray
    aid_minutes: np.ndarray
    need: np.ndarray
    asked: np.ndarray
    refusals: np.ndarray
    discoveries: np.ndarray
    wait_steps: np.ndarray
    breaches: np.ndarray
    harms: np.ndarray
