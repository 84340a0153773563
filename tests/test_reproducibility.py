"""Seeds: same seed, same run; other seed, other run; same seed, same patients arriving."""

from __future__ import annotations

import numpy as np

import collabsim
from collabsim.core.phases import ROW
from collabsim.policies.base import _REGISTRY, Policy, register


def same(a: dict, b: dict) -> bool:
    """Equal summaries, NaN equal to NaN (a measure that does not apply is NaN in both)."""
    return a.keys() == b.keys() and all(
        x == y or (isinstance(x, float) and isinstance(y, float) and x != x and y != y)
        for x, y in zip(a.values(), b.values(), strict=True)
    )


def test_same_config_and_seed_give_identical_results(small_config):
    a = collabsim.simulate(small_config)
    b = collabsim.simulate(small_config)
    assert same(a.summary, b.summary)
    assert a.series.equals(b.series)


def test_different_seeds_differ(small_config):
    a = collabsim.simulate(small_config).summary
    b = collabsim.simulate(collabsim.load_config(["sim.days=120", "sim.warmup_days=20",
                                                  "seed=2"])).summary  # fmt: skip
    assert a["arrivals"] != b["arrivals"]
    assert a["mean_wait_days"] != b["mean_wait_days"]


class _CloseBeds(Policy):
    """Test-only policy that changes the system a lot: it closes a third of every
    provider's beds from day 10, so waits and every state-dependent draw change."""

    name = "test_close_beds"

    def step(self, engine):
        if engine.t == 10:
            engine.state.capacity[:] = engine.state.capacity * 2 // 3


def test_two_policies_with_the_same_seed_see_identical_arrivals():
    register(_CloseBeds)
    try:
        base = collabsim.load_config(["sim.days=200", "sim.warmup_days=20", "seed=11"])
        a = collabsim.simulate(base)
        other = collabsim.from_dict(
            {**collabsim.config.to_dict(base), "policy": {"name": "test_close_beds", "params": {}}}
        )
        b = collabsim.simulate(other)
    finally:
        _REGISTRY.pop("test_close_beds", None)
    assert b.summary["mean_wait_days"] > 5 * a.summary["mean_wait_days"]  # it did change things
    np.testing.assert_array_equal(a.series["arrivals"], b.series["arrivals"])
    # and per provider, not just in total
    pa = a.model.engine.recorder.provider_totals[ROW["arrivals"]]
    pb = b.model.engine.recorder.provider_totals[ROW["arrivals"]]
    np.testing.assert_array_equal(pa, pb)


def test_arrivals_do_not_depend_on_run_length():
    short = collabsim.simulate(collabsim.load_config(["sim.days=100", "sim.warmup_days=1"]))
    long = collabsim.simulate(collabsim.load_config(["sim.days=700", "sim.warmup_days=1"]))
    np.testing.assert_array_equal(short.series["arrivals"], long.series["arrivals"][:100])


def test_reset_replays_the_run():
    model = collabsim.CollabModel(collabsim.load_config(["sim.days=60", "sim.warmup_days=5"]))
    model.run()
    first = model.summary
    model.reset(model.config.seed)
    model.run()
    assert same(model.summary, first)


def test_reset_replays_a_run_with_every_behaviour_switched_on():
    """Help memory, adapted self-preservation, loans in flight and the behaviour stream
    all start again from scratch at a reset."""
    cfg = collabsim.load_config([
        "sim.days=120", "sim.warmup_days=10", "policy=reciprocal", "aid.kinds=both",
        "demand.scale=1.08", "candour.mean=0.6", "candour.spread=0.2",
        "self_preservation.spread=0.2", "self_preservation.adapt=0.05", "culture=blame",
    ])  # fmt: skip
    model = collabsim.CollabModel(cfg)
    model.run()
    first, series = model.summary, model.series
    assert first["loans"] > 0 and first["transfers"] > 0 and first["discoveries"] > 0
    model.reset(cfg.seed)
    model.run()
    assert same(model.summary, first) and model.series.equals(series)
