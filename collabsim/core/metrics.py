"""Run measures computed from the recorder: the numbers in ``summary.json``.

Counts of patients (arrivals, admissions, lost, waiting at the end) cover the
whole run, so they balance exactly: arrivals = admissions + waiting_end + lost.
Waits, occupancy, delays and queue lengths are measured after the warm-up.
Waits are those of admitted patients; breaches and harm also count the patients
lost from the queue, who all waited at least the maximum wait (in whole steps).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from collabsim.core.state import ROW

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


def recovery_days(engine: Engine, window_days: float = 7.0, before_days: float = 28.0) -> float:
    """Days after the first demand shock ends until the system's mean wait over the last
    ``window_days`` is back within 10 % (at least 0.01 days) of its level over the
    ``before_days`` before the shock. NaN without a shock, or if it never recovers."""
    shocks = sorted(engine.config.demand.shocks, key=lambda s: s.start_day)
    rec, dt = engine.recorder, engine.step_days
    n = rec.steps_recorded
    if not shocks or n == 0:
        return float("nan")
    shock = shocks[0]
    start = int(round(shock.start_day / dt))
    end = int(round((shock.start_day + shock.days) / dt))
    first = max(0, start - int(round(before_days / dt)))
    rows = rec.rows[:n]
    adm, wait = rows[:, ROW["admissions"]], rows[:, ROW["wait_steps"]]
    if start <= first or end >= n or adm[first:start].sum() == 0:
        return float("nan")
    level = wait[first:start].sum() / adm[first:start].sum() * dt
    limit = max(1.1 * level, level + 0.01)
    w = max(1, int(round(window_days / dt)))
    cum_adm = np.concatenate(([0], np.cumsum(adm)))
    cum_wait = np.concatenate(([0], np.cumsum(wait)))
    for d in range(max(end, w - 1), n):  # windows ending at step d
        a = cum_adm[d + 1] - cum_adm[d + 1 - w]
        if a and (cum_wait[d + 1] - cum_wait[d + 1 - w]) / a * dt <= limit:
            return float((d + 1 - end) * dt)
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


def inequality(engine: Engine) -> dict[str, float]:
    """How unequal waits are between providers and between regions (after the warm-up)."""
    p = engine.providers
    by_provider = waits_by(engine, np.arange(p.n), p.n)
    by_region = waits_by(engine, p.region.astype(np.int64), len(p.region_names))
    worst = np.nanmax(by_region) if np.isfinite(by_region).any() else float("nan")
    return {
        "wait_gini_providers": gini(by_provider),
        "wait_gini_regions": gini(by_region),
        "worst_region_wait_days": float(worst),
    }


def summarise(engine: Engine) -> dict[str, float | int]:
    """Headline measures of the run so far."""
    rec, dt = engine.recorder, engine.step_days
    n = rec.steps_recorded
    rows = rec.rows[:n]
    measured = rows[engine.warmup_steps :] if n > engine.warmup_steps else rows[:0]
    hist = rec.wait_histogram
    admitted = int(hist.sum())
    total = rows.sum(axis=0)

    def trust_measure(values: np.ndarray) -> float:
        if not engine.trust.size or n <= engine.warmup_steps:
            return float("nan")
        return float(np.nanmean(values[engine.warmup_steps : n]))

    def mean_of(name: str) -> float:
        return float(measured[:, ROW[name]].mean()) if len(measured) else float("nan")

    capacity = measured[:, ROW["capacity"]].sum() if len(measured) else 0
    lost = int(measured[:, ROW["lost"]].sum())
    waited = engine.max_wait_steps * dt  # every lost patient waited at least this long
    eps = 1e-9
    lost_breached = lost if waited >= engine.config.metrics.target_wait_days - eps else 0
    lost_harmed = lost if waited >= engine.config.metrics.harm_wait_days - eps else 0
    left_queue = admitted + lost
    measured_days = len(measured) * dt
    ages = np.arange(hist.size)
    units_moved = measured[:, ROW["transfers_out"]].sum() + measured[:, ROW["loans_out"]].sum()
    return {
        "steps": int(n),
        "measured_days": float(measured_days),
        "arrivals": int(total[ROW["arrivals"]]),
        "admissions": int(total[ROW["admissions"]]),
        "waiting_end": int(rows[-1, ROW["waiting"]]) if n else 0,
        "lost": int(total[ROW["lost"]]),
        "admissions_measured": admitted,
        "mean_wait_days": float((hist * ages).sum() / admitted * dt) if admitted else float("nan"),
        "p95_wait_days": wait_percentile(hist, 0.95, dt),
        "breach_share": float((measured[:, ROW["breaches"]].sum() + lost_breached) / left_queue)
        if left_queue
        else float("nan"),
        "harm_events": int(measured[:, ROW["harms"]].sum()) + lost_harmed,
        "lost_measured": lost,
        "mean_waiting": mean_of("waiting"),
        "mean_occupancy": float(measured[:, ROW["occupied"]].sum() / capacity)
        if capacity
        else float("nan"),
        "mean_delayed": mean_of("delayed"),
        "delayed_discharge_bed_days": float(measured[:, ROW["delayed"]].sum() * dt),
        "placements": int(measured[:, ROW["placed_out"]].sum()),
        "transfers": int(measured[:, ROW["transfers_out"]].sum()),
        "aid_cost": int(measured[:, ROW["aid_cost"]].sum()),
        "loans": int(measured[:, ROW["loans_out"]].sum()),
        "loan_bed_days": float(measured[:, ROW["lent"]].sum() * dt),
        "aid_minutes_mean": float(measured[:, ROW["aid_minutes"]].sum() / units_moved)
        if units_moved
        else float("nan"),
        "help_asked": int(measured[:, ROW["asked"]].sum()),
        "refusals": int(measured[:, ROW["refusals"]].sum()),
        "discoveries": int(measured[:, ROW["discoveries"]].sum()),
        "mean_trust": trust_measure(rec.mean_trust),
        "trust_sd": trust_measure(rec.trust_sd),
        "trust_end": float(rec.mean_trust[n - 1]) if engine.trust.size and n else float("nan"),
        **inequality(engine),
        "recovery_days": recovery_days(engine),
    }
