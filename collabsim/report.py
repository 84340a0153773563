"""``collabsim report <dir>``: one self-contained HTML page (figures embedded) for a board.

The page compares the *what-ifs* of a sweep (the settings that differ between its
runs, e.g. ``policy=ics_pool`` against ``policy=trust_gated``): a table of headline
measures with means and 95 % confidence intervals over replications; the difference
from a baseline what-if, paired by seed where the runs share seeds (common random
numbers); waits and trust over time with 95 % bands; the trust dividend where the
sweep varies trust; and a map of the network coloured by how full each provider was.
The PNG figures are also written to ``<dir>/figures/``.
"""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from collabsim.collect import ResultsError, find_runs  # noqa: E402
from collabsim.stats import Interval, mean_interval, paired_difference, t975  # noqa: E402

# Columns that are not what-if settings even though they are parameters.
NOT_FACTORS = {"base_seed", "replications", "output.series", "output.figures"}
# Settings that change trust: a sweep over one of them has a trust dividend.
TRUST_FACTORS = ("trust.initial", "trust.baseline", "culture.name", "culture.harm_loss",
                 "relationship.protected_time")  # fmt: skip
SHORT = {"policy.name": "policy", "network.preset": "network", "culture.name": "culture"}
COLOURS = ("#005EB8", "#DA291C", "#009639", "#ED8B00", "#7C2855", "#00A9CE", "#425563",
           "#AE2573", "#330072", "#78BE20")  # fmt: skip

MEASURES = (  # column, what a planner reads, scale, format
    ("mean_wait_days", "Mean wait for a bed (hours)", 24.0, "{:.2f}"),
    ("p95_wait_days", "1 in 20 waited longer than (hours)", 24.0, "{:.1f}"),
    ("breach_share", "Waited a day or more (%)", 100.0, "{:.2f}"),
    ("harm_events", "Patients harmed by long waits", 1.0, "{:,.0f}"),
    ("moved", "Patients and beds shared", 1.0, "{:,.0f}"),
    ("aid_cost", "Cost of arranging mutual aid (GBP)", 1.0, "{:,.0f}"),
    ("mean_trust", "Trust between partners (0-1)", 1.0, "{:.3f}"),
    ("wait_gini_regions", "Unequal waits between regions (Gini, 0 = equal)", 1.0, "{:.3f}"),
)


def load_runs(directory: str | Path) -> tuple[pd.DataFrame, list[Path], Path]:
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
    runs["moved"] = runs.get("transfers", 0) + runs.get("loans", 0)
    return runs, found.runs, found.root


def factors(runs: pd.DataFrame) -> list[str]:
    """The settings that differ between jobs: the what-ifs' names. A setting that only
    follows another (a policy's parameters follow the policy; a scenario's settings
    follow the scenario) is left out, so labels read ``policy=ics_pool``."""
    jobs = runs.drop_duplicates("_dir")
    text = {c: jobs[c].astype(str) for c in jobs.columns
            if ("." in c or c == "scenario") and c not in NOT_FACTORS}  # fmt: skip
    varying = [c for c, v in text.items() if v.nunique() > 1]

    def follows(c: str, d: str) -> bool:  # each value of d goes with one value of c
        return bool((pd.DataFrame({"c": text[c], "d": text[d]}).groupby("d")["c"].nunique()
                     <= 1).all())  # fmt: skip

    keep = []
    for c in varying:
        led = any(follows(c, d) and not follows(d, c) for d in varying if d != c)
        twin = any(follows(c, d) and follows(d, c) for d in keep)
        if not led and not twin:
            keep.append(c)
    return keep


def label_rows(runs: pd.DataFrame, keys: list[str]) -> pd.Series:
    if not keys:
        return pd.Series(["as configured"] * len(runs), index=runs.index)
    return (
        runs[keys]
        .astype(str)
        .apply(
            lambda row: ", ".join(f"{SHORT.get(k, k)}={v}" for k, v in zip(keys, row, strict=True)),
            axis=1,
        )
    )


def _figure_png(fig: Any, path: Path) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    data = buf.getvalue()
    path.write_bytes(data)
    return base64.b64encode(data).decode("ascii")


def _fmt(value: float, scale: float, fmt: str) -> str:
    return "n/a" if value is None or not math.isfinite(value) else fmt.format(value * scale)


def _interval_text(iv: Any, scale: float, fmt: str, floor: float = -math.inf) -> str:
    """``mean (low to high)``; an interval is cut at ``floor`` (0 for quantities that
    cannot be negative: the cut interval still covers the mean at least as often)."""
    if iv.n < 2 or not math.isfinite(iv.se) or iv.se == 0:
        return _fmt(iv.mean, scale, fmt)
    low = max(iv.low, floor)
    return f"{_fmt(iv.mean, scale, fmt)} ({_fmt(low, scale, fmt)} to {_fmt(iv.high, scale, fmt)})"


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


def _sentence(label: str, baseline: str, iv: Any, kind: str) -> str:
    """One plain-English sentence on how waits under ``label`` compare with the baseline."""
    what, base = f"<b>{html.escape(label)}</b>", html.escape(baseline)
    hours = iv.mean * 24
    pairing = ("Compared on the same patients (same seeds)." if kind == "paired"
               else "Compared on different seeds.")  # fmt: skip
    if iv.n < 2 or not math.isfinite(iv.low):
        word = "less" if hours < 0 else "longer"
        return (f"With {what}, patients waited on average {abs(hours):.2f} hours {word} for a "
                f"bed than with {base} (too few runs for a confidence interval).")  # fmt: skip
    lo, hi = iv.low * 24, iv.high * 24
    if hi < 0:
        return (f"With {what}, patients waited on average <b>{abs(hours):.2f} hours less</b> "
                f"for a bed than with {base} (95 % confidence: between {abs(hi):.2f} and "
                f"{abs(lo):.2f} hours less). {pairing}")  # fmt: skip
    if lo > 0:
        return (f"With {what}, patients waited on average <b>{hours:.2f} hours longer</b> "
                f"for a bed than with {base} (95 % confidence: between {lo:.2f} and "
                f"{hi:.2f} hours longer). {pairing}")  # fmt: skip
    return (f"With {what}, average waits for a bed were <b>about the same</b> as with {base}: "
            f"the difference, {hours:+.2f} hours (95 % confidence: {lo:+.2f} to {hi:+.2f}), "
            f"could be chance. {pairing}")  # fmt: skip


def _series(dirs: list[Path], runs: pd.DataFrame) -> pd.DataFrame:
    label_of = runs.drop_duplicates("_dir").set_index("_dir")["_label"]
    frames = []
    for d in dirs:
        path = d / "series.parquet"
        if path.exists():
            s = pd.read_parquet(path, columns=["day", "replication", "wait_steps", "admissions",
                                               "mean_trust"])  # fmt: skip
            s["_label"] = label_of.get(str(d), "?")
            s["_dir"] = str(d)
            frames.append(s)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def panels_of(labels: list[str], most: int = 8) -> dict[str, list[str]]:
    """What-ifs grouped into panels: one panel, or, when there are more than ``most`` and
    more than one setting varies, one panel per value of the first setting."""
    parts = [lab.split(", ") for lab in labels]
    if len(labels) <= most or min(len(p) for p in parts) < 2:
        return {"": labels}
    panels: dict[str, list[str]] = {}
    for lab, p in zip(labels, parts, strict=True):
        panels.setdefault(p[0], []).append(lab)
    return panels


def _band_plot(series: pd.DataFrame, labels: list[str], value: str, ylabel: str, title: str,
               warmup: float, path: Path, floor: float = 0.0,
               ceiling: float = np.inf) -> str:  # fmt: skip
    """Mean of the runs of each what-if over time with its 95 % band, in panels."""
    panels = panels_of(labels)
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 1.0 + 3.0 * len(panels)),
                             sharex=True, squeeze=False, constrained_layout=True)  # fmt: skip
    colour_of: dict[str, str] = {}  # the same what-if, the same colour, in every panel
    for ax, (panel, members) in zip(axes[:, 0], panels.items(), strict=True):
        for lab in members:
            s = series[series["_label"] == lab]
            if s.empty:
                continue
            wide = s.pivot_table(index="day", columns=["_dir", "replication"], values=value)
            mean = wide.mean(axis=1)
            n = wide.notna().sum(axis=1)
            se = wide.std(axis=1, ddof=1) / np.sqrt(n.clip(lower=1))
            half = se * n.apply(lambda m: t975(int(m) - 1) if m >= 2 else np.nan)
            name = lab[len(panel) + 2 :] if panel else lab
            colour = colour_of.setdefault(name, COLOURS[len(colour_of) % len(COLOURS)])
            ax.plot(mean.index, mean, color=colour, label=name, lw=1.5)
            low, high = (mean - half).clip(lower=floor), (mean + half).clip(upper=ceiling)
            ax.fill_between(mean.index, low, high, color=colour, alpha=0.2, lw=0)
        ax.axvspan(series["day"].min(), warmup, color="0.92", lw=0,
                   label="warm-up (not measured)")  # fmt: skip
        ax.set_ylabel(ylabel)
        ax.set_title(f"{title}: {panel}" if panel else title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes[-1, 0].set_xlabel("day")
    return _figure_png(fig, path)


def _network_map(run_dir: Path, title: str, path: Path) -> str | None:
    prov_path, link_path = run_dir / "providers.parquet", run_dir / "links.parquet"
    if not prov_path.exists():
        return None
    prov = pd.read_parquet(prov_path)
    prov = prov[prov["replication"] == prov["replication"].min()].reset_index(drop=True)
    pressure = prov["mean_occupancy"] + prov["mean_waiting"] / prov["capacity"].clip(lower=1)
    if prov["x_km"].isna().any():
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(prov["id"])
        if link_path.exists():
            links = pd.read_parquet(link_path)
            g.add_edges_from(zip(links["source"], links["target"], strict=True))
        pos = nx.spring_layout(g, seed=1)
        xy = np.array([pos[i] for i in prov["id"]])
    else:
        xy = prov[["x_km", "y_km"]].to_numpy()
    where = {pid: i for i, pid in enumerate(prov["id"])}
    fig, ax = plt.subplots(figsize=(8, 7), constrained_layout=True)
    if link_path.exists():
        links = pd.read_parquet(link_path)
        for a, b in zip(links["source"], links["target"], strict=True):
            i, j = where.get(a), where.get(b)
            if i is not None and j is not None:
                ax.plot(xy[[i, j], 0], xy[[i, j], 1], color="0.8", lw=0.4, zorder=1)
    size = 20 + 180 * prov["capacity"] / max(prov["capacity"].max(), 1)
    dots = ax.scatter(xy[:, 0], xy[:, 1], c=pressure, s=size, cmap="RdYlGn_r",
                      vmin=0.7, vmax=1.1, edgecolor="k", lw=0.3, zorder=2)  # fmt: skip
    fig.colorbar(dots, ax=ax, label="pressure: beds occupied + queue, share of beds")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    return _figure_png(fig, path)


def _dividend(runs: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, str] | None:
    """Paired low-minus-high-trust differences in mean wait, per other what-if."""
    trust_keys = [k for k in keys if k in TRUST_FACTORS]
    if not trust_keys:
        return None
    key = trust_keys[0]
    others = [k for k in keys if k != key]
    rows = []
    groups = runs.groupby(others, dropna=False) if others else [((), runs)]
    for name, group in groups:
        levels = sorted(group[key].unique(), key=lambda v: (isinstance(v, str), v))
        if len(levels) < 2:
            continue
        # the low-trust end: the lowest level, except where more means less trust
        # (harm_loss); "blame" sorts before "learning", as it should
        reverse = key == "culture.harm_loss"
        low, high = (levels[-1], levels[0]) if reverse else (levels[0], levels[-1])
        a = group[group[key] == low].set_index("seed")
        b = group[group[key] == high].set_index("seed")
        shared = a.index.intersection(b.index)
        if len(shared) < 2:
            continue
        iv = paired_difference(a.loc[shared, "mean_wait_days"].to_numpy(float),
                               b.loc[shared, "mean_wait_days"].to_numpy(float))  # fmt: skip
        cost = paired_difference(a.loc[shared, "aid_cost"].to_numpy(float),
                                 b.loc[shared, "aid_cost"].to_numpy(float))  # fmt: skip
        name = name if isinstance(name, tuple) else (name,)
        label = ", ".join(f"{SHORT.get(k, k)}={v}" for k, v in zip(others, name, strict=True))
        rows.append({"what_if": label or "all", "low": low, "high": high, "wait": iv,
                     "cost": cost})  # fmt: skip
    return (pd.DataFrame(rows), key) if rows else None


def make_report(directory: str | Path, baseline: str | None = None,
                out: str | Path | None = None) -> Path:  # fmt: skip
    """Write the report (and its figures) for the runs under ``directory``."""
    runs, dirs, root = load_runs(directory)
    keys = factors(runs)
    runs["_label"] = label_rows(runs, keys)
    labels = list(dict.fromkeys(runs["_label"]))
    if baseline is not None:
        wanted = [lab for lab in labels if baseline in lab.split(", ") or lab == baseline]
        if not wanted:
            raise ResultsError(f"--baseline {baseline}: no what-if matches; they are: "
                               + "; ".join(labels))  # fmt: skip
        base = wanted[0]
    else:
        base = labels[0]
    labels = [base] + [lab for lab in labels if lab != base]
    out_path = Path(out) if out else root / "report.html"
    figures = out_path.parent / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    warmup = float(runs["sim.warmup_days"].iloc[0]) if "sim.warmup_days" in runs else 0.0

    # the table
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title, _, _ in MEASURES)
    body = []
    for lab in labels:
        sub = runs[runs["_label"] == lab]
        cells = [f"<td class='what'>{html.escape(lab)}</td><td>{len(sub)}</td>"]
        for column, _, scale, fmt in MEASURES:
            iv = mean_interval(sub[column].to_numpy(float)) if column in sub else None
            text = _interval_text(iv, scale, fmt, floor=0.0) if iv else "n/a"
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    table = f"<table><tr><th>What if</th><th>Runs</th>{head}</tr>{''.join(body)}</table>"

    diffs = compare(runs, labels, base, "mean_wait_days")
    costs = compare(runs, labels, base, "aid_cost")
    sentences = [_sentence(lab, base, iv, kind) for lab, (iv, kind) in diffs.items()]
    diff_rows = "".join(
        f"<tr><td class='what'>{html.escape(lab)}</td>"
        f"<td>{_interval_text(iv, 24.0, '{:+.2f}')}</td>"
        f"<td>{_interval_text(costs[lab][0], 1.0, '{:+,.0f}')}</td><td>{kind}</td></tr>"
        for lab, (iv, kind) in diffs.items()
    )
    diff_table = (
        "<table><tr><th>What if</th><th>Change in mean wait (hours)</th>"
        "<th>Change in cost of aid (GBP)</th><th>Compared</th></tr>" + diff_rows + "</table>"
        if diffs else "<p>There is only one what-if here, so nothing to compare.</p>"
    )  # fmt: skip

    series = _series(dirs, runs)
    images = []
    if not series.empty:
        step = series["day"].diff().dropna()
        step = float(step[step > 0].min()) if (step > 0).any() else 1.0
        series = series.sort_values(["_dir", "replication", "day"])
        grp = series.groupby(["_dir", "replication"])
        week = max(1, int(round(7 / step)))
        waited = grp["wait_steps"].transform(lambda x: x.rolling(week, min_periods=1).sum())
        admitted = grp["admissions"].transform(lambda x: x.rolling(week, min_periods=1).sum())
        series["wait_hours"] = waited / admitted.where(admitted > 0) * step * 24
        images.append(("How long patients waited for a bed, over time",
                       _band_plot(series, labels, "wait_hours", "mean wait (hours, 7-day mean)",
                                  "Waits by what-if: mean of runs, 95 % band", warmup,
                                  figures / "waits.png")))  # fmt: skip
        images.append(("Trust between partners, over time",
                       _band_plot(series, labels, "mean_trust", "mean trust (0-1)",
                                  "Trust by what-if: mean of runs, 95 % band", warmup,
                                  figures / "trust.png", ceiling=1.0)))  # fmt: skip

    dividend = _dividend(runs, keys)
    if dividend is None:
        dividend_html = ("<p>This comparison does not vary trust, so it cannot show the trust "
                         "dividend. Run <code>collabsim -m experiment=trust_dividend</code> (or "
                         "sweep <code>trust.initial</code>) and report on that.</p>")  # fmt: skip
    else:
        table_d, key = dividend
        fig, ax = plt.subplots(figsize=(8, 0.6 + 0.5 * len(table_d)), constrained_layout=True)
        y = np.arange(len(table_d))
        means = np.array([iv.mean * 24 for iv in table_d["wait"]])
        halves = np.array([(iv.high - iv.low) / 2 * 24 for iv in table_d["wait"]])
        ax.barh(y, means, xerr=halves, color="#005EB8", alpha=0.8, capsize=4)
        ax.set_yticks(y, table_d["what_if"])
        ax.axvline(0, color="k", lw=0.8)
        ax.set_xlabel(f"hours of waiting saved by higher {key} (95 % interval)")
        ax.set_title("The trust dividend")
        img = _figure_png(fig, figures / "trust_dividend.png")
        rows = "".join(
            f"<tr><td class='what'>{html.escape(r.what_if)}</td><td>{r.low} to {r.high}</td>"
            f"<td>{_interval_text(r.wait, 24.0, '{:+.2f}')}</td>"
            f"<td>{_interval_text(r.cost, 1.0, '{:+,.0f}')}</td></tr>"
            for r in table_d.itertuples()
        )
        dividend_html = (
            f"<p>Hours of waiting and pounds of aid cost saved, on average per patient and per "
            f"year, by moving <code>{html.escape(key)}</code> from its low to its high value, "
            "on the same patients (same seeds). Positive numbers: trust saves.</p>"
            "<table><tr><th>Where</th><th>From, to</th><th>Wait saved (hours)</th>"
            f"<th>Cost saved (GBP)</th></tr>{rows}</table>"
            f"<img alt='trust dividend' src='data:image/png;base64,{img}'>"
        )

    base_dir = Path(runs.loc[runs["_label"] == base, "_dir"].iloc[0])
    map_img = _network_map(base_dir, f"How full each provider was ({base})",
                           figures / "network.png")  # fmt: skip

    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>collabsim report</title><style>",
        "body{font-family:Arial,Helvetica,sans-serif;max-width:1100px;margin:2em auto;",
        "color:#212b32}",
        "h1{color:#005EB8}table{border-collapse:collapse;margin:1em 0;font-size:0.9em}",
        "td,th{border:1px solid #d8dde0;padding:4px 8px;text-align:right}",
        "th{background:#f0f4f5}td.what{text-align:left;font-weight:bold}img{max-width:100%}",
        "p.note{color:#4c6272;font-size:0.9em}</style></head><body>",
        "<h1>Mutual aid between providers: what the simulation shows</h1>",
        f"<p>{len(runs)} simulated runs of {len(labels)} what-if(s), "
        f"{runs['sim.days'].iloc[0] - warmup:.0f} days each after a {warmup:.0f}-day warm-up, "
        f"on the <b>{html.escape(str(runs['network'].iloc[0]))}</b> network. Figures in "
        "brackets are 95 % confidence intervals over the runs: the range the average would "
        "fall in if the simulation were repeated many times.</p>",
        "<h2>Headline measures</h2>", table,
        f"<h2>Compared with {html.escape(base)}</h2>",
        "".join(f"<p>{s}</p>" for s in sentences), diff_table,
    ]  # fmt: skip
    for title, img in images:
        parts.append(f"<h2>{html.escape(title)}</h2>")
        parts.append(f"<img alt='{html.escape(title)}' src='data:image/png;base64,{img}'>")
    parts += ["<h2>The trust dividend</h2>", dividend_html]
    if map_img:
        parts += [
            "<h2>Where the pressure was</h2>",
            "<p>Each dot is a provider (bigger: more beds), coloured by how full it was on "
            "average after the warm-up, counting its queue: green has room, red is over "
            "capacity. Grey lines are working relationships.</p>",
            f"<img alt='network' src='data:image/png;base64,{map_img}'>",
        ]
    parts += [
        "<p class='note'>Made by collabsim from the runs under "
        f"{html.escape(str(root))}. A wait is the time from arriving to getting a bed; harm "
        "counts patients who waited past the harm threshold or left the queue unadmitted.</p>",
        "</body></html>",
    ]
    tmp = out_path.with_name(f".{out_path.name}.tmp")
    tmp.write_text("\n".join(parts), encoding="utf-8")
    tmp.replace(out_path)
    return out_path
