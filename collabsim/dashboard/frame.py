"""What the page shows of a system at the end of a day, made once, all at once.

A play loop advances the model in a thread while the page renders; a page that read the
model directly could see the low-trust system a day ahead of the high-trust one. So the
session makes a ``Frame`` (every chart's option and every number) under its lock after
each change, and the page only ever draws frames: consistent, and cheap to render.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from collabsim.dashboard import charts
from collabsim.dashboard.live import HIGH_TRUST, LOW_TRUST, MEASURES, LiveSystem, TrustPair

PLOTTED = ("mean_wait_hours", "waits_12h", "occupancy", "transfers", "mean_trust", "aid_cost")
LOW_LABEL, HIGH_LABEL = f"low trust ({LOW_TRUST:g})", f"high trust ({HIGH_TRUST:g})"
COLOURS = {LOW_LABEL: charts.SERIES_COLOURS["low"], HIGH_LABEL: charts.SERIES_COLOURS["high"]}


class Boxed:
    """An ECharts option in a box. Reacton walks every dict and list in an element's
    arguments looking for elements; England's network option holds ~1,000 links, and
    that walk cost ~200 ms a redraw (measured), so options travel boxed and the page sets
    them on the chart's widget in an effect (``collabsim.dashboard.app.EChart``)."""

    __slots__ = ("value",)

    def __init__(self, value: dict) -> None:
        self.value = value


@dataclass(frozen=True)
class Side:
    """One system's network chart and its arrivals so far."""

    title: str
    css: str  # the chart's class (tests find it by it)
    option: Boxed
    arrived: int


@dataclass(frozen=True)
class Frame:
    day: int
    days_total: int
    sides: tuple[Side, ...]
    plots: Boxed  # every measure's plot, one chart (``charts.plots_option``)
    numbers: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> value, detail
    dividend: Boxed | None = None  # the running dividend's chart (pair only)


def network_of(system: LiveSystem, pos: np.ndarray, title: str) -> Boxed:
    return Boxed(
        charts.network_option(
            pos,
            system.names,
            system.kinds,
            system.regions,
            system.capacity,
            system.pressure(),
            system.aid_src,
            system.aid_dst,
            system.trust_on_aid_links(),
            system.helped_today,
            system.on_loan(),
            title,
        )
    )


def frame_of(system: LiveSystem | TrustPair, pos: np.ndarray) -> Frame:
    """The frame of ``system`` now (``pos``: its network's fixed layout)."""
    if isinstance(system, TrustPair):
        labelled = {LOW_LABEL: system.low, HIGH_LABEL: system.high}
        sides = tuple(
            Side(label.capitalize(), css, network_of(s, pos, label.capitalize()), s.arrived())
            for (label, s), css in zip(
                labelled.items(), ("cs-network-low", "cs-network-high"), strict=True
            )
        )
        first = system.low
    else:
        labelled = {"this system": system}
        title = system.trust_label.capitalize()
        sides = (Side(title, "cs-network", network_of(system, pos, title), system.arrived()),)
        first = system
    series = {label: s.series() for label, s in labelled.items()}
    day = series[next(iter(series))]["day"]
    plots = Boxed(
        charts.plots_option(
            day, {m: (MEASURES[m], {k: s[m] for k, s in series.items()}) for m in PLOTTED}, COLOURS
        )
    )
    if not isinstance(system, TrustPair):
        return Frame(first.day, first.days_total, sides, plots)
    d = system.dividend()
    lo, hi = system.low.totals(), system.high.totals()
    numbers = {
        "12-hour waits avoided": (
            f"{d['waits_12h']:,.0f}",
            f"{lo['waits_12h']:,.0f} at low trust, {hi['waits_12h']:,.0f} at high",
        ),
        "mean wait for a bed": (
            change(d["mean_wait_hours"], "h", 2),
            f"{lo['mean_wait_hours']:.2f} h at low trust, {hi['mean_wait_hours']:.2f} h at high",
        ),
        "cost of arranging aid": (
            change(d["aid_cost"], "GBP", 0),
            f"GBP {lo['aid_cost']:,.0f} at low trust, GBP {hi['aid_cost']:,.0f} at high",
        ),
    }
    ds = system.dividend_series()
    dividend = Boxed(
        charts.line_option(
            "12-hour waits avoided by trust, so far",
            ds["day"],
            {"avoided": ds["waits_12h"]},
            {"avoided": charts.SERIES_COLOURS["dividend"]},
        )
    )
    return Frame(first.day, first.days_total, sides, plots, numbers, dividend)


def change(saved: float, unit: str, digits: int) -> str:
    """A saving (low minus high trust) as what high trust changed: "1.20 h shorter"."""
    amount = f"{abs(saved):,.{digits}f}"
    text = f"{unit} {amount}" if unit == "GBP" else f"{amount} {unit}"
    if round(saved, digits) == 0:
        return f"no change ({text})"
    if unit == "GBP":
        return f"{text} {'less' if saved > 0 else 'more'}"
    return f"{text} {'shorter' if saved > 0 else 'longer'}"
