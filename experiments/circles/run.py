"""Vicious and virtuous circles: does a low-trust system stay low (path dependence)?

Issue 10's "circles" experiment. The same system (England, daily steps, no delays
calibration) in a winter with a funding squeeze, started with trust 0.2 or 0.8 on every
link, for three years; then, from the low start, a relationship programme (protected time)
or a temporary mandate to pool, and how many days until mean trust reaches neutral (0.5).

    . /work/venv/bin/activate && nice -n 10 python experiments/circles/run.py

Part A (path dependence): policy {trust_gated, reciprocal} x culture {learning, blame} x
channels.history_per_day {0, 0.01, 0.03} x trust.initial {0.2, 0.8}; under the learning
culture also trust.initial 0.3 ... 0.7 (where the basins of low and high trust part).
Part B (moving a low-trust system): trust.initial 0.2, learning culture, history 0.01,
either as configured (the relationship's level starts at the baseline: "fresh") or with
each link's level already settled at 0.2 ("settled": ``engine.trust_shift`` set to
0.2 - 0.5 after reset, a system whose low trust is its history; a programme then raises
the baseline under it), under no intervention, protected time 0.01 / 0.02 / 0.05 from
day 0, the baseline 1 % of protected time gives (0.816) without the beds it costs, or a
mandate (ics_pool, full compliance) of 90 / 180 / 365 days from day 0 or 90 / 180 days
from day 365. History 0.01/day with both starts, and 0 (memory off) with the fresh one.

Every point runs on the same seeds (1, 2, ...: common random numbers), one after
another in this process (one core). Writes into this folder (or ``--out``):
``results.csv`` (one row per run), ``trajectories.csv`` (weekly means over seeds of
trust per point), ``tables.md`` (the tables of the README) and ``figures/*.png``.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import collabsim  # noqa: E402
from collabsim.core.metrics import lost_past  # noqa: E402
from collabsim.core.periods import QUARTER_DAYS  # noqa: E402
from collabsim.model import CollabModel  # noqa: E402

HERE = Path(__file__).resolve().parent
# a winter (configs/scenario/winter.yaml) with the funding squeeze's finance
# (configs/scenario/funding_squeeze.yaml): one scenario group, so the squeeze by overrides
BASE = [
    "network=england",
    "time=daily",
    "calibration=none",
    "scenario=winter",
    "finance.pressure=0.3",
    "finance.rise_per_year=0.4",
    "aid.kinds=both",
]
SCENARIO = "winter+funding_squeeze"
POLICIES = ("trust_gated", "reciprocal")
CULTURES = ("learning", "blame")
HISTORIES = (0.0, 0.01, 0.03)
LOW, HIGH = 0.2, 0.8
BASIN_STARTS = (0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.7, 0.8)
# part B with the memory channel at its default and off (no settled start without it)
PART_B = ((0.01, ("fresh", "settled")), (0.0, ("fresh",)))
# name -> (overrides, day the intervention starts)
INTERVENTIONS = {
    "none": ([], 0.0),
    "protected 1%": (["relationship.protected_time=0.01"], 0.0),
    "protected 2%": (["relationship.protected_time=0.02"], 0.0),
    "protected 5%": (["relationship.protected_time=0.05"], 0.0),
    # what 1 % protected time does to the baseline (0.5 -> 0.816), without its beds
    "baseline 0.816, no beds": (["trust.baseline=0.816"], 0.0),
    "mandate 90d from day 0": (["mandate.days=90"], 0.0),
    "mandate 180d from day 0": (["mandate.days=180"], 0.0),
    "mandate 365d from day 0": (["mandate.days=365"], 0.0),
    "mandate 90d from day 365": (["mandate.days=90", "mandate.start_day=365"], 365.0),
    "mandate 180d from day 365": (["mandate.days=180", "mandate.start_day=365"], 365.0),
}
# the baseline before any programme: a settled start's level is its trust, relative to it
SETTLED_BASELINE = 0.5
NEUTRAL = 0.5  # the target "mean trust crosses 0.5" (channels.neutral)
TRAJ_EVERY = 14  # days between the points kept in trajectories.csv


def points(quick: bool) -> list[dict]:
    """Every configuration to run, with its labels."""
    out = []
    policies = POLICIES[:1] if quick else POLICIES
    for policy in policies:
        for culture in CULTURES[:1] if quick else CULTURES:
            for history in HISTORIES:
                starts = BASIN_STARTS if culture == "learning" and not quick else (LOW, HIGH)
                for initial in starts:
                    out.append(
                        dict(
                            part="A",
                            policy=policy,
                            culture=culture,
                            history=history,
                            initial=initial,
                            intervention="none",
                            start="fresh",
                            start_day=0.0,
                            extra=[],
                        )
                    )
        interventions = list(INTERVENTIONS)[:3] if quick else list(INTERVENTIONS)
        for history, starts in PART_B[:1] if quick else PART_B:
            for start in starts:
                for name in interventions:
                    extra, start_day = INTERVENTIONS[name]
                    out.append(
                        dict(
                            part="B",
                            policy=policy,
                            culture="learning",
                            history=history,
                            initial=LOW,
                            intervention=name,
                            start=start,
                            start_day=start_day,
                            extra=extra,
                        )
                    )
    return out


def overrides(p: dict, days: float) -> list[str]:
    return BASE + [
        f"sim.days={days:g}",
        f"policy={p['policy']}",
        f"culture={p['culture']}",
        f"channels.history_per_day={p['history']:g}",
        f"trust.initial={p['initial']:g}",
        *p["extra"],
    ]


def first_day_at_or_above(values: np.ndarray, days: np.ndarray, level: float, from_day: float):
    """Days from ``from_day`` until ``values`` (at the ends of ``days``) first reach
    ``level``; NaN if never."""
    hit = np.flatnonzero((values >= level - 1e-12) & (days > from_day))
    return float(days[hit[0]] - from_day) if hit.size else math.nan


def simulate(model: CollabModel, p: dict, seed: int) -> tuple[dict, dict]:
    """One run, day by day, keeping trust on the aid links (those along which help is
    asked for and offered) and on all links; returns its row and its trajectories."""
    e = model.engine
    cfg = model.config
    model.reset(seed)
    if p["start"] == "settled":
        # each relationship's level (baseline + shift) already where its trust is
        e.trust_shift[:] = e.trust - SETTLED_BASELINE
        e.trust_changed()
    links = e.aid.links
    aid = links.index
    same = links.index[links.same_region]
    below = cfg.channels.refuse_below
    n = e.steps - e.t
    days = (np.arange(n) + 1) * e.step_days
    traj = {k: np.empty(n) for k in ("aid", "aid_same_region", "all", "blocked")}
    for t in range(n):
        model.run(1)
        tr = e.trust
        a = tr[aid]
        traj["aid"][t] = a.mean()
        traj["aid_same_region"][t] = tr[same].mean()
        traj["all"][t] = e.trust_mean
        traj["blocked"][t] = (a <= below).mean()
    s = model.summary
    series = model.series
    last = series["day"].to_numpy() >= cfg.sim.days - 365 - 1e-9
    adm = series["acute_admissions"].to_numpy()[last].sum()
    wait_steps = series["acute_wait_steps"].to_numpy()[last].sum()
    over12 = series["acute_over_12h"].to_numpy()[last].sum()
    if lost_past(e, 12):
        over12 += series["acute_lost"].to_numpy()[last].sum()
    last_days = last.sum() * e.step_days
    row = {
        "part": p["part"],
        "policy": p["policy"],
        "culture": p["culture"],
        "history_per_day": p["history"],
        "initial_trust": p["initial"],
        "intervention": p["intervention"],
        "start": p["start"],
        "intervention_day": p["start_day"],
        "seed": seed,
        "scenario": SCENARIO,
        "days": cfg.sim.days,
        "trust_aid_end": traj["aid"][-1],
        "trust_aid_same_region_end": traj["aid_same_region"][-1],
        "blocked_share_end": traj["blocked"][-1],
        "trust_all_end": traj["all"][-1],
        "trust_aid_day365": traj["aid"][min(n, int(round(365 / e.step_days))) - 1],
        "trust_aid_max": traj["aid"].max(),
        "days_to_neutral_aid": first_day_at_or_above(traj["aid"], days, NEUTRAL, p["start_day"]),
        "days_to_neutral_same_region": first_day_at_or_above(
            traj["aid_same_region"], days, NEUTRAL, p["start_day"]
        ),
        "days_to_neutral_all": first_day_at_or_above(traj["all"], days, NEUTRAL, p["start_day"]),
        "mean_wait_hours": s["mean_wait_hours"],
        "waits_12h_per_quarter": s["waits_12h_per_quarter"],
        "harm_events": s["harm_events"],
        "mean_wait_hours_year3": wait_steps / adm * e.step_days * 24 if adm else math.nan,
        "waits_12h_per_quarter_year3": over12 * QUARTER_DAYS / last_days,
        "transfers": s["transfers"],
        "loans": s["loans"],
        "refusals": s["refusals"],
        "aid_cost": s["aid_cost"],
        "mean_occupancy": s["mean_occupancy"],
    }
    return row, traj


def t_halfwidth(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 2:
        return math.nan
    from scipy.stats import t

    return float(t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))


def ci(x, fmt: str = ".3f") -> str:
    x = np.asarray(x, dtype=float)
    return f"{np.nanmean(x):+{fmt}} ± {t_halfwidth(x):{fmt}}"


def idle_level(initial: float, history: float, drift: float = 0.01, baseline: float = 0.5):
    """Where a link on which nothing happens settles (memory alone): the drift and the
    shift keep h x (trust - b) + d x shift constant, and shift starts at 0."""
    if history + drift == 0:
        return initial
    return baseline + history / (history + drift) * (initial - baseline)


def tables(runs: pd.DataFrame) -> str:
    out = []
    a = runs[runs.part == "A"]
    out.append(
        "### A. Path dependence: low (0.2) and high (0.8) start, end of year 3\n\n"
        "Trust on the 1,024 aid links (mean; share at or below refuse_below = 0.2, "
        "offered nothing); waits in the last year (days 730-1095); means over seeds; trust "
        "gap = high minus low, wait gaps = low minus high (what the high start saves), "
        "paired on the seeds, ± 95 % t half-width.\n"
    )
    out.append(
        "| policy | culture | history/day | idle link settles (low / high) | aid trust end, "
        "low / high | gap | blocked share, low / high | all-links trust, low / high | "
        "mean wait, last year (h), low / high | wait gap (h) | 12-h waits a quarter, last "
        "year, low / high | 12-h wait gap | low start stays low? |"
    )
    out.append("|---|---|---:|---|---|---|---|---|---|---|---|---|---|")
    for (policy, culture, h), g in a.groupby(["policy", "culture", "history_per_day"], sort=False):
        lo = g[g.initial_trust == LOW].set_index("seed")
        hi = g[g.initial_trust == HIGH].set_index("seed")
        if lo.empty or hi.empty:
            continue
        gap = (hi.trust_aid_end - lo.trust_aid_end).to_numpy()
        stays = lo.trust_aid_end.mean() < NEUTRAL and gap.mean() - t_halfwidth(gap) > 0.1
        verdict = (
            "yes: falls further" if stays and lo.trust_aid_end.mean() < LOW
            else "yes" if stays
            else "no: both end at one level" if abs(gap.mean()) < 0.05
            else "partly"
        )  # fmt: skip
        out.append(
            f"| {policy} | {culture} | {h:g} | {idle_level(LOW, h):.3f} / "
            f"{idle_level(HIGH, h):.3f} | {lo.trust_aid_end.mean():.3f} / "
            f"{hi.trust_aid_end.mean():.3f} | {ci(gap)} | {lo.blocked_share_end.mean():.2f} / "
            f"{hi.blocked_share_end.mean():.2f} | {lo.trust_all_end.mean():.3f} / "
            f"{hi.trust_all_end.mean():.3f} | {lo.mean_wait_hours_year3.mean():.2f} / "
            f"{hi.mean_wait_hours_year3.mean():.2f} | "
            f"{ci(lo.mean_wait_hours_year3 - hi.mean_wait_hours_year3, '.2f')} | "
            f"{lo.waits_12h_per_quarter_year3.mean():,.0f} / "
            f"{hi.waits_12h_per_quarter_year3.mean():,.0f} | "
            f"{ci(lo.waits_12h_per_quarter_year3 - hi.waits_12h_per_quarter_year3, ',.0f')} | "
            f"{verdict} |"
        )
    basins = a[a.culture == "learning"]
    if basins.initial_trust.nunique() > 2:
        out.append(
            "\n### A2. Where the basins part (learning culture): aid-link trust at the end of "
            "year 3 by initial trust (mean over seeds; min-max over seeds in brackets)\n"
        )
        starts = sorted(basins.initial_trust.unique())
        out.append("| policy | history/day | " + " | ".join(f"start {s:g}" for s in starts) + " |")
        out.append("|---|---:|" + "---:|" * len(starts))
        for (policy, h), g in basins.groupby(["policy", "history_per_day"], sort=False):
            cells = []
            for s in starts:
                v = g[g.initial_trust == s].trust_aid_end
                cells.append(f"{v.mean():.2f} ({v.min():.2f}-{v.max():.2f})")
            out.append(f"| {policy} | {h:g} | " + " | ".join(cells) + " |")
    b = runs[runs.part == "B"]
    if not b.empty:
        out.append(
            "\n### B. Moving a low-trust system (start 0.2, learning culture)\n\n"
            "Days from the intervention's start until mean trust on the 1,024 aid links, on "
            "the 232 aid links within a region (those a mandate acts on) and on all 2,074 "
            "links first reaches 0.5: median over the seeds that reach it, and how many "
            "do, within the 3 years; trust at the end; waits over the 3 years after warm-up "
            "(mean ± 95 % half-width over seeds).\n"
        )
        out.append(
            "| policy | history/day | start | intervention | days to 0.5: aid links | "
            "same-region aid links | all links | highest aid trust | aid trust end | "
            "same-region aid trust end | blocked share end | mean wait (h) | "
            "12-h waits a quarter |"
        )
        out.append("|---|---:|---|---|---|---|---|---:|---:|---:|---:|---|---:|")
        for (policy, h, start, name), g in b.groupby(
            ["policy", "history_per_day", "start", "intervention"], sort=False
        ):
            cells = []
            for col in (
                "days_to_neutral_aid",
                "days_to_neutral_same_region",
                "days_to_neutral_all",
            ):
                d = g[col].dropna()
                cells.append(
                    f"{d.median():.0f} ({d.size}/{len(g)})" if d.size else f"never (0/{len(g)})"
                )
            out.append(
                f"| {policy} | {h:g} | {start} | {name} | {cells[0]} | {cells[1]} | {cells[2]} | "
                f"{g.trust_aid_max.mean():.3f} | {g.trust_aid_end.mean():.3f} | "
                f"{g.trust_aid_same_region_end.mean():.3f} | {g.blocked_share_end.mean():.2f} | "
                f"{g.mean_wait_hours.mean():.2f} ± {t_halfwidth(g.mean_wait_hours):.2f} | "
                f"{g.waits_12h_per_quarter.mean():,.0f} |"
            )
        out.append(compact_b(b))
    return "\n".join(out) + "\n"


def compact_b(b: pd.DataFrame) -> str:
    """Part B per policy, one row per intervention: for each memory setting and start,
    days to 0.5 on the aid links / the same-region aid links (seeds reaching it), aid
    trust at the end (same-region in brackets), and the mean wait over the 3 years."""
    out = []
    combos = list(dict.fromkeys(zip(b.history_per_day, b.start, strict=True)))
    for policy, g in b.groupby("policy", sort=False):
        out.append(
            f"\n### B, compact: {policy} (days to 0.5 on aid links / same-region aid links, "
            "median with seeds reaching it; aid trust at the end (same-region); mean wait "
            "over 3 years)\n"
        )
        head = ["intervention"]
        for h, start in combos:
            tag = f"history {h:g}, {start}"
            head += [f"{tag}: days to 0.5", "trust end", "wait (h)"]
        out.append("| " + " | ".join(head) + " |")
        out.append("|---|" + "---|---:|---:|" * len(combos))
        for name, gi in g.groupby("intervention", sort=False):
            cells = [name]
            for h, start in combos:
                x = gi[(gi.history_per_day == h) & (gi.start == start)]
                days = []
                for col in ("days_to_neutral_aid", "days_to_neutral_same_region"):
                    d = x[col].dropna()
                    if d.empty:
                        days.append("never")
                    elif d.size == len(x):
                        days.append(f"{d.median():.0f}")
                    else:
                        days.append(f"{d.median():.0f} ({d.size}/{len(x)})")
                cells += [
                    " / ".join(days),
                    f"{x.trust_aid_end.mean():.2f} ({x.trust_aid_same_region_end.mean():.2f})",
                    f"{x.mean_wait_hours.mean():.2f}",
                ]
            out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def figures(runs: pd.DataFrame, traj: pd.DataFrame, out: Path) -> list[Path]:
    fig_dir = out / "figures"
    fig_dir.mkdir(parents=True, exist_ok=True)
    made = []
    a = traj[traj.part == "A"]
    policies = list(dict.fromkeys(a.policy))
    histories = sorted(a.history_per_day.unique())

    # 1. trust paths from the low and the high start
    fig, axes = plt.subplots(
        len(policies), len(histories), figsize=(4.2 * len(histories), 3.3 * len(policies)),
        sharex=True, sharey=True, squeeze=False,
    )  # fmt: skip
    for r, policy in enumerate(policies):
        for c, h in enumerate(histories):
            ax = axes[r][c]
            for (culture, initial), g in a[
                (a.policy == policy) & (a.history_per_day == h) & a.initial_trust.isin([LOW, HIGH])
            ].groupby(["culture", "initial_trust"]):
                ax.plot(
                    g.day, g.trust_aid, color="tab:red" if initial == LOW else "tab:blue",
                    ls="-" if culture == "learning" else "--",
                    label=f"start {initial:g}, {culture}",
                )  # fmt: skip
                ax.axhline(idle_level(initial, h), color="grey", lw=0.8, ls=":")
            ax.axhline(NEUTRAL, color="k", lw=0.6)
            ax.axhline(LOW, color="k", lw=0.6, ls="-.")
            ax.set_title(f"{policy}, history {h:g}/day", fontsize=10)
            ax.set_ylim(0, 1)
            if r == len(policies) - 1:
                ax.set_xlabel("day")
            if c == 0:
                ax.set_ylabel("mean trust, aid links")
    axes[0][0].legend(fontsize=7, loc="lower left")
    fig.suptitle(
        "Winter + funding squeeze, England: trust on aid links (mean over seeds); dotted: where "
        "an idle link settles; dash-dot: refuse_below", fontsize=9,
    )  # fmt: skip
    fig.tight_layout()
    made.append(fig_dir / "trust_paths.png")
    fig.savefig(made[-1], dpi=110)
    plt.close(fig)

    # 2. basins: end trust by initial trust (learning culture)
    ra = runs[(runs.part == "A") & (runs.culture == "learning")]
    if ra.initial_trust.nunique() > 2:
        fig, axes = plt.subplots(1, len(policies), figsize=(5 * len(policies), 4), squeeze=False)
        for c, policy in enumerate(policies):
            ax = axes[0][c]
            for h in histories:
                g = ra[(ra.policy == policy) & (ra.history_per_day == h)]
                m = g.groupby("initial_trust").trust_aid_end
                ax.errorbar(
                    m.mean().index, m.mean(), yerr=[m.mean() - m.min(), m.max() - m.mean()],
                    marker="o", capsize=3, label=f"history {h:g}/day",
                )  # fmt: skip
            ax.plot([0, 1], [0, 1], color="grey", lw=0.6, ls=":", label="end = start")
            ax.axhline(NEUTRAL, color="k", lw=0.6)
            ax.set_xlim(0.1, 0.9)
            ax.set_ylim(0, 1)
            ax.set_xlabel("initial trust (every link)")
            ax.set_ylabel("aid-link trust after 3 years")
            ax.set_title(f"{policy}, learning culture (bars: min-max over seeds)", fontsize=9)
            ax.legend(fontsize=8)
        fig.tight_layout()
        made.append(fig_dir / "basins.png")
        fig.savefig(made[-1], dpi=110)
        plt.close(fig)

    # 3. waits in year 3, low against high start
    fig, axes = plt.subplots(1, len(policies), figsize=(5.5 * len(policies), 3.6), squeeze=False)
    ab = runs[(runs.part == "A") & runs.initial_trust.isin([LOW, HIGH])]
    for c, policy in enumerate(policies):
        ax = axes[0][c]
        g = ab[ab.policy == policy]
        groups = list(g.groupby(["history_per_day", "culture"], sort=True).groups)
        x = np.arange(len(groups))
        for k, initial in enumerate((LOW, HIGH)):
            vals = [
                g[(g.history_per_day == h) & (g.culture == cu) & (g.initial_trust == initial)]
                .mean_wait_hours_year3 for h, cu in groups
            ]  # fmt: skip
            ax.bar(
                x + (k - 0.5) * 0.38, [v.mean() for v in vals], 0.38,
                yerr=[t_halfwidth(v) for v in vals], capsize=2,
                color="tab:red" if initial == LOW else "tab:blue", label=f"start {initial:g}",
            )  # fmt: skip
        ax.set_xticks(x, [f"h {h:g}\n{cu}" for h, cu in groups], fontsize=8)
        ax.set_ylabel("mean wait for an acute bed, year 3 (h)")
        ax.set_title(policy, fontsize=10)
        ax.legend(fontsize=8)
    fig.tight_layout()
    made.append(fig_dir / "waits.png")
    fig.savefig(made[-1], dpi=110)
    plt.close(fig)

    # 4. interventions from the low start
    b = traj[traj.part == "B"]
    if not b.empty:
        starts = list(dict.fromkeys(zip(b.history_per_day, b.start, strict=True)))
        pol_b = list(dict.fromkeys(b.policy))
        fig, axes = plt.subplots(
            len(starts), len(pol_b), figsize=(6 * len(pol_b), 3.8 * len(starts)),
            sharex=True, sharey=True, squeeze=False,
        )  # fmt: skip
        names = list(dict.fromkeys(b.intervention))
        protected = [n for n in names if n.startswith("protected")]
        mandates = [n for n in names if n.startswith("mandate")]
        colours = {"none": "k"}
        colours.update({n: "tab:orange" for n in names if n.startswith("baseline")})
        colours.update({n: plt.cm.Greens(0.5 + 0.2 * i) for i, n in enumerate(protected)})
        colours.update({n: plt.cm.Purples(0.45 + 0.15 * (i % 3)) for i, n in enumerate(mandates)})
        for r, (h, start) in enumerate(starts):
            for c, policy in enumerate(pol_b):
                ax = axes[r][c]
                for name in names:
                    g = b[
                        (b.history_per_day == h) & (b.start == start) & (b.policy == policy)
                        & (b.intervention == name)
                    ]  # fmt: skip
                    ax.plot(
                        g.day, g.trust_aid, color=colours[name], label=name,
                        ls="--" if "day 365" in name else "-",
                    )  # fmt: skip
                ax.axhline(NEUTRAL, color="k", lw=0.6)
                ax.axvline(365, color="grey", lw=0.5, ls=":")
                ax.set_ylim(0, 1)
                ax.set_title(f"{policy}, history {h:g}/day, low start ({start})", fontsize=10)
                if r == len(starts) - 1:
                    ax.set_xlabel("day")
                if c == 0:
                    ax.set_ylabel("mean trust, aid links")
        axes[0][-1].legend(fontsize=7, loc="upper right", ncol=2)
        fig.tight_layout()
        made.append(fig_dir / "interventions.png")
        fig.savefig(made[-1], dpi=110)
        plt.close(fig)
    return made


def code_version() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
            cwd=HERE, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "collabsim"], capture_output=True, text=True,
            cwd=HERE.parent.parent, check=True,
        ).stdout.strip()  # fmt: skip
        return head + (" (collabsim/ modified)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="replications per point")
    parser.add_argument("--first-seed", type=int, default=1, help="seeds first..first+n-1")
    parser.add_argument("--days", type=float, default=1095.0, help="simulated days (3 years)")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder")
    parser.add_argument(
        "--quick", action="store_true", help="a small grid (smoke test): one policy and culture"
    )
    parser.add_argument(
        "--from-csv", action="store_true",
        help="no runs: remake tables.md and the figures from results.csv and trajectories.csv",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.from_csv:
        runs = pd.read_csv(args.out / "results.csv")
        traj = pd.read_csv(args.out / "trajectories.csv")
        text = tables(runs)
        (args.out / "tables.md").write_text(text)
        made = figures(runs, traj, args.out)
        print(text)
        print(f"wrote {args.out / 'tables.md'}, " + ", ".join(str(m) for m in made))
        return 0
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    args.out.mkdir(parents=True, exist_ok=True)
    todo = points(args.quick)
    print(f"{len(todo)} points x {len(seeds)} seeds, {args.days:g} days; code {code_version()}")
    start = time.perf_counter()
    rows, trajs = [], []
    for k, p in enumerate(todo, 1):
        model = CollabModel(collabsim.load_config(overrides(p, args.days)))
        acc: dict[str, np.ndarray] = {}
        for seed in seeds:
            row, traj = simulate(model, p, seed)
            rows.append(row)
            for key, v in traj.items():
                acc[key] = acc.get(key, 0) + v / len(seeds)
        n = len(acc["aid"])
        keep = np.unique(np.r_[np.arange(TRAJ_EVERY - 1, n, TRAJ_EVERY), n - 1])
        frame = pd.DataFrame({f"trust_{key}": v[keep] for key, v in acc.items()})
        frame.insert(0, "day", (keep + 1) * model.engine.step_days)
        for key in ("part", "policy", "culture", "intervention", "start"):
            frame[key] = p[key]
        frame["history_per_day"] = p["history"]
        frame["initial_trust"] = p["initial"]
        trajs.append(frame)
        print(
            f"[{k}/{len(todo)}] {time.perf_counter() - start:6.1f} s  part {p['part']} "
            f"{p['policy']} {p['culture']} h={p['history']:g} start={p['initial']:g} "
            f"{p['intervention']} ({p['start']}): aid trust end "
            f"{np.mean([r['trust_aid_end'] for r in rows[-len(seeds) :]]):.3f}",
            flush=True,
        )
    runs = pd.DataFrame(rows)
    traj = pd.concat(trajs, ignore_index=True)
    runs.to_csv(args.out / "results.csv", index=False, float_format="%.6g")
    traj.to_csv(args.out / "trajectories.csv", index=False, float_format="%.4g")
    text = tables(runs)
    (args.out / "tables.md").write_text(text)
    made = figures(runs, traj, args.out)
    print(text)
    wall = time.perf_counter() - start
    print(
        f"wrote {args.out / 'results.csv'}, {args.out / 'trajectories.csv'}, "
        f"{args.out / 'tables.md'}, " + ", ".join(str(m) for m in made)
    )
    print(f"{len(rows)} runs in {wall:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
