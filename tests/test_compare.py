"""experiments/calibration/compare.py: the model's figures for the calibration reference."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "experiments" / "calibration"))
import compare  # noqa: E402


def test_a_year_is_measured_from_1_april_after_the_warm_up():
    over = compare.run_overrides(["demand.scale=1.1"], warmup_days=60)
    assert "demand.start_day_of_year=31" in over  # 31 January + 60 days = 1 April
    assert over[-1] == "demand.scale=1.1" and "sim.days=425" in over


def test_model_figures_cover_the_financial_year_quarter_by_quarter():
    """A small system for a year: the four quarters' 12-hour waits add up to the
    year's, the Q4 spread between trusts is over every acute trust, and the length of
    stay is the stay plus the delays (Little's law: bed-days over admissions, booked ones
    too)."""
    import collabsim
    from collabsim.model import CollabModel

    over = [
        "network=small",
        "demand.scale=1.12",
        "sim.max_wait_days=1",
        "demand.elective_share=0.3",
    ]
    figures = compare.model_figures(over, seed=2)
    model = CollabModel(collabsim.load_config([*compare.run_overrides(over), "seed=2"]))
    model.run()
    summary = model.summary
    national = figures["national"]
    assert [national[q]["days"] for q in compare.QUARTERS] == [91, 92, 92, 90]
    assert sum(national[q]["w12"] for q in compare.QUARTERS) == summary["waits_12h"] > 0
    assert figures["year"]["waits_12h_per_quarter"] == summary["waits_12h_per_quarter"]
    trusts = figures["trusts_q4"]
    assert trusts["n"] == 3
    q = model.quarters_frame()
    q4 = q[(q["scope"] == "provider") & (q["kind"] == "acute") & (q["quarter"] == "Q4")]
    q4 = q4[q4["year"] == 1]
    assert trusts["w12_per_bed_median"] == pytest.approx(np.median(q4["waits_12h_per_bed"]))
    assert national["Q4"]["w12"] == q4["waits_12h"].sum()
    stay = figures["year"]["mean_los_days"]
    assert 7.0 < stay < 9.5 and math.isfinite(figures["trusts_q4"]["w12_occ_spearman"])


def test_a_missing_panel_is_one_line_and_exit_2(tmp_path, capsys):
    assert compare.main(["--panel", str(tmp_path / "none.csv")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("compare.py: reference panel not found")
