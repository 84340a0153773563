"""Mutual-aid mechanics shared by every policy: agreed transfers and loans, and friction.

Aid links are the links along which help can flow: between providers of the same
kind (an acute patient goes to an acute bed) within the policy's reach (usually
``aid.max_travel_minutes``; ``usual`` marks links within that limit). A policy
*agrees* help on aid links (``schedule``): ``grants[e]`` units from helper
``dst[e]`` to asker ``src[e]``, split by ``aid.kinds`` into

- **transfers**: the asker's oldest waiting patients join the helper's queue at
  the same age, so their wait counts from first arrival;
- **loans**: the helper's free staffed beds become the asker's capacity for
  ``aid.loan_days``. A helper lends only beds that are free when the loan starts;
  a borrower hands beds back as they come free (never turning a patient out), so
  occupied never exceeds capacity anywhere.

Help agreed between partners with trust t (mean of the two directions) starts
``aid.delay_days * (1 - t)^power / step`` steps later (nearest whole step, halves
up): until then the patients stay in their queue, still waiting and counted, and a
transfer shrinks if they were admitted at home meanwhile. Each unit costs
``aid.cost * (1 - t)^power + aid.cost_per_minute * minutes``. Lower trust, later
and dearer help: this is the trust dividend's mechanism.
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

# Per-link integer marks and scratch (rows of ``Aid.marks``).
MARKS = ("moved", "refused", "last_refused", "on_loan", "overdue", "now_transfers",
         "now_loans", "weights", "asks", "grants", "offers")  # fmt: skip
# Per-provider integer scratch (rows of ``Aid.per_provider``), filled by the pressure phase.
PER_PROVIDER = ("need", "reported", "asked", "room", "offer", "pending_out", "pending_in")
NEVER = -(2**40)  # "last refused" before any refusal


class Aid:
    """Aid links (grouped by asker and by helper), agreed help in flight and per-step marks."""

    def __init__(
        self, providers: Providers, links: Links, aid: Any, step_days: float, reach: float
    ) -> None:
        keep = (providers.kind[links.src] == providers.kind[links.dst]) & (
            links.travel_minutes <= max(reach, aid.max_travel_minutes)
        )
        src, dst = links.src[keep], links.dst[keep]
        order = np.lexsort((dst, src))
        self.index = np.flatnonzero(keep)[order].astype(np.int64)  # position in ``links``
        self.src = src[order].astype(np.int64)
        self.dst = dst[order].astype(np.int64)
        m, n = self.src.size, providers.n
        self.by_src = np.arange(m, dtype=np.int64)  # already sorted by asker
        self.src_start = group_starts(self.src, n)
        self.by_dst = np.argsort(self.dst, kind="stable").astype(np.int64)
        self.dst_start = group_starts(self.dst[self.by_dst], n)
        # the link in the other direction: its index in ``links`` (trust) and among aid links
        where = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(links.src, links.dst,
                                                                    strict=True))}  # fmt: skip
        pairs = list(zip(self.src.tolist(), self.dst.tolist(), strict=True))
        self.reverse = np.array([where.get((b, a), -1) for a, b in pairs], dtype=np.int64)
        position = {pair: e for e, pair in enumerate(pairs)}
        self.reverse_aid = np.array([position.get((b, a), -1) for a, b in pairs], dtype=np.int64)
        self.same_region = providers.region[self.src] == providers.region[self.dst]
        self.minutes = links.travel_minutes[self.index].astype(float)
        self.usual = self.minutes <= aid.max_travel_minutes
        self.delay_steps_max = int(math.ceil(aid.delay_days / step_days - 1e-9))
        self.loan_steps = max(1, int(round(aid.loan_days / step_days)))
        self.params = np.array(
            [aid.delay_days / step_days, aid.cost, aid.friction_power, aid.cost_per_minute]
        )
        self.loan_share = {"transfers": 0.0, "loans": 1.0, "both": aid.loan_share}[aid.kinds]
        # pending[kind, slot, e]: help agreed, starting at that step (0 transfers, 1 loans)
        self.pending = np.zeros((2, self.delay_steps_max + 1, m), dtype=np.int64)
        self.loan_due = np.zeros((self.loan_steps + 1, m), dtype=np.int64)  # loans ending
        self.helped = np.zeros(m, dtype=float)  # help dst[e] has given src[e] (units, remembered)
        self.marks = np.zeros((len(MARKS), m), dtype=np.int64)
        for i, name in enumerate(MARKS):
            setattr(self, name, self.marks[i])
        self.per_provider = np.zeros((len(PER_PROVIDER), n), dtype=np.int64)
        for i, name in enumerate(PER_PROVIDER):
            setattr(self, name, self.per_provider[i])

    def reset(self) -> None:
        """Nothing in flight, nothing remembered."""
        for a in (self.pending, self.loan_due, self.helped, self.marks, self.per_provider):
            a[:] = 0
        self.last_refused[:] = NEVER

    @property
    def size(self) -> int:
        return self.src.size

    # declared for readers and type checkers; set from MARKS and PER_PROVIDER above
    moved: np.ndarray  # units of help carried out this step on each link
    refused: np.ndarray  # 1: the helper visibly had room and refused the asker this step
    last_refused: np.ndarray  # step of the helper's last refusal
    on_loan: np.ndarray  # beds dst[e] has lent src[e] now
    overdue: np.ndarray  # loaned beds due back but still occupied by the borrower's patients
    now_transfers: np.ndarray
    now_loans: np.ndarray
    weights: np.ndarray
    asks: np.ndarray
    grants: np.ndarray
    offers: np.ndarray
    need: np.ndarray  # patients beyond free beds and help already agreed
    reported: np.ndarray  # what the provider reports of that need (candour)
    asked: np.ndarray  # what it asks for (0 below its asking threshold)
    room: np.ndarray  # free beds beyond its own queue and help already promised
    offer: np.ndarray  # room beyond the self-preservation reserve
    pending_out: np.ndarray  # help agreed for this provider, not yet started
    pending_in: np.ndarray  # help this provider agreed to give, not yet started


@njit(cache=True, error_model="numpy", inline="always")
def pair_trust(trust, index, reverse, e):
    """Trust between the two ends of aid link e: the mean of both directions."""
    t = trust[index[e]]
    r = reverse[e]
    return 0.5 * (t + trust[r]) if r >= 0 else t


@njit(cache=True, error_model="numpy")
def _move(queue, top, block, s, d, want, r_wait, r_out, r_in):  # fmt: skip
    """Move up to ``want`` of s's oldest waiting patients to d's queue; returns the number."""
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


# rows used by the aid kernels, in this order
AID_ROWS = tuple(ROW[r] for r in ("capacity", "occupied", "waiting", "lent", "borrowed",
                                   "transfers_out", "transfers_in", "loans_out", "loans_in",
                                   "aid_cost", "aid_minutes"))  # fmt: skip


@njit(cache=True, error_model="numpy")
def _carry_out(queue, top, block, src, dst, index, reverse, minutes, trust, transfers, loans,
               params, marks, helped, loan_due, loan_slot, rows):  # fmt: skip
    """Start ``transfers`` and ``loans`` on every aid link now; add what they cost."""
    r_cap, r_occ, r_wait, r_lent, r_borr, r_tout, r_tin, r_lout, r_lin, r_cost, r_min = rows
    moved, on_loan = marks[0], marks[3]
    cost, power, per_minute = params[1], params[2], params[3]
    for e in range(src.size):
        s, d = src[e], dst[e]
        k = 0
        if transfers[e] > 0:
            k = _move(queue, top, block, s, d, transfers[e], r_wait, r_tout, r_tin)
        if loans[e] > 0:  # the helper lends only beds that are free now
            lend = min(loans[e], max(block[r_cap, d] - block[r_occ, d], 0))
            if lend:
                block[r_cap, d] -= lend
                block[r_cap, s] += lend
                block[r_lent, d] += lend
                block[r_borr, s] += lend
                block[r_lout, d] += lend
                block[r_lin, s] += lend
                on_loan[e] += lend
                loan_due[loan_slot, e] += lend
                k += lend
        if k:
            moved[e] += k
            helped[e] += k
            distrust = 1.0 - pair_trust(trust, index, reverse, e)
            block[r_cost, s] += int(round(k * (cost * distrust**power + per_minute * minutes[e])))
            block[r_min, s] += int(round(k * minutes[e]))


@njit(cache=True, error_model="numpy")
def _return_loans(block, src, dst, marks, loan_due, row, rows):  # fmt: skip
    """Loans due now (and overdue ones) go back, as far as the borrower has free beds."""
    r_cap, r_occ, r_lent, r_borr = rows[0], rows[1], rows[3], rows[4]
    on_loan, overdue = marks[3], marks[4]
    for e in range(src.size):
        due = loan_due[row, e] + overdue[e]
        if due == 0:
            continue
        loan_due[row, e] = 0
        b, lender = src[e], dst[e]
        back = min(due, max(block[r_cap, b] - block[r_occ, b], 0))
        block[r_cap, b] -= back
        block[r_cap, lender] += back
        block[r_borr, b] -= back
        block[r_lent, lender] -= back
        on_loan[e] -= back
        overdue[e] = due - back


@njit(cache=True, error_model="numpy")
def _begin(queue, top, block, src, dst, index, reverse, minutes, trust, params, pending, t,
           marks, per_provider, helped, loan_due, loan_steps, rows):  # fmt: skip
    """Clear this step's flows and marks; loans due go back; help due now starts."""
    for r in rows[5:]:
        for i in range(block.shape[1]):
            block[r, i] = 0
    moved, refused, on_loan = marks[0], marks[1], marks[3]
    now_t, now_l = marks[5], marks[6]
    any_loans = False
    for e in range(src.size):
        moved[e] = 0
        refused[e] = 0
        if on_loan[e]:
            any_loans = True
    loan_slots = loan_due.shape[0]
    if any_loans:
        _return_loans(block, src, dst, marks, loan_due, t % loan_slots, rows)
    pending_out, pending_in = per_provider[5], per_provider[6]
    any_pending = False
    for i in range(pending_out.size):
        if pending_out[i]:
            any_pending = True
            break
    if not any_pending:
        return
    row = t % pending.shape[1]
    for e in range(src.size):
        a, b = pending[0, row, e], pending[1, row, e]
        now_t[e], now_l[e] = a, b
        if a or b:
            pending[0, row, e] = 0
            pending[1, row, e] = 0
            pending_out[src[e]] -= a + b
            pending_in[dst[e]] -= a + b
    _carry_out(queue, top, block, src, dst, index, reverse, minutes, trust, now_t, now_l, params,
               marks, helped, loan_due, (t + loan_steps) % loan_slots, rows)  # fmt: skip


def begin_aid(engine: Engine) -> None:
    """Start of the aid phase: clear this step's marks, end loans due, start help due."""
    aid, st = engine.aid, engine.state
    _begin(st.queue, engine.queue_top, st.block, aid.src, aid.dst, aid.index, aid.reverse,
           aid.minutes, engine.trust, aid.params, aid.pending, engine.t, aid.marks,
           aid.per_provider, aid.helped, aid.loan_due, aid.loan_steps, AID_ROWS)  # fmt: skip


@njit(cache=True, error_model="numpy")
def _schedule(grants, src, dst, index, reverse, trust, params, loan_share, pending, t,
              per_provider, now_t, now_l):  # fmt: skip
    """Book each agreed unit of help for the step its arrangement ends (0 delay: now)."""
    delay_steps, power = params[0], params[2]
    slots = pending.shape[1]
    pending_out, pending_in = per_provider[5], per_provider[6]
    for e in range(src.size):
        g = grants[e]
        now_t[e] = 0
        now_l[e] = 0
        if g <= 0:
            continue
        lend = int(math.floor(g * loan_share + 0.5))
        # nearest whole step, halves up (round() would send 0.5 to 0 at the default trust)
        d = int(
            math.floor(delay_steps * (1.0 - pair_trust(trust, index, reverse, e)) ** power + 0.5)
        )
        if d <= 0:
            now_t[e] = g - lend
            now_l[e] = lend
        else:
            slot = (t + d) % slots
            pending[0, slot, e] += g - lend
            pending[1, slot, e] += lend
            pending_out[src[e]] += g
            pending_in[dst[e]] += g


def schedule(engine: Engine, grants: np.ndarray) -> None:
    """Agree ``grants[e]`` units of help on each aid link; friction decides when it starts."""
    aid, st = engine.aid, engine.state
    _schedule(grants, aid.src, aid.dst, aid.index, aid.reverse, engine.trust, aid.params,
              aid.loan_share, aid.pending, engine.t, aid.per_provider, aid.now_transfers,
              aid.now_loans)  # fmt: skip
    slot = (engine.t + aid.loan_steps) % aid.loan_due.shape[0]
    _carry_out(st.queue, engine.queue_top, st.block, aid.src, aid.dst, aid.index, aid.reverse,
               aid.minutes, engine.trust, aid.now_transfers, aid.now_loans, aid.params,
               aid.marks, aid.helped, aid.loan_due, slot, AID_ROWS)  # fmt: skip
