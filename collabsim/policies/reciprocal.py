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

import numpy as np
from numba import njit

from collabsim.core.kernel import compiled
from collabsim.core.random import uniform
from collabsim.policies.base import Policy, register
from collabsim.policies.trust_gated import grant_offers

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@njit(cache=True, error_model="numpy")
def _reciprocal(needs, links, marks, helped, keep, tolerance, generosity, rng):
    asked = needs.asked
    for e in range(links.src.size):
        helped[e] *= keep  # forgiveness: old help fades from memory
    for e in range(links.src.size):
        s = links.src[e]
        marks.weights[e] = 0
        if asked[s] == 0 or not links.usual[e]:
            continue
        ra = links.reverse_aid[e]
        balance = (helped[ra] if ra >= 0 else 0.0) - helped[e]  # asker's credit with the helper
        if balance >= -tolerance or (generosity > 0 and uniform(rng) < generosity):
            marks.weights[e] = asked[s]
    grant_offers(needs, links, marks)


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
        aid = engine.aid
        keep = (1.0 - self.forgiveness) ** engine.step_days  # share of remembered help kept
        self.args = (
            aid.needs,
            aid.links,
            aid.marks,
            aid.helped,
            keep,
            self.tolerance,
            self.generosity,
            engine.rng_behaviour,
        )
        self.kernel = compiled(_reciprocal, *self.args)

    def step(self, engine: Engine) -> np.ndarray:
        self.kernel(*self.args)
        return engine.aid.marks.grants
