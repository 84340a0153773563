"""One door into a run: ``CollabModel.reset(seed)`` and ``run()`` for every replication."""

from __future__ import annotations

import math

import numpy as np

import collabsim

OVERRIDES = ["sim.days=60", "sim.warmup_days=10", "policy=reciprocal", "aid.kinds=both",
             "demand.scale=1.08"]  # fmt: skip


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        (isinstance(v, float) and math.isnan(v) and math.isnan(b[k])) or v == b[k]
        for k, v in a.items()
    )


def test_reset_reseeds_mesas_generators_as_a_fresh_model_has_them():
    """The dashboard and the game draw from ``model.random`` and ``model.rng``: after a
    reset they give what a model built with that seed gives, whatever was drawn before."""
    model = collabsim.CollabModel(collabsim.load_config([*OVERRIDES, "seed=1"]))
    shared = model.random  # the space and the agent sets hold this one
    model.run(20)
    model.random.random(), model.rng.random(), model.agents.shuffle()
    model.reset(7)
    fresh = collabsim.CollabModel(collabsim.load_config([*OVERRIDES, "seed=7"]))
    assert [model.random.random() for _ in range(5)] == [fresh.random.random() for _ in range(5)]
    np.testing.assert_array_equal(model.rng.random(5), fresh.rng.random(5))
    assert model.random is shared
    assert model.engine.seed == 7 and model.engine.t == 0 and model.steps == 0


def test_two_resets_with_one_seed_give_the_same_run_and_a_fresh_models():
    cfg = collabsim.load_config([*OVERRIDES, "seed=4"])
    model = collabsim.CollabModel(cfg)
    model.reset(4)
    model.run()
    first, series = model.summary, model.series
    model.reset(9)
    model.run()
    assert not same(model.summary, first)
    model.reset(4)
    model.run()
    assert same(model.summary, first) and model.series.equals(series)
    assert same(collabsim.simulate(cfg).summary, first)


def test_run_counts_mesa_steps_and_reports_progress():
    model = collabsim.CollabModel(collabsim.load_config(OVERRIDES))
    model.step()
    done: list[int] = []
    model.run(progress=done.append)
    assert model.steps == model.engine.t == model.engine.steps == 60
    assert sum(done) == 59 and max(done) <= 100
    model.run()  # nothing left to run
    assert model.steps == 60
    model.run(5)  # past the configured end: the recorder grows
    assert model.steps == model.engine.t == 65
