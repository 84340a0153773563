"""Mutual-aid mechanics that policies use: moving waiting patients along links.

``AidLinks`` are the links along which patients can be shared: between providers
of the same kind (an acute patient goes to an acute bed), optionally only within
a region. A transfer moves a provider's *oldest* waiting patients to the partner's
queue at the same age, so their wait still counts from when they first arrived,
and the partner admits them before its newer arrivals.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from collabsim.core.allocation import group_starts, share_out
from collabsim.core.state import ROW, Links, Providers


class AidLinks:
    """Like-for-like links grouped by giver and by receiver, made once."""

    def __init__(self, providers: Providers, links: Links, within_region: bool) -> None:
        keep = providers.kind[links.src] == providers.kind[links.dst]
        if within_region:
            keep &= providers.region[links.src] == providers.region[links.dst]
        src, dst = links.src[keep], links.dst[keep]
        order = np.lexsort((dst, src))
        self.index = np.flatnonzero(keep)[order]  # position of each aid link in ``links``
        self.src = src[order].astype(np.int64)
        self.dst = dst[order].astype(np.int64)
        self.by_src = np.arange(self.src.size, dtype=np.int64)  # already sorted by giver
        self.src_start = group_starts(self.src, providers.n)
        self.by_dst = np.argsort(self.dst, kind="stable").astype(np.int64)
        self.dst_start = group_starts(self.dst[self.by_dst], providers.n)
        self.room = np.zeros(self.src.size, dtype=np.int64)  # scratch: partner's spare beds
        self.asks = np.zeros(self.src.size, dtype=np.int64)
        self.grants = np.zeros(self.src.size, dtype=np.int64)

    @property
    def size(self) -> int:
        return self.src.size


@njit(cache=True, error_model="numpy")
def move_oldest(queue, top, block, src, dst, amounts, rows):  # fmt: skip
    """Move up to ``amounts[e]`` of src[e]'s oldest waiting patients to dst[e], same age."""
    r_wait, r_out, r_in = rows
    for e in range(src.size):
        want = amounts[e]
        s, d = src[e], dst[e]
        a = top - 1
        while want > 0 and a >= 0:
            take = min(queue[a, s], want)
            if take:
                queue[a, s] -= take
                queue[a, d] += take
                want -= take
                block[r_wait, s] -= take
                block[r_wait, d] += take
                block[r_out, s] += take
                block[r_in, d] += take
            a -= 1


@njit(cache=True, error_model="numpy")
def pool_within(queue, top, block, src, dst, by_src, src_start, by_dst, dst_start,
                compliance, excess, spare, room, asks, grants, rows):  # fmt: skip
    """Even out queues: each provider's patients beyond its free beds go, oldest first, to
    partners with free beds beyond their own queue, split in proportion to that room."""
    r_cap, r_occ, r_wait, r_out, r_in = rows
    n = block.shape[1]
    for i in range(n):
        free = max(block[r_cap, i] - block[r_occ, i], 0)
        waiting = block[r_wait, i]
        excess[i] = int(max(waiting - free, 0) * compliance)
        spare[i] = max(free - waiting, 0)
        block[r_out, i] = 0
        block[r_in, i] = 0
    for e in range(src.size):
        room[e] = spare[dst[e]]
    for i in range(n):
        share_out(excess[i], room, by_src, src_start[i], src_start[i + 1], asks)
    for d in range(n):
        share_out(spare[d], asks, by_dst, dst_start[d], dst_start[d + 1], grants)
    move_oldest(queue, top, block, src, dst, grants, (r_wait, r_out, r_in))


POOL_ROWS = tuple(ROW[r] for r in ("capacity", "occupied", "waiting", "transfers_out",
                                   "transfers_in"))  # fmt: skip
