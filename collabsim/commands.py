"""The commands that work on results rather than run simulations.

    collabsim collect <dir>                      # DuckDB database of every finished run
    collabsim report <dir> [--baseline policy=none] [--out report.html]
    collabsim rerun <dir> [--out DIR]            # the run again; are the numbers the same?
    collabsim sensitivity design|analyse ...     # Morris and Sobol (SALib) over a sweep

and the commands that look before a run:

    collabsim check [--columns] [OVERRIDE ...]   # each provider's load against its beds
    collabsim settings [PREFIX ...]              # every setting: default, unit, range, meaning

and the training page:

    collabsim dashboard [--host H] [--port P]    # the trust dividend live in a browser
    collabsim animate [--days N] ... OUT         # the same as a GIF or MP4, for slides
    collabsim play [--host H] [--port P]         # a game the room plays (facilitated)

Mistakes (a directory that is not there or holds no runs, an unknown option) are one
line on stderr with exit status 2; results that cannot be written (a full disk) one line
with exit status 1; nothing is overwritten.
"""

from __future__ import annotations

import argparse
import sys

from collabsim.errors import CollabsimError, OutputError, os_error_text


class UsageError(CollabsimError):
    """A command line this command cannot understand."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print usage and exit 2
        raise UsageError(f"{self.prog}: {message}")


def _collect(args: list[str]) -> None:
    from collabsim.collect import collect

    parser = _Parser(prog="collabsim collect", description="Build results.duckdb from a sweep.")
    parser.add_argument("directory", help="a sweep or run directory")
    ns = parser.parse_args(args)
    out = collect(ns.directory)
    print(
        f"collected {out['jobs']} job(s): {out['runs']} runs, {out['series']} series rows, "
        f"{out['providers']} provider rows, {out['links']} link rows, "
        f"{out['failures']} failed job(s) -> {out['database']}"
    )


def _report(args: list[str]) -> None:
    from collabsim.report import make_report

    parser = _Parser(prog="collabsim report", description="A self-contained HTML report.")
    parser.add_argument("directory", help="a sweep or run directory")
    parser.add_argument(
        "--baseline",
        default=None,
        help="the what-if to compare against, e.g. policy=none (default: the first)",
    )
    parser.add_argument("--out", default=None, help="HTML file (default: <dir>/report.html)")
    parser.add_argument(
        "--template",
        default=None,
        help="a Jinja2 page of your own (start from collabsim/report/templates/report.html.j2)",
    )
    parser.add_argument(
        "--pdf", action="store_true", help="also a PDF beside it, for a board pack (Chromium)"
    )
    parser.add_argument(
        "--bed-day-cost",
        type=float,
        default=None,
        metavar="GBP",
        help="your cost of a hospital bed-day: the report then costs the bed-days lost",
    )
    ns = parser.parse_args(args)
    path = make_report(ns.directory, baseline=ns.baseline, out=ns.out, template=ns.template,
                       bed_day_cost=ns.bed_day_cost)  # fmt: skip
    print(f"report: {path}")
    print(f"figures: {path.parent / 'figures'}")
    if ns.pdf:
        from collabsim.report.pdf import print_pdf

        print(f"pdf: {print_pdf(path, path.with_suffix('.pdf'))}")


def _check(args: list[str]) -> None:
    from collabsim.check import main

    main(args)


def _settings(args: list[str]) -> None:
    from collabsim.settings_doc import main

    main(args)


def _dashboard(args: list[str]) -> None:
    from collabsim.dashboard.server import main

    main(args)


def _rerun(args: list[str]) -> None:
    from collabsim.rerun import rerun

    parser = _Parser(
        prog="collabsim rerun",
        description="Run a finished run again from its summary.json; compare the numbers.",
    )
    parser.add_argument("directory", help="a finished run's directory (with summary.json)")
    parser.add_argument("--out", default=None, help="where to write (default: DIR-rerun)")
    ns = parser.parse_args(args)
    target, differences = rerun(ns.directory, ns.out)
    if not differences:
        print(f"rerun in {target}: the same numbers, to the last digit")
        return
    print(f"rerun in {target}: {len(differences)} difference(s)")
    for line in differences:
        print(f"  {line}")
    raise SystemExit(1)


def _sensitivity(args: list[str]) -> None:
    from collabsim.sensitivity import main

    main(args)


def _play(args: list[str]) -> None:
    from collabsim.dashboard.server import main

    main(
        args,
        app="collabsim.game.app",
        prog="collabsim play",
        description="A game the room plays: trainees run hospitals, a facilitator deals cards.",
        port=8766,  # beside the dashboard's 8765: a trainer may run both
    )


def _animate(args: list[str]) -> None:
    from collabsim.dashboard.animate import main

    main(args)


COMMANDS = {
    "check": _check,
    "collect": _collect,
    "report": _report,
    "settings": _settings,
    "dashboard": _dashboard,
    "animate": _animate,
    "play": _play,
    "rerun": _rerun,
    "sensitivity": _sensitivity,
}


def run_command(name: str, args: list[str]) -> None:
    """Run ``collabsim <name> <args>``; raises CollabsimError for the user's mistakes."""
    try:
        COMMANDS[name](args)
    except SystemExit as exc:  # --help printed its text
        if exc.code not in (0, None):
            raise
    except OSError as exc:  # a full disk, a folder that cannot be written: one line
        raise OutputError(f"{name} not written: {os_error_text(exc)}") from None
    sys.stdout.flush()
