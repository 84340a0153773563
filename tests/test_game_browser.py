"""The game in a real browser: ``collabsim play`` in a subprocess, a facilitator and two
players in separate browser contexts (separate cookies: separate people), driven by
Playwright with the system's Chromium. Running the module also writes the README's
screenshots of the game to docs/images/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers.browser import ROOT, serve

pytestmark = pytest.mark.slow  # a server in a subprocess and a browser

IMAGES = ROOT / "docs" / "images"
VIEWPORT = {"width": 1400, "height": 1000}
WAIT = 30_000  # ms
# a player's name that would run a script if any page drew it as markup
MARKUP = "<img src=x onerror=window.__pwned=1>Ann"  # 38 characters: names keep 40


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve("play", tmp_path_factory.mktemp("play") / "server.log") as url:
        yield url


class Person:
    """One person's browser (a context of its own) on the game, with its page's errors."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on(
            "console",
            lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.goto(url)

    def text(self, css: str) -> str:
        return self.page.locator(css).first.inner_text()

    def click(self, css: str) -> None:
        self.page.locator(css).first.click()

    def not_pwned(self) -> None:
        """No page drew a player's name as markup: no such image, no script run."""
        assert self.page.locator("img[src='x']").count() == 0
        assert self.page.evaluate("() => window.__pwned === undefined")

    def screenshot(self, path: Path) -> None:
        height = self.page.evaluate("() => document.documentElement.scrollHeight")
        self.page.set_viewport_size({"width": VIEWPORT["width"], "height": max(height, 600)})
        self.page.wait_for_timeout(500)
        self.page.screenshot(path=path, full_page=True)
        self.page.set_viewport_size(VIEWPORT)


def _join(person: Person, code: str, name: str) -> None:
    expect(person.page.get_by_text(f"Join game {code}")).to_be_visible(timeout=WAIT)
    person.page.get_by_label("Your name (or your team's)").fill(name)
    person.click(".cs-join")
    expect(person.page.locator(".cs-me")).to_contain_text("you run", timeout=WAIT)


def _round(person: Person, number: int) -> None:
    expect(person.page.locator(".cs-round")).to_contain_text(f"round {number} of 3",
                                                             timeout=WAIT)  # fmt: skip


def _run(console: Person, number: int) -> None:
    """The facilitator runs round ``number`` (once the console shows that round's button)."""
    button = console.page.locator(".cs-run")
    expect(button).to_contain_text(f"round {number}", timeout=WAIT)
    button.click()


def _decide(person: Person, number: int) -> None:
    button = person.page.locator(".cs-decide")
    expect(button).to_contain_text(f"round {number}", timeout=WAIT)
    button.click()
    expect(person.page.locator(".cs-decided")).to_be_visible(timeout=WAIT)


def _status(console: Person, name: str, status: str) -> None:
    row = console.page.locator(".cs-player-row", has_text=name)
    expect(row).to_contain_text(status, timeout=WAIT)


def test_a_game_of_three_rounds(browser: Browser, server: str, tmp_path: Path) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    console = Person(browser, server + "/")
    # the facilitator opens a game of three rounds
    slider = console.page.locator(".v-input.v-input__slider").filter(
        has=console.page.locator("label", has_text="Rounds:")
    )
    expect(slider.locator("label")).to_have_text("Rounds: 6", timeout=WAIT)
    slider.locator("[role=slider]").focus()
    for _ in range(3):
        console.page.keyboard.press("ArrowLeft")
    expect(slider.locator("label")).to_have_text("Rounds: 3")
    console.click(".cs-open")
    expect(console.page.locator(".cs-round")).to_contain_text("waiting to start", timeout=WAIT)
    code = re.search(r"game=([A-Z]{4})", console.page.url).group(1)

    # two players join from their own browsers, with the code (one types it, one has a link)
    ann, bob = Person(browser, server + "/"), Person(browser, f"{server}/?game={code}")
    ann.page.get_by_label("Game code").fill(code.lower())
    ann.click(".cs-find")
    _join(ann, code, MARKUP)
    _join(bob, code, "Bob")
    expect(ann.page.locator(".cs-me")).to_contain_text(MARKUP)  # drawn as text
    hospitals = {p.text(".cs-me").rsplit("you run ", 1)[1] for p in (ann, bob)}
    assert len(hospitals) == 2, "two players were given one hospital"
    _status(console, MARKUP, "here")
    _status(console, "Bob", "here")

    # round 1: both decide; the console sees who has decided
    console.click(".cs-start")
    for p in (ann, bob):
        _round(p, 1)
    _decide(ann, 1)
    _status(console, MARKUP, "decided")
    _status(console, "Bob", "deciding")
    _decide(bob, 1)
    _status(console, "Bob", "decided")
    day_before = int(re.search(r"day (\d+)", console.text(".cs-round")).group(1))
    _run(console, 1)
    _round(console, 2)
    assert int(re.search(r"day (\d+)", console.text(".cs-round")).group(1)) == day_before + 1
    expect(console.page.locator(".cs-system")).to_contain_text("waited over 12 hours")

    # a card between rounds: every screen shows it
    console.page.get_by_label("Card").click(force=True)
    console.page.get_by_role("option", name="surge").click()
    console.click(".cs-deal")
    for p in (ann, bob):
        _round(p, 2)
        expect(p.page.locator(".cs-card")).to_contain_text("A surge", timeout=WAIT)

    # round 2: Bob decides, then reloads: his hospital and his decision are still there
    _decide(bob, 2)
    mine = bob.text(".cs-me")
    bob.page.reload()
    expect(bob.page.locator(".cs-me")).to_have_text(mine, timeout=WAIT)
    expect(bob.page.locator(".cs-decided")).to_be_visible(timeout=WAIT)
    console.screenshot(IMAGES / "game-console.png")
    bob.screenshot(IMAGES / "game-player.png")
    # Ann leaves: the model plays her hospital from now on
    ann.click(".cs-leave")
    expect(ann.page.get_by_text(f"Join game {code}")).to_be_visible(timeout=WAIT)
    _status(console, MARKUP, "left: the model plays")
    _run(console, 2)
    _round(console, 3)

    # round 3 runs by the facilitator's hand; the debrief follows on every page still in it
    _run(console, 3)
    for p in (console, bob):
        expect(p.page.locator(".cs-summary")).to_contain_text("hours", timeout=60_000)
        outcomes = p.page.locator(".cs-outcome")
        expect(outcomes).to_have_count(4)
        for name in ("your game", "isolated", "the model in your seats", "everyone trusting"):
            expect(outcomes.filter(has_text=name)).to_have_count(1)
        rows = p.page.locator(".cs-debrief-player")
        expect(rows.filter(has_text=MARKUP)).to_contain_text("decided 1 rounds")
        expect(rows.filter(has_text="Bob")).to_contain_text("decided 2 rounds")
    console.screenshot(IMAGES / "game-debrief.png")

    # the debrief as one page, the name in it as text
    with console.page.expect_download(timeout=WAIT) as download:
        console.page.get_by_text("Debrief (HTML)").click()
    saved = tmp_path / "debrief.html"
    download.value.save_as(saved)
    page = saved.read_text()
    assert "your game" in page and "&lt;img src=x" in page and "<img src=x" not in page

    for p in (console, ann, bob):
        p.not_pwned()
        assert p.errors == [], "errors in the page"
    for name in ("console", "player", "debrief"):
        assert (IMAGES / f"game-{name}.png").read_bytes()[:4] == b"\x89PNG"


def test_a_wrong_code_and_a_full_game_are_one_line(browser: Browser, server: str) -> None:
    person = Person(browser, f"{server}/?game=ZZZZ")
    expect(person.page.locator(".cs-error")).to_contain_text("no game 'ZZZZ'", timeout=WAIT)
    assert "\n" not in person.text(".cs-error").strip()
    assert person.errors == [], "errors in the page"
