"""``national_escalation``: regions past an escalation level get aid from other regions.

Each step the centre computes each region's *reported* pressure: occupied plus
waiting, less the need its providers hide (``collabsim.core.pressure``), over its
staffed capacity. In a region above ``level``, providers' reported needs are met
from like-for-like partners in regions *not* escalated, along links up to
``max_travel_minutes`` (longer than the usual ``aid.max_travel_minutes``; travel
is costed per minute). Helpers give their offer plus ``compliance`` of the rest of
their room. Within a region nothing is shared: this is the national backstop alone.
Agreed help starts after the friction delay set by trust.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numba import njit

from collabsim.core.kernel import compiled, packed
from collabsim.policies.base import Policy, bounded, register
from collabsim.policies.ics_pool import directed_give, share_along

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


class Beds(NamedTuple):
    capacity: np.ndarray
    occupied: np.ndarray
    waiting: np.ndarray


class Escalation(NamedTuple):
    """Scratch: per region, reported load and staffed capacity; per provider, what it gives
    and asks for; per aid link, whether its helper may help now."""

    load: np.ndarray
    capacity: np.ndarray
    give: np.ndarray
    quota: np.ndarray
    helper_ok: np.ndarray


@njit(cache=True, error_model="numpy")
def _escalate(beds, needs, region, links, marks, cross, level, compliance, scratch, t):
    occupied = beds.occupied
    waiting = beds.waiting
    beds_capacity = beds.capacity
    need = needs.need
    reported = needs.reported
    src = links.src
    dst = links.dst
    grants = marks.grants
    load = scratch.load
    capacity = scratch.capacity
    give = scratch.give
    quota = scratch.quota
    helper_ok = scratch.helper_ok
    load[:] = 0.0
    capacity[:] = 0.0
    n = region.size
    for i in range(n):
        r = region[i]
        load[r] += occupied[i] + waiting[i] - (need[i] - reported[i])
        capacity[r] += beds_capacity[i]
    any_escalated = False
    for i in range(n):
        r = region[i]
        escalated = load[r] > level * capacity[r]
        quota[i] = reported[i] if escalated else 0
        any_escalated = any_escalated or (escalated and reported[i] > 0)
    if not any_escalated:
        for e in range(src.size):
            grants[e] = 0
        return
    directed_give(needs, compliance, give)
    for e in range(src.size):  # helpers: across regions, in regions not escalated
        d = dst[e]
        helper_ok[e] = 1 if cross[e] and load[region[d]] <= level * capacity[region[d]] else 0
    share_along(quota, give, helper_ok, links, marks, grants, t)


@dataclass(frozen=True)
class EscalationParams:
    level: float = bounded(
        1.0, 0.0, 10.0, doc="reported pressure ((occupied + waiting) / capacity) of escalation"
    )
    compliance: float = bounded(1.0, doc="how far helpers give beyond their reserve")
    max_travel_minutes: float = bounded(240.0, 0.0, 1e6, doc="longest transfer or loan")


@register
class NationalEscalation(Policy):
    """Aid across regions, only for regions past the escalation level."""

    name = "national_escalation"
    Params = EscalationParams

    def reach(self, config: Any) -> float:
        return self.params.max_travel_minutes

    def bind(self, engine: Engine) -> None:
        aid, p = engine.aid, engine.providers
        links = aid.links
        cross = ((~links.same_region) & (links.minutes <= self.params.max_travel_minutes)).astype(
            np.int8
        )
        regions = len(p.region_names)
        scratch = Escalation(
            np.zeros(regions),
            np.zeros(regions),
            np.zeros(p.n, dtype=np.int64),
            np.zeros(p.n, dtype=np.int64),
            np.zeros(aid.size, dtype=np.int8),
        )
        beds = Beds(engine.state.capacity, engine.state.occupied, engine.state.waiting)
        self.args = packed(
            beds,
            aid.needs,
            p.region.astype(np.int64),
            links,
            aid.marks,
            cross,
            self.params.level,
            self.params.compliance,
            scratch,
        )
        self.kernel = compiled(_escalate, *self.args, 0)

    def step(self, engine: Engine) -> np.ndarray:
        self.kernel(*self.args, engine.t)
        return engine.aid.marks.grants
