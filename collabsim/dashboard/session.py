"""One browser session's simulation: the system (or the pair) its page runs, and a lock.

Solara runs the page's module once for every browser, so nothing here is module-level
state: the page makes one ``Session`` per browser tab (``solara.use_memo``) and keeps
the model in it. A play loop runs in a thread while the page re-renders, hence the lock.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

from collabsim.dashboard.charts import layout
from collabsim.dashboard.frame import Frame, frame_of
from collabsim.dashboard.live import LiveSystem, Settings, TrustPair
from collabsim.errors import CollabsimError
from collabsim.network import load_files

VIEWS = ("dividend", "single")


class Session:
    """The system a page shows: a ``TrustPair`` (dividend view) or a ``LiveSystem``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.settings = Settings()
        self.view = "dividend"
        self.system: LiveSystem | TrustPair = TrustPair(self.settings)
        self.pos = layout(self._first.model.graph)
        self.frame: Frame = frame_of(self.system, self.pos)
        self.error = ""
        self.closed = False
        self.generation = 0  # a new system each rebuild: an old play loop must not step it
        self.loads = 0
        self.uploads = Path(tempfile.mkdtemp(prefix="collabsim-upload-"))

    def close(self) -> None:
        """The tab is gone: stop any play loop and remove the uploaded files."""
        self.closed = True
        shutil.rmtree(self.uploads, ignore_errors=True)

    def rebuild(self, settings: Settings, view: str | None = None) -> bool:
        """Start again with ``settings`` (and ``view``). On a user's mistake (a bad
        file, an impossible setting) keep the running system and remember the one-line
        error; returns whether the new system was built."""
        view = view or self.view
        if view not in VIEWS:
            raise ValueError(f"view: {view!r}")
        try:
            system = TrustPair(settings) if view == "dividend" else LiveSystem(settings)
        except CollabsimError as exc:
            self.error = str(exc)
            return False
        with self.lock:
            self.settings, self.view, self.system, self.error = settings, view, system, ""
            self.generation += 1
            self.pos = layout(self._first.model.graph)
            self.frame = frame_of(system, self.pos)
        return True

    @property
    def _first(self) -> LiveSystem:
        return self.system.low if isinstance(self.system, TrustPair) else self.system

    def advance(self, days: int = 1, generation: int | None = None) -> int:
        """Run ``days`` more days and make the new frame (both under the lock); nothing if
        ``generation`` is given and the system has been rebuilt since."""
        with self.lock:
            if generation is not None and generation != self.generation:
                return 0
            done = self.system.advance(days)
            if done:
                self.frame = frame_of(self.system, self.pos)
            return done

    def surge(self, multiplier: float, days: float) -> None:
        with self.lock:
            self.system.surge(multiplier, days)

    def plots_png(self) -> bytes:
        """Every per-day measure so far as one PNG (both systems in the dividend view)."""
        from collabsim.dashboard.animate import plots_png

        with self.lock:
            if isinstance(self.system, TrustPair):
                series, compare = self.system.low.series(), self.system.high.series()
            else:
                series, compare = self.system.series(), None
            day = self.frame.day
        return plots_png(series, f"collabsim: day {day}", compare)

    def movie_gif(self, frames: int = 60) -> bytes:
        """This run's settings replayed from day 0 to today as a GIF (``collabsim
        animate``), with at most ``frames`` frames, in a folder removed afterwards."""
        from collabsim.dashboard.animate import render

        with self.lock:
            settings, view, days = self.settings, self.view, max(self.frame.day, 1)
        # the run's files were checked when it was built and are never written over
        # (``load_files`` keeps each accepted pair in a folder of its own)
        with tempfile.TemporaryDirectory(prefix="collabsim-gif-") as folder:
            out = render(
                settings, days, Path(folder) / "run.gif", view, every=max(1, -(-days // frames))
            )
            return Path(out["movie"]).read_bytes()

    def save_upload(self, which: str, data: bytes) -> Path:
        """Keep an uploaded CSV in this session's own folder (never the working folder), as
        the next pair to try: the running system's own files are not touched."""
        if which not in ("providers", "links"):
            raise ValueError(which)
        path = self.uploads / f"{which}.csv"
        path.write_bytes(data)
        return path

    def load_files(self, settings: Settings, view: str | None = None) -> bool:
        """Switch to the uploaded pair once both are there, if they pass the CLI's checks
        (a copy in a folder of its own, so later uploads never change a running system)."""
        providers, links = self.uploads / "providers.csv", self.uploads / "links.csv"
        if not (providers.is_file() and links.is_file()):
            self.error = "upload both a providers CSV and a links CSV"
            return False
        try:
            load_files(str(providers), str(links))  # the command line's checks
        except CollabsimError as exc:  # named as the user knows them, not by our folder
            self.error = str(exc).replace(str(self.uploads) + "/", "")
            return False
        self.loads += 1
        kept = self.uploads / f"accepted-{self.loads}"
        kept.mkdir()
        shutil.copyfile(providers, kept / "providers.csv")
        shutil.copyfile(links, kept / "links.csv")
        files = replace(
            settings,
            network="files",
            providers_file=str(kept / "providers.csv"),
            links_file=str(kept / "links.csv"),
        )
        return self.rebuild(files, view)
