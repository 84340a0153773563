"""Smoke test of experiments/circles/run.py: a tiny grid writes its CSVs, tables and figures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.slow  # builds the England network a dozen times

SCRIPT = Path(__file__).resolve().parent.parent / "experiments" / "circles" / "run.py"


def load():
    spec = importlib.util.spec_from_file_location("circles_run", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_grid_writes_results_tables_and_figures(tmp_path):
    circles = load()
    assert circles.main(["--quick", "--seeds", "1", "--days", "90", "--out", str(tmp_path)]) == 0
    runs = pd.read_csv(tmp_path / "results.csv")
    assert set(runs.part) == {"A", "B"} and len(runs) == len(circles.points(quick=True))
    assert runs.trust_aid_end.between(0, 1).all() and runs.blocked_share_end.between(0, 1).all()
    # the same seed, the same system: the settled low start can only be lower than the fresh
    b = runs[(runs.part == "B") & (runs.intervention == "none")].set_index("start")
    assert b.trust_aid_end["settled"] <= b.trust_aid_end["fresh"]
    traj = pd.read_csv(tmp_path / "trajectories.csv")
    assert traj.trust_aid.between(0, 1).all() and traj.day.max() == 90
    assert "### A." in (tmp_path / "tables.md").read_text()
    for name in ("trust_paths", "waits", "interventions"):
        assert (tmp_path / "figures" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"


def test_memory_alone_settles_between_start_and_baseline():
    circles = load()
    assert circles.idle_level(0.2, 0.0) == 0.5
    assert circles.idle_level(0.2, 0.01) == pytest.approx(0.35)
    assert circles.idle_level(0.8, 0.03) == pytest.approx(0.725)
