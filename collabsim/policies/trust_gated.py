"""``trust_gated``: each provider offers spare beds to partners as far as it trusts them.

At each decision a provider under pressure asks its like-for-like partners, each for
what its candour towards that partner admits (``collabsim.core.pressure``: it asks those
it trusts earlier and for more). A partner considers every request and gives each
asker at most what it is willing to give it: none of its offer (room beyond its
self-preservation reserve) to a partner it trusts ``channels.refuse_below`` or less, all
of it from ``channels.neutral`` trust up, and some of the beds its reserve keeps back
to a partner it trusts more (``channels.generosity``). In all it gives at most what it
would give the most trusted of them, shared in proportion to those amounts, and each
asker takes at most what it asked. A
partner that visibly had room but offered an asker nothing has refused, and the asker
trusts it less (``collabsim.core.trust``), which makes it less willing in turn: the
circle. Agreed help starts after the arrangement delay set by trust.
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
    """Each helper shares what it can give among the requests it considers
    (``marks.weights``), each capped at what it is willing to give that asker
    (``marks.willing``: its trust in it), in all at most what it would give the most
    trusted of them; each asker takes at most what it asked of anyone.
    Marks refusals: the helper had room, the asker asked it, and it offered nothing."""
    asked = needs.asked
    room = needs.room
    by_src = links.by_src
    src_start = links.src_start
    by_dst = links.by_dst
    dst_start = links.dst_start
    dst = links.dst
    usual = links.usual
    ask = marks.ask
    will = marks.willing
    weights = marks.weights
    caps = marks.asks
    offers = marks.offers
    grants = marks.grants
    refused = marks.refused
    n = asked.size
    for e in range(dst.size):
        caps[e] = min(weights[e], will[e])
    for d in range(n):
        # in all, a helper gives at most what it would give the partner it trusts most
        # among those it considers (its offer, and then some of its reserve), and no more
        # than they asked
        lo, hi = dst_start[d], dst_start[d + 1]
        wanted = most = 0
        for j in range(lo, hi):
            e = by_dst[j]
            wanted += caps[e]
            if weights[e] > 0:
                most = max(most, will[e])
        share_out(min(room[d], wanted, most), caps, by_dst, lo, hi, offers, 2 * t)
    for i in range(n):
        share_out(asked[i], offers, by_src, src_start[i], src_start[i + 1], grants, 2 * t + 1)
    for e in range(dst.size):
        refused[e] = 1 if usual[e] and ask[e] > 0 and room[dst[e]] > 0 and offers[e] == 0 else 0


@njit(cache=True, error_model="numpy")
def _offers(needs, links, marks, t):
    ask = marks.ask
    usual = links.usual
    weights = marks.weights
    for e in range(ask.size):  # every request along a usual link is considered
        weights[e] = ask[e] if usual[e] else 0
    grant_offers(needs, links, marks, t)


@register
class TrustGated(Policy):
    """Spare capacity offered as far as trust goes, unless self-preservation keeps it."""

    name = "trust_gated"

    def bind(self, engine: Engine) -> None:
        aid = engine.aid
        self.args = packed(aid.needs, aid.links, aid.marks)
        self.kernel = compiled(_offers, *self.args, 0)

    def step(self, engine: Engine) -> np.ndarray:
        self.kernel(*self.args, engine.t)
        return engine.aid.marks.grants
