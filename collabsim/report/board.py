"""What a board reads first: the conclusion, what went in, the patients affected, and who
gained, gave and waited.

Tables here are DataFrames (the page shows them with ``DataFrame.to_html``, escaped, and
writes each as CSV for people who live in spreadsheets); sentences are plain text (the
template escapes them).
"""

from __future__ import annotations

import contextlib
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from collabsim.report import analysis

LIMITATIONS = (
    "A model, not a forecast: it compares what-ifs on the same simulated patients; the "
    "absolute numbers depend on its calibration (docs/ODD.md states each source and the "
    "gaps).",
    "Providers follow rules (asking, offering, trust) fitted to what partnerships report; "
    "real people vary more.",
    "Costs are the cost of arranging aid and of delayed discharge as set in the settings, "
    "not a full economic evaluation.",
    "Confidence intervals cover the simulation's own randomness over the runs made, not "
    "uncertainty in the settings themselves.",
)


def _whole(value: float) -> float:
    """Counts and pounds shown whole (a missing measure stays missing)."""
    return float(round(value)) if math.isfinite(value) else value


def _mean(sub: pd.DataFrame, column: str) -> float:
    return float(sub[column].mean()) if column in sub and len(sub) else math.nan


def executive(runs: pd.DataFrame, labels: list[str], base: str) -> list[str]:
    """Two or three sentences: the what-if that changes waits most against the baseline,
    by how much (with its 95 % interval) and whether it could be chance; its 12-hour
    waits and its cost of aid."""
    if len(labels) < 2:
        sub = runs[runs["_label"] == base]
        return [
            f"One what-if ({base}), {len(sub)} run(s): patients waited on average "
            f"{_mean(sub, 'mean_wait_hours'):.2f} hours for a bed, with "
            f"{_mean(sub, 'waits_12h_per_quarter'):,.0f} 12-hour waits a quarter. Add a "
            "baseline (policy=none) to see what collaboration changes."
        ]
    diffs = analysis.compare(runs, labels, base, "mean_wait_hours")
    best = max(diffs, key=lambda lab: abs(diffs[lab][0].mean))  # the largest change
    iv, kind = diffs[best]
    clear = math.isfinite(iv.low) and (iv.high < 0 or iv.low > 0)  # excludes no change
    verdict = "is unlikely to be chance" if clear else "could be chance"
    direction = "shorter" if iv.mean < 0 else "longer"
    if clear:
        low, high = sorted((abs(iv.low), abs(iv.high)))
        interval = f" (95 % confidence: {low:.2f} to {high:.2f} hours)"
    elif math.isfinite(iv.low):
        interval = f" (95 % confidence: {iv.low:+.2f} to {iv.high:+.2f} hours)"
    else:
        interval = " (too few runs for a confidence interval)"
    first = (
        f"Of the {len(labels) - 1} what-if(s) compared with {base}, {best} changed waits for "
        f"a bed most: {abs(iv.mean):.2f} hours {direction} on average{interval}, on "
        f"{'the same' if kind == 'paired' else 'different'} patients; the difference "
        f"{verdict}."
    )
    b, o = runs[runs["_label"] == base], runs[runs["_label"] == best]
    waits = _mean(o, "waits_12h_per_quarter") - _mean(b, "waits_12h_per_quarter")
    cost = _mean(o, "aid_cost") - _mean(b, "aid_cost")
    second = (
        f"It had {abs(waits):,.0f} {'fewer' if waits <= 0 else 'more'} 12-hour waits a "
        f"quarter ({_mean(o, 'waits_12h_per_quarter'):,.0f} against "
        f"{_mean(b, 'waits_12h_per_quarter'):,.0f}) and cost GBP {abs(cost):,.0f} "
        f"{'less' if cost <= 0 else 'more'} to arrange aid."
    )
    return [first, second]


def regions(dirs: list[Path]) -> int:
    """How many regions the system has (from a run's regions table; 2 when unknown, so
    nothing is left out by mistake)."""
    for d in dirs:
        path = d / "regions.parquet"
        if path.exists():
            table = pd.read_parquet(path)
            return int(table["region"].nunique())
    return 2


def needs_baseline(labels: list[str]) -> bool:
    """Whether no what-if shares nothing (``policy=none``): the comparison then lacks what
    collaboration is measured against."""
    return not any("policy=none" in lab.split(", ") for lab in labels)


def inputs(runs: pd.DataFrame, dirs: list[Path]) -> list[tuple[str, str]]:
    """Assumptions and inputs: what a reader needs to know went in."""
    first = runs.iloc[0]
    document: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):  # no provenance: the rows without it
        document = json.loads((Path(first["_dir"]) / "summary.json").read_text())
    made = document.get("provenance", {})
    system = str(first.get("network", ""))
    if system == "file":
        system = (
            f"your own: {Path(str(first.get('network.providers_file', ''))).name} and "
            f"{Path(str(first.get('network.links_file', ''))).name}"
        )
    rows = [
        ("System", system),
        ("Scenario(s)", ", ".join(sorted(runs["scenario"].astype(str).unique())))
        if "scenario" in runs
        else ("Scenario(s)", ""),
        ("Days simulated", f"{float(first['sim.days']):.0f} after a "
                           f"{float(first['sim.warmup_days']):.0f}-day warm-up"),  # fmt: skip
        ("Runs", f"{len(runs)} ({len(dirs)} what-if job(s), "
                 f"{runs.groupby('_dir').size().max()} replication(s) each)"),  # fmt: skip
        ("Seeds", ", ".join(str(s) for s in sorted(runs["seed"].unique())[:12])
         + (" ..." if runs["seed"].nunique() > 12 else "")),  # fmt: skip
        ("collabsim", f"{first.get('version', '')}"
                      + (f", commit {made['git_commit']}" if made.get("git_commit") else "")),
        ("Report made", date.today().isoformat()),
    ]  # fmt: skip
    for name in sorted(runs["scenario"].astype(str).unique()) if "scenario" in runs else []:
        rows.append((f"Scenario {name} sets", scenario_settings(name)))
    for path, digest in made.get("inputs", {}).items():
        rows.append((f"Input file {path}", f"SHA-256 {digest}"))
    return rows


def scenario_settings(name: str) -> str:
    """What a scenario changes from the defaults, as settings (its file's values)."""
    from omegaconf import OmegaConf

    from collabsim.config import flatten
    from collabsim.settings import config_dir

    path = config_dir() / "scenario" / f"{name}.yaml"
    try:
        data = OmegaConf.to_container(OmegaConf.load(path), resolve=False)
    except (OSError, ValueError):
        return "(its file is not in this version of collabsim)"
    settings = {k: v for k, v in flatten(data).items() if k != "scenario"}
    return ", ".join(f"{k}={v}" for k, v in settings.items()) or "nothing: the defaults"


def affected(
    runs: pd.DataFrame, labels: list[str], bed_day_cost: float | None = None
) -> pd.DataFrame:
    """Per what-if (means over runs): 12-hour waits, patients harmed, bed-days lost to
    delayed discharge, and the cost of arranging aid; with ``bed_day_cost`` (the planner's
    own cost of a bed-day, GBP: collabsim has no sourced figure of its own) also what the
    lost bed-days cost, beside the cost of aid."""
    columns = {
        "12-hour waits a quarter": "waits_12h_per_quarter",
        "patients harmed": "harm_events",
        "bed-days lost to delayed discharge": "delayed_discharge_bed_days",
        "cost of arranging aid (GBP)": "aid_cost",
    }
    rows = []
    for lab in labels:
        sub = runs[runs["_label"] == lab]
        row = {"what if": lab, **{k: _whole(_mean(sub, c)) for k, c in columns.items()}}
        if bed_day_cost is not None:
            lost = _mean(sub, "delayed_discharge_bed_days") * bed_day_cost
            row["cost of bed-days lost (GBP)"] = _whole(lost)
        rows.append(row)
    return pd.DataFrame(rows)


def requests(runs: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Per what-if: requests for help made, help carried out, refusals (means over runs),
    so a result like "pooling changed nothing" explains itself."""
    rows = []
    for lab in labels:
        sub = runs[runs["_label"] == lab]
        rows.append(
            {
                "what if": lab,
                "beds asked for": _mean(sub, "help_asked"),
                "patients transferred": _mean(sub, "transfers"),
                "beds lent": _mean(sub, "loans"),
                "refusals": _mean(sub, "refusals"),
            }
        )
    return pd.DataFrame(rows)


PROVIDER_COLUMNS = {
    "name": "provider",
    "capacity": "beds",
    "mean_wait_hours": "mean wait (hours)",
    "waits_12h": "12-hour waits",
    "transfers_out": "patients sent",
    "transfers_in": "patients taken",
    "beds_borrowed": "beds borrowed",
    "beds_lent": "beds lent",
    "refused_by_partners": "refused by partners",
}


def providers(runs: pd.DataFrame, labels: list[str], most: int = 25) -> dict[str, pd.DataFrame]:
    """Per what-if, its acute providers (means over runs): who waited, who gained (sent,
    borrowed), who gave (took, lent); the ``most`` with the longest waits."""
    out = {}
    for lab in labels:
        frames = []
        for d in runs.loc[runs["_label"] == lab, "_dir"].unique():
            path = Path(d) / "providers.parquet"
            if path.exists():
                frames.append(pd.read_parquet(path))
        if not frames:
            continue
        table = pd.concat(frames, ignore_index=True)
        table = table[table["kind"] == "acute"]
        shown = [c for c in PROVIDER_COLUMNS if c in table]
        mean = table.groupby(["id", "name"], as_index=False, sort=False)[
            [c for c in shown if c != "name"]
        ].mean()
        mean = mean.sort_values("mean_wait_hours", ascending=False).head(most)
        out[lab] = mean[shown].rename(columns=PROVIDER_COLUMNS).round(2)
    return out
