"""``collabsim sensitivity``: which settings the answers depend on (Morris screening, Sobol
indices), on the sweep machinery every other experiment uses.

    collabsim sensitivity design morris.csv --method morris --samples 10
    collabsim -m hydra.sweeper.points_file=morris.csv policy=trust_gated scenario=winter \
        replications=5 hydra.sweep.dir=outputs/sensitivity/morris   # any launcher; resumes
    collabsim sensitivity analyse outputs/sensitivity/morris --design morris.json

``design`` draws the points with SALib (Morris trajectories or Saltelli's scheme for Sobol
indices) over each setting's range and writes them as a points file (a setting per column,
a point per row) and the problem beside it (``.json``). The sweep runs each row as a point
(``hydra.sweeper.points_file``: checked first, batched, resumed). ``analyse`` reads each
point's measures (the mean over its replications, so the seeds' noise is averaged before
the indices are computed) in row order and hands them to SALib: mu* and sigma for Morris,
first-order and total indices with their 95 % intervals for Sobol; a table (CSV) and a
figure per measure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from collabsim.errors import CollabsimError, ConfigError

# The main settings and the ranges a sensitivity analysis explores by default.
DEFAULT_PARAMS = {
    "trust.initial": (0.0, 1.0),
    "self_preservation.mean": (0.0, 0.9),
    "candour.mean": (0.2, 1.0),
    "finance.pressure": (0.0, 1.0),
    "demand.scale": (0.95, 1.10),
    "aid.cost": (0.0, 800.0),
    "aid.delay_days": (0.0, 4.0),
}
MEASURES = ("mean_wait_hours", "waits_12h_per_quarter", "aid_cost", "harm_events")
METHODS = ("morris", "sobol")


class SensitivityError(CollabsimError):
    """A design or an analysis that cannot be made (one line)."""


@dataclass(frozen=True)
class Design:
    method: str
    names: list[str]
    bounds: list[tuple[float, float]]
    samples: int
    seed: int

    def problem(self) -> dict[str, Any]:
        return {"num_vars": len(self.names), "names": self.names, "bounds": self.bounds}


def parse_params(texts: list[str]) -> dict[str, tuple[float, float]]:
    """``key=lo:hi`` settings and their ranges (none given: ``DEFAULT_PARAMS``)."""
    if not texts:
        return dict(DEFAULT_PARAMS)
    out = {}
    for text in texts:
        key, _, span = text.partition("=")
        lo, _, hi = span.partition(":")
        try:
            low, high = float(lo), float(hi)
        except ValueError:
            raise ConfigError(f"--param {text}: write it as setting=low:high") from None
        if not key or not low < high:
            raise ConfigError(f"--param {text}: a setting and a range low < high")
        out[key.strip()] = (low, high)
    if len(out) < 2:
        raise ConfigError("--param: a sensitivity analysis needs two settings or more")
    return out


def sample(design: Design) -> np.ndarray:
    """The points (rows) SALib draws for ``design``."""
    if design.method == "morris":
        from SALib.sample import morris

        return morris.sample(design.problem(), design.samples, seed=design.seed)
    from SALib.sample import sobol

    return sobol.sample(design.problem(), design.samples, calc_second_order=False,
                        seed=design.seed)  # fmt: skip


def write_design(out: str | Path, design: Design) -> tuple[Path, Path, int]:
    """The points file (CSV) and the problem beside it (.json); returns them and the
    number of points."""
    if design.method not in METHODS:
        raise ConfigError(f"--method: {design.method!r} is not one of {', '.join(METHODS)}")
    if design.method == "sobol" and design.samples & (design.samples - 1):
        raise ConfigError(f"--samples: Sobol needs a power of 2, not {design.samples}")
    points = Path(out)
    if points.suffix.lower() != ".csv":
        raise ConfigError(f"{points}: the design is written as a .csv points file")
    points.parent.mkdir(parents=True, exist_ok=True)
    x = sample(design)
    pd.DataFrame(x, columns=design.names).to_csv(points, index=False, float_format="%.6g")
    problem = points.with_suffix(".json")
    problem.write_text(json.dumps({**design.__dict__, "points": str(points.name)}, indent=2))
    return points, problem, len(x)


def read_design(path: str | Path) -> tuple[Design, np.ndarray]:
    problem = Path(path)
    try:
        data = json.loads(problem.read_text())
        design = Design(data["method"], list(data["names"]),
                        [tuple(b) for b in data["bounds"]], int(data["samples"]),
                        int(data["seed"]))  # fmt: skip
        x = pd.read_csv(problem.with_name(data["points"]))[design.names].to_numpy(float)
    except OSError as exc:
        raise SensitivityError(f"--design {problem}: {exc.strerror}") from None
    except (ValueError, KeyError) as exc:
        raise SensitivityError(f"--design {problem}: not a collabsim design ({exc})") from None
    return design, x


def outcomes(sweep: str | Path, points: int, measures: tuple[str, ...]) -> pd.DataFrame:
    """Each point's measures (the mean over its replications), in the design's row order."""
    root = Path(sweep)
    rows, missing = [], []
    for k in range(points):
        run = root / str(k)
        if not (run / "summary.json").exists():
            missing.append(k)
            continue
        frame = pd.read_parquet(run / "runs.parquet")
        rows.append({"point": k, **{m: float(frame[m].mean()) for m in measures}})
    if missing:
        shown = ", ".join(str(k) for k in missing[:8]) + (" ..." if len(missing) > 8 else "")
        raise SensitivityError(
            f"{root}: {len(missing)} of {points} points have no results ({shown}): run the "
            "sweep again with the same hydra.sweep.dir, it runs only what is missing"
        )
    return pd.DataFrame(rows)


def analyse(sweep: str | Path, problem: str | Path, measures: tuple[str, ...] = MEASURES,
            ) -> pd.DataFrame:  # fmt: skip
    """One row per measure and setting: Morris mu* and sigma, or Sobol S1 and ST with
    their 95 % intervals; ranked by importance within each measure."""
    design, x = read_design(problem)
    y = outcomes(sweep, len(x), measures)
    rows = []
    for m in measures:
        values = y[m].to_numpy(float)
        if not np.isfinite(values).all():
            raise SensitivityError(f"{m}: some points have no value for it")
        if design.method == "morris":
            from SALib.analyze import morris

            res = morris.analyze(design.problem(), x, values, seed=design.seed)
            for i, name in enumerate(design.names):
                rows.append({"measure": m, "setting": name, "mu_star": res["mu_star"][i],
                             "mu_star_conf": res["mu_star_conf"][i],
                             "sigma": res["sigma"][i]})  # fmt: skip
        else:
            from SALib.analyze import sobol

            res = sobol.analyze(design.problem(), values, calc_second_order=False,
                                seed=design.seed)  # fmt: skip
            for i, name in enumerate(design.names):
                rows.append({"measure": m, "setting": name, "S1": res["S1"][i],
                             "S1_conf": res["S1_conf"][i], "ST": res["ST"][i],
                             "ST_conf": res["ST_conf"][i]})  # fmt: skip
    table = pd.DataFrame(rows)
    key = "mu_star" if design.method == "morris" else "ST"
    table["rank"] = table.groupby("measure")[key].rank(ascending=False, method="min").astype(int)
    return table.sort_values(["measure", "rank"]).reset_index(drop=True)


def figure(table: pd.DataFrame, method: str, path: Path) -> Path:
    """A panel per measure: each setting's importance (mu* or total index) with its 95 %
    interval, most important at the top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    key, conf = ("mu_star", "mu_star_conf") if method == "morris" else ("ST", "ST_conf")
    measures = list(dict.fromkeys(table["measure"]))
    fig, axes = plt.subplots(1, len(measures), figsize=(4.2 * len(measures), 3.6),
                             squeeze=False, constrained_layout=True)  # fmt: skip
    for ax, m in zip(axes[0], measures, strict=True):
        part = table[table["measure"] == m].sort_values(key)
        ax.barh(part["setting"], part[key], xerr=part[conf], color="#005EB8",
                ecolor="#768692", capsize=2)  # fmt: skip
        ax.set_title(m, fontsize=10)
        ax.set_xlabel("mu* (Morris)" if method == "morris" else "total Sobol index")
        ax.tick_params(axis="y", labelsize=8)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(args: list[str]) -> None:
    from collabsim.commands import _Parser

    parser = _Parser(prog="collabsim sensitivity",
                     description="Which settings the answers depend on (SALib).")  # fmt: skip
    sub = parser.add_subparsers(dest="action", required=True)
    d = sub.add_parser("design", help="draw the points: a points file for the sweep")
    d.add_argument("out", help="the points file to write (.csv; the problem goes beside it)")
    d.add_argument("--method", default="morris", choices=METHODS)
    d.add_argument("--samples", type=int, default=10,
                   help="Morris trajectories, or Sobol's base sample (a power of 2)")  # fmt: skip
    d.add_argument("--param", action="append", default=[],
                   help="setting=low:high (repeat; default: the main settings)")  # fmt: skip
    d.add_argument("--seed", type=int, default=1)
    a = sub.add_parser("analyse", help="the indices, from a sweep of a design's points")
    a.add_argument("sweep", help="the sweep's directory (hydra.sweep.dir)")
    a.add_argument("--design", required=True, help="the design's .json (beside its .csv)")
    a.add_argument("--measure", action="append", default=[],
                   help="a measure of runs.parquet (repeat; default: "
                        f"{', '.join(MEASURES)})")  # fmt: skip
    ns = parser.parse_args(args)
    if ns.action == "design":
        if not 1 <= ns.samples <= 4096:
            raise ConfigError(f"--samples: {ns.samples} is not in 1-4096")
        params = parse_params(ns.param)
        design = Design(ns.method, list(params), list(params.values()), ns.samples, ns.seed)
        points, problem, n = write_design(ns.out, design)
        print(f"{n} points in {points} (problem: {problem}); run them, on any launcher:")
        print(f"  collabsim -m hydra.sweeper.points_file={points} policy=trust_gated "
              "scenario=winter replications=5 hydra.sweep.dir=outputs/sensitivity")  # fmt: skip
        print("  (trust, candour and friction matter only where providers share: choose a "
              "sharing policy; any network, scenario or launcher)")  # fmt: skip
        print(f"then: collabsim sensitivity analyse outputs/sensitivity --design {problem}")
        return
    measures = tuple(ns.measure) or MEASURES
    table = analyse(ns.sweep, ns.design, measures)
    design, _ = read_design(ns.design)
    out = Path(ns.sweep)
    table.to_csv(out / "sensitivity.csv", index=False)
    figure(table, design.method, out / "sensitivity.png")
    key = "mu_star" if design.method == "morris" else "ST"
    for m in measures:
        top = table[table["measure"] == m].head(3)
        said = ", ".join(f"{r.setting} ({getattr(r, key):.3g})" for r in top.itertuples())
        print(f"{m}: most influential {said}")
    print(f"table: {out / 'sensitivity.csv'}; figure: {out / 'sensitivity.png'}")
