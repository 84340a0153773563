"""Each run records what made it: versions, the commit, and a hash of its input files."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from tests.helpers import run, run_dirs

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "small_ics"


def test_summary_records_versions_commit_and_input_hashes(tmp_path: Path) -> None:
    providers, links = EXAMPLE / "providers.csv", EXAMPLE / "links.csv"
    done = run(
        [
            "network=file",
            f"network.providers_file={providers}",
            f"network.links_file={links}",
            "calibration=none",
            "sim.days=20",
            "sim.warmup_days=5",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    (run_dir,) = run_dirs(tmp_path)
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
