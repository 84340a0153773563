"""Run measures computed from the recorder: the numbers in ``summary.json``.

``MEASURES`` is the one list of them. Each ``Measure`` names a number once, with the
function that computes it, the words a planner reads, its unit and format, and
where it appears: ``summarise`` (summary.json, runs.parquet), the CLI's summary, the
headline intervals of a job, the report's table and the trust dividend all read it.
Adding a measure is one entry here (and a test of its value).

Counts of patients (arrivals, admissions, lost, waiting at the end) cover the
whole run, so they balance exactly: arrivals = admissions + waiting_end + lost.
Waits, occupancy, delays and queue lengths are measured after the warm-up.
Waits are those of admitted patients; breaches and harm also count the patients
lost from the queue, who all waited at least the maximum wait (in whole steps).

The measures in hours are counted like the published NHS figures: at acute providers
only (the published figures count acute trusts' emergency admissions, not step-down
or mental-health beds), 12-hour and 4-hour waits from the decision to admit (arrival
here) to a bed, lost patients counted as past a threshold when the maximum wait
reaches it, and occupancy at midnight like KH03. ``quarter_columns`` gives the same
by financial quarter, nationally and per provider (``quarters.parquet``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from collabsim.core.clock import Clock
from collabsim.core.periods import QUARTER_DAYS, Quarters, day_of_step_end
from collabsim.core.phases import ROW
from collabsim.core.record import ACUTE_ROW
from collabsim.core.state import ACUTE, KINDS

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


def wait_percentile(histogram: np.ndarray, q: float, step_days: float) -> float:
    """The q-quantile (0-1) of waits from a histogram of admissions by steps waited."""
    total = histogram.sum()
    if total == 0:
        return float("nan")
    idx = int(np.searchsorted(np.cumsum(histogram), q * total, side="left"))
    return idx * step_days


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0: all equal; towards 1: one has it all)."""
    x = np.sort(np.asarray(values, dtype=float))
    x = x[np.isfinite(x)]
    n, total = x.size, x.sum() if x.size else 0.0
    if n == 0 or total <= 0:
        return 0.0 if n else float("nan")
    return float(((2 * np.arange(1, n + 1) - n - 1) * x).sum() / (n * total))


def waits_by(engine: Engine, group: np.ndarray, groups: int) -> np.ndarray:
    """Mean wait (days) of patients admitted after the warm-up, per group of providers
    (NaN for a group that admitted nobody)."""
    totals = engine.recorder.provider_totals
    admitted = np.bincount(group, totals[ROW["admissions"]], minlength=groups)
    steps = np.bincount(group, totals[ROW["wait_steps"]], minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(admitted > 0, steps / admitted, np.nan) * engine.step_days


def rolling_wait_days(
    wait_steps: np.ndarray, admissions: np.ndarray, step_days: float, window_days: float = 7.0
) -> np.ndarray:
    """Mean wait (days) of the patients admitted in the ``window_days`` up to each step
    (fewer at the start; NaN where nobody was admitted): the wait a week's admissions
    saw, steadier than one step's. Counts are summed exactly (whole numbers)."""
    window = max(1, Clock(step_days).steps(window_days))
    waited = _trailing_sums(np.asarray(wait_steps), window)
    admitted = _trailing_sums(np.asarray(admissions), window)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(admitted > 0, waited / admitted, np.nan) * step_days


def _trailing_sums(values: np.ndarray, window: int) -> np.ndarray:
    """Sums of the last ``window`` values up to each position, as floats."""
    cum = np.concatenate((np.zeros(1, dtype=values.dtype), np.cumsum(values)))
    start = np.maximum(np.arange(1, values.size + 1) - window, 0)
    return (cum[1:] - cum[start]).astype(float)


def recovery_days(engine: Engine, window_days: float = 7.0, before_days: float = 28.0) -> float:
    """Days after the first demand shock ends until the system's mean wait over the last
    ``window_days`` is back within 10 % (at least 0.01 days) of its level over the
    ``before_days`` before the shock. NaN without a shock, or if it never recovers."""
    shocks = sorted(engine.config.demand.shocks, key=lambda s: s.start_day)
    rec, clock = engine.recorder, Clock(engine.step_days)
    n = rec.steps_recorded
    if not shocks or n == 0:
        return float("nan")
    start, end = clock.window(shocks[0].start_day, shocks[0].days)
    first = max(0, start - clock.steps(before_days))
    rows = rec.rows[:n]
    adm, wait = rows[:, ROW["admissions"]], rows[:, ROW["wait_steps"]]
    if start <= first or end >= n or adm[first:start].sum() == 0:
        return float("nan")
    level = clock.days(wait[first:start].sum() / adm[first:start].sum())
    limit = max(1.1 * level, level + 0.01)
    w = max(1, clock.steps(window_days))
    weekly = rolling_wait_days(wait, adm, engine.step_days, window_days)
    for d in range(max(end, w - 1), n):  # full windows ending at step d
        if weekly[d] <= limit:
            return clock.days(d + 1 - end)
    return float("nan")


def series_columns(engine: Engine) -> dict[str, np.ndarray]:
    """Per-step system series (one entry per recorded step)."""
    rec = engine.recorder
    n = rec.steps_recorded
    rows = rec.rows[:n]
    out: dict[str, np.ndarray] = {
        "step": np.arange(n),
        "day": np.arange(n) * engine.step_days,
    }
    for name, i in ROW.items():
        out[name] = rows[:, i]
    adm = rows[:, ROW["admissions"]]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_wait_days"] = np.where(
            adm > 0, rows[:, ROW["wait_steps"]] / np.maximum(adm, 1) * engine.step_days, np.nan
        )
        out["occupancy"] = rows[:, ROW["occupied"]] / np.maximum(rows[:, ROW["capacity"]], 1)
    out["mean_trust"] = rec.mean_trust[:n]
    out["trust_sd"] = rec.trust_sd[:n]
    acute = rec.acute_rows[:n]
    for name, k in ACUTE_ROW.items():
        out[f"acute_{name}"] = acute[:, k]
    adm = acute[:, ACUTE_ROW["admissions"]]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_wait_hours"] = np.where(
            adm > 0,
            acute[:, ACUTE_ROW["wait_steps"]] / np.maximum(adm, 1) * engine.step_days * 24,
            np.nan,
        )
    out["acute_occupancy"] = _ratio(
        acute[:, ACUTE_ROW["occupied"]], acute[:, ACUTE_ROW["capacity"]]
    )
    out["midnight"] = rec.midnight[:n].copy()
    return out


OCCUPIED, CAPACITY = ACUTE_ROW["occupied"], ACUTE_ROW["capacity"]  # in the acute rows


def _as_state_rows(acute: np.ndarray) -> np.ndarray:
    """Acute sums (``ACUTE_ROWS``) as a one-provider column of state rows (zeros for the
    rows not summed), for the functions that read providers' totals."""
    out = np.zeros((len(ROW), 1), dtype=acute.dtype)
    for name, k in ACUTE_ROW.items():
        out[ROW[name], 0] = acute[k]
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` as floats, NaN where ``den`` is 0."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def lost_past(engine: Engine, hours: float) -> bool:
    """Whether patients lost from a queue count as having waited ``hours``: they all
    waited the maximum wait (whole steps), so all of them or none."""
    return engine.max_wait_steps * engine.step_days >= hours / 24 - 1e-9


def daily_peaks(
    occupied: np.ndarray, capacity: np.ndarray, step_days: float, first: int
) -> np.ndarray:
    """Each whole day's highest occupancy (at the ends of its steps), for the steps
    from ``first`` on (``occupied``, ``capacity``: per step from ``first``): a day is
    the steps up to and including the one ending at its midnight; days cut by
    ``first`` or by the end of the series are left out. At steps of a day or more,
    each step's own occupancy."""
    n = len(occupied)
    if n == 0:
        return np.zeros(0)
    day = day_of_step_end(step_days, first, first + n)
    starts = np.flatnonzero(np.concatenate(([True], day[1:] != day[:-1])))
    peaks = np.maximum.reduceat(_ratio(occupied, capacity), starts)
    keep = np.ones(len(starts), dtype=bool)
    if first > 0 and day_of_step_end(step_days, first - 1, first)[0] == day[0]:
        keep[0] = False  # the day began in the warm-up
    if day_of_step_end(step_days, first + n, first + n + 1)[0] == day[-1]:
        keep[-1] = False  # the day's midnight is after the last step
    return peaks[keep]


def provider_hours(
    engine: Engine, totals: np.ndarray, night: np.ndarray, steps: int
) -> dict[str, np.ndarray]:
    """Per provider, from its totals over ``steps`` measured steps (``totals``: rows x
    providers) and its midnight census (``night``: occupied, capacity): the measures in
    hours, counted as the published figures count them (see ``MEASURES``)."""
    days = steps * engine.step_days
    admitted, lost = totals[ROW["admissions"]], totals[ROW["lost"]]
    waits_12h = totals[ROW["over_12h"]] + (lost if lost_past(engine, 12) else 0)
    over_4h = totals[ROW["over_4h"]] + (lost if lost_past(engine, 4) else 0)
    beds = totals[ROW["capacity"]] / steps if steps else np.full(admitted.shape, np.nan)
    per_quarter = QUARTER_DAYS / days if days else math.nan
    return {
        "beds": beds,
        "waits_12h": waits_12h,
        "waits_12h_per_bed": _ratio(waits_12h, beds),
        "waits_12h_per_bed_quarter": _ratio(waits_12h, beds) * per_quarter,
        "mean_wait_hours": _ratio(totals[ROW["wait_steps"]], admitted) * engine.step_days * 24,
        "share_over_4h": _ratio(over_4h, admitted + lost),
        "midnight_occupancy": _ratio(night[0], night[1]),
    }


def quarter_columns(engine: Engine) -> dict[str, np.ndarray]:
    """The measured steps by financial quarter (``collabsim.core.periods``): one row per
    quarter for all acute providers together (``scope`` "national"), then one per
    provider and quarter (``scope`` "provider"), with the quarter's beds, admissions,
    12-hour waits, waits in hours and midnight occupancy. A quarter cut by the warm-up
    or by the end of the run is a part of one (``complete`` false) with the part's counts.

    National rows come from the per-step acute rows; provider rows from the recorder's
    snapshots of cumulative per-provider totals at the quarters' last steps."""
    rec, p = engine.recorder, engine.providers
    n, dt = rec.steps_recorded, engine.step_days
    parts = Quarters(engine.config.demand.start_day_of_year, dt).split(engine.warmup_steps, n)
    cut_at = {c.t: c for c in rec.cuts}
    before = (np.zeros_like(rec.provider_totals), np.zeros_like(rec.night))
    described = {
        "id": np.array(p.ids, dtype=object),
        "kind": np.array(KINDS, dtype=object)[p.kind],
        "region": np.array(p.region_names, dtype=object)[p.region],
    }
    national, providers = [], []
    for q in parts:
        steps = q.end - q.first
        common = {
            "year": q.year,
            "quarter": q.quarter,
            "first_day": q.first * dt,
            "days": steps * dt,
            "quarter_days": q.days,
            "complete": q.complete,
        }
        acute = rec.acute_rows[q.first : q.end]
        summed = _as_state_rows(acute.sum(axis=0))  # all acute providers as one
        census = acute[rec.midnight[q.first : q.end]][:, [OCCUPIED, CAPACITY]]
        peaks = daily_peaks(acute[:, OCCUPIED], acute[:, CAPACITY], dt, q.first)
        national.append(
            {"scope": "national", "id": "national", "kind": "acute", "region": ""}
            | common
            | _quarter_values(engine, summed, census.sum(axis=0)[:, None], steps)
            | {"peak_occupancy": peaks.mean() if peaks.size else math.nan}
        )
        cut = cut_at.get(q.end - 1)
        after = (rec.provider_totals, rec.night) if q.end == n else (cut.totals, cut.night)
        totals, night = after[0] - before[0], after[1] - before[1]
        before = after
        providers.append(
            {"scope": "provider"}
            | described
            | common
            | _quarter_values(engine, totals, night, steps)
            | {"peak_occupancy": math.nan}
        )
    out = {}
    for c in QUARTER_COLUMNS:
        pieces = [np.broadcast_to(np.asarray(r[c]), (1,)) for r in national]
        pieces += [np.broadcast_to(np.asarray(r[c]), (p.n,)) for r in providers]
        out[c] = np.concatenate(pieces) if pieces else np.zeros(0)
    return out


def _quarter_values(
    engine: Engine, totals: np.ndarray, night: np.ndarray, steps: int
) -> dict[str, Any]:
    """``provider_hours`` with the admissions and the mean delayed discharges."""
    return provider_hours(engine, totals, night, steps) | {
        "admissions": totals[ROW["admissions"]],
        "mean_delayed": totals[ROW["delayed"]] / steps,
    }


QUARTER_COLUMNS = (
    "scope",
    "id",
    "kind",
    "region",
    "year",
    "quarter",
    "first_day",
    "days",
    "quarter_days",
    "complete",
    "beds",
    "admissions",
    "waits_12h",
    "waits_12h_per_bed",
    "waits_12h_per_bed_quarter",
    "mean_wait_hours",
    "share_over_4h",
    "midnight_occupancy",
    "peak_occupancy",
    "mean_delayed",
)


class Run:
    """A run so far as the measures read it: every recorded step, the steps after the
    warm-up, and what several measures share (computed once, when first asked)."""

    def __init__(self, engine: Engine) -> None:
        rec = engine.recorder
        self.engine = engine
        self.step_days = engine.step_days
        self.n = rec.steps_recorded
        self.rows = rec.rows[: self.n]
        warmup = engine.warmup_steps
        self.measured = self.rows[warmup:] if self.n > warmup else self.rows[:0]
        self.histogram = rec.wait_histogram
        self.admitted = int(self.histogram.sum())  # admissions after the warm-up
        self.total = self.rows.sum(axis=0)
        self.days = len(self.measured) * self.step_days  # measured days
        self.is_acute = engine.providers.kind == ACUTE
        self.acute_measured = rec.acute_rows[warmup : max(self.n, warmup)]  # ACUTE_ROWS

    def count(self, name: str) -> int:
        """The whole run's total of the flow ``name``."""
        return int(self.total[ROW[name]])

    def sum(self, name: str) -> Any:
        """The total of ``name`` over the measured steps (a numpy integer)."""
        return self.measured[:, ROW[name]].sum()

    def mean(self, name: str) -> float:
        """The mean per measured step of ``name`` (NaN before the warm-up ends)."""
        return float(self.measured[:, ROW[name]].mean()) if len(self.measured) else math.nan

    @cached_property
    def lost(self) -> int:
        """Patients who left a queue unadmitted after the warm-up."""
        return int(self.sum("lost"))

    def lost_past(self, days: float) -> int:
        """Of those, the ones counted as having waited ``days``: all of them if the
        maximum wait (whole steps) reaches it, else none."""
        waited = self.engine.max_wait_steps * self.step_days
        return self.lost if waited >= days - 1e-9 else 0

    def acute(self, name: str) -> int:
        """The total of ``name`` over the measured steps at acute providers."""
        return int(self.engine.recorder.provider_totals[ROW[name]][self.is_acute].sum())

    @cached_property
    def acute_left_queue(self) -> int:
        """Acute patients admitted or lost after the warm-up."""
        return self.acute("admissions") + self.acute("lost")

    def acute_past(self, name: str, hours: float) -> int:
        """Acute admissions that waited ``hours`` or more (the row ``name`` counts them),
        and the acute patients lost past it."""
        lost = self.acute("lost") if lost_past(self.engine, hours) else 0
        return self.acute(name) + lost

    @cached_property
    def acute_beds(self) -> float:
        """Mean staffed acute beds over the measured steps."""
        return self.acute("capacity") / len(self.measured) if len(self.measured) else math.nan

    def per_quarter(self, count: float) -> float:
        """A count over the measured days as a rate per (mean) quarter."""
        return count * QUARTER_DAYS / self.days if self.days else math.nan

    @cached_property
    def acute_histogram(self) -> np.ndarray:
        """Acute admissions after the warm-up by steps waited (kept by ``admit``)."""
        return self.engine.recorder.acute_histogram

    def trust(self, values: np.ndarray) -> float:
        """The mean over the measured steps of a trust series (NaN without links)."""
        e = self.engine
        if not e.trust.size or self.n <= e.warmup_steps:
            return math.nan
        return float(np.nanmean(values[e.warmup_steps : self.n]))

    @cached_property
    def waits_by_provider(self) -> np.ndarray:
        p = self.engine.providers
        return waits_by(self.engine, np.arange(p.n), p.n)

    @cached_property
    def waits_by_region(self) -> np.ndarray:
        p = self.engine.providers
        return waits_by(self.engine, p.region.astype(np.int64), len(p.region_names))


class Line(NamedTuple):
    """A line of the CLI's summary showing several measures: ``text`` names them,
    e.g. ``"{admissions} / {waiting_end} / {lost}"``, each shown in its format."""

    label: str
    text: str


class Display(NamedTuple):
    """How the report's table shows a measure: its heading, a scale (24: days shown as
    hours), the format of the scaled value and the table it is in."""

    label: str
    scale: float
    fmt: str
    table: str = "Waits and beds"


@dataclass(frozen=True)
class Measure:
    """One measure: its name (a key of summary.json, a column of runs.parquet), the
    function computing it from a run, the words a planner reads, its unit, its format,
    and where it appears."""

    name: str
    label: str
    unit: str
    fmt: str  # the value as the CLI shows it, in its unit
    compute: Callable[[Run], float | int] | None = None
    headline: bool = False  # a 95 % interval over replications in summary.json
    cli: bool | Line = False  # a line of the CLI summary: its own (True) or a shared one
    report: Display | None = None  # a column of the report's table
    dividend: bool = False  # in the trust dividend
    parts: tuple[str, ...] = ()  # a sum of other measures, made where runs are tabulated

    @property
    def in_summary(self) -> bool:
        """Computed by ``summarise`` (a sum of other measures is not stored)."""
        return self.compute is not None

    def text(self, value: Any) -> str:
        """``value`` in this measure's format; "n/a" when missing or NaN."""
        return "n/a" if value is None or value != value else self.fmt.format(value)


def _mean_wait(run: Run) -> float:
    if not run.admitted:
        return math.nan
    ages = np.arange(run.histogram.size)
    return float((run.histogram * ages).sum() / run.admitted * run.step_days)


def _breach_share(run: Run) -> float:
    left_queue = run.admitted + run.lost
    if not left_queue:
        return math.nan
    target = run.engine.config.metrics.target_wait_days
    return float((run.sum("breaches") + run.lost_past(target)) / left_queue)


def _occupancy(run: Run) -> float:
    capacity = run.sum("capacity") if len(run.measured) else 0
    return float(run.sum("occupied") / capacity) if capacity else math.nan


def _aid_minutes(run: Run) -> float:
    moved = run.sum("transfers_out") + run.sum("loans_out")
    return float(run.sum("aid_minutes") / moved) if moved else math.nan


def _mean_wait_hours(run: Run) -> float:
    admitted = run.acute("admissions")
    return run.acute("wait_steps") / admitted * run.step_days * 24 if admitted else math.nan


def _p95_wait_hours(run: Run) -> float:
    return wait_percentile(run.acute_histogram, 0.95, run.step_days) * 24


def _share_over_4h(run: Run) -> float:
    left = run.acute_left_queue
    return run.acute_past("over_4h", 4) / left if left else math.nan


def _waits_12h_per_bed_quarter(run: Run) -> float:
    beds = run.acute_beds
    return run.per_quarter(run.acute_past("over_12h", 12)) / beds if beds else math.nan


def _midnight(run: Run) -> np.ndarray:
    """The measured midnight steps' acute rows."""
    rec, warmup = run.engine.recorder, run.engine.warmup_steps
    return run.acute_measured[rec.midnight[warmup : run.n]]


def _midnight_occupancy(run: Run) -> float:
    rows = _midnight(run)
    capacity = rows[:, CAPACITY].sum()
    return float(rows[:, OCCUPIED].sum() / capacity) if capacity else math.nan


def _peak_occupancy(run: Run) -> float:
    rows = run.acute_measured
    occupied, capacity = rows[:, OCCUPIED], rows[:, CAPACITY]
    peaks = daily_peaks(occupied, capacity, run.step_days, run.engine.warmup_steps)
    return float(peaks.mean()) if peaks.size else math.nan


def _worst_region(run: Run) -> float:
    by_region = run.waits_by_region
    return float(np.nanmax(by_region) if np.isfinite(by_region).any() else math.nan)


def _trust_end(run: Run) -> float:
    e = run.engine
    return float(e.recorder.mean_trust[run.n - 1]) if e.trust.size and run.n else math.nan


SHARING = "Mutual aid and trust"  # the report's second table

# The order is summary.json's, and the order each face lists them in.
MEASURES: tuple[Measure, ...] = (
    Measure("steps", "steps simulated", "steps", "{:,.0f}", lambda r: int(r.n)),
    Measure(
        "measured_days",
        "days measured (after the warm-up)",
        "days",
        "{:,.1f} days",
        lambda r: float(len(r.measured) * r.step_days),
    ),
    Measure(
        "arrivals",
        "patients arrived",
        "patients",
        "{:,.0f}",
        lambda r: r.count("arrivals"),
        cli=True,
    ),
    Measure(
        "admissions",
        "patients admitted",
        "patients",
        "{:,.0f}",
        lambda r: r.count("admissions"),
        cli=Line("admitted / still waiting / lost", "{admissions} / {waiting_end} / {lost}"),
    ),
    Measure(
        "waiting_end",
        "patients still waiting at the end",
        "patients",
        "{:,.0f}",
        lambda r: int(r.rows[-1, ROW["waiting"]]) if r.n else 0,
    ),
    Measure(
        "lost",
        "patients who left the queue unadmitted",
        "patients",
        "{:,.0f}",
        lambda r: r.count("lost"),
    ),
    Measure(
        "admissions_measured",
        "patients admitted after the warm-up",
        "patients",
        "{:,.0f}",
        lambda r: r.admitted,
    ),
    Measure(
        "mean_wait_days",
        "mean wait for a bed (all providers)",
        "days",
        "{:.3f} days",
        _mean_wait,
        headline=True,
        cli=True,
        dividend=True,
        report=Display("Mean wait for a bed, all providers (hours)", 24.0, "{:.2f}"),
    ),
    Measure(
        "p95_wait_days",
        "95th percentile wait (all providers)",
        "days",
        "{:.2f} days",
        lambda r: wait_percentile(r.histogram, 0.95, r.step_days),
        headline=True,
        cli=True,
        dividend=True,
        report=Display("1 in 20 waited longer than, all providers (hours)", 24.0, "{:.1f}"),
    ),
    Measure(
        "breach_share",
        "waited past the target",
        "share",
        "{:.1%}",
        _breach_share,
        headline=True,
        cli=True,
        dividend=True,
        report=Display("Waited a day or more (%)", 100.0, "{:.2f}"),
    ),
    Measure(
        "mean_wait_hours",
        "mean wait for an acute bed",
        "hours",
        "{:.2f} h",
        _mean_wait_hours,
        headline=True,
        cli=Line(
            "wait for an acute bed: mean / 95th percentile", "{mean_wait_hours} / {p95_wait_hours}"
        ),
        report=Display("Mean wait for an acute bed (hours)", 1.0, "{:.2f}"),
    ),
    Measure(
        "p95_wait_hours",
        "95th percentile wait for an acute bed",
        "hours",
        "{:.1f} h",
        _p95_wait_hours,
        headline=True,
    ),
    Measure(
        "share_over_4h",
        "acute patients who waited 4 hours or more",
        "share",
        "{:.1%}",
        _share_over_4h,
        headline=True,
        cli=True,
        report=Display("Waited 4 hours or more for an acute bed (%)", 100.0, "{:.2f}"),
    ),
    Measure(
        "waits_12h",
        "12-hour waits for an acute bed",
        "patients",
        "{:,.0f}",
        lambda r: r.acute_past("over_12h", 12),
    ),
    Measure(
        "waits_12h_per_quarter",
        "12-hour waits for an acute bed per quarter",
        "patients per quarter",
        "{:,.0f}",
        lambda r: r.per_quarter(r.acute_past("over_12h", 12)),
        headline=True,
        cli=Line(
            "12-hour waits (acute) per quarter, per bed",
            "{waits_12h_per_quarter}, {waits_12h_per_bed_quarter}",
        ),
        report=Display("12-hour waits for an acute bed per quarter", 1.0, "{:,.0f}"),
    ),
    Measure(
        "waits_12h_per_bed_quarter",
        "12-hour waits per acute bed per quarter",
        "patients per bed per quarter",
        "{:.2f}",
        _waits_12h_per_bed_quarter,
        headline=True,
        report=Display("12-hour waits per acute bed per quarter", 1.0, "{:.3f}"),
    ),
    Measure(
        "acute_beds",
        "staffed acute beds (mean)",
        "beds",
        "{:,.0f}",
        lambda r: r.acute_beds,
    ),
    Measure(
        "mean_waiting",
        "patients waiting for a bed (mean)",
        "patients",
        "{:,.1f}",
        lambda r: r.mean("waiting"),
    ),
    Measure("mean_occupancy", "bed occupancy", "share", "{:.1%}", _occupancy, cli=True),
    Measure(
        "midnight_occupancy",
        "acute beds occupied at midnight",
        "share",
        "{:.1%}",
        _midnight_occupancy,
        headline=True,
        cli=Line(
            "acute beds occupied: at midnight / daily peak",
            "{midnight_occupancy} / {peak_occupancy}",
        ),
        report=Display("Acute beds occupied at midnight (%)", 100.0, "{:.1f}"),
    ),
    Measure(
        "peak_occupancy",
        "acute beds occupied at the day's peak (mean)",
        "share",
        "{:.1%}",
        _peak_occupancy,
    ),
    Measure(
        "mean_delayed",
        "delayed discharges (mean per day)",
        "patients",
        "{:,.1f}",
        lambda r: r.mean("delayed"),
        cli=True,
    ),
    Measure(
        "delayed_discharge_bed_days",
        "bed-days taken by delayed discharges",
        "bed-days",
        "{:,.0f}",
        lambda r: float(r.sum("delayed") * r.step_days),
    ),
    Measure(
        "harm_events",
        "patients harmed by long waits",
        "patients",
        "{:,.0f}",
        lambda r: int(r.sum("harms")) + r.lost_past(r.engine.config.metrics.harm_wait_days),
        headline=True,
        cli=True,
        dividend=True,
        report=Display("Patients harmed by long waits", 1.0, "{:,.0f}"),
    ),
    Measure(
        "lost_measured",
        "patients who left the queue unadmitted after the warm-up",
        "patients",
        "{:,.0f}",
        lambda r: r.lost,
    ),
    Measure(
        "placements",
        "delayed patients placed with a step-down partner",
        "patients",
        "{:,.0f}",
        lambda r: int(r.sum("placed_out")),
    ),
    Measure(
        "transfers",
        "patients transferred between providers",
        "patients",
        "{:,.0f}",
        lambda r: int(r.sum("transfers_out")),
        headline=True,
        cli=True,
        dividend=True,
    ),
    Measure(
        "loans",
        "staffed beds lent",
        "beds",
        "{:,.0f}",
        lambda r: int(r.sum("loans_out")),
        headline=True,
        dividend=True,
        cli=Line("staffed beds lent (bed-days)", "{loans} ({loan_bed_days})"),
    ),
    Measure(
        "loan_bed_days",
        "bed-days lent",
        "bed-days",
        "{:,.0f}",
        lambda r: float(r.sum("lent") * r.step_days),
    ),
    Measure(
        "moved",
        "patients and beds shared",
        "patients and beds",
        "{:,.0f}",
        parts=("transfers", "loans"),
        report=Display("Patients and beds shared", 1.0, "{:,.0f}", SHARING),
    ),
    Measure(
        "aid_cost",
        "cost of arranging mutual aid",
        "GBP",
        "GBP {:,.0f}",
        lambda r: int(r.sum("aid_cost")),
        headline=True,
        cli=True,
        dividend=True,
        report=Display("Cost of arranging mutual aid (GBP)", 1.0, "{:,.0f}", SHARING),
    ),
    Measure(
        "aid_minutes_mean",
        "travel minutes per patient or bed shared",
        "minutes",
        "{:.1f} minutes",
        _aid_minutes,
    ),
    Measure(
        "help_asked",
        "patients' worth of help asked for",
        "patients",
        "{:,.0f}",
        lambda r: int(r.sum("asked")),
    ),
    Measure(
        "refusals",
        "requests refused by partners with room",
        "partners",
        "{:,.0f}",
        lambda r: int(r.sum("refusals")),
    ),
    Measure(
        "discoveries",
        "hidden pressure found out by partners",
        "providers",
        "{:,.0f}",
        lambda r: int(r.sum("discoveries")),
    ),
    Measure(
        "mean_trust",
        "trust between partners",
        "0-1",
        "{:.2f}",
        lambda r: r.trust(r.engine.recorder.mean_trust),
        headline=True,
        dividend=True,
        cli=Line("trust between partners (mean, spread)", "{mean_trust}, {trust_sd}"),
        report=Display("Trust between partners (0-1)", 1.0, "{:.3f}", SHARING),
    ),
    Measure(
        "trust_sd",
        "spread of trust between partners (SD)",
        "0-1",
        "{:.2f}",
        lambda r: r.trust(r.engine.recorder.trust_sd),
    ),
    Measure("trust_end", "trust between partners at the end", "0-1", "{:.2f}", _trust_end),
    Measure(
        "wait_gini_providers",
        "unequal waits between providers (Gini)",
        "0-1",
        "{:.2f}",
        lambda r: gini(r.waits_by_provider),
    ),
    Measure(
        "wait_gini_regions",
        "unequal waits between regions (Gini)",
        "0-1",
        "{:.2f}",
        lambda r: gini(r.waits_by_region),
        headline=True,
        cli=True,
        report=Display("Unequal waits between regions (Gini, 0 = equal)", 1.0, "{:.3f}"),
    ),
    Measure(
        "worst_region_wait_days",
        "mean wait in the region that waited longest",
        "days",
        "{:.3f} days",
        _worst_region,
    ),
    Measure(
        "recovery_days",
        "days to recover after the shock",
        "days",
        "{:.0f}",
        lambda r: recovery_days(r.engine),
        cli=True,
    ),
)

MEASURE = {m.name: m for m in MEASURES}


def summarise(engine: Engine) -> dict[str, float | int]:
    """Every measure of the run so far that ``MEASURES`` stores, in its order."""
    run = Run(engine)
    return {m.name: m.compute(run) for m in MEASURES if m.compute is not None}
