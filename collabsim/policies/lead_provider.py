"""``lead_provider``: a lead provider allocates within its collaborative, itself first.

Each region's collaborative of each kind is led by its largest provider (most
staffed beds; the first listed on a tie). Each step the lead first meets its own
*true* need from its members' beds along its like-for-like links in the region,
then allocates what is left to the members' *reported* needs. Members give their
offer plus ``compliance`` of the rest of their room (the lead contract overrides
self-preservation as far as they comply); the lead gives only its own offer.
Agreed help starts after the friction delay set by trust.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from numba import njit

from collabsim.core.aid import schedule
from collabsim.core.allocation import ask_then_grant
from collabsim.policies.base import Policy, register
from collabsim.policies.ics_pool import directed_give

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@njit(cache=True, error_model="numpy")
def _lead(per_provider, src, dst, by_src, src_start, by_dst, dst_start, mask, is_lead,
          compliance, give, quota, room, asks, first, grants):  # fmt: skip
    need, reported, offer = per_provider[0], per_provider[1], per_provider[4]
    directed_give(per_provider, compliance, give)
    n = give.size
    for i in range(n):
        if is_lead[i]:
            give[i] = offer[i]
        quota[i] = need[i] if is_lead[i] else 0
    for e in range(src.size):
        room[e] = give[dst[e]] if mask[e] else 0
    ask_then_grant(quota, room, by_src, src_start, give, by_dst, dst_start, asks, first)
    for e in range(src.size):  # what went to the lead is no longer there to give
        give[dst[e]] -= first[e]
    for i in range(n):
        quota[i] = 0 if is_lead[i] else reported[i]
    for e in range(src.size):
        room[e] = give[dst[e]] if mask[e] else 0
    ask_then_grant(quota, room, by_src, src_start, give, by_dst, dst_start, asks, grants)
    for e in range(src.size):
        grants[e] += first[e]


def leads(engine: Engine) -> np.ndarray:
    """1 for the largest provider of each kind in each region (first listed on a tie)."""
    p = engine.providers
    order = np.lexsort((np.arange(p.n), -p.capacity, p.kind, p.region))
    group = np.stack([p.region[order], p.kind[order]])
    first = np.ones(p.n, dtype=bool)
    first[1:] = (group[:, 1:] != group[:, :-1]).any(axis=0)
    is_lead = np.zeros(p.n, dtype=np.int8)
    is_lead[order[first]] = 1
    return is_lead


@register
class LeadProvider(Policy):
    """Hierarchy: the lead meets its own needs first, then allocates to its members."""

    name = "lead_provider"
    defaults: ClassVar[dict] = {"compliance": 1.0}

    def __init__(self, params=None) -> None:
        super().__init__(params)
        self.compliance = self.number("compliance")

    def bind(self, engine: Engine) -> None:
        aid, n = engine.aid, engine.providers.n
        self.mask = (aid.same_region & aid.usual).astype(np.int8)
        self.is_lead = leads(engine)
        self.give = np.zeros(n, dtype=np.int64)
        self.quota = np.zeros(n, dtype=np.int64)
        self.first = np.zeros(aid.size, dtype=np.int64)

    def step(self, engine: Engine) -> None:
        aid = engine.aid
        _lead(aid.per_provider, aid.src, aid.dst, aid.by_src, aid.src_start, aid.by_dst,
              aid.dst_start, self.mask, self.is_lead, self.compliance, self.give, self.quota,
              aid.weights, aid.asks, self.first, aid.grants)  # fmt: skip
        schedule(engine, aid.grants)
