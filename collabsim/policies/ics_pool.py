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

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from collabsim.core.allocation import ask_then_grant
from collabsim.core.kernel import compiled, packed
from collabsim.policies.base import Policy, bounded, register

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@njit(cache=True, error_model="numpy")
def directed_give(needs, compliance, give):
    """What each provider gives when directed: its offer plus ``compliance`` of the rest."""
    room = needs.room
    offer = needs.offer
    for i in range(give.size):
        give[i] = offer[i] + int(compliance * (room[i] - offer[i]))


@njit(cache=True, error_model="numpy", inline="always")
def share_along(quota, give, mask, links, marks, grants, salt):
    """Each provider asks its ``quota`` of partners on masked links, in proportion to what
    they give; each partner shares what it gives in proportion to the asks (into
    ``grants``; ``marks.weights`` and ``marks.asks`` are scratch)."""
    src = links.src
    dst = links.dst
    by_src = links.by_src
    src_start = links.src_start
    by_dst = links.by_dst
    dst_start = links.dst_start
    weights = marks.weights
    asks = marks.asks
    for e in range(src.size):
        weights[e] = give[dst[e]] if mask[e] else 0
    ask_then_grant(
        quota,
        weights,
        by_src,
        src_start,
        give,
        by_dst,
        dst_start,
        asks,
        grants,
        salt,
    )


@njit(cache=True, error_model="numpy")
def _pool(needs, links, marks, mask, compliance, give, t):
    reported = needs.reported
    grants = marks.grants
    directed_give(needs, compliance, give)
    share_along(reported, give, mask, links, marks, grants, t)


@dataclass(frozen=True)
class Directed:
    compliance: float = bounded(
        1.0, doc="how far helpers give beyond their self-preservation reserve (1: all room)"
    )


@register
class IcsPool(Policy):
    """Regional pooling of reported need along like-for-like links."""

    name = "ics_pool"
    Params = Directed

    def bind(self, engine: Engine) -> None:
        aid = engine.aid
        mask = (aid.links.same_region & aid.links.usual).astype(np.int8)
        give = np.zeros(engine.providers.n, dtype=np.int64)
        self.args = packed(aid.needs, aid.links, aid.marks, mask, self.params.compliance, give)
        self.kernel = compiled(_pool, *self.args, 0)

    def step(self, engine: Engine) -> np.ndarray:
        self.kernel(*self.args, engine.t)
        return engine.aid.marks.grants
