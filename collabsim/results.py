"""Job artefacts on disk: runs, series, providers, regions, quarters and links as
Parquet, a figure, then summary.json (or error.json when the job failed).

``quarters.parquet`` holds, per replication, one row per financial quarter (or part
of one) for all acute providers together (``scope`` "national") and one per provider
and quarter (``scope`` "provider"): see ``collabsim.core.metrics.quarter_columns``.

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
from collabsim.job import JobResult
from collabsim.provenance import provenance

SUMMARY = "summary.json"
ERROR = "error.json"


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


def write_parquet(frame: Any, path: Path) -> None:
    """A DataFrame as Parquet through Arrow directly (pandas' own path costs 2-3 times as
    much per file, which mattered at thousands of jobs)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {}
    for name in frame.columns:
        values = frame[name].to_numpy()
        if values.dtype == object:  # text, or text mixed with missing values
            values = pa.array(values.tolist(), from_pandas=True)
        columns[str(name)] = values
    pq.write_table(pa.table(columns), path)


def _records_table(records: list[dict[str, Any]]) -> Any:
    import pyarrow as pa

    return pa.Table.from_pylist(records)


def _write_table(table: Any, path: Path) -> None:
    import pyarrow.parquet as pq

    pq.write_table(table, path)


def _json_document(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_document(v) for k, v in value.items()}
    return _json_safe(value)


def config_document(config: Any) -> dict[str, Any]:
    """The flattened config as stored in summary.json (compared when resuming a sweep)."""
    return json.loads(json.dumps(flatten(to_dict(config)), default=str))


def finished(run_dir: Path, config: Any) -> dict[str, Any] | None:
    """The stored summary if ``run_dir`` already holds this exact run, finished, by this
    version of collabsim; None otherwise (then the run is done again)."""
    from collabsim import __version__

    try:
        document = json.loads((run_dir / SUMMARY).read_text())
    except (OSError, ValueError):
        return None
    same = document.get("config") == config_document(config)
    return document if same and document.get("version") == __version__ else None


def write_error(run_dir: Path, error: BaseException, config: Any | None) -> Path:
    """Record why a job failed (``error.json``), so a sweep can list and retry it."""
    import traceback

    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / SUMMARY).unlink(missing_ok=True)
    path = run_dir / ERROR
    document = {
        "error": " ".join(str(error).split()) or type(error).__name__,
        "type": type(error).__name__,
        "traceback": "".join(traceback.format_exception(error)),
        "config": config_document(config) if config is not None else None,
    }
    _atomic_write(path, lambda p: p.write_text(json.dumps(document, indent=2, default=str)))
    return path


def write_job(result: JobResult, run_dir: Path) -> dict[str, Path]:
    """Write every artefact of a finished job into ``run_dir``; summary.json last."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / SUMMARY).unlink(missing_ok=True)  # a rerun is incomplete until it finishes
    cfg = result.model.config
    out: dict[str, Path] = {"runs": run_dir / "runs.parquet"}
    if result.records:  # straight from the row dicts: a wide table, 2-3 times faster so
        runs = _records_table(result.records)
        _atomic_write(out["runs"], lambda p: _write_table(runs, p))
    else:
        _atomic_write(out["runs"], lambda p: write_parquet(result.rows, p))
    if cfg.output.series:
        for name in ("series", "providers", "regions", "quarters", "links"):
            out[name] = run_dir / f"{name}.parquet"
            frame = getattr(result, name)
            _atomic_write(out[name], lambda p, f=frame: write_parquet(f, p))
    if cfg.output.figures:
        from collabsim.plots import waits_and_occupancy  # matplotlib only when drawing

        out["figure"] = run_dir / "waits_occupancy.png"
        reps = result.summary["replications"]
        title = (
            f"{cfg.network.preset} network, policy {cfg.policy.name}, scenario {cfg.scenario}, "
            + (f"seed {cfg.seed}" if reps == 1 else f"mean of {reps} replications")
        )
        mean_series = (
            result.series.drop(columns=["job", "replication", "seed"])
            .groupby("step", as_index=False)
            .mean()
        )
        _atomic_write(
            out["figure"],
            lambda p: waits_and_occupancy(mean_series, cfg.sim.warmup_days, title, p),
        )
    (run_dir / ERROR).unlink(missing_ok=True)
    document = {
        **_json_document(result.summary),
        "config": config_document(cfg),
        "provenance": provenance(cfg),
    }
    out["summary"] = run_dir / SUMMARY
    _atomic_write(
        out["summary"], lambda p: p.write_text(json.dumps(document, indent=2, default=str))
    )
    return out
