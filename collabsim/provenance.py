"""What made a result: collabsim's version and git commit, the main libraries' versions,
and a hash of every input file, recorded in each run's ``summary.json`` so a number can
be traced to exactly what produced it."""

from __future__ import annotations

import hashlib
import platform
import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

# the libraries whose versions can change a result (or how it is stored)
LIBRARIES = ("numpy", "numba", "pandas", "pyarrow", "networkx", "mesa", "hydra-core", "duckdb")


@cache
def software() -> dict[str, Any]:
    """collabsim's version and commit, Python's and the main libraries' versions (once per
    process: they do not change while it runs)."""
    from collabsim import __version__

    libraries = {}
    for name in LIBRARIES:
        try:
            libraries[name] = version(name)
        except PackageNotFoundError:
            libraries[name] = None
    return {
        "collabsim": __version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "libraries": libraries,
    }


def git_commit() -> str | None:
    """The commit of the source collabsim runs from, with "+changes" when its tracked
    files differ from it; None when it is not a git checkout (an installed wheel)."""
    source = Path(__file__).resolve().parents[1]
    try:
        top = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "--show-toplevel"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
        if Path(top).resolve() != source:  # installed inside someone else's repository
            return None
        head = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
        changed = subprocess.run(
            ["git", "-C", str(source), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+changes" if changed else head or None


def sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def inputs(config: Any) -> dict[str, str]:
    """The SHA-256 of each input file a run read (a network of one's own)."""
    net = config.network
    if net.preset != "file":
        return {}
    hashes: dict[str, str] = {}
    for path in (net.providers_file, net.links_file):
        try:
            hashes[str(path)] = sha256(path)
        except OSError as exc:  # read for the run, gone since: say so, keep the result
            hashes[str(path)] = f"unreadable: {exc.strerror}"
    return hashes


def provenance(config: Any) -> dict[str, Any]:
    return {**software(), "inputs": inputs(config)}
