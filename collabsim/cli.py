"""The ``collabsim`` command: a Hydra app that runs one experiment and writes a run directory.

    collabsim                                  # the default experiment (small network)
    collabsim network=england sim.days=730     # any setting, Hydra-style
    collabsim -m policy=none seed=1,2,3        # a sweep (Hydra multirun)
    collabsim check | settings | dashboard ...   # the other commands (COMMANDS_HELP)

A mistake in the user's input (unknown setting, value out of range, bad network
file, a run too big for the machine) is reported as one line on stderr with exit status
2, never a traceback; results that cannot be written (a full disk) as one line with exit
status 1.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from collabsim.errors import CollabsimError, ConfigError, OutputError, os_error_text
from collabsim.settings import config_dir, one_line, register_base

USER_ERROR = 2


def fail(message: str, status: int = USER_ERROR) -> None:
    """One line on stderr, then exit: status 2 for a mistake in the input, 1 for results
    that could not be written."""
    print(f"collabsim: error: {message}", file=sys.stderr)
    raise SystemExit(status)


def format_summary(summary: dict[str, Any], extra: tuple[tuple[str, str], ...] = ()) -> str:
    """A short table of the run and of the measures marked for it in
    ``collabsim.core.metrics.MEASURES``, in words a planner reads."""
    from collabsim.core.metrics import MEASURES, Line

    rows = [
        (
            "network / policy / scenario / seed",
            f"{summary['network']} / {summary['policy']} / {summary['scenario']} / "
            f"{seeds_text(summary)}",
        ),
        ("providers, links", f"{summary['providers']}, {summary['links']}"),
        ("simulated", f"{summary['steps']:.0f} steps of {summary['step_days']:g} day(s)"),
    ]
    texts = {m.name: m.text(summary.get(m.name)) for m in MEASURES}
    for m in MEASURES:
        if isinstance(m.cli, Line):
            rows.append((m.cli.label, m.cli.text.format(**texts)))
        elif m.cli:
            rows.append((m.label, texts[m.name]))
    rows.extend(extra)
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"  {label:<{width}}  {value}" for label, value in rows)


def seeds_text(summary: dict[str, Any]) -> str:
    first, n = summary["seed"], summary.get("replications", 1)
    return f"{first}" if n == 1 else f"{first}..{first + n - 1} ({n} replications)"


def print_job(summary: dict[str, Any], run_dir: Path, paths: dict[str, Path], elapsed: float,
              multirun: bool) -> None:  # fmt: skip
    """A single run prints its summary table; a job of a sweep prints one line."""
    if multirun:
        wait = summary.get("ci95", {}).get("mean_wait_days", {})
        half = (wait.get("high", float("nan")) - wait.get("low", float("nan"))) / 2
        interval = f" +/- {half:.4f}" if half == half else ""
        print(f"  {run_dir.name}: mean wait {summary['mean_wait_days']:.4f}{interval} days, "
              f"{summary['replications']} run(s), {elapsed:.1f} s")  # fmt: skip
        return
    print(format_summary(summary, (("run time (build and run)", f"{elapsed:.2f} s"),)))
    print(f"outputs: {run_dir}")
    for name, path in paths.items():
        print(f"  {name:<10} {path.name}")


def run_point(
    make_config: Any, run_dir: Path, job: str, multirun: bool, overrides: list[str]
) -> dict[str, Any] | None:
    """One parameter point: its replications, its directory, its report line.

    In a sweep a failing point records ``error.json`` (if it can: on a full disk it says
    so on stderr) and the sweep goes on; a point whose directory already holds this exact
    run, finished, is kept (resuming). A single run's mistake, or results it cannot write,
    are one line."""
    from collabsim.job import run_replications
    from collabsim.results import finished, write_error, write_job

    config = None
    try:
        config = make_config()
        done = finished(run_dir, config)
        if done is not None:
            print(f"  {job}: already finished, kept")
            return done
        started = time.perf_counter()
        result = run_replications(config, config.replications, job=job,
                                  progress=False if multirun else None)  # fmt: skip
        elapsed = time.perf_counter() - started
        result.summary["overrides"] = overrides
        try:
            paths = write_job(result, run_dir)
        except OSError as exc:  # a full disk, say (summary.json, written last, is not there)
            raise OutputError(f"results not written to {run_dir}: {os_error_text(exc)}") from None
    except Exception as exc:
        if not multirun:
            if isinstance(exc, CollabsimError):
                fail(str(exc), exc.status)
            raise  # a bug, not the user's mistake: show the traceback
        text = " ".join(str(exc).split())
        try:
            write_error(run_dir, exc, config)
        except OSError as error:  # the disk is full: say so here, and go on
            text += f" (error.json not written either: {os_error_text(error)})"
        print(f"collabsim: run {job} failed: {text}", file=sys.stderr)
        return None
    print_job(result.summary, run_dir, paths, elapsed, multirun)
    return result.summary


def run_points(cfg: Any, sweep_dir: Path, overrides: list[str]) -> list[dict[str, Any] | None]:
    """A batch of points of a big sweep (hydra_plugins/collabsim_sweeper): the job's config
    with each point's own settings applied in turn, one directory per point."""
    import copy

    from hydra.core.override_parser.overrides_parser import OverridesParser
    from omegaconf import OmegaConf

    from collabsim.config import from_dict, set_setting
    from collabsim.sweep import BATCH_KEY

    manifest = json.loads((sweep_dir / ".points" / cfg[BATCH_KEY]).read_text())
    base = OmegaConf.to_container(cfg, resolve=True)
    for key in ("hydra", BATCH_KEY):
        base.pop(key, None)
    common = [o for o in overrides if not o.lstrip("+").startswith(BATCH_KEY)]
    parser = OverridesParser.create()
    out = []
    for point in manifest:
        data = copy.deepcopy(base)
        for o in parser.parse_overrides(point["overrides"]):
            set_setting(data, o.key_or_group.lstrip("+~"), o.value())
        number = str(point["number"])
        out.append(run_point(lambda d=data: from_dict(d), sweep_dir / number, number, True,
                             [*common, *point["overrides"]]))  # fmt: skip
    return out


def run_job(cfg: Any) -> Any:
    """Hydra task: one point (or, in a big sweep, a batch of points) run and written."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from collabsim.sweep import BATCH_KEY

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    overrides = list(hc.overrides.task)
    sweep_dir = Path(hc.sweep.dir).resolve()
    if multirun and BATCH_KEY in cfg:
        return run_points(cfg, sweep_dir, overrides)
    run_dir = Path(hc.runtime.output_dir)
    job = os.path.relpath(run_dir, sweep_dir) if multirun else run_dir.name
    return run_point(lambda: _config_of(cfg), run_dir, job, multirun, overrides)


def _config_of(cfg: Any) -> Any:
    """The job's validated Config: the one checked before the run started (RunCheck) if
    it was made from these very settings, else built now (a job of a sweep)."""
    from collabsim.config import from_dict
    from collabsim.sweep import CHECKED, task_data

    data = task_data(cfg)
    return CHECKED["config"] if CHECKED.get("data") == data else from_dict(data)


def _hydra_main(argv: list[str]) -> None:
    import hydra
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    register_base()
    sys.argv = [sys.argv[0], *argv]
    app = hydra.main(config_path=str(config_dir()), config_name="config", version_base="1.3")(
        run_job
    )
    # Hydra's errors (an unknown setting or option, found as it composes the config) are
    # raised here rather than printed by Hydra, to be shown as one line
    os.environ["HYDRA_FULL_ERROR"] = "1"
    try:
        app()
    except (HydraException, OmegaConfBaseException) as exc:
        fail(one_line(str(exc)))
    except OSError as exc:  # Hydra could not make a directory or write multirun.yaml
        fail(f"cannot write the outputs: {os_error_text(exc)}", OutputError.status)


HYDRA_FLAGS_THAT_RUN = ("-m", "--multirun")
# collabsim.commands.COMMANDS
SUBCOMMANDS = (
    "check", "collect", "report", "rerun", "sensitivity", "settings", "dashboard", "animate",
    "play",
)  # fmt: skip
# Printed before Hydra's own help by ``collabsim --help``.
COMMANDS_HELP = """\
usage: collabsim [OVERRIDE ...]          run one experiment (overrides: key=value, group=option)
       collabsim -m [OVERRIDE ...]       a sweep (Hydra multirun): one directory per job
       collabsim check [OVERRIDE ...]    each provider's load against its beds, before a run
       collabsim settings [PREFIX ...]   every setting: default, unit, range and meaning
       collabsim collect DIR             DuckDB database of every finished run
       collabsim report DIR              a self-contained HTML report of a sweep or run
       collabsim rerun DIR               a run again from its summary.json: the same numbers?
       collabsim sensitivity design|analyse   which settings matter (Morris, Sobol)
       collabsim dashboard               the training page: the trust dividend in a browser
       collabsim animate OUT             the page's network and plots as a GIF or MP4, for slides
       collabsim play                    a game the room plays: trainees run hospitals
       collabsim --version               collabsim's version
       collabsim COMMAND --help          a command's own options
"""


def _user_overrides(argv: list[str]) -> list[str]:
    return [a for a in argv if not a.startswith(("-", "hydra.", "hydra/", "+hydra"))]


def _check_sweep(overrides: list[str], points_file: str = "") -> None:
    """Validate every point of a sweep before any job runs (a points file's too: each
    column's every value, as a grid's are checked)."""
    from omegaconf import OmegaConf

    from collabsim.settings import compose
    from collabsim.sweep import (
        POINTS_FILE,
        check_point_rows,
        check_points,
        read_points,
        sweep_overrides,
    )

    parsed = sweep_overrides(overrides, None)
    fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    hydra_cfg = compose(fixed, with_hydra=True)  # unknown groups or keys, as one line
    params = hydra_cfg.hydra.sweeper.get("params")
    params = OmegaConf.to_container(params, resolve=False) if params is not None else {}
    if points_file:
        if any(o.is_sweep_override() for o in parsed) or params:
            raise ConfigError(
                f"{POINTS_FILE}: give the points in the file or as lists of values, not both"
            )
        columns, rows = read_points(points_file)
        given = {o.get_key_element().lstrip("+~") for o in parsed}
        if clash := sorted(given & set(columns)):
            raise ConfigError(f"{POINTS_FILE}: {clash[0]} is set both in the file and here")
        check_point_rows(fixed, rows)  # each row as the point it is
        return
    if check_points(overrides, params) == 0:
        raise CollabsimError("the sweep has no points (an empty list of values?)")


POINT_RUNS = (
    ("isolated: nobody shares", ["policy=none"]),
    ("sharing beds, partners trusting little (0.2)", ["policy=trust_gated", "trust.initial=0.2"]),
    ("sharing beds, partners trusting a lot (0.8)", ["policy=trust_gated", "trust.initial=0.8"]),
)


def show_the_point() -> None:
    """After the default run: the same system and patients through a winter, isolated and
    then collaborating at low and at high trust (three runs in this process, about a
    second each), in hours and 12-hour waits, and where to go next."""
    from collabsim.job import run_replications
    from collabsim.settings import load_config

    print("\nWhat collaboration changes in a winter: the same system, the same patients:")
    results = []
    for label, overrides in POINT_RUNS:
        config = load_config(["scenario=winter", *overrides])
        summary = run_replications(config, 1, progress=False).summary
        results.append(summary)
        print(f"  {label:<46} acute wait {summary['mean_wait_hours']:5.2f} h, "
              f"12-hour waits {summary['waits_12h_per_quarter']:6,.0f} a quarter")  # fmt: skip
    alone, low, high = results
    print(
        f"  sharing saved {alone['mean_wait_hours'] - low['mean_wait_hours']:.2f} h a patient "
        f"at low trust; high trust saved {low['mean_wait_hours'] - high['mean_wait_hours']:.2f}"
        f" h more and {low['waits_12h_per_quarter'] - high['waits_12h_per_quarter']:,.0f} "
        "12-hour waits a quarter: the trust dividend (one seed; intervals: "
        "collabsim -m experiment=trust_dividend)"
    )
    print("Next: collabsim dashboard (the dividend live, for a room); your own system: the "
          "README's 'Your own providers'")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``collabsim`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        from collabsim.commands import run_command

        try:
            run_command(argv[0], argv[1:])
        except CollabsimError as exc:
            fail(str(exc), exc.status)
        return
    if "--version" in argv:
        from collabsim import __version__

        print(f"collabsim {__version__}")
        return
    if "--help" in argv or "-h" in argv:  # Hydra's help follows: groups and every setting
        print(COMMANDS_HELP)
        sys.stdout.flush()
    multirun = any(a in HYDRA_FLAGS_THAT_RUN for a in argv)
    other_flags = [a for a in argv if a.startswith("-") and a not in HYDRA_FLAGS_THAT_RUN]
    # Check first, so a mistake is one line and nothing is written: every point of a
    # sweep here; a single run's config as Hydra composes it (collabsim.sweep.RunCheck).
    if multirun and not other_flags:  # --help, --cfg, --info ... are Hydra's own
        try:
            from collabsim.sweep import points_file_of

            _check_sweep(_user_overrides(argv), points_file_of(argv))
        except CollabsimError as exc:
            fail(str(exc))
    _hydra_main(argv)
    if not argv:  # the quick start's first run: show what the tool is for
        show_the_point()
    if multirun:
        from collabsim.sweep import LAST

        if LAST["failed"] or LAST["missing"]:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
