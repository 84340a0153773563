"""The training page in a real browser: ``collabsim dashboard`` in a subprocess, driven by
Playwright with the system's Chromium (offline: no browser download, no internet).

ECharts draws on a canvas, so the charts are read from their ECharts instance (the Vue
component of each ``.solara-echarts`` div keeps it as ``.chart``). Running the module also
writes the README's screenshots to docs/images/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers.browser import serve

pytestmark = pytest.mark.slow  # a server in a subprocess and a browser

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "small_ics"
IMAGES = ROOT / "docs" / "images"
VIEWPORT = {"width": 1400, "height": 1000}
WAIT = 30_000  # ms: a condition the page should reach (a rebuild of the small network)


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real command, ``python -m collabsim dashboard --port P``; yields its address."""
    with serve("dashboard", tmp_path_factory.mktemp("dashboard") / "server.log") as url:
        yield url


class Tab:
    """One browser tab on the page, with what went wrong in it (console errors, uncaught
    exceptions, failed requests)."""

    def __init__(self, browser: Browser, url: str, wait: bool = True) -> None:
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.page.on(
            "console",
            lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.goto(url + "/", wait_until="commit")
        if wait:
            self.ready()

    def ready(self) -> None:
        """Wait until the page shows day 0 (or fail with the traceback it shows instead)."""
        self.page.wait_for_function(
            """() => document.body.innerText.includes('Traceback') ||
                     /^Day 0 of \\d+/.test((document.querySelector('.cs-day') || {}).innerText)""",
            timeout=60_000,
        )
        if crash := self.crashed():
            pytest.fail(f"the page failed to open:\n{crash}", pytrace=False)

    # reading the page

    def day(self) -> int:
        return int(re.match(r"Day (\d+)", self.page.locator(".cs-day").inner_text()).group(1))

    def option(self, css: str) -> dict:
        """The ECharts option a chart shows now (from the chart itself)."""
        return self.page.evaluate(
            """css => {
                const el = document.querySelector('.' + css);
                if (!el || !el.__vue__ || !el.__vue__.chart) return null;
                const o = el.__vue__.chart.getOption();
                return {series: o.series.map(s => ({id: s.id, name: s.name, type: s.type,
                                                    data: s.data, lineStyle: s.lineStyle}))};
            }""",
            css,
        )

    def wait_option(self, css: str, condition: str, arg: object = None) -> dict:
        """Wait until ``condition`` (a JS expression of ``o``, the chart's option, and
        ``arg``) holds for the chart ``css``; return its option."""
        self.page.wait_for_function(
            """([css, arg]) => {
                const el = document.querySelector('.' + css);
                if (!el || !el.__vue__ || !el.__vue__.chart) return false;
                const o = el.__vue__.chart.getOption();
                try { return Boolean(CONDITION); } catch (e) { return false; }
            }""".replace("CONDITION", condition),
            arg=[css, arg],
            timeout=WAIT,
        )
        return self.option(css)

    def lines(self, measure: str) -> dict[str, list]:
        """Each line of a measure's plot, by name (the plots are one chart, ``cs-plots``,
        its series' ids ``measure/line``)."""
        option = self.wait_option("cs-plots", "o.series.some(s => s.id.startsWith(arg))",
                                  measure + "/")  # fmt: skip
        return {s["name"]: s["data"] for s in option["series"]
                if s["id"].startswith(measure + "/")}  # fmt: skip

    # acting on it

    def choose(self, label: str, value: str) -> None:
        """Pick ``value`` in the Vuetify select labelled ``label``."""
        field = self.page.locator(".v-select").filter(
            has=self.page.locator("label", has_text=re.compile("^" + re.escape(label) + "$"))
        )
        field.locator(".v-input__slot").click()
        menu = self.page.locator(".menuable__content__active")
        menu.locator(".v-list-item", has_text=re.compile("^" + re.escape(value) + "$")).click()
        expect(field.locator(".v-select__selection")).to_have_text(value, timeout=WAIT)

    def step(self, days: int = 1) -> None:
        for _ in range(days):
            target = self.day() + 1
            self.page.locator(".cs-step").click()
            self.wait_day(target)

    def wait_day(self, day: int) -> None:
        expect(self.page.locator(".cs-day")).to_have_text(re.compile(rf"^Day {day} of "),
                                                          timeout=WAIT)  # fmt: skip

    def crashed(self) -> str:
        """The traceback Solara shows in place of the page when a component raised, or ''."""
        text = self.page.locator("body").inner_text()
        return text[: text.find("This website runs on")] if "Traceback" in text else ""

    def play_until(self, day: int) -> None:
        """Play until the counter reaches ``day`` or more, then pause."""
        play = self.page.locator(".cs-play")
        expect(play).to_have_text("Play")
        play.click()
        # the page is redrawn while the run plays: fail at once (with the traceback) if a
        # redraw raised and Solara replaced the page by the error
        self.page.wait_for_function(
            """day => {
                if (document.body.innerText.includes('Traceback')) return true;
                const el = document.querySelector('.cs-day');
                const m = el && /Day (\\d+)/.exec(el.innerText);
                return m && Number(m[1]) >= day;
            }""",
            arg=day,
            timeout=WAIT,
        )
        if crash := self.crashed():
            pytest.fail(f"the page crashed while playing:\n{crash}", pytrace=False)
        play.click()
        expect(play).to_have_text("Play", timeout=WAIT)
        # a day may still be drawn after the pause: wait until the counter stops
        last = -1
        while (now := self.day()) != last:
            last = now
            self.page.wait_for_timeout(300)

    def screenshot(self, path: Path) -> None:
        """The whole page as a PNG, 1400 px wide. Solara's layout scrolls inside the page
        (``full_page`` alone would stop at the window), so the window grows to the content
        for the picture."""
        extra = self.page.evaluate(
            """() => Math.max(0, ...[...document.querySelectorAll('*')]
                .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowY))
                .map(e => e.scrollHeight - e.clientHeight))"""
        )
        self.page.set_viewport_size(
            {"width": VIEWPORT["width"], "height": VIEWPORT["height"] + extra}
        )
        self.page.wait_for_timeout(500)  # the charts redraw at their new place
        self.page.screenshot(path=path, full_page=True)
        self.page.set_viewport_size(VIEWPORT)

    def drop_file(self, zone: int, path: Path) -> None:
        """Drop a file on the ``zone``-th FileDrop as a user would (a native drag with a file
        from disk, through the DevTools protocol: Solara's drop zone reads the dragged
        entries, which a script-made DataTransfer lacks)."""
        box = self.page.locator(".solara-file-drop").nth(zone).bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        cdp = self.context.new_cdp_session(self.page)
        data = {"items": [], "files": [str(path)], "dragOperationsMask": 1}
        for kind in ("dragEnter", "dragOver", "drop"):
            cdp.send("Input.dispatchDragEvent", {"type": kind, "x": x, "y": y, "data": data})
        cdp.detach()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Browser, server: str) -> Iterator[Tab]:
    t = Tab(browser, server)
    yield t
    t.close()


GRAPH_DRAWN = "o.series.some(s => s.type === 'scatter' && s.data.length > 0)"
TRUST_SHADED = "o.series.filter(s => /^links-0/.test(s.id))"  # links not helping or lending
NO_ERROR = "errors in the page"


def _opacities(option: dict) -> list[float]:
    """The shading of each link that is not helping or lending now (darker: more trust)."""
    return [
        s["lineStyle"]["opacity"]
        for s in option["series"]
        if s["id"].startswith("links-0")
        for _ in s["data"]
    ]


def _providers(option: dict) -> list[dict]:
    """Every provider drawn (each pressure band and kind is a series of its own)."""
    return [d for s in option["series"] if s["type"] == "scatter" for d in s["data"]]


# --- tests ------------------------------------------------------------------------------


def test_page_loads_clean_with_both_networks_drawn(tab: Tab) -> None:
    expect(tab.page.locator(".cs-day")).to_have_text(re.compile(r"^Day 0 of 365$"))
    for side in ("low", "high"):
        option = tab.wait_option(f"cs-network-{side}", GRAPH_DRAWN)
        assert len(_providers(option)) == 5  # the small ICS
        assert _opacities(option), "no links drawn"
        expect(tab.page.locator(f".cs-network-{side}-arrived")).to_have_text("patients arrived: 0")
    # trust shading: the low-trust system's links are lighter than the high-trust one's
    low, high = (_opacities(tab.option(f"cs-network-{s}")) for s in ("low", "high"))
    assert max(low) < min(high)
    tab.page.wait_for_timeout(1000)  # late errors (a chart's script, a websocket message)
    assert tab.errors == [], NO_ERROR
    assert tab.failed == [], "failed requests"


def test_step_advances_the_plots(tab: Tab) -> None:
    assert all(v == [] for v in tab.lines("mean_wait_hours").values())
    tab.step(2)
    expect(tab.page.locator(".cs-day")).to_have_text(re.compile(r"^Day 2 of "))
    drawn = "o.series.every(s => s.data.length === 2)"
    lines = [
        s
        for s in tab.wait_option("cs-plots", drawn)["series"]
        if s["id"].startswith("mean_wait_hours/")
    ]
    assert [s["name"] for s in lines] == ["low trust (0.2)", "high trust (0.8)"]
    assert all(len(s["data"]) == 2 for s in lines)
    arrived = tab.page.locator(".cs-network-low-arrived").inner_text()
    assert int(arrived.rsplit(" ", 1)[1].replace(",", "")) > 0
    assert tab.errors == [], NO_ERROR


def test_trust_slider_changes_the_model(tab: Tab) -> None:
    tab.choose("View", "single")
    before = _opacities(tab.wait_option("cs-network", GRAPH_DRAWN))
    tab.step(1)
    trust_before = tab.lines("mean_trust")["this system"]
    assert len(trust_before) == 1
    slider = tab.page.locator(".v-input.v-input__slider").filter(
        has=tab.page.locator("label", has_text="Initial trust:")
    )
    expect(slider.locator("label")).to_have_text("Initial trust: 0.50")
    slider.locator("[role=slider]").focus()
    tab.page.keyboard.press("End")  # to 1
    expect(slider.locator("label")).to_have_text("Initial trust: 1.00", timeout=WAIT)
    tab.wait_day(0)  # a new setting starts again
    # what the model now holds: every link's trust is higher, so its shading is darker
    after = _opacities(
        tab.wait_option(
            "cs-network",
            f"{TRUST_SHADED}.length && {TRUST_SHADED}.every(s => s.lineStyle.opacity > arg)",
            max(before),
        )
    )
    assert min(after) > max(before)
    tab.step(1)
    trust_after = tab.lines("mean_trust")["this system"]
    assert len(trust_after) == 1
    assert trust_after[0] > trust_before[0] + 0.2
    assert tab.errors == [], NO_ERROR


def test_dividend_view_same_patients_different_outcomes(tab: Tab) -> None:
    tab.choose("Speed (days a second)", "20")
    tab.play_until(20)
    arrived = [
        int(tab.page.locator(f".cs-network-{s}-arrived").inner_text().rsplit(" ", 1)[1]
            .replace(",", ""))
        for s in ("low", "high")
    ]  # fmt: skip
    assert arrived[0] == arrived[1] > 0  # common random numbers: the same patients
    differs = []
    for name in ("mean_wait_hours", "waits_12h", "occupancy", "transfers", "aid_cost"):
        low, high = tab.lines(name).values()
        assert len(low) == len(high) == tab.day()
        if low != high:
            differs.append(name)
    assert differs, "trust changed nothing the plots show"
    assert tab.errors == [], NO_ERROR


def test_browser_tabs_are_independent(browser: Browser, server: str) -> None:
    a, b = Tab(browser, server), Tab(browser, server)
    try:
        a.step(3)
        b.page.wait_for_timeout(500)
        assert b.day() == 0
        b.step(1)
        a.page.wait_for_timeout(500)
        assert a.day() == 3
        assert b.day() == 1
        assert len(a.lines("waits_12h")["low trust (0.2)"]) == 3
        assert len(b.lines("waits_12h")["low trust (0.2)"]) == 1
    finally:
        a.close()
        b.close()


def test_tabs_opened_at_once(browser: Browser, server: str) -> None:
    """A room opens the page together: every tab gets its own working page."""
    tabs = [Tab(browser, server, wait=False) for _ in range(4)]
    try:
        for t in tabs:
            t.ready()
            t.wait_option("cs-network-high", GRAPH_DRAWN)
            assert t.errors == [], NO_ERROR
    finally:
        for t in tabs:
            t.close()


def test_preset_loads_with_its_caption(tab: Tab) -> None:
    from collabsim.dashboard.presets import preset

    winter = preset("A winter")
    tab.step(1)
    tab.choose("Session preset", "A winter")
    card = tab.page.locator(".cs-preset")
    expect(card).to_contain_text(f"A winter ({winter.minutes} minutes)", timeout=WAIT)
    for line in winter.caption.splitlines():
        expect(card).to_contain_text(line)
    expect(card).to_contain_text(winter.question)
    tab.wait_day(0)
    # the preset's settings are in the controls
    for label, value in (("Scenario", "winter"), ("Policy", "trust_gated"), ("View", "dividend")):
        field = tab.page.locator(".v-select").filter(has=tab.page.locator("label", has_text=label))
        expect(field.locator(".v-select__selection")).to_have_text(value)
    # the caption reads as its two lines, then the question (not run together)
    shown = [line.strip() for line in card.inner_text().splitlines() if line.strip()]
    for line in winter.caption.splitlines():
        assert line in shown, f"caption line not on a line of its own: {line!r} in {shown}"
    # changing a setting leaves the preset
    tab.choose("Culture", "blame")
    expect(card).to_have_count(0, timeout=WAIT)
    assert tab.errors == [], NO_ERROR


def test_png_export(tab: Tab, tmp_path: Path) -> None:
    tab.step(2)
    chart = tab.page.locator(".cs-plots")
    box = chart.bounding_box()
    # the toolbox's one button ("PNG") sits in the top right corner (right: 10 px)
    with tab.page.expect_download(timeout=WAIT) as download:
        chart.click(position={"x": box["width"] - 18, "y": 13})
    saved = tmp_path / "chart.png"
    download.value.save_as(saved)
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert saved.stat().st_size > 1000
    assert tab.errors == [], NO_ERROR


def test_screenshots_of_each_view(browser: Browser, server: str) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    t = Tab(browser, server)
    try:
        t.choose("Speed (days a second)", "20")
        t.play_until(10)
        t.wait_option("cs-plot-dividend", "o.series[0].data.length >= 10")
        t.screenshot(IMAGES / "dashboard-dividend.png")

        t.choose("View", "single")
        t.wait_day(0)
        t.play_until(10)
        t.wait_option("cs-plots", "o.series[0].data.length >= 10")
        t.screenshot(IMAGES / "dashboard-single.png")

        t.choose("Session preset", "A winter")
        expect(t.page.locator(".cs-preset")).to_contain_text("A winter", timeout=WAIT)
        t.wait_day(0)
        t.play_until(10)
        t.screenshot(IMAGES / "dashboard-preset.png")
        assert t.errors == [], NO_ERROR
    finally:
        t.close()
    for name in ("dividend", "single", "preset"):
        assert (IMAGES / f"dashboard-{name}.png").read_bytes()[:4] == b"\x89PNG"


def test_network_files_bad_then_good(tab: Tab, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    rows = (EXAMPLE / "providers.csv").read_text().splitlines()
    header, first = rows[0].split(","), rows[1].split(",")
    first[header.index("capacity")] = "-" + first[header.index("capacity")]
    (bad / "providers.csv").write_text("\n".join([rows[0], ",".join(first), *rows[2:]]) + "\n")
    names = [row.split(",")[header.index("name")] for row in rows[1:]]

    tab.choose("Network", "files")
    error = tab.page.locator(".cs-error")
    expect(error).to_contain_text("upload both", timeout=WAIT)
    expect(tab.page.locator(".solara-file-drop")).to_have_count(2)
    tab.drop_file(0, bad / "providers.csv")
    expect(tab.page.locator(".solara-file-drop").nth(0)).to_have_text("providers.csv")
    tab.drop_file(1, EXAMPLE / "links.csv")
    expect(error).to_contain_text("capacity", timeout=WAIT)
    expect(error).to_contain_text(">= 0")
    assert "\n" not in error.inner_text().strip()  # one line
    # still the running system (the small ICS), not the bad one
    shown = str(_providers(tab.option("cs-network-low")))
    assert not any(n in shown for n in names)

    # the good pair, its first provider named with markup: drawn as text, never as HTML
    good = tmp_path / "good"
    good.mkdir()
    first = rows[1].split(",")
    first[header.index("name")] = names[0] = "<b>Bold</b> & <i>Co</i>"
    (good / "providers.csv").write_text("\n".join([rows[0], ",".join(first), *rows[2:]]) + "\n")
    tab.drop_file(0, good / "providers.csv")
    expect(error).to_have_count(0, timeout=WAIT)
    for side in ("low", "high"):
        option = tab.wait_option(
            f"cs-network-{side}",
            "o.series.flatMap(s => s.type === 'scatter' ? s.data : []).length === arg.length && "
            "arg.every(n => o.series.some(s => s.type === 'scatter' && "
            "s.data.some(d => d.name.startsWith(n))))",
            names,
        )
        assert len(_providers(option)) == len(names)
    tip = tab.page.evaluate(
        """name => {
            const el = document.querySelector('.cs-network-low');
            const chart = el.__vue__.chart, o = chart.getOption();
            const k = o.series.findIndex(s => s.type === 'scatter' &&
                                              s.data.some(d => d.name.startsWith(name)));
            const i = o.series[k].data.findIndex(d => d.name.startsWith(name));
            chart.dispatchAction({type: 'showTip', seriesIndex: k, dataIndex: i});
            const box = [...el.querySelectorAll('div')].find(d => d.innerText.includes('Bold'));
            return box && {text: box.innerText, markup: box.querySelectorAll('b, i').length};
        }""",
        names[0],
    )
    assert tip is not None, "no tooltip shown"
    assert tip["text"].startswith(names[0]) and tip["markup"] == 0
    tab.step(1)
    assert tab.errors == [], NO_ERROR
