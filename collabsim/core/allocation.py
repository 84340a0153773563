"""Exact integer sharing of whole patients or beds, compiled for the step.

``share_out`` splits ``min(quota, sum of weights)`` among members in proportion to
integer weights, by cumulative-floor rounding from an offset: the shares sum exactly
to that amount, no member gets more than its weight, and each share is within one
of its proportional value. The offset (``U``, in ``[0, total)``) decides who gets the
remainder; it comes from a hash of the call's ``salt`` (the step and the call site)
and the group, so over many calls every member's expected share is exactly its
proportional one. Without it (``U = 0``) the remainder always went to the last
member: a quota of 1 went to the last partner every time, which at hourly steps
skewed the discharge pathway and the policies towards the last-listed partner.
No random stream is used, so the sharing changes no other draw.
The discharge pathway and the policies use it in the step.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64


@njit(cache=True, error_model="numpy", inline="always")
def _mix(x: int) -> int:
    """splitmix64's finaliser: a well-spread 64-bit hash of ``x``."""
    z = uint64(x) + uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> uint64(30))) * uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> uint64(27))) * uint64(0x94D049BB133111EB)
    return z ^ (z >> uint64(31))


@njit(cache=True, error_model="numpy", inline="always")
def share_out(
    quota: int,
    weights: np.ndarray,
    order: np.ndarray,
    lo: int,
    hi: int,
    out: np.ndarray,
    salt: int = 0,
) -> int:
    """Shares of ``quota`` for members ``order[lo:hi]`` (weights[member]) into ``out[member]``.

    ``salt`` (e.g. the step, times the number of call sites, plus this site) varies who
    gets the remainder from call to call. Returns the amount shared out.
    """
    total = 0
    for j in range(lo, hi):
        total += weights[order[j]]
    amount = min(quota, total)
    if amount <= 0:
        for j in range(lo, hi):
            out[order[j]] = 0
        return 0
    offset = int(_mix(uint64(salt) * uint64(1_000_003) + uint64(lo)) % uint64(total))
    cum = 0
    prev = 0  # offset // total
    for j in range(lo, hi):
        member = order[j]
        cum += weights[member]
        c = (amount * cum + offset) // total
        out[member] = c - prev
        prev = c
    return amount


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
    salt: int = 0,
) -> None:
    """Two-sided exact sharing over links: each sender g asks for ``quota[g]`` over its
    links in proportion to ``room`` (per link); each receiver d shares ``capacity[d]``
    over the asks it received, in proportion to them. Grants never exceed asks."""
    for g in range(src_start.size - 1):
        share_out(quota[g], room, by_src, src_start[g], src_start[g + 1], asks, 2 * salt)
    for d in range(dst_start.size - 1):
        share_out(capacity[d], asks, by_dst, dst_start[d], dst_start[d + 1], grants, 2 * salt + 1)


def group_starts(group_of_member_sorted: np.ndarray, n_groups: int) -> np.ndarray:
    """Offsets (n_groups + 1) of each group's members in a group-sorted member list."""
    counts = np.bincount(group_of_member_sorted, minlength=n_groups)
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
