"""Each run records what made it: versions, the commit, and a hash of its input files."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from tests.helpers import run, run_dirs

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "small_ics"


def _one_run(tmp_path: Path, providers: Path, *extra: str) -> Path:
    """A run of the example ICS with ``providers`` (a copy, if a test changes it later)."""
    done = run(
        [
            "network=file",
            f"network.providers_file={providers}",
            f"network.links_file={EXAMPLE / 'links.csv'}",
            "calibration=none",
            "sim.days=30",
            "sim.warmup_days=5",
            "output.figures=false",
            *extra,
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    (run_dir,) = run_dirs(tmp_path)
    return run_dir


def test_summary_records_versions_commit_and_input_hashes(tmp_path: Path) -> None:
    providers, links = EXAMPLE / "providers.csv", EXAMPLE / "links.csv"
    run_dir = _one_run(tmp_path, providers)
    made = json.loads((run_dir / "summary.json").read_text())["provenance"]
    from collabsim import __version__

    assert made["collabsim"] == __version__
    assert made["libraries"]["numpy"] and made["libraries"]["mesa"].startswith("3.")
    assert made["python"].count(".") == 2
    for path in (providers, links):
        assert made["inputs"][str(path)] == hashlib.sha256(path.read_bytes()).hexdigest()
    # a checkout records its commit (40 hex digits, "+changes" when edited since)
    commit = made["git_commit"]
    if (Path(__file__).resolve().parents[1] / ".git").exists() and shutil.which("git"):
        assert commit and len(commit.split("+")[0]) == 40


def test_rerun_gives_the_same_numbers_and_says_what_changed(tmp_path: Path) -> None:
    """``collabsim rerun DIR`` runs a run again from its summary.json alone (every
    setting, not only the overrides) and compares the numbers; when they differ it says
    what changed since (here: an input file)."""
    providers = tmp_path / "providers.csv"
    providers.write_text((EXAMPLE / "providers.csv").read_text())
    run_dir = _one_run(tmp_path, providers, "policy=trust_gated", "replications=2")
    again = run(["rerun", str(run_dir), "--out", str(tmp_path / "again")], tmp_path)
    assert again.returncode == 0, again.stderr
    assert "the same numbers, to the last digit" in again.stdout
    first = json.loads((run_dir / "summary.json").read_text())
    second = json.loads((tmp_path / "again" / "summary.json").read_text())
    assert second["config"] == first["config"] and second["replications"] == 2
    # the same run after its input changed: the numbers differ, and the rerun says why
    rows = providers.read_text().splitlines()
    header = rows[0].split(",")
    first_row = rows[1].split(",")
    column = header.index("demand_per_day")
    first_row[column] = str(float(first_row[column]) * 1.5)
    providers.write_text("\n".join([rows[0], ",".join(first_row), *rows[2:]]) + "\n")
    changed = run(["rerun", str(run_dir), "--out", str(tmp_path / "changed")], tmp_path)
    assert changed.returncode == 1
    assert f"input {providers} has changed since" in changed.stdout
    # run from inside the run's directory: "." is a run too
    here = run(["rerun", ".", "--out", str(tmp_path / "here")], run_dir)
    assert here.returncode == 1 and "has changed since" in here.stdout  # (the edit above)
    # nothing to rerun, or a finished run in the way: one line, status 2
    for args in (["rerun", str(tmp_path / "nope")], ["rerun", str(run_dir), "--out", "again"]):
        refused = run(args, tmp_path)
        assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
