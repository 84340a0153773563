"""``trust_gated``: each provider offers spare beds to partners in proportion to trust.

Each step, a provider whose queue exceeds its free beds (net of transfers already
agreed) asks its like-for-like partners for help. A partner offers its spare beds
(free beds beyond its own queue and agreed arrivals) except a reserve it keeps back
for itself: ``min(1, self_preservation * (1 + financial pressure)) x reserve_share x
capacity``. It shares its offer among those asking in proportion to its trust in
each times their need; each asker takes at most its need. A partner that visibly
had spare beds but offered an asker nothing has refused, and the asker trusts it
less (``collabsim.core.aid.update_trust``). Agreed transfers happen after the
friction delay set by trust.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from numba import njit

from collabsim.core.aid import schedule
from collabsim.core.allocation import share_out
from collabsim.core.state import ROW
from collabsim.policies.base import Policy, register

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@njit(cache=True, error_model="numpy")
def _offers(block, src, dst, index, reverse, by_src, src_start, by_dst, dst_start, trust,
            pending_out, pending_in, keep_back, need, room, offer, weights, offers, grants,
            refused, rows):  # fmt: skip
    r_cap, r_occ, r_wait = rows
    n = block.shape[1]
    for i in range(n):
        free = max(block[r_cap, i] - block[r_occ, i], 0)
        waiting = block[r_wait, i]
        need[i] = max(waiting - free - pending_out[i], 0)
        room[i] = max(free - waiting - pending_in[i], 0)
        reserve = int(round(keep_back * block[r_cap, i]))
        offer[i] = max(room[i] - reserve, 0)
    for e in range(src.size):  # patients would go src -> dst; dst decides
        asker = src[e]
        r = reverse[e]
        helper_trust = trust[r] if r >= 0 else trust[index[e]]
        weights[e] = int(round(1000.0 * helper_trust * need[asker])) if need[asker] else 0
    for d in range(n):
        share_out(offer[d], weights, by_dst, dst_start[d], dst_start[d + 1], offers)
    for i in range(n):
        share_out(need[i], offers, by_src, src_start[i], src_start[i + 1], grants)
    for e in range(src.size):  # the helper visibly had room and offered this asker nothing
        refused[e] = 1 if need[src[e]] > 0 and room[dst[e]] > 0 and offers[e] == 0 else 0


OFFER_ROWS = (ROW["capacity"], ROW["occupied"], ROW["waiting"])


@register
class TrustGated(Policy):
    """Spare capacity offered in proportion to trust, unless self-preservation keeps it."""

    name = "trust_gated"
    defaults: ClassVar[dict] = {}

    def step(self, engine: Engine) -> None:
        aid, cfg = engine.aid, engine.config
        keep_back = min(1.0, cfg.self_preservation.mean * (1.0 + cfg.finance.pressure)) * (
            cfg.self_preservation.reserve_share
        )
        _offers(
            engine.state.block, aid.src, aid.dst, aid.index, aid.reverse, aid.by_src,
            aid.src_start, aid.by_dst, aid.dst_start, engine.trust, aid.pending_out,
            aid.pending_in, keep_back, aid.need, aid.spare, aid.offer, aid.weights, aid.asks,
            aid.grants, aid.refused, OFFER_ROWS,
        )  # fmt: skip
        schedule(engine, aid.grants)
