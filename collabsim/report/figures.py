"""The report's figures (matplotlib, PNG): each is written to the figures folder and
returned base64-encoded, to embed in the page so it is one self-contained file."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from collabsim.stats import t975  # noqa: E402

COLOURS = ("#005EB8", "#DA291C", "#009639", "#ED8B00", "#7C2855", "#00A9CE", "#425563",
           "#AE2573", "#330072", "#78BE20")  # fmt: skip


def figure_png(fig: Any, path: Path) -> str:
    """Write ``fig`` to ``path`` as PNG, close it, and return the PNG in base64."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    data = buf.getvalue()
    try:
        path.write_bytes(data)
    except BaseException:  # a full disk, say: no truncated figure left behind
        path.unlink(missing_ok=True)
        raise
    return base64.b64encode(data).decode("ascii")


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


def band_plot(
    series: pd.DataFrame,
    labels: list[str],
    value: str,
    ylabel: str,
    title: str,
    warmup: float,
    path: Path,
    floor: float = 0.0,
    ceiling: float = np.inf,
    start_day_of_year: float | None = None,
) -> str:
    """Mean of the runs of each what-if over time with its 95 % band, in panels; the time
    axis in calendar months when the runs' first day of the year is known."""
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
    if start_day_of_year is None:
        axes[-1, 0].set_xlabel("day")
    else:
        first, last = float(series["day"].min()), float(series["day"].max())
        days, names = month_ticks(first, last, start_day_of_year)
        axes[-1, 0].set_xticks(days, names)
        axes[-1, 0].set_xlabel("month (the simulated days from the run's calendar start)")
    return figure_png(fig, path)


MONTH_STARTS = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)  # day of year
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_ticks(first: float, last: float, start_day_of_year: float) -> tuple[list, list]:
    """Simulated days on which a calendar month begins, between ``first`` and ``last``,
    and their names (a 365-day year; day 0 is day ``start_day_of_year`` of it, 1 = 1
    January, as ``demand.start_day_of_year`` counts); fewer names when a run is years
    long, so they stay readable."""
    days, names = [], []
    year_start = -((start_day_of_year - 1) % 365)  # the simulated day of a 1 January
    while year_start <= last:
        for start, name in zip(MONTH_STARTS, MONTHS, strict=True):
            day = year_start + start
            if first <= day <= last:
                days.append(day)
                names.append(name)
        year_start += 365
    step = max(1, -(-len(days) // 18))  # at most 18 names
    return days[::step], names[::step]


MARKERS = {"acute": "o", "community": "s", "social_care": "^", "mental_health": "D"}


def network_map(run_dir: Path, title: str, path: Path) -> str | None:
    """The network of ``run_dir``'s first replication, each provider coloured by how full
    it was (occupancy plus queue, a share of its beds); None without a providers table."""
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
    biggest = max(float(prov["capacity"].max()), 1.0)

    def area(beds: float) -> float:
        return 20 + 180 * beds / biggest

    dots = None
    for kind, marker in MARKERS.items():  # kinds told apart by shape
        mine = (prov["kind"] == kind).to_numpy()
        if mine.any():
            dots = ax.scatter(xy[mine, 0], xy[mine, 1], c=pressure[mine],
                              s=[area(b) for b in prov["capacity"][mine]], cmap="RdYlGn_r",
                              vmin=0.7, vmax=1.1, marker=marker, edgecolor="k", lw=0.3,
                              zorder=2)  # fmt: skip
    if dots is not None:
        fig.colorbar(dots, ax=ax, label="pressure: beds occupied + queue, share of beds")
    if len(prov) <= 40:  # names, where they can be read
        for (x, y), name in zip(xy, prov["name"], strict=True):
            ax.annotate(str(name).replace("$", r"\$"), (x, y), xytext=(4, 4),
                        textcoords="offset points",
                        fontsize=7, zorder=3)  # fmt: skip
    shapes = [ax.scatter([], [], marker=m, color="0.6", edgecolor="k", lw=0.3, s=60,
                         label=k.replace("_", " ")) for k, m in MARKERS.items()
              if (prov["kind"] == k).any()]  # fmt: skip
    legend_beds = sorted({max(1, int(round(biggest, -1))), max(1, int(round(biggest / 4, -1)))})
    sizes = [ax.scatter([], [], marker="o", color="white", edgecolor="k", lw=0.5,
                        s=area(b), label=f"{b:,} beds") for b in legend_beds]  # fmt: skip
    ax.legend(handles=shapes + sizes, loc="best", fontsize=8, framealpha=0.9)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    return figure_png(fig, path)


def dividend_chart(table: pd.DataFrame, key: str, path: Path) -> str:
    """Hours of waiting saved by higher trust, per what-if, with 95 % intervals."""
    fig, ax = plt.subplots(figsize=(8, 0.6 + 0.5 * len(table)), constrained_layout=True)
    y = np.arange(len(table))
    means = np.array([iv.mean * 24 for iv in table["wait"]])
    halves = np.array([(iv.high - iv.low) / 2 * 24 for iv in table["wait"]])
    ax.barh(y, means, xerr=halves, color="#005EB8", alpha=0.8, capsize=4)
    ax.set_yticks(y, table["what_if"])
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel(f"hours of waiting saved by higher {key} (95 % interval)")
    ax.set_title("The trust dividend")
    return figure_png(fig, path)


def channel_chart(table: pd.DataFrame, measure: str, key: str, path: Path) -> str:
    """The dividend in ``measure`` (hours) per what-if split by channel: the total with
    every channel on, each channel's part and the interaction, with 95 % intervals."""
    parts = table[table["part"].isin(["total", "channel", "together", "interaction"])]
    names = list(dict.fromkeys(
        "all channels on" if r.part == "total" else r.channel or "interaction"
        for r in parts.itertuples()
    ))  # fmt: skip
    groups = list(dict.fromkeys(parts["what_if"]))
    height = 1.0 / (len(names) + 1)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.22 * len(parts)), constrained_layout=True)
    for r in parts.itertuples():
        name = "all channels on" if r.part == "total" else r.channel or "interaction"
        k = names.index(name)
        y = groups.index(r.what_if) + (k - (len(names) - 1) / 2) * height
        iv = getattr(r, measure)
        half = (iv.high - iv.low) / 2 if np.isfinite(iv.high - iv.low) else 0.0
        ax.barh(y, iv.mean, height=height * 0.9, xerr=half, capsize=3,
                color=COLOURS[k % len(COLOURS)], label=name)  # fmt: skip
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), frameon=False, fontsize=8,
              loc="upper left", bbox_to_anchor=(1.01, 1.0))  # fmt: skip
    ax.set_yticks(np.arange(len(groups)), groups)
    ax.invert_yaxis()
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel(f"hours of waiting saved by higher {key}, by channel (95 % interval)")
    ax.set_title("Why trust pays: the dividend by channel")
    return figure_png(fig, path)


def forest_plot(diffs: dict[str, Any], base: str, path: Path) -> str:
    """Every what-if's change in the mean acute wait against ``base`` (hours), with its 95 %
    interval, largest reduction at the top: many what-ifs read at a glance."""
    order = sorted(diffs, key=lambda lab: diffs[lab][0].mean, reverse=True)
    means = np.array([diffs[lab][0].mean for lab in order])
    low = np.array([diffs[lab][0].low for lab in order])
    high = np.array([diffs[lab][0].high for lab in order])
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.35 * len(order)), constrained_layout=True)
    y = np.arange(len(order))
    known = np.isfinite(low) & np.isfinite(high)
    ax.errorbar(means[known], y[known],
                xerr=[means[known] - low[known], high[known] - means[known]],
                fmt="o", color="#005EB8", ecolor="#768692", capsize=3)  # fmt: skip
    ax.plot(means[~known], y[~known], "o", color="#005EB8")
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yticks(y, order)
    ax.set_xlabel(f"change in mean acute wait against {base} (hours; 95 % interval)")
    ax.grid(axis="x", alpha=0.3)
    return figure_png(fig, path)
