"""Bed pools (wards): how beds and demand are split, and the outlying rule."""

from __future__ import annotations

import numpy as np
import pytest

from collabsim.core.phases import ROW
from tests.helpers import config, engine, fill, links, providers
from tests.helpers.phases import admit


def _two_wards(reserve: float):
    """One acute provider of 20 beds in two pools of 10 (no demand, very long stays):
    pool 0 full with 4 waiting (2 of them 5 steps old, 2 new); pool 1 has 5 beds free."""
    cfg = config(wards={"beds": 10.0, "reserve": reserve}, sim={"days": 10, "warmup_days": 0})
    e = engine(providers([20], [0.0], [1000.0], ["acute"]), cfg=cfg)
    st, b = e.state, e.state.beds
    st.in_treatment[0] = [10, 5]
    b.occupied[:] = [10, 5]
    b.delayed[:] = b.arranged[:] = 0
    by_age = np.zeros((6, 2), dtype=np.int64)
    by_age[5, 0], by_age[0, 0] = 2, 2
    e.set_queue(by_age)
    return e


def test_beds_and_demand_split_evenly_over_an_acute_providers_pools():
    cfg = config(wards={"beds": 30.0})
    prov = providers([100, 40], [10.0, 4.0], [5.0, 5.0], ["acute", "community"])
    e = engine(prov, cfg=cfg)
    assert e.pools.first.tolist() == [0, 3, 4]  # round(100 / 30) = 3 pools; community one
    assert e.state.beds.capacity.tolist() == [34, 33, 33, 40]
    assert e.state.capacity.tolist() == [100, 40]


@pytest.mark.parametrize(
    ("reserve", "outliers"),
    [(0.0, 4), (0.2, 3), (0.45, 0), (1.0, 0)],  # keeps 0, 2, 4.5 (so 0 spare), 10 beds
)
def test_the_oldest_waiting_take_beds_another_pool_spares_beyond_its_reserve(reserve, outliers):
    e = _two_wards(reserve)
    admit(e)
    st, b = e.state, e.state.beds
    assert st.outliers[0] == outliers == st.admissions[0]
    assert b.occupied.tolist() == [10, 5 + outliers]
    assert st.in_treatment[0].tolist() == [10, 5 + outliers]
    # oldest first: the two who waited 5 steps go before the two new arrivals
    queue = e.queue_by_age()
    assert queue[5, 0] == max(0, 2 - outliers)
    assert queue[0, 0] == min(2, 4 - outliers)
    assert st.wait_steps[0] == 5 * min(outliers, 2)
    assert st.waiting[0] == b.waiting.sum() == 4 - outliers


def test_own_pool_first_then_outliers_in_one_step():
    e = _two_wards(0.0)
    st, b = e.state, e.state.beds
    queue = e.queue_by_age()
    queue[3, 1] = 2  # pool 1 has its own 2 waiting: they take its beds first
    e.set_queue(queue)
    admit(e)
    assert st.admissions[0] == 5 and st.outliers[0] == 3
    assert b.occupied.tolist() == [10, 10]
    assert e.queue_by_age()[0, 0] == 1  # the newest of pool 0 still waits


def _erlang_c_wait(c: int, load: float, stay: float) -> float:
    """Mean wait of M/M/c (Erlang C) with offered load ``load`` and mean stay ``stay``."""
    b = 1.0
    for k in range(1, c + 1):  # Erlang B by its stable recursion
        b = load * b / (k + load * b)
    return c * b / (c - load * (1 - b)) * stay / (c - load)


def test_fragmented_beds_make_patients_wait_longer():
    """Same beds, same demand: five pools of 10 with no outlying wait as five M/M/10
    queues do (Erlang C: 1.02 days at 80 % with 5-day stays), about 35 times the 0.03
    days of one pool of 50. (Pools draw one provider total and split it: this checks
    the split too.)"""
    flat = {"weekly": [1.0] * 7, "winter_amplitude": 0.0}
    waits = {}
    for beds in (0.0, 10.0):
        cfg = config(
            wards={"beds": beds, "reserve": 1.0},
            demand=flat,
            discharge={"weekend_factor": 1.0},
            sim={"days": 2100, "warmup_days": 100, "step_days": 0.25},
            seed=3,
        )
        e = engine(providers([50], [0.8 * 50 / 5.0], [5.0], ["acute"]), links([]), cfg)
        e.run()
        tot = e.recorder.provider_totals
        waits[beds] = tot[ROW["wait_steps"]].sum() / tot[ROW["admissions"]].sum() * 0.25
    theory = _erlang_c_wait(10, 8.0, 5.0)
    # 2,000 days: over seeds the mean wait's sd is about 7 % of it (measured, 6 runs);
    # 6-hour steps bias it a few % low. 3 sd either side:
    assert 0.75 * theory < waits[10.0] < 1.2 * theory, (waits, theory)
    assert waits[10.0] > 10 * waits[0.0], waits


def test_one_pool_per_provider_is_the_provider():
    """Without wards the pools are the providers' rows themselves (no copy to drift)."""
    e = engine(providers([20, 10], [1.0, 1.0], [5.0, 5.0], ["acute", "community"]))
    assert np.shares_memory(e.state.beds.occupied, e.state.occupied)
    assert np.shares_memory(e.state.beds.capacity, e.state.capacity)


def test_escalation_beds_open_where_patients_wait_and_close_when_none_do():
    cfg = config(escalation={"beds": 0.2, "trigger": 0.1}, sim={"days": 10, "warmup_days": 0})
    e = engine(providers([20], [0.0], [1000.0], ["acute"]), cfg=cfg)
    fill(e, occupied=[20], waiting=[6], age=1)
    escalate = e.phase("escalate")
    escalate()  # 6 waiting > 10 % of 20 beds: opens up to 20 % of 20 = 4
    assert e.state.escalated[0] == 4 and e.state.capacity[0] == 24
    escalate()  # at its limit: no more
    assert e.state.capacity[0] == 24
    admit(e)
    assert e.state.waiting[0] == 2 and e.state.occupied[0] == 24
    fill(e, occupied=[21], waiting=[0])
    escalate()  # nobody waits: its 3 free escalation beds close, the occupied one stays
    assert e.state.escalated[0] == 1 and e.state.capacity[0] == 21


def test_no_escalation_below_the_trigger():
    cfg = config(escalation={"beds": 0.2, "trigger": 0.5}, sim={"days": 10, "warmup_days": 0})
    e = engine(providers([20], [0.0], [1000.0], ["acute"]), cfg=cfg)
    fill(e, occupied=[20], waiting=[6])
    e.phase("escalate")()
    assert e.state.escalated[0] == 0 and e.state.capacity[0] == 20


def test_a_providers_draw_split_over_its_pools_is_exact():
    """``pick``: k of N patients chosen without replacement, so one pool's count is
    hypergeometric; ``pool_of``: each arrival to one of the pools in proportion to its
    beds, so one pool's count is binomial(k, its beds / the provider's). Chi-square
    against the exact pmfs (20,000 draws, fixed seed; p > 0.001 fails once in a thousand
    seeds for a correct sampler)."""
    from scipy import stats

    from collabsim.core.pools import pick, pool_of
    from collabsim.core.random import new_stream

    rng = new_stream(np.random.SeedSequence(5))
    counts = np.array([9, 3, 5, 2], dtype=np.int64)  # pools 1..3 of a provider (0 is another's)
    out = np.zeros(4, dtype=np.int64)
    draws = 20_000
    got_among = np.zeros(4, dtype=np.int64)
    got_scatter = np.zeros(5, dtype=np.int64)
    got_one = np.zeros(4, dtype=np.int64)  # one arrival's pool
    beds = np.array([0, 10, 30, 60], dtype=np.int64)  # cumulative beds of pools 1..3
    for _ in range(draws):
        source, out[:] = counts.copy(), 0
        pick(rng, 4, 10, source, 1, 4, out)
        assert out[1:].sum() == 4 and (source[1:] == counts[1:] - out[1:]).all()
        assert out[0] == 0 and source[0] == counts[0]  # another provider's pool untouched
        got_among[out[1]] += 1
        out[:] = 0
        for _ in range(4):  # pools 1..3 of 10, 20 and 30 beds: pool 2 takes a third
            out[pool_of(rng, 1, 4, beds)] += 1
        assert out[0] == 0 and out[1:].sum() == 4
        got_scatter[out[2]] += 1
        got_one[pool_of(rng, 1, 4, beds)] += 1
    assert got_one[0] == 0
    assert stats.chisquare(got_one[1:], np.array([1, 2, 3]) / 6 * draws).pvalue > 1e-3
    hyper = stats.hypergeom(10, 3, 4).pmf(np.arange(4)) * draws
    assert stats.chisquare(got_among, hyper).pvalue > 1e-3
    binom = stats.binom(4, 1 / 3).pmf(np.arange(5)) * draws
    assert stats.chisquare(got_scatter, binom).pvalue > 1e-3


def test_beds_set_from_outside_come_out_of_free_beds_first_and_never_let_a_pool_overfill():
    """A provider asked to shrink below its patients gives up its free beds first, then
    beds in use; no pool then admits while the provider is over capacity."""
    cfg = config(wards={"beds": 30.0}, sim={"days": 20, "warmup_days": 0})
    e = engine(providers([100], [18.0], [5.0], ["acute"]), cfg=cfg)
    for _ in range(5):
        e.step()
    st, b = e.state, e.state.beds
    target = int(st.occupied[0]) - 20
    e.set_capacity(0, target)
    assert st.capacity[0] == target == b.capacity.sum() and (b.capacity >= 0).all()
    assert (b.home == b.capacity).all()  # nothing on loan: own sizes follow
    assert st.occupied[0] > st.capacity[0] and (b.occupied >= b.capacity).all()  # no room
    for _ in range(3):  # a pool over its beds admits nobody until discharges make room
        before = b.occupied.copy()
        e.step()
        assert (b.occupied <= np.maximum(b.capacity, before)).all()
    e.set_capacity(0, 130)  # more beds: spread evenly
    assert st.capacity[0] == 130 == b.capacity.sum()


def test_a_transfer_joins_the_helpers_pool_with_most_room():
    """A (one pool, full, 4 waiting) sends 3 to B (two pools of 10): pool 0 has 4 beds free
    but 3 of its own waiting, pool 1 has 2 free and nobody waiting; the first goes to pool 1
    (room 2 against 1), then they alternate by room (ties to the first): pools 1, 0, 1."""
    from tests.helpers.phases import agree, begin_aid

    cfg = config(wards={"beds": 10.0}, sim={"days": 10, "warmup_days": 0},
                 aid={"delay_days": 0.0, "kinds": "transfers"},
                 self_preservation={"mean": 0.0})  # fmt: skip
    e = engine(providers([10, 20], [0.0, 0.0], [1000.0, 1000.0], ["acute", "acute"]),
               links([(0, 1), (1, 0)]), cfg)  # fmt: skip
    st, b = e.state, e.state.beds
    assert e.pools.first.tolist() == [0, 1, 3]
    st.in_treatment[0] = [10, 6, 8]
    b.occupied[:] = [10, 6, 8]
    b.delayed[:] = b.arranged[:] = 0
    by_age = np.zeros((3, 3), dtype=np.int64)
    by_age[2, 0], by_age[0, 1] = 4, 3
    e.set_queue(by_age)
    begin_aid(e)
    grants = np.zeros(e.aid.size, dtype=np.int64)
    grants[e.aid.links.src == 0] = 3
    agree(e, grants)
    assert st.transfers_out[0] == 3 and st.transfers_in[1] == 3
    queue = e.queue_by_age()
    assert queue[2].tolist() == [1, 1, 2]  # they keep their age
    assert b.waiting.tolist() == [1, 4, 2] and st.waiting.tolist() == [1, 6]
