"""``trust_gated``: each provider offers spare beds to partners in proportion to trust.

Each step a provider that asks for help (``collabsim.core.pressure``: above its
asking threshold, for the need it admits to) asks its like-for-like partners. A
partner offers its room beyond its self-preservation reserve
(``min(1, self_preservation x (1 + financial pressure)) x reserve_share x capacity``)
and shares that offer among those asking in proportion to its trust in each times
their request; each asker takes at most what it asked for. A partner that visibly
had room but offered an asker nothing has refused, and the asker trusts it less
(``collabsim.core.trust``). Agreed help starts after the friction delay set by trust.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from collabsim.core.allocation import share_out
from collabsim.core.kernel import compiled, packed
from collabsim.policies.base import Policy, register

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@njit(cache=True, error_model="numpy")
def grant_offers(needs, links, marks, t):
    """Each helper shares its offer by ``marks.weights``; each asker takes at most its
    request. Marks refusals: the helper had room, the asker asked, and got no offer."""
    asked = needs.asked
    room = needs.room
    offer = needs.offer
    by_src = links.by_src
    src_start = links.src_start
    by_dst = links.by_dst
    dst_start = links.dst_start
    src = links.src
    usual = links.usual
    dst = links.dst
    weights = marks.weights
    offers = marks.offers
    grants = marks.grants
    refused = marks.refused
    n = asked.size
    for d in range(n):
        share_out(offer[d], weights, by_dst, dst_start[d], dst_start[d + 1], offers, 2 * t)
    for i in range(n):
        share_out(asked[i], offers, by_src, src_start[i], src_start[i + 1], grants, 2 * t + 1)
    for e in range(src.size):
        refused[e] = (
            1 if usual[e] and asked[src[e]] > 0 and (room[dst[e]] > 0 and offers[e] == 0) else 0
        )


@njit(cache=True, error_model="numpy")
def _offers(needs, links, marks, trust, t):
    asked = needs.asked
    src = links.src
    reverse = links.reverse
    index = links.index
    usual = links.usual
    weights = marks.weights
    for e in range(src.size):  # help would go dst -> src; dst decides, by its trust in src
        s = src[e]
        r = reverse[e]
        helper_trust = trust[r] if r >= 0 else trust[index[e]]
        weights[e] = int(round(1000.0 * helper_trust * asked[s])) if asked[s] and usual[e] else 0
    grant_offers(needs, links, marks, t)


@register
class TrustGated(Policy):
    """Spare capacity offered in proportion to trust, unless self-preservation keeps it."""

    name = "trust_gated"

    def bind(self, engine: Engine) -> None:
        aid = engine.aid
        self.args = packed(aid.needs, aid.links, aid.marks, engine.trust)
        self.kernel = compiled(_offers, *self.args, 0)

    def step(self, engine: Engine) -> np.ndarray:
        self.kernel(*self.args, engine.t)
        return engine.aid.marks.grants
