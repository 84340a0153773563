"""``ics_pool``: the region (ICS) evens out pressure by moving patients or lending beds.

Each step a coordinator per region sees every provider's *reported* need (candour
scales it: ``collabsim.core.pressure``) and its room, and agrees help from
like-for-like partners *in the same region*: each provider's reported need is
asked of its partners in proportion to what they can give, and a partner asked
for more shares what it can give in proportion to the asks. A partner gives its
offer (room beyond its self-preservation reserve) plus ``compliance`` of the rest
of its room: the region overrides self-preservation as far as providers comply.
Agreed help starts after the friction delay set by trust (``collabsim.core.aid``).

With full candour, compliance 1 and no friction (``aid.delay_days=0``) this is full
pooling, which the tests check against a single provider with the summed
capacity and demand. The same allocation serves ``mandate`` windows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from numba import njit

from collabsim.core.aid import schedule
from collabsim.core.allocation import ask_then_grant
from collabsim.policies.base import Policy, register

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@njit(cache=True, error_model="numpy")
def directed_give(per_provider, compliance, give):  # fmt: skip
    """What each provider gives when directed: its offer plus ``compliance`` of the rest."""
    room, offer = per_provider[3], per_provider[4]
    for i in range(give.size):
        give[i] = offer[i] + int(compliance * (room[i] - offer[i]))


@njit(cache=True, error_model="numpy")
def _pool(per_provider, src, dst, by_src, src_start, by_dst, dst_start, mask, compliance, give,
          room, asks, grants):  # fmt: skip
    directed_give(per_provider, compliance, give)
    for e in range(src.size):
        room[e] = give[dst[e]] if mask[e] else 0
    ask_then_grant(per_provider[1], room, by_src, src_start, give, by_dst, dst_start, asks,
                   grants)  # fmt: skip


@register
class IcsPool(Policy):
    """Regional pooling of reported need along like-for-like links."""

    name = "ics_pool"
    defaults: ClassVar[dict] = {"compliance": 1.0}

    def __init__(self, params=None) -> None:
        super().__init__(params)
        self.compliance = self.number("compliance")

    def bind(self, engine: Engine) -> None:
        aid = engine.aid
        self.mask = (aid.same_region & aid.usual).astype(np.int8)
        self.give = np.zeros(engine.providers.n, dtype=np.int64)

    def step(self, engine: Engine) -> None:
        aid = engine.aid
        _pool(aid.per_provider, aid.src, aid.dst, aid.by_src, aid.src_start, aid.by_dst,
              aid.dst_start, self.mask, self.compliance, self.give, aid.weights, aid.asks,
              aid.grants)  # fmt: skip
        schedule(engine, aid.grants)
