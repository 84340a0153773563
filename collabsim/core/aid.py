"""Mutual-aid mechanics shared by every policy: agreed transfers, friction, trust updates.

Aid links are the links along which patients can be shared: between providers of
the same kind (an acute patient goes to an acute bed) within ``aid.max_travel_minutes``.
A policy *agrees* transfers on aid links (``Aid.schedule``). A transfer agreed between
partners with trust t (mean of the two directions) is carried out
``aid.delay_days * (1 - t)^power / step`` steps later (to the nearest whole step,
halves up): until then the patients
stay in their queue, still waiting and counted (and may be admitted at home, which
shrinks the transfer). When it is carried out, the sender's *oldest* waiting
patients join the partner's queue at the same age, so their wait counts from first
arrival. Each costs ``aid.cost * (1 - t)^power + aid.cost_per_minute * minutes``.
Lower trust, later and dearer help: this is the trust dividend's mechanism.

``update_trust`` (a phase after admission) then moves trust on every link: help
received raises the sender's trust in the helper, acknowledged generosity raises
the helper's trust in the sender, a refusal by a partner that visibly had room
lowers it, and everything drifts towards a baseline.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numba import njit

from collabsim.core.allocation import group_starts
from collabsim.core.state import ROW, Links, Providers

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


class Aid:
    """Aid links (grouped by sender and by receiver), pending transfers and per-step marks."""

    def __init__(self, providers: Providers, links: Links, aid: Any, step_days: float) -> None:
        keep = (providers.kind[links.src] == providers.kind[links.dst]) & (
            links.travel_minutes <= aid.max_travel_minutes
        )
        src, dst = links.src[keep], links.dst[keep]
        order = np.lexsort((dst, src))
        self.index = np.flatnonzero(keep)[order].astype(np.int64)  # position in ``links``
        self.src = src[order].astype(np.int64)
        self.dst = dst[order].astype(np.int64)
        self.by_src = np.arange(self.src.size, dtype=np.int64)  # already sorted by sender
        self.src_start = group_starts(self.src, providers.n)
        self.by_dst = np.argsort(self.dst, kind="stable").astype(np.int64)
        self.dst_start = group_starts(self.dst[self.by_dst], providers.n)
        # the link in the other direction (its index in ``links``), -1 if there is none
        where = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(links.src, links.dst,
                                                                    strict=True))}  # fmt: skip
        self.reverse = np.array(
            [where.get((int(b), int(a)), -1) for a, b in zip(self.src, self.dst, strict=True)],
            dtype=np.int64,
        )
        self.same_region = providers.region[self.src] == providers.region[self.dst]
        self.minutes = links.travel_minutes[self.index].astype(float)
        self.delay_steps_max = int(math.ceil(aid.delay_days / step_days - 1e-9))
        self.params = np.array(
            [aid.delay_days / step_days, aid.cost, aid.friction_power, aid.cost_per_minute]
        )
        m, n = self.src.size, providers.n
        self.pending = np.zeros((self.delay_steps_max + 1, m), dtype=np.int64)
        self.pending_out = np.zeros(n, dtype=np.int64)  # agreed, not yet carried out
        self.pending_in = np.zeros(n, dtype=np.int64)
        self.moved = np.zeros(m, dtype=np.int64)  # carried out this step, per aid link
        self.refused = np.zeros(m, dtype=np.int64)  # 1: the partner had room and said no
        # scratch for policies
        self.weights = np.zeros(m, dtype=np.int64)
        self.asks = np.zeros(m, dtype=np.int64)
        self.grants = np.zeros(m, dtype=np.int64)
        self.now = np.zeros(m, dtype=np.int64)  # agreed with no delay: carried out at once
        self.need = np.zeros(n, dtype=np.int64)  # per provider: patients to place elsewhere
        self.spare = np.zeros(n, dtype=np.int64)  # per provider: beds beyond its own queue
        self.offer = np.zeros(n, dtype=np.int64)

    def reset(self, trust: Any, step_days: float) -> None:
        """Clear pending transfers and marks; take the trust rules (they may be changed
        between runs, e.g. by a test or the dashboard)."""
        for a in (self.pending, self.pending_out, self.pending_in, self.moved, self.refused):
            a[:] = 0
        self.trust_gains = (trust.help_gain, trust.generosity_gain, trust.refusal_loss)
        self.trust_drift = 1.0 - (1.0 - trust.drift_per_day) ** step_days
        self.trust_baseline = trust.baseline
        self.trust_settled = False  # the engine sets it once trust is initialised

    @property
    def size(self) -> int:
        return self.src.size


@njit(cache=True, error_model="numpy", inline="always")
def pair_trust(trust, index, reverse, e):
    """Trust between the two ends of aid link e: the mean of both directions."""
    t = trust[index[e]]
    r = reverse[e]
    return 0.5 * (t + trust[r]) if r >= 0 else t


@njit(cache=True, error_model="numpy")
def _move(queue, top, block, s, d, want, rows):  # fmt: skip
    """Move up to ``want`` of s's oldest waiting patients to d's queue; returns the number."""
    r_wait, r_out, r_in = rows
    moved = 0
    a = top - 1
    while want > 0 and a >= 0:
        take = min(queue[a, s], want)
        if take:
            queue[a, s] -= take
            queue[a, d] += take
            want -= take
            moved += take
        a -= 1
    block[r_wait, s] -= moved
    block[r_wait, d] += moved
    block[r_out, s] += moved
    block[r_in, d] += moved
    return moved


@njit(cache=True, error_model="numpy")
def _carry_out(queue, top, block, src, dst, index, reverse, minutes, trust, amounts, params,
               moved, rows):  # fmt: skip
    """Carry out ``amounts`` on every aid link now; add what moved and what it cost."""
    r_wait, r_out, r_in, r_cost = rows
    cost, power, per_minute = params[1], params[2], params[3]
    for e in range(src.size):
        if amounts[e] > 0:
            k = _move(queue, top, block, src[e], dst[e], amounts[e], (r_wait, r_out, r_in))
            if k:
                moved[e] += k
                distrust = 1.0 - pair_trust(trust, index, reverse, e)
                unit = cost * distrust**power + per_minute * minutes[e]
                block[r_cost, src[e]] += int(round(k * unit))


@njit(cache=True, error_model="numpy")
def _schedule(grants, src, dst, index, reverse, trust, params, pending, t, pending_out,
              pending_in, now):  # fmt: skip
    """Book each agreed transfer for the step its arrangement ends; 0-delay ones go in ``now``."""
    delay_steps, power = params[0], params[2]
    slots = pending.shape[0]
    for e in range(src.size):
        g = grants[e]
        now[e] = 0
        if g <= 0:
            continue
        # nearest whole step, halves up (round() would send 0.5 to 0 at the default trust)
        d = int(
            math.floor(delay_steps * (1.0 - pair_trust(trust, index, reverse, e)) ** power + 0.5)
        )
        if d <= 0:
            now[e] = g
        else:
            pending[(t + d) % slots, e] += g
            pending_out[src[e]] += g
            pending_in[dst[e]] += g


@njit(cache=True, error_model="numpy")
def _due(pending, t, src, dst, pending_out, pending_in, out):  # fmt: skip
    """Take this step's row of agreed transfers off the books, into ``out``."""
    row = t % pending.shape[0]
    for e in range(src.size):
        g = pending[row, e]
        out[e] = g
        if g:
            pending[row, e] = 0
            pending_out[src[e]] -= g
            pending_in[dst[e]] -= g


AID_ROWS = (ROW["waiting"], ROW["transfers_out"], ROW["transfers_in"], ROW["aid_cost"])


@njit(cache=True, error_model="numpy")
def _begin(queue, top, block, src, dst, index, reverse, minutes, trust, params, pending, t,
           pending_out, pending_in, now, moved, refused, rows):  # fmt: skip
    r_wait, r_out, r_in, r_cost = rows
    for i in range(block.shape[1]):
        block[r_out, i] = 0
        block[r_in, i] = 0
        block[r_cost, i] = 0
    any_pending = False
    for e in range(src.size):
        moved[e] = 0
        refused[e] = 0
    for i in range(pending_out.size):
        if pending_out[i]:
            any_pending = True
            break
    if any_pending:
        _due(pending, t, src, dst, pending_out, pending_in, now)
        _carry_out(queue, top, block, src, dst, index, reverse, minutes, trust, now, params,
                   moved, rows)  # fmt: skip


def begin_aid(engine: Engine) -> None:
    """Start of the aid phase: clear this step's marks, carry out transfers now due."""
    aid, st = engine.aid, engine.state
    _begin(st.queue, engine.queue_top, st.block, aid.src, aid.dst, aid.index, aid.reverse,
           aid.minutes, engine.trust, aid.params, aid.pending, engine.t, aid.pending_out,
           aid.pending_in, aid.now, aid.moved, aid.refused, AID_ROWS)  # fmt: skip


def schedule(engine: Engine, grants: np.ndarray) -> None:
    """Agree ``grants[e]`` transfers on each aid link; friction decides when they happen."""
    aid, st = engine.aid, engine.state
    _schedule(grants, aid.src, aid.dst, aid.index, aid.reverse, engine.trust, aid.params,
              aid.pending, engine.t, aid.pending_out, aid.pending_in, aid.now)  # fmt: skip
    _carry_out(st.queue, engine.queue_top, st.block, aid.src, aid.dst, aid.index, aid.reverse,
               aid.minutes, engine.trust, aid.now, aid.params, aid.moved, AID_ROWS)  # fmt: skip


@njit(cache=True, error_model="numpy")
def _update_trust(trust, index, reverse, moved, refused, gains, drift, baseline,
                  settled):  # fmt: skip
    """Returns (mean trust, settled): settled while every link sits at the baseline."""
    help_gain, generosity_gain, refusal_loss = gains
    for e in range(index.size):
        if moved[e] or refused[e]:
            settled = False
            break
    if settled:  # nothing to drift and nothing happened: trust is unchanged
        return baseline, True
    for e in range(index.size):
        i = index[e]
        if moved[e]:
            trust[i] += help_gain * (1.0 - trust[i])  # the sender trusts its helper more
            r = reverse[e]
            if r >= 0:
                trust[r] += generosity_gain * (1.0 - trust[r])  # and the helper the sender
        if refused[e]:
            trust[i] -= refusal_loss * trust[i]
    total = 0.0
    for i in range(trust.size):
        trust[i] += drift * (baseline - trust[i])
        total += trust[i]
    return total / trust.size, False


def update_trust(engine: Engine) -> None:
    """Trust after this step's help, refusals and drift; kept in [0, 1] by construction."""
    if not engine.trust.size:
        return
    aid = engine.aid
    engine.trust_mean, aid.trust_settled = _update_trust(
        engine.trust, aid.index, aid.reverse, aid.moved, aid.refused, aid.trust_gains,
        aid.trust_drift, aid.trust_baseline, aid.trust_settled,
    )  # fmt: skip
