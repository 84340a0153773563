"""Scale of a sweep: many one-year England runs through Hydra, the joblib launcher and disk.

    python benchmarks/sweep_scale.py                 # 1,000 points x 20 replications
    python benchmarks/sweep_scale.py --points 100    # a tenth of it

Runs ``collabsim -m`` over ``--points`` parameter points (``aid.cost`` values), each a job of
``--replications`` one-year England runs, on the joblib launcher with ``--jobs`` workers,
into a temporary sweep directory, and reports the wall time, the pure simulation time
(the jobs' own timing of their replications, from runs.parquet) and the overhead of
Hydra, process start-up and I/O: ``(wall x workers - simulation) / simulation``.
Numbers are measurements, not assertions: put them in your notes.
"""

from __future__ import annotations

import argparse
import glob
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2, help="joblib workers (default 2)")
    parser.add_argument("--keep", help="sweep directory to keep (default: a temporary one)")
    args = parser.parse_args()
    sweep = Path(args.keep or tempfile.mkdtemp(prefix="collabsim-scale-")) / "sweep"
    command = [
        sys.executable, "-m", "collabsim", "-m", "hydra/launcher=joblib",
        f"hydra.launcher.n_jobs={args.jobs}", "network=england", "sim.days=365",
        f"replications={args.replications}", f"aid.cost=range(0,{args.points})",
        "output.figures=false", f"hydra.sweep.dir={sweep}",
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"sweep failed:\n{done.stderr[-3000:]}")
    runs = pd.concat(pd.read_parquet(f) for f in glob.glob(str(sweep / "*" / "runs.parquet")))
    simulation = float(runs["sim_seconds"].sum())
    steps = int(runs["steps"].sum())
    overhead = (wall * args.jobs - simulation) / simulation
    size = sum(p.stat().st_size for p in sweep.rglob("*") if p.is_file())
    print("| measure | value |\n|---|---:|")
    print(f"| runs (points x replications) | {len(runs):,} ({args.points} x {args.replications}) |")
    print(f"| steps simulated | {steps:,} |")
    print(f"| wall time, {args.jobs} workers | {wall:,.1f} s ({wall / 60:.2f} min) |")
    print(f"| pure simulation time (sum over jobs) | {simulation:,.1f} s |")
    print(f"| simulation rate per worker | {steps / simulation:,.0f} steps/s |")
    print(f"| Hydra, start-up and I/O overhead | {100 * overhead:.1f} % of simulation |")
    print(f"| results on disk | {size / 1e6:,.1f} MB |")


if __name__ == "__main__":
    main()
