"""Discharge pathway: delayed acute patients move to step-down partners with room.

Pathway links are the links from an acute provider to a community or social-care
provider. Each step, the delayed patients whose onward care has been arranged
(``state.arranged``, drawn in ``discharge``) ask their partners for a place in
proportion to each partner's free beds; a partner asked for more than it has
shares its free beds in proportion to the asks. Both splits are exact in whole
patients. Arranged patients not placed stay arranged, occupying their acute bed,
and ask again next step.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from collabsim.core.allocation import ask_then_grant, group_starts
from collabsim.core.kernel import compiled, packed
from collabsim.core.phase import Phase
from collabsim.core.pools import gather
from collabsim.core.state import ACUTE, STEPDOWN, Links, Providers, flow


class PathwayLinks(NamedTuple):
    """Pathway links, sorted by acute provider, with group offsets both ways."""

    acute: np.ndarray  # provider index of each acute provider
    src_pos: np.ndarray  # acute index (position in ``acute``) of each pathway link
    dst: np.ndarray  # step-down partner of each pathway link
    by_src: np.ndarray  # links in acute order (they are sorted so)
    src_start: np.ndarray  # offsets of each acute provider's links in ``by_src``
    by_dst: np.ndarray  # links in partner order
    dst_start: np.ndarray  # offsets of each partner's links in ``by_dst``


class Pathway:
    """Pathway links grouped by acute provider and by partner, made once."""

    def __init__(self, providers: Providers, links: Links) -> None:
        acute = np.flatnonzero(providers.kind == ACUTE)
        acute_pos = np.full(providers.n, -1, dtype=np.int64)
        acute_pos[acute] = np.arange(acute.size)
        is_path = (providers.kind[links.src] == ACUTE) & np.isin(
            providers.kind[links.dst], STEPDOWN
        )
        src_pos, dst = acute_pos[links.src[is_path]], links.dst[is_path]
        order = np.lexsort((dst, src_pos))
        src_pos = src_pos[order].astype(np.int64)
        dst = dst[order].astype(np.int64)
        by_dst = np.argsort(dst, kind="stable").astype(np.int64)
        self.links = PathwayLinks(
            acute=acute,
            src_pos=src_pos,
            dst=dst,
            by_src=np.arange(dst.size, dtype=np.int64),
            src_start=group_starts(src_pos, acute.size),
            by_dst=by_dst,
            dst_start=group_starts(dst[by_dst], providers.n),
        )

    @property
    def size(self) -> int:
        return self.links.dst.size


class Placement(NamedTuple):
    """Scratch of one placement round."""

    free: np.ndarray  # free beds per provider
    free_at_dst: np.ndarray  # free beds at each link's partner
    arranged: np.ndarray  # arranged delayed patients per acute provider
    asks: np.ndarray  # per link
    grants: np.ndarray  # per link


class PlaceRows(NamedTuple):
    capacity: np.ndarray
    occupied: np.ndarray
    delayed: np.ndarray
    arranged: np.ndarray
    placed_out: np.ndarray
    placed_in: np.ndarray


@njit(cache=True, error_model="numpy")
def _place(links, scratch, rows, in_treatment0, pools, beds, t):
    acute = links.acute
    dst = links.dst
    by_src = links.by_src
    src_start = links.src_start
    by_dst = links.by_dst
    dst_start = links.dst_start
    src_pos = links.src_pos
    arranged = scratch.arranged
    free = scratch.free
    free_at_dst = scratch.free_at_dst
    asks = scratch.asks
    grants = scratch.grants
    capacity = rows.capacity
    placed_out = rows.placed_out
    rows_arranged = rows.arranged
    placed_in = rows.placed_in
    occupied = rows.occupied
    delayed = rows.delayed
    n = capacity.size
    waiting_for_place = 0
    for k in range(acute.size):
        placed_out[acute[k]] = 0
        arranged[k] = rows_arranged[acute[k]]
        waiting_for_place += arranged[k]
    for i in range(n):
        placed_in[i] = 0
    if waiting_for_place == 0 or dst.size == 0:
        return
    for i in range(n):
        free[i] = max(capacity[i] - occupied[i], 0)
    for e in range(dst.size):
        free_at_dst[e] = free[dst[e]]
    # Acute providers ask partners in proportion to their free beds; partners share them.
    ask_then_grant(
        arranged,
        free_at_dst,
        by_src,
        src_start,
        free,
        by_dst,
        dst_start,
        asks,
        grants,
        t,
    )
    first = pools.first
    pool_occupied = beds.occupied
    pool_delayed = beds.delayed
    pool_arranged = beds.arranged
    for e in range(dst.size):
        g = grants[e]
        if g:
            a, d = acute[src_pos[e]], dst[e]
            placed_out[a] += g
            placed_in[d] += g
            lo, hi = first[a], first[a + 1]
            if g == rows_arranged[a]:  # everyone arranged is placed (the usual case)
                for u in range(lo, hi):
                    x = pool_arranged[u]
                    pool_arranged[u] = 0
                    pool_delayed[u] -= x
                    pool_occupied[u] -= x
            else:  # the placed leave the acute pools one at a time from the pool holding
                # most arranged patients (all at once when the provider is one pool)
                left = g
                while left > 0:
                    best = lo
                    for u in range(lo + 1, hi):
                        if pool_arranged[u] > pool_arranged[best]:
                            best = u
                    x = left if hi - lo == 1 else 1
                    pool_arranged[best] -= x
                    pool_delayed[best] -= x
                    pool_occupied[best] -= x
                    left -= x
            gather(first, pool_arranged, rows_arranged, a)
            u = first[d]  # a step-down partner is one pool
            pool_occupied[u] += g
            in_treatment0[u] += g
    for k in range(acute.size):  # the acute providers' rows from their pools
        a = acute[k]
        if placed_out[a]:
            gather(first, pool_delayed, delayed, a)
            gather(first, pool_occupied, occupied, a)
    for i in range(n):  # and their partners' (one pool each)
        if placed_in[i]:
            gather(first, pool_occupied, occupied, i)


class PlaceDelayed(Phase):
    """Move arranged delayed patients from acute beds into free step-down beds."""

    name = "place_delayed"
    rows = (
        flow("placed_out", "delayed acute patients placed with a step-down partner"),
        flow("placed_in", "step-down beds taken by those placements"),
    )

    def __init__(self, engine) -> None:  # noqa: ANN001 - Engine
        super().__init__(engine)
        links, n = engine.pathway.links, engine.providers.n
        m = links.dst.size
        self.scratch = Placement(
            np.zeros(n, np.int64),
            np.zeros(m, np.int64),
            np.zeros(links.acute.size, np.int64),
            np.zeros(m, np.int64),
            np.zeros(m, np.int64),
        )

    def reset(self) -> None:
        st = self.engine.state
        self.args = packed(
            self.engine.pathway.links,
            self.scratch,
            st.bundle(PlaceRows),
            st.in_treatment[0],
            self.engine.pools,
            st.beds,
        )
        self.kernel = compiled(_place, *self.args, 0)

    def __call__(self) -> None:
        self.kernel(*self.args, self.engine.t)
