"""Run measures: inequality, recovery after a shock, intervals and the trust dividend."""

from __future__ import annotations

import math

import numpy as np
import pytest

import collabsim
from collabsim.core.metrics import gini, recovery_days
from collabsim.core.state import ROW
from collabsim.dividend import replication_seeds, trust_dividend, with_setting
from collabsim.stats import mean_interval, paired_difference, t975
from tests.conftest import config, engine, providers


def test_gini_of_known_distributions():
    assert gini(np.array([2.0, 2.0, 2.0])) == 0.0
    assert gini(np.array([0.0, 0.0, 1.0])) == pytest.approx(2 / 3)
    assert gini(np.array([1.0, np.nan, 3.0])) == pytest.approx(0.25)  # NaN: no admissions


def test_recovery_is_counted_from_the_end_of_the_shock():
    """Waits 0.1 days before a shock on days 50-59, 1 day until day 69, 0.1 after. The
    7-day mean is back within 10 % (or 0.01 days) when its window is all after day 69:
    the window ending on day 76, 17 days after the shock ended on day 60."""
    cfg = config(sim={"days": 100, "warmup_days": 10},
                 demand={"shocks": [{"start_day": 50.0, "days": 10.0}]})  # fmt: skip
    e = engine(providers([10], [1.0], [5.0]), cfg=cfg)
    rows = e.recorder.rows
    rows[:, ROW["admissions"]] = 10
    rows[:, ROW["wait_steps"]] = 1
    rows[50:70, ROW["wait_steps"]] = 10
    e.recorder.steps_recorded = 100
    assert recovery_days(e) == 17.0
    rows[70:, ROW["wait_steps"]] = 10  # never recovers
    assert math.isnan(recovery_days(e))
    e.config.demand.shocks = []
    assert math.isnan(recovery_days(e))


def test_t_quantiles_match_scipy():
    from scipy import stats

    for df in (1, 2, 5, 9, 19, 29, 30, 31, 50, 100, 1000):
        assert t975(df) == pytest.approx(stats.t.ppf(0.975, df), abs=1e-4)


def test_intervals_of_known_samples():
    iv = mean_interval(np.array([1.0, 2.0, 3.0, 4.0]))
    assert iv.mean == 2.5 and iv.se == pytest.approx(math.sqrt(5 / 3) / 2)
    assert iv.low == pytest.approx(2.5 - 3.1824 * iv.se)
    d = paired_difference(np.array([3.0, 5.0]), np.array([1.0, 2.0]))
    assert d.mean == 2.5 and d.n == 2
    assert math.isnan(mean_interval(np.array([1.0])).se)


def test_replication_seeds_start_at_the_run_seed():
    assert replication_seeds(7, 3) == [7, 8, 9]


def test_with_setting_validates_and_copies():
    cfg = collabsim.load_config([])
    assert with_setting(cfg, "trust.initial", 0.3).trust.initial == 0.3
    assert cfg.trust.initial is None
    with pytest.raises(collabsim.ConfigError, match="trust.initial"):
        with_setting(cfg, "trust.initial", 1.5)
    with pytest.raises(collabsim.ConfigError, match="unknown setting"):
        with_setting(cfg, "trust.nonsense", 1)


def test_the_trust_dividend_is_positive_where_trust_speeds_aid_and_zero_without_aid():
    """trust_gated with a 3-day arrangement delay at no trust and no drift: trust 1
    against 0 shortens waits (the earlier paired test measured -0.17 days, SE 0.025),
    so the 95 % interval of the dividend lies above 0. Under ``none`` trust changes
    nothing, and with common random numbers the dividend is exactly 0."""
    base = ["sim.days=365", "demand.scale=1.03", "aid.delay_days=3", "trust.drift_per_day=0"]
    cfg = collabsim.load_config([*base, "policy=trust_gated"])
    d = trust_dividend(cfg, low=0.0, high=1.0, replications=6)
    wait = d["dividend"]["mean_wait_days"]
    assert wait["n"] == 6 and wait["low"] > 0, wait
    assert d["dividend"]["transfers"]["high"] < 0  # trusted partners are offered more help
    assert d["at_low"]["mean_wait_days"]["mean"] > d["at_high"]["mean_wait_days"]["mean"]
    none = trust_dividend(collabsim.load_config([*base, "policy=none"]), 0.0, 1.0, 3)
    assert none["dividend"]["mean_wait_days"]["mean"] == 0.0
    assert none["dividend"]["mean_wait_days"]["se"] == 0.0
    with pytest.raises(collabsim.ConfigError, match="at least 2"):
        trust_dividend(cfg, replications=1)


def test_summary_reports_the_behaviour_measures():
    cfg = collabsim.load_config([
        "sim.days=120", "sim.warmup_days=20", "policy=trust_gated", "aid.kinds=both",
        "demand.scale=1.05", "scenario=covid_surge", "mandate.start_day=40",
        "demand.shocks.0.start_day=40",
    ])  # fmt: skip
    result = collabsim.simulate(cfg)
    s = result.summary
    assert s["scenario"] == "covid_surge" and s["culture"] == "learning"
    assert s["transfers"] > 0 and s["loans"] > 0 and s["loan_bed_days"] >= s["loans"]
    assert s["aid_minutes_mean"] > 0 and 0 <= s["wait_gini_providers"] <= 1
    assert 0 <= s["trust_sd"] <= 0.5 and 0 <= s["mean_trust"] <= 1
    assert {"trust_sd", "loans_out", "lent", "asked"} <= set(result.series.columns)
    regions = result.model.regions_frame()
    assert regions["admissions"].sum() == result.model.providers_frame()["admissions"].sum()
