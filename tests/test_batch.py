"""Sweeps from Python (``collabsim.run_sweep``): the same numbers as the command line,
every point checked before any runs, grids and lists of points, every table tagged."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import collabsim
from collabsim.batch import TABLES, points_of
from collabsim.errors import ConfigError
from tests.helpers import run, run_dirs

BASE = ["sim.days=40", "sim.warmup_days=10"]


def test_a_grid_is_every_combination_in_order() -> None:
    assert points_of({"a": [1, 2], "b": ["x", "y"]}) == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
    ]
    assert points_of([{"a": 3}, {"b": 4}]) == [{"a": 3}, {"b": 4}]
    with pytest.raises(ConfigError, match="give a list of values"):
        points_of({"a": "none"})
    with pytest.raises(ConfigError, match="no values"):
        points_of({"a": []})
    with pytest.raises(ConfigError, match="no points"):
        points_of([])


def test_the_same_numbers_as_the_command_line(tmp_path: Path) -> None:
    """Each point of a Python sweep is the job ``collabsim -m`` runs for it: same seeds,
    same measures, to the last bit."""
    result = collabsim.run_sweep(
        {"policy": ["none", "trust_gated"]}, replications=2, base=[*BASE, "seed=3"]
    )
    done = run(["-m", *BASE, "seed=3", "replications=2", "policy=none,trust_gated"], tmp_path)
    assert done.returncode == 0, done.stderr
    cli = pd.concat(pd.read_parquet(d / "runs.parquet") for d in run_dirs(tmp_path))
    measures = ["mean_wait_days", "waits_12h", "arrivals", "transfers", "aid_cost"]
    measures = [m for m in measures if m in cli.columns]
    assert len(measures) >= 3
    key = ["policy", "seed"]
    ours = result.runs.sort_values(key)[key + measures].reset_index(drop=True)
    theirs = cli.sort_values(key)[key + measures].reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, theirs, check_dtype=False)
    assert sorted(result.runs["seed"].unique()) == [3, 4]


def test_every_table_is_tagged_with_its_point() -> None:
    result = collabsim.run_sweep(
        [{"policy": "none"}, {"policy": "trust_gated", "trust.initial": 0.8}], base=BASE
    )
    assert list(result.points["point"]) == [0, 1]
    for name in TABLES:
        table = result.table(name)
        assert set(table["point"]) == {0, 1}, name
        assert set(table["policy"]) == {"none", "trust_gated"}, name
    # a setting only one point sets is that point's (the other's is left as its default)
    one = result.runs[result.runs["point"] == 1]
    assert (one["trust.initial"] == 0.8).all()
    # the same patients at every point (common random numbers)
    arrivals = result.runs.groupby("point")["arrivals"].first()
    assert arrivals[0] == arrivals[1]
    with pytest.raises(KeyError, match="no table"):
        result.table("nope")


def test_every_point_is_checked_before_any_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import collabsim.job

    ran = []
    monkeypatch.setattr(collabsim.job, "run_replications", lambda *a, **k: ran.append(a))
    with pytest.raises(ConfigError, match=r"sweep point 2 \(sim.days=-5\)"):
        collabsim.run_sweep({"sim.days": [30, 40, -5]}, base=BASE)
    assert ran == []
    with pytest.raises(ConfigError, match="replications"):
        collabsim.run_sweep({"sim.days": [30]}, replications=0)


def test_mesa_batch_run_gives_the_same_numbers() -> None:
    """Mesa users' habit: ``mesa.batch_run(CollabModel, parameters)`` with keyword
    settings (dots as double underscores) runs what ``run_sweep`` runs."""
    import mesa

    from collabsim.model import CollabModel

    results = mesa.batch_run(
        CollabModel,
        {"policy": ["none", "trust_gated"], "sim__days": 40, "sim__warmup_days": 10},
        max_steps=10_000,
        display_progress=False,
    )
    ours = collabsim.run_sweep({"policy": ["none", "trust_gated"]}, base=BASE)
    assert [r["policy"] for r in results] == ["none", "trust_gated"]
    assert [r["Step"] for r in results] == [39, 39]  # ran to the end of the configured run
    for r, (_, row) in zip(results, ours.runs.iterrows(), strict=True):
        for name in ("mean_wait_hours", "aid_cost", "mean_trust"):
            assert r[name] == row[name], name


def test_the_models_datacollector_follows_mesas_conventions() -> None:
    from collabsim.model import CollabModel

    model = CollabModel(sim__days=5, sim__warmup_days=1, policy="trust_gated", seed=4)
    assert model.config.seed == 4 and model.config.policy.name == "trust_gated"
    while model.running:
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == model.engine.steps == 5
    assert frame["mean_wait_days"].iloc[:-1].isna().all()  # measured once, at the end
    assert frame["mean_wait_days"].iloc[-1] == model.summary["mean_wait_days"]
    assert (frame["occupied_now"] > 0).all() and frame["trust_now"].notna().all()
    with pytest.raises(ConfigError, match="not both"):
        CollabModel(model.config, policy="none")
