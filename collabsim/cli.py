"""The ``collabsim`` command: a Hydra app that runs one experiment and writes a run directory.

    collabsim                                  # the default experiment (small network)
    collabsim network=england sim.days=730     # any setting, Hydra-style
    collabsim -m policy=none seed=1,2,3        # a sweep (Hydra multirun)

A mistake in the user's input (unknown setting, value out of range, bad network
file) is reported as one line on stderr with exit status 2, never a traceback.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from collabsim.errors import CollabsimError
from collabsim.settings import config_dir, load_config, register_base, to_config

USER_ERROR = 2


def fail(message: str) -> None:
    print(f"collabsim: error: {message}", file=sys.stderr)
    raise SystemExit(USER_ERROR)


def format_summary(summary: dict[str, Any], extra: tuple[tuple[str, str], ...] = ()) -> str:
    """A short table of the headline measures, in words a planner reads."""

    def num(key: str, fmt: str = "{:,.0f}") -> str:
        value = summary.get(key)
        return "n/a" if value is None or value != value else fmt.format(value)

    rows = [
        (
            "network / policy / scenario / seed",
            f"{summary['network']} / {summary['policy']} / {summary['scenario']} / "
            f"{summary['seed']}",
        ),
        ("providers, links", f"{summary['providers']}, {summary['links']}"),
        ("simulated", f"{summary['steps']} steps of {summary['step_days']:g} day(s)"),
        ("patients arrived", num("arrivals")),
        (
            "admitted / still waiting / lost",
            f"{num('admissions')} / {num('waiting_end')} / {num('lost')}",
        ),
        ("mean wait for a bed", num("mean_wait_days", "{:.3f} days")),
        ("95th percentile wait", num("p95_wait_days", "{:.2f} days")),
        ("waited past the target", num("breach_share", "{:.1%}")),
        ("bed occupancy", num("mean_occupancy", "{:.1%}")),
        ("delayed discharges (mean per day)", num("mean_delayed", "{:,.1f}")),
        ("patients harmed by long waits", num("harm_events")),
        ("patients transferred between providers", num("transfers")),
        ("staffed beds lent (bed-days)", f"{num('loans')} ({num('loan_bed_days')})"),
        ("cost of arranging mutual aid", "GBP " + num("aid_cost")),
        (
            "trust between partners (mean, spread)",
            f"{num('mean_trust', '{:.2f}')}, {num('trust_sd', '{:.2f}')}",
        ),
        ("unequal waits between regions (Gini)", num("wait_gini_regions", "{:.2f}")),
        ("days to recover after the shock", num("recovery_days", "{:.0f}")),
    ]
    rows.extend(extra)
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"  {label:<{width}}  {value}" for label, value in rows)


def run_job(cfg: Any) -> dict[str, Any]:
    """Hydra task: validate, simulate, write the run directory, print the summary."""
    from hydra.core.hydra_config import HydraConfig

    from collabsim.model import CollabModel
    from collabsim.results import write_run

    try:
        config = to_config(cfg)
        run_dir = Path(HydraConfig.get().runtime.output_dir)
        started = time.perf_counter()
        model = CollabModel(config)
        model.run()
        elapsed = time.perf_counter() - started
        paths = write_run(model, run_dir)
    except CollabsimError as exc:
        fail(str(exc))
    summary = model.summary
    print(format_summary(summary, (("run time (build and run)", f"{elapsed:.2f} s"),)))
    print(f"outputs: {run_dir}")
    for name, path in paths.items():
        print(f"  {name:<10} {path.name}")
    return summary


def _hydra_main(argv: list[str]) -> None:
    import hydra

    register_base()
    sys.argv = [sys.argv[0], *argv]
    app = hydra.main(config_path=str(config_dir()), config_name="config", version_base="1.3")(
        run_job
    )
    app()


def _plain_overrides(argv: list[str]) -> list[str] | None:
    """The overrides of a single run, or None when Hydra should handle the arguments."""
    if any(a.startswith("-") for a in argv):
        return None  # --help, --cfg, -m ... are Hydra's
    return [a for a in argv if not a.startswith(("hydra.", "hydra/", "+hydra"))]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``collabsim`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    overrides = _plain_overrides(argv)
    if overrides is not None:
        try:  # validate first, so a mistake is one line and nothing is written
            config = load_config(overrides)
            if config.network.preset == "file":
                from collabsim.network import load_files

                load_files(config.network.providers_file, config.network.links_file)
        except CollabsimError as exc:
            fail(str(exc))
    _hydra_main(argv)


if __name__ == "__main__":
    main()
