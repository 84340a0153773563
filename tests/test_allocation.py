"""Exact integer sharing: whole patients, never more than asked, within one of fair."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from collabsim.core.allocation import share_out


@settings(max_examples=300, deadline=None)
@given(
    quota=st.integers(-5, 5_000),
    weights=st.lists(st.integers(0, 1_000), min_size=1, max_size=30),
    seed=st.integers(0, 1000),
)
def test_share_out_is_exact_bounded_and_proportional(quota, weights, seed):
    w = np.array(weights, dtype=np.int64)
    order = np.random.default_rng(seed).permutation(w.size).astype(np.int64)
    out = np.full(w.size, -1, dtype=np.int64)
    shared = share_out(quota, w, order, 0, w.size, out)
    amount = max(min(quota, int(w.sum())), 0)
    assert shared == amount
    assert out.sum() == amount  # exactly the amount, in whole units
    assert (out >= 0).all() and (out <= w).all()  # nobody gets more than their weight
    if w.sum():
        fair = amount * w / w.sum()
        assert (np.abs(out - fair) < 1).all()  # within one of the proportional share


def test_share_out_touches_only_its_members():
    w = np.array([5, 5, 5, 5], dtype=np.int64)
    out = np.full(4, 99, dtype=np.int64)
    share_out(6, w, np.array([3, 2, 1, 0], dtype=np.int64), 1, 3, out)  # members 2 and 1
    assert out[0] == 99 and out[3] == 99 and out[1] + out[2] == 6
