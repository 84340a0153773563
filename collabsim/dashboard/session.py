"""One browser session's simulation: the system (or the pair) its page runs, and a lock.

Solara runs the page's module once for every browser, so nothing here is module-level
state: the page makes one ``Session`` per browser tab (``solara.use_memo``) and keeps
the model in it. A play loop runs in a thread while the page re-renders, hence the lock.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from collabsim.dashboard.live import LiveSystem, Settings, TrustPair, check_files
from collabsim.errors import CollabsimError

VIEWS = ("dividend", "single")


class Session:
    """The system a page shows: a ``TrustPair`` (dividend view) or a ``LiveSystem``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.settings = Settings()
        self.view = "dividend"
        self.system: LiveSystem | TrustPair = TrustPair(self.settings)
        self.error = ""
        self.uploads = Path(tempfile.mkdtemp(prefix="collabsim-upload-"))

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
        return True

    def advance(self, days: int = 1) -> int:
        with self.lock:
            return self.system.advance(days)

    def surge(self, multiplier: float, days: float) -> None:
        with self.lock:
            self.system.surge(multiplier, days)

    def save_upload(self, which: str, name: str, data: bytes) -> Path:
        """Keep an uploaded CSV in this session's own folder (never the working folder)."""
        if which not in ("providers", "links"):
            raise ValueError(which)
        path = self.uploads / f"{which}.csv"
        path.write_bytes(data)
        return path

    def load_files(self, settings: Settings) -> bool:
        """Switch to the uploaded pair once both are there, if they pass the CLI's checks."""
        providers, links = self.uploads / "providers.csv", self.uploads / "links.csv"
        if not (providers.is_file() and links.is_file()):
            self.error = "upload both a providers CSV and a links CSV"
            return False
        try:
            check_files(providers, links)
        except CollabsimError as exc:
            self.error = str(exc)
            return False
        from dataclasses import replace

        files = replace(
            settings, network="files", providers_file=str(providers), links_file=str(links)
        )
        return self.rebuild(files)
