"""How the tests and the benchmark open the page: the system's headless Chromium.

``playwright install`` cannot download browsers everywhere (not in CI here), so Playwright
drives Debian's ``chromium`` (``COLLABSIM_CHROMIUM`` names another).
"""

from __future__ import annotations

import os
import shutil

CHROMIUM = os.environ.get("COLLABSIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # without these Chromium calls the internet, which a training room (and CI) may lack
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
