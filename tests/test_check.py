"""``collabsim check``: each provider's load against its beds, before a run (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from collabsim import load_config
from collabsim.check import LINK_COLUMN_DOCS, PROVIDER_COLUMN_DOCS, judge, loads
from collabsim.cli import main
from collabsim.network import LINK_COLUMNS, PROVIDER_COLUMNS
from tests.helpers import run, run_dirs, write

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "small_ics"

# A1 over its beds (42 a day x 7 days + 0.25 x 42 x 4.4 delayed = 340.2 beds of 300: 113 %);
# everyone else well within theirs.
OVER = """id,name,kind,region,capacity,demand_per_day,mean_los_days
A1,North General,acute,North,300,42,7.0
A2,South General,acute,South,250,30,6.0
C1,North Community,community,North,300,2,20
S1,North Social Care,social_care,North,300,1.5,28
"""
LINKS = """source,target,travel_minutes,initial_trust
A1,A2,40,0.6
A1,C1,15,0.8
A1,S1,20,0.7
"""


def file_args(providers: str | Path, links: str | Path) -> list[str]:
    return ["network=file", f"network.providers_file={providers}", f"network.links_file={links}"]


EXAMPLE_ARGS = file_args(EXAMPLES / "providers.csv", EXAMPLES / "links.csv")


def check(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    """``collabsim check ARGS`` in this process: (exit status, stdout, stderr)."""
    try:
        main(["check", *args])
        status = 0
    except SystemExit as exc:
        status = exc.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_example_files_pass(capsys):
    status, out, err = check(EXAMPLE_ARGS, capsys)
    assert (status, err) == (0, ""), err
    assert "ok: every provider's implied occupancy is at most 100 %" in out
    lines = out.splitlines()
    assert not [line for line in lines if line.startswith("warning:") or line.endswith("OVER")]
    for pid in ("NGH", "RDH", "NCH", "NSC", "NMH"):  # every provider is in the table
        assert f"\n  {pid} " in out
    # a small ICS: two acute trusts, a community, a social-care and a mental-health provider
    lo = loads(load_config(EXAMPLE_ARGS))
    assert sorted(lo.kinds) == sorted(["acute", "acute", "community", "social_care",
                                       "mental_health"])  # fmt: skip
    assert (lo.occupancy > 0.8).all() and (lo.occupancy < 0.95).all()  # plausibly busy


def test_the_default_system_passes(capsys):
    status, out, _ = check([], capsys)
    assert status == 0 and "network small" in out and "ok: every provider" in out


def test_loads_are_the_engines_initial_occupancy():
    """The check's loads are what the engine fills beds with at the start (ODD 5), before
    rounding: treatment (own + pathway) and delayed discharges, provider by provider."""
    from collabsim.model import CollabModel

    config = load_config([*EXAMPLE_ARGS, "sim.days=10", "sim.warmup_days=1"])
    lo = loads(config)
    state = CollabModel(config).engine.state
    np.testing.assert_allclose(state.in_treatment[0], lo.own + lo.pathway, atol=0.5)
    np.testing.assert_allclose(state.delayed, lo.delayed, atol=0.5)
    # by hand: each acute trust sends a quarter of its patients, split over its 2 partners
    i = lo.ids.index("NCH")
    assert lo.inflow[i] == pytest.approx(0.25 * (75 + 48) / 2)
    assert lo.pathway[i] == pytest.approx(0.25 * (75 + 48) / 2 * 21)
    assert lo.delayed[lo.ids.index("NGH")] == pytest.approx(0.25 * 75 * 4.4)


def test_a_system_over_capacity_is_warned_about_by_name(tmp_path, capsys):
    status, out, err = check(file_args(*write(tmp_path, OVER, LINKS)), capsys)
    assert (status, err) == (0, "")
    warnings = [line for line in out.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, out
    assert "A1 (North General) implied occupancy 113 % (above 100 %)" in warnings[0]
    assert "grow without bound" in warnings[0] and "delayed discharges 46.2" in warnings[0]
    assert "1 warning(s)" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["links.csv", "providers.csv"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        # demand and no beds
        ("A2,South General,acute,South,0,30,6.0", "A2 (South General) has patients"),
        # 30 a day for 6 days in 100 beds: 180 %
        ("A2,South General,acute,South,100,30,6.0", "A2 (South General) implied occupancy 180 %"),
    ],
)
def test_an_impossible_system_is_refused_in_one_line(tmp_path, capsys, row, message):
    providers = OVER.replace("A2,South General,acute,South,250,30,6.0", row)
    status, out, err = check(file_args(*write(tmp_path, providers, LINKS)), capsys)
    assert status == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("collabsim: error: check: refused") and message in err
    assert "at most 150 %" in err
    assert "REFUSED" in out  # the table still shows why
    assert sorted(p.name for p in tmp_path.iterdir()) == ["links.csv", "providers.csv"]


def test_refusal_rule():
    config = load_config(EXAMPLE_ARGS)
    lo = loads(config)
    assert judge(lo).refused == [] and judge(lo).over == []
    config.demand.scale = 1.1  # 101 % at the busiest: a warning, not a refusal
    assert judge(loads(config)).over and not judge(loads(config)).refused
    config.demand.scale = 1.7  # everyone above 150 %
    assert len(judge(loads(config)).refused) == lo.n


def test_columns_are_explained_with_units(capsys):
    assert tuple(c for c, _, _ in PROVIDER_COLUMN_DOCS) == PROVIDER_COLUMNS
    assert tuple(c for c, _, _ in LINK_COLUMN_DOCS) == LINK_COLUMNS
    status, out, _ = check(["--columns"], capsys)
    assert status == 0
    for column, unit, _ in (*PROVIDER_COLUMN_DOCS, *LINK_COLUMN_DOCS):
        assert f"  {column}  [{unit}]" in out
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Check your system first") :]
    for column in (*PROVIDER_COLUMNS, *LINK_COLUMNS):
        assert f"| `{column}` |" in section


def test_mistakes_are_one_line(capsys):
    status, _, err = check(["sim.dayz=5"], capsys)
    assert status == 2 and err.count("\n") == 1 and "unknown setting 'sim.dayz'" in err
    status, _, err = check(["--bogus"], capsys)
    assert status == 2 and "unrecognized arguments: --bogus" in err


@pytest.mark.slow
def test_the_command_as_a_user_runs_it(tmp_path):
    done = run(["check", *EXAMPLE_ARGS], tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "Step-down places against the acute outflow" in done.stdout
    p, lk = write(tmp_path, OVER.replace("300,2,20", "0,2,20"), LINKS)  # community: no places
    done = run(["check", *file_args(p, lk)], tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert "C1 (North Community) has patients" in done.stderr
    assert sorted(q.name for q in tmp_path.iterdir()) == ["links.csv", "providers.csv"]


@pytest.mark.slow
def test_the_example_files_run(tmp_path):
    done = run([*EXAMPLE_ARGS, "sim.days=60", "sim.warmup_days=10", "output.figures=false"],
               tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (run_dir,) = run_dirs(tmp_path)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert (summary["providers"], summary["links"], summary["lost"]) == (5, 16, 0)
