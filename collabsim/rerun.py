"""``collabsim rerun DIR``: run a finished run again from what its directory recorded, and
say whether the numbers are the same.

A run's ``summary.json`` keeps the full flattened config it ran (every setting, not only
the overrides, so a changed default cannot change the rerun) and its provenance (versions,
commit, input file hashes). The rerun builds the config from it, runs the same seeds into a
new directory (``DIR-rerun`` unless told), and compares every headline measure: the same
code and inputs give the same numbers to the last digit (a run is deterministic by seed);
a difference comes with what changed (the version, the commit, an input file).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from collabsim.errors import CollabsimError, ConfigError

COMPARED = ("arrivals", "admissions", "waits_12h")  # beside the headline measures


class RerunError(CollabsimError):
    """A directory that cannot be rerun (no finished run in it, or an output in the way)."""


def recorded(directory: Path) -> dict[str, Any]:
    try:
        return json.loads((directory / "summary.json").read_text())
    except OSError:
        raise RerunError(f"{directory}: no finished run here (no summary.json)") from None
    except ValueError:
        raise RerunError(f"{directory}/summary.json: not readable as JSON") from None


def config_of(document: dict[str, Any]) -> Any:
    """The Config a run recorded (its flattened settings, nested again)."""
    from collabsim.config import from_dict, retired, set_setting

    data: dict[str, Any] = {}
    for key, value in document.get("config", {}).items():
        if retired(key):
            made = document.get("version", "an older version")
            raise ConfigError(f"made by collabsim {made}, whose setting {retired(key)}")
        set_setting(data, key, value)
    return from_dict(data)


def rerun(directory: str | Path, out: str | Path | None = None) -> tuple[Path, list[str]]:
    """Run ``directory``'s run again into ``out``; returns ``out`` and the differences
    (empty: the same numbers)."""
    from collabsim.job import HEADLINE, run_replications
    from collabsim.provenance import provenance
    from collabsim.results import write_job

    source = Path(directory).resolve()  # "." has a name once resolved
    document = recorded(source)
    config = config_of(document)
    target = Path(out) if out else source.with_name(source.name + "-rerun")
    if (target / "summary.json").exists():
        raise RerunError(f"{target} already holds a finished run: choose another with --out")
    result = run_replications(config, config.replications, job=source.name)
    result.summary["overrides"] = document.get("overrides", [])
    write_job(result, target)
    differences = []
    for name in (*COMPARED, *HEADLINE):
        before, after = document.get(name), result.summary.get(name)
        if before is None and after is None:
            continue
        if not _same(before, after):
            differences.append(f"{name}: {before} then, {after} now")
    if differences:
        was, now = document.get("provenance", {}), provenance(config)
        for key in ("collabsim", "git_commit", "python"):
            if was.get(key) != now.get(key):
                differences.append(f"{key} was {was.get(key)}, is {now.get(key)}")
        for path, digest in was.get("inputs", {}).items():
            if now["inputs"].get(path) != digest:
                differences.append(f"input {path} has changed since")
    return target, differences


def _same(a: Any, b: Any) -> bool:
    """Equal, counting "no value" alike: NaN in a run is ``null`` in its summary.json."""

    def missing(v: Any) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v))

    return (missing(a) and missing(b)) or a == b
