"""Run measures: the one list of them and the faces that read it, inequality, recovery
after a shock, the rolling wait, intervals and the trust dividend."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import collabsim
from collabsim.core.metrics import MEASURE, MEASURES, Line, gini, recovery_days, rolling_wait_days
from collabsim.core.phases import ROW
from collabsim.dividend import replication_seeds, trust_dividend, with_setting
from collabsim.stats import mean_interval, paired_difference, t975
from tests.helpers import config, engine, providers


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
        assert t975(df) == pytest.approx(stats.t.ppf(0.975, df), rel=1e-9)


def test_intervals_of_known_samples():
    iv = mean_interval(np.array([1.0, 2.0, 3.0, 4.0]))
    assert iv.mean == 2.5 and iv.se == pytest.approx(math.sqrt(5 / 3) / 2)
    assert iv.low == pytest.approx(2.5 - 3.182446305284263 * iv.se)  # t(0.975, 3)
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
    against 0 shortens waits (over these 20 paired seeds: 0.094 days, SE 0.021; with
    remainders shared fairly the effect is about half what it was when the last partner
    got every remainder), so the 95 % interval of the dividend lies above 0. Under
    ``none`` trust changes nothing, and with common random numbers the dividend is
    exactly 0."""
    base = ["sim.days=365", "demand.scale=1.03", "aid.delay_days=3", "trust.drift_per_day=0"]
    cfg = collabsim.load_config([*base, "policy=trust_gated"])
    d = trust_dividend(cfg, low=0.0, high=1.0, replications=20)
    wait = d["dividend"]["mean_wait_days"]
    assert wait["n"] == 20 and wait["low"] > 0, wait
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


# ---- the one list of measures -------------------------------------------------------


def _template_names(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def test_every_measure_is_named_once_and_every_face_names_only_measures_of_the_list():
    from collabsim import job
    from collabsim.dividend import DIVIDEND_MEASURES
    from collabsim.report.analysis import REPORTED

    names = [m.name for m in MEASURES]
    assert len(names) == len(set(names)) and set(MEASURE) == set(names)
    stored = {m.name for m in MEASURES if m.in_summary}
    for m in MEASURES:
        assert m.label and m.unit and m.fmt, m.name
        assert bool(m.parts) != m.in_summary, f"{m.name}: computed, or a sum of parts"
        assert set(m.parts) <= stored, m.name
        if isinstance(m.cli, Line):
            assert m.name in _template_names(m.cli.text), m.name
            assert set(_template_names(m.cli.text)) <= stored, m.name
    assert set(job.HEADLINE) <= stored and "mean_wait_days" in job.HEADLINE
    assert set(DIVIDEND_MEASURES) <= stored and "mean_wait_days" in DIVIDEND_MEASURES
    assert {m.name for m in REPORTED} <= set(names) and all(m.report for m in REPORTED)


def test_the_summary_holds_exactly_the_stored_measures_in_the_lists_order():
    cfg = collabsim.load_config(["sim.days=60", "sim.warmup_days=10", "policy=trust_gated"])
    model = collabsim.CollabModel(cfg)
    model.run()
    identity = model.identity()
    measures = [k for k in model.summary if k not in identity]
    assert measures == [m.name for m in MEASURES if m.in_summary]
    assert not set(identity) & set(MEASURE)  # a measure is never mistaken for identity


def test_the_cli_summary_shows_every_measure_marked_for_it_in_its_format():
    from collabsim.cli import format_summary

    cfg = collabsim.load_config(["sim.days=60", "sim.warmup_days=10", "policy=trust_gated",
                                 "aid.kinds=both", "demand.scale=1.08"])  # fmt: skip
    summary = collabsim.simulate(cfg).summary
    lines = format_summary(summary).splitlines()
    shown = dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in lines)
    for m in MEASURES:
        if m.cli is True:
            assert shown[m.label] == m.text(summary[m.name]), m.name
        elif isinstance(m.cli, Line):
            parts = [MEASURE[n].text(summary[n]) for n in _template_names(m.cli.text)]
            assert all(p in shown[m.cli.label] for p in parts), m.name
    assert shown["admitted / still waiting / lost"] == (
        f"{summary['admissions']:,} / {summary['waiting_end']:,} / {summary['lost']:,}"
    )
    assert shown["mean wait for a bed (all providers)"] == f"{summary['mean_wait_days']:.3f} days"
    assert shown["wait for an acute bed: mean / 95th percentile"] == (
        f"{summary['mean_wait_hours']:.2f} h / {summary['p95_wait_hours']:.1f} h"
    )
    assert MEASURE["recovery_days"].text(math.nan) == "n/a"
    assert MEASURE["aid_cost"].text(None) == "n/a"


def test_the_job_summary_means_every_stored_measure_and_intervals_the_headline_ones():
    from collabsim.job import HEADLINE, run_replications

    cfg = collabsim.load_config(["sim.days=40", "sim.warmup_days=10", "policy=trust_gated"])
    result = run_replications(cfg, 3)
    for m in MEASURES:
        if m.in_summary and m.name != "recovery_days":  # NaN without a shock
            want = result.rows[m.name].astype(float).mean()
            assert result.summary[m.name] == pytest.approx(want), m.name
    assert list(result.summary["ci95"]) == list(HEADLINE)
    assert result.summary["ci95"]["mean_wait_days"]["n"] == 3


def test_rolling_wait_matches_a_rolling_sum_of_waits_over_admissions():
    """The 7-day mean wait is a week's waits over a week's admissions (fewer steps at
    the start, NaN where nobody was admitted), as pandas' rolling sums give it."""
    import pandas as pd

    rng = np.random.default_rng(3)
    admissions = rng.integers(0, 4, 60)
    admissions[20:30] = 0
    waits = rng.integers(0, 5, 60) * admissions
    for step_days in (1.0, 0.5, 0.25):
        week = max(1, round(7 / step_days))
        waited = pd.Series(waits).rolling(week, min_periods=1).sum()
        admitted = pd.Series(admissions).rolling(week, min_periods=1).sum()
        want = (waited / admitted.where(admitted > 0) * step_days).to_numpy()
        got = rolling_wait_days(waits, admissions, step_days)
        np.testing.assert_array_equal(got, want)
    assert np.isnan(rolling_wait_days(np.zeros(3, int), np.zeros(3, int), 1.0)).all()


def test_trust_ends_put_the_low_trust_value_first():
    from collabsim.dividend import trust_ends

    assert trust_ends("trust.initial", [0.8, 0.2, 0.5]) == (0.2, 0.8)
    assert trust_ends("culture.name", ["learning", "blame"]) == ("blame", "learning")
    assert trust_ends("culture.harm_loss", [0.05, 0.2]) == (0.2, 0.05)  # more loss, less trust


def test_dividend_of_paired_runs_is_low_minus_high():
    from collabsim.dividend import dividend_of

    low = {"mean_wait_days": np.array([0.5, 0.7, 0.6])}
    high = {"mean_wait_days": np.array([0.2, 0.3, 0.4])}
    d = dividend_of(low, high, ["mean_wait_days"])
    assert d["dividend"]["mean_wait_days"].mean == pytest.approx(0.3)
    assert d["at_low"]["mean_wait_days"].mean == pytest.approx(0.6)
    assert d["at_high"]["mean_wait_days"].n == 3


def test_report_time_axes_are_calendar_months() -> None:
    """Day 0 is 1 April (``demand.start_day_of_year`` 91): May begins on day 30, June on
    day 61; a run of ten years keeps its month names readable."""
    from collabsim.report.figures import month_ticks

    days, names = month_ticks(0, 120, 91)
    assert list(zip(days, names, strict=True)) == [(0, "Apr"), (30, "May"), (61, "Jun"),
                                                   (91, "Jul")]  # fmt: skip
    assert month_ticks(0, 400, 1)[1][:2] == ["Jan", "Feb"]
    assert month_ticks(0, 400, 1)[0][12] == 365  # the next January
    assert len(month_ticks(0, 3650, 91)[0]) <= 20
