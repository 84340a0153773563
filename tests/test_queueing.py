"""Checks against queueing theory: Erlang C (M/M/c) and Little's law."""

from __future__ import annotations

import math

from collabsim.core.metrics import summarise
from collabsim.core.phases import ROW
from tests.helpers import FLAT, config, engine, links, providers


def erlang_c(c: int, a: float) -> float:
    """Probability an arrival waits in an M/M/c queue with offered load a < c."""
    below = sum(a**k / math.factorial(k) for k in range(c))
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (below + top)


def test_isolated_provider_matches_erlang_c():
    """200 isolated providers (c = 5 beds, 4 arrivals/day, mean stay 1 day: rho = 0.8)
    run side by side as independent replications, with a step of 0.02 days.

    M/M/c: Wq = C(c, a) / (c mu - lambda) = 0.554 days and, first come first served,
    P(W >= t) = C(c, a) exp(-(c mu - lambda) t), so P(W >= 1 day) = 0.204.

    Tolerance: 3 standard errors of the mean over the 200 replications (each a
    1,000-day run, so replications are independent and the CLT applies), plus one
    step (0.02 days) for the clock's resolution: waits are counted in whole steps,
    so the discrete model differs from continuous time by O(step). Measured while
    building: the bias was -0.011, -0.009, -0.007, +0.003 days at steps of 0.1,
    0.05, 0.02, 0.01 (each within about one standard error of 0.009).
    """
    c, lam, los, reps, dt = 5, 4.0, 1.0, 200, 0.02
    cfg = config(
        sim={"days": 1000, "step_days": dt, "warmup_days": 50, "max_wait_days": 15},
        metrics={"target_wait_days": 1.0},
        **FLAT,
    )
    e = engine(providers([c] * reps, [lam] * reps, [los] * reps), cfg=cfg)
    e.run()
    totals = e.recorder.provider_totals
    admitted = totals[ROW["admissions"]]
    waits = totals[ROW["wait_steps"]] / admitted * dt
    tail = totals[ROW["breaches"]] / admitted

    p_wait = erlang_c(c, lam * los)
    wq = p_wait / (c / los - lam)
    tail_expected = p_wait * math.exp(-(c / los - lam) * 1.0)
    se = waits.std(ddof=1) / math.sqrt(reps)
    assert abs(waits.mean() - wq) < 3 * se + dt, (waits.mean(), wq, se)
    se_tail = tail.std(ddof=1) / math.sqrt(reps)
    # the tail probability's discretisation error: its slope (c mu - lambda) P times a step
    assert abs(tail.mean() - tail_expected) < 3 * se_tail + (c / los - lam) * tail_expected * dt
    assert e.recorder.rows[:, ROW["lost"]].sum() == 0  # no censoring at 15 days


def test_littles_law_holds_under_heavy_queues():
    """L = lambda W for the queue, counting every patient who passed through it:
    admitted ones for their wait, lost ones (who left after the maximum wait) for the
    max_wait_steps + 1 steps they spent queueing.

    Summed over the measured steps this is an identity up to the patients already
    queueing when measuring starts and still queueing when it ends; each of those
    shifts the sum by at most max_wait_steps + 1 steps. That bound, computed from
    the run itself, is the tolerance. A wait recorded one step too long or short
    (an off-by-one in ageing or admission) moves the two sides apart by the
    throughput, far outside it.
    """
    cfg = config(
        seed=3,
        sim={"days": 400, "step_days": 0.5, "warmup_days": 40, "max_wait_days": 5},
        demand={"scale": 0.99},  # near saturation: long queues, some patients lost
    )
    prov = providers([40, 25, 60], [10, 6, 14], [3.8, 4.0, 4.2],
                     kinds=["acute", "community", "social_care"])  # fmt: skip
    e = engine(prov, links([(0, 1), (0, 2)]), cfg)
    e.run()
    rows, w, dt = e.recorder.rows, e.warmup_steps, e.step_days
    measured = rows[w:]
    steps = len(measured)
    admitted = measured[:, ROW["admissions"]].sum()
    lost = measured[:, ROW["lost"]].sum()
    per_patient = e.max_wait_steps + 1  # steps a lost patient spent in the queue
    queue_steps = measured[:, ROW["wait_steps"]].sum() + lost * per_patient
    assert lost > 0 and measured[:, ROW["waiting"]].mean() > 5  # tested under load

    lam = (admitted + lost) / (steps * dt)  # patients leaving the queue per day
    wait = queue_steps * dt / (admitted + lost)  # mean days in the queue
    mean_queue = summarise(e)["mean_waiting"]
    boundary = (rows[w - 1, ROW["waiting"]] + rows[-1, ROW["waiting"]]) * per_patient / steps
    assert abs(mean_queue - lam * wait) <= boundary, (mean_queue, lam * wait, boundary)
    assert boundary < 0.05 * mean_queue  # tight enough to mean something
    assert boundary < admitted / steps  # an off-by-one in recorded waits would exceed it
