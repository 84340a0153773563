"""``reciprocal``: help those who have helped you (generous tit-for-tat).

Each pair remembers the help each has given the other (``Aid.helped``: beds lent
and patients taken in), forgetting ``forgiveness_per_day`` of it a day. A helper
considers an asker's request if the asker's balance with it (help the asker gave
minus help it received) is at least ``-tolerance`` units; a request from a partner
deeper in debt is still considered with probability ``generosity`` (the
``behaviour`` stream), which is what lets cooperation restart. Helpers share their
offer (room beyond the self-preservation reserve) among the requests they consider,
in proportion to the requests; a helper with room that considered nothing for an
asker has refused it. Agreed help starts after the friction delay set by trust.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from numba import njit

from collabsim.core.aid import schedule
from collabsim.core.random import uniform
from collabsim.policies.base import Policy, register
from collabsim.policies.trust_gated import grant_offers

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@njit(cache=True, error_model="numpy")
def _reciprocal(per_provider, src, dst, reverse_aid, by_src, src_start, by_dst, dst_start, usual,
                helped, keep, tolerance, generosity, rng, weights, offers, grants,
                refused):  # fmt: skip
    asked = per_provider[2]
    for e in range(src.size):
        helped[e] *= keep  # forgiveness: old help fades from memory
    for e in range(src.size):
        s = src[e]
        weights[e] = 0
        if asked[s] == 0 or not usual[e]:
            continue
        ra = reverse_aid[e]
        balance = (helped[ra] if ra >= 0 else 0.0) - helped[e]  # asker's credit with the helper
        if balance >= -tolerance or (generosity > 0 and uniform(rng) < generosity):
            weights[e] = asked[s]
    grant_offers(per_provider, src, dst, by_src, src_start, by_dst, dst_start, usual, weights,
                 offers, grants, refused)  # fmt: skip


@register
class Reciprocal(Policy):
    """Generous tit-for-tat on help balances between pairs of partners."""

    name = "reciprocal"
    defaults: ClassVar[dict] = {"tolerance": 10.0, "forgiveness_per_day": 0.02, "generosity": 0.1}

    def __init__(self, params=None) -> None:
        super().__init__(params)
        self.tolerance = self.number("tolerance", 0.0, 1e9)
        self.forgiveness = self.number("forgiveness_per_day")
        self.generosity = self.number("generosity")

    def bind(self, engine: Engine) -> None:
        self.keep = (1.0 - self.forgiveness) ** engine.step_days

    def step(self, engine: Engine) -> None:
        aid = engine.aid
        _reciprocal(aid.per_provider, aid.src, aid.dst, aid.reverse_aid, aid.by_src,
                    aid.src_start, aid.by_dst, aid.dst_start, aid.usual, aid.helped, self.keep,
                    self.tolerance, self.generosity, engine.rng_behaviour, aid.weights,
                    aid.offers, aid.grants, aid.refused)  # fmt: skip
        schedule(engine, aid.grants)
