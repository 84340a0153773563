"""Run artefacts on disk: series and providers as Parquet, figures, then summary.json.

``summary.json`` is written last and atomically (temporary file + rename): a run
directory is complete exactly when it has one, so an interrupted run never leaves
a result that looks complete.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from collabsim.config import flatten, to_dict
from collabsim.model import CollabModel
from collabsim.plots import waits_and_occupancy

SUMMARY = "summary.json"


def _atomic_write(path: Path, write: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; results are for sharing
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_run(model: CollabModel, run_dir: Path) -> dict[str, Path]:
    """Write every artefact of a finished run into ``run_dir``; summary.json last."""
    run_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    (run_dir / SUMMARY).unlink(missing_ok=True)  # a rerun is incomplete until it finishes
    cfg = model.config
    series = model.series
    if cfg.output.series:
        out["series"] = run_dir / "series.parquet"
        _atomic_write(out["series"], lambda p: series.to_parquet(p, index=False))
        out["providers"] = run_dir / "providers.parquet"
        providers = model.providers_frame()
        _atomic_write(out["providers"], lambda p: providers.to_parquet(p, index=False))
        out["regions"] = run_dir / "regions.parquet"
        regions = model.regions_frame()
        _atomic_write(out["regions"], lambda p: regions.to_parquet(p, index=False))
    if cfg.output.figures:
        out["figure"] = run_dir / "waits_occupancy.png"
        title = (
            f"{cfg.network.preset} network, policy {cfg.policy.name}, "
            f"scenario {cfg.scenario}, seed {cfg.seed}"
        )
        _atomic_write(
            out["figure"], lambda p: waits_and_occupancy(series, cfg.sim.warmup_days, title, p)
        )
    summary = {k: _json_safe(v) for k, v in model.summary.items()}
    document = {**summary, "config": flatten(to_dict(cfg))}
    out["summary"] = run_dir / SUMMARY
    _atomic_write(
        out["summary"], lambda p: p.write_text(json.dumps(document, indent=2, default=str))
    )
    return out
