"""ECharts options (plain dicts) for the dashboard: the network and the live plots.

The browser draws them (Solara's ``FigureEcharts``, with ECharts from ``solara-assets``,
so the page needs no internet): the server only sends numbers, which keeps a redraw of
England's ~250 providers and ~1,000 links to a few milliseconds here (measured in
``benchmarks/dashboard.py``), where a Matplotlib figure re-sends a PNG every frame.
Every chart has ECharts' own "save as image" button, which downloads it as a PNG.

The layout is fixed for a network (``layout``): where the network file gives places
(x_km, y_km, as the generated presets do), those; otherwise a spring layout with a fixed
seed, each region drawn as one cluster. Nothing here reads the engine.
"""

from __future__ import annotations

import html
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
    beds are on loan now. Undirected: each pair once, with the larger of its flows."""
    size = 6 + 22 * np.sqrt(beds / max(float(beds.max()), 1.0)) if len(beds) else beds
    nodes = [
        {
            "name": str(i),
            "value": round(float(pressure[i]), 3),
            "x": round(float(pos[i, 0]) * 1000, 1),
            "y": round(1000 - float(pos[i, 1]) * 1000, 1),
            "symbol": SHAPES.get(KINDS[kinds[i]], "circle"),
            "symbolSize": round(float(size[i]), 1),
            "itemStyle": {"color": pressure_colour(float(pressure[i]))},
            "tooltip": {
                "formatter": _tip(names[i], KINDS[kinds[i]], regions[i], beds[i], pressure[i])
            },
        }
        for i in range(len(names))
    ]
    edges = []
    seen: dict[tuple[int, int], int] = {}
    for e in range(len(src)):
        a, b = int(src[e]), int(dst[e])
        key = (min(a, b), max(a, b))
        if key in seen:
            k = seen[key]
            edges[k]["_help"] = max(edges[k]["_help"], int(helped[e]))
            edges[k]["_loan"] = max(edges[k]["_loan"], int(on_loan[e]))
            continue
        seen[key] = len(edges)
        edges.append(
            {
                "source": str(a),
                "target": str(b),
                "_t": float(trust[e]),
                "_help": int(helped[e]),
                "_loan": int(on_loan[e]),
            }
        )
    links = []
    for edge in edges:
        t = edge.pop("_t")
        helping, lending = edge.pop("_help"), edge.pop("_loan")
        if helping:
            style = {"color": HELP, "width": 3, "opacity": 0.9}
        elif lending:
            style = {"color": LOAN, "width": 2, "opacity": 0.8}
        else:
            style = {"color": "#555555", "width": 1, "opacity": round(0.08 + 0.6 * t, 2)}
        links.append({**edge, "lineStyle": style})
    return {
        "animation": False,
        "title": {"text": title, "left": 5, "textStyle": {"fontSize": 14}},
        "tooltip": {"confine": True},
        "toolbox": SAVE,
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": True,
                "data": nodes,
                "links": links,
                "label": {"show": False},
                "emphasis": {"focus": "adjacency"},
            }
        ],
    }


def _tip(name: str, kind: str, region: str, beds: int, pressure: float) -> str:
    return (
        f"{html.escape(str(name))}<br/>{kind.replace('_', ' ')}, {html.escape(str(region))}"
        f"<br/>{int(beds)} beds, pressure {pressure:.0%}"
    )


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
                "name": name,
                "type": "line",
                "showSymbol": False,
                "data": [None if not np.isfinite(v) else round(float(v), 3) for v in values],
                **({"itemStyle": {"color": colours[name]}} if name in colours else {}),
            }
            for name, values in lines.items()
        ],
    }
