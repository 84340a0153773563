"""Escalation beds: an acute provider under pressure opens extra staffed beds, and closes
them when the pressure is gone.

NHS trusts open escalation ("surge") beds in winter and whenever patients wait for a
bed: England's general and acute beds available rise from about 103,700 in the summer
quarter to 106,400 in the winter one (KH03, 2024/25), and KH03 counts them as beds
available, so occupancy is measured against them. At each decision (the bed
meeting), an acute provider whose patients waiting for a bed exceed
``escalation.trigger`` of its own beds opens beds, up to ``escalation.beds`` of its
own beds in all (one at a time to the pool with most patients waiting per bed
opened); one with nobody waiting closes the free escalation beds it has. Off
(``escalation.beds = 0``) the phase does nothing.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from collabsim.core.kernel import compiled, packed
from collabsim.core.phase import Phase
from collabsim.core.pools import gather, take_surplus_beds
from collabsim.core.state import ACUTE, level


class EscalationRows(NamedTuple):
    capacity: np.ndarray
    waiting: np.ndarray
    escalated: np.ndarray


class Rule(NamedTuple):
    """Who may escalate, how far, and from what pressure."""

    acute: np.ndarray  # provider index of each acute provider
    limit: np.ndarray  # most escalation beds each may open
    trigger: np.ndarray  # patients waiting above which it opens beds


@njit(cache=True, error_model="numpy")
def _escalate(rows, rule, pools, beds, given):
    capacity = rows.capacity
    waiting = rows.waiting
    escalated = rows.escalated
    acute = rule.acute
    limit = rule.limit
    trigger = rule.trigger
    first = pools.first
    pool_capacity = beds.capacity
    pool_waiting = beds.waiting
    for j in range(acute.size):
        i = acute[j]
        lo, hi = first[i], first[i + 1]
        if waiting[i] > trigger[j] and escalated[i] < limit[j]:
            k = min(limit[j] - escalated[i], waiting[i])
            for u in range(lo, hi):
                given[u] = 0
            for _ in range(k):  # each bed to the pool with most waiting per bed opened
                best, most = lo, -1.0
                for u in range(lo, hi):
                    w = pool_waiting[u] / (1.0 + given[u])
                    if w > most:
                        best, most = u, w
                given[best] += 1
                pool_capacity[best] += 1
            escalated[i] += k
        elif waiting[i] == 0 and escalated[i] > 0:
            # close free beds above the pools' own sizes, the pool with most such beds first
            escalated[i] -= take_surplus_beds(beds, first, i, escalated[i])
        gather(first, pool_capacity, capacity, i)


class Escalate(Phase):
    """At a decision, open escalation beds where patients wait; close them when none do."""

    name = "escalate"
    rows = (level("escalated", "escalation beds open (part of its capacity)", "beds"),)

    def __init__(self, engine) -> None:  # noqa: ANN001 - Engine
        super().__init__(engine)
        cfg, p = engine.config.escalation, engine.providers
        acute = np.flatnonzero(p.kind == ACUTE)
        own = p.capacity[acute].astype(float)
        self.on = cfg.beds > 0 and acute.size > 0
        self.rule = Rule(
            acute.astype(np.int64),
            np.floor(cfg.beds * own).astype(np.int64),
            cfg.trigger * own,
        )

    def reset(self) -> None:
        e = self.engine
        self.given = np.zeros(e.pools.provider.size, dtype=np.int64)  # scratch, per pool
        self.args = packed(e.state.bundle(EscalationRows), self.rule, e.pools, e.state.beds)
        self.kernel = compiled(_escalate, *self.args, self.given)

    def __call__(self) -> None:
        e = self.engine
        if self.on and e.clock.deciding(e.t):
            self.kernel(*self.args, self.given)
