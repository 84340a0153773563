"""``collabsim collect <dir>``: one DuckDB database of every finished run under a directory.

Each finished job directory (one with ``summary.json``, which is written last) holds
``runs.parquet`` (one row per replication: every parameter as a column, then every
summary measure), ``series.parquet`` (one row per replication and step) and the
per-provider, per-region, per-quarter and per-link tables. Collect builds
``results.duckdb`` next to them with the tables ``runs``, ``series``, ``providers``,
``regions``, ``quarters``, ``links`` and ``failures`` (jobs that stopped with an error,
from their ``error.json``), and the view ``runs_plain``: ``runs`` with every column named
for use without quotes (``trust__initial`` for ``trust.initial``). It is
idempotent: the database is rebuilt in a temporary file and moved into place, so
running it again (after a resumed sweep, say) gives the same tables with the new runs.

    collabsim collect outputs/sweeps/2026-11-22_10-00-00
    duckdb <dir>/results.duckdb "select policy, avg(mean_wait_days) from runs group by 1"
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collabsim.errors import CollabsimError, OutputError, os_error_text

DATABASE = "results.duckdb"


class ResultsError(CollabsimError):
    """A results directory that cannot be read or holds no finished runs."""


@dataclass(frozen=True)
class Finished:
    """The job directories under a results directory: finished ones and failed ones."""

    root: Path
    runs: list[Path]  # directories with summary.json and runs.parquet
    failed: list[Path]  # directories with error.json and no summary.json


def find_runs(directory: str | Path) -> Finished:
    """Finished and failed job directories under ``directory`` (itself included)."""
    root = Path(directory)
    if not root.exists():
        raise ResultsError(f"{root}: no such directory")
    if not root.is_dir():
        raise ResultsError(f"{root}: not a directory")
    if not os.access(root, os.R_OK | os.X_OK):
        raise ResultsError(f"{root}: cannot be read (permission denied)")
    runs, failed = [], []
    for dirpath, _dirs, files in os.walk(root):
        here = Path(dirpath)
        if "summary.json" in files and "runs.parquet" in files:
            runs.append(here)
        elif "error.json" in files:
            failed.append(here)
    return Finished(root, sorted(runs), sorted(failed))


def failure_rows(failed: list[Path], root: Path) -> list[dict[str, str]]:
    rows = []
    for d in failed:
        try:
            info = json.loads((d / "error.json").read_text())
        except (OSError, ValueError):
            info = {"error": "error.json unreadable"}
        rows.append({"run_dir": str(d.relative_to(root)), "error": str(info.get("error", ""))})
    return rows


# the tables a run writes beside runs.parquet (collabsim.results.write_job), one each here
TABLES = ("series", "providers", "regions", "quarters", "links")


def plain_name(column: str) -> str:
    """A column name a query can use without quotes: ``trust.initial`` -> ``trust__initial``
    (dots as double underscores, as ``CollabModel``'s keyword settings write them)."""
    return "".join(c if c.isalnum() or c == "_" else "_" for c in column.replace(".", "__"))


def plain_view(con: Any, table: str, view: str) -> str:
    """``CREATE VIEW view`` of ``table`` with every column named plainly."""
    columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
    quoted = ", ".join('"' + c.replace('"', '""') + f'" AS {plain_name(c)}' for c in columns)
    return f"CREATE VIEW {view} AS SELECT {quoted} FROM {table}"  # noqa: S608 - our names


def _remove(database: Path) -> None:
    """A half-written database and its write-ahead log."""
    database.unlink(missing_ok=True)
    database.with_name(f"{database.name}.wal").unlink(missing_ok=True)


def collect(directory: str | Path) -> dict[str, int | str]:
    """Build ``results.duckdb`` under ``directory``; returns the table sizes and its path."""
    import duckdb
    import pandas as pd

    found = find_runs(directory)
    if not found.runs:
        extra = f" ({len(found.failed)} failed)" if found.failed else ""
        raise ResultsError(f"{found.root}: no finished runs to collect{extra}")
    root = found.root
    target = root / DATABASE
    tmp = root / f".{DATABASE}.tmp"
    tmp.unlink(missing_ok=True)
    runs = [str(d / "runs.parquet") for d in found.runs]
    # every table each finished run wrote (a list, not a file pattern: a pattern would
    # also read the runs a killed sweep left without summary.json)
    tables = {
        name: [str(d / f"{name}.parquet") for d in found.runs if (d / f"{name}.parquet").exists()]
        for name in TABLES
    }
    failures = pd.DataFrame(failure_rows(found.failed, root), columns=["run_dir", "error"])
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(
                "CREATE TABLE runs AS SELECT * FROM read_parquet(?, union_by_name = true)",
                [runs],
            )
            con.execute(plain_view(con, "runs", "runs_plain"))
            for name, files in tables.items():
                if files:
                    con.execute(
                        f"CREATE TABLE {name} AS "  # noqa: S608 - a name from TABLES
                        "SELECT * FROM read_parquet(?, union_by_name = true)",
                        [files],
                    )
                else:  # written without series (output.series=false): an empty table
                    con.execute(f"CREATE TABLE {name} (job VARCHAR)")
            con.register("failures_frame", failures)
            con.execute("CREATE TABLE failures AS SELECT * FROM failures_frame")
            counts = {
                t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                for t in ("runs", *TABLES, "failures")
            }
        finally:
            con.close()
        os.replace(tmp, target)
    except (OSError, duckdb.Error) as exc:  # a full disk, say: one line, nothing left
        _remove(tmp)
        reason = os_error_text(exc) if isinstance(exc, OSError) else str(exc).splitlines()[0]
        raise OutputError(f"{target} not written: {reason}") from None
    except BaseException:
        _remove(tmp)
        raise
    return {**counts, "jobs": len(found.runs), "database": str(target)}
