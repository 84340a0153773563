"""Waits in hours, counted like the published NHS figures (issue 9): every measure checked
against an independent computation on a small run stepped phase by phase, where the
queue is read directly around admission instead of through the recorder."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

import collabsim
from collabsim.core.metrics import MEASURE, daily_peaks
from collabsim.core.periods import QUARTER_DAYS, Quarters, day_of_step_end, midnights
from collabsim.core.state import ACUTE
from collabsim.model import CollabModel

HOUR = repr(1 / 24)
# Three acute trusts and two step-down partners under pressure, hourly, patients lost
# after a day (past 12 hours), transfers between trusts, a quarter ending on day 10.
HOURLY = ["network=small", f"sim.step_days={HOUR}", "sim.days=30", "sim.warmup_days=4",
          "sim.max_wait_days=1", "demand.scale=1.12", "policy=ics_pool",
          "demand.start_day_of_year=83"]  # fmt: skip
FY_QUARTER = {1: "Q4", 2: "Q4", 3: "Q4", 4: "Q1", 5: "Q1", 6: "Q1", 7: "Q2", 8: "Q2", 9: "Q2",
              10: "Q3", 11: "Q3", 12: "Q3"}  # fmt: skip


@dataclass
class Seen:
    """What the queue and beds showed, step by step, read from the state directly."""

    took: list[np.ndarray] = field(default_factory=list)  # per step: admissions [age, provider]
    lost: list[np.ndarray] = field(default_factory=list)  # per step: lost per provider
    occupied: list[np.ndarray] = field(default_factory=list)  # per step, end of step
    capacity: list[np.ndarray] = field(default_factory=list)


def watched(overrides: list[str], seed: int = 3) -> tuple[CollabModel, Seen]:
    """A run stepped phase by phase: admissions by age and provider as the difference of
    the queue around ``admit``, the patients lost as the oldest row before ``arrive``
    (the queue's columns are bed pools, summed here to their providers)."""
    model = CollabModel(collabsim.load_config([*overrides, f"seed={seed}"]))
    model.reset(seed)
    e, seen = model.engine, Seen()
    first = e.pools.first[:-1]
    for _ in range(e.steps):
        for phase in e.phases:
            if phase.name == "arrive":
                seen.lost.append(np.add.reduceat(e.queue_by_age()[-1], first))
            if phase.name == "admit":
                before = e.queue_by_age()[:-1]
            phase()
            if phase.name == "admit":
                took = before - e.queue_by_age()[:-1]
                seen.took.append(np.add.reduceat(took, first, axis=1))
        seen.occupied.append(e.state.occupied.copy())
        seen.capacity.append(e.state.capacity.copy())
        e.t += 1
    return model, seen


def quarter_of(model: CollabModel, t: int) -> str:
    """The financial quarter step ``t`` starts in, from the calendar (not collabsim)."""
    cfg = model.config
    start = dt.datetime(2023, 1, 1) + dt.timedelta(days=cfg.demand.start_day_of_year - 1)
    return FY_QUARTER[(start + dt.timedelta(days=t * cfg.sim.step_days)).month]


# The same with acute beds split into wards (outliers between them), booked patients and
# escalation beds: the acute queue's columns are then wards, and capacity changes.
WARDS = ["wards.beds=40", "wards.reserve=0.1", "demand.elective_share=0.2",
         "escalation.beds=0.03", "escalation.trigger=0.01"]  # fmt: skip


# One pool per provider; acute providers split into wards; a mental-health partner added.
SYSTEMS = {
    "providers": [],
    "wards": WARDS,
    "mental health": ["network.partners=[community,social_care,mental_health]"],
}


@pytest.fixture(scope="module", params=list(SYSTEMS))
def hourly(request) -> tuple[CollabModel, Seen]:
    return watched([*HOURLY, *SYSTEMS[request.param]])


def expected(model: CollabModel, seen: Seen, columns: np.ndarray | None = None,
             steps: slice | None = None) -> dict[str, float]:  # fmt: skip
    """The measures from what was seen, for the providers ``columns`` (default: acute)
    over the steps ``steps`` (default: after the warm-up)."""
    e = model.engine
    cols = np.flatnonzero(e.providers.kind == ACUTE) if columns is None else columns
    steps = steps or slice(e.warmup_steps, e.steps)
    took = np.sum([t[:, cols].sum(axis=1) for t in seen.took[steps]], axis=0)
    lost = sum(int(x[cols].sum()) for x in seen.lost[steps])
    dt_ = e.step_days
    hours = np.arange(took.size) * dt_ * 24
    waited = np.repeat(np.arange(took.size), took)  # one entry per admission
    max_wait_hours = e.max_wait_steps * dt_ * 24
    over = {h: int(took[hours >= h - 1e-9].sum()) + (lost if max_wait_hours >= h - 1e-9 else 0)
            for h in (4, 12)}  # fmt: skip
    n = len(seen.took[steps])
    capacity = np.array([c[cols].sum() for c in seen.capacity[steps]])
    occupied = np.array([o[cols].sum() for o in seen.occupied[steps]])
    ends = (np.arange(e.steps)[steps] + 1) * dt_
    midnight = np.abs(ends - np.round(ends)) < 1e-9
    days = n * dt_
    return {
        "histogram": took,
        "admitted": int(took.sum()),
        "lost": lost,
        "mean_wait_hours": waited.mean() * dt_ * 24,
        "p95_wait_hours": waited[math.ceil(0.95 * waited.size) - 1] * dt_ * 24,
        "share_over_4h": over[4] / (waited.size + lost),
        "waits_12h": over[12],
        "waits_12h_per_quarter": over[12] * QUARTER_DAYS / days,
        "waits_12h_per_bed_quarter": over[12] * QUARTER_DAYS / days / capacity.mean(),
        "acute_beds": capacity.mean(),
        "midnight_occupancy": occupied[midnight].sum() / capacity[midnight].sum(),
        "occupancy": occupied / capacity,
    }


def test_the_acute_histogram_is_the_acute_admissions_by_hours_waited(hourly):
    """The acute histogram the admission phase keeps is exactly the acute queues'
    difference around admission, every measured step. It differs from the all-provider
    histogram, which also counts the step-down partners' own admissions."""
    model, seen = hourly
    rec = model.engine.recorder
    want = expected(model, seen)
    np.testing.assert_array_equal(rec.acute_histogram, want["histogram"])
    assert want["lost"] > 0 and want["histogram"][12:].sum() > 0  # the test sees long waits
    everyone = expected(model, seen, np.arange(model.engine.providers.n))["histogram"]
    np.testing.assert_array_equal(rec.wait_histogram, everyone)
    assert rec.wait_histogram.sum() > rec.acute_histogram.sum()


@pytest.mark.parametrize(
    "name",
    ["mean_wait_hours", "p95_wait_hours", "share_over_4h", "waits_12h", "waits_12h_per_quarter",
     "waits_12h_per_bed_quarter", "acute_beds", "midnight_occupancy"],
)  # fmt: skip
def test_each_measure_in_hours_matches_its_independent_computation(hourly, name):
    model, seen = hourly
    assert model.summary[name] == pytest.approx(expected(model, seen)[name], rel=1e-12), name


def test_lost_patients_count_past_4_hours_but_not_12_when_they_leave_at_8(hourly):
    """Lost patients all waited the maximum wait: 8 hours here, so they are 4-hour waits
    and not 12-hour ones."""
    model, seen = watched([*HOURLY, "sim.max_wait_days=0.33", "demand.scale=1.2"])
    want, s = expected(model, seen), model.summary
    assert want["lost"] > 0 and model.engine.max_wait_steps == 8
    assert s["waits_12h"] == want["waits_12h"] == 0
    assert s["share_over_4h"] == pytest.approx(want["share_over_4h"], rel=1e-12)
    assert want["share_over_4h"] * (want["admitted"] + want["lost"]) >= want["lost"]


def test_peak_occupancy_is_the_mean_of_each_days_highest_hour(hourly):
    model, seen = hourly
    occupancy = expected(model, seen)["occupancy"].reshape(-1, 24)  # whole days, hourly
    assert model.summary["peak_occupancy"] == pytest.approx(occupancy.max(axis=1).mean(), 1e-12)
    assert model.summary["peak_occupancy"] > model.summary["midnight_occupancy"]


def test_at_daily_steps_midnight_is_every_step_and_the_peak_is_the_midnight_occupancy():
    model, seen = watched(["network=small", "sim.days=120", "sim.warmup_days=20",
                           "demand.scale=1.1"])  # fmt: skip
    want, s = expected(model, seen), model.summary
    assert s["midnight_occupancy"] == pytest.approx(want["midnight_occupancy"], rel=1e-12)
    assert s["peak_occupancy"] == pytest.approx(s["midnight_occupancy"], rel=1e-12)
    assert model.engine.recorder.nights == 100


def test_providers_table_has_each_providers_measures_in_hours(hourly):
    model, seen = hourly
    frame = model.providers_frame()
    e = model.engine
    steps = slice(e.warmup_steps, e.steps)
    for i in range(e.providers.n):
        want = expected(model, seen, np.array([i]))
        row = frame.iloc[i]
        assert row["waits_12h"] == want["waits_12h"]
        assert row["mean_wait_hours"] == pytest.approx(want["mean_wait_hours"], rel=1e-12)
        assert row["share_over_4h"] == pytest.approx(want["share_over_4h"], rel=1e-12)
        assert row["midnight_occupancy"] == pytest.approx(want["midnight_occupancy"], rel=1e-12)
        beds = np.mean([c[i] for c in seen.capacity[steps]])
        assert row["waits_12h_per_bed_quarter"] == pytest.approx(
            want["waits_12h"] / beds * QUARTER_DAYS / (len(seen.took[steps]) * e.step_days),
            rel=1e-12)  # fmt: skip
    acute = frame["kind"] == "acute"
    assert frame.loc[acute, "waits_12h"].sum() == model.summary["waits_12h"]


def test_quarters_split_where_the_calendar_does_nationally_and_per_provider(hourly):
    """Start on 24 March, measure from day 4: 28 March to 31 March is Q4 of one
    financial year, 1 April on Q1 of the next. Each part's figures match those seen
    in its steps, for all acute trusts together and for each provider."""
    model, seen = hourly
    e = model.engine
    q = model.quarters_frame()
    labels = [quarter_of(model, t) for t in range(e.steps)]
    first_q1 = labels.index("Q1")
    assert first_q1 == 8 * 24  # 1 April 00:00
    national = q[q["scope"] == "national"].reset_index(drop=True)
    assert national["quarter"].tolist() == ["Q4", "Q1"]
    assert national["year"].tolist() == [0, 1] and not national["complete"].any()
    parts = [slice(e.warmup_steps, first_q1), slice(first_q1, e.steps)]
    for k, steps in enumerate(parts):
        want = expected(model, seen, steps=steps)
        row = national.iloc[k]
        assert row["days"] == pytest.approx((steps.stop - steps.start) / 24)
        assert row["waits_12h"] == want["waits_12h"]
        assert row["admissions"] == want["admitted"]
        assert row["beds"] == pytest.approx(want["acute_beds"], rel=1e-12)
        assert row["midnight_occupancy"] == pytest.approx(want["midnight_occupancy"], 1e-12)
        assert row["waits_12h_per_bed"] == pytest.approx(want["waits_12h"] / want["acute_beds"])
        assert row["mean_wait_hours"] == pytest.approx(want["mean_wait_hours"], rel=1e-12)
        per = q[(q["scope"] == "provider") & (q["quarter"] == row["quarter"])]
        assert len(per) == e.providers.n
        for i in range(e.providers.n):
            mine = expected(model, seen, np.array([i]), steps)
            assert per.iloc[i]["waits_12h"] == mine["waits_12h"]
            assert per.iloc[i]["midnight_occupancy"] == pytest.approx(
                mine["midnight_occupancy"], rel=1e-12)  # fmt: skip
    assert national["waits_12h"].sum() == model.summary["waits_12h"]


def test_financial_quarters_of_a_year_from_1_april_and_from_1_january():
    days = [(p.quarter, p.end - p.first, p.complete) for p in Quarters(91, 1.0).split(0, 365)]
    assert days == [("Q1", 91, True), ("Q2", 92, True), ("Q3", 92, True), ("Q4", 90, True)]
    parts = Quarters(1, 1 / 24).split(90 * 24, 455 * 24)  # a warm-up of January-March
    assert [(p.quarter, p.year, p.complete) for p in parts] == [
        ("Q1", 1, True), ("Q2", 1, True), ("Q3", 1, True), ("Q4", 1, True)]  # fmt: skip
    assert [p.end - p.first for p in parts] == [91 * 24, 92 * 24, 92 * 24, 90 * 24]
    assert Quarters(91, 1.0).last_steps(0, 400).tolist() == [90, 182, 274, 364]
    partial = Quarters(91, 1.0).split(60, 100)
    assert [(p.quarter, p.complete) for p in partial] == [("Q1", False), ("Q2", False)]


def test_midnights_and_days_at_several_step_lengths():
    assert np.flatnonzero(midnights(1 / 24, 0, 72)).tolist() == [23, 47, 71]
    assert midnights(0.5, 0, 4).tolist() == [False, True, False, True]
    assert midnights(1.0, 0, 3).all() and midnights(7.0, 0, 3).all()
    assert day_of_step_end(1 / 24, 0, 49).tolist() == [0] * 24 + [1] * 24 + [2]
    occupied, capacity = np.array([5, 9, 7, 6, 8, 1]), np.full(6, 10)
    # half-day steps 1..6: step 1 closes a day begun in the warm-up (left out), steps 2-3
    # and 4-5 are whole days, step 6 is a day the series cuts (left out)
    assert daily_peaks(occupied, capacity, 0.5, 1).tolist() == [0.9, 0.8]


def test_stepping_past_the_end_keeps_recording_acute_rows_and_quarters():
    cfg = collabsim.load_config(["network=small", "sim.days=60", "sim.warmup_days=10",
                                 "demand.start_day_of_year=60"])  # fmt: skip
    model = CollabModel(cfg)
    model.run()
    model.run(40)  # past the configured end: the recorder grows
    e = model.engine
    assert e.recorder.steps_recorded == 100
    q = model.quarters_frame()
    national = q[q["scope"] == "national"]
    assert national["quarter"].tolist() == ["Q4", "Q1"] and national["days"].sum() == 90
    assert national["waits_12h"].sum() == model.summary["waits_12h"]
    series = model.series
    assert len(series) == 100 and (series["acute_capacity"] > 0).all()
    by_provider = q[q["scope"] == "provider"].groupby("id")["admissions"].sum()
    frame = model.providers_frame().set_index("id")
    pd.testing.assert_series_equal(by_provider.sort_index(),
                                   frame["admissions"].sort_index(), check_names=False)  # fmt: skip


def test_the_series_has_the_acute_wait_in_hours_and_acute_occupancy(hourly):
    model, seen = hourly
    s = model.series
    e = model.engine
    acute = e.providers.kind == ACUTE
    t = e.warmup_steps + 100
    took = seen.took[t][:, acute].sum(axis=1)
    want = (took * np.arange(took.size)).sum() / took.sum() * e.step_days * 24
    if took.sum():
        assert s["mean_wait_hours"].iloc[t] == pytest.approx(want)
    occ = seen.occupied[t][acute].sum() / seen.capacity[t][acute].sum()
    assert s["acute_occupancy"].iloc[t] == pytest.approx(occ)
    assert "mean_wait_days" in s and s["midnight"].sum() == 30


def test_job_writes_quarters_and_the_report_shows_waits_in_hours(tmp_path):
    from collabsim.job import run_replications
    from collabsim.report import make_report
    from collabsim.results import write_job

    cfg = collabsim.load_config(["network=small", "sim.days=120", "sim.warmup_days=20",
                                 "demand.scale=1.1", "output.figures=false"])  # fmt: skip
    result = run_replications(cfg, 2)
    paths = write_job(result, tmp_path)
    q = pd.read_parquet(paths["quarters"])
    assert (q.groupby("replication")["scope"].apply(lambda s: (s == "national").sum()) == 2).all()
    national = q[(q["scope"] == "national")].groupby("replication")["waits_12h"].sum()
    assert national.tolist() == result.rows["waits_12h"].tolist()
    providers = pd.read_parquet(paths["providers"])
    assert {"waits_12h", "mean_wait_hours", "midnight_occupancy"} <= set(providers.columns)
    page = make_report(tmp_path).read_text()
    for m in ("mean_wait_hours", "waits_12h_per_quarter", "waits_12h_per_bed_quarter"):
        assert MEASURE[m].report.label in page


def test_the_report_escapes_every_swept_value_it_writes(tmp_path, monkeypatch):
    """A swept value is user input: in the trust-dividend table it must be text, never
    markup (issue 14). The page section is parsed, and no script element may appear."""
    from html.parser import HTMLParser

    import pandas as pd

    from collabsim.report import analysis, figures, page
    from collabsim.stats import Interval

    evil = "<script>alert(4)</script>"
    iv = Interval(0.01, 0.005, -0.01, 0.03, 10)
    table = pd.DataFrame([{"what_if": evil, "low": evil, "high": 0.8, "wait": iv, "cost": iv}])
    monkeypatch.setattr(analysis, "trust_dividends", lambda runs, keys: (table, evil))
    monkeypatch.setattr(figures, "dividend_chart", lambda table, key, path: "")
    section = page.dividend_section(pd.DataFrame(), [], tmp_path)

    class Tags(HTMLParser):
        seen: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.seen.append(tag)

    parser = Tags()
    parser.feed(section)
    assert "script" not in parser.seen and "&lt;script&gt;" in section
