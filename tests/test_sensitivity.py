"""``collabsim sensitivity``: SALib's designs as points files, and the indices read back
from a sweep's results in the design's order (checked on measures whose dependence on the
settings is known exactly, then once end to end on the model)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from collabsim.errors import CollabsimError, ConfigError
from collabsim.sensitivity import Design, analyse, parse_params, write_design
from tests.helpers import run


def _fake_sweep(root: Path, design_json: Path, y_of) -> None:  # noqa: ANN001 - a function
    """A finished run per design point whose measures are ``y_of(x)`` (no simulation)."""
    data = json.loads(design_json.read_text())
    x = pd.read_csv(design_json.with_name(data["points"]))[data["names"]].to_numpy(float)
    for k, row in enumerate(x):
        d = root / str(k)
        d.mkdir(parents=True)
        y = y_of(row)
        pd.DataFrame({"mean_wait_hours": [y, y], "aid_cost": [2 * y, 2 * y]}).to_parquet(
            d / "runs.parquet"
        )
        (d / "summary.json").write_text("{}")


def test_a_morris_design_is_a_points_file_within_the_ranges(tmp_path: Path) -> None:
    design = Design("morris", ["a.x", "b.y"], [(0.0, 1.0), (10.0, 20.0)], 5, 3)
    points, problem, n = write_design(tmp_path / "d.csv", design)
    table = pd.read_csv(points)
    assert n == len(table) == 5 * (2 + 1)  # trajectories x (settings + 1)
    assert list(table.columns) == ["a.x", "b.y"]
    assert table["a.x"].between(0, 1).all() and table["b.y"].between(10, 20).all()
    assert json.loads(problem.read_text())["method"] == "morris"
    again, _, _ = write_design(tmp_path / "e.csv", design)  # the same seed, the same points
    assert pd.read_csv(again).equals(table)


def test_morris_ranks_what_the_measure_depends_on(tmp_path: Path) -> None:
    design = Design("morris", ["a.x", "b.y", "c.z"], [(0.0, 1.0)] * 3, 20, 1)
    _, problem, _ = write_design(tmp_path / "d.csv", design)
    _fake_sweep(tmp_path / "sweep", problem, lambda x: 10 * x[0] + 1 * x[1])
    table = analyse(tmp_path / "sweep", problem, ("mean_wait_hours", "aid_cost"))
    wait = table[table["measure"] == "mean_wait_hours"].set_index("setting")
    # a linear measure: every elementary effect is its slope, exactly
    assert wait.loc["a.x", "mu_star"] == pytest.approx(10)
    assert wait.loc["b.y", "mu_star"] == pytest.approx(1)
    assert wait.loc["c.z", "mu_star"] == pytest.approx(0, abs=1e-9)
    assert list(wait.sort_values("rank").index) == ["a.x", "b.y", "c.z"]
    cost = table[table["measure"] == "aid_cost"].set_index("setting")
    assert cost.loc["a.x", "mu_star"] == pytest.approx(20)


def test_sobol_indices_of_a_known_function(tmp_path: Path) -> None:
    design = Design("sobol", ["a.x", "b.y"], [(0.0, 1.0)] * 2, 512, 1)
    points, problem, n = write_design(tmp_path / "d.csv", design)
    assert n == 512 * (2 + 2)  # Saltelli's scheme without second-order indices
    _fake_sweep(tmp_path / "sweep", problem, lambda x: x[0])  # depends on a.x alone
    table = analyse(tmp_path / "sweep", problem, ("mean_wait_hours",)).set_index("setting")
    assert table.loc["a.x", "S1"] == pytest.approx(1, abs=0.05)
    assert table.loc["a.x", "ST"] == pytest.approx(1, abs=0.05)
    assert abs(table.loc["b.y", "ST"]) < 0.01


def test_mistakes_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="setting=low:high"):
        parse_params(["trust.initial=0..1"])
    with pytest.raises(ConfigError, match="low < high"):
        parse_params(["trust.initial=1:0", "aid.cost=0:1"])
    with pytest.raises(ConfigError, match="two settings"):
        parse_params(["trust.initial=0:1"])
    with pytest.raises(ConfigError, match="power of 2"):
        write_design(tmp_path / "s.csv", Design("sobol", ["a", "b"], [(0, 1)] * 2, 10, 1))
    design = Design("morris", ["a.x", "b.y"], [(0.0, 1.0)] * 2, 4, 1)
    _, problem, _ = write_design(tmp_path / "d.csv", design)
    _fake_sweep(tmp_path / "sweep", problem, lambda x: x[0])
    (tmp_path / "sweep" / "3" / "summary.json").unlink()  # a point that did not finish
    with pytest.raises(CollabsimError, match="1 of 12 points have no results \\(3\\)"):
        analyse(tmp_path / "sweep", problem, ("mean_wait_hours",))


@pytest.mark.slow
def test_end_to_end_on_the_model(tmp_path: Path) -> None:
    """Design, the sweep on the command line (the points file), then the indices."""
    params = ["--param", "trust.initial=0:1", "--param", "demand.scale=0.9:1.1"]
    done = run(["sensitivity", "design", "morris.csv", "--samples", "3", *params], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "9 points in morris.csv" in done.stdout
    swept = run(["-m", "hydra.sweeper.points_file=morris.csv", "policy=trust_gated",
                 "sim.days=40", "sim.warmup_days=10", "replications=2", "output.figures=false",
                 "output.series=false", "hydra.sweep.dir=sweep"], tmp_path)  # fmt: skip
    assert swept.returncode == 0, swept.stderr
    analysed = run(["sensitivity", "analyse", "sweep", "--design", "morris.json",
                    "--measure", "mean_wait_hours"], tmp_path)  # fmt: skip
    assert analysed.returncode == 0, analysed.stderr
    table = pd.read_csv(tmp_path / "sweep" / "sensitivity.csv")
    assert set(table["setting"]) == {"trust.initial", "demand.scale"}
    assert np.isfinite(table["mu_star"]).all()
    assert (tmp_path / "sweep" / "sensitivity.png").read_bytes()[:4] == b"\x89PNG"
    assert "most influential" in analysed.stdout
