"""``ics_pool``: the region (ICS) evens out pressure by moving waiting patients.

Each step a coordinator per region sees every provider's waiting patients and free
beds (net of transfers already agreed) and agrees transfers from providers whose
queue exceeds their free beds to like-for-like partners *in the same region* with
beds to spare, in proportion to that room. ``compliance`` is the share of that allocation
providers carry out: the region overrides self-preservation. Agreed transfers
happen after the friction delay set by trust (``collabsim.core.aid``).

Not yet built (issue: collaboration behaviour): the coordinator sees *reported*
pressure (candour). With compliance 1 and no friction (``aid.delay_days=0``) this
is full pooling, which the tests check against a single provider with the summed
capacity and demand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from numba import njit

from collabsim.core.aid import schedule
from collabsim.core.allocation import ask_then_grant
from collabsim.core.state import ROW
from collabsim.errors import ConfigError
from collabsim.policies.base import Policy, register

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@njit(cache=True, error_model="numpy")
def _pool(block, src, dst, by_src, src_start, by_dst, dst_start, same_region, pending_out,
          pending_in, compliance, excess, spare, room, asks, grants, rows):  # fmt: skip
    r_cap, r_occ, r_wait = rows
    n = block.shape[1]
    for i in range(n):
        free = max(block[r_cap, i] - block[r_occ, i], 0)
        waiting = block[r_wait, i]
        excess[i] = int(max(waiting - free - pending_out[i], 0) * compliance)
        spare[i] = max(free - waiting - pending_in[i], 0)
    for e in range(src.size):
        room[e] = spare[dst[e]] if same_region[e] else 0
    # each provider asks partners in proportion to their spare beds; partners share them
    ask_then_grant(excess, room, by_src, src_start, spare, by_dst, dst_start, asks, grants)


POOL_ROWS = (ROW["capacity"], ROW["occupied"], ROW["waiting"])


@register
class IcsPool(Policy):
    """Regional pooling of waiting patients along like-for-like links."""

    name = "ics_pool"
    defaults: ClassVar[dict] = {"compliance": 1.0}

    def __init__(self, params=None) -> None:
        super().__init__(params)
        c = self.params["compliance"]
        if isinstance(c, bool) or not isinstance(c, int | float) or not 0 <= c <= 1:
            raise ConfigError(f"policy.params.compliance: {c!r} is not allowed; expected [0, 1]")
        self.compliance = float(c)

    def step(self, engine: Engine) -> None:
        aid = engine.aid
        _pool(
            engine.state.block, aid.src, aid.dst, aid.by_src, aid.src_start, aid.by_dst,
            aid.dst_start, aid.same_region, aid.pending_out, aid.pending_in, self.compliance,
            aid.need, aid.spare, aid.weights, aid.asks, aid.grants, POOL_ROWS,
        )  # fmt: skip
        schedule(engine, aid.grants)
