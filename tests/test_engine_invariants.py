"""Properties that hold for any settings: conservation, bounds, consistent bookkeeping."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collabsim.core.phases import ROW
from tests.helpers import config, engine, links, providers


@st.composite
def systems(draw):
    n_acute = draw(st.integers(1, 3))
    n_step = draw(st.integers(0, 2))
    n = n_acute + n_step
    kinds = ["acute"] * n_acute + draw(
        st.lists(st.sampled_from(["community", "social_care", "mental_health"]),
                 min_size=n_step, max_size=n_step)
    )  # fmt: skip
    capacity = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
    # demand up to well above capacity / stay, so queues and losses happen
    demand = draw(st.lists(st.floats(0, 25), min_size=n, max_size=n))
    los = draw(st.lists(st.floats(0.3, 12), min_size=n, max_size=n))
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b and draw(st.booleans())]
    step_days = draw(st.sampled_from([0.25, 0.5, 1.0, 2.0]))
    cfg = config(
        seed=draw(st.integers(0, 2**32)),
        sim={"days": 30 * step_days, "step_days": step_days, "warmup_days": 5 * step_days,
             "max_wait_days": draw(st.sampled_from([step_days, 3 * step_days, 7.0])),
             "decision_days": step_days * draw(st.sampled_from([1, 2, 4]))},
        demand={"distribution": draw(st.sampled_from(["poisson", "negative_binomial"])),
                "dispersion": draw(st.floats(0.5, 100)), "scale": draw(st.floats(0.2, 2.0)),
                "winter_amplitude": draw(st.floats(0, 0.5)),
                "elective_share": draw(st.sampled_from([0.0, 0.0, 0.3])),
                "hourly": draw(st.sampled_from([[], [0.5] * 8 + [1.5] * 8 + [1.0] * 8]))},
        discharge={"los": draw(st.sampled_from(["exponential", "lognormal"])),
                   "weekend_factor": draw(st.floats(0.1, 1.0)), "los_horizon_days": 20.0,
                   "hourly": draw(st.sampled_from([[], [0.2] * 12 + [1.8] * 12]))},
        pathway={"share": draw(st.floats(0, 1)), "arrangement_days": draw(st.floats(0.2, 10))},
        policy=draw(st.sampled_from([
            {"name": "none"}, {"name": "trust_gated"},
            {"name": "ics_pool", "params": {"compliance": draw(st.floats(0, 1))}},
            {"name": "reciprocal", "params": {"tolerance": draw(st.floats(0, 20)),
                                              "generosity": draw(st.floats(0, 1))}},
            {"name": "lead_provider", "params": {"compliance": draw(st.floats(0, 1))}},
            {"name": "national_escalation", "params": {"level": draw(st.floats(0.5, 1.5))}},
        ])),
        aid={"delay_days": draw(st.sampled_from([0.0, 1.0, 4.0])),
             "kinds": draw(st.sampled_from(["transfers", "loans", "both"])),
             "loan_days": draw(st.sampled_from([1.0, 3.0, 10.0]))},
        trust={"initial": draw(st.floats(0, 1)), "drift_per_day": draw(st.floats(0, 0.5))},
        self_preservation={"mean": 0.5, "spread": draw(st.floats(0, 0.4)),
                           "adapt": draw(st.floats(0, 0.5))},
        candour={"mean": 0.5, "spread": draw(st.floats(0, 0.4)), "discovery_per_day": 0.5},
        culture={"harm_loss": draw(st.floats(0, 1))},
        relationship={"protected_time": draw(st.floats(0, 0.2))},
        mandate={"start_day": 3 * step_days, "days": draw(st.sampled_from([0.0, 5 * step_days]))},
        escalation={"beds": draw(st.sampled_from([0.0, 0.1, 0.5])),
                    "trigger": draw(st.sampled_from([0.0, 0.05]))},
        wards={"beds": draw(st.sampled_from([0.0, 0.0, 5.0, 17.0])),
               "reserve": draw(st.sampled_from([0.0, 0.1, draw(st.floats(0, 1))]))},
    )  # fmt: skip
    return providers(capacity, demand, los, kinds), links(pairs), cfg


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems())
def test_patients_and_beds_are_conserved_at_every_step(system):
    prov, lnk, cfg = system
    e = engine(prov, lnk, cfg)
    s = e.state
    arrived = admitted = lost = moved_in = moved_out = np.zeros(prov.n, dtype=np.int64)
    electives = booked_in = np.zeros(prov.n, dtype=np.int64)
    placed_out_total = placed_in_total = 0
    total_capacity = s.capacity.sum()
    for _ in range(e.steps):
        occupied_before = s.occupied.copy()
        pool_occupied_before = s.beds.occupied.copy()
        e.step()
        arrived = arrived + s.arrivals
        admitted = admitted + s.admissions
        lost = lost + s.lost
        moved_in, moved_out = moved_in + s.transfers_in, moved_out + s.transfers_out
        # arrived (+ transferred in - out) = admitted + still waiting + lost, per provider
        np.testing.assert_array_equal(arrived + moved_in - moved_out, admitted + s.waiting + lost)
        assert s.transfers_in.sum() == s.transfers_out.sum()  # nobody lost in transfer
        assert e.aid.needs.pending_out.sum() == e.aid.needs.pending_in.sum() >= 0
        assert (e.aid.needs.pending_out >= 0).all() and (e.aid.needs.pending_in >= 0).all()
        assert ((e.trust >= 0) & (e.trust <= 1)).all()
        sp = e.traits.self_preservation
        assert ((sp >= 0) & (sp <= 1)).all()
        # loans move staffed beds, never make or lose them; nobody lends what it lacks;
        # escalation beds are the only beds added
        assert s.capacity.sum() == total_capacity + s.escalated.sum()
        assert (s.escalated <= np.floor(cfg.escalation.beds * prov.capacity)).all()
        assert s.lent.sum() == s.borrowed.sum() == e.aid.marks.on_loan.sum()
        assert (s.occupied <= s.capacity).all() and (e.aid.marks.on_loan >= 0).all()
        # bed pools (wards): each provider's rows are its pools' sums; within each pool,
        # waiting = its queue, occupied = in treatment + delayed, never above its beds
        b, first = s.beds, e.pools.first[:-1]
        for name in ("capacity", "occupied", "waiting", "delayed", "arranged"):
            np.testing.assert_array_equal(
                getattr(s, name), np.add.reduceat(getattr(b, name), first)
            )
        np.testing.assert_array_equal(b.waiting, s.queue.sum(axis=1))
        # between steps the ring holds arrival steps t - R .. t - 1: nobody arrived before
        # a pool's start, nor in step t (to come)
        by_age = e.queue_by_age()
        ages = np.arange(by_age.shape[0])[:, None]
        assert (by_age[e.t - ages < b.start[None, :]] == 0).all()
        assert (by_age[0] == 0).all()
        # a pool with patients waiting starts within the ring (an empty one may be stale)
        assert (b.start[b.waiting > 0] >= e.t - s.queue.shape[1]).all()
        np.testing.assert_array_equal(b.occupied, s.in_treatment.sum(axis=0) + b.delayed)
        assert (b.occupied <= np.maximum(b.capacity, pool_occupied_before)).all()
        assert (b.arranged <= b.delayed).all() and all((a >= 0).all() for a in b)
        assert (s.outliers <= s.admissions).all()
        assert (s.occupied <= np.maximum(s.capacity, occupied_before)).all()
        assert (s.block >= 0).all() and (s.queue >= 0).all() and (s.in_treatment >= 0).all()
        # bed flow balance for this step
        np.testing.assert_array_equal(
            s.occupied - occupied_before,
            s.admissions + s.elective_admissions - s.discharges + s.placed_in - s.placed_out,
        )
        # booked patients are admitted, or still booked (cancelled at each day's end); acute
        electives, booked_in = electives + s.electives, booked_in + s.elective_admissions
        np.testing.assert_array_equal(electives, booked_in + s.booked)
        assert (s.electives[prov.kind != 0] == 0).all()
        assert (s.cancelled >= 0).all() and (s.cancelled <= s.booked).all()
        # pathway: only acute providers have delayed patients; placements balance
        assert (s.delayed[prov.kind != 0] == 0).all()
        assert (s.arranged <= s.delayed).all()
        placed_out_total += s.placed_out.sum()
        placed_in_total += s.placed_in.sum()
        assert placed_out_total == placed_in_total
        # waits recorded only for admissions, breaches and harms are subsets
        # defaults: harm (3 days) is past the target (1 day), so every harm is a breach
        assert (s.breaches <= s.admissions).all() and (s.harms <= s.breaches).all()
        assert (s.wait_steps <= s.admissions * e.max_wait_steps).all()


@settings(max_examples=25, deadline=None)
@given(systems())
def test_occupancy_starts_within_capacity_and_stays_there(system):
    prov, lnk, cfg = system
    e = engine(prov, lnk, cfg)
    assert (e.state.occupied <= prov.capacity).all()
    e.run()
    rows = e.recorder.rows[: e.recorder.steps_recorded]
    assert (rows[:, ROW["occupied"]] <= rows[:, ROW["capacity"]]).all()


def test_summary_counts_balance(small_config):
    import collabsim

    s = collabsim.simulate(small_config).summary
    assert s["arrivals"] == s["admissions"] + s["waiting_end"] + s["lost"]
    assert 0 <= s["breach_share"] <= 1 and s["mean_wait_days"] >= 0
    assert s["p95_wait_days"] >= 0 and 0 < s["mean_occupancy"] <= 1
