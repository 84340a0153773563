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
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from collabsim.core.clock import Clock
from collabsim.core.phases import ROW

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
    return out


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
    hours) and the format of the scaled value."""

    label: str
    scale: float
    fmt: str


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


def _worst_region(run: Run) -> float:
    by_region = run.waits_by_region
    return float(np.nanmax(by_region) if np.isfinite(by_region).any() else math.nan)


def _trust_end(run: Run) -> float:
    e = run.engine
    return float(e.recorder.mean_trust[run.n - 1]) if e.trust.size and run.n else math.nan


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
        "mean wait for a bed",
        "days",
        "{:.3f} days",
        _mean_wait,
        headline=True,
        cli=True,
        dividend=True,
        report=Display("Mean wait for a bed (hours)", 24.0, "{:.2f}"),
    ),
    Measure(
        "p95_wait_days",
        "95th percentile wait",
        "days",
        "{:.2f} days",
        lambda r: wait_percentile(r.histogram, 0.95, r.step_days),
        headline=True,
        cli=True,
        dividend=True,
        report=Display("1 in 20 waited longer than (hours)", 24.0, "{:.1f}"),
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
        "mean_waiting",
        "patients waiting for a bed (mean)",
        "patients",
        "{:,.1f}",
        lambda r: r.mean("waiting"),
    ),
    Measure("mean_occupancy", "bed occupancy", "share", "{:.1%}", _occupancy, cli=True),
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
        report=Display("Patients and beds shared", 1.0, "{:,.0f}"),
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
        report=Display("Cost of arranging mutual aid (GBP)", 1.0, "{:,.0f}"),
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
        report=Display("Trust between partners (0-1)", 1.0, "{:.3f}"),
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
