"""ECharts options (plain dicts) for the dashboard: the network and the live plots.

The browser draws them (``app.JsonEcharts``, with ECharts from ``solara-assets``, so the
page needs no internet): the server only sends numbers, and each new day's option is
merged into the drawn chart (series matched by their fixed ids), where a Matplotlib
figure would re-send a PNG every frame. What the browser redraws was chosen by measuring
(``benchmarks/dashboard.py``, ODD 9): the network as scatter and large lines series on a
fixed-aspect map, not a graph series; the plots as one chart of grids, not one chart each.
Every chart has ECharts' own "save as image" button, which downloads it as a PNG.

The layout is fixed for a network (``layout``): where the network file gives places
(x_km, y_km, as the generated presets do), those; otherwise a spring layout with a fixed
seed, each region drawn as one cluster. Nothing here reads the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx
import numpy as np

from collabsim.core.state import KINDS

# Colours that read on a projector and for colour-blind viewers (Okabe-Ito).
LOW, MID, HIGH = "#009E73", "#E69F00", "#D55E00"  # pressure: fine, tight, over
HELP = "#0072B2"  # help started today
LOAN = "#CC79A7"  # beds on loan now
SERIES_COLOURS = {"low": HIGH, "high": HELP, "one": "#333333", "dividend": LOW}
SHAPES = {
    "acute": "circle",
    "community": "rect",
    "social_care": "triangle",
    "mental_health": "diamond",
}
SAVE = {"feature": {"saveAsImage": {"title": "PNG", "pixelRatio": 2}}, "right": 10}


def layout(graph: nx.DiGraph) -> np.ndarray:
    """Fixed positions (n, 2) in [0, 1], y up: the file's places, else a clustered
    spring layout (regions as clusters) with a fixed seed, so every run looks the same."""
    n = graph.number_of_nodes()
    xy = np.array(
        [
            [graph.nodes[i].get("x_km", np.nan), graph.nodes[i].get("y_km", np.nan)]
            for i in range(n)
        ],
        dtype=float,
    )
    if n and np.isfinite(xy).all() and np.ptp(xy, axis=0).max() > 0:
        return _unit(xy)
    regions = sorted({graph.nodes[i]["region"] for i in range(n)})
    centres = (
        nx.circular_layout(nx.complete_graph(len(regions))) if len(regions) > 1 else {0: (0, 0)}
    )
    pos = np.zeros((n, 2))
    undirected = graph.to_undirected(as_view=True)
    for r, name in enumerate(regions):
        members = [i for i in range(n) if graph.nodes[i]["region"] == name]
        sub = nx.spring_layout(undirected.subgraph(members), seed=7)
        spread = 0.35 if len(regions) > 1 else 1.0
        for i in members:
            pos[i] = np.asarray(centres[r]) + spread * np.asarray(sub[i])
    return _unit(pos) if n else pos


def _unit(xy: np.ndarray) -> np.ndarray:
    lo, span = xy.min(axis=0), np.ptp(xy, axis=0)
    scale = span.max() if span.max() > 0 else 1.0
    return (xy - lo) / scale


def pressure_colour(p: float) -> str:
    return LOW if p < 0.92 else MID if p < 1.0 else HIGH


# The network is drawn on an invisible square "map" (a geo component: a fixed aspect
# ratio, zoom and pan) as scatter series (providers) and large-mode lines series (links),
# a series per look: ECharts' graph series built a model per node and link each day, and
# cost England's pair ~70 ms a day in the browser against ~25 ms this way (measured).
BOX_MAP = "collabsim-box"
BOX = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "box"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[0, 0], [1000, 0], [1000, 1000], [0, 1000], [0, 0]]],
            },
        }
    ],
}
BANDS = {LOW: "below 92 %", MID: "92-100 %", HIGH: "over 100 %"}  # pressure, by colour
TRUST_SHADES = tuple(round(0.1 * k, 1) for k in range(1, 8))  # link opacity by trust


def network_option(
    pos: np.ndarray,
    names: Sequence[str],
    kinds: Sequence[int],
    regions: Sequence[str],
    beds: np.ndarray,
    pressure: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    trust: np.ndarray,
    helped: np.ndarray,
    on_loan: np.ndarray,
    title: str = "",
) -> dict:
    """The network: providers sized by beds, shaped by kind and coloured by pressure;
    aid links shaded by trust (darker: more), blue where help started today, pink where
    beds are on loan now. Undirected: each pair once, with the larger of its flows.

    A series per look, with a fixed id, so a new day's option merges into the drawn
    chart; a look nothing has is left out (a large lines series with no data breaks
    ECharts 5.4's drawing). A provider's tooltip is its own name, which ECharts escapes
    (``{b}``), over its series' name (kind and pressure)."""
    n = len(names)
    size = 6 + 22 * np.sqrt(beds / max(float(beds.max()), 1.0)) if n else beds
    xy = np.round(np.asarray(pos, dtype=float) * 1000, 1)
    colour_of = [pressure_colour(float(p)) for p in pressure]
    series: list[dict] = []
    for k, kind in enumerate(KINDS):
        for colour, band in BANDS.items():
            members = [i for i in range(n) if kinds[i] == k and colour_of[i] == colour]
            if not members:
                continue
            series.append(
                {
                    "id": f"{kind}-{band}",
                    "name": f"{kind.replace('_', ' ')}, pressure {band}",
                    "type": "scatter",
                    "coordinateSystem": "geo",
                    "symbol": SHAPES[kind],
                    "itemStyle": {"color": colour},
                    "tooltip": {"formatter": "{b}<br/>{a}"},
                    "z": 3,
                    "data": [
                        {
                            "name": _tip(names[i], regions[i], beds[i], pressure[i]),
                            "value": [float(xy[i, 0]), float(xy[i, 1])],
                            "symbolSize": round(float(size[i]), 1),
                        }
                        for i in members
                    ],
                }
            )
    looks: dict[str, list] = {"help": [], "loan": [], **{f"{t}": [] for t in TRUST_SHADES}}
    seen: dict[tuple[int, int], int] = {}
    pairs: list[list] = []  # a, b, trust, helped, on loan
    for e in range(len(src)):
        a, b = int(src[e]), int(dst[e])
        key = (min(a, b), max(a, b))
        if key in seen:
            pair = pairs[seen[key]]
            pair[3] = max(pair[3], int(helped[e]))
            pair[4] = max(pair[4], int(on_loan[e]))
            continue
        seen[key] = len(pairs)
        pairs.append([a, b, float(trust[e]), int(helped[e]), int(on_loan[e])])
    for a, b, t, helping, lending in pairs:
        look = "help" if helping else "loan" if lending else f"{_shade(t)}"
        looks[look].append({"coords": [xy[a].tolist(), xy[b].tolist()]})
    for look, data in looks.items():
        if not data:
            continue
        if look == "help":
            style = {"color": HELP, "width": 3, "opacity": 0.9}
        elif look == "loan":
            style = {"color": LOAN, "width": 2, "opacity": 0.8}
        else:
            style = {"color": "#555555", "width": 1, "opacity": float(look)}
        series.append(
            {
                "id": f"links-{look}",
                "type": "lines",
                "coordinateSystem": "geo",
                "large": True,
                "largeThreshold": 0,
                "silent": True,
                "z": 2 if look in ("help", "loan") else 1,
                "lineStyle": style,
                "data": data,
            }
        )
    lo = xy.min(axis=0) - 50 if n else np.zeros(2)
    hi = xy.max(axis=0) + 50 if n else np.full(2, 1000.0)
    return {
        "animation": False,
        "title": {"text": title, "left": 5, "textStyle": {"fontSize": 14}},
        "tooltip": {"confine": True},
        "toolbox": SAVE,
        "geo": {
            "map": BOX_MAP,
            "roam": True,
            "aspectScale": 1,
            "boundingCoords": [[float(lo[0]), float(hi[1])], [float(hi[0]), float(lo[1])]],
            "silent": True,
            "itemStyle": {"opacity": 0},
            "label": {"show": False},
            "top": 35,
            "bottom": 10,
        },
        "series": series,
    }


def _shade(trust: float) -> float:
    """A link's opacity: darker with more trust, in TRUST_SHADES' steps."""
    return min(TRUST_SHADES, key=lambda s: abs(s - (0.08 + 0.6 * trust)))


def _tip(name: str, region: str, beds: int, pressure: float) -> str:
    """Plain text: ECharts escapes it. The region unless the name says it already."""
    name, region = str(name), str(region)
    where = "" if region in name else f" ({region})"
    return f"{name}{where}: {int(beds)} beds, pressure {pressure:.0%}"


def line_option(
    title: str,
    day: np.ndarray,
    lines: Mapping[str, np.ndarray],
    colours: Mapping[str, str] | None = None,
) -> dict:
    """A small time plot: one line per entry of ``lines`` against the day."""
    colours = colours or {}
    days = [int(d) for d in day]
    return {
        "animation": False,
        "title": {"text": title, "left": 5, "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis"},
        "toolbox": SAVE,
        "legend": {"show": len(lines) > 1, "bottom": 0},
        "grid": {"left": 55, "right": 40, "top": 35, "bottom": 45 if len(lines) > 1 else 30},
        "xAxis": {"type": "category", "data": days, "name": "day", "nameLocation": "end"},
        "yAxis": {"type": "value", "scale": True},
        "series": [
            {
                "id": name,
                "name": name,
                "type": "line",
                "showSymbol": False,
                "data": [None if not np.isfinite(v) else round(float(v), 3) for v in values],
                **({"itemStyle": {"color": colours[name]}} if name in colours else {}),
            }
            for name, values in lines.items()
        ],
    }


def plots_option(
    day: np.ndarray,
    plots: Mapping[str, tuple[str, Mapping[str, np.ndarray]]],
    colours: Mapping[str, str] | None = None,
    columns: int = 3,
    row_px: int = 220,
) -> dict:
    """Several time plots in one chart: a grid per entry of ``plots`` (measure -> title,
    lines), ``columns`` to a row, one legend below. One chart, not one each: each ECharts
    chart costs the browser a fixed few milliseconds a redraw, and six small charts cost
    England's pair ~40 ms a day (measured). Series ids are ``measure/line``."""
    colours = colours or {}
    days = [int(d) for d in day]
    width = 100 / columns
    option: dict = {
        "animation": False,
        "title": [],
        "tooltip": {"trigger": "axis"},
        "toolbox": SAVE,
        "legend": {"bottom": 0},
        "grid": [],
        "xAxis": [],
        "yAxis": [],
        "series": [],
    }
    for k, (measure, (title, lines)) in enumerate(plots.items()):
        row, col = divmod(k, columns)
        top = row * row_px
        option["title"].append(
            {
                "text": title,
                "left": f"{col * width + 0.5:.2f}%",
                "top": top + 4,
                "textStyle": {"fontSize": 13},
            }
        )
        option["grid"].append(
            {
                "left": f"{col * width + 1:.2f}%",
                "width": f"{width - 5:.2f}%",
                "top": top + 35,
                "height": row_px - 65,
                "containLabel": True,
            }
        )
        option["xAxis"].append({"type": "category", "data": days, "name": "day", "gridIndex": k})
        option["yAxis"].append({"type": "value", "scale": True, "gridIndex": k})
        option["series"] += [
            {
                "id": f"{measure}/{name}",
                "name": name,
                "type": "line",
                "xAxisIndex": k,
                "yAxisIndex": k,
                "showSymbol": False,
                "data": [None if not np.isfinite(v) else round(float(v), 3) for v in values],
                **({"itemStyle": {"color": colours[name]}} if name in colours else {}),
            }
            for name, values in lines.items()
        ]
    return option


def plots_height(count: int, columns: int = 3, row_px: int = 220) -> int:
    """The pixels ``plots_option``'s chart needs for ``count`` plots (and its legend)."""
    return -(-count // columns) * row_px + 30
