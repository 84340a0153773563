"""``reciprocal``: help those who have helped you (generous tit-for-tat).

Each pair remembers the help each has given the other (``Aid.helped``: beds lent
and patients taken in), forgetting ``forgiveness_per_day`` of it a day. A helper
considers an asker's request if the asker's balance with it (help the asker gave
minus help it received) is at least ``-tolerance`` units; a request from a partner
deeper in debt is still considered with probability ``generosity`` (the
``behaviour`` stream), which is what lets cooperation restart. Requests are what each
asker asks of that helper (its candour towards it moves with trust), and a helper gives
an asker at most what its trust in it allows (``trust_gated``'s ``grant_offers``: the
offering channel), sharing its room among the requests it considers; a helper with room
that offered an asker nothing has refused it. Agreed help starts after the arrangement
delay set by trust.
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
    ask = marks.ask
    src = links.src
    usual = links.usual
    reverse_aid = links.reverse_aid
    weights = marks.weights
    for e in range(src.size):
        helped[e] *= keep  # forgiveness: old help fades from memory
    for e in range(src.size):
        weights[e] = 0
        if ask[e] == 0 or not usual[e]:
            continue
        ra = reverse_aid[e]
        balance = (helped[ra] if ra >= 0 else 0.0) - helped[e]  # asker's credit with the helper
        if balance >= -tolerance or (generosity > 0 and uniform(rng) < generosity):
            weights[e] = ask[e]
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
