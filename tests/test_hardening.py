"""Mistakes and misfortunes (issue 14): a huge network, a bad value or file anywhere in a
sweep, a setting that reads the environment, two sweeps into one directory, a full disk.
Each ends in one line on stderr with its exit status (2: the input's fault, 1: results
not written) and leaves nothing that looks complete (no summary.json, results.duckdb or
report.html)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from collabsim import load_config
from collabsim.errors import CollabsimError, ConfigError
from tests.helpers import LINKS, run, write

ROOT = Path(__file__).parents[1]
SHORT = ["sim.days=30", "sim.warmup_days=5", "output.figures=false"]


def cli(args: list[str], cwd: Path, driver: str | None = None) -> subprocess.CompletedProcess:
    """The command line in a subprocess; with ``driver``, Python run before it (to make
    the disk look full); a time limit well under a hang's."""
    start = ["-c", driver] if driver else ["-m", "collabsim"]
    return subprocess.run([sys.executable, *start, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def one_line(done: subprocess.CompletedProcess, status: int, message: str) -> None:
    assert done.returncode == status, (done.returncode, done.stderr)
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert done.stderr.startswith("collabsim: error: ") and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def complete(where: Path) -> list[Path]:
    """Files under ``where`` that say "finished"."""
    names = ("summary.json", "results.duckdb", "report.html")
    return [p for p in where.rglob("*") if p.name in names]


# ------------------------------------------------------------------ sizes of generated networks


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        ["network=england"],
        ["network=synthetic"],
        ["network=synthetic", "network.regions=7", "network.acute=30",
         "network.neighbour_regions=3"],
        ["network=synthetic", "network.regions=50", "network.acute=20"],
        ["network=synthetic", "network.regions=9", "network.acute=40",
         "network.neighbour_regions=0"],
    ],
)  # fmt: skip
def test_a_generated_networks_size_is_counted_without_making_it(overrides):
    from collabsim.network import generate, generated_size

    cfg = load_config(overrides)
    providers, links = generated_size(cfg.network)
    g = generate(cfg.network, cfg.pathway)
    assert providers == g.number_of_nodes()
    assert links >= g.number_of_edges()  # links to nearby regions: counted before deduplicating
    if cfg.network.neighbour_regions == 0 or "network=synthetic" not in overrides:
        assert links <= 1.3 * g.number_of_edges()


def test_nearest_regions_in_blocks_are_those_of_the_full_sort():
    from collabsim.network import _nearest

    rng = np.random.default_rng(3)
    for n in (2, 3, 42, 513, 1100):
        centres = rng.uniform(0, 1000, (n, 2))
        d = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=2)
        np.fill_diagonal(d, np.inf)
        k = min(3, n - 1)
        assert (np.argsort(d, axis=1)[:, :k] == _nearest(centres, k, block=100)).all()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["network.acute=1000000"], "1,000,300 providers and up to"),
        (["network.acute=100000"], "links; at most 100,000 providers and 2,000,000 links"),
        (["network.regions=5000", "network.partners=[community,social_care,mental_health,"
          "community,community,community,community,community,community,community,community,"
          "community,community,community,community,community,community,community,community,"
          "community,community]"], "105,300 providers"),
        (["network.regions=20000"], "network.regions: 20000 is not allowed"),
    ],
)  # fmt: skip
def test_a_huge_generated_network_is_refused_before_it_is_made(overrides, message):
    started = time.perf_counter()
    with pytest.raises(CollabsimError) as info:
        load_config(["network=synthetic", *overrides])
    assert message in str(info.value) and "\n" not in str(info.value)
    assert time.perf_counter() - started < 10


def test_a_big_generated_network_within_the_bounds_is_allowed():
    cfg = load_config(["network=synthetic", "network.regions=10000", "network.acute=10000"])
    assert cfg.network.regions == 10000


def test_a_run_that_needs_more_memory_than_the_machine_is_refused_with_the_estimate():
    from collabsim.budget import GIB, check_memory

    check_memory(load_config(SHORT))  # a small run fits
    long = load_config(["sim.days=36525", "sim.step_days=0.001"])
    with pytest.raises(ConfigError, match=r"needs about [\d.,]+ GiB of memory, mostly for the "
                                          r"series .* this machine has 1\.0 GiB"):  # fmt: skip
        check_memory(long, limit=GIB)
    loans = load_config(["network=england", "aid.loan_days=3650", "sim.step_days=0.01"])
    with pytest.raises(ConfigError, match="mostly for mutual aid in flight"):
        check_memory(loans, limit=GIB)


# --------------------------------------------------------------------- sweeps checked up front


@pytest.fixture
def files(tmp_path: Path) -> Path:
    write(tmp_path)  # providers.csv and links.csv
    (tmp_path / "bad.csv").write_text(LINKS.replace("A1,C1", "A1,ZZ"))
    return tmp_path


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["sim.days=-5,10"], "sweep value sim.days=-5: sim.days: -5.0 is not allowed"),
        (["sim.days=10,-5", "sim.warmup_days=5"], "sweep value sim.days=-5: sim.days: -5.0"),
        (["sim.days=10,20"], "sim.warmup_days: 60 must be less than sim.days (10)"),
        (["sim.days=-5"], "sim.days: -5.0 is not allowed"),
        (["policy=none,trust_gated", "sim.days=-5"], "sim.days: -5.0 is not allowed"),
        (["policy=none,trust_gated", "seed=1,2", "sim.days=-5"], "sim.days: -5.0"),
        (["network.links_file=bad.csv,links.csv"], "sweep value network.links_file=bad.csv: "),
        (["network.links_file=links.csv,bad.csv"], "'ZZ' is not a provider id"),
        (["network.links_file=links.csv,nowhere.csv"], "cannot read nowhere.csv"),
        (["network.links_file=bad.csv"], "bad.csv line 4: target 'ZZ' is not a provider id"),
        (["culture.name=a,${oc.env:HOME}"], "sweep value culture.name=${oc.env:HOME}: "),
        (["network=synthetic,small", "network.acute=1000000"], "1,000,000 acute providers"),
        (["+collabsim_points=x"], "unknown setting 'collabsim_points'"),
    ],
)  # fmt: skip
def test_every_value_of_a_sweep_and_its_files_are_checked_first(files, monkeypatch, overrides,
                                                                message):  # fmt: skip
    from collabsim.sweep import check_points

    monkeypatch.chdir(files)
    if any("links_file" in o for o in overrides):
        overrides = ["network=file", "network.providers_file=providers.csv", *overrides]
    with pytest.raises(ConfigError) as info:
        check_points(overrides)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_a_sweeps_files_are_read_once_each(files, monkeypatch):
    from collabsim import network
    from collabsim.sweep import check_points

    monkeypatch.chdir(files)
    read = []
    real = network.load_files
    monkeypatch.setattr(network, "load_files", lambda *a: read.append(a) or real(*a))
    jobs = check_points(["network=file", "network.providers_file=providers.csv",
                         "network.links_file=links.csv", "seed=1,2,3", "aid.cost=1,2"])  # fmt: skip
    assert jobs == 6 and read == [("providers.csv", "links.csv")]


# ------------------------------------------------------------- settings that call resolvers


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("${oc.env:HOME}", ["oc.env"]),
        ("x ${a.b} ${oc.decode:${oc.env:Y}}", ["oc.decode", "oc.env"]),
        ("${now:%Y}", ["now"]),
        ("${sim.days}", []),
        ("a ${b.c} d", []),
        ("\\${oc.env:HOME}", []),  # escaped: plain text
        ("plain", []),
        ("${oc.env:", []),  # not an interpolation: OmegaConf says so itself
    ],
)
def test_the_resolvers_an_interpolation_calls_are_found(text, names):
    from collabsim.settings import resolvers_in

    assert sorted(resolvers_in(text)) == sorted(names)


def test_load_config_refuses_a_setting_that_reads_the_environment(monkeypatch):
    monkeypatch.setenv("COLLABSIM_TEST_SECRET", "hunter2")
    with pytest.raises(ConfigError) as info:
        load_config(["culture.name=${oc.env:COLLABSIM_TEST_SECRET}"])
    assert "calls the resolver 'oc.env'" in str(info.value) and "hunter2" not in str(info.value)
    assert load_config(["sim.warmup_days=${sim.max_wait_days}"]).sim.warmup_days == 14.0


# ------------------------------------------------------------------ the command line, end to end


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["network=synthetic", "network.acute=1000000"], "1,000,300 providers and up to"),
        (["-m", "network=synthetic", "network.acute=300,1000000"],
         "sweep value network.acute=1000000: network: 1,000,000 acute providers"),
        (["network=synthetic", "network.regions=20000"], "network.regions: 20000 is not allowed"),
        (["sim.step_days=0.0001", "sim.days=36525"], "GiB of memory, mostly for the series"),
        (["-m", "seed=1,2", "sim.step_days=0.0001", "sim.days=36525"], "GiB of memory"),
        (["-m", "sim.days=-5,10"], "sweep value sim.days=-5: sim.days: -5.0 is not allowed"),
        (["-m", "sim.days=-5"], "sim.days: -5.0 is not allowed"),
        (["-m", "policy=none,trust_gated", "sim.days=-5"], "error: sim.days: -5.0 is not allowed"),
        (["culture.name=${oc.env:COLLABSIM_TEST_SECRET}"], "calls the resolver 'oc.env'"),
        (["-m", "seed=1,2", "culture.name=${oc.env:COLLABSIM_TEST_SECRET}"], "resolver 'oc.env'"),
        (["-m", "culture.name=a,${oc.env:COLLABSIM_TEST_SECRET}"], "resolver 'oc.env'"),
        (["sim.days=${oc.decode:'30'}"], "calls the resolver 'oc.decode'"),
        (["hydra/launcher=nonexistent"], "Could not find 'hydra/launcher/nonexistent'"),
        (["-m", "hydra/launcher=nonexistent", "seed=1,2"], "Could not find 'hydra/launcher/"),
        (["+collabsim_points=x"], "unknown setting 'collabsim_points'"),
        (["-m", "+collabsim_points=x"], "unknown setting 'collabsim_points'"),
        (["-m", "seed=1,2", "+collabsim_points=0.json"], "unknown setting 'collabsim_points'"),
    ],
)  # fmt: skip
def test_a_mistake_is_one_line_exit_2_and_nothing_written(tmp_path, monkeypatch, args, message):
    monkeypatch.setenv("COLLABSIM_TEST_SECRET", "hunter2")  # the subprocess inherits it
    done = cli(args, tmp_path)
    one_line(done, 2, message)
    assert "hunter2" not in done.stderr + done.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("links", "message"),
    [
        ("links.csv,bad.csv", "sweep value network.links_file=bad.csv: "),
        ("bad.csv,links.csv", "sweep value network.links_file=bad.csv: "),
        ("bad.csv", "bad.csv line 4: target 'ZZ' is not a provider id"),
    ],
)
def test_a_bad_network_file_in_a_sweep_is_refused_before_any_point_runs(files, links, message):
    before = sorted(p.name for p in files.iterdir())
    done = cli(["-m", "network=file", "network.providers_file=providers.csv",
                f"network.links_file={links}", *SHORT], files)  # fmt: skip
    one_line(done, 2, message)
    assert sorted(p.name for p in files.iterdir()) == before


@pytest.mark.slow
def test_a_config_file_of_ones_own_may_not_read_the_environment(tmp_path, monkeypatch):
    """A scenario file someone sent, used with --config-dir: refused, the secret unread."""
    monkeypatch.setenv("COLLABSIM_TEST_SECRET", "hunter2")
    (tmp_path / "mine" / "scenario").mkdir(parents=True)
    (tmp_path / "mine" / "scenario" / "emailed.yaml").write_text(
        "# @package _global_\nscenario: emailed\nculture:\n"
        "  name: ${oc.env:COLLABSIM_TEST_SECRET}\n"
    )
    done = cli(["--config-dir", "mine", "scenario=emailed", *SHORT], tmp_path)
    one_line(done, 2, "culture.name: '${oc.env:COLLABSIM_TEST_SECRET}' calls the resolver")
    assert "hunter2" not in done.stderr + done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


# ---------------------------------------------------------------- two sweeps, one directory


@pytest.mark.slow
def test_a_second_sweep_into_a_directory_in_use_is_refused_and_a_killed_ones_lock_is_not(
    tmp_path,
):
    slow = ["-m", "seed=1,2", "network=england", "calibration=none", "time=daily",
            "sim.days=36500", "replications=5", "output.figures=false",
            "hydra.sweep.dir=sweep"]  # fmt: skip
    first = subprocess.Popen([sys.executable, "-m", "collabsim", *slow], cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)  # fmt: skip
    lock = tmp_path / "sweep" / ".collabsim.lock"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and first.poll() is None:
            if lock.exists() and lock.read_text().strip() == str(first.pid):
                break
            time.sleep(0.05)
        assert first.poll() is None, "the first sweep ended before the second started"
        second = cli(["-m", "policy=ics_pool", "seed=1,2", *SHORT, "hydra.sweep.dir=sweep"],
                     tmp_path)  # fmt: skip
        one_line(second, 2, f"sweep is in use by another sweep (process {first.pid})")
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # as a cluster's time limit would
        first.wait()
    assert not [p for p in complete(tmp_path) if "ics_pool" in p.read_text()]
    third = cli(["-m", "policy=ics_pool", "seed=1,2", *SHORT, "hydra.sweep.dir=sweep"], tmp_path)
    assert third.returncode == 0, third.stderr  # the killed sweep's lock went with it
    points = [
        json.loads(p.read_text()) for p in sorted((tmp_path / "sweep").glob("*/summary.json"))
    ]
    assert [(s["policy"], s["seed"]) for s in points] == [("ics_pool", 1), ("ics_pool", 2)]


# -------------------------------------------------------------------------------- a full disk

# The command line with every result file's write failing as on a full disk.
FULL_DISK = """
import errno, sys
import collabsim.results as results
def full(path, write):
    raise OSError(errno.ENOSPC, "No space left on device", str(path))
results._atomic_write = full
from collabsim.cli import main
main(sys.argv[1:])
"""
# collect with the database's write failing as DuckDB reports a full disk.
FULL_DISK_COLLECT = """
import sys
import duckdb
def connect(path, *args, **kwargs):
    open(path, "w").close()  # it had begun the file
    raise duckdb.IOException(f'IO Error: Could not write file "{path}": No space left on device')
duckdb.connect = connect
from collabsim.cli import main
main(sys.argv[1:])
"""
# report with every file write failing as on a full disk.
FULL_DISK_REPORT = """
import errno, pathlib, sys
def full(self, *args, **kwargs):
    open(self, "w").close()  # it had begun the file
    raise OSError(errno.ENOSPC, "No space left on device")
pathlib.Path.write_bytes = pathlib.Path.write_text = full
from collabsim.cli import main
main(sys.argv[1:])
"""


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A small finished sweep, for collect and report."""
    cwd = tmp_path_factory.mktemp("finished")
    done = run(["-m", "policy=none,ics_pool", *SHORT, "hydra.sweep.dir=sweep"], cwd)
    assert done.returncode == 0, done.stderr
    return cwd / "sweep"


@pytest.mark.slow
def test_a_full_disk_ends_a_single_run_in_one_line(tmp_path):
    done = cli(SHORT, tmp_path, FULL_DISK)
    one_line(done, 1, "results not written to ")
    assert "No space left on device" in done.stderr
    assert complete(tmp_path) == []


@pytest.mark.slow
def test_a_full_disk_fails_each_point_of_a_sweep_which_goes_on_and_lists_them(tmp_path):
    """Not even error.json can be written: each point says why on stderr, the sweep
    tries every point and ends with exit status 1 and the count."""
    done = cli(["-m", "seed=1,2", *SHORT, "hydra.sweep.dir=sweep"], tmp_path, FULL_DISK)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    for point in (0, 1):
        assert f"collabsim: run {point} failed: results not written to " in done.stderr
    assert done.stderr.count("(error.json not written either: ") == 2
    assert "2 of 2 runs failed" in done.stderr and "2 left no summary.json" in done.stderr
    assert complete(tmp_path) == []


@pytest.mark.slow
def test_a_full_disk_ends_collect_and_report_in_one_line(finished, tmp_path):
    sweep = tmp_path / "sweep"
    shutil.copytree(finished, sweep)
    done = cli(["collect", "sweep"], tmp_path, FULL_DISK_COLLECT)
    one_line(done, 1, "results.duckdb not written: IO Error: Could not write file")
    assert sorted(p.name for p in sweep.iterdir() if p.is_file()) == [".collabsim.lock",
                                                                    "multirun.yaml"]  # fmt: skip
    done = cli(["report", "sweep"], tmp_path, FULL_DISK_REPORT)
    one_line(done, 1, "report not written: No space left on device")
    assert complete(sweep) == [p for p in complete(sweep) if p.name == "summary.json"]
    assert not list(sweep.glob(".*.tmp")) and not list(sweep.glob("figures/*.png"))


def mount_tmpfs(script: str, tmp_path: Path) -> None:
    """Run ``script`` (sh) in a private mount namespace, where it may mount a tmpfs; skip
    the test where this system allows no such namespace."""
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
         f"mkdir -p {tmp_path}/probe && mount -t tmpfs -o size=16k tmpfs {tmp_path}/probe"],
        capture_output=True,
    ) if shutil.which("unshare") else None  # fmt: skip
    if probe is None or probe.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (no unprivileged mount namespaces)")
    subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
                   check=True, timeout=300)  # fmt: skip


@pytest.mark.slow
def test_a_really_full_disk_on_a_small_tmpfs(finished, tmp_path):
    """The same on real full file systems: a run, a sweep, collect and report each end in
    one line (a sweep: its listing), exit status 1, nothing that looks complete."""
    for name in ("run", "sweep", "results", "logs"):
        (tmp_path / name).mkdir()
    python = f"{sys.executable} -m collabsim"
    short = " ".join(SHORT)
    logs = tmp_path / "logs"
    script = f"""
    set -e
    mount -t tmpfs -o size=48k tmpfs {tmp_path}/run
    mount -t tmpfs -o size=48k tmpfs {tmp_path}/sweep
    mount -t tmpfs -o size=400k tmpfs {tmp_path}/results
    cp -r {finished} {tmp_path}/results/done
    dd if=/dev/zero of={tmp_path}/results/filler bs=4k 2>/dev/null || true
    set +e
    cd {tmp_path}/run && {python} {short} >{logs}/run.out 2>{logs}/run.err
    echo $? >{logs}/run.rc
    cd {tmp_path}/sweep && {python} -m seed=1,2 {short} hydra.sweep.dir=s \
        >{logs}/sweep.out 2>{logs}/sweep.err
    echo $? >{logs}/sweep.rc
    cd {tmp_path}/results && {python} collect done >{logs}/collect.out 2>{logs}/collect.err
    echo $? >{logs}/collect.rc
    {python} report done >{logs}/report.out 2>{logs}/report.err
    echo $? >{logs}/report.rc
    find {tmp_path}/run {tmp_path}/sweep -name summary.json >{logs}/finished.txt
    find {tmp_path}/results -name results.duckdb -o -name report.html >>{logs}/finished.txt
    """
    mount_tmpfs(script, tmp_path)
    for name in ("run", "collect", "report"):
        err = (logs / f"{name}.err").read_text()
        assert (logs / f"{name}.rc").read_text().strip() == "1", (name, err)
        assert err.startswith("collabsim: error: ") and err.strip().count("\n") == 0, err
        assert "No space left on device" in err
    err = (logs / "sweep.err").read_text()
    assert (logs / "sweep.rc").read_text().strip() == "1" and "Traceback" not in err, err
    assert "No space left on device" in err
    assert (logs / "finished.txt").read_text() == ""
