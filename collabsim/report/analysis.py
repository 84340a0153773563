"""The numbers of a report: the what-ifs of a sweep, their measures with intervals,
differences from a baseline, the series over time and the trust dividend.

Everything here reads the runs a sweep wrote (``runs.parquet``, ``series.parquet``)
and returns tables; drawing and the page are elsewhere (``figures``, ``page``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from collabsim.collect import ResultsError, find_runs
from collabsim.config import CHANNELS
from collabsim.core.metrics import MEASURES, Measure, rolling_wait_days
from collabsim.dividend import (
    CHANNEL_MEASURES,
    TRUST_SETTINGS,
    channel_parts,
    dividend_of,
    trust_ends,
)
from collabsim.stats import Interval, mean_interval, paired_difference, t975

# Columns that are not what-if settings even though they are parameters.
NOT_FACTORS = {"base_seed", "replications", "output.series", "output.figures"}
SHORT = {"policy.name": "policy", "network.preset": "network", "culture.name": "culture"}
# The setting that switches trust's channels off (a list: JSON text in runs.parquet).
CHANNELS_KEY = "channels.off"
# The measures in the report's table, in the list's order.
REPORTED: tuple[Measure, ...] = tuple(m for m in MEASURES if m.report is not None)


def load_runs(directory: str | Path) -> tuple[pd.DataFrame, list[Path], Path]:
    """Every replication of every finished run under ``directory`` (one row each, with
    its run directory in ``_dir``), the run directories and the root."""
    found = find_runs(directory)
    if not found.runs:
        extra = f" ({len(found.failed)} failed)" if found.failed else ""
        raise ResultsError(f"{found.root}: no finished runs to report on{extra}")
    frames = []
    for d in found.runs:
        frame = pd.read_parquet(d / "runs.parquet")
        frame["_dir"] = str(d)
        frames.append(frame)
    runs = pd.concat(frames, ignore_index=True)
    for m in MEASURES:  # measures made of others (not stored by a run)
        if m.parts:
            total = runs.get(m.parts[0], 0)
            for part in m.parts[1:]:
                total = total + runs.get(part, 0)
            runs[m.name] = total
    return runs, found.runs, found.root


def factors(runs: pd.DataFrame) -> list[str]:
    """The settings that differ between jobs: the what-ifs' names. A setting that only
    follows another (a policy's parameters follow the policy; a scenario's settings
    follow the scenario) is left out, so labels read ``policy=ics_pool``."""
    jobs = runs.drop_duplicates("_dir")
    text = {
        c: jobs[c].astype(str)
        for c in jobs.columns
        if ("." in c or c == "scenario") and c not in NOT_FACTORS
    }
    varying = [c for c, v in text.items() if v.nunique() > 1]

    def follows(c: str, d: str) -> bool:  # each value of d goes with one value of c
        pairs = pd.DataFrame({"c": text[c], "d": text[d]})
        return bool((pairs.groupby("d")["c"].nunique() <= 1).all())

    keep = []
    for c in varying:
        led = any(follows(c, d) and not follows(d, c) for d in varying if d != c)
        twin = any(follows(c, d) and follows(d, c) for d in keep)
        if not led and not twin:
            keep.append(c)
    return keep


def describe(keys: list[str], values: Any) -> str:
    """``policy=ics_pool, trust.initial=0.2``: settings in a what-if's words."""
    return ", ".join(f"{SHORT.get(k, k)}={v}" for k, v in zip(keys, values, strict=True))


def label_rows(runs: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Each run's what-if, as a label."""
    if not keys:
        return pd.Series(["as configured"] * len(runs), index=runs.index)
    return runs[keys].astype(str).apply(lambda row: describe(keys, row), axis=1)


def order_labels(labels: list[str], baseline: str | None) -> list[str]:
    """The what-ifs with the baseline first: the one named (``policy=none`` matches the
    what-if ``policy=none, ...``), or else the first."""
    if baseline is not None:
        wanted = [lab for lab in labels if baseline in lab.split(", ") or lab == baseline]
        if not wanted:
            raise ResultsError(
                f"--baseline {baseline}: no what-if matches; they are: " + "; ".join(labels)
            )
        base = wanted[0]
    else:
        base = labels[0]
    return [base] + [lab for lab in labels if lab != base]


def headline(runs: pd.DataFrame, labels: list[str]) -> list[tuple[str, int, list[Any]]]:
    """Per what-if: its label, its number of runs, and the interval of each reported
    measure (None where the runs lack it)."""
    out = []
    for lab in labels:
        sub = runs[runs["_label"] == lab]
        intervals = [
            mean_interval(sub[m.name].to_numpy(float)) if m.name in sub else None for m in REPORTED
        ]
        out.append((lab, len(sub), intervals))
    return out


def compare(runs: pd.DataFrame, labels: list[str], baseline: str, column: str) -> dict[str, Any]:
    """Difference of each what-if from the baseline: paired by seed when they share seeds."""
    base = runs[runs["_label"] == baseline].set_index("seed")[column]
    out = {}
    for lab in labels:
        if lab == baseline:
            continue
        other = runs[runs["_label"] == lab].set_index("seed")[column]
        shared = base.index.intersection(other.index)
        if len(shared) >= 2 and not base.index.duplicated().any():
            iv = paired_difference(
                other.loc[shared].to_numpy(float), base.loc[shared].to_numpy(float)
            )
            out[lab] = (iv, "paired")
        else:
            a, b = mean_interval(other.to_numpy(float)), mean_interval(base.to_numpy(float))
            se = math.hypot(a.se, b.se) if a.n > 1 and b.n > 1 else math.nan
            df = min(a.n, b.n) - 1
            half = t975(df) * se if df >= 1 else math.nan
            d = a.mean - b.mean
            out[lab] = (Interval(d, se, d - half, d + half, min(a.n, b.n)), "unpaired")
    return out


def read_series(dirs: list[Path], runs: pd.DataFrame) -> pd.DataFrame:
    """The series of every run, labelled by what-if, with the 7-day mean wait in hours
    (``wait_hours``); empty when no run kept its series."""
    label_of = runs.drop_duplicates("_dir").set_index("_dir")["_label"]
    frames = []
    for d in dirs:
        path = d / "series.parquet"
        if path.exists():
            s = pd.read_parquet(
                path, columns=["day", "replication", "wait_steps", "admissions", "mean_trust"]
            )
            s["_label"] = label_of.get(str(d), "?")
            s["_dir"] = str(d)
            frames.append(s)
    if not frames:
        return pd.DataFrame()
    series = pd.concat(frames, ignore_index=True)
    step = series["day"].diff().dropna()
    step = float(step[step > 0].min()) if (step > 0).any() else 1.0
    series = series.sort_values(["_dir", "replication", "day"])
    waits = [
        pd.Series(rolling_wait_days(s["wait_steps"], s["admissions"], step), index=s.index)
        for _, s in series.groupby(["_dir", "replication"])
    ]
    series["wait_hours"] = pd.concat(waits) * 24
    return series


def channels_off(value: Any) -> frozenset[str]:
    """The channels a run switched off, from its ``channels.off`` column: JSON text
    (``["offering"]``, as ``job.parameter_columns`` writes a list) or a list."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = value.strip("[]").replace("'", "").replace('"', "").split(",")
    return frozenset(str(v).strip() for v in value if str(v).strip())


def _all_on(runs: pd.DataFrame) -> frozenset[str] | None:
    """Of the ``channels.off`` values of ``runs``, the one every other contains (usually
    none off: every channel on); None when there is no such value."""
    sets = set(runs[CHANNELS_KEY].map(channels_off))
    bases = [s for s in sets if all(s <= t for t in sets)]
    return bases[0] if bases else None


def _groups(runs: pd.DataFrame, others: list[str]) -> Any:
    return runs.groupby(others, dropna=False) if others else [((), runs)]


def trust_dividends(runs: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, str] | None:
    """The trust dividend in wait and in cost of aid (``collabsim.dividend.dividend_of``)
    per other what-if, from runs at the low- and high-trust ends of the first trust
    setting the sweep varies, paired by seed; None if it varies none. When the sweep
    also switches channels off (``channels.off``), only the runs with every channel on
    (or the fewest off, which every other run also switches off) count here; the
    channels' parts are in ``channel_dividends``."""
    trust_keys = [k for k in keys if k in TRUST_SETTINGS]
    if not trust_keys:
        return None
    key = trust_keys[0]
    if CHANNELS_KEY in keys and (base := _all_on(runs)) is not None:
        runs = runs[runs[CHANNELS_KEY].map(channels_off) == base]
        keys = [k for k in keys if k != CHANNELS_KEY]
    others = [k for k in keys if k != key]
    rows = []
    for name, group in _groups(runs, others):
        levels = group[key].unique()
        if len(levels) < 2:
            continue
        low, high = trust_ends(key, levels)
        a = group[group[key] == low].set_index("seed")
        b = group[group[key] == high].set_index("seed")
        shared = a.index.intersection(b.index)
        if len(shared) < 2:
            continue
        found = dividend_of(a.loc[shared], b.loc[shared], ("mean_wait_days", "aid_cost"))
        saved = found["dividend"]
        name = name if isinstance(name, tuple) else (name,)
        rows.append({"what_if": describe(others, name) or "all", "low": low, "high": high,
                     "wait": saved["mean_wait_days"], "cost": saved["aid_cost"]})  # fmt: skip
    return (pd.DataFrame(rows), key) if rows else None


def channel_dividends(
    runs: pd.DataFrame, keys: list[str]
) -> tuple[pd.DataFrame, str, list[str]] | None:
    """The trust dividend split by channel, where a sweep varies a trust setting and
    ``channels.off``: per other what-if (a policy, say), from runs at the low- and
    high-trust ends paired by seed, the dividend with every channel on (``total``), each
    channel's contribution (the dividend with it on less the dividend with it off, paired
    by seed: ``collabsim.dividend.channel_parts``), that of channels switched off
    together, the dividend with every channel off where the sweep has it, and the
    interaction (what the contributions leave of the total, when every channel was
    switched off on its own). Measures: ``CHANNEL_MEASURES`` present in the runs.

    Returns (rows, the trust setting, the measures): a row per part, with ``what_if``,
    ``part`` (``total``, ``channel``, ``together``, ``all_off``, ``interaction``),
    ``channel`` (its name, or the names joined by "+"), ``low``, ``high``, ``n`` and an
    Interval per measure; None if the sweep varies no trust setting or no channels."""
    trust_keys = [k for k in keys if k in TRUST_SETTINGS]
    measures = [m for m in CHANNEL_MEASURES if m in runs.columns]
    if not trust_keys or CHANNELS_KEY not in keys or not measures:
        return None
    key = trust_keys[0]
    others = [k for k in keys if k not in (key, CHANNELS_KEY)]
    rows: list[dict[str, Any]] = []
    for name, group in _groups(runs, others):
        levels = group[key].unique()
        if len(levels) < 2:
            continue
        low, high = trust_ends(key, levels)
        split: dict[frozenset[str], pd.DataFrame] = {}  # dividend per seed, by channels off
        for off, variant in group.groupby(group[CHANNELS_KEY].map(channels_off), sort=False):
            a = variant[variant[key] == low].set_index("seed")[measures]
            b = variant[variant[key] == high].set_index("seed")[measures]
            if a.index.duplicated().any() or b.index.duplicated().any():
                continue
            shared = a.index.intersection(b.index)
            if len(shared) >= 2:
                split[off] = a.loc[shared].astype(float) - b.loc[shared].astype(float)
        bases = [s for s in split if all(s <= t for t in split)]
        if len(split) < 2 or not bases:
            continue
        base = bases[0]
        seeds = split[base].index
        for d in split.values():
            seeds = seeds.intersection(d.index)
        if len(seeds) < 2:
            continue
        div = {s: d.loc[seeds] for s, d in split.items()}
        total = div[base]
        singles = {next(iter(s - base)): d for s, d in div.items() if len(s - base) == 1}
        everything = frozenset(CHANNELS)
        all_off = div.get(everything) if base != everything else None
        complete = all(c in singles for c in CHANNELS if c not in base)
        without = {c: singles.get(c, total) for c in CHANNELS} if complete else singles
        parts = {
            m: channel_parts(total[m].to_numpy(), {c: v[m].to_numpy() for c, v in without.items()},
                             None if all_off is None else all_off[m].to_numpy())
            for m in measures
        }  # fmt: skip
        name = name if isinstance(name, tuple) else (name,)
        head = {"what_if": describe(others, name) or "all", "low": low, "high": high,
                "n": len(seeds)}  # fmt: skip
        found = [("total", "+".join(c for c in CHANNELS if c in base),
                  {m: parts[m]["total"] for m in measures})]  # fmt: skip
        found += [("channel", c, {m: parts[m]["contributions"][c] for m in measures})
                  for c in CHANNELS if c in singles]  # fmt: skip
        found += [("together", "+".join(c for c in CHANNELS if c in s - base),
                   {m: paired_difference(total[m].to_numpy(), d[m].to_numpy())
                    for m in measures})
                  for s, d in div.items() if len(s - base) > 1 and s != everything]  # fmt: skip
        if all_off is not None:
            found.append(("all_off", "+".join(CHANNELS),
                          {m: parts[m]["all_off"] for m in measures}))  # fmt: skip
        if complete:
            found.append(("interaction", "", {m: parts[m]["interaction"] for m in measures}))
        rows += [{**head, "part": part, "channel": channel, **values}
                 for part, channel, values in found]  # fmt: skip
    return (pd.DataFrame(rows), key, measures) if rows else None


__all__ = [
    "CHANNELS_KEY",
    "REPORTED",
    "channel_dividends",
    "channels_off",
    "compare",
    "factors",
    "headline",
    "label_rows",
    "load_runs",
    "order_labels",
    "read_series",
    "trust_dividends",
]
