"""Calibration search for the delays (issue 9): a Latin hypercube over the free parameters.

Each point runs the England preset at hourly steps (``time=hourly``) for a financial
year (1 April to 31 March, after a 30-day warm-up), on one seed, and computes the
figures of ``reference.py`` the model can produce: 12-hour waits from decision to
admit per quarter (national), per G&A bed in Q4 between acute trusts (quartiles,
share with any, Spearman with occupancy), occupancy (national per quarter; Q4
between trusts) and beds available per quarter. The loss is a sum of squared
log-ratios (counts) and squared differences in percentage points / 2 (occupancy)
against the reference; the weights are in ``LOSS``. Every point and its figures are
written to a CSV, so the choice of the preset's values can be checked and redone.

    python experiments/calibration/search.py --stage 1 --points 64 --out search-stage1.csv
    python experiments/calibration/search.py --stage 2 --points 32 --out search-stage2.csv
    python experiments/calibration/search.py --top 4 --from search-stage2.csv --seeds 2 3 4 \
        --out search-stage3.csv
    python experiments/calibration/search.py --check preset --seeds 5 6 7 8 9 \
        --out check-preset.csv    # the England preset as shipped, on fresh seeds

The parameters and their ranges (``STAGES``) are the few the evidence leaves free: the
size of bed pools (wards or specialty groups) and how readily they take each other's
patients; how much pool size differs between trusts; escalation beds (how many, from
what queue); how much offered load differs between trusts; the mean offered load; and
the seasonal swing of demand.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
from scipy.stats import qmc

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare  # noqa: E402  (one run against the reference, from the same folder)
import reference  # noqa: E402  (the reference figures, from the same folder)

from collabsim.core.phases import ROW  # noqa: E402

ROW_CANCELLED = ROW["cancelled"]

# name: (low, high, log scale). Stage 1 explores wide ranges (64 points); stage 2 narrows
# them around stage 1's best points and adds the share of booked (elective) patients
# (32 points). The ranges and why are in README.md.
STAGES: dict[int, dict[str, tuple[float, float, bool]]] = {
    1: {
        "wards.beds": (15.0, 120.0, True),
        "wards.reserve": (0.0, 0.2, False),
        "wards.spread": (0.0, 0.6, False),
        "escalation.beds": (0.0, 0.06, False),
        "escalation.trigger": (0.0, 0.05, False),
        "network.occupancy_spread": (0.0, 0.05, False),
        "network.occupancy_target": (0.89, 0.93, False),
        "demand.winter_amplitude": (0.0, 0.05, False),
    },
    2: {
        "wards.beds": (15.0, 60.0, True),
        "wards.reserve": (0.08, 0.2, False),
        "wards.spread": (0.2, 0.6, False),
        "escalation.beds": (0.0, 0.04, False),
        "escalation.trigger": (0.01, 0.05, False),
        "network.occupancy_spread": (0.01, 0.035, False),
        "network.occupancy_target": (0.905, 0.93, False),
        "demand.winter_amplitude": (0.005, 0.03, False),
        "demand.elective_share": (0.1, 0.3, False),
    },
}
WARMUP_DAYS = 30  # then a financial year, 1 April to 31 March (compare.run_overrides)
# The loss: (figure, weight, kind); kind "log" compares log(model / reference), "pp"
# compares percentage points / 2, "above" is log(model / reference) only when the model
# is above it (the published cancellations count every cause: a bound, not a target).
LOSS = (
    ("w12_q1", 1.0, "log"),
    ("w12_q2", 1.0, "log"),
    ("w12_q3", 1.0, "log"),
    ("w12_q4", 1.0, "log"),
    ("per_bed_p25", 1.0, "log"),
    ("per_bed_p50", 1.0, "log"),
    ("per_bed_p75", 1.0, "log"),
    ("occ_q4", 1.0, "pp"),
    ("occ_q2", 1.0, "pp"),
    ("occ_p10", 1.0, "pp"),
    ("occ_p90", 1.0, "pp"),
    ("cancelled_q2", 1.0, "above"),
    ("cancelled_q4", 1.0, "above"),
)


def points(n: int, stage: int = 1, seed: int = 11) -> list[dict[str, float]]:
    """``n`` settings from a Latin hypercube over the stage's ranges (log-uniform where
    marked)."""
    space = STAGES[stage]
    unit = qmc.LatinHypercube(d=len(space), seed=seed).random(n)
    out = []
    for row in unit:
        p = {}
        for (name, (lo, hi, log)), x in zip(space.items(), row, strict=True):
            p[name] = math.exp(math.log(lo) + x * math.log(hi / lo)) if log else lo + x * (hi - lo)
        out.append(p)
    return out


def model_figures(settings: dict[str, float], seed: int = 1) -> dict[str, float]:
    """The reference's figures from one run of the England preset with ``settings``: the
    run and the figures are ``compare.py``'s (a 30-day warm-up ending on 1 April, then a
    financial year; occupancy at midnight), flattened, with the cancelled booked
    admissions per quarter added."""
    import collabsim
    from collabsim.core.periods import Quarters
    from collabsim.model import CollabModel

    overrides = [f"{k}={v:.6g}" for k, v in settings.items()]
    config = collabsim.load_config([*compare.run_overrides(overrides, WARMUP_DAYS), f"seed={seed}"])
    model = CollabModel(config)
    model.run()
    f = compare.figures_of(model)
    e = model.engine
    out: dict[str, float] = {}
    for q in range(1, 5):
        nat = f["national"][f"Q{q}"]
        out[f"w12_q{q}"] = nat["w12"]
        out[f"occ_q{q}"] = nat["occupancy"]
        out[f"beds_q{q}"] = nat["beds"]
    t = f["trusts_q4"]
    out.update(
        per_bed_p25=t["w12_per_bed_p25"],
        per_bed_p50=t["w12_per_bed_median"],
        per_bed_p75=t["w12_per_bed_p75"],
        per_bed_any=t["w12_any_share"],
        spearman=t["w12_occ_spearman"],
        occ_p10=t["occ_p10"],
        occ_p50=t["occ_median"],
        occ_p90=t["occ_p90"],
        delayed_per_day=f["year"]["delayed_per_day"],
        mean_los_days=f["year"]["mean_los_days"],
        mean_wait_hours=f["year"]["mean_wait_hours"],
    )
    cancelled = e.recorder.rows[: e.recorder.steps_recorded, ROW_CANCELLED]
    quarters = Quarters(config.demand.start_day_of_year, e.step_days)
    for part in quarters.split(e.warmup_steps, e.recorder.steps_recorded):
        if part.complete:
            out[f"cancelled_q{part.quarter[-1]}"] = float(cancelled[part.first : part.end].sum())
    return out


def targets(panel_path: Path = reference.DEFAULT_PANEL) -> dict[str, float]:
    """The same figures from the NHS England panel (``reference.py``)."""
    panel = reference.load_panel(panel_path)
    t = reference.compute_targets(panel)
    nat, q4 = t["national"], t["trusts"]["Q4"]
    year = panel[(panel["financial_year"] == reference.DEFAULT_YEAR) & (panel["org_code"] != "NAN")]
    cancelled = year.groupby("fy_quarter")["canc_cancelled_ops"].sum()
    out: dict[str, float] = {}
    for q in range(1, 5):
        n = nat[f"Q{q}"]
        out[f"w12_q{q}"] = n["w12"]
        out[f"occ_q{q}"] = n["ga_occupancy"]
        out[f"beds_q{q}"] = n["ga_beds_available"]
    out.update(
        per_bed_p25=q4["w12_per_bed_p25"],
        per_bed_p50=q4["w12_per_bed_median"],
        per_bed_p75=q4["w12_per_bed_p75"],
        per_bed_any=q4["w12_any_share"],
        **{f"cancelled_q{q}": cancelled[f"Q{q}"] for q in range(1, 5)},
        occ_p10=q4["occ_p10"],
        occ_p50=q4["occ_median"],
        occ_p90=q4["occ_p90"],
        spearman=q4["w12_occ_spearman"],
    )
    return out


def loss(figures: dict[str, float], target: dict[str, float]) -> float:
    total = 0.0
    for name, weight, kind in LOSS:
        m, r = figures[name], target[name]
        if kind == "log":
            total += weight * math.log((m + 1e-3 * r) / r) ** 2
        elif kind == "above":
            total += weight * max(0.0, math.log(max(m, 1e-9) / r)) ** 2
        else:
            total += weight * ((m - r) * 100 / 2) ** 2
    return total


def _run(args: tuple[dict[str, float], int]) -> dict[str, Any]:
    settings, seed = args
    return {**settings, "seed": seed, **model_figures(settings, seed)}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=48)
    ap.add_argument("--stage", type=int, default=1, choices=sorted(STAGES))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=HERE / "search.csv")
    ap.add_argument(
        "--check", help='settings to run on --seeds instead of a search ("preset": none)'
    )
    ap.add_argument(
        "--top", type=int, help="re-run the best TOP rows of --from on --seeds (stage 3)"
    )
    ap.add_argument("--from", dest="source", type=Path, help="a search's CSV, for --top")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1])
    ap.add_argument("--panel", type=Path, default=reference.DEFAULT_PANEL)
    a = ap.parse_args(argv)
    if not a.panel.exists():
        print(f"error: the NHS England panel is not at {a.panel}", file=sys.stderr)
        return 2
    target = targets(a.panel)
    if a.check:
        pairs = [] if a.check == "preset" else [kv.split("=") for kv in a.check.split()]
        settings = {k: float(v) for k, v in pairs}
        jobs = [(settings, s) for s in a.seeds]
    elif a.top:
        best = pd.read_csv(a.source).sort_values("loss").head(a.top)
        names = [c for c in best.columns if "." in c]
        jobs = [({k: float(r[k]) for k in names}, s) for _, r in best.iterrows() for s in a.seeds]
    else:
        jobs = [(p, a.seeds[0]) for p in points(a.points, a.stage)]
    with ProcessPoolExecutor(max_workers=a.workers) as pool:
        rows = []
        for r in pool.map(_run, jobs):
            r["loss"] = loss(r, target)
            rows.append(r)
            print(json.dumps({k: round(v, 4) for k, v in r.items()}), flush=True)
    frame = pd.DataFrame(rows).sort_values("loss")
    frame.to_csv(a.out, index=False)
    print(f"wrote {a.out}: {len(frame)} runs; best loss {frame['loss'].iloc[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
