"""Sweeps (and single runs): check every point first, count the jobs, show progress,
list failures.

``check_points`` validates every value of a sweep before Hydra starts. ``RunCheck`` is
a Hydra callback (``hydra.callbacks.check`` in configs/config.yaml) that checks a
single run's settings as Hydra composes them, before Hydra makes the run's directory,
so a mistake is one line, exit status 2 and nothing written; the job then uses the
config it checked, so a run's config is composed and validated once.

``SweepWatch`` is a Hydra callback (``hydra.callbacks.sweep``) that runs in the process
that launched the sweep, whatever the launcher: it counts the jobs from the sweep's
overrides, shows a progress bar (on a terminal) fed by the ``summary.json`` and
``error.json`` files appearing in the sweep directory, and at the end lists the jobs
that failed, with their error. A failed or killed job leaves no ``summary.json``, so
running the same command with the same sweep directory (``hydra.sweep.dir=...``) runs
only the jobs that are missing. It also holds a lock on the sweep directory for the
sweep's life (``lock_sweep``), so two sweeps started into one directory cannot mix
their points: the second is refused in one line.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

from collabsim.errors import CollabsimError, ConfigError, OutputError, os_error_text

# The job override naming a batch's points file: written by the sweeper
# (hydra_plugins/collabsim_sweeper), read by the job (collabsim.cli.run_points).
BATCH_KEY = "collabsim_points"
# What the last sweep in this process left (failed points, points that left no file):
# read by the command line for its exit status.
LAST: dict[str, Any] = {"failed": [], "missing": 0}
# The single run's config as RunCheck checked it ("data": plain settings, "config": the
# validated Config), for the job (collabsim.cli.run_job) to use rather than build again.
CHECKED: dict[str, Any] = {}


def sweep_overrides(overrides: Sequence[str], sweeper_params: dict[str, Any] | None) -> list:
    """The parsed overrides of a sweep: the command line's and ``hydra.sweeper.params``'."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    lines = list(overrides)
    given = {line.split("=", 1)[0].lstrip("+~") for line in lines}
    for key, value in (sweeper_params or {}).items():
        if key not in given:  # the command line wins over the experiment's sweep
            lines.append(f"{key}={value}")
    return OverridesParser.create().parse_overrides(lines)


POINTS_FILE = "hydra.sweeper.points_file"  # a sweep's points from a file, one row each


def points_file_of(argv: Sequence[str]) -> str:
    """The points file a command line names (``hydra.sweeper.points_file=design.csv``)."""
    for arg in argv:
        if arg.startswith(POINTS_FILE + "="):
            return arg.split("=", 1)[1].strip("'\"")
    return ""


def read_points(path: str | Path) -> tuple[list[str], list[list[str]]]:
    """A design's settings (its columns) and each row as overrides (``trust.initial=0.4``),
    from CSV (values as written) or Parquet. A Latin hypercube, Morris or Sobol design
    (SALib's samples, say) is a table like that: one setting per column."""
    import pandas as pd

    where = Path(path)
    try:
        if where.suffix.lower() == ".csv":
            table = pd.read_csv(where, dtype=str, keep_default_na=False)
        elif where.suffix.lower() == ".parquet":
            table = pd.read_parquet(where)
        else:
            raise ConfigError(f"{POINTS_FILE}: {path} is not a .csv or .parquet file")
    except OSError as exc:
        raise ConfigError(f"{POINTS_FILE}: {os_error_text(exc)}") from None
    except ValueError as exc:  # pandas' and pyarrow's parse errors
        raise ConfigError(f"{POINTS_FILE}: {path}: {str(exc).splitlines()[0]}") from None
    columns = [str(c).strip() for c in table.columns]
    if not columns or table.empty:
        raise ConfigError(f"{POINTS_FILE}: {path} has no points (a header, then a row each)")
    if len(set(columns)) != len(columns):
        raise ConfigError(f"{POINTS_FILE}: {path} names a setting twice")
    rows = []
    for number, values in enumerate(table.itertuples(index=False), start=1):
        row = []
        for column, value in zip(columns, values, strict=True):
            text = value_text(value)
            if text == "":
                raise ConfigError(f"{POINTS_FILE}: {path} point {number}: no value for {column}")
            row.append(f"{column}={text}")
        rows.append(row)
    return columns, rows


def value_text(value: Any) -> str:
    """A value as override text (strings with Hydra's special characters quoted)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and math.isnan(value):
        return ""
    text = str(value).strip()
    if any(c in text for c in " ,'\"=[]{}()"):
        text = quoted(text)
    return text


def quoted(text: str) -> str:
    """``text`` as a quoted Hydra override value. Hydra reads a backslash as an escape only
    before a quote (or before another such backslash), so only those are escaped: a Windows
    path keeps its single backslashes."""
    body = re.sub(r"(\\*)'", lambda m: m.group(1) * 2 + "\\'", text)
    trailing = len(body) - len(body.rstrip("\\"))
    return "'" + body + "\\" * trailing + "'"


def count_jobs(overrides: Sequence[str], sweeper_params: dict[str, Any] | None = None) -> int:
    """How many jobs the basic sweeper makes of these overrides (product of sweep sizes)."""
    total = 1
    for o in sweep_overrides(overrides, sweeper_params):
        if o.is_sweep_override():
            total *= len(list(o.sweep_string_iterator()))
    return total


def sweep_points(overrides: Sequence[str], sweeper_params: dict[str, Any] | None = None):
    """(fixed overrides, [(key, [values as override text], [values as parsed])]) of a sweep."""
    fixed, swept = [], []
    for o in sweep_overrides(overrides, sweeper_params):
        if o.is_sweep_override():
            swept.append((o.get_key_element(), list(o.sweep_string_iterator()),
                          list(o.sweep_iterator())))  # fmt: skip
        else:
            fixed.append(o.input_line)
    return fixed, swept


def check_config(data: dict[str, Any], files: dict[tuple[str, str], Any] | None = None) -> Any:
    """A point's settings checked as its job will use them: validated (``from_dict``),
    its network files read (once per pair of files, kept in ``files``) and the memory it
    needs estimated. Returns the validated Config; raises CollabsimError (one line)."""
    from collabsim.budget import check_memory
    from collabsim.config import from_dict
    from collabsim.network import load_files

    config = from_dict(data)
    graph = None
    if config.network.preset == "file":
        pair = (config.network.providers_file, config.network.links_file)
        cache = {} if files is None else files
        if pair not in cache:
            cache[pair] = load_files(*pair)
        graph = cache[pair]
    check_memory(config, graph)
    return config


def check_points(overrides: Sequence[str], sweeper_params: dict[str, Any] | None = None) -> int:
    """Validate a sweep before it starts: the first point (the fixed overrides and every
    swept setting's first value), then every other value of every swept setting, each with
    the other settings at their first values (the checks that compare two settings see the
    others' first values); network files and the memory a point needs too. Config groups
    (``policy=a,b``) are composed once per option; plain settings (``aid.cost``, ``seed``)
    are checked on the composed config directly, so a sweep of a thousand values takes
    about a second. Raises ConfigError naming the bad value; returns the number of jobs."""
    import copy

    from collabsim.config import set_setting
    from collabsim.settings import compose, config_dir, refuse_resolvers

    groups = {p.name for p in config_dir().iterdir() if p.is_dir()} | {"hydra"}
    fixed, swept = sweep_points(overrides, sweeper_params)
    for key, texts, values in swept:  # the first values are checked in the composed config
        for text, value in zip(texts, values, strict=True):
            try:
                refuse_resolvers(value, key.lstrip("+~"))
            except ConfigError as exc:  # the value as given, not escaped as an override
                shown = value if isinstance(value, str) else text
                raise ConfigError(f"sweep value {key}={shown}: {exc}") from None
    first = [f"{key}={texts[0]}" for key, texts, _ in swept if texts]
    files: dict[tuple[str, str], Any] = {}
    try:
        data = task_data(compose([*fixed, *first]))
        check_config(data, files)
    except CollabsimError as exc:
        raise ConfigError(_blame_first(str(exc), swept)) from None
    for i, (key, texts, values) in enumerate(swept):
        others = first[:i] + first[i + 1 :]
        for text, value in list(zip(texts, values, strict=True))[1:]:
            try:
                if key.lstrip("+~").split(".")[0] in groups:  # a config group: compose it
                    check_config(task_data(compose([*fixed, *others, f"{key}={text}"])), files)
                    continue
                trial = copy.deepcopy(data)
                set_setting(trial, key.lstrip("+~"), value)
                check_config(trial, files)
            except CollabsimError as exc:
                raise ConfigError(f"sweep value {key}={text}: {exc}") from None
    return math.prod(len(texts) for _, texts, _ in swept) if swept else 1


def check_point_rows(fixed: Sequence[str], rows: list[list[str]]) -> int:
    """Validate every row of a points file as the point it is (each row's own values
    together, as its job will see them): config groups composed once per combination of
    options, plain settings set on the composed config. Raises ConfigError naming the row;
    returns the number of points."""
    import copy

    from hydra.core.override_parser.overrides_parser import OverridesParser

    from collabsim.config import set_setting
    from collabsim.settings import compose, config_dir, refuse_resolvers

    groups = {p.name for p in config_dir().iterdir() if p.is_dir()} | {"hydra"}
    parser = OverridesParser.create()
    composed: dict[tuple[str, ...], dict[str, Any]] = {}
    files: dict[tuple[str, str], Any] = {}
    for number, row in enumerate(rows, start=1):
        try:
            chosen = tuple(o for o in row if o.split("=", 1)[0].split(".")[0] in groups)
            if chosen not in composed:
                composed[chosen] = task_data(compose([*fixed, *chosen]))
            trial = copy.deepcopy(composed[chosen])
            for o in parser.parse_overrides([o for o in row if o not in chosen]):
                key, value = o.get_key_element().lstrip("+~"), o.value()
                refuse_resolvers(value, key)
                set_setting(trial, key, value)
            check_config(trial, files)
        except CollabsimError as exc:
            raise ConfigError(f"{POINTS_FILE} point {number} ({', '.join(row)}): {exc}") from None
    return len(rows)


def _blame_first(message: str, swept: list) -> str:
    """The first point's error, naming the swept value when it is the one at fault (the
    error names its setting, or the file it names)."""
    for key, texts, _ in swept:
        if texts and message.startswith((f"{key.lstrip('+~')}: ", f"{texts[0]} line ")):
            return f"sweep value {key}={texts[0]}: {message}"
    return message


def failures(sweep_dir: Path) -> list[tuple[str, str]]:
    """(job directory, error) of every job under ``sweep_dir`` that failed."""
    out = []
    for path in sorted(sweep_dir.rglob("error.json")):
        if (path.parent / "summary.json").exists():
            continue
        try:
            error = json.loads(path.read_text()).get("error", "")
        except (OSError, ValueError):
            error = "(error.json unreadable)"
        out.append((str(path.parent), error))
    return out


def task_data(config: Any) -> dict[str, Any]:
    """A composed config's settings as plain data, without Hydra's own node (as the job
    sees them). Raises ConfigError (one line) for an interpolation that calls a resolver
    (``${oc.env:...}``: refused) or does not resolve."""
    from omegaconf import OmegaConf, open_dict, read_write
    from omegaconf.errors import OmegaConfBaseException

    from collabsim.settings import one_line, refuse_resolvers

    refuse_resolvers(config)
    if "hydra" in config:
        config = config.copy()
        with read_write(config), open_dict(config):
            del config["hydra"]
    try:
        data = OmegaConf.to_container(config, resolve=True)
    except OmegaConfBaseException as exc:
        raise ConfigError(one_line(str(exc))) from None
    assert isinstance(data, dict)
    return data


class RunCheck(Callback):
    """A single run's settings (and its network files and the memory it needs) checked
    before Hydra makes the run's directory; the checked config is kept for the job in
    ``CHECKED``."""

    def on_run_start(self, config: Any, **kwargs: Any) -> None:
        from collabsim.cli import fail

        CHECKED.clear()
        try:
            data = task_data(config)
            checked = check_config(data)
        except CollabsimError as exc:
            fail(str(exc))  # SystemExit: Hydra only warns of a callback's exceptions
        CHECKED.update(data=data, config=checked)


LOCK = ".collabsim.lock"


def lock_sweep(sweep_dir: Path) -> int | None:
    """An exclusive lock on a sweep directory, held while the returned file descriptor is
    open; the operating system releases it when the process ends, however it ends (a
    killed sweep does not block the next). A sweep directory already locked by another
    sweep is refused in one line, before anything is written to it."""
    try:
        import fcntl
    except ImportError:  # not on a POSIX system: no lock
        return None
    sweep_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(sweep_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.read(fd, 20).decode(errors="replace").strip()
        os.close(fd)
        by = f" (process {holder})" if holder.isdigit() else ""
        raise CollabsimError(
            f"{sweep_dir} is in use by another sweep{by}; wait for it to end, or give this one "
            "another hydra.sweep.dir"
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


class SweepWatch(Callback):
    """Progress of a sweep from the files its jobs write; failures listed at the end."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock: int | None = None

    def __getstate__(self) -> dict[str, Any]:
        # launchers (joblib, Ray, submitit) pickle the callbacks into every job: the
        # watcher thread stays in the launching process
        return {k: v for k, v in self.__dict__.items() if k not in ("_stop", "_thread", "_lock")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._stop = threading.Event()
        self._thread = None
        self._lock = None

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        from omegaconf import OmegaConf

        from collabsim.cli import fail

        self.sweep_dir = Path(config.hydra.sweep.dir)
        try:
            self._lock = lock_sweep(self.sweep_dir)
        except CollabsimError as exc:
            fail(str(exc))  # SystemExit: Hydra only warns of a callback's exceptions
        except OSError as exc:  # the directory cannot be made (a full disk, no permission)
            fail(os_error_text(exc), OutputError.status)
        params = config.hydra.sweeper.get("params")
        params = OmegaConf.to_container(params, resolve=False) if params is not None else {}
        try:
            points_file = config.hydra.sweeper.get("points_file")
            if points_file:
                self.total = len(read_points(points_file)[1])
            else:
                self.total = count_jobs(list(config.hydra.overrides.task), params)
        except Exception:  # noqa: BLE001 - a launcher we cannot count for: no bar
            self.total = 0
        LAST.update(failed=[], missing=0)
        if sys.stderr.isatty() and self.total:
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()

    def _done(self) -> int:
        if not self.sweep_dir.exists():
            return 0
        return sum(1 for _ in self.sweep_dir.rglob("summary.json")) + len(failures(self.sweep_dir))

    def _watch(self) -> None:
        from tqdm import tqdm

        with tqdm(total=self.total, desc="sweep", unit="job", file=sys.stderr) as bar:
            while not self._stop.wait(0.5):
                bar.n = min(self._done(), self.total)
                bar.refresh()
            bar.n = min(self._done(), self.total)
            bar.refresh()

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        failed = failures(self.sweep_dir)
        finished = sum(1 for _ in self.sweep_dir.rglob("summary.json"))
        # points that left neither file (their error.json could not be written either)
        missing = max(0, self.total - finished - len(failed)) if self.total else 0
        LAST.update(failed=failed, missing=missing)
        if failed or missing:
            print(f"collabsim: {len(failed) + missing} of {self.total or '?'} runs failed:",
                  file=sys.stderr)  # fmt: skip
            for where, error in failed:
                print(f"  {where}: {error}", file=sys.stderr)
            if missing:
                print(f"  {missing} left no summary.json or error.json (their errors are "
                      "above; a full disk?)", file=sys.stderr)  # fmt: skip
            print(
                f"collabsim: run the same command with hydra.sweep.dir={self.sweep_dir} "
                "to retry them (finished runs are kept)",
                file=sys.stderr,
            )
        if self._lock is not None:
            os.close(self._lock)  # the sweep directory is free for the next sweep
            self._lock = None
