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

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from collabsim.core.kernel import compiled, packed
from collabsim.core.random import uniform
from collabsim.policies.base import Policy, bounded, register
from collabsim.policies.trust_gated import grant_offers

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@njit(cache=True, error_model="numpy")
def _reciprocal(needs, links, marks, helped, keep, tolerance, generosity, rng, t):
    asked = needs.asked
    src = links.src
    usual = links.usual
    reverse_aid = links.reverse_aid
    weights = marks.weights
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
    grant_offers(needs, links, marks, t)


@dataclass(frozen=True)
class ReciprocalParams:
    tolerance: float = bounded(
        10.0, 0.0, 1e9, doc="units of net help a partner may owe and still be helped"
    )
    forgiveness_per_day: float = bounded(0.02, doc="share of remembered help forgotten a day")
    generosity: float = bounded(0.1, doc="chance of helping a partner in debt anyway")


@register
class Reciprocal(Policy):
    """Generous tit-for-tat on help balances between pairs of partners."""

    name = "reciprocal"
    Params = ReciprocalParams

    def bind(self, engine: Engine) -> None:
        aid = engine.aid
        p = self.params
        keep = (1.0 - p.forgiveness_per_day) ** engine.clock.decision_days  # help kept
        self.args = packed(
            aid.needs,
            aid.links,
            aid.marks,
            aid.helped,
            keep,
            p.tolerance,
            p.generosity,
            engine.rng_behaviour,
        )
        self.kernel = compiled(_reciprocal, *self.args, 0)

    def step(self, engine: Engine) -> np.ndarray:
        self.kernel(*self.args, engine.t)
        return engine.aid.marks.grants
