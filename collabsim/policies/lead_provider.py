"""``lead_provider``: a lead provider allocates within its collaborative, itself first.

Each region's collaborative of each kind is led by its largest provider (most
staffed beds; the first listed on a tie). Each step the lead first meets its own
*true* need from its members' beds along its like-for-like links in the region,
then allocates what is left to the members' needs as they tell it: what each asks of
the lead (its candour towards the lead moves with its trust in it:
``collabsim.core.pressure``), or its reported need where it has no link to the lead.
Members give their offer plus ``compliance`` of the rest of their room (the lead
contract overrides self-preservation as far as they comply); the lead gives only its
own offer. Agreed help starts after the arrangement delay set by trust.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from collabsim.core.kernel import compiled, packed
from collabsim.policies.base import Policy, register
from collabsim.policies.ics_pool import Directed, directed_give, share_along

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@njit(cache=True, error_model="numpy")
def _lead(needs, links, marks, mask, is_lead, to_lead, compliance, give, quota, first, t):
    offer = needs.offer
    need = needs.need
    reported = needs.reported
    ask = marks.ask
    src = links.src
    dst = links.dst
    grants = marks.grants
    directed_give(needs, compliance, give)
    n = give.size
    for i in range(n):
        if is_lead[i]:
            give[i] = offer[i]
        quota[i] = need[i] if is_lead[i] else 0
    share_along(quota, give, mask, links, marks, first, 2 * t)  # the lead's own need first
    for e in range(src.size):  # what went to the lead is no longer there to give
        give[dst[e]] -= first[e]
    for i in range(n):  # members tell the lead what they trust it with
        e = to_lead[i]
        quota[i] = 0 if is_lead[i] else (ask[e] if e >= 0 else reported[i])
    share_along(quota, give, mask, links, marks, grants, 2 * t + 1)
    for e in range(src.size):
        grants[e] += first[e]


def leads(engine: Engine) -> np.ndarray:
    """1 for the largest provider of each kind in each region (first listed on a tie)."""
    p = engine.providers
    order = np.lexsort((np.arange(p.n), -p.capacity, p.kind, p.region))
    group = np.stack([p.region[order], p.kind[order]])
    first = np.ones(p.n, dtype=bool)
    first[1:] = (group[:, 1:] != group[:, :-1]).any(axis=0)
    is_lead = np.zeros(p.n, dtype=np.int8)
    is_lead[order[first]] = 1
    return is_lead


def links_to_lead(engine: Engine, is_lead: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per provider, its aid link to the lead of its collaborative (same region and kind,
    within the mask), or -1."""
    p, links = engine.providers, engine.aid.links
    to_lead = np.full(p.n, -1, dtype=np.int64)
    for e in np.flatnonzero(mask):
        s, d = links.src[e], links.dst[e]
        if is_lead[d] and not is_lead[s] and p.kind[s] == p.kind[d]:
            to_lead[s] = e
    return to_lead


@register
class LeadProvider(Policy):
    """Hierarchy: the lead meets its own needs first, then allocates to its members."""

    name = "lead_provider"
    Params = Directed

    def bind(self, engine: Engine) -> None:
        aid, n = engine.aid, engine.providers.n
        mask = (aid.links.same_region & aid.links.usual).astype(np.int8)
        is_lead = leads(engine)
        self.args = packed(
            aid.needs,
            aid.links,
            aid.marks,
            mask,
            is_lead,
            links_to_lead(engine, is_lead, mask),
            self.params.compliance,
            np.zeros(n, dtype=np.int64),
            np.zeros(n, dtype=np.int64),
            np.zeros(aid.size, dtype=np.int64),
        )
        self.kernel = compiled(_lead, *self.args, 0)

    def step(self, engine: Engine) -> np.ndarray:
        self.kernel(*self.args, engine.t)
        return engine.aid.marks.grants
