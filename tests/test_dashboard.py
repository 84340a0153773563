"""The training page's parts without a browser (issue 11): the live system and the
pair, the charts' options, the per-tab session, the page rendered by ``solara.render``,
and the command's one-line errors. The browser tests are in test_dashboard_browser.py."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from collabsim.core.phases import ROW
from collabsim.dashboard import charts
from collabsim.dashboard.live import MEASURES, LiveSystem, Settings, TrustPair
from collabsim.dashboard.presets import PRESETS
from collabsim.dashboard.server import ServeError, check_address
from collabsim.dashboard.session import Session
from collabsim.errors import ConfigError
from tests.helpers import run

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "small_ics"


@pytest.fixture(scope="module")
def pair() -> TrustPair:
    p = TrustPair(Settings(scenario="winter", days=60))
    p.advance(20)
    return p


def test_a_day_is_a_day_of_steps_and_every_measure_is_recorded(pair: TrustPair) -> None:
    low = pair.low
    assert low.steps_per_day == 24 and low.day == 20 and low.engine.t == 20 * 24
    series = low.series()
    assert set(MEASURES) <= set(series) and all(len(series[m]) == 20 for m in MEASURES)
    assert np.array_equal(series["day"], np.arange(1, 21))
    assert (series["occupancy"] > 50).all() and (series["occupancy"] <= 100).all()
    assert (series["waits_12h"] >= 0).all() and np.isfinite(series["mean_wait_hours"]).all()
    rows = low.engine.recorder.rows[: low.engine.t]
    # the day's figures are the engine's own per-step rows summed over the day's 24 steps
    assert series["transfers"].sum() == rows[:, ROW["transfers_out"]].sum()
    assert series["aid_cost"].sum() == pytest.approx(rows[:, ROW["aid_cost"]].sum())
    assert low.arrived() == rows[:, ROW["arrivals"]].sum() > 0
    assert low.totals()["waits_12h"] == series["waits_12h"].sum()


def test_the_pair_sees_the_same_patients_and_differs_only_by_trust(pair: TrustPair) -> None:
    lo, hi = pair.low, pair.high
    assert lo.settings.trust == 0.2 and hi.settings.trust == 0.8
    assert len(lo.daily_arrivals) == len(hi.daily_arrivals) == 20
    for a, b in zip(lo.daily_arrivals, hi.daily_arrivals, strict=True):
        assert np.array_equal(a, b)  # common random numbers: same providers, same days
    assert lo.series()["mean_trust"][0] < 0.3 < 0.7 < hi.series()["mean_trust"][0]
    # trust changed what providers did: help differs somewhere in 20 winter days
    assert not np.array_equal(lo.series()["transfers"], hi.series()["transfers"])
    d = pair.dividend()
    assert d["waits_12h"] == lo.totals()["waits_12h"] - hi.totals()["waits_12h"]
    assert pair.dividend_series()["waits_12h"][-1] == d["waits_12h"]


def test_a_surge_raises_arrivals_by_its_size_for_its_days() -> None:
    calm, surged = LiveSystem(Settings(days=30)), LiveSystem(Settings(days=30))
    calm.advance(5)
    surged.advance(5)
    surged.surge(1.5, 10)
    calm.advance(10)
    surged.advance(10)
    during = [sum(s.daily_arrivals[d].sum() for d in range(5, 15)) for s in (calm, surged)]
    # ~1,600 arrivals in 10 days: Poisson sd ~40 each, so the ratio's sd is ~0.04
    assert 1.35 < during[1] / during[0] < 1.65
    calm.advance(5)
    surged.advance(5)
    after = [sum(s.daily_arrivals[d].sum() for d in range(15, 20)) for s in (calm, surged)]
    assert 0.85 < after[1] / after[0] < 1.15  # over when its days are over
    with pytest.raises(ValueError):
        surged.surge(-1.0, 3)


def test_the_run_stops_at_its_end() -> None:
    s = LiveSystem(Settings(days=3))
    assert s.advance(10) == 3 and s.finished and s.advance(1) == 0 and s.day == 3


def test_settings_are_the_command_lines_overrides() -> None:
    o = Settings(policy="reciprocal", trust=0.3, culture="blame").overrides()
    assert "policy=reciprocal" in o and "trust.initial=0.3" in o and "culture=blame" in o
    with pytest.raises(ConfigError, match="network"):
        Settings(network="mars").overrides()
    with pytest.raises(ConfigError, match="both"):
        Settings(network="files", providers_file="p.csv").overrides()
    with pytest.raises(ConfigError, match="candour"):
        LiveSystem(Settings(candour=1.5))


def test_every_preset_builds_and_says_what_to_look_for() -> None:
    assert len(PRESETS) == 5 and sum(p.minutes for p in PRESETS) == 60
    for p in PRESETS:
        assert len(p.caption.splitlines()) == 2 and p.question.endswith("?")
        LiveSystem(replace(p.settings, days=2)).advance(1)


def test_the_network_option_draws_what_the_arrays_say() -> None:
    s = LiveSystem(Settings(days=5))
    s.advance(1)
    pos = charts.layout(s.model.graph)
    n = len(s.names)
    trust = np.linspace(0, 1, s.aid_src.size)
    helped = np.zeros(s.aid_src.size, dtype=int)
    helped[-1] = 3
    opt = charts.network_option(
        pos,
        s.names,
        s.kinds,
        s.regions,
        s.capacity,
        np.full(n, 1.2),
        s.aid_src,
        s.aid_dst,
        trust,
        helped,
        np.zeros_like(helped),
    )
    nodes = [d for x in opt["series"] if x["type"] == "scatter" for d in x["data"]]
    assert len(nodes) == n
    assert all(
        x["itemStyle"]["color"] == charts.HIGH for x in opt["series"] if x["type"] == "scatter"
    )
    links = {x["id"]: x for x in opt["series"] if x["type"] == "lines"}
    pairs = {(min(a, b), max(a, b)) for a, b in zip(s.aid_src, s.aid_dst, strict=True)}
    assert sum(len(x["data"]) for x in links.values()) == len(pairs)  # each pair once
    assert len(links["links-help"]["data"]) == 1
    # shaded by trust: the pair of the link trusted least (0) in the lightest shade
    shades = {float(k.split("-")[1]): len(x["data"]) for k, x in links.items() if k != "links-help"}
    assert min(shades) == charts._shade(0.0) < max(shades)
    biggest = s.names[int(np.argmax(s.capacity))]
    assert max(nodes, key=lambda d: d["symbolSize"])["name"].startswith(biggest)  # by beds
    # a new day merges into the drawn chart: every series has a fixed, distinct id
    ids = [x["id"] for x in opt["series"]]
    assert len(ids) == len(set(ids))


def test_names_from_a_file_reach_the_page_as_text() -> None:
    """A name is data, shown through ECharts' ``{b}``, which escapes it (the browser test
    shows a name with markup drawn as text); nothing a user wrote is in a formatter."""
    opt = charts.network_option(
        np.zeros((1, 2)),
        ["<img src=x onerror=alert(1)>"],
        np.array([0]),
        ["<b>R</b>"],
        np.array([10]),
        np.array([0.5]),
        np.array([], dtype=int),
        np.array([], dtype=int),
        np.array([]),
        np.array([]),
        np.array([]),
    )
    (node,) = [x for x in opt["series"] if x["type"] == "scatter"]
    assert node["tooltip"]["formatter"] == "{b}<br/>{a}"
    assert node["data"][0]["name"].startswith("<img src=x onerror=alert(1)> (<b>R</b>)")
    assert "<" not in node["name"]


def test_the_plots_are_one_chart_a_grid_each() -> None:
    day = np.arange(1, 4)
    opt = charts.plots_option(
        day,
        {
            "a": ("A", {"low": np.array([1.0, 2.0, 3.0]), "high": np.array([0.0, np.nan, 1.0])}),
            "b": ("B", {"low": np.zeros(3), "high": np.ones(3)}),
        },
    )
    assert [t["text"] for t in opt["title"]] == ["A", "B"]
    assert len(opt["grid"]) == len(opt["xAxis"]) == len(opt["yAxis"]) == 2
    by_id = {x["id"]: x for x in opt["series"]}
    assert by_id["a/high"]["data"] == [0.0, None, 1.0]
    assert by_id["b/low"]["xAxisIndex"] == by_id["b/low"]["yAxisIndex"] == 1
    assert charts.plots_height(6) == 2 * 220 + 30


def test_the_layout_is_fixed_and_uses_the_places_it_is_given(tmp_path: Path) -> None:
    england = LiveSystem(Settings(network="england", days=2)).model.graph
    a, b = charts.layout(england), charts.layout(england)
    assert np.array_equal(a, b) and a.min() >= 0 and a.max() <= 1
    files = LiveSystem(
        Settings(
            network="files",
            providers_file=str(EXAMPLES / "providers.csv"),
            links_file=str(EXAMPLES / "links.csv"),
            days=2,
        )
    )
    p1, p2 = charts.layout(files.model.graph), charts.layout(files.model.graph)
    assert np.array_equal(p1, p2) and np.isfinite(p1).all() and len(np.unique(p1, axis=0)) > 1


def test_a_line_with_no_value_yet_is_a_gap() -> None:
    opt = charts.line_option("t", np.arange(1, 4), {"a": np.array([1.0, np.nan, 2.0])})
    assert opt["series"][0]["data"] == [1.0, None, 2.0]


def test_a_bad_upload_is_one_line_and_keeps_the_running_system(tmp_path: Path) -> None:
    session = Session()
    before = session.system
    session.save_upload(
        "providers",
        b"id,name,kind,region,capacity,demand_per_day,mean_los_days\nA,A,acute,R,-5,10,5\n",
    )
    session.save_upload("links", (EXAMPLES / "links.csv").read_bytes())
    assert not session.load_files(Settings())
    assert session.error and "\n" not in session.error and "capacity" in session.error
    assert session.system is before
    session.save_upload("providers", (EXAMPLES / "providers.csv").read_bytes())
    assert session.load_files(Settings()) and session.error == ""
    n = sum(1 for _ in (EXAMPLES / "providers.csv").read_text().splitlines()) - 1
    assert len(session.system.low.names) == n
    assert session.uploads != Session().uploads  # each tab its own folder


def test_two_pages_have_their_own_models() -> None:
    import ipyvuetify as v
    import solara

    from collabsim.dashboard.app import Page

    # the app layout holds the sidebar (the controls), as the server gives every page one
    _, first = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    _, second = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    step = first.find(v.Btn, children=["Step"])
    step.widget.fire_event("click", {})
    step.widget.fire_event("click", {})
    assert first.find(v.Html, class_="cs-day").widget.children == ["Day 2 of 365"]
    assert second.find(v.Html, class_="cs-day").widget.children == ["Day 0 of 365"]


def test_a_port_in_use_or_out_of_range_is_refused_in_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match="another program"):
            check_address("127.0.0.1", port)
    with pytest.raises(ServeError, match="not a port"):
        check_address("127.0.0.1", 70000)


@pytest.mark.slow
def test_the_command_refuses_a_bad_port_in_one_line(tmp_path: Path) -> None:
    out = run(["dashboard", "--port", "70000"], tmp_path)
    assert out.returncode == 2 and out.stderr.strip().count("\n") == 0 and "port" in out.stderr
    out = run(["dashboard", "--colour", "red"], tmp_path)
    assert out.returncode == 2 and "unrecognized" in out.stderr


def test_the_page_exports_its_plots_and_its_run_for_slides() -> None:
    from io import BytesIO

    from PIL import Image

    session = Session()
    session.advance(4)
    png = Image.open(BytesIO(session.plots_png()))
    assert png.format == "PNG" and png.size[0] > 500
    gif = Image.open(BytesIO(session.movie_gif()))
    assert gif.format == "GIF" and gif.n_frames == 4  # one frame a day, days 1 to 4
    session.advance(6)
    assert Image.open(BytesIO(session.movie_gif(frames=5))).n_frames == 5  # every 2nd day


def test_tabs_opened_at_once_each_get_a_model() -> None:
    from concurrent.futures import ThreadPoolExecutor

    # Hydra's compose state is global: without the lock in settings.compose two threads
    # building at once failed with "GlobalHydra is already initialized"
    def open_tab(_: int) -> int:
        session = Session()
        return session.advance(1)

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(open_tab, range(4))) == [1, 1, 1, 1]


@pytest.mark.parametrize("scenario", ["funding_squeeze", "competition_history", "winter"])
def test_a_scenario_keeps_its_own_values_until_a_slider_is_moved(scenario: str) -> None:
    from collabsim.dashboard.live import scenario_values
    from collabsim.settings import load_config

    own = load_config([f"scenario={scenario}"])
    built = LiveSystem(Settings(scenario=scenario, days=2)).config
    assert built.finance.pressure == own.finance.pressure
    assert built.candour.mean == own.candour.mean and built.trust.initial == own.trust.initial
    assert scenario_values(scenario)["financial_pressure"] == own.finance.pressure
    moved = LiveSystem(Settings(scenario=scenario, financial_pressure=0.9, days=2)).config
    assert moved.finance.pressure == 0.9


def test_presets_keep_their_scenarios_values() -> None:
    squeeze = next(p for p in PRESETS if p.name == "Funding squeeze")
    config = LiveSystem(replace(squeeze.settings, days=2)).config
    assert config.finance.pressure == 0.3 and config.self_preservation.mean == 0.6


def test_uploaded_files_follow_the_view_and_a_bad_upload_leaves_them_alone() -> None:
    session = Session()
    for which in ("providers", "links"):
        session.save_upload(which, (EXAMPLES / f"{which}.csv").read_bytes())
    assert session.load_files(Settings(), "single") and isinstance(session.system, LiveSystem)
    session.advance(2)
    session.save_upload("providers", b"id,name\nA,A\n")
    assert not session.load_files(Settings(), "dividend")
    assert isinstance(session.system, LiveSystem) and session.error
    assert session.movie_gif()[:6] == b"GIF89a"  # the running system's own files, unchanged


def test_an_old_play_loop_never_steps_a_new_system() -> None:
    session = Session()
    old = session.generation
    assert session.rebuild(Settings(days=5))
    assert session.advance(1, old) == 0 and session.frame.day == 0
    assert session.advance(1, session.generation) == 1 and session.frame.day == 1


def test_the_dividend_numbers_are_low_minus_high_trust(pair: TrustPair) -> None:
    from collabsim.dashboard.charts import layout
    from collabsim.dashboard.frame import change, frame_of

    frame = frame_of(pair, layout(pair.low.model.graph))
    lo, hi = pair.low.totals(), pair.high.totals()
    avoided = frame.numbers["12-hour waits avoided"][0]
    assert avoided == f"{lo['waits_12h'] - hi['waits_12h']:,.0f}"
    assert frame.day == 20 and [s.arrived for s in frame.sides] == [pair.low.arrived()] * 2
    assert change(1.234, "h", 2) == "1.23 h shorter" and change(-5, "GBP", 0) == "GBP 5 more"
    assert change(0.001, "h", 2) == "no change (0.00 h)"
