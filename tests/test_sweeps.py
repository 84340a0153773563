"""Sweeps end to end: replications in a job, launchers, batches, resuming, failures,
the results database, reports and bad input, run as a user runs them."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import collabsim
from tests.helpers import PROVIDERS, run, write

ROOT = Path(__file__).parents[1]

MEASURES = ["mean_wait_days", "p95_wait_days", "transfers", "loans", "aid_cost",
            "harm_events", "mean_trust", "arrivals"]  # fmt: skip
SMALL = ["replications=2", "sim.days=60", "sim.warmup_days=10", "demand.scale=1.05",
         "aid.kinds=both", "output.figures=false"]  # fmt: skip
SWEEP = ["-m", "policy=none,ics_pool,trust_gated", *SMALL]


def rows(sweep: Path) -> pd.DataFrame:
    frames = [pd.read_parquet(p) for p in sorted(sweep.glob("*/runs.parquet"))]
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["policy.name", "seed"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def basic(tmp_path_factory) -> Path:
    """The sweep on Hydra's basic launcher: the reference for every other launcher."""
    cwd = tmp_path_factory.mktemp("basic")
    done = run([*SWEEP, "hydra.sweep.dir=sweep"], cwd)
    assert done.returncode == 0, done.stderr
    return cwd / "sweep"


def test_replications_run_in_one_job_on_consecutive_seeds():
    """Three replications in one job (network and model built once, reset per seed)
    give exactly the runs made one by one with seeds 5, 6 and 7."""
    from collabsim.job import run_replications

    cfg = collabsim.load_config(["seed=5", "policy=trust_gated", "sim.days=60",
                                 "sim.warmup_days=10", "demand.scale=1.05"])  # fmt: skip
    result = run_replications(cfg, 3)
    assert result.rows["seed"].tolist() == [5, 6, 7]
    for r, seed in enumerate((5, 6, 7)):
        alone = collabsim.simulate(collabsim.load_config(
            ["policy=trust_gated", "sim.days=60", "sim.warmup_days=10", "demand.scale=1.05",
             f"seed={seed}"])).summary  # fmt: skip
        for m in MEASURES:
            assert result.rows[m].iloc[r] == pytest.approx(alone[m], nan_ok=True), m
    assert result.summary["replications"] == 3
    assert result.summary["ci95"]["mean_wait_days"]["n"] == 3


@pytest.mark.slow
def test_the_basic_sweep_writes_one_complete_directory_per_point(basic):
    table = rows(basic)
    assert len(table) == 6 and sorted(table["policy.name"].unique()) == [
        "ics_pool", "none", "trust_gated"]  # fmt: skip
    for d in sorted(p for p in basic.iterdir() if p.is_dir() and not p.name.startswith(".")):
        assert {"summary.json", "runs.parquet", "series.parquet", "providers.parquet"} <= {
            p.name for p in d.iterdir()}  # fmt: skip
    # the same seeds at every point: comparisons between points are paired
    assert table.groupby("policy.name")["seed"].apply(list).map(tuple).nunique() == 1


LAUNCHERS = {
    "joblib": ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"],
    "submitit_local": ["hydra/launcher=submitit_local"],
    "ray": ["hydra/launcher=ray", "+hydra.launcher.ray.init.num_cpus=2",
            "+hydra.launcher.ray.init.include_dashboard=false"],
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_every_launcher_gives_the_basic_launchers_results(basic, tmp_path, launcher):
    if launcher == "ray":
        pytest.importorskip("ray", reason="the [ray] extra is not installed")
        pytest.importorskip("hydra_plugins.hydra_ray_launcher")
    done = run([*SWEEP, *LAUNCHERS[launcher], "hydra.sweep.dir=sweep"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    ours, reference = rows(tmp_path / "sweep"), rows(basic)
    pd.testing.assert_frame_equal(ours[MEASURES], reference[MEASURES])


@pytest.mark.slow
def test_batched_points_match_one_job_per_point(tmp_path):
    """A big sweep's points run in batches (fewer Hydra jobs); each point keeps its own
    directory and number, and its results are the same as one job per point."""
    args = ["-m", "aid.cost=range(0,4)", "policy=none,ics_pool", *SMALL]
    one = run([*args, "hydra.sweeper.points_per_job=1", "hydra.sweep.dir=one"], tmp_path)
    batched = run([*args, "hydra.sweeper.points_per_job=3", "hydra.sweep.dir=batched"],
                  tmp_path)  # fmt: skip
    assert one.returncode == 0 and batched.returncode == 0, batched.stderr
    # really batched: 2 jobs of at most 3 points for each policy, not 8 jobs
    assert len(list((tmp_path / "batched" / ".points").glob("*.json"))) == 4
    for number in range(8):
        a = pd.read_parquet(tmp_path / "one" / str(number) / "runs.parquet")
        b = pd.read_parquet(tmp_path / "batched" / str(number) / "runs.parquet")
        assert (a["aid.cost"].iloc[0], a["policy.name"].iloc[0]) == (
            b["aid.cost"].iloc[0], b["policy.name"].iloc[0])  # fmt: skip
        pd.testing.assert_frame_equal(a[MEASURES], b[MEASURES])


@pytest.mark.slow
def test_a_killed_sweep_keeps_finished_runs_and_resumes_only_the_missing(tmp_path):
    args = ["-m", "sim.days=20,3000", "network=england", "calibration=none", "time=daily",
            "replications=6", "sim.warmup_days=5",
            "output.figures=false", "hydra.sweep.dir=sweep"]  # fmt: skip
    first = tmp_path / "sweep" / "0" / "summary.json"
    second = tmp_path / "sweep" / "1" / "summary.json"
    proc = subprocess.Popen([sys.executable, "-m", "collabsim", *args], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 240
    while not first.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # as a cluster's time limit would
    proc.wait()
    assert first.exists() and not second.exists()
    kept = first.stat().st_mtime_ns
    done = run(args, tmp_path)  # the same command, the same sweep directory
    assert done.returncode == 0, done.stderr
    assert "0: already finished, kept" in done.stdout
    assert second.exists() and first.stat().st_mtime_ns == kept


# A point that passes every check before the sweep and fails as it runs (the command line
# with run_replications failing for seed 2, as a bug or a machine's fault would).
FAIL_SEED_2 = """
import sys
import collabsim.job as job
real = job.run_replications
def run_replications(config, *args, **kwargs):
    if config.seed == 2:
        raise RuntimeError("this point failed as it ran")
    return real(config, *args, **kwargs)
job.run_replications = run_replications
from collabsim.cli import main
main(sys.argv[1:])
"""


@pytest.mark.slow
def test_a_failing_run_is_listed_the_sweep_goes_on_and_a_rerun_retries_it(tmp_path):
    args = ["-m", "seed=2,1", "sim.days=30", "sim.warmup_days=5", "output.figures=false",
            "hydra.sweep.dir=sweep"]  # fmt: skip
    done = subprocess.run([sys.executable, "-c", FAIL_SEED_2, *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 1
    assert "1 of 2 runs failed" in done.stderr and "this point failed as it ran" in done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "sweep" / "0" / "error.json").exists()  # the first point failed,
    assert (tmp_path / "sweep" / "1" / "summary.json").exists()  # the sweep went on
    collected = run(["collect", "sweep"], tmp_path)
    assert collected.returncode == 0 and "1 failed job(s)" in collected.stdout
    again = run(args, tmp_path)  # the same command, now without the failure
    assert again.returncode == 0, again.stderr
    assert "1: already finished, kept" in again.stdout
    assert (tmp_path / "sweep" / "0" / "summary.json").exists()
    assert not (tmp_path / "sweep" / "0" / "error.json").exists()


@pytest.mark.slow
def test_collect_builds_a_queryable_database_idempotently(basic, tmp_path):
    import duckdb

    sweep = tmp_path / "sweep"
    shutil.copytree(basic, sweep)
    for _ in range(2):  # again: the same tables, not twice the rows
        done = run(["collect", str(sweep)], tmp_path)
        assert done.returncode == 0, done.stderr
        assert "3 job(s): 6 runs, 360 series rows, " in done.stdout
        assert "0 failed" in done.stdout
    con = duckdb.connect(str(sweep / "results.duckdb"), read_only=True)
    by_policy = con.sql(
        'SELECT "policy.name" AS policy, count(*) AS n, '
        "avg(mean_wait_days) AS wait FROM runs GROUP BY 1 ORDER BY 1"
    ).df()
    assert by_policy["policy"].tolist() == ["ics_pool", "none", "trust_gated"]
    assert by_policy["n"].tolist() == [2, 2, 2]
    expected = rows(basic).groupby("policy.name")["mean_wait_days"].mean()
    assert by_policy["wait"].tolist() == pytest.approx(expected.tolist())
    steps = con.execute("SELECT count(DISTINCT step) FROM series").fetchall()[0][0]
    assert steps == 60
    # the runs with plain column names: no quotes needed
    plain = con.sql(
        "SELECT policy__name AS policy, avg(mean_wait_days) AS wait FROM runs_plain "
        "GROUP BY 1 ORDER BY 1"
    ).df()
    assert plain["wait"].tolist() == pytest.approx(by_policy["wait"].tolist())
    # every table each run wrote, all of its rows
    for table in ("providers", "regions", "quarters", "links"):
        written = sum(len(pd.read_parquet(p)) for p in sweep.rglob(f"{table}.parquet"))
        assert written > 0
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == written  # noqa: S608
    con.close()


@pytest.mark.slow
def test_the_planner_workflow_own_providers_two_what_ifs_one_report(tmp_path):
    """Own providers as CSV, one command comparing two what-ifs in a winter, one report
    a board reads: the conclusion first, what went in, the patients affected, requests
    made and met, who waited and gave, every name escaped, tables also as CSV."""
    write(tmp_path, PROVIDERS.replace("South General", "South <b>General</b> & Co"))
    done = run(["-m", "network=file", "network.providers_file=providers.csv",
                "network.links_file=links.csv", "policy=ics_pool,trust_gated",
                "scenario=winter", "replications=3", "sim.days=90", "sim.warmup_days=20",
                "hydra.sweep.dir=whatif"], tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = run(["report", "whatif"], tmp_path)
    assert report.returncode == 0, report.stderr
    page = (tmp_path / "whatif" / "report.html").read_text()
    assert "policy=ics_pool" in page and "policy=trust_gated" in page
    assert "Compared with policy=ics_pool" in page and "95 % confidence" in page
    images = page.count("<img ")
    inline = len(re.findall(r"src=[\"']data:image/png;base64,", page))
    assert images >= 3 and inline == images  # self-contained
    assert "http://" not in page and "https://" not in page
    ids = _ids(page)
    for section in ("summary", "inputs", "patients", "headline", "compared", "requests",
                    "providers", "map"):  # fmt: skip
        assert section in ids, section
    assert page.index('id="summary"') < page.index('id="headline"')  # the conclusion first
    summary = page[page.index('id="summary"') : page.index('id="inputs"')]
    assert "hours" in summary and ("chance" in summary)
    assert "None of these what-ifs is <code>policy=none</code>" in page  # a baseline prompt
    assert "South &lt;b&gt;General&lt;/b&gt; &amp; Co" in page and "<b>General</b>" not in page
    assert "North General" in page and "12-hour waits a quarter" in page
    assert "Scenario winter sets" in page and "demand.winter_amplitude=0.06" in page
    assert "Unequal waits between regions" in page  # two regions: it means something
    for table in ("patients_affected", "requests", "providers_0", "providers_1"):
        frame = pd.read_csv(tmp_path / "whatif" / "tables" / f"{table}.csv")
        assert len(frame) >= 2, table
    for name in ("waits.png", "trust.png", "network.png"):
        assert (tmp_path / "whatif" / "figures" / name).read_bytes()[:4] == b"\x89PNG"
    other = run(["report", "whatif", "--baseline", "policy=trust_gated", "--out", "board.html"],
                tmp_path)  # fmt: skip
    assert other.returncode == 0 and "Compared with policy=trust_gated" in (
        tmp_path / "board.html").read_text()  # fmt: skip


def _ids(page: str) -> set[str]:
    """The ids of a page's elements, read by a real HTML parser (the page must parse)."""
    from html.parser import HTMLParser

    found: set[str] = set()

    class Ids(HTMLParser):
        def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN202
            found.update(v for k, v in attrs if k == "id" and v)

    Ids().feed(page)
    return found


@pytest.mark.slow
def test_a_report_on_a_trust_sweep_shows_the_trust_dividend(tmp_path):
    done = run(["-m", "policy=trust_gated", "trust.initial=0.0,1.0", "aid.delay_days=3",
                "trust.drift_per_day=0", "replications=3", "sim.days=120",
                "sim.warmup_days=20", "demand.scale=1.05", "output.figures=false",
                "hydra.sweep.dir=trust"], tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert run(["report", "trust"], tmp_path).returncode == 0
    page = (tmp_path / "trust" / "report.html").read_text()
    assert "Wait saved (hours)" in page and "trust.initial" in page
    assert (tmp_path / "trust" / "figures" / "trust_dividend.png").exists()
    assert "Unequal waits between regions" not in page  # one region: it would mean nothing
    # a trust's own template: branded, extended, fed the same numbers
    (tmp_path / "ours.html.j2").write_text(
        "<h1>Northshire ICS</h1><p class='ours'>{{ summary[0] }}</p>{{ affected }}"
    )
    ours = run(["report", "trust", "--template", "ours.html.j2", "--out", "ours.html",
                "--bed-day-cost", "400"], tmp_path)  # fmt: skip
    assert ours.returncode == 0, ours.stderr
    branded = (tmp_path / "ours.html").read_text()
    assert "Northshire ICS" in branded and "hours" in branded and "<table" in branded
    costed = pd.read_csv(tmp_path / "tables" / "patients_affected.csv")
    # (bed-days are shown whole: their cost, from the unrounded mean, within half a day's)
    assert costed["cost of bed-days lost (GBP)"].tolist() == pytest.approx(
        (costed["bed-days lost to delayed discharge"] * 400).tolist(), abs=201
    )
    bad = run(["report", "trust", "--bed-day-cost", "-5"], tmp_path)
    assert bad.returncode == 2 and "--bed-day-cost" in bad.stderr
    broken = run(["report", "trust", "--template", "nope.j2"], tmp_path)
    assert broken.returncode == 2 and "nope.j2: no such file" in broken.stderr
    # a template is a page, not a program: reaching Python's internals is refused
    (tmp_path / "evil.html.j2").write_text(
        "{{ lipsum.__globals__['os'].popen('echo pwned').read() }}"
    )
    evil = run(["report", "trust", "--template", "evil.html.j2", "--out", "e.html"], tmp_path)
    assert evil.returncode == 2 and "pwned" not in evil.stdout + evil.stderr
    assert not (tmp_path / "e.html").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["collect", "nowhere"], "nowhere: no such directory"),
        (["report", "nowhere"], "nowhere: no such directory"),
        (["collect", "afile.txt"], "afile.txt: not a directory"),
        (["collect", "empty"], "empty: no finished runs to collect"),
        (["report", "empty"], "empty: no finished runs to report on"),
        (["report"], "the following arguments are required: directory"),
        (["collect", "empty", "--colour"], "unrecognized arguments: --colour"),
        (["-m", "trust.initial=0.2,1.5"], "sweep value trust.initial=1.5: trust.initial"),
        (["-m", "policy=none,bogus"], "Could not find 'policy/bogus'"),
        (["-m", "scenario=winter,utopia"], "Could not find 'scenario/utopia'"),
        (["-m", "sim.dayz=1,2"], "unknown setting 'sim.dayz'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, args, message):
    (tmp_path / "afile.txt").write_text("not a sweep")
    (tmp_path / "empty").mkdir()
    done = run(args, tmp_path)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "outputs").exists() and not (tmp_path / "multirun").exists()
    assert sorted(p.name for p in (tmp_path / "empty").iterdir()) == []


@pytest.mark.slow
def test_report_rejects_an_unknown_baseline(basic, tmp_path):
    done = run(["report", str(basic), "--baseline", "policy=nothing",
                "--out", str(tmp_path / "r.html")], tmp_path)  # fmt: skip
    assert done.returncode == 2 and "no what-if matches" in done.stderr
    assert "policy=ics_pool" in done.stderr and not (tmp_path / "r.html").exists()


EXPERIMENTS = sorted((ROOT / "configs" / "experiment").glob("*.yaml"))


def sweep_size(path: Path) -> int:
    """Points of an experiment's sweep counted from its file, independently of
    ``check_points``: the product of the number of values of each swept setting."""
    from omegaconf import OmegaConf

    params = OmegaConf.to_container(OmegaConf.load(path).hydra.sweeper.params)
    for key, values in params.items():
        assert "(" not in str(values), f"{path.name}: {key}: count a range() or choice() here"
    return math.prod(len(str(values).split(",")) for values in params.values())


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_each_experiment_is_a_valid_sweep_with_its_own_folder(path):
    from omegaconf import OmegaConf

    from collabsim.settings import compose
    from collabsim.sweep import check_points

    name = path.stem
    cfg = compose([f"experiment={name}"], with_hydra=True)
    params = OmegaConf.to_container(cfg.hydra.sweeper.params)
    assert check_points([f"experiment={name}"], params) == sweep_size(path) > 1
    assert cfg.hydra.sweep.dir == f"outputs/experiments/{name}"
    readme = (ROOT / "experiments" / name / "README.md").read_text()
    assert f"collabsim -m experiment={name}" in readme


def test_the_experiment_configs_are_found():
    """The pattern finds them (an empty parametrisation above would pass silently);
    experiments/ may hold folders that are no sweep (calibration)."""
    assert len(EXPERIMENTS) >= 5


def test_progress_bar_only_on_a_terminal(capsys):
    from collabsim.job import Progress

    quiet = Progress(100, "run")  # pytest's stderr is not a terminal
    assert quiet.bar is None
    loud = Progress(100, "run", enabled=True)
    loud.update(50)
    loud.close()
    assert "run" in capsys.readouterr().err


def test_the_sweep_watch_counts_jobs_from_overrides_and_experiment_params():
    from collabsim.sweep import count_jobs

    assert count_jobs(["policy=none,ics_pool", "seed=1,2,3", "sim.days=10"]) == 6
    assert count_jobs(["aid.cost=range(0,10)"], {"policy": "none,ics_pool"}) == 20
    assert count_jobs(["policy=none"], {"policy": "none,ics_pool,reciprocal"}) == 1


@pytest.mark.slow
def test_tables_written_per_point_hold_every_replication(basic):
    point = basic / "0"
    summary = json.loads((point / "summary.json").read_text())
    assert summary["replications"] == 2 and summary["overrides"][0].startswith("policy=")
    series = pd.read_parquet(point / "series.parquet")
    assert sorted(series["replication"].unique()) == [0, 1] and len(series) == 120
    providers = pd.read_parquet(point / "providers.parquet")
    assert len(providers) == 2 * summary["providers"]


def test_many_what_ifs_are_drawn_in_panels_by_their_first_setting():
    from collabsim.report.figures import panels_of

    few = ["policy=none", "policy=ics_pool"]
    assert panels_of(few) == {"": few}
    policies = ("none", "ics_pool", "trust_gated", "reciprocal", "lead_provider")
    many = [f"scenario={s}, policy={p}" for s in ("baseline", "winter") for p in policies]
    panels = panels_of(many)
    assert list(panels) == ["scenario=baseline", "scenario=winter"]
    assert panels["scenario=winter"] == many[5:]


@pytest.mark.slow
def test_a_sweep_reads_its_points_from_a_file_and_resumes(tmp_path):
    """A sampled design (a setting per column, a point per row) runs through the same
    sweeper: each row a point numbered in file order, and a rerun keeps finished points."""
    rows = [(0.2 + 0.013 * k, 100 + 7 * k) for k in range(42)]  # 42 points: batched jobs
    (tmp_path / "design.csv").write_text(
        "trust.initial,aid.cost\n" + "".join(f"{t:.3f},{c}\n" for t, c in rows)
    )
    args = ["-m", "policy=trust_gated", "sim.days=20", "sim.warmup_days=5",
            "output.figures=false", "output.series=false",
            "hydra.sweeper.points_file=design.csv", "hydra.sweep.dir=lhs"]  # fmt: skip
    done = run(args, tmp_path)
    assert done.returncode == 0, done.stderr
    for k, (t, c) in enumerate(rows):
        config = json.loads((tmp_path / "lhs" / str(k) / "summary.json").read_text())["config"]
        assert config["trust.initial"] == pytest.approx(round(t, 3))
        assert config["aid.cost"] == c and config["policy.name"] == "trust_gated"
    assert len(list((tmp_path / "lhs" / ".points").glob("*.json"))) < len(rows)  # batched
    again = run(args, tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("already finished, kept") == len(rows)


@pytest.mark.parametrize(
    ("design", "extra", "message"),
    [
        ("trust.initial\n0.2\n1.5\n", [], "trust.initial"),
        ("trust.initial\n0.2\n", ["sim.days=30,40"], "not both"),
        ("trust.initial\n0.2\n", ["trust.initial=0.5"], "set both in the file and here"),
        ("trust.initial\n", [], "has no points"),
        ("trust.initial,aid.cost\n0.2,\n", [], "point 1: no value for aid.cost"),
        ("no.such.setting\n1\n", [], "unknown setting"),
    ],
)
def test_a_bad_points_file_is_one_line_and_nothing_runs(tmp_path, design, extra, message):
    (tmp_path / "design.csv").write_text(design)
    points = ["hydra.sweeper.points_file=design.csv", "hydra.sweep.dir=out"]
    done = run(["-m", "sim.days=20", "sim.warmup_days=5", *extra, *points], tmp_path)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_many_what_ifs_read_at_a_glance(tmp_path):
    """Seven what-ifs: a forest plot of every one against the baseline, words for the five
    largest changes, and the rest named as being in the figure and the table."""
    done = run(["-m", "policy=trust_gated", "aid.delay_days=0,1,2,3,4,5,6", "replications=2",
                "sim.days=40", "sim.warmup_days=5", "output.figures=false",
                "hydra.sweep.dir=many"], tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert run(["report", "many"], tmp_path).returncode == 0
    page = (tmp_path / "many" / "report.html").read_text()
    assert (tmp_path / "many" / "figures" / "against_baseline.png").read_bytes()[:4] == b"\x89PNG"
    assert 'alt="every what-if against aid.delay_days=0' in page
    assert "The other 1 what-if(s) changed waits less" in page
    compared = page[page.index('id="compared"') : page.index('id="requests"')]
    assert compared.count("<tr>") == 1 + 6  # the table still lists every what-if


def test_a_points_file_is_checked_row_by_row(tmp_path):
    """Each row is the point it is: a valid row is not refused because of another row's
    value, and an invalid pair inside one row is found before anything runs."""
    (tmp_path / "good.csv").write_text("sim.days,sim.warmup_days\n100,50\n300,200\n")
    points = ["hydra.sweeper.points_file=good.csv", "hydra.sweep.dir=good",
              "output.figures=false", "output.series=false"]  # fmt: skip
    done = run(["-m", *points], tmp_path)
    assert done.returncode == 0, done.stderr
    (tmp_path / "bad.csv").write_text("sim.days,sim.warmup_days\n100,50\n300,400\n")
    bad = run(["-m", "hydra.sweeper.points_file=bad.csv", "hydra.sweep.dir=bad"], tmp_path)
    assert bad.returncode == 2 and "point 2" in bad.stderr and "sim.warmup_days" in bad.stderr
    assert not (tmp_path / "bad").exists()


def test_quoted_values_keep_their_backslashes():
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from collabsim.sweep import quoted

    parser = OverridesParser.create()
    for text in ["C:\\\\dir x\\\\file.csv", "it's", "ends\\\\", "a\\\\'b"]:
        assert parser.parse_overrides([f"k={quoted(text)}"])[0].value() == text
