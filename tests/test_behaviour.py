"""Behaviour rules on hand-built systems: requests and candour, loans, culture, protected
time, adaptive self-preservation, traits, financial pressure and mandates."""

from __future__ import annotations

import math

import numpy as np
import pytest

from collabsim import ConfigError
from collabsim.core.phases import ROW
from collabsim.core.traits import draw_beta, financial_pressure
from tests.helpers import asker_and_helper, config, engine, link, links, providers
from tests.helpers.phases import agree, begin_aid, mutual_aid, pressure, update_trust


def trust_of(e, a: int, b: int) -> float:
    """How far a trusts b."""
    return float(e.trust[e.aid.links.index[link(e, a, b)]])


@pytest.mark.parametrize(
    ("candour", "late", "reported", "asked"),
    [
        (1.0, 0.1, 6, 6),  # candid: pressure 1.6 > 1, asks for all of it
        (0.5, 0.1, 3, 3),  # admits half; threshold 1.05 < 1.6: asks
        (0.5, 1.0, 3, 3),  # threshold 1.5 < 1.6: still asks
        (0.5, 2.0, 3, 0),  # threshold 2.0 > 1.6: too proud to ask yet
    ],
)
def test_candour_scales_what_is_reported_and_delays_asking(candour, late, reported, asked):
    e = asker_and_helper(candour={"mean": candour, "late": late, "discovery_per_day": 0.0})
    pressure(e)
    assert e.aid.needs.need.tolist() == [6, 0] and e.aid.needs.room.tolist() == [0, 10]
    assert e.aid.needs.reported[0] == reported and e.aid.needs.asked[0] == asked
    assert e.state.need[0] == 6 and e.state.asked[0] == asked


def test_the_region_only_sees_reported_pressure():
    e = asker_and_helper(candour={"mean": 0.5, "discovery_per_day": 0.0},
                         policy={"name": "ics_pool"})  # fmt: skip
    pressure(e)
    mutual_aid(e)
    assert e.state.transfers_out[0] == 3  # B had room for all 6; A admitted to 3


def test_hidden_pressure_found_out_costs_partners_trust():
    """Candour 0 and a high threshold: A asks for nothing and hides all 6. Found out
    for sure (discovery 1/day), B's trust in A loses hidden_loss x 6/6; A's in B stays."""
    e = asker_and_helper(
        candour={"mean": 0.0, "late": 2.0, "discovery_per_day": 1.0},
        trust={"initial": 0.5, "drift_per_day": 0.0, "hidden_loss": 0.2},
    )
    pressure(e)
    assert e.state.discoveries.tolist() == [1, 0]
    assert trust_of(e, 1, 0) == pytest.approx(0.5 * (1 - 0.2))
    assert trust_of(e, 0, 1) == 0.5
    candid = asker_and_helper(candour={"mean": 1.0, "discovery_per_day": 1.0})
    pressure(candid)
    assert candid.state.discoveries.sum() == 0 and (candid.trust == 0.5).all()


def test_financial_pressure_raises_the_reserve():
    """B: 20 beds, 10 free. Self-preservation 0.5 and reserve share 0.2 keep back
    round(0.5 x 0.2 x 20) = 2 beds; financial pressure 1 doubles that to 4."""
    for fp, offer in ((0.0, 8), (1.0, 6)):
        e = asker_and_helper(self_preservation={"mean": 0.5, "reserve_share": 0.2},
                             finance={"pressure": fp})  # fmt: skip
        pressure(e)
        assert e.aid.needs.offer[1] == offer


def test_financial_pressure_rises_each_year_up_to_one():
    cfg = config(finance={"pressure": 0.3, "rise_per_year": 0.4})
    assert financial_pressure(cfg.finance, 0) == 0.3
    assert financial_pressure(cfg.finance, 365) == pytest.approx(0.7)
    assert financial_pressure(cfg.finance, 3 * 365) == 1.0


# ----------------------------------------------------------------------------- loans


def lend(e, beds: int) -> None:
    grants = np.zeros(e.aid.size, dtype=np.int64)
    grants[link(e, 0, 1)] = beds
    agree(e, grants)


def test_a_loan_moves_staffed_beds_and_comes_back_when_they_are_free():
    """B lends A 6 beds for 3 days. A's capacity is 16 (it admits its 6), B's 14. On
    day 3 A's borrowed beds are all occupied, so none go back (overdue); once 2 of
    A's patients leave, those 2 beds go back the next step, and so on."""
    e = asker_and_helper(aid={"kinds": "loans", "loan_days": 3.0, "delay_days": 0.0,
                              "cost": 400.0, "cost_per_minute": 2.0})  # fmt: skip
    st = e.state
    begin_aid(e)
    lend(e, 6)
    assert st.capacity.tolist() == [16, 14] and st.lent.tolist() == [0, 6]
    assert st.borrowed.tolist() == [6, 0] and st.loans_in[0] == 6 and st.loans_out[1] == 6
    assert st.transfers_out.sum() == 0  # patients stay at home
    assert st.aid_cost[0] == round(6 * (400 * 0.5**2 + 2 * 30))
    st.in_treatment[0, 0] += 6  # A admits its 6 into the borrowed beds
    st.occupied[0] += 6
    for t in (1, 2, 3):
        e.t = t
        begin_aid(e)
        assert st.capacity.tolist() == [16, 14]
    assert e.aid.marks.overdue[link(e, 0, 1)] == 6
    st.in_treatment[0, 0] -= 2
    st.occupied[0] -= 2
    e.t = 4
    begin_aid(e)
    assert st.capacity.tolist() == [14, 16] and st.lent.tolist() == [0, 4]
    st.in_treatment[0, 0] -= 4
    st.occupied[0] -= 4
    e.t = 5
    begin_aid(e)
    assert st.capacity.tolist() == [10, 20] and st.lent.sum() == st.borrowed.sum() == 0
    assert e.aid.marks.on_loan.sum() == 0 and e.aid.marks.overdue.sum() == 0


def test_a_helper_lends_only_beds_still_free_when_the_loan_starts():
    e = asker_and_helper(aid={"kinds": "loans", "delay_days": 1.0}, trust={"initial": 0.0})
    begin_aid(e)
    lend(e, 6)  # agreed now, starts next step (1 day x (1 - 0)^2)
    assert e.state.capacity.tolist() == [10, 20]
    e.state.in_treatment[0, 1] += 8  # meanwhile B filled 8 of its 10 free beds
    e.state.occupied[1] += 8
    e.t = 1
    begin_aid(e)
    assert e.state.loans_out[1] == 2 and e.state.capacity.tolist() == [12, 18]
    assert e.aid.needs.pending_out.sum() == e.aid.needs.pending_in.sum() == 0


def test_both_kinds_split_agreed_help_by_loan_share():
    e = asker_and_helper(aid={"kinds": "both", "loan_share": 0.5, "delay_days": 0.0})
    begin_aid(e)
    lend(e, 6)
    assert e.state.transfers_out[0] == 3 and e.state.loans_in[0] == 3


# ---------------------------------------------------------------- trust: culture, time


def refuse_then_harm(culture: dict, gap_steps: int = 1) -> float:
    e = asker_and_helper(culture=culture, trust={"initial": 0.5, "drift_per_day": 0.0,
                                                 "refusal_loss": 0.05})  # fmt: skip
    begin_aid(e)
    e.aid.marks.refused[link(e, 0, 1)] = 1  # B had room and said no
    update_trust(e)
    assert e.state.refusals.tolist() == [1, 0]
    e.t = gap_steps
    begin_aid(e)
    e.state.harms[0] = 2  # then A's patients came to harm
    update_trust(e)
    return trust_of(e, 0, 1) / (0.5 * 0.95)  # share of trust left after the refusal


def test_harm_costs_trust_in_those_who_refused_more_in_a_blame_culture():
    assert refuse_then_harm({"name": "blame", "harm_loss": 0.2}) == pytest.approx(0.8)
    assert refuse_then_harm({"name": "learning", "harm_loss": 0.02}) == pytest.approx(0.98)
    # remembered for 7 days only
    assert refuse_then_harm({"harm_loss": 0.2, "memory_days": 7}, gap_steps=8) == 1.0


def test_protected_time_costs_beds_and_raises_the_baseline():
    e = engine(providers([100, 200], [1.0, 1.0], [5.0, 5.0]), links([(0, 1), (1, 0)]),
               config(relationship={"protected_time": 0.01, "effect_scale": 0.01},
                      trust={"initial": 0.5, "baseline": 0.5, "drift_per_day": 0.1}))  # fmt: skip
    assert e.state.capacity.tolist() == [99, 198]
    raised = 0.5 + 0.5 * (1 - math.exp(-1))
    assert e.trust_rules.baseline == pytest.approx(raised)
    begin_aid(e)
    update_trust(e)
    assert e.trust == pytest.approx(np.full(2, 0.5 + 0.1 * (raised - 0.5)))


def test_self_preservation_adapts_to_being_helped_and_being_burned():
    e = asker_and_helper(self_preservation={"mean": 0.5, "adapt": 0.1})
    begin_aid(e)
    lend(e, 2)  # A is helped (a transfer, the default kind)
    update_trust(e)
    assert e.traits.self_preservation.tolist() == pytest.approx([0.45, 0.5])
    # B refuses A although A has helped B more than B helped A: A is burned
    e.aid.helped[link(e, 1, 0)] = 10.0
    e.t = 1
    begin_aid(e)
    e.aid.marks.refused[link(e, 0, 1)] = 1
    update_trust(e)
    assert e.traits.self_preservation[0] == pytest.approx(0.45 + 0.1 * 0.55)


def test_traits_are_drawn_with_the_configured_mean_and_spread():
    x = draw_beta(np.random.default_rng(3), 0.3, 0.1, 40_000)
    # 5 standard errors: of the mean sd/sqrt(n); of the sd about sd/sqrt(2n) for a beta
    assert abs(x.mean() - 0.3) < 5 * 0.1 / math.sqrt(x.size)
    assert abs(x.std() - 0.1) < 5 * 0.1 / math.sqrt(2 * x.size) * 1.5
    assert ((x >= 0) & (x <= 1)).all()
    assert (draw_beta(np.random.default_rng(3), 0.3, 0.0, 5) == 0.3).all()
    with pytest.raises(ConfigError, match="self_preservation.spread"):
        config(self_preservation={"mean": 0.9, "spread": 0.35})


def test_trait_spread_leaves_arrivals_unchanged():
    """Traits come from their own stream: common random numbers hold across spreads."""
    sys = providers([30, 30], [5.0, 5.0], [5.0, 5.0])
    runs = []
    for spread in (0.0, 0.3):
        e = engine(sys, links([(0, 1), (1, 0)]),
                   config(policy={"name": "trust_gated"}, sim={"days": 50, "warmup_days": 0},
                          self_preservation={"mean": 0.5, "spread": spread}))  # fmt: skip
        e.run()
        runs.append(e.recorder.rows[:, ROW["arrivals"]].copy())
    np.testing.assert_array_equal(runs[0], runs[1])


def test_a_mandate_replaces_the_policy_for_its_window_only():
    e = asker_and_helper(mandate={"start_day": 2.0, "days": 3.0})
    acting = [e.policy.acting(t).name for t in range(7)]
    assert acting == ["none", "none", "ics_pool", "ics_pool", "ics_pool", "none", "none"]
