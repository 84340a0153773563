"""Where numba keeps the compiled kernels: a folder named by a hash of their source.

numba's on-disk cache knows a kernel by its own file's timestamp only, so a kernel that
calls one from another module (``reciprocal`` calls ``trust_gated``'s ``grant_offers``)
loads its old compiled code after only the callee changed, silently running the old
rule. Keyed by a hash of every module that holds kernels, any change to them compiles
everything afresh, once. Imported by ``collabsim`` before any kernel module; a
``NUMBA_CACHE_DIR`` set by the user is kept (and that protection with it).
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

KERNEL_MODULES = ("core", "policies")  # the packages whose modules hold compiled kernels


def kernel_source_digest(root: Path | None = None) -> str:
    """A hash of every module that holds compiled kernels (``KERNEL_MODULES``)."""
    root = root or Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for name in KERNEL_MODULES for p in (root / name).glob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def use_keyed_cache() -> str | None:
    """Point numba (and worker processes, through the environment) at the folder for
    this source; returns it, or None when the user chose one or none is writable."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    name = f"numba-{kernel_source_digest()}"
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "collabsim"
    for base in (home, Path(tempfile.gettempdir()) / "collabsim"):
        folder = base / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:  # cannot be made here: try the next place
            continue
        if not os.access(folder, os.W_OK):  # e.g. another user's folder in /tmp
            continue
        global FRESH
        FRESH = not any(folder.iterdir())  # nothing compiled for this source yet
        os.environ["NUMBA_CACHE_DIR"] = str(folder)
        if "numba" in sys.modules:  # numba already imported: its config is read once
            sys.modules["numba"].config.CACHE_DIR = str(folder)
        return str(folder)
    return None


FRESH = False  # whether this source's kernels have never been compiled on this machine
_SAID = False


def notice_compiling() -> None:
    """Say once, on stderr, that the first run compiles the engine (the wait is not a hang)."""
    global _SAID
    if FRESH and not _SAID:
        _SAID = True
        print(
            "collabsim: compiling the engine for this machine, once (20-60 s)",
            file=sys.stderr,
            flush=True,
        )


FOLDER = use_keyed_cache()  # None: the user chose the folder (or none was writable)
