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

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from numba import njit

from collabsim.core.aid import schedule
from collabsim.core.allocation import ask_then_grant
from collabsim.core.state import ROW
from collabsim.policies.base import Policy, register
from collabsim.policies.ics_pool import directed_give

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@njit(cache=True, error_model="numpy")
def _escalate(block, per_provider, region, src, dst, by_src, src_start, by_dst, dst_start,
              cross, level, compliance, load, capacity, give, quota, room, asks, grants,
              rows):  # fmt: skip
    r_cap, r_occ, r_wait = rows
    need, reported = per_provider[0], per_provider[1]
    load[:] = 0.0
    capacity[:] = 0.0
    n = block.shape[1]
    for i in range(n):
        r = region[i]
        load[r] += block[r_occ, i] + block[r_wait, i] - (need[i] - reported[i])
        capacity[r] += block[r_cap, i]
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
    directed_give(per_provider, compliance, give)
    for e in range(src.size):
        d = dst[e]
        helper_ok = cross[e] and load[region[d]] <= level * capacity[region[d]]
        room[e] = give[d] if helper_ok else 0
    ask_then_grant(quota, room, by_src, src_start, give, by_dst, dst_start, asks, grants)


ESCALATION_ROWS = (ROW["capacity"], ROW["occupied"], ROW["waiting"])


@register
class NationalEscalation(Policy):
    """Aid across regions, only for regions past the escalation level."""

    name = "national_escalation"
    defaults: ClassVar[dict] = {"level": 1.0, "compliance": 1.0, "max_travel_minutes": 240.0}

    def __init__(self, params=None) -> None:
        super().__init__(params)
        self.level = self.number("level", 0.0, 10.0)
        self.compliance = self.number("compliance")
        self.max_minutes = self.number("max_travel_minutes", 0.0, 1e6)

    def reach(self, config: Any) -> float:
        return self.max_minutes

    def bind(self, engine: Engine) -> None:
        aid, p = engine.aid, engine.providers
        self.cross = ((~aid.same_region) & (aid.minutes <= self.max_minutes)).astype(np.int8)
        regions = len(p.region_names)
        self.load = np.zeros(regions)
        self.capacity = np.zeros(regions)
        self.give = np.zeros(p.n, dtype=np.int64)
        self.quota = np.zeros(p.n, dtype=np.int64)

    def step(self, engine: Engine) -> None:
        aid = engine.aid
        _escalate(engine.state.block, aid.per_provider, engine.providers.region, aid.src,
                  aid.dst, aid.by_src, aid.src_start, aid.by_dst, aid.dst_start, self.cross,
                  self.level, self.compliance, self.load, self.capacity, self.give, self.quota,
                  aid.weights, aid.asks, aid.grants, ESCALATION_ROWS)  # fmt: skip
        schedule(engine, aid.grants)
