"""Speed and memory of the simulation: steps per second and peak memory per case.

    python benchmarks/bench.py            # every case, a Markdown table on stdout
    python benchmarks/bench.py --quick    # small and England only
    python benchmarks/bench.py --json out.json

Each case runs in a fresh Python process, so its peak resident memory (ru_maxrss)
is its own. Steps are run through the Mesa model (``model.step()``), the way every
user runs them. Build time (network, arrays, agents) and the first step (which
loads the compiled kernels from numba's on-disk cache, once per process) are
reported separately from the steady rate of the remaining steps. Each case runs
``--repeats`` times in its process (reset, same seed): this machine's timings
swing by 30 % from run to run, so the median and the best are reported. A warm-up run
first fills that cache, so no case pays for compilation. Numbers are
measurements, not assertions: put them in your notes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

# the England network alone, daily (no delays calibration): the engine's daily cost
ENGLAND = ["network=england", "calibration=none", "time=daily", "sim.days=1825"]
# hourly flow, people deciding four times a day, without the delays calibration, one year
HOURLY = ["network=england", "calibration=none", "time=hourly", "sim.days=365"]
# the England preset as shipped (issue 9): hourly, wards, escalation, booked patients
PRESET = ["network=england", "sim.days=365"]
CASES = [
    ("small, 5 years", ["network=small", "sim.days=1825"]),
    ("england, 5 years, none", ENGLAND),
    ("england, ics_pool", [*ENGLAND, "policy=ics_pool"]),
    ("england, trust_gated", [*ENGLAND, "policy=trust_gated"]),
    ("england, trust_gated, transfers and loans (floor)", [*ENGLAND, "policy=trust_gated",
                                                           "aid.kinds=both"]),
    ("england, reciprocal", [*ENGLAND, "policy=reciprocal"]),
    ("england, lead_provider", [*ENGLAND, "policy=lead_provider"]),
    ("england, national_escalation", [*ENGLAND, "policy=national_escalation"]),
    ("england, trust_gated, every behaviour on", [
        *ENGLAND, "policy=trust_gated", "aid.kinds=both", "culture=blame",
        "candour.mean=0.6", "candour.spread=0.2", "self_preservation.spread=0.2",
        "self_preservation.adapt=0.05", "scenario=funding_squeeze"]),
    ("england, lognormal stays", [*ENGLAND, "discharge.los=lognormal"]),
    ("england, hourly, decisions every 6 h, none", HOURLY),
    ("england, hourly, decisions every 6 h, trust_gated, transfers and loans", [
        *HOURLY, "policy=trust_gated", "aid.kinds=both"]),
    ("england preset (hourly, wards), 1 year, none", PRESET),
    ("england preset (hourly, wards), 1 year, trust_gated, transfers and loans", [
        *PRESET, "policy=trust_gated", "aid.kinds=both"]),
    ("synthetic 10,000 providers, 1 year", ["network=synthetic", "network.regions=2000",
                                            "network.acute=4000", "sim.days=365"]),
]  # fmt: skip
QUICK = {
    "small, 5 years",
    "england, 5 years, none",
    "england, trust_gated",
    "england, trust_gated, transfers and loans (floor)",
}

CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    import collabsim
    from collabsim.model import CollabModel
    overrides = json.loads(sys.argv[1])
    REPEATS = int(sys.argv[2])
    cfg = collabsim.load_config(overrides)
    rss_imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    model = CollabModel(cfg)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.step()  # loads the compiled kernels from numba's cache: once per process
    first = time.perf_counter() - t0
    steps = model.engine.steps - 1
    rates = []
    for repeat in range(REPEATS):  # the same run again: reset, same seed
        if repeat:
            model.reset(cfg.seed)
            model.step()
        t0 = time.perf_counter()
        for _ in range(steps):
            model.step()
        rates.append(steps / (time.perf_counter() - t0))
    rates.sort()
    summary = model.summary
    print(json.dumps({
        "providers": model.engine.providers.n, "links": model.engine.links.m,
        "steps": steps + 1, "build_s": built, "first_step_s": first,
        "steps_per_s_median": rates[len(rates) // 2], "steps_per_s_best": rates[-1],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_after_imports_mb": rss_imports,
        "mean_occupancy": summary["mean_occupancy"],
        "steps_per_year": 365 / cfg.sim.step_days,
    }))
    """
)


def run_case(overrides: list[str], repeats: int = 1) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(overrides), str(repeats)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="only the cases whose name contains this")
    parser.add_argument("--quick", action="store_true", help="small and England only")
    parser.add_argument("--json", help="also write the rows to this JSON file")
    parser.add_argument("--repeats", type=int, default=9, help="runs per case (default 9)")
    args = parser.parse_args()
    run_case(["sim.days=30", "sim.warmup_days=1"])  # compile and cache the kernels
    rows = []
    print("| case | providers | links | steps | build s | first step s | steps/s median "
          "| steps/s best | s per simulated year | peak MB |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, overrides in CASES:
        if args.only and args.only not in name:
            continue
        if args.quick and name not in QUICK:
            continue
        r = run_case(overrides, args.repeats)
        rows.append({"case": name, **r})
        print(
            f"| {name} | {r['providers']:,} | {r['links']:,} | {r['steps']:,} | "
            f"{r['build_s']:.2f} | {r['first_step_s']:.2f} | {r['steps_per_s_median']:,.0f} | "
            f"{r['steps_per_s_best']:,.0f} | {r['steps_per_year'] / r['steps_per_s_median']:.3f} | "
            f"{r['peak_rss_mb']:.0f} |",
            flush=True,
        )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()
