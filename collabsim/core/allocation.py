"""Exact integer sharing of whole patients or beds, compiled for the step.

``share_out`` splits ``min(quota, sum of weights)`` among members in proportion to
integer weights, by cumulative-floor rounding: the shares sum exactly to that
amount, no member gets more than its weight, and each share is within one of its
proportional value. The discharge pathway and the policies use it in the step.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy", inline="always")
def share_out(
    quota: int, weights: np.ndarray, order: np.ndarray, lo: int, hi: int, out: np.ndarray
) -> int:
    """Shares of ``quota`` for members ``order[lo:hi]`` (weights[member]) into ``out[member]``.

    Returns the amount shared out.
    """
    total = 0
    for j in range(lo, hi):
        total += weights[order[j]]
    amount = min(quota, total)
    cum = 0
    prev = 0
    for j in range(lo, hi):
        member = order[j]
        if amount <= 0:
            out[member] = 0
            continue
        cum += weights[member]
        c = amount * cum // total
        out[member] = c - prev
        prev = c
    return max(amount, 0)


@njit(cache=True, error_model="numpy")
def ask_then_grant(
    quota: np.ndarray,
    room: np.ndarray,
    by_src: np.ndarray,
    src_start: np.ndarray,
    capacity: np.ndarray,
    by_dst: np.ndarray,
    dst_start: np.ndarray,
    asks: np.ndarray,
    grants: np.ndarray,
) -> None:
    """Two-sided exact sharing over links: each sender g asks for ``quota[g]`` over its
    links in proportion to ``room`` (per link); each receiver d shares ``capacity[d]``
    over the asks it received, in proportion to them. Grants never exceed asks."""
    for g in range(src_start.size - 1):
        share_out(quota[g], room, by_src, src_start[g], src_start[g + 1], asks)
    for d in range(dst_start.size - 1):
        share_out(capacity[d], asks, by_dst, dst_start[d], dst_start[d + 1], grants)


def group_starts(group_of_member_sorted: np.ndarray, n_groups: int) -> np.ndarray:
    """Offsets (n_groups + 1) of each group's members in a group-sorted member list."""
    counts = np.bincount(group_of_member_sorted, minlength=n_groups)
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
