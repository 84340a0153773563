"""The England preset against the calibration reference: the figures of reference.py, from
one model run.

Runs ``network=england time=hourly`` (baseline scenario, policy none) for a warm-up and
then one financial year (April to March: the calendar is started so the warm-up ends on
1 April), computes the figures ``reference.py`` derives from the NHS England panel (12-hour
decision-to-admit waits per quarter and between acute trusts, midnight occupancy, length
of stay, delayed discharges) the same way from the model's ``quarters`` table, and prints
them side by side as Markdown; ``--json PATH`` writes both. ``model_figures`` is the core,
for a calibration search to call.

    python experiments/calibration/compare.py [KEY=VALUE ...] [--seed 1] [--json PATH]
        [--panel PATH] [--year 2024-25] [--warmup-days 90]

Overrides (``demand.scale=1.05``, ``wards.beds=30``) are passed to the model after the
preset. Exit status 2 with one line if the panel is missing or an override is wrong.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import reference  # noqa: E402

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
PRESET = ("network=england", "time=hourly", "scenario=baseline", "policy=none")
APRIL_1 = 91  # demand.start_day_of_year of 1 April
YEAR_DAYS = 365


def run_overrides(config_overrides: Sequence[str] = (), warmup_days: float = 90.0) -> list[str]:
    """The preset, a warm-up ending on 1 April and one financial year, then the caller's."""
    start = (APRIL_1 - 1 - warmup_days) % YEAR_DAYS + 1  # the warm-up's first day of the year
    return [*PRESET, f"sim.warmup_days={warmup_days:g}", f"sim.days={warmup_days + YEAR_DAYS:g}",
            f"demand.start_day_of_year={start:g}", *config_overrides]  # fmt: skip


def model_figures(
    config_overrides: Sequence[str] = (), seed: int = 1, warmup_days: float = 90.0
) -> dict[str, Any]:
    """Run the England preset for one financial year after the warm-up and return the
    figures compared with the reference (``figures_of``), plus ``seconds`` the run took."""
    import collabsim
    from collabsim.model import CollabModel

    config = collabsim.load_config([*run_overrides(config_overrides, warmup_days), f"seed={seed}"])
    started = time.perf_counter()
    model = CollabModel(config)
    model.run()
    out = figures_of(model)
    out["seconds"] = time.perf_counter() - started
    return out


def _quantiles(values: pd.Series, probs: Sequence[float]) -> list[float]:
    v = values.dropna().to_numpy(dtype=float)
    return [float(x) for x in np.quantile(v, probs)] if len(v) else [math.nan] * len(probs)


def figures_of(model: Any) -> dict[str, Any]:
    """The reference's figures from a finished run: per quarter of the first whole
    financial year measured, England (all acute providers) and between acute providers
    ("trusts") in Q4. A quarter the run does not measure whole is left out (NaN)."""
    from collabsim.core.phases import ROW
    from collabsim.core.state import ACUTE

    quarters = model.quarters_frame()
    whole = quarters[quarters["complete"]]
    year = int(whole["year"].min()) if len(whole) else 0
    whole = whole[whole["year"] == year]
    nat = whole[whole["scope"] == "national"].set_index("quarter")
    trusts = whole[(whole["scope"] == "provider") & (whole["kind"] == "acute")]
    summary = model.summary
    series = model.series
    measured = series[series["step"] >= model.engine.warmup_steps]
    e = model.engine
    acute = e.recorder.provider_totals[:, e.providers.kind == ACUTE].sum(axis=1)
    admissions = sum(acute[ROW[r]] for r in ("admissions", "elective_admissions") if r in ROW)
    bed_days = acute[ROW["occupied"]] * e.step_days
    out: dict[str, Any] = {"national": {}, "trusts_q4": {}}
    for q in QUARTERS:
        row = nat.loc[q] if q in nat.index else None
        out["national"][q] = {
            "w12": float(row["waits_12h"]) if row is not None else math.nan,
            "w12_per_bed": float(row["waits_12h_per_bed"]) if row is not None else math.nan,
            "occupancy": float(row["midnight_occupancy"]) if row is not None else math.nan,
            "beds": float(row["beds"]) if row is not None else math.nan,
            "days": float(row["days"]) if row is not None else math.nan,
        }
    q4 = trusts[trusts["quarter"] == "Q4"]
    p25, p50, p75 = _quantiles(q4["waits_12h_per_bed"], (0.25, 0.5, 0.75))
    o10, o50, o90 = _quantiles(q4["midnight_occupancy"], (0.1, 0.5, 0.9))
    rho = (stats.spearmanr(q4["waits_12h_per_bed"], q4["midnight_occupancy"]).statistic
           if len(q4) >= 3 and q4["waits_12h_per_bed"].nunique() > 1 else math.nan)  # fmt: skip
    out["trusts_q4"] = {
        "n": len(q4),
        "w12_per_bed_p25": p25,
        "w12_per_bed_median": p50,
        "w12_per_bed_p75": p75,
        "w12_any_share": float((q4["waits_12h"] > 0).mean()) if len(q4) else math.nan,
        "w12_occ_spearman": float(rho),
        "occ_p10": o10,
        "occ_median": o50,
        "occ_p90": o90,
    }
    beds = summary["acute_beds"]
    delayed = float(measured["acute_delayed"].mean()) if len(measured) else math.nan
    out["year"] = {
        "mean_los_days": float(bed_days / admissions) if admissions else math.nan,
        "delayed_per_day": delayed,
        "delayed_share": delayed / beds if beds else math.nan,
        "mean_wait_hours": summary["mean_wait_hours"],
        "p95_wait_hours": summary["p95_wait_hours"],
        "share_over_4h": summary["share_over_4h"],
        "waits_12h_per_quarter": summary["waits_12h_per_quarter"],
        "waits_12h_per_bed_quarter": summary["waits_12h_per_bed_quarter"],
        "midnight_occupancy": summary["midnight_occupancy"],
        "peak_occupancy": summary["peak_occupancy"],
        "acute_beds": beds,
    }
    return out


def reference_figures(panel_path: Path, year: str = reference.DEFAULT_YEAR) -> dict[str, Any]:
    """The same figures from the panel, through reference.py's functions."""
    panel = reference.load_panel(panel_path)
    nat = reference.national(panel, year)
    spread = reference.trust_spread(panel, year)["Q4"]
    return {
        "national": {
            q: {
                "w12": nat[q]["w12"],
                "w12_per_bed": nat[q]["w12_per_ga_bed"],
                "occupancy": nat[q]["ga_occupancy"],
                "beds": nat[q]["ga_beds_available"],
                "days": nat[q]["days"],
            }
            for q in QUARTERS
        },
        "trusts_q4": {
            k: spread[k]
            for k in (
                "n",
                "w12_per_bed_p25",
                "w12_per_bed_median",
                "w12_per_bed_p75",
                "w12_any_share",
                "w12_occ_spearman",
                "occ_p10",
                "occ_median",
                "occ_p90",
            )
        },
        "year": {
            "mean_los_days": 8.0,  # issue 9's figure; the panel has no admissions
            "delayed_per_day": float(np.mean([nat[q]["nctr_per_day"] for q in QUARTERS])),
            "delayed_share": float(np.mean([nat[q]["nctr_share_pooled"] for q in QUARTERS])),
        },
    }


def _num(x: float, digits: int) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x:,.{digits}f}"


def _pct(x: float) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{100 * x:.1f} %"


def _ratio(model: float, ref: float) -> str:
    ok = model is not None and ref and math.isfinite(model) and math.isfinite(ref)
    return f"{model / ref:.2f}" if ok else "-"


def rows_of(model: dict[str, Any], ref: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The table's rows: figure, model, reference, model / reference."""
    rows = []
    mn, rn = model["national"], ref["national"]
    for q in QUARTERS:
        m, r = mn[q]["w12"], rn[q]["w12"]
        rows.append((f"12-hour waits, England, {q}", _num(m, 0), _num(r, 0), _ratio(m, r)))
    for q in QUARTERS:
        m, r = mn[q]["w12_per_bed"], rn[q]["w12_per_bed"]
        rows.append((f"... per G&A bed, {q}", _num(m, 3), _num(r, 2), _ratio(m, r)))
    mt, rt = model["trusts_q4"], ref["trusts_q4"]
    for key, label in (("p25", "p25"), ("median", "median"), ("p75", "p75")):
        m, r = mt[f"w12_per_bed_{key}"], rt[f"w12_per_bed_{key}"]
        rows.append((f"12-hour waits per bed between trusts, Q4, {label}", _num(m, 3), _num(r, 2),
                     _ratio(m, r)))  # fmt: skip
    m, r = mt["w12_any_share"], rt["w12_any_share"]
    rows.append(("share of trusts with any 12-hour wait, Q4", _pct(m), _pct(r), _ratio(m, r)))
    m, r = mt["w12_occ_spearman"], rt["w12_occ_spearman"]
    rows.append(("Spearman(12-hour waits per bed, occupancy), Q4", _num(m, 2), _num(r, 2), "-"))
    for q in QUARTERS:
        m, r = mn[q]["occupancy"], rn[q]["occupancy"]
        rows.append((f"G&A occupancy at midnight, England, {q}", _pct(m), _pct(r), _ratio(m, r)))
    for key in ("p10", "median", "p90"):
        m, r = mt[f"occ_{key}"], rt[f"occ_{key}"]
        rows.append((f"occupancy between trusts, Q4, {key}", _pct(m), _pct(r), _ratio(m, r)))
    for q in ("Q4",):
        m, r = mn[q]["beds"], rn[q]["beds"]
        rows.append((f"G&A beds, England, {q}", _num(m, 0), _num(r, 0), _ratio(m, r)))
    my, ry = model["year"], ref["year"]
    m, r = my["mean_los_days"], ry["mean_los_days"]
    rows.append(("mean acute length of stay (days; reference: issue 9)", _num(m, 2), _num(r, 1),
                 _ratio(m, r)))  # fmt: skip
    m, r = my["delayed_per_day"], ry["delayed_per_day"]
    rows.append(("delayed discharges, patients a day (reference: NCTR)", _num(m, 0), _num(r, 0),
                 _ratio(m, r)))  # fmt: skip
    m, r = my["delayed_share"], ry["delayed_share"]
    rows.append(("... share of G&A beds", _pct(m), _pct(r), _ratio(m, r)))
    return rows


def to_markdown(model: dict[str, Any], ref: dict[str, Any], overrides: Sequence[str], seed: int
                ) -> str:  # fmt: skip
    rows = rows_of(model, ref)
    lines = [
        f"Model: {' '.join(overrides)} seed={seed} ({model.get('seconds', math.nan):.1f} s); "
        "reference: NHS England 2024-25 (reference.py).",
        "",
        "| figure | model | reference | model / reference |",
        "|---|---:|---:|---:|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
        "",
        "Model only: mean wait for an acute bed {} h, 95th percentile {} h, waited 4 hours or "
        "more {}, peak (daily highest) acute occupancy {}.".format(
            _num(model["year"]["mean_wait_hours"], 2), _num(model["year"]["p95_wait_hours"], 1),
            _pct(model["year"]["share_over_4h"]), _pct(model["year"]["peak_occupancy"])),
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, float | np.floating):
        return None if not math.isfinite(obj) else float(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def main(argv: Sequence[str] | None = None) -> int:
    """Print the comparison as Markdown; write JSON with ``--json``. Returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="settings passed to the model, KEY=VALUE")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures")
    parser.add_argument("--panel", type=Path, default=reference.DEFAULT_PANEL)
    parser.add_argument("--year", default=reference.DEFAULT_YEAR, help="financial year")
    parser.add_argument("--warmup-days", type=float, default=90.0)
    args = parser.parse_args(argv)
    try:
        ref = reference_figures(args.panel, args.year)
    except reference.PanelError as err:
        print(f"compare.py: {str(err).replace('as an argument', 'with --panel')}", file=sys.stderr)
        return 2
    from collabsim.errors import CollabsimError

    try:
        model = model_figures(args.overrides, args.seed, args.warmup_days)
    except CollabsimError as err:
        print(f"compare.py: {' '.join(str(err).split())}", file=sys.stderr)
        return 2
    overrides = run_overrides(args.overrides, args.warmup_days)
    print(to_markdown(model, ref, overrides, args.seed), end="")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document = {"overrides": overrides, "seed": args.seed, "model": model, "reference": ref}
        args.json.write_text(json.dumps(_jsonable(document), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
