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
    return out


def summarise(engine: Engine) -> dict[str, float | int]:
    """Headline measures of the run so far."""
    rec, dt = engine.recorder, engine.step_days
    n = rec.steps_recorded
    rows = rec.rows[:n]
    measured = rows[engine.warmup_steps :] if n > engine.warmup_steps else rows[:0]
    hist = rec.wait_histogram
    admitted = int(hist.sum())
    total = rows.sum(axis=0)

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
        "mean_trust": float(np.nanmean(rec.mean_trust[engine.warmup_steps : n]))
        if engine.trust.size and n > engine.warmup_steps
        else float("nan"),
    }
