"""Calibration targets for issue 9, derived from the NHS England quarterly trust panel.

Reads the compiled panel of NHS England statistics (KH03 overnight beds, A&E type-1
attendances, 4-hour performance and 12-hour decision-to-admit waits, no-criteria-to-reside
counts; Open Government Licence v3.0) from its path, computes the reference figures the
model is calibrated against for one financial year, prints them as Markdown tables and,
with ``--json PATH``, writes them as JSON. Nothing from the panel is copied into the
project: only the derived figures are printed.

Conventions (checked against the file): ``financial_year`` is ``"2024-25"`` and
``fy_quarter`` is ``"Q1"``..``"Q4"`` (Q1 = April-June, Q4 = January-March); the row with
``org_code == "NAN"`` is England; A&E figures are per trust only, so national A&E figures
are sums over trusts. A trust "with a type-1 A&E" has type-1 attendances > 0 and G&A
beds > 0 in the quarter.

    python experiments/calibration/reference.py [PANEL] [--year 2024-25] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PANEL = REPO.parent / "shared" / "data" / "kh03_quarterly_trust_panel.csv"
DEFAULT_YEAR = "2024-25"
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
ENGLAND = "NAN"
SOURCE = (
    "NHS England statistics (KH03 bed availability and occupancy, A&E attendances and "
    "emergency admissions, discharge delays / UEC sitrep), Open Government Licence v3.0, "
    "compiled into one quarterly trust panel"
)

# Panel columns used here.
BEDS = "kh03_avail_ga_avg_beds"
OCCUPIED = "kh03_occ_ga_avg_beds"
OCC_RATE = "kh03_occ_ga_rate"
ATT = "ae_type1_attendances"
W12 = "ae_waits_12hr_decision_to_admit"
PCT4 = "ae_type1_pct_4hr"
NCTR = "uec_uec_nctr_mean"
NCTR_DAYS = "uec_uec_days"
REQUIRED = (
    "org_code",
    "financial_year",
    "fy_quarter",
    BEDS,
    OCCUPIED,
    OCC_RATE,
    ATT,
    W12,
    PCT4,
    NCTR,
    NCTR_DAYS,
)

LOW_OCCUPANCY = 0.88
OCC_BANDS = (0.0, 0.88, 0.91, 0.94, 0.97, 2.0)

# What issue 9 states, to check against the panel: (figure, issue value, key, decimals).
ISSUE_9: tuple[tuple[str, float, str, int], ...] = (
    ("12-hour waits, England, Q1", 122_700, "w12_Q1", 0),
    ("12-hour waits, England, Q2", 104_200, "w12_Q2", 0),
    ("12-hour waits, England, Q3", 149_600, "w12_Q3", 0),
    ("12-hour waits, England, Q4", 155_900, "w12_Q4", 0),
    ("12-hour waits per G&A bed, trusts, Q4, p25", 0.45, "w12_bed_p25", 2),
    ("12-hour waits per G&A bed, trusts, Q4, median", 1.6, "w12_bed_median", 2),
    ("12-hour waits per G&A bed, trusts, Q4, p75", 2.5, "w12_bed_p75", 2),
    ("share of trusts with any 12-hour wait, Q4 (%)", 98, "w12_any_pct", 1),
    ("median trust's 12-hour waits, Q4", 1_060, "w12_median_trust", 0),
    ("Spearman(12-hour waits per bed, occupancy), Q4", 0.1, "w12_occ_rho", 2),
    ("12h per bed, trusts < 88 % occupancy, Q4, mean of trusts", 0.6, "w12_low_mean", 2),
    ("12h per bed, trusts < 88 % occupancy, Q4, median of trusts", 0.6, "w12_low_median", 2),
    ("G&A occupancy, England, Q1 (%)", 91.2, "occ_Q1", 1),
    ("G&A occupancy, England, Q2 (%)", 90.4, "occ_Q2", 1),
    ("G&A occupancy, England, Q3 (%)", 90.3, "occ_Q3", 1),
    ("G&A occupancy, England, Q4 (%)", 92.5, "occ_Q4", 1),
    ("G&A occupancy between trusts, Q4, p10 (%)", 87.1, "occ_p10", 1),
    ("G&A occupancy between trusts, Q4, median (%)", 93.0, "occ_median", 1),
    ("G&A occupancy between trusts, Q4, p90 (%)", 98.1, "occ_p90", 1),
    ("G&A beds available, England, Q2", 103_700, "beds_Q2", 0),
    ("G&A beds available, England, Q3", 106_400, "beds_Q3", 0),
    ("delayed discharges (NCTR), patients a day, year mean", 13_000, "nctr_per_day", 0),
    ("delayed discharges, share of G&A beds ('1 in 8')", 0.125, "nctr_share", 3),
)
AGREE_WITHIN = 0.02  # relative difference counted as agreement (issue figures are rounded)


class PanelError(Exception):
    """The panel file is missing or not the expected panel."""


def load_panel(path: Path) -> pd.DataFrame:
    """Read the panel, keeping ``org_code == "NAN"`` (England) as a string."""
    if not path.is_file():
        raise PanelError(f"reference panel not found: {path} (pass its path as an argument)")
    panel = pd.read_csv(path, dtype={"org_code": str}, keep_default_na=False, na_values=[""])
    missing = [c for c in REQUIRED if c not in panel.columns]
    if missing:
        raise PanelError(f"{path} lacks column(s) {', '.join(missing)}")
    return panel


def quarter_days(year: str, quarter: str) -> int:
    """Days in a financial-year quarter, e.g. ``("2024-25", "Q4")`` -> 90."""
    start_year = int(year[:4])
    q = QUARTERS.index(quarter)
    month = 4 + 3 * q
    first = dt.date(start_year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    month += 3
    after = dt.date(start_year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return (after - first).days


def england(panel: pd.DataFrame, year: str, quarter: str) -> pd.Series:
    """The England row for one quarter."""
    rows = panel[
        (panel.org_code == ENGLAND) & (panel.financial_year == year) & (panel.fy_quarter == quarter)
    ]
    if len(rows) != 1:
        raise PanelError(f"expected one England row for {year} {quarter}, found {len(rows)}")
    return rows.iloc[0]


def trusts(panel: pd.DataFrame, year: str, quarter: str) -> pd.DataFrame:
    """All trust rows (not England) for one quarter."""
    sel = (panel.org_code != ENGLAND) & (panel.financial_year == year)
    return panel[sel & (panel.fy_quarter == quarter)]


def acute_trusts(panel: pd.DataFrame, year: str, quarter: str) -> pd.DataFrame:
    """Trusts with a type-1 A&E and G&A beds in a quarter, with per-bed figures added."""
    t = trusts(panel, year, quarter)
    t = t[(t[ATT] > 0) & (t[BEDS] > 0)].copy()
    days = quarter_days(year, quarter)
    t["w12_per_bed"] = t[W12] / t[BEDS]
    t["w12_per_1k_att"] = 1000 * t[W12] / t[ATT]
    t["att_per_bed_day"] = t[ATT] / t[BEDS] / days
    t["nctr_share"] = t[NCTR] / t[BEDS]
    return t


def _q(values: pd.Series, probs: Sequence[float]) -> list[float]:
    """Quantiles (linear interpolation) of the non-missing values."""
    v = values.dropna().to_numpy(dtype=float)
    return [float(x) for x in np.quantile(v, probs)] if len(v) else [float("nan")] * len(probs)


def _ratio(num: float, den: float) -> float:
    """num / den, or NaN when den is zero (e.g. no trust reports the figure)."""
    return float(num / den) if den else float("nan")


def spearman(x: pd.Series, y: pd.Series) -> dict[str, float]:
    """Spearman rank correlation over the pairs where both are present, with n and p."""
    both = pd.concat([x, y], axis=1).dropna()
    if len(both) < 3:
        return {"rho": float("nan"), "p": float("nan"), "n": len(both)}
    res = stats.spearmanr(both.iloc[:, 0], both.iloc[:, 1])
    return {"rho": float(res.statistic), "p": float(res.pvalue), "n": len(both)}


def national(panel: pd.DataFrame, year: str) -> dict[str, dict[str, float]]:
    """England per quarter: beds, occupancy, type-1 flow, 12-hour waits, delayed discharges."""
    out: dict[str, dict[str, float]] = {}
    for quarter in QUARTERS:
        e = england(panel, year, quarter)
        t = trusts(panel, year, quarter)
        a = acute_trusts(panel, year, quarter)
        days = quarter_days(year, quarter)
        att = float(t[ATT].sum())
        w12 = float(t[W12].sum())
        within4 = float((a[ATT] * a[PCT4]).sum())
        nctr = a[a[NCTR].notna()]
        out[quarter] = {
            "days": days,
            "ga_beds_available": float(e[BEDS]),
            "ga_beds_occupied": float(e[OCCUPIED]),
            "ga_occupancy": float(e[OCCUPIED] / e[BEDS]),
            "ga_beds_sum_of_trusts": float(t[BEDS].sum()),
            "type1_attendances": att,
            "type1_attendances_per_day": att / days,
            "type1_pct_4hr": within4 / float(a[ATT].sum()),
            "type1_att_per_ga_bed_day": att / float(a[BEDS].sum()) / days,
            "w12": w12,
            "w12_per_ga_bed": w12 / float(e[BEDS]),
            "w12_per_type1_trust_bed": w12 / float(a[BEDS].sum()),
            "w12_per_1k_att": 1000 * w12 / att,
            "w12_trusts_reporting": int(t[W12].notna().sum()),
            "type1_trusts": len(a),
            "nctr_trusts": len(nctr),
            "nctr_days_median": float(nctr[NCTR_DAYS].median()),
            "nctr_per_day": float(nctr[NCTR].sum()) if len(nctr) else float("nan"),
            "nctr_share_pooled": _ratio(nctr[NCTR].sum(), nctr[BEDS].sum()),
        }
    return out


def trust_spread(panel: pd.DataFrame, year: str) -> dict[str, dict[str, float]]:
    """Between type-1 trusts per quarter: 12-hour waits per bed, occupancy, flow, NCTR share."""
    out: dict[str, dict[str, float]] = {}
    for quarter in QUARTERS:
        a = acute_trusts(panel, year, quarter)
        low = a[a[OCC_RATE] < LOW_OCCUPANCY]
        p25, p50, p75 = _q(a.w12_per_bed, (0.25, 0.5, 0.75))
        o10, o50, o90 = _q(a[OCC_RATE], (0.1, 0.5, 0.9))
        b10, b25, b50, b75, b90 = _q(a[BEDS], (0.1, 0.25, 0.5, 0.75, 0.9))
        r10, r50, r90 = _q(a.att_per_bed_day, (0.1, 0.5, 0.9))
        f10, f50, f90 = _q(a[PCT4], (0.1, 0.5, 0.9))
        n10, n50, n90 = _q(a.nctr_share, (0.1, 0.5, 0.9))
        rho = spearman(a.w12_per_bed, a[OCC_RATE])
        out[quarter] = {
            "n": len(a),
            "w12_per_bed_p25": p25,
            "w12_per_bed_median": p50,
            "w12_per_bed_p75": p75,
            "w12_per_bed_mean": float(a.w12_per_bed.mean()),
            "w12_any_share": float((a[W12] > 0).mean()),
            "w12_median_trust": float(a[W12].median()),
            "w12_top_quarter_share": _ratio(a.loc[a.w12_per_bed >= p75, W12].sum(), a[W12].sum()),
            "w12_per_1k_att_median": float(a.w12_per_1k_att.median()),
            "w12_occ_spearman": rho["rho"],
            "w12_occ_spearman_p": rho["p"],
            "low_occ_n": len(low),
            "low_occ_w12_per_bed_mean": float(low.w12_per_bed.mean()),
            "low_occ_w12_per_bed_median": float(low.w12_per_bed.median()),
            "low_occ_w12_per_bed_pooled": float(low[W12].sum() / low[BEDS].sum()),
            "low_occ_w12_any_share": float((low[W12] > 0).mean()),
            "occ_p10": o10,
            "occ_median": o50,
            "occ_p90": o90,
            "beds_p10": b10,
            "beds_p25": b25,
            "beds_median": b50,
            "beds_p75": b75,
            "beds_p90": b90,
            "att_per_bed_day_p10": r10,
            "att_per_bed_day_median": r50,
            "att_per_bed_day_p90": r90,
            "pct_4hr_p10": f10,
            "pct_4hr_median": f50,
            "pct_4hr_p90": f90,
            "nctr_n": int(a.nctr_share.notna().sum()),
            "nctr_share_p10": n10,
            "nctr_share_median": n50,
            "nctr_share_p90": n90,
        }
    return out


def occupancy_bands(panel: pd.DataFrame, year: str, quarter: str = "Q4") -> list[dict[str, Any]]:
    """12-hour waits per bed by band of trust G&A occupancy (type-1 trusts, one quarter)."""
    a = acute_trusts(panel, year, quarter)
    bands = pd.cut(a[OCC_RATE], OCC_BANDS, right=False)
    rows = []
    for band, g in a.groupby(bands, observed=True):
        lo = "" if band.left <= 0 else f"{100 * band.left:.0f}"
        hi = "" if band.right >= 1 else f"{100 * band.right:.0f}"
        label = f"< {hi} %" if not lo else (f">= {lo} %" if not hi else f"{lo}-{hi} %")
        rows.append(
            {
                "band": label,
                "n": len(g),
                "w12_per_bed_median": float(g.w12_per_bed.median()),
                "w12_per_bed_mean": float(g.w12_per_bed.mean()),
                "w12_per_bed_pooled": float(g[W12].sum() / g[BEDS].sum()),
                "w12_any_share": float((g[W12] > 0).mean()),
            }
        )
    return rows


def _previous_year(year: str) -> str:
    start = int(year[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"


def correlations(panel: pd.DataFrame, year: str) -> list[dict[str, Any]]:
    """Spearman correlations bearing on 12-hour waits by trust (type-1 trusts)."""
    q4 = acute_trusts(panel, year, "Q4").set_index("org_code")
    q3 = acute_trusts(panel, year, "Q3").set_index("org_code")
    prev = acute_trusts(panel, _previous_year(year), "Q4").set_index("org_code")
    whole = pd.concat([acute_trusts(panel, year, q) for q in QUARTERS])
    annual = whole.groupby("org_code").agg(
        w12=(W12, "sum"), beds=(BEDS, "mean"), occ=(OCC_RATE, "mean"), quarters=(W12, "size")
    )
    annual = annual[annual.quarters == len(QUARTERS)]
    w = q4.w12_per_bed
    pairs: list[tuple[str, pd.Series, pd.Series]] = [
        ("12h/bed vs G&A occupancy (Q4)", w, q4[OCC_RATE]),
        ("12h/bed vs type-1 attendances per bed per day (Q4)", w, q4.att_per_bed_day),
        ("12h/bed vs delayed-discharge share of beds (Q4)", w, q4.nctr_share),
        ("12h/bed vs G&A beds, i.e. trust size (Q4)", w, q4[BEDS]),
        ("12h/bed vs type-1 4-hour performance (Q4)", w, q4[PCT4]),
        ("12h per 1,000 attendances vs G&A occupancy (Q4)", q4.w12_per_1k_att, q4[OCC_RATE]),
        ("G&A occupancy vs delayed-discharge share (Q4)", q4[OCC_RATE], q4.nctr_share),
        ("G&A occupancy vs attendances per bed per day (Q4)", q4[OCC_RATE], q4.att_per_bed_day),
        ("12h/bed, Q4 vs Q3 (same trust)", w, q3.w12_per_bed),
        (f"12h/bed, Q4 vs Q4 of {_previous_year(year)} (same trust)", w, prev.w12_per_bed),
        (
            f"occupancy, Q4 vs Q4 of {_previous_year(year)} (same trust)",
            q4[OCC_RATE],
            prev[OCC_RATE],
        ),
        (
            "12h/bed vs occupancy, whole year (trust means)",
            annual.w12 / annual.beds,
            annual.occ,
        ),
    ]
    return [{"pair": name, **spearman(x, y)} for name, x, y in pairs]


def issue_checks(nat: dict, spread: dict) -> list[dict[str, Any]]:
    """Issue 9's figures beside the panel's, with the relative difference."""
    q4 = spread["Q4"]
    found = {
        **{f"w12_{q}": nat[q]["w12"] for q in QUARTERS},
        **{f"occ_{q}": 100 * nat[q]["ga_occupancy"] for q in QUARTERS},
        **{f"beds_{q}": nat[q]["ga_beds_available"] for q in QUARTERS},
        "w12_bed_p25": q4["w12_per_bed_p25"],
        "w12_bed_median": q4["w12_per_bed_median"],
        "w12_bed_p75": q4["w12_per_bed_p75"],
        "w12_any_pct": 100 * q4["w12_any_share"],
        "w12_median_trust": q4["w12_median_trust"],
        "w12_occ_rho": q4["w12_occ_spearman"],
        "w12_low_mean": q4["low_occ_w12_per_bed_mean"],
        "w12_low_median": q4["low_occ_w12_per_bed_median"],
        "occ_p10": 100 * q4["occ_p10"],
        "occ_median": 100 * q4["occ_median"],
        "occ_p90": 100 * q4["occ_p90"],
        "nctr_per_day": float(np.mean([nat[q]["nctr_per_day"] for q in QUARTERS])),
        "nctr_share": float(np.mean([nat[q]["nctr_share_pooled"] for q in QUARTERS])),
    }
    rows = []
    for figure, claimed, key, digits in ISSUE_9:
        value = found[key]
        rel = (value - claimed) / abs(claimed)
        # A correlation "about 0.1" is checked on its absolute difference, not its ratio.
        ok = abs(value - claimed) <= 0.05 if key == "w12_occ_rho" else abs(rel) <= AGREE_WITHIN
        rows.append(
            {
                "figure": figure,
                "issue": claimed,
                "panel": value,
                "rel_diff": rel,
                "agrees": ok,
                "digits": digits,
            }
        )
    return rows


def compute_targets(panel: pd.DataFrame, year: str = DEFAULT_YEAR) -> dict[str, Any]:
    """All calibration targets for one financial year, as a JSON-ready dict."""
    if not ((panel.financial_year == year) & (panel.org_code == ENGLAND)).any():
        raise PanelError(f"no England rows for financial year {year} in the panel")
    nat = national(panel, year)
    spread = trust_spread(panel, year)
    return {
        "financial_year": year,
        "source": SOURCE,
        "definitions": {
            "type1_trust": "type-1 A&E attendances > 0 and G&A beds available > 0",
            "w12": "12-hour waits from decision to admit (A&E), count per quarter",
            "w12_per_bed": "12-hour waits in the quarter / mean G&A beds available",
            "ga_occupancy": "KH03 overnight G&A beds occupied / available, quarter mean",
            "nctr": "mean daily count of patients with no criteria to reside, days reported",
            "quantiles": "linear interpolation between order statistics (numpy default)",
        },
        "national": nat,
        "trusts": spread,
        "occupancy_bands_q4": occupancy_bands(panel, year, "Q4"),
        "correlations": correlations(panel, year),
        "issue_9_checks": issue_checks(nat, spread),
    }


# ---------------------------------------------------------------- Markdown output


def _fmt(x: float, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "-"
    return f"{x:,.{digits}f}"


def _pct(x: float, digits: int = 1) -> str:
    return _fmt(100 * x, digits) + " %"


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A Markdown table; ``align`` holds one of ``l``/``r`` per column (default: l then r)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---" if a == "l" else "---:" for a in align]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def to_markdown(t: dict[str, Any]) -> str:
    """The targets as Markdown sections and tables."""
    nat, spr, y = t["national"], t["trusts"], t["financial_year"]
    q = QUARTERS
    out = [f"## Calibration targets, financial year {y}\n", f"Source: {t['source']}."]

    out.append("\n### England per quarter\n")
    rows = [
        ["12-hour decision-to-admit waits (sum of trusts)"] + [_fmt(nat[k]["w12"]) for k in q],
        ["... per G&A bed (England beds)"] + [_fmt(nat[k]["w12_per_ga_bed"], 2) for k in q],
        ["... per 1,000 type-1 attendances"] + [_fmt(nat[k]["w12_per_1k_att"], 1) for k in q],
        ["G&A occupancy (KH03 overnight)"] + [_pct(nat[k]["ga_occupancy"]) for k in q],
        ["G&A beds available"] + [_fmt(nat[k]["ga_beds_available"]) for k in q],
        ["G&A beds occupied"] + [_fmt(nat[k]["ga_beds_occupied"]) for k in q],
        ["type-1 A&E attendances"] + [_fmt(nat[k]["type1_attendances"]) for k in q],
        ["... per day"] + [_fmt(nat[k]["type1_attendances_per_day"]) for k in q],
        ["... per G&A bed per day (type-1 trusts)"]
        + [_fmt(nat[k]["type1_att_per_ga_bed_day"], 3) for k in q],
        ["type-1 seen within 4 hours"] + [_pct(nat[k]["type1_pct_4hr"]) for k in q],
        ["delayed discharges (NCTR), mean a day, reporting trusts"]
        + [_fmt(nat[k]["nctr_per_day"]) for k in q],
        ["... share of those trusts' G&A beds"] + [_pct(nat[k]["nctr_share_pooled"]) for k in q],
        ["... trusts reporting / median days reported"]
        + [f"{nat[k]['nctr_trusts']} / {nat[k]['nctr_days_median']:.0f}" for k in q],
        ["days in quarter"] + [str(nat[k]["days"]) for k in q],
    ]
    out.append(md_table(["figure", *q], rows))

    out.append("\n### Between trusts with a type-1 A&E, per quarter\n")
    rows = [
        ["trusts (n)"] + [str(spr[k]["n"]) for k in q],
        ["12h waits per G&A bed: p25"] + [_fmt(spr[k]["w12_per_bed_p25"], 2) for k in q],
        ["... median"] + [_fmt(spr[k]["w12_per_bed_median"], 2) for k in q],
        ["... p75"] + [_fmt(spr[k]["w12_per_bed_p75"], 2) for k in q],
        ["... mean"] + [_fmt(spr[k]["w12_per_bed_mean"], 2) for k in q],
        ["share of trusts with any 12h wait"] + [_pct(spr[k]["w12_any_share"], 0) for k in q],
        ["median trust's 12h waits"] + [_fmt(spr[k]["w12_median_trust"]) for k in q],
        ["share of 12h waits at the top quarter of trusts (per bed)"]
        + [_pct(spr[k]["w12_top_quarter_share"], 0) for k in q],
        ["Spearman(12h per bed, occupancy)"]
        + [f"{spr[k]['w12_occ_spearman']:.2f} (p {spr[k]['w12_occ_spearman_p']:.2f})" for k in q],
        ["trusts < 88 % occupancy (n)"] + [str(spr[k]["low_occ_n"]) for k in q],
        ["... 12h per bed: mean of trusts"]
        + [_fmt(spr[k]["low_occ_w12_per_bed_mean"], 2) for k in q],
        ["... median of trusts"] + [_fmt(spr[k]["low_occ_w12_per_bed_median"], 2) for k in q],
        ["... pooled (sum waits / sum beds)"]
        + [_fmt(spr[k]["low_occ_w12_per_bed_pooled"], 2) for k in q],
        ["G&A occupancy: p10"] + [_pct(spr[k]["occ_p10"]) for k in q],
        ["... median"] + [_pct(spr[k]["occ_median"]) for k in q],
        ["... p90"] + [_pct(spr[k]["occ_p90"]) for k in q],
        ["type-1 attendances per G&A bed per day: p10"]
        + [_fmt(spr[k]["att_per_bed_day_p10"], 3) for k in q],
        ["... median"] + [_fmt(spr[k]["att_per_bed_day_median"], 3) for k in q],
        ["... p90"] + [_fmt(spr[k]["att_per_bed_day_p90"], 3) for k in q],
        ["type-1 4-hour performance: p10"] + [_pct(spr[k]["pct_4hr_p10"]) for k in q],
        ["... median"] + [_pct(spr[k]["pct_4hr_median"]) for k in q],
        ["... p90"] + [_pct(spr[k]["pct_4hr_p90"]) for k in q],
        ["NCTR share of G&A beds: trusts reporting"] + [str(spr[k]["nctr_n"]) for k in q],
        ["... p10"] + [_pct(spr[k]["nctr_share_p10"]) for k in q],
        ["... median"] + [_pct(spr[k]["nctr_share_median"]) for k in q],
        ["... p90"] + [_pct(spr[k]["nctr_share_p90"]) for k in q],
    ]
    out.append(md_table(["figure", *q], rows))

    out.append("\n### G&A beds per trust with a type-1 A&E (KH03, mean available)\n")
    keys = ("beds_p10", "beds_p25", "beds_median", "beds_p75", "beds_p90")
    rows = [[k, str(spr[k]["n"])] + [_fmt(spr[k][c]) for c in keys] for k in q]
    out.append(md_table(["quarter", "n", "p10", "p25", "median", "p75", "p90"], rows))

    out.append("\n### 12-hour waits per G&A bed by trust occupancy, Q4\n")
    rows = [
        [
            b["band"],
            str(b["n"]),
            _fmt(b["w12_per_bed_median"], 2),
            _fmt(b["w12_per_bed_mean"], 2),
            _fmt(b["w12_per_bed_pooled"], 2),
            _pct(b["w12_any_share"], 0),
        ]
        for b in t["occupancy_bands_q4"]
    ]
    header = ["G&A occupancy", "trusts", "median", "mean", "pooled", "any 12h wait"]
    out.append(md_table(header, rows))

    out.append("\n### Spearman correlations between trusts with a type-1 A&E\n")
    rows = [[c["pair"], _fmt(c["rho"], 2), str(c["n"]), f"{c['p']:.3g}"] for c in t["correlations"]]
    out.append(md_table(["pair", "rho", "n", "p"], rows))

    out.append("\n### Issue 9's figures against the panel\n")
    rows = []
    for c in t["issue_9_checks"]:
        digits = c["digits"]
        rows.append(
            [
                c["figure"],
                _fmt(c["issue"], digits),
                _fmt(c["panel"], digits),
                f"{100 * c['rel_diff']:+.1f} %",
                "yes" if c["agrees"] else "**no**",
            ]
        )
    out.append(md_table(["figure", "issue 9", "panel", "difference", "agrees"], rows))
    return "\n".join(out) + "\n"


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float | np.floating):
        return None if np.isnan(obj) else float(obj)
    if isinstance(obj, np.integer | np.bool_):
        return obj.item()
    return obj


def main(argv: Sequence[str] | None = None) -> int:
    """Print the targets as Markdown; write JSON with ``--json``. Returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "panel", nargs="?", type=Path, default=DEFAULT_PANEL, help=f"default: {DEFAULT_PANEL}"
    )
    parser.add_argument("--year", default=DEFAULT_YEAR, help="financial year, e.g. 2024-25")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write targets as JSON")
    args = parser.parse_args(argv)
    try:
        targets = compute_targets(load_panel(args.panel), args.year)
    except PanelError as err:
        print(f"reference.py: {err}", file=sys.stderr)
        return 2
    targets["panel"] = str(args.panel)
    print(to_markdown(targets), end="")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(_jsonable(targets), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
