"""The training page (``collabsim dashboard``): the trust dividend live in a browser.

Solara components, in the process that holds the model. The components draw a ``Frame``
(``collabsim.dashboard.frame``: a system's or a pair's charts and numbers at the end of a
day), so the game's pages can reuse them: ``NetworkChart``, ``Plots``,
``DividendNumbers``, ``PresetCard``. ``Page`` makes one ``Session`` per browser tab
(``use_memo``): nothing is shared between browsers.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import solara
import traitlets
from solara.components.echarts import EchartsWidget

from collabsim.dashboard import charts
from collabsim.dashboard.frame import PLOTTED, Boxed, Frame, Side
from collabsim.dashboard.live import (
    CULTURES,
    NETWORKS,
    POLICIES,
    SCENARIOS,
    Settings,
    scenario_values,
)
from collabsim.dashboard.presets import PRESETS, Preset, preset
from collabsim.dashboard.session import VIEWS, Session

logging.getLogger("MESA").setLevel(logging.WARNING)

# simulated days a second; the last plays as fast as the machine steps and redraws
SPEEDS = {"1": 1, "2": 2, "5": 5, "10": 10, "20": 20, "as fast as it can": 0}


def _json_template() -> str:
    """Solara's ECharts template, reading its option from a JSON string."""
    vue = Path(EchartsWidget.template_file[0]).with_name(EchartsWidget.template_file[1])
    text = vue.read_text()
    # a new day's option is merged into the chart (series matched by id, others dropped):
    # ECharts then updates the drawn elements in place, where Solara's notMerge rebuilt
    # every chart from scratch each day (measured: about half the browser's time)
    watcher = "if (this.chart) {\n        this.chart.setOption(this.option, true);"
    merged = (
        "if (this.chart) {\n        this.chart.setOption(JSON.parse(this.option_json), "
        "{replaceMerge: ['series']});"
    )
    patched = text.replace(watcher, merged).replace("    option() {", "    option_json() {")
    patched = patched.replace(
        "this.chart.setOption(this.option, true)",
        "this.chart.setOption(JSON.parse(this.option_json), true)",
    )
    # a chart removed (the view changed) before ECharts' script loaded has no element
    # left to draw in: Solara's template then threw "Initialize failed: invalid dom"
    init = "this.chart = this.echarts.init(this.$refs.echarts);"
    patched = patched.replace(init, "if (!this.$refs.echarts) return;\n      " + init)
    if (
        patched.count("JSON.parse(this.option_json)") != 2
        or "if (!this.$refs.echarts) return;" not in patched
        or "replaceMerge" not in patched
        or "option_json() {" not in patched
    ):
        raise RuntimeError(f"Solara's {vue.name} changed: update collabsim's chart widget")
    return patched


class JsonEcharts(EchartsWidget):
    """Solara's ECharts widget with its option as JSON text. Reacton walks every dict and
    list in an element's arguments looking for elements; England's network option holds
    ~1,000 node and link objects, and that walk cost ~200 ms a redraw (measured), where a
    string costs nothing. The browser parses it and draws as Solara's widget does."""

    template_file = None
    template = traitlets.Unicode(_json_template()).tag(sync=True)
    option_json = traitlets.Unicode("{}").tag(sync=True)
    maps = traitlets.Any({charts.BOX_MAP: charts.BOX}).tag(sync=True)  # the network's box


@solara.component
def EChart(option: Boxed, css: str, height: int) -> None:
    """A chart of ``option`` (serialised once per new option)."""
    text = solara.use_memo(lambda: json.dumps(option.value), [option])
    JsonEcharts.element(
        option_json=text, attributes={"style": f"height: {height}px;", "class": css}
    )


@solara.component
def NetworkChart(side: Side) -> None:
    """One system's network (its frame's option) and its arrivals so far."""
    EChart(side.option, side.css, 380)
    solara.Text(f"patients arrived: {side.arrived:,}", classes=[f"{side.css}-arrived"])


@solara.component
def Plots(frame: Frame) -> None:
    """The live plots: a small plot per measure, one line per system (one chart)."""
    EChart(frame.plots, "cs-plots", charts.plots_height(len(PLOTTED)))


@solara.component
def DividendNumbers(frame: Frame) -> None:
    """What trust has saved so far, as numbers and a plot."""
    with solara.Row(classes=["cs-dividend"]):
        for label, (value, detail) in frame.numbers.items():
            _number(label, value, detail)
    if frame.dividend is not None:
        EChart(frame.dividend, "cs-plot-dividend", 200)


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
            solara.Text(line, style={"display": "block"})
        solara.Text(f"For the room: {chosen.question}", style={"font-weight": "bold"})


@solara.component
def Page() -> None:
    session = solara.use_memo(Session, [])  # one per browser tab: never module-level
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive("5")
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
        if network.value == "files":  # the uploaded pair, whatever else changed
            built = session.load_files(settings or settings_now(), new_view or view.value)
        else:
            built = session.rebuild(settings or settings_now(), new_view or view.value)
        error.set("" if built else session.error)
        tick.set(tick.value + 1)

    def on_setting(r: solara.Reactive):  # noqa: ANN202 - a setter
        def set_and_restart(value: object) -> None:
            r.set(value)
            chosen.set(None)
            if r is scenario:  # the scenario's own values, until a slider is moved
                for share in (trust, self_pres, money, candour):
                    share.set(None)
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

    def play_loop(cancel: threading.Event) -> None:
        # stopped between days only (not by an exception at any line, Solara's default),
        # and never stepping a system built after it started
        generation = session.generation
        while playing.value and not session.closed and not cancel.is_set():
            start = time.perf_counter()
            if session.advance(1, generation) == 0:
                playing.set(False)
                break
            tick.set(tick.value + 1)
            rate = SPEEDS[speed.value]
            wait = 1 / rate - (time.perf_counter() - start) if rate else 0.005
            time.sleep(max(0.0, wait))  # a pause even at full speed, so Pause gets through

    solara.use_thread(play_loop, dependencies=[playing.value], intrusive_cancel=False)
    # a closed tab's session stops playing (Solara unmounts the page when it culls it)
    solara.use_effect(lambda: session.close, [])

    def upload(which: str):  # noqa: ANN202 - a callback
        def on_file(info: dict) -> None:
            session.save_upload(which, info["data"])
            if (session.uploads / "providers.csv").is_file() and (
                session.uploads / "links.csv"
            ).is_file():
                restart()

        return on_file

    solara.Title("collabsim: the trust dividend")
    with solara.Sidebar():
        _heading("Session")
        solara.Select(
            "Session preset",
            value=chosen.value.name if chosen.value else None,
            values=[p.name for p in PRESETS],
            on_value=load_preset,
        )
        solara.Select("View", value=view.value, values=list(VIEWS), on_value=set_view)
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
            values=list(NETWORKS),
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
        shown = scenario_values(scenario.value)  # what the scenario sets, until moved
        if view.value == "single":
            _share("Initial trust", trust, on_setting(trust), shown["trust"])
        _share("Self-preservation", self_pres, on_setting(self_pres), shown["self_preservation"])
        _share("Financial pressure", money, on_setting(money), shown["financial_pressure"])
        _share("Candour", candour, on_setting(candour), shown["candour"])
        solara.Text(
            "Changing a setting starts the run again from day 0.", style={"font-size": "0.8em"}
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
        _heading("For slides")
        solara.FileDownload(
            session.plots_png,
            filename="collabsim-plots.png",
            label="Plots so far (PNG)",
            mime_type="image/png",
        )
        solara.FileDownload(
            session.movie_gif,
            filename="collabsim-run.gif",
            label="This run as a GIF",
            mime_type="image/gif",
        )
        solara.Text(
            "The GIF replays these settings from day 0 to today (at most 60 frames; "
            "surges made live are not replayed).",
            style={"font-size": "0.8em"},
        )

    if error.value:
        solara.Error(error.value, classes=["cs-error"])
    PresetCard(chosen.value)
    LiveView(session, tick)


@solara.component
def LiveView(session: Session, tick: solara.Reactive) -> None:
    """The day, the networks, the numbers and the plots: the only part that redraws as
    the run plays (it alone reads ``tick``; the controls are not re-rendered each day).
    It draws the session's latest frame, never the model itself (``frame``)."""
    tick.value  # noqa: B018 - reading it subscribes this component to each new day
    frame = session.frame
    solara.Text(
        f"Day {frame.day} of {frame.days_total}",
        classes=["cs-day"],
        style={"font-size": "1.2em", "font-weight": "bold"},
    )
    with solara.Columns([1] * len(frame.sides)):
        for side in frame.sides:
            with solara.Column():
                NetworkChart(side)
    if frame.numbers:
        DividendNumbers(frame)
    Plots(frame)
    _legend()


def _share(label: str, value: solara.Reactive, on_value, scenario: float) -> None:  # noqa: ANN001
    """A 0-1 setting's slider, its value in its label (readable from the back of a room):
    the scenario's value until the slider is moved."""
    now = scenario if value.value is None else value.value
    solara.SliderFloat(f"{label}: {now:.2f}", value=now, min=0, max=1, step=0.05, on_value=on_value)


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
