"""The training page (``collabsim dashboard``): the trust dividend live in a browser.

Solara components, in the process that holds the model. The components take a system
(``LiveSystem``) or a pair (``TrustPair``) and draw it, so the game's pages can reuse
them: ``NetworkChart``, ``Plots``, ``DividendNumbers``, ``PresetCard``. ``Page`` makes one
``Session`` per browser tab (``use_memo``): nothing is shared between browsers.
"""

from __future__ import annotations

import logging
import time

import solara

from collabsim.dashboard import charts
from collabsim.dashboard.live import (
    CULTURES,
    HIGH_TRUST,
    LOW_TRUST,
    MEASURES,
    POLICIES,
    SCENARIOS,
    LiveSystem,
    Settings,
    TrustPair,
)
from collabsim.dashboard.presets import PRESETS, Preset, preset
from collabsim.dashboard.session import Session

logging.getLogger("MESA").setLevel(logging.WARNING)

PLOTTED = ("mean_wait_hours", "waits_12h", "occupancy", "transfers", "mean_trust", "aid_cost")
NETWORK_LABELS = {
    "small": "Small ICS (5 providers)",
    "england": "England (247 providers)",
    "files": "My own CSV files",
}
VIEW_LABELS = {"dividend": "Trust dividend (low vs high trust)", "single": "One system"}
SPEEDS = (1, 2, 5, 10, 20)  # simulated days a second


@solara.component
def NetworkChart(system: LiveSystem, title: str, css: str, tick: int) -> None:
    """One system's network, redrawn from its arrays (``tick`` forces the redraw)."""
    pos = solara.use_memo(lambda: charts.layout(system.model.graph), [id(system)])
    option = charts.network_option(
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
    solara.FigureEcharts(option=option, attributes={"style": "height: 380px;", "class": css})


@solara.component
def Plots(lines: dict[str, LiveSystem], tick: int) -> None:
    """The live plots: one small chart per measure, one line per system."""
    series = {label: system.series() for label, system in lines.items()}
    colours = {
        f"low trust ({LOW_TRUST:g})": charts.SERIES_COLOURS["low"],
        f"high trust ({HIGH_TRUST:g})": charts.SERIES_COLOURS["high"],
    }
    day = next(iter(series.values()))["day"]
    with solara.GridFixed(columns=3):
        for name in PLOTTED:
            option = charts.line_option(
                MEASURES[name], day, {label: s[name] for label, s in series.items()}, colours
            )
            solara.FigureEcharts(
                option=option, attributes={"style": "height: 220px;", "class": f"cs-plot-{name}"}
            )


@solara.component
def DividendNumbers(pair: TrustPair, tick: int) -> None:
    """What trust has saved so far, as numbers and a plot."""
    d = pair.dividend()
    lo, hi = pair.low.totals(), pair.high.totals()
    with solara.Row(classes=["cs-dividend"]):
        _number(
            "12-hour waits avoided",
            f"{d['waits_12h']:,.0f}",
            f"{lo['waits_12h']:,.0f} at low trust, {hi['waits_12h']:,.0f} at high",
        )
        _number(
            "mean wait for a bed",
            _change(d["mean_wait_hours"], "h", 2),
            f"{lo['mean_wait_hours']:.2f} h at low trust, {hi['mean_wait_hours']:.2f} h at high",
        )
        _number(
            "cost of arranging aid",
            _change(d["aid_cost"], "GBP", 0),
            f"GBP {lo['aid_cost']:,.0f} at low trust, GBP {hi['aid_cost']:,.0f} at high",
        )
    ds = pair.dividend_series()
    option = charts.line_option(
        "12-hour waits avoided by trust, so far",
        ds["day"],
        {"avoided": ds["waits_12h"]},
        {"avoided": charts.SERIES_COLOURS["dividend"]},
    )
    solara.FigureEcharts(
        option=option, attributes={"style": "height: 200px;", "class": "cs-plot-dividend"}
    )


def _change(saved: float, unit: str, digits: int) -> str:
    """A saving (low minus high trust) as what high trust changed: "1.20 h shorter"."""
    amount = f"{abs(saved):,.{digits}f}"
    text = f"{unit} {amount}" if unit == "GBP" else f"{amount} {unit}"
    if round(saved, digits) == 0:
        return f"no change ({text})"
    word = (
        ("less" if unit == "GBP" else "shorter")
        if saved > 0
        else ("more" if unit == "GBP" else "longer")
    )
    return f"{text} {word}"


def _number(label: str, value: str, detail: str) -> None:
    with solara.Card(style={"min-width": "260px"}), solara.Column(gap="2px"):
        solara.Text(label, style={"font-size": "0.9em", "color": "#555"})
        solara.Text(value, style={"font-size": "1.6em", "font-weight": "bold"})
        solara.Text(detail, style={"font-size": "0.8em", "color": "#555"})


@solara.component
def PresetCard(chosen: Preset | None) -> None:
    if chosen is None:
        return
    with solara.Card(f"{chosen.name} ({chosen.minutes} minutes)", classes=["cs-preset"]):
        for line in chosen.caption.splitlines():
            solara.Text(line)
        solara.Text(f"For the room: {chosen.question}", style={"font-weight": "bold"})


@solara.component
def Page() -> None:
    session = solara.use_memo(Session, [])  # one per browser tab: never module-level
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(5)
    view = solara.use_reactive(session.view)
    chosen = solara.use_reactive(None)
    network = solara.use_reactive(session.settings.network)
    policy = solara.use_reactive(session.settings.policy)
    trust = solara.use_reactive(session.settings.trust)
    self_pres = solara.use_reactive(session.settings.self_preservation)
    culture = solara.use_reactive(session.settings.culture)
    money = solara.use_reactive(session.settings.financial_pressure)
    candour = solara.use_reactive(session.settings.candour)
    scenario = solara.use_reactive(session.settings.scenario)
    surge_size = solara.use_reactive(20)
    surge_days = solara.use_reactive(14)
    error = solara.use_reactive("")

    def settings_now() -> Settings:
        return Settings(
            network=network.value if network.value != "files" else "small",
            policy=policy.value,
            trust=trust.value,
            self_preservation=self_pres.value,
            culture=culture.value,
            financial_pressure=money.value,
            candour=candour.value,
            scenario=scenario.value,
        )

    def restart(settings: Settings | None = None, new_view: str | None = None) -> None:
        playing.set(False)
        if network.value == "files" and settings is None:
            built = session.load_files(settings_now())
        else:
            built = session.rebuild(settings or settings_now(), new_view or view.value)
        error.set("" if built else session.error)
        tick.set(tick.value + 1)

    def on_setting(r: solara.Reactive):  # noqa: ANN202 - a setter
        def set_and_restart(value: object) -> None:
            r.set(value)
            chosen.set(None)
            restart()

        return set_and_restart

    def load_preset(name: str) -> None:
        p = preset(name)
        s = p.settings
        chosen.set(p)
        for r, v in (
            (policy, s.policy),
            (trust, s.trust),
            (self_pres, s.self_preservation),
            (culture, s.culture),
            (money, s.financial_pressure),
            (candour, s.candour),
            (scenario, s.scenario),
        ):
            r.set(v)
        view.set("dividend")
        restart(settings_now(), "dividend")

    def set_view(value: str) -> None:
        view.set(value)
        restart(None, value)

    def step() -> None:
        playing.set(False)
        session.advance(1)
        tick.set(tick.value + 1)

    def play_loop() -> None:
        while playing.value:
            start = time.perf_counter()
            if session.advance(1) == 0:
                playing.set(False)
                break
            tick.set(tick.value + 1)
            time.sleep(max(0.0, 1 / speed.value - (time.perf_counter() - start)))

    solara.use_thread(play_loop, dependencies=[playing.value])

    def upload(which: str):  # noqa: ANN202 - a callback
        def on_file(info: dict) -> None:
            session.save_upload(which, info["name"], info["data"])
            if (session.uploads / "providers.csv").is_file() and (
                session.uploads / "links.csv"
            ).is_file():
                restart()

        return on_file

    system = session.system
    solara.Title("collabsim: the trust dividend")
    with solara.Sidebar():
        _heading("Session")
        solara.Select(
            "Session preset",
            value=chosen.value.name if chosen.value else None,
            values=[p.name for p in PRESETS],
            on_value=load_preset,
        )
        solara.Select("View", value=view.value, values=list(VIEW_LABELS), on_value=set_view)
        with solara.Row():
            solara.Button(
                "Pause" if playing.value else "Play",
                color="primary",
                on_click=lambda: playing.set(not playing.value),
                classes=["cs-play"],
            )
            solara.Button("Step", on_click=step, classes=["cs-step"])
            solara.Button("Reset", on_click=lambda: restart(), classes=["cs-reset"])
        solara.Select(
            "Speed (days a second)", value=speed.value, values=list(SPEEDS), on_value=speed.set
        )
        _heading("The system")
        solara.Select(
            "Network",
            value=network.value,
            values=list(NETWORK_LABELS),
            on_value=on_setting(network),
        )
        if network.value == "files":
            solara.FileDrop("providers.csv: drop it here", on_file=upload("providers"), lazy=False)
            solara.FileDrop("links.csv: drop it here", on_file=upload("links"), lazy=False)
        solara.Select(
            "Policy", value=policy.value, values=list(POLICIES), on_value=on_setting(policy)
        )
        solara.Select(
            "Scenario", value=scenario.value, values=list(SCENARIOS), on_value=on_setting(scenario)
        )
        solara.Select(
            "Culture", value=culture.value, values=list(CULTURES), on_value=on_setting(culture)
        )
        if view.value == "single":
            _share("Initial trust", trust, on_setting(trust))
        _share("Self-preservation", self_pres, on_setting(self_pres))
        _share("Financial pressure", money, on_setting(money))
        _share("Candour", candour, on_setting(candour))
        solara.Text(
            "Changing a setting starts the run again from day 1.", style={"font-size": "0.8em"}
        )
        _heading("A demand surge, now")
        solara.SliderInt(
            f"Extra demand: {surge_size.value} %", value=surge_size, min=5, max=50, step=5
        )
        solara.SliderInt(f"For {surge_days.value} days", value=surge_days, min=1, max=60)
        solara.Button(
            "Surge now",
            on_click=lambda: session.surge(1 + surge_size.value / 100, surge_days.value),
            classes=["cs-surge"],
        )

    if error.value:
        solara.Error(error.value, classes=["cs-error"])
    PresetCard(chosen.value)
    solara.Text(
        f"Day {system.day} of {_days_total(system)}",
        classes=["cs-day"],
        style={"font-size": "1.2em", "font-weight": "bold"},
    )
    if isinstance(system, TrustPair):
        with solara.Columns([1, 1]):
            for label, side, css in (
                (f"Low trust ({LOW_TRUST:g})", system.low, "cs-network-low"),
                (f"High trust ({HIGH_TRUST:g})", system.high, "cs-network-high"),
            ):
                with solara.Column():
                    NetworkChart(side, label, css, tick.value)
                    solara.Text(f"patients arrived: {side.arrived():,}", classes=[f"{css}-arrived"])
        DividendNumbers(system, tick.value)
        Plots(
            {f"low trust ({LOW_TRUST:g})": system.low, f"high trust ({HIGH_TRUST:g})": system.high},
            tick.value,
        )
    else:
        NetworkChart(system, f"Trust {system.settings.trust:g}", "cs-network", tick.value)
        solara.Text(f"patients arrived: {system.arrived():,}", classes=["cs-network-arrived"])
        Plots({"this system": system}, tick.value)
    _legend()


def _share(label: str, value: solara.Reactive, on_value) -> None:  # noqa: ANN001
    """A 0-1 setting's slider, its value in its label (readable from the back of a room)."""
    solara.SliderFloat(
        f"{label}: {value.value:.2f}", value=value.value, min=0, max=1, step=0.05, on_value=on_value
    )


def _days_total(system: LiveSystem | TrustPair) -> int:
    return (system.low if isinstance(system, TrustPair) else system).days_total


def _heading(text: str) -> None:
    # solara.Markdown would fetch KaTeX from the internet, which a training room may lack
    solara.Text(
        text,
        style={
            "font-size": "1.2em",
            "font-weight": "bold",
            "display": "block",
            "margin-top": "12px",
        },
    )


def _legend() -> None:
    solara.Text(
        "Providers: circle acute, square community, triangle social care, diamond mental "
        "health; size by beds; green below 92 % pressure, amber to 100 %, red above "
        "(pressure = (patients in beds + waiting) / beds). Links: darker = more trust; blue = "
        "help started today; pink = beds on loan. Every chart has a PNG button (top right)."
    )
