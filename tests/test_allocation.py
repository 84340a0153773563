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
    salt=st.integers(0, 2**40),
)
def test_share_out_is_exact_bounded_and_proportional(quota, weights, seed, salt):
    w = np.array(weights, dtype=np.int64)
    order = np.random.default_rng(seed).permutation(w.size).astype(np.int64)
    out = np.full(w.size, -1, dtype=np.int64)
    shared = share_out(quota, w, order, 0, w.size, out, salt)
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


def test_the_remainder_goes_to_each_member_in_proportion_to_its_weight():
    """A quota of 1 over weights 1 and 3, on 4,000 calls (steps): the first member gets
    it about a quarter of the time (binomial sd 27 calls; four sd allowed), where the
    remainder once went to the last member every time."""
    w = np.array([1, 3], dtype=np.int64)
    order = np.arange(2, dtype=np.int64)
    out = np.zeros(2, dtype=np.int64)
    first = 0
    for salt in range(4000):
        share_out(1, w, order, 0, 2, out, salt)
        first += out[0]
    assert abs(first - 1000) < 4 * np.sqrt(4000 * 0.25 * 0.75)
