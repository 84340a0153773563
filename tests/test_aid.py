"""Aid mechanics: friction delays and costs set by trust, and trust updates."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.helpers import asker_and_helper
from tests.helpers.phases import agree as book
from tests.helpers.phases import begin_aid, update_trust


def two_partners(trust: float, delay_days: float):
    """A (full, 6 waiting) and B (10 free beds), linked both ways, 30 minutes apart."""
    return asker_and_helper(
        trust={"initial": trust, "drift_per_day": 0.0},
        aid={"delay_days": delay_days, "cost": 400.0, "friction_power": 2.0,
             "cost_per_minute": 2.0},
    )  # fmt: skip


def agree(e, amount: int) -> None:
    begin_aid(e)
    grants = np.zeros(e.aid.size, dtype=np.int64)
    grants[e.aid.links.src == 0] = amount  # A -> B
    book(e, grants)


def test_transfer_waits_for_its_friction_delay_and_patients_stay_counted():
    """Trust 0.2: delay = 3 days x 0.8^2 = 1.92 -> 2 steps. Agreed at step 0, carried out
    at step 2; meanwhile the patients wait at A and are counted there."""
    e = two_partners(trust=0.2, delay_days=3.0)
    agree(e, 4)
    st = e.state
    assert st.transfers_out[0] == 0 and st.waiting.tolist() == [6, 0]
    assert e.aid.needs.pending_out[0] == 4 and e.aid.needs.pending_in[1] == 4
    e.t = 1
    begin_aid(e)
    assert st.transfers_out[0] == 0
    e.t = 2
    begin_aid(e)
    assert st.transfers_out[0] == 4 and st.transfers_in[1] == 4
    # the patients keep their arrival step (2 steps before step 0)
    assert st.waiting.tolist() == [2, 4] and e.queue_by_age()[4].tolist() == [2, 4]
    assert e.aid.needs.pending_out.sum() == 0 and e.aid.needs.pending_in.sum() == 0


def test_full_trust_means_no_delay_and_only_travel_cost():
    e = two_partners(trust=1.0, delay_days=3.0)
    agree(e, 3)
    assert e.state.transfers_out[0] == 3  # at once
    assert e.state.aid_cost[0] == round(3 * (400 * 0.0 + 2.0 * 30))


def test_cost_falls_with_trust():
    costs = []
    for trust in (0.0, 0.5, 0.9):
        e = two_partners(trust=trust, delay_days=0.0)
        agree(e, 2)
        costs.append(e.state.aid_cost[0])
    assert costs == [round(2 * (400 * (1 - t) ** 2 + 60)) for t in (0.0, 0.5, 0.9)]
    assert costs[0] > costs[1] > costs[2]


def test_a_transfer_agreed_but_admitted_at_home_shrinks():
    e = two_partners(trust=0.0, delay_days=1.0)
    agree(e, 5)
    queue = e.queue_by_age()
    queue[2, 0] = 1  # five were admitted at home meanwhile
    e.set_queue(queue)
    e.t = 1
    begin_aid(e)
    assert e.state.transfers_out[0] == 1 and e.aid.needs.pending_out.sum() == 0


def test_help_raises_trust_both_ways_and_refusal_lowers_it():
    e = two_partners(trust=0.4, delay_days=0.0)
    cfg = e.config.trust
    agree(e, 2)
    update_trust(e)
    a_to_b = e.trust[e.aid.links.index[e.aid.links.src == 0][0]]
    b_to_a = e.trust[e.aid.links.index[e.aid.links.src == 1][0]]
    assert a_to_b == pytest.approx(0.4 + cfg.help_gain * 0.6)  # A was helped by B
    assert b_to_a == pytest.approx(0.4 + cfg.generosity_gain * 0.6)  # B helped A
    e2 = two_partners(trust=0.4, delay_days=0.0)
    begin_aid(e2)
    e2.aid.marks.refused[e2.aid.links.src == 0] = 1  # B had room and said no to A
    update_trust(e2)
    assert e2.trust[e2.aid.links.index[e2.aid.links.src == 0][0]] == pytest.approx(
        0.4 * (1 - cfg.refusal_loss)
    )


def test_trust_drifts_towards_the_baseline():
    """Without shared history (the memory channel at 0) every link returns to the baseline."""
    e = two_partners(trust=0.9, delay_days=0.0)
    e.config.trust.drift_per_day = 0.1
    e.config.trust.baseline = 0.5
    e.config.channels.history_per_day = 0.0
    e.reset(e.config.seed)
    for _ in range(10):
        begin_aid(e)
        update_trust(e)
    expected = 0.5 + 0.4 * (1 - 0.1) ** 10
    assert e.trust == pytest.approx(np.full(2, expected))
    assert e.trust_mean == pytest.approx(expected)
    assert math.isfinite(e.trust_mean)


@pytest.mark.parametrize("start", [0.1, 0.9])
def test_with_shared_history_a_relationship_settles_where_it_has_been(start):
    """Trust drifts (0.1 a day) towards its relationship's level, 0.5 + shift, while the
    shift follows trust - 0.5 (0.1 a day): both meet between the start and 0.5, so a low
    start stays low and a high one high (path dependence); with memory off it is 0.5."""
    ends = {}
    for off in ([], ["memory"]):
        e = two_partners(trust=start, delay_days=0.0)
        e.config.trust.drift_per_day = 0.1
        e.config.channels.history_per_day = 0.1
        e.config.channels.off = off
        e.reset(e.config.seed)
        tau, shift = start, 0.0
        for _ in range(400):
            begin_aid(e)
            update_trust(e)
            tau += 0.1 * (0.5 + shift - tau)
            shift += (0.0 if off else 0.1) * (tau - 0.5 - shift)
        assert e.trust == pytest.approx(np.full(2, tau), abs=1e-12)
        ends[bool(off)] = float(e.trust[0])
    assert ends[True] == pytest.approx(0.5, abs=1e-9)
    settled = ends[False]
    assert min(start, 0.5) + 0.05 < settled < max(start, 0.5) - 0.05  # strictly between


def test_an_arrangement_takes_its_mean_delay_in_whole_steps():
    """x = 2.3 steps: 2 steps with probability 0.7, 3 with 0.3 (20,000 draws; the
    tolerance is 4 standard errors of a proportion of 0.3)."""
    from collabsim.core.aid import arrangement_steps
    from collabsim.core.random import new_stream

    rng = new_stream(np.random.SeedSequence(8))
    draws = np.array([arrangement_steps(rng, 2.3) for _ in range(20_000)])
    assert set(np.unique(draws)) == {2, 3}
    assert abs((draws == 3).mean() - 0.3) < 4 * math.sqrt(0.3 * 0.7 / draws.size)
    assert arrangement_steps(rng, 4.0) == 4 and arrangement_steps(rng, 0.0) == 0


def test_settled_trust_is_skipped_only_while_nothing_happens():
    """At the baseline with no help or refusal, trust cannot change, so the update is
    skipped; the first transfer ends that, and drift then applies as usual."""
    e = two_partners(trust=0.5, delay_days=0.0)  # baseline is 0.5
    assert e.trust_settled
    begin_aid(e)
    update_trust(e)
    assert e.trust_settled and (e.trust == 0.5).all() and e.trust_mean == 0.5
    agree(e, 2)
    update_trust(e)
    assert not e.trust_settled and e.trust.max() > 0.5


@pytest.mark.parametrize(("delay_days", "start"), [(4.0, 4), (3.0, 3)])
def test_help_is_agreed_when_people_decide_and_starts_when_arranged(delay_days, start):
    """Six-hour steps, decisions once a day: requests, agreements and trust changes fall
    on steps 0, 4, 8, ...; agreed help starts when its arrangement ends, at any step
    (haggling as at neutral trust 0.5: delay_days x 0.5^2 = 4 or 3 steps exactly), and
    trust drifts once a day at the daily rate."""
    from tests.helpers import config, engine, fill, links, providers

    cfg = config(
        sim={"days": 12, "warmup_days": 0, "step_days": 0.25, "decision_days": 1.0},
        policy={"name": "trust_gated"},
        aid={"delay_days": delay_days},
        trust={"initial": 0.3, "baseline": 0.5, "drift_per_day": 0.1},
        self_preservation={"mean": 0.0},
        channels={"off": ["offering", "telling", "haggling"]},
    )
    e = engine(providers([10, 20], [0.0, 0.0], [1000.0, 1000.0]), links([(0, 1), (1, 0)]), cfg)
    fill(e, occupied=[10, 10], waiting=[6, 0], age=0)
    assert e.clock.decision_steps == 4
    trust_by_step, moved = [], []
    for _ in range(9):
        e.step()
        trust_by_step.append(e.trust.copy())
        moved.append(int(e.state.transfers_out[0]))
    assert moved == [6 if t == start else 0 for t in range(9)]  # agreed at step 0
    changes = [t for t in range(1, 9) if not np.array_equal(trust_by_step[t], trust_by_step[t - 1])]
    assert changes == [4, 8]  # the help is seen by the trust update of the next decision
    assert trust_by_step[0] == pytest.approx([0.32, 0.32])  # 0.3 + 0.1 x (0.5 - 0.3), once
