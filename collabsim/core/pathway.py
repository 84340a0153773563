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

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from collabsim.core.allocation import ask_then_grant, group_starts
from collabsim.core.state import ACUTE, ROW, STEPDOWN, Links, Providers

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


class Pathway:
    """Pathway links grouped by acute provider and by partner, made once."""

    def __init__(self, providers: Providers, links: Links) -> None:
        self.acute = np.flatnonzero(providers.kind == ACUTE)
        acute_pos = np.full(providers.n, -1, dtype=np.int64)
        acute_pos[self.acute] = np.arange(self.acute.size)
        is_path = (providers.kind[links.src] == ACUTE) & np.isin(
            providers.kind[links.dst], STEPDOWN
        )
        src_pos, dst = acute_pos[links.src[is_path]], links.dst[is_path]
        order = np.lexsort((dst, src_pos))
        self.src_pos = src_pos[order].astype(np.int64)  # acute index of each pathway link
        self.dst = dst[order].astype(np.int64)
        self.by_src = np.arange(self.dst.size, dtype=np.int64)  # links are sorted by acute
        self.src_start = group_starts(self.src_pos, self.acute.size)
        self.by_dst = np.argsort(self.dst, kind="stable").astype(np.int64)
        self.dst_start = group_starts(self.dst[self.by_dst], providers.n)
        self._free = np.zeros(providers.n, dtype=np.int64)
        self._free_at_dst = np.zeros(self.dst.size, dtype=np.int64)
        self._arranged = np.zeros(self.acute.size, dtype=np.int64)
        self._asks = np.zeros(self.dst.size, dtype=np.int64)
        self._grants = np.zeros(self.dst.size, dtype=np.int64)

    @property
    def size(self) -> int:
        return self.dst.size


@njit(cache=True, error_model="numpy")
def _place(
    block, in_treatment0, acute, src_pos, dst, by_src, src_start, by_dst, dst_start,
    free, free_at_dst, arranged, asks, grants, rows,
):  # fmt: skip
    r_cap, r_occ, r_delayed, r_arranged, r_out, r_in = rows
    n = block.shape[1]
    waiting_for_place = 0
    for k in range(acute.size):
        block[r_out, acute[k]] = 0
        arranged[k] = block[r_arranged, acute[k]]
        waiting_for_place += arranged[k]
    for i in range(n):
        block[r_in, i] = 0
    if waiting_for_place == 0 or dst.size == 0:
        return
    for i in range(n):
        free[i] = max(block[r_cap, i] - block[r_occ, i], 0)
    for e in range(dst.size):
        free_at_dst[e] = free[dst[e]]
    # Acute providers ask partners in proportion to their free beds; partners share them.
    ask_then_grant(arranged, free_at_dst, by_src, src_start, free, by_dst, dst_start, asks,
                   grants)  # fmt: skip
    for e in range(dst.size):
        g = grants[e]
        if g:
            a, d = acute[src_pos[e]], dst[e]
            block[r_out, a] += g
            block[r_in, d] += g
            block[r_delayed, a] -= g
            block[r_arranged, a] -= g
            block[r_occ, a] -= g
            block[r_occ, d] += g
            in_treatment0[d] += g


PLACE_ROWS = tuple(
    ROW[r] for r in ("capacity", "occupied", "delayed", "arranged", "placed_out", "placed_in")
)


def place_delayed(engine: Engine) -> None:
    """Move arranged delayed patients from acute beds into free step-down beds."""
    p, st = engine.pathway, engine.state
    _place(
        st.block, st.in_treatment[0], p.acute, p.src_pos, p.dst, p.by_src, p.src_start,
        p.by_dst, p.dst_start, p._free, p._free_at_dst, p._arranged, p._asks, p._grants,
        PLACE_ROWS,
    )  # fmt: skip
