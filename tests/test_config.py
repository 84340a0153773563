"""Config: defaults are valid, every mistake is named in one line."""

from __future__ import annotations

import numpy as np
import pytest

from collabsim import ConfigError, load_config
from collabsim.config import Config, flatten, from_dict, set_setting, to_dict


def test_defaults_round_trip():
    cfg = Config()
    assert from_dict(to_dict(cfg)) == cfg


def test_composed_default_matches_dataclass_defaults():
    """configs/ adds nothing the dataclasses do not define (one source of truth)."""
    assert load_config() == Config()


def test_overrides_reach_the_config():
    cfg = load_config(["seed=7", "network=england", "sim.days=30", "sim.step_days=0.5",
                       "sim.warmup_days=5", "policy=none", "time=daily"])  # fmt: skip
    assert (cfg.seed, cfg.network.preset, cfg.sim.days, cfg.sim.step_days) == (
        7,
        "england",
        30,
        0.5,
    )
    assert cfg.sim.steps == 60 and cfg.sim.warmup_steps == 10


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (["sim.days=-1"], "sim.days: -1.0 is not allowed; expected a number in (0, 36525]"),
        (["sim.step_days=0"], "sim.step_days"),
        (["sim.warmup_days=400"], "sim.warmup_days: 400 must be less than sim.days"),
        (["pathway.share=1.5"], "pathway.share: 1.5 is not allowed; expected a number in [0, 1]"),
        (["demand.distribution=gamma"], "one of poisson, negative_binomial"),
        (["seed=abc"], "seed: 'abc' is not allowed; expected a whole number"),
        (["sim.dayz=3"], "unknown setting 'sim.dayz'"),
        (["+sim.extra=3"], "unknown setting 'sim.extra'"),
        (["network=nope"], "Could not find 'network/nope'"),
        (
            ["policy=nope"],
            "Available options in 'policy': ics_pool, lead_provider, "
            "national_escalation, none, reciprocal, trust_gated",
        ),
        (["candour.mean=1.5"], "candour.mean: 1.5 is not allowed; expected a number in [0, 1]"),
        (["candour.mean=0.9", "candour.spread=0.4"], "candour.spread: 0.4 is not allowed"),
        (["network=file"], "the file preset needs network.providers_file"),
        (["network.partners=[community,hospice]"], "unknown kind 'hospice'"),
        (["policy.params.x=1"], "unknown setting 'policy.params.x'"),
        (["network.initial_trust=0.3"], "network.initial_trust is no longer a setting; use trust"),
        (["+network.initial_trust=0.3"], "network.initial_trust is no longer a setting; use"),
        # counts and costs that would overflow the engine's integers (issue 14)
        (
            ["demand.scale=1e18"],
            "demand.scale: 1e+18 is not allowed; expected a number in [0, 100]",
        ),
        (["network.acute_beds_median=1e17"], "network.acute_beds_median: 1e+17 is not allowed"),
        (["aid.cost=1e308"], "aid.cost: 1e+308 is not allowed; expected a number in [0, 1e+07]"),
        (["aid.cost_per_minute=1e300"], "aid.cost_per_minute: 1e+300 is not allowed"),
        # durations that size the engine's arrays (201 GiB asked for at sim.days=1e9)
        (["sim.days=1e9"], "sim.days: 1000000000.0 is not allowed"),
        (["sim.max_wait_days=1e9"], "sim.max_wait_days: 1000000000.0 is not allowed"),
        (["aid.delay_days=1e12"], "aid.delay_days: 1000000000000.0 is not allowed"),
        (["aid.loan_days=1e9"], "aid.loan_days: 1000000000.0 is not allowed"),
        (["discharge.los_horizon_days=1e9"], "discharge.los_horizon_days: 1000000000.0 is not"),
    ],
)
def test_bad_values_give_one_line_naming_the_field(overrides, expected):
    with pytest.raises(ConfigError) as err:
        load_config(overrides)
    message = str(err.value)
    assert expected in message
    assert "\n" not in message


def test_a_scenario_sets_its_factors_and_a_command_line_override_wins():
    cfg = load_config(["scenario=competition_history"])
    assert (cfg.scenario, cfg.trust.initial, cfg.candour.mean) == ("competition_history", 0.15, 0.7)
    cfg = load_config(["scenario=competition_history", "trust.initial=0.9", "culture=blame"])
    assert cfg.trust.initial == 0.9 and cfg.culture.harm_loss == 0.2
    surge = load_config(["scenario=covid_surge"])
    assert surge.mandate.days == surge.demand.shocks[0].days == 90


def test_unknown_policy_lists_the_known_ones():
    from collabsim.policies import make_policy

    with pytest.raises(ConfigError, match=r"unknown policy 'nope'; known: .*none"):
        make_policy("nope")


def test_policy_rejects_unknown_parameters():
    from collabsim.policies import make_policy

    with pytest.raises(ConfigError, match="unknown parameter for policy 'none'"):
        make_policy("none", {"tolerance": 1})


def test_flatten_gives_one_column_per_parameter():
    flat = flatten(to_dict(Config()))
    assert flat["sim.days"] == 365.0 and flat["network.preset"] == "small"
    assert "demand.weekly" in flat


def test_set_setting_sets_a_dotted_key_making_missing_sections():
    data = {"aid": {"cost": 1.0}}
    set_setting(data, "aid.cost", 2.0)
    set_setting(data, "policy.params.tolerance", 3)
    set_setting(data, "seed", 4)
    assert data == {"aid": {"cost": 2.0}, "policy": {"params": {"tolerance": 3}}, "seed": 4}
    with pytest.raises(ConfigError, match="unknown setting 'aid.cost.x'"):
        set_setting(data, "aid.cost.x", 1)


def test_hourly_time_resolves_hours_and_decides_four_times_a_day():
    cfg = load_config(["time=hourly"])
    assert cfg.sim.step_days * 24 == pytest.approx(1.0) and cfg.sim.decision_steps == 6
    assert len(cfg.demand.hourly) == len(cfg.discharge.hourly) == 24
    discharges = np.array(cfg.discharge.hourly) / sum(cfg.discharge.hourly)
    assert discharges[:12].sum() == pytest.approx(0.176, abs=0.005)  # before noon (HSJ FOI)
    assert discharges[23] + discharges[:6].sum() == pytest.approx(0.035, abs=0.005)  # night
    daily = load_config(["time=daily"])
    assert daily == load_config([])  # the default: the settings' own defaults


def test_a_decision_interval_must_be_whole_steps():
    with pytest.raises(ConfigError, match="sim.decision_days: 0.3 must be a whole number of steps"):
        from_dict({"sim": {"step_days": 0.25, "decision_days": 0.3}})
