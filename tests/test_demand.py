"""Demand: weekly pattern kept at any step length, seasonality, shocks."""

from __future__ import annotations

import numpy as np
import pytest

from collabsim import ConfigError
from collabsim.core.calendar import Daily, Rhythm, Weekly
from collabsim.core.clock import Clock
from collabsim.core.demand import Demand
from tests.helpers import config, providers


@pytest.mark.parametrize("step_days", [0.25, 0.5, 1.0, 2.0, 3.5, 7.0, 0.3, 1.7])
def test_weekly_pattern_keeps_the_weekly_mean_at_any_step(step_days):
    """Over a long span the mean factor is 1 (the pattern's mean), whatever the step,
    including steps that do not divide a day or a week."""
    pattern = [1.3, 1.1, 1.0, 1.0, 1.0, 0.7, 0.9]
    weekly = Weekly(pattern, step_days)
    steps = int(round(700 / step_days))  # 100 weeks
    f = weekly.factors(0, steps)
    covered = steps * step_days
    assert abs(f.mean() * covered - covered) < 7 * step_days  # at most one partial week off
    if step_days == 7.0:
        np.testing.assert_allclose(f, 1.0)


def test_sub_daily_steps_take_their_days_factor():
    weekly = Weekly([1, 1, 1, 1, 1, 0.5, 0.5], 0.5)
    f = weekly.factors(0, 14)  # Monday..Sunday, two steps a day
    expected = np.repeat(np.array([1, 1, 1, 1, 1, 0.5, 0.5]) / (6 / 7), 2)
    np.testing.assert_allclose(f, expected)
    assert weekly.factor(10) == pytest.approx(f[10])  # the cached path agrees


def test_shock_multiplies_demand_in_its_window_only():
    prov = providers([100, 100], [10.0, 20.0], [5.0, 5.0], regions=[0, 1])
    cfg = config(demand={"winter_amplitude": 0.0, "weekly": [1.0] * 7,
                         "shocks": [{"start_day": 10, "days": 5, "multiplier": 2.0,
                                     "regions": ["R1"]}]})  # fmt: skip
    d = Demand(prov, cfg.demand, Clock(1.0))
    mean = d.mean(0, 20)
    np.testing.assert_allclose(mean[:, 0], 10.0)
    np.testing.assert_allclose(mean[10:15, 1], 40.0)
    np.testing.assert_allclose(np.delete(mean[:, 1], range(10, 15)), 20.0)


def test_shock_naming_an_unknown_region_is_a_config_error():
    prov = providers([100], [10.0], [5.0])
    cfg = config(demand={"shocks": [{"regions": ["Atlantis"]}]})
    with pytest.raises(ConfigError, match="unknown region 'Atlantis'"):
        Demand(prov, cfg.demand, Clock(1.0))


def test_winter_peak_is_higher_than_summer():
    prov = providers([100], [10.0], [5.0])
    cfg = config(demand={"weekly": [1.0] * 7, "winter_amplitude": 0.1, "winter_peak_day": 15,
                         "start_day_of_year": 0})  # fmt: skip
    d = Demand(prov, cfg.demand, Clock(1.0))
    assert d.factor(15) == pytest.approx(1.1, abs=1e-3)
    assert d.factor(197) == pytest.approx(0.9, abs=1e-3)


HOURS = [0.3] * 7 + [1.0] * 5 + [2.0] * 6 + [0.5] * 6  # 24 factors from 00:00


@pytest.mark.parametrize("step_days", [1 / 24, 0.25, 0.5, 1.0, 3.0])
def test_hour_of_day_pattern_keeps_the_daily_mean_and_vanishes_at_whole_days(step_days):
    daily = Daily(HOURS, step_days)
    f = daily.factors(0, int(round(10 / step_days)))  # ten days
    assert f.mean() == pytest.approx(1.0, rel=1e-12)
    if step_days >= 1.0:
        np.testing.assert_allclose(f, 1.0, rtol=1e-12)
    if step_days == 1 / 24:  # hourly steps take their hour's factor
        np.testing.assert_allclose(f[:24], np.array(HOURS) / np.mean(HOURS))


def test_without_an_hourly_pattern_the_rhythm_is_the_weekly_one_exactly():
    weekly = [1.3, 1.1, 1.0, 1.0, 1.0, 0.7, 0.9]
    plain, rhythm = Weekly(weekly, 0.25), Rhythm(weekly, [], 0.25)
    assert [rhythm.factor(t) for t in range(60)] == [plain.factor(t) for t in range(60)]
    both = Rhythm(weekly, HOURS, 0.25)
    assert both.factor(2) == pytest.approx(plain.factor(2) * Daily(HOURS, 0.25).factor(2))


def test_hourly_arrivals_and_discharges_follow_their_patterns():
    """One provider at hourly steps: the share of arrivals and of discharges in the
    afternoon (12:00-18:00, factor 2 of mean 1) is 12/24 x 2 / mean = 0.5 of the day's,
    within four binomial standard errors."""
    from tests.helpers import engine

    hourly = {"sim": {"days": 60, "warmup_days": 1, "step_days": 1 / 24},
              "demand": {"weekly": [1.0] * 7, "winter_amplitude": 0.0, "hourly": HOURS},
              "discharge": {"weekend_factor": 1.0, "hourly": HOURS}}  # fmt: skip
    e = engine(providers([2000], [200.0], [5.0]), cfg=config(**hourly))
    e.run()
    from collabsim.core.phases import ROW

    rows = e.recorder.rows
    hour = np.arange(rows.shape[0]) % 24
    afternoon = (hour >= 12) & (hour < 18)
    expected = 6 * 2.0 / sum(HOURS)
    for name in ("arrivals", "discharges"):
        counts = rows[:, ROW[name]]
        share, n = counts[afternoon].sum() / counts.sum(), counts.sum()
        assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / n), name


def test_an_hourly_pattern_needs_24_positive_factors():
    with pytest.raises(ConfigError, match="demand.hourly: needs 24 factors"):
        config(demand={"hourly": [1.0] * 12})
    with pytest.raises(ConfigError, match="discharge.hourly: factors must be > 0"):
        config(discharge={"hourly": [0.0] * 24})
