"""Figures of a run: waits and occupancy over time (PNG, for reports and slides)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from collabsim.core.metrics import rolling_wait_days  # noqa: E402


def waits_and_occupancy(series: pd.DataFrame, warmup_days: float, title: str, path: Path) -> Path:
    """Three panels over time: mean wait of admitted patients (7-day mean), patients
    waiting and delayed in hospital, and bed occupancy; the warm-up is shaded."""
    days = series["day"]
    step = days.iloc[1] - days.iloc[0] if len(days) > 1 else 1.0
    mean_wait_hours = rolling_wait_days(series["wait_steps"], series["admissions"], step) * 24

    fig, axes = plt.subplots(3, 1, figsize=(9, 8), sharex=True, constrained_layout=True)
    axes[0].plot(days, mean_wait_hours, color="#005EB8")
    axes[0].set_ylabel("mean wait for a bed\n(hours, 7-day mean)")
    axes[1].plot(days, series["waiting"], label="waiting for a bed", color="#DA291C")
    axes[1].plot(days, series["delayed"], label="delayed discharges", color="#ED8B00")
    axes[1].set_ylabel("patients")
    axes[1].legend(loc="upper left", frameon=False)
    axes[2].plot(days, 100 * series["occupancy"], color="#009639")
    axes[2].set_ylabel("beds occupied (%)")
    axes[2].set_xlabel("day")
    for ax in axes:
        ax.axvspan(days.iloc[0], min(warmup_days, days.iloc[-1]), color="0.92", lw=0)
        ax.grid(alpha=0.3)
    axes[0].set_title(title)
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)
    return path
