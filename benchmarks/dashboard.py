"""Speed of the training page: milliseconds per simulated day, stepped and redrawn.

    python benchmarks/dashboard.py              # server side, then in a real browser
    python benchmarks/dashboard.py --no-browser # server side only

Server side: for each network and view, one simulated day (``advance(1)``) and what a
redraw costs the server (every chart's ECharts option built and serialised to JSON,
the bytes sent), median over ``--days`` days after 5. In a browser: ``collabsim
dashboard`` is started, headless Chromium (/usr/bin/chromium) opens it, the network is
set, the page plays as fast as it can for ``--seconds`` and the day counter is read:
milliseconds per day end to end, the browser drawing on the same two cores. Numbers
are measurements, not assertions: put them in your notes. The issue's target: at most
100 ms per simulated day for England.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time

import numpy as np


def server_side(network: str, view: str, days: int) -> dict[str, float]:
    from collabsim.dashboard import charts
    from collabsim.dashboard.frame import frame_of
    from collabsim.dashboard.live import LiveSystem, Settings, TrustPair

    start = time.perf_counter()
    settings = Settings(network=network, scenario="winter")
    system = TrustPair(settings) if view == "dividend" else LiveSystem(settings)
    build = time.perf_counter() - start
    first = system.low if view == "dividend" else system
    pos = charts.layout(first.model.graph)
    system.advance(5)
    step, draw, size = [], [], []
    for _ in range(days):
        t0 = time.perf_counter()
        system.advance(1)
        t1 = time.perf_counter()
        frame = frame_of(system, pos)  # what the page's session makes after each day
        options = [side.option.value for side in frame.sides]
        options.append(frame.plots.value)
        if frame.dividend is not None:
            options.append(frame.dividend.value)
        text = json.dumps(options)
        step.append(t1 - t0)
        draw.append(time.perf_counter() - t1)
        size.append(len(text))
    return {
        "build_s": build,
        "step_ms": 1000 * float(np.median(step)),
        "redraw_ms": 1000 * float(np.median(draw)),
        "kb_per_day": float(np.median(size)) / 1024,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_browser(network: str, seconds: float, view: str = "dividend") -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from collabsim.dashboard.headless import CHROMIUM, CHROMIUM_ARGS

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "collabsim", "dashboard", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for _ in range(120):
                try:
                    page.goto(f"http://127.0.0.1:{port}/")
                    break
                except Exception:  # the server is still starting
                    time.sleep(1)
            day = page.locator(".cs-day")
            day.wait_for(timeout=120_000)
            if view != "dividend":
                page.get_by_label("View").click(force=True)
                page.get_by_role("option", name=view).click()
                time.sleep(2)
            if network != "small":
                page.get_by_label("Network").click(force=True)
                page.get_by_role("option", name=network).click()
                page.wait_for_function(
                    "document.querySelector('.cs-day').innerText.startsWith('Day 0')"
                )
                time.sleep(2)
            page.get_by_label("Speed (days a second)").click(force=True)
            page.get_by_role("option", name="as fast as it can").click()
            page.locator(".cs-play").click()
            t0 = time.perf_counter()
            first = _day(day.inner_text())
            last, elapsed = first, 0.0
            while time.perf_counter() - t0 < seconds:  # or until the run's last day
                time.sleep(0.2)
                now = _day(day.inner_text())
                if now != last:
                    last, elapsed = now, time.perf_counter() - t0
                if now == int(day.inner_text().split()[-1]):
                    break
            page.locator(".cs-play").click()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    days = max(last - first, 1)
    return {"days": days, "ms_per_day": 1000 * elapsed / days}


def _day(text: str) -> int:
    return int(text.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--no-browser", action="store_true")
    ns = parser.parse_args()
    print("| network | view | build (s) | step (ms/day) | redraw, server (ms) | sent (KB/day) |")
    print("|---|---|---|---|---|---|")
    for network in ("small", "england"):
        for view in ("single", "dividend"):
            r = server_side(network, view, ns.days)
            print(
                f"| {network} | {view} | {r['build_s']:.2f} | {r['step_ms']:.1f} | "
                f"{r['redraw_ms']:.1f} | {r['kb_per_day']:.0f} |"
            )
    if ns.no_browser:
        return
    print()
    print("| network, in Chromium | view | days played | ms per day, end to end |")
    print("|---|---|---|---|")
    for network in ("small", "england"):
        for view in ("single", "dividend"):
            r = in_browser(network, ns.seconds, view)
            print(f"| {network} | {view} | {r['days']} | {r['ms_per_day']:.0f} |")


if __name__ == "__main__":
    main()
