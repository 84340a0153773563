"""Mutual-aid policies: each rule on hand-built systems, and against queueing theory."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import collabsim
from collabsim import ConfigError
from collabsim.core.phases import ROW
from collabsim.policies import available, make_policy
from tests.helpers import FLAT, config, engine, fill, links, providers
from tests.helpers.phases import begin_aid, mutual_aid, pressure


def decide(e) -> None:
    """The pressure phase (needs, requests, room), then the policy."""
    pressure(e)
    mutual_aid(e)


@pytest.mark.parametrize("name", available())
def test_each_policy_config_file_holds_the_policy_defaults(name):
    """configs/policy/<name>.yaml shows the defaults (for --cfg job and overrides); the
    class's typed parameters are where they are defined, and the two must agree."""
    from omegaconf import OmegaConf

    from collabsim.settings import config_dir

    path = config_dir() / "policy" / f"{name}.yaml"
    assert path.is_file(), f"{name} has no config file"
    shown = OmegaConf.to_container(OmegaConf.load(path))
    assert shown["name"] == name
    assert shown["params"] == dataclasses.asdict(make_policy(name).params)


def test_registry_knows_the_built_policies():
    assert {"none", "ics_pool", "trust_gated"} <= set(available())
    with pytest.raises(ConfigError, match="compliance"):
        make_policy("ics_pool", {"compliance": 1.5})


def test_ics_pool_moves_the_oldest_excess_to_a_partner_with_room():
    """A: 10 beds all full, 5 waiting (2 for 3 steps, 3 new). B: 10 beds, 7 used, nobody
    waiting. C: an acute provider in the same region, 4 spare beds but another kind.
    The region moves 3 patients (B's spare beds) from A to B, the 2 oldest first, and
    nothing to C (not like for like). B then admits them with their original waits."""
    prov = providers([10, 10, 10], [0.0, 0.0, 0.0], [1000.0] * 3,
                     kinds=["community", "community", "acute"])  # fmt: skip
    cfg = config(sim={"days": 10, "warmup_days": 0}, policy={"name": "ics_pool"},
                 pathway={"share": 0.0}, aid={"delay_days": 0.0})  # fmt: skip
    e = engine(prov, links([(0, 1), (1, 0), (0, 2), (2, 0)]), cfg)
    st = e.state
    st.in_treatment[0] = [10, 7, 6]
    st.occupied[:] = [10, 7, 6]
    by_age = np.zeros((4, 3), dtype=np.int64)
    by_age[3, 0], by_age[0, 0] = 2, 3
    e.set_queue(by_age)
    decide(e)
    assert st.transfers_out.tolist() == [3, 0, 0] and st.transfers_in.tolist() == [0, 3, 0]
    queue = e.queue_by_age()
    assert queue[3].tolist() == [0, 2, 0] and queue[0].tolist() == [2, 1, 0]
    assert st.waiting.tolist() == [2, 3, 0]
    from tests.helpers.phases import admit

    e.recorder.wait_histogram[:] = 0
    admit(e)
    assert st.admissions.tolist() == [0, 3, 0]
    assert st.wait_steps[1] == 2 * 3 + 1 * 0  # the two oldest waited 3 steps, one new 0


@pytest.mark.parametrize(("compliance", "moved"), [(0.0, 6), (0.5, 8), (1.0, 10)])
def test_compliance_overrides_self_preservation(compliance, moved):
    """B has 10 free beds and, left to itself, keeps 4 back (self-preservation 1, reserve
    share 0.4). The region takes B's offer (6) plus ``compliance`` of the 4 it keeps."""
    prov = providers([10, 10], [0.0, 0.0], [1000.0] * 2)
    cfg = config(sim={"days": 10, "warmup_days": 0}, aid={"delay_days": 0.0},
                 self_preservation={"mean": 1.0, "reserve_share": 0.4},
                 policy={"name": "ics_pool", "params": {"compliance": compliance}})  # fmt: skip
    e = engine(prov, links([(0, 1)]), cfg)
    st = fill(e, occupied=[10, 0], waiting=[12, 0]).state
    decide(e)
    assert st.transfers_out[0] == moved


def _pooled_vs_single(policy: str, seed: int = 4):
    """200 regions of 3 identical providers (c = 20, 3.6 arrivals/day, stay 5 days,
    rho = 0.9), all linked within the region, against 200 single providers with the
    summed capacity and demand (c = 60, 10.8/day). Both run side by side as 200
    independent replications each."""
    regions = 200
    cfg = config(seed=seed, sim={"days": 700, "warmup_days": 100, "max_wait_days": 30},
                 policy={"name": policy}, aid={"delay_days": 0.0}, **FLAT)  # fmt: skip
    k = 3
    pooled = providers([20] * k * regions, [3.6] * k * regions, [5.0] * k * regions,
                       regions=[r for r in range(regions) for _ in range(k)])  # fmt: skip
    pairs = [(r * k + a, r * k + b) for r in range(regions) for a in range(k) for b in range(k)
             if a != b]  # fmt: skip
    e_pooled = engine(pooled, links(pairs), cfg)
    e_pooled.run()
    single_cfg = config(seed=seed + 1, sim={"days": 700, "warmup_days": 100, "max_wait_days": 30},
                        **FLAT)  # fmt: skip
    e_single = engine(providers([60] * regions, [10.8] * regions, [5.0] * regions), cfg=single_cfg)
    e_single.run()

    def per_system_wait(e, group):
        t = e.recorder.provider_totals
        steps = t[ROW["wait_steps"]].reshape(-1, group).sum(axis=1)
        admitted = t[ROW["admissions"]].reshape(-1, group).sum(axis=1)
        return steps / admitted * e.step_days

    return per_system_wait(e_pooled, k), per_system_wait(e_single, 1)


def test_full_pooling_equals_one_provider_with_summed_capacity():
    """With compliance 1 and no friction, pooling admits min(total waiting, total free)
    every step, as the single provider does; arrivals (sums of Poissons) and discharges
    (sums of binomials with the same p) have the same distributions. So mean waits agree
    up to sampling error: tolerance 3 standard errors of the difference of the two
    means over 200 independent systems each. The same test without pooling must fail
    it (so the test has the power to see the difference)."""
    pooled, single = _pooled_vs_single("ics_pool")
    se = math.sqrt(pooled.var(ddof=1) / pooled.size + single.var(ddof=1) / single.size)
    assert abs(pooled.mean() - single.mean()) < 3 * se, (pooled.mean(), single.mean(), se)
    alone, _ = _pooled_vs_single("none")
    assert alone.mean() - single.mean() > 10 * se  # unpooled queues wait far longer


def test_no_sharing_is_never_better_than_full_pooling_on_paired_seeds():
    """Paired over 8 seeds (common random numbers): the mean of the differences in mean
    wait (none - ics_pool) must be positive with a one-sided 95 % lower bound above 0
    (t with 7 degrees of freedom: 1.895)."""
    diffs = []
    for seed in range(1, 9):
        waits = {}
        for policy in ("none", "ics_pool"):
            cfg = collabsim.load_config(["sim.days=365", f"seed={seed}", f"policy={policy}"])
            waits[policy] = collabsim.simulate(cfg).summary["mean_wait_days"]
        diffs.append(waits["none"] - waits["ics_pool"])
    d = np.array(diffs)
    assert d.mean() - 1.895 * d.std(ddof=1) / math.sqrt(d.size) > 0, d


def _paired(overrides_a: list[str], overrides_b: list[str], key: str, seeds=range(1, 9)):
    """Differences b - a of a summary measure over paired seeds (common random numbers)."""
    base = ["sim.days=365", "policy=trust_gated", "demand.scale=1.03"]
    diffs = []
    for seed in seeds:
        a = collabsim.simulate(collabsim.load_config([*base, f"seed={seed}", *overrides_a]))
        b = collabsim.simulate(collabsim.load_config([*base, f"seed={seed}", *overrides_b]))
        diffs.append(b.summary[key] - a.summary[key])
    d = np.array(diffs, dtype=float)
    return d.mean(), d.std(ddof=1) / math.sqrt(d.size)


T_7_95 = 1.895  # one-sided 95 % t quantile, 7 degrees of freedom (8 paired seeds)


def test_trust_gated_higher_trust_shortens_waits():
    """Initial trust 1 against 0 with a 3-day arrangement delay at no trust: waits are
    shorter (one-sided 95 % upper bound of the paired mean difference below 0)."""
    fixed = ["aid.delay_days=3", "trust.drift_per_day=0"]
    mean, se = _paired([*fixed, "trust.initial=0.0"], [*fixed, "trust.initial=1.0"],
                       "mean_wait_days")  # fmt: skip
    assert mean + T_7_95 * se < 0, (mean, se)


def test_trust_gated_more_self_preservation_means_fewer_transfers():
    mean, se = _paired(["self_preservation.mean=0.1"], ["self_preservation.mean=0.8"],
                       "transfers")  # fmt: skip
    assert mean + T_7_95 * se < 0, (mean, se)


@pytest.mark.parametrize(
    ("trust_a", "trust_b", "given", "b_refused"),
    [
        (0.5, 0.5, [5, 5], 0),  # neutral trust: the offer (10) and no more, shared
        (0.8, 0.2, [10, 0], 1),  # A may have 13 (offer + 3 of the reserve); B nothing
        (0.5, 0.35, [7, 3], 0),  # B half the offer (5): the 10 shared 10 : 5
        (0.9, 0.9, [7, 7], 0),  # 14 each, 14 in all: into the reserve for trusted askers
    ],
)
def test_trust_gated_gives_as_far_as_trust_goes(trust_a, trust_b, given, b_refused):
    """Helper H (50 beds, 30 used) has 20 spare and keeps 20 % of its beds back
    (self-preservation 1, reserve share 0.2): its offer is 10 and its reserve holds 10
    free beds. Askers A and B each need and ask 10. H gives a partner it trusts t: none
    of the offer at t <= 0.2, all of it from 0.5 (linearly between), and above 0.5 also
    0.5 x (t - 0.5) / 0.5 of the reserve; in all at most what it would give the one it
    trusts most."""
    prov = providers([10, 10, 50], [0.0] * 3, [1000.0] * 3)
    cfg = config(sim={"days": 10, "warmup_days": 0}, policy={"name": "trust_gated"},
                 aid={"delay_days": 0.0}, trust={"drift_per_day": 0.0},
                 self_preservation={"mean": 1.0, "reserve_share": 0.2})  # fmt: skip
    e = engine(prov, links([(0, 2), (2, 0), (1, 2), (2, 1)]), cfg)
    lk = e.links
    for a, b, t in [(2, 0, trust_a), (2, 1, trust_b), (0, 2, 0.5), (1, 2, 0.5)]:
        e.trust[np.flatnonzero((lk.src == a) & (lk.dst == b))[0]] = t
    st = fill(e, occupied=[10, 10, 30], waiting=[10, 10, 0]).state
    begin_aid(e)
    decide(e)
    assert st.transfers_out.tolist() == [*given, 0] and st.transfers_in[2] == sum(given)
    b_link = np.flatnonzero((e.aid.links.src == 1) & (e.aid.links.dst == 2))[0]
    assert e.aid.marks.refused[b_link] == b_refused


def test_a_provider_asks_a_partner_it_trusts_earlier_and_for_more():
    """A (10 beds, 10 used, 10 waiting: pressure 2.0, need 10) with candour 0.6, asking
    threshold 1.0 and candour.late 0.5: towards a partner trusted t its candour is
    0.6 + 0.5 (t - 0.5). It asks B (trusted 0.9: candour 0.8) for 8 and C (trusted 0.1:
    candour 0.4) for 4; it reports round(0.6 x 10) = 6 to a coordinator (mean trust 0.5);
    with telling off it asks both for 6. At pressure 1.2 (2 waiting) it asks B (threshold
    1.1) but not yet C (threshold 1.3): earlier towards the partner it trusts."""
    from tests.helpers.phases import pressure

    prov = providers([10, 50, 50], [0.0] * 3, [1000.0] * 3)

    def asks(off, waiting, trust_b=0.9, trust_c=0.1):
        cfg = config(sim={"days": 10, "warmup_days": 0}, candour={"mean": 0.6, "late": 0.5},
                     aid={"ask_threshold": 1.0}, channels={"off": off})  # fmt: skip
        e = engine(prov, links([(0, 1), (1, 0), (0, 2), (2, 0)]), cfg)
        lk = e.links
        for a, b, t in [(0, 1, trust_b), (0, 2, trust_c)]:
            e.trust[np.flatnonzero((lk.src == a) & (lk.dst == b))[0]] = t
        fill(e, occupied=[10, 0, 0], waiting=[waiting, 0, 0])
        begin_aid(e)
        pressure(e)
        al = e.aid.links
        ask = {int(d): int(a) for s, d, a in zip(al.src, al.dst, e.aid.marks.ask, strict=True)
               if s == 0}  # fmt: skip
        return ask, int(e.aid.needs.asked[0]), int(e.aid.needs.reported[0])

    assert asks([], 10) == ({1: 8, 2: 4}, 8, 6)
    assert asks(["telling"], 10) == ({1: 6, 2: 6}, 6, 6)
    assert asks([], 2)[0] == {1: 2, 2: 0}  # round(0.8 x 2); C's threshold not reached
    # a coordinator is told less by a provider that trusts the system around it little
    assert asks([], 10, trust_b=0.1, trust_c=0.1)[2] == 4  # candour 0.4 towards it


# ------------------------------------------------------------------------ reciprocal


def owing(helped_by_b: float, helped_by_a: float, **params):
    """A (full, 6 waiting) asks B (10 free beds); B has helped A ``helped_by_b`` units
    in the past and A has helped B ``helped_by_a``."""
    from tests.helpers import asker_and_helper, link

    e = asker_and_helper(policy={"name": "reciprocal", "params": {"tolerance": 10.0,
                                                                  "forgiveness_per_day": 0.0,
                                                                  **params}})  # fmt: skip
    e.aid.helped[link(e, 0, 1)] = helped_by_b
    e.aid.helped[link(e, 1, 0)] = helped_by_a
    begin_aid(e)
    decide(e)
    return e, link(e, 0, 1)


def test_reciprocal_helps_a_partner_whose_balance_is_within_tolerance():
    e, ab = owing(helped_by_b=15, helped_by_a=6, generosity=0.0)  # A owes 9 <= 10
    assert e.state.transfers_out[0] == 6 and e.aid.marks.refused[ab] == 0


def test_reciprocal_refuses_a_partner_too_deep_in_debt_unless_generous():
    e, ab = owing(helped_by_b=20, helped_by_a=6, generosity=0.0)  # A owes 14 > 10
    assert e.state.transfers_out[0] == 0 and e.aid.marks.refused[ab] == 1
    e, ab = owing(helped_by_b=20, helped_by_a=6, generosity=1.0)  # forgiven this time
    assert e.state.transfers_out[0] == 6 and e.aid.marks.refused[ab] == 0


def test_reciprocal_remembers_help_given_and_forgets_it_slowly():
    e, ab = owing(helped_by_b=0, helped_by_a=0, generosity=0.0)
    assert e.aid.helped[ab] == 6  # B has now helped A with 6
    e.policy.params = dataclasses.replace(e.policy.params, forgiveness_per_day=0.5)
    e.policy.bind(e)  # forgetting half a day
    decide(e)
    assert e.aid.helped[ab] == pytest.approx(3.0)


# --------------------------------------------------------------------- lead provider


def test_the_lead_meets_its_own_need_first_then_allocates_the_rest():
    """One region: lead L (50 beds, full, 5 waiting), member A (10 beds, full, 5
    waiting), member B (20 beds, 6 free). L takes 5 of B's 6 beds first; A gets 1."""
    from collabsim.policies.lead_provider import leads

    prov = providers([50, 10, 20], [0.0] * 3, [1000.0] * 3)
    pairs = [(a, b) for a in range(3) for b in range(3) if a != b]
    cfg = config(sim={"days": 10, "warmup_days": 0}, policy={"name": "lead_provider"},
                 aid={"delay_days": 0.0}, self_preservation={"mean": 0.0})  # fmt: skip
    e = engine(prov, links(pairs), cfg)
    assert leads(e).tolist() == [1, 0, 0]
    st = fill(e, occupied=[50, 10, 14], waiting=[5, 5, 0]).state
    begin_aid(e)
    decide(e)
    assert st.transfers_out.tolist() == [5, 1, 0] and st.transfers_in.tolist() == [0, 0, 6]


@pytest.mark.parametrize(("trust_in_lead", "told"), [(0.9, 8), (0.5, 6), (0.1, 4)])
def test_members_tell_the_lead_what_they_trust_it_with(trust_in_lead, told):
    """Member A (10 beds, full, 10 waiting, candour 0.6, no late asking) tells lead L (50
    beds, 30 free) round((0.6 + 0.5 (t - 0.5)) x 10) of its need, by its trust t in L (not
    its mean trust, which member B, full, trusted 0.5, would pull towards 0.5): that is
    what L allocates it."""
    prov = providers([50, 10, 10], [0.0] * 3, [1000.0] * 3)
    cfg = config(sim={"days": 10, "warmup_days": 0}, policy={"name": "lead_provider"},
                 aid={"delay_days": 0.0}, self_preservation={"mean": 0.0},
                 candour={"mean": 0.6, "late": 0.0})  # fmt: skip
    pairs = [(a, b) for a in range(3) for b in range(3) if a != b]
    e = engine(prov, links(pairs), cfg)
    e.trust[np.flatnonzero((e.links.src == 1) & (e.links.dst == 0))[0]] = trust_in_lead
    st = fill(e, occupied=[20, 10, 10], waiting=[0, 10, 0]).state
    begin_aid(e)
    decide(e)
    assert st.transfers_out.tolist() == [0, told, 0] and st.transfers_in[0] == told


def test_each_region_and_kind_has_one_lead_the_largest():
    from collabsim.policies.lead_provider import leads

    prov = providers([10, 30, 30, 5, 8], [0.0] * 5, [1.0] * 5,
                     kinds=["acute", "acute", "acute", "community", "acute"],
                     regions=[0, 0, 0, 0, 1])  # fmt: skip
    e = engine(prov, links([(0, 1)]), config(policy={"name": "lead_provider"}))
    assert leads(e).tolist() == [0, 1, 0, 1, 1]  # a tie goes to the first listed


# --------------------------------------------------------------- national escalation


def escalation(level: float, minutes_to_c: float = 90.0):
    """Region 0: A (10 beds, full, 12 waiting) and B (10 beds, 5 free): reported
    pressure (10 + 12 + 5) / 20 = 1.35. Region 1: C (20 beds, 10 free), pressure 0.5.
    A is linked to B (15 minutes) and to C."""
    from collabsim.core.state import Links

    prov = providers([10, 10, 20], [0.0] * 3, [1000.0] * 3, regions=[0, 0, 1])
    pairs = [(0, 1), (1, 0), (0, 2), (2, 0)]
    lnk = Links(np.array([a for a, _ in pairs]), np.array([b for _, b in pairs]),
                np.array([15.0, 15.0, minutes_to_c, minutes_to_c]), np.full(4, 0.5))  # fmt: skip
    cfg = config(sim={"days": 10, "warmup_days": 0}, aid={"delay_days": 0.0},
                 self_preservation={"mean": 0.0},
                 policy={"name": "national_escalation", "params": {"level": level}})  # fmt: skip
    e = engine(prov, lnk, cfg)
    st = fill(e, occupied=[10, 5, 10], waiting=[12, 0, 0]).state
    begin_aid(e)
    decide(e)
    return st


def test_an_escalated_region_gets_aid_from_other_regions_only():
    st = escalation(level=1.0)
    assert st.transfers_out[0] == 10 and st.transfers_in.tolist() == [0, 0, 10]
    assert st.aid_minutes[0] == 10 * 90  # travel is counted per patient


def test_no_escalation_below_the_level_or_beyond_the_reach():
    assert escalation(level=1.4).transfers_out.sum() == 0
    assert escalation(level=1.0, minutes_to_c=300.0).transfers_out.sum() == 0


def test_every_policy_is_registered_with_its_config_file():
    import collabsim.settings

    files = {p.stem for p in (collabsim.settings.config_dir() / "policy").glob("*.yaml")}
    assert files == set(available())
    for name in available():
        cfg = collabsim.load_config([f"policy={name}"])
        make_policy(cfg.policy.name, cfg.policy.params)  # its file's parameters are valid
