"""The command line, end to end, in a subprocess as a user runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import LINKS, PROVIDERS, run, run_dirs, write

pytestmark = pytest.mark.slow  # every test here runs the command in a subprocess


def test_default_run_writes_complete_outputs(tmp_path):
    done = run([], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "mean wait for a bed" in done.stdout and "outputs:" in done.stdout
    (run_dir,) = run_dirs(tmp_path)
    assert str(run_dir) in done.stdout
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["network"] == "small" and summary["policy"] == "none"
    assert summary["steps"] == 365 and summary["seed"] == 1
    assert summary["arrivals"] == summary["admissions"] + summary["waiting_end"] + summary["lost"]
    assert summary["config"]["sim.days"] == 365.0
    series = pd.read_parquet(run_dir / "series.parquet")
    assert len(series) == 365 and series["arrivals"].sum() == summary["arrivals"]
    providers = pd.read_parquet(run_dir / "providers.parquet")
    assert len(providers) == summary["providers"]
    assert (run_dir / "waits_occupancy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(run_dir.glob(".*.tmp"))  # no temporary files left behind
    # then the point of the tool: one winter isolated, sharing at low and at high trust
    block = done.stdout[done.stdout.index("What collaboration changes in a winter") :]
    found = re.findall(r"12-hour waits\s+([\d,]+) a quarter", block)
    waits = [int(m.replace(",", "")) for m in found]
    assert len(waits) == 3 and waits[0] > waits[1] > waits[2]
    assert "the trust dividend" in block and "collabsim dashboard" in block


def test_a_run_with_settings_does_not_add_the_demonstration(tmp_path):
    done = run(["sim.days=30", "sim.warmup_days=5"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "What collaboration changes" not in done.stdout


def test_overrides_and_python_dash_m(tmp_path):
    done = run(["network=england", "time=daily", "sim.days=40", "sim.warmup_days=10", "seed=9"],
               tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads((run_dirs(tmp_path)[0] / "summary.json").read_text())
    assert (summary["network"], summary["steps"], summary["seed"]) == ("england", 40, 9)
    assert summary["providers"] > 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sim.days=-5"], "sim.days: -5.0 is not allowed"),
        (["sim.dayz=5"], "unknown setting 'sim.dayz'"),
        (["network=nowhere"], "Could not find 'network/nowhere'"),
        (["policy=hope"], "Could not find 'policy/hope'"),
        (["scenario=utopia"], "Could not find 'scenario/utopia'"),
        (["culture=fear"], "Available options in 'culture': blame, learning"),
        (["aid.kinds=gifts"], "aid.kinds: 'gifts' is not allowed"),
        (["policy=reciprocal", "policy.params.generosity=2"], "policy.params.generosity: 2"),
        (["network=file", "network.providers_file=missing.csv", "network.links_file=x.csv"],
         "network.providers_file: cannot read"),
        (["sim.days=${sim.nope}"], "Interpolation key 'sim.nope' not found"),
        (["culture.name=${oc.env:NO_SUCH_VARIABLE_HERE}"], "calls the resolver 'oc.env'"),
        (["demand.scale=1e18"], "demand.scale: 1e+18 is not allowed"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args, message):
    done = run(args, tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "outputs").exists()


def test_bad_network_file_row_is_reported(tmp_path):
    p, lk = write(tmp_path, PROVIDERS, LINKS.replace("A1,C1", "A1,ZZ"))
    done = run(["network=file", f"network.providers_file={p}", f"network.links_file={lk}"],
               tmp_path)  # fmt: skip
    assert done.returncode == 2 and "target 'ZZ' is not a provider id" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "outputs").exists()


def test_own_providers_run_end_to_end(tmp_path):
    p, lk = write(tmp_path)
    done = run(["network=file", f"network.providers_file={p}", f"network.links_file={lk}",
                "sim.days=60", "sim.warmup_days=10"], tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads((run_dirs(tmp_path)[0] / "summary.json").read_text())
    assert summary["providers"] == 4 and summary["network"] == "file"


def test_multirun_writes_one_complete_run_per_job(tmp_path):
    done = run(["-m", "seed=1,2", "sim.days=30", "sim.warmup_days=5"], tmp_path)
    assert done.returncode == 0, done.stderr
    seeds = sorted(json.loads((d / "summary.json").read_text())["seed"] for d in run_dirs(tmp_path))
    assert seeds == [1, 2]


def test_every_policy_and_scenario_runs_from_the_command_line(tmp_path):
    """One multirun per factor (one process each): every job writes a complete run."""
    from collabsim.policies import available

    scenarios = sorted(p.stem for p in (Path(__file__).parents[1] / "configs" / "scenario")
                       .glob("*.yaml"))  # fmt: skip
    assert len(scenarios) >= 6
    short = ["sim.days=40", "sim.warmup_days=10", "output.figures=false"]
    for factor, names in (("policy", available()), ("scenario", scenarios)):
        done = run(["-m", f"{factor}={','.join(names)}", "aid.kinds=both", *short], tmp_path)
        assert done.returncode == 0, done.stderr
    ran = [json.loads((d / "summary.json").read_text()) for d in run_dirs(tmp_path)]
    assert sorted(s["policy"] for s in ran if s["scenario"] == "baseline") == sorted(
        [*available(), "none"]  # the scenario sweep ran its baseline under policy none too
    )
    assert sorted({s["scenario"] for s in ran}) == scenarios


def test_help_lists_the_config_groups(tmp_path):
    done = run(["--help"], tmp_path)
    assert done.returncode == 0
    assert "collabsim is powered by Hydra" in done.stdout
    assert "network: england, file, small, synthetic" in done.stdout
