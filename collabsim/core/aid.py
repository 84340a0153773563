"""Mutual-aid mechanics shared by every policy: agreed transfers and loans, and friction.

Aid links are the links along which help can flow: between providers of the same
kind (an acute patient goes to an acute bed) within the policy's reach (usually
``aid.max_travel_minutes``; ``usual`` marks links within that limit). A policy
*agrees* help on aid links (``schedule``): ``grants[e]`` units from helper
``dst[e]`` to asker ``src[e]``, split by ``aid.kinds`` into

- **transfers**: the asker's oldest waiting patients join the helper's queue at
  the same age, so their wait counts from first arrival (each in the helper's bed
  pool with most room);
- **loans**: the helper's free staffed beds become the asker's capacity for
  ``aid.loan_days``. A helper lends only beds that are free when the loan starts;
  a borrower hands beds back as they come free (never turning a patient out), so
  occupied never exceeds capacity anywhere.

Help agreed between partners with trust t (mean of the two directions) starts
``aid.delay_days * (1 - t)^power / step`` steps later on average (the whole part, plus
one step with probability the fraction: ``arrangement_steps``), at whatever step that
is: until then the patients stay in their queue, still waiting and counted, and a
transfer shrinks if they were admitted at home meanwhile. Each unit costs
``aid.cost * (1 - t)^power + aid.cost_per_minute * minutes``. Lower trust, later
and dearer help: the haggling channel of the trust dividend (ODD 7.13; the others act
in ``collabsim.core.pressure``, the policies and ``collabsim.core.trust``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numba import njit

from collabsim.core.allocation import group_starts
from collabsim.core.kernel import compiled, packed
from collabsim.core.phase import Phase
from collabsim.core.pools import add_beds, gather, take_free_beds
from collabsim.core.random import uniform
from collabsim.core.state import Links, Providers, flow, level

if TYPE_CHECKING:
    pass

NEVER = -(2**40)  # "last refused" before any refusal


class AidLinks(NamedTuple):
    """The links help can flow along, sorted by asker ``src`` (help goes dst -> src)."""

    src: np.ndarray  # the asker
    dst: np.ndarray  # the helper
    index: np.ndarray  # position in ``Links`` (and in ``engine.trust``): src's trust in dst
    reverse: np.ndarray  # position in ``Links`` of dst -> src (-1: none)
    reverse_aid: np.ndarray  # position among aid links of dst -> src (-1: none)
    by_src: np.ndarray  # aid links in asker order (they are sorted so)
    src_start: np.ndarray  # offsets of each provider's links as asker in ``by_src``
    by_dst: np.ndarray  # aid links in helper order
    dst_start: np.ndarray  # offsets of each provider's links as helper in ``by_dst``
    minutes: np.ndarray  # travel minutes
    usual: np.ndarray  # bool: within aid.max_travel_minutes
    same_region: np.ndarray  # bool: both ends in one region


class LinkMarks(NamedTuple):
    """Per aid link: what happened since the last trust update, loans outstanding, what
    the pressure phase found (``ask``, ``willing``), and the policies' scratch
    (``weights``, ``asks``, ``offers``, ``grants``: any policy may overwrite them)."""

    moved: np.ndarray  # units of help carried out since the last trust update
    refused: np.ndarray  # 1: the helper visibly had room and refused the asker
    last_refused: np.ndarray  # step of the helper's last refusal
    on_loan: np.ndarray  # beds dst has lent src now
    overdue: np.ndarray  # loaned beds due back but still occupied by the borrower's patients
    now_transfers: np.ndarray  # transfers starting now
    now_loans: np.ndarray  # loans starting now
    ask: np.ndarray  # what src asks of dst now (candour towards dst; collabsim.core.pressure)
    willing: np.ndarray  # the most dst would give src now (its trust in src)
    weights: np.ndarray
    asks: np.ndarray
    offers: np.ndarray
    grants: np.ndarray


class Needs(NamedTuple):
    """Per provider, filled by the pressure phase for the policy to read."""

    need: np.ndarray  # patients beyond free beds and help already agreed
    reported: np.ndarray  # what the provider reports of that need (candour)
    asked: np.ndarray  # what it asks for (0 below its asking threshold)
    room: np.ndarray  # free beds beyond its own queue and help already promised
    offer: np.ndarray  # room beyond the self-preservation reserve
    pending_out: np.ndarray  # help agreed for this provider, not yet started
    pending_in: np.ndarray  # help this provider agreed to give, not yet started


class Friction(NamedTuple):
    """The cost of distrust (haggling): help between partners with trust t starts
    ``delay * (1 - t)^power`` steps later (rounded up with probability the fraction, so
    the mean delay is exact and continuous in trust) and costs
    ``cost * (1 - t)^power + per_minute * minutes`` a unit. With the haggling channel off
    every pair haggles as at the neutral trust."""

    delay: float  # steps, with no trust
    cost: float
    power: float
    per_minute: float
    neutral: float
    on: bool  # whether trust sets the friction (channels.off lacks "haggling")


class InFlight(NamedTuple):
    """Help agreed but not started, and loans by the step they end."""

    pending: np.ndarray  # [kind, slot, link]: kind 0 transfers, 1 loans; slot = step % slots
    loan_due: np.ndarray  # [slot, link]: beds due back at that step


class AidRows(NamedTuple):
    capacity: np.ndarray
    occupied: np.ndarray
    waiting: np.ndarray
    lent: np.ndarray
    borrowed: np.ndarray
    transfers_out: np.ndarray
    transfers_in: np.ndarray
    loans_out: np.ndarray
    loans_in: np.ndarray
    aid_cost: np.ndarray
    aid_minutes: np.ndarray


def _zeros(kind: type, size: int, dtype: Any = np.int64) -> Any:
    """A named tuple of rows of one zeroed 2-D block (so one assignment resets them all)."""
    block = np.zeros((len(kind._fields), size), dtype=dtype)  # type: ignore[attr-defined]
    return kind(*block), block


class Aid:
    """Aid links (grouped by asker and by helper), agreed help in flight and per-step marks."""

    def __init__(
        self,
        providers: Providers,
        links: Links,
        aid: Any,
        clock: Any,
        reach: float,
        channels: Any,
    ) -> None:
        keep = (providers.kind[links.src] == providers.kind[links.dst]) & (
            links.travel_minutes <= max(reach, aid.max_travel_minutes)
        )
        src, dst = links.src[keep], links.dst[keep]
        order = np.lexsort((dst, src))
        index = np.flatnonzero(keep)[order].astype(np.int64)  # position in ``links``
        src = src[order].astype(np.int64)
        dst = dst[order].astype(np.int64)
        m, n = src.size, providers.n
        by_dst = np.argsort(dst, kind="stable").astype(np.int64)
        # the link in the other direction: its index in ``links`` (trust) and among aid links
        where = {
            (int(a), int(b)): i for i, (a, b) in enumerate(zip(links.src, links.dst, strict=True))
        }
        pairs = list(zip(src.tolist(), dst.tolist(), strict=True))
        position = {pair: e for e, pair in enumerate(pairs)}
        minutes = links.travel_minutes[index].astype(float)
        self.links = AidLinks(
            src=src,
            dst=dst,
            index=index,
            reverse=np.array([where.get((b, a), -1) for a, b in pairs], dtype=np.int64),
            reverse_aid=np.array([position.get((b, a), -1) for a, b in pairs], dtype=np.int64),
            by_src=np.arange(m, dtype=np.int64),
            src_start=group_starts(src, n),
            by_dst=by_dst,
            dst_start=group_starts(dst[by_dst], n),
            minutes=minutes,
            usual=minutes <= aid.max_travel_minutes,
            same_region=providers.region[src] == providers.region[dst],
        )
        self.configure(aid, clock, channels)
        self.helped = np.zeros(m, dtype=float)  # help dst[e] has given src[e] (units, remembered)
        self.marks, self._marks = _zeros(LinkMarks, m)
        self.needs, self._needs = _zeros(Needs, n)

    def configure(self, aid: Any, clock: Any, channels: Any) -> None:
        """Friction, loans and the rings of help in flight from the settings (at build and
        at every reset, so a changed setting takes effect at the next reset)."""
        m = self.links.src.size
        # help agreed at a decision starts after its delay, at any step; loans last
        # loan_days to the nearest step
        delay_steps_max = clock.steps_at_least(aid.delay_days)
        self.loan_steps = max(1, clock.steps(aid.loan_days))
        self.friction = Friction(
            aid.delay_days / clock.step_days,
            aid.cost,
            aid.friction_power,
            aid.cost_per_minute,
            channels.neutral,
            "haggling" not in channels.off,
        )
        self.loan_share = {"transfers": 0.0, "loans": 1.0, "both": aid.loan_share}[aid.kinds]
        self.in_flight = InFlight(
            np.zeros((2, delay_steps_max + 1, m), dtype=np.int64),
            np.zeros((self.loan_steps + 1, m), dtype=np.int64),
        )

    def reset(self, state: Any, trust: np.ndarray, pools: Any, rng: np.ndarray) -> None:
        """Nothing in flight, nothing remembered; the aid kernels' arguments for this
        replication's state and trust."""
        for a in (*self.in_flight, self.helped, self._marks, self._needs):
            a[:] = 0
        self.marks.last_refused[:] = NEVER
        self.rows = state.bundle(AidRows)
        # What the aid kernels work on, in their order: the queue, the bed pools
        # (collabsim.core.pools) and their beds, the aid
        # rows, links, trust and friction, help in flight, marks, needs, memory of help.
        self.args = packed(
            state.queue,
            pools,
            state.beds,
            self.rows,
            self.links,
            trust,
            self.friction,
            self.in_flight,
            self.marks,
            self.needs,
            self.helped,
            self.loan_steps,
            rng,
        )

    @property
    def size(self) -> int:
        return self.links.src.size


@njit(cache=True, error_model="numpy", inline="always")
def pair_trust(trust, index, reverse, e):
    """Trust between the two ends of aid link e: the mean of both directions (``index``
    and ``reverse`` of the aid links)."""
    t = trust[index[e]]
    r = reverse[e]
    return 0.5 * (t + trust[r]) if r >= 0 else t


@njit(cache=True, error_model="numpy")
def arrangement_steps(rng, x):
    """Whole steps for an arrangement that takes ``x`` steps on average (haggling): the
    whole part, plus one with probability the fraction (from ``rng``), so the mean delay
    is exactly ``x``, continuous in trust, at any step length."""
    d = int(x)
    if x > d and uniform(rng) < x - d:
        d += 1
    return d


@njit(cache=True, error_model="numpy", inline="always")
def distrust(trust, links, friction, e):
    """1 - the pair's trust on aid link e, as haggling sees it (the neutral trust when the
    haggling channel is off)."""
    if not friction.on:
        return 1.0 - friction.neutral
    return 1.0 - pair_trust(trust, links.index, links.reverse, e)


@njit(cache=True, error_model="numpy")
def _move(queue, pools, beds, rows, s, d, want, t):
    """Move up to ``want`` of s's oldest waiting patients to d's queue, keeping their
    arrival step; each joins the pool of d with most room (free beds less the patients
    already waiting there). Returns the number moved."""
    waiting = rows.waiting
    transfers_out = rows.transfers_out
    transfers_in = rows.transfers_in
    first = pools.first
    pool_waiting = beds.waiting
    start = beds.start
    ring = queue.shape[1]
    s0, s1, d0, d1 = first[s], first[s + 1], first[d], first[d + 1]
    step = t + 1  # the arrival step of s's oldest waiting patient
    for u in range(s0, s1):
        if pool_waiting[u]:
            step = min(step, start[u])
    moved = 0
    while want > 0 and step <= t:
        slot = step % ring
        for u in range(s0, s1):
            take = min(queue[u, slot], want)
            for _ in range(take):
                v = _roomiest(beds, d0, d1)
                # an empty pool's start is stale (collabsim.core.admission)
                start[v] = min(start[v], step) if pool_waiting[v] else step
                queue[u, slot] -= 1
                queue[v, slot] += 1
                pool_waiting[u] -= 1
                pool_waiting[v] += 1
            want -= take
            moved += take
        step += 1
    gather(first, pool_waiting, waiting, s)
    gather(first, pool_waiting, waiting, d)
    transfers_out[s] += moved
    transfers_in[d] += moved
    return moved


@njit(cache=True, error_model="numpy", inline="always")
def _roomiest(beds, lo, hi):
    """Of pools lo:hi, the one with most free beds beyond its own queue (the first on a tie)."""
    best, most = lo, beds.capacity[lo] - beds.occupied[lo] - beds.waiting[lo]
    for v in range(lo + 1, hi):
        room = beds.capacity[v] - beds.occupied[v] - beds.waiting[v]
        if room > most:
            best, most = v, room
    return best


@njit(cache=True, error_model="numpy")
def _carry_out(
    queue, pools, beds, rows, links, trust, friction, marks, helped, loan_due, loan_slot, t
):
    """Start ``marks.now_transfers`` and ``marks.now_loans`` on every aid link now; add what
    they cost."""
    capacity = rows.capacity
    occupied = rows.occupied
    lent = rows.lent
    borrowed = rows.borrowed
    loans_out = rows.loans_out
    loans_in = rows.loans_in
    aid_cost = rows.aid_cost
    aid_minutes = rows.aid_minutes
    src = links.src
    dst = links.dst
    minutes = links.minutes
    cost = friction.cost
    power = friction.power
    per_minute = friction.per_minute
    now_transfers = marks.now_transfers
    now_loans = marks.now_loans
    on_loan = marks.on_loan
    moved = marks.moved
    first = pools.first
    pool_capacity = beds.capacity
    for e in range(src.size):
        s, d = src[e], dst[e]
        k = 0
        if now_transfers[e] > 0:
            k = _move(queue, pools, beds, rows, s, d, now_transfers[e], t)
        if now_loans[e] > 0:  # the helper lends only beds that are free now (in its pools)
            lend = min(now_loans[e], max(capacity[d] - occupied[d], 0))
            lend = take_free_beds(beds, first, d, lend)
            if lend:
                add_beds(beds, first, s, lend)
                gather(first, pool_capacity, capacity, d)
                gather(first, pool_capacity, capacity, s)
                lent[d] += lend
                borrowed[s] += lend
                loans_out[d] += lend
                loans_in[s] += lend
                on_loan[e] += lend
                loan_due[loan_slot, e] += lend
                k += lend
        if k:
            moved[e] += k
            helped[e] += k
            apart = distrust(trust, links, friction, e)
            aid_cost[s] += int(round(k * (cost * apart**power + per_minute * minutes[e])))
            aid_minutes[s] += int(round(k * minutes[e]))


@njit(cache=True, error_model="numpy")
def _return_loans(pools, beds, rows, links, marks, loan_due, slot):
    """Loans due now (and overdue ones) go back, as far as the borrower has free beds."""
    capacity = rows.capacity
    occupied = rows.occupied
    borrowed = rows.borrowed
    lent = rows.lent
    src = links.src
    dst = links.dst
    overdue = marks.overdue
    on_loan = marks.on_loan
    first = pools.first
    pool_capacity = beds.capacity
    for e in range(src.size):
        due = loan_due[slot, e] + overdue[e]
        if due == 0:
            continue
        loan_due[slot, e] = 0
        b, lender = src[e], dst[e]
        back = min(due, max(capacity[b] - occupied[b], 0))
        back = take_free_beds(beds, first, b, back)
        add_beds(beds, first, lender, back)
        gather(first, pool_capacity, capacity, b)
        gather(first, pool_capacity, capacity, lender)
        borrowed[b] -= back
        lent[lender] -= back
        on_loan[e] -= back
        overdue[e] = due - back


@njit(cache=True, error_model="numpy")
def _begin(
    queue,
    pools,
    beds,
    rows,
    links,
    trust,
    friction,
    in_flight,
    marks,
    needs,
    helped,
    loan_steps,
    rng,
    t,
):
    """Clear this step's flows; loans due go back; help due now starts (every step: help
    agreed at a decision starts whenever its delay ends)."""
    src = links.src
    dst = links.dst
    pending = in_flight.pending
    loan_due = in_flight.loan_due
    on_loan = marks.on_loan
    now_transfers = marks.now_transfers
    now_loans = marks.now_loans
    pending_out = needs.pending_out
    pending_in = needs.pending_in
    _clear_flows(rows)
    any_loans = False
    for e in range(src.size):
        if on_loan[e]:
            any_loans = True
            break
    loan_slots = loan_due.shape[0]
    if any_loans:
        _return_loans(pools, beds, rows, links, marks, loan_due, t % loan_slots)
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
        now_transfers[e], now_loans[e] = a, b
        if a or b:
            pending[0, row, e] = 0
            pending[1, row, e] = 0
            pending_out[src[e]] -= a + b
            pending_in[dst[e]] -= a + b
    _carry_out(
        queue,
        pools,
        beds,
        rows,
        links,
        trust,
        friction,
        marks,
        helped,
        loan_due,
        (t + loan_steps) % loan_slots,
        t,
    )


@njit(cache=True, error_model="numpy")
def _clear_flows(rows):
    """This step's aid flows start at zero (every step: help may start at any step)."""
    capacity = rows.capacity
    transfers_out = rows.transfers_out
    transfers_in = rows.transfers_in
    loans_out = rows.loans_out
    loans_in = rows.loans_in
    aid_cost = rows.aid_cost
    aid_minutes = rows.aid_minutes
    for i in range(capacity.size):
        transfers_out[i] = 0
        transfers_in[i] = 0
        loans_out[i] = 0
        loans_in[i] = 0
        aid_cost[i] = 0
        aid_minutes[i] = 0


@njit(cache=True, error_model="numpy")
def _agree(
    grants,
    queue,
    pools,
    beds,
    rows,
    links,
    trust,
    friction,
    in_flight,
    marks,
    needs,
    helped,
    loan_steps,
    rng,
    loan_share,
    t,
):
    """Book each agreed unit of help for the step its arrangement ends; help with no delay
    starts now."""
    src = links.src
    dst = links.dst
    delay = friction.delay
    power = friction.power
    pending = in_flight.pending
    loan_due = in_flight.loan_due
    now_transfers = marks.now_transfers
    now_loans = marks.now_loans
    pending_out = needs.pending_out
    pending_in = needs.pending_in
    slots = pending.shape[1]
    for e in range(src.size):
        g = grants[e]
        now_transfers[e] = 0
        now_loans[e] = 0
        if g <= 0:
            continue
        lend = int(math.floor(g * loan_share + 0.5))
        d = arrangement_steps(rng, delay * distrust(trust, links, friction, e) ** power)
        if d <= 0:
            now_transfers[e] = g - lend
            now_loans[e] = lend
        else:
            slot = (t + d) % slots
            pending[0, slot, e] += g - lend
            pending[1, slot, e] += lend
            pending_out[src[e]] += g
            pending_in[dst[e]] += g
    loan_slot = (t + loan_steps) % loan_due.shape[0]
    _carry_out(
        queue, pools, beds, rows, links, trust, friction, marks, helped, loan_due, loan_slot, t
    )


class BeginAid(Phase):
    """Start of the aid phase, every step: clear this step's flows, end loans due, start
    help due (the marks ``moved`` and ``refused`` are cleared by the trust update)."""

    name = "begin_aid"
    rows = (
        level(
            "lent", "staffed beds this provider has lent to partners (out of its capacity)", "beds"
        ),
        level("borrowed", "staffed beds borrowed from partners (part of its capacity)", "beds"),
        flow("transfers_out", "waiting patients sent to a partner by mutual aid"),
        flow("transfers_in", "waiting patients received by mutual aid"),
        flow("loans_out", "staffed beds lent to partners, starting this step", "beds"),
        flow("loans_in", "staffed beds borrowed from partners, starting this step", "beds"),
        flow(
            "aid_cost", "cost of the transfers and loans begun this step (paid by the asker)", "GBP"
        ),
        flow(
            "aid_minutes",
            "travel minutes of this step's transfers (per patient) and loans (per bed)",
            "minutes",
        ),
    )

    def reset(self) -> None:
        aid = self.engine.aid
        self.kernel = compiled(_begin, *aid.args, 0)

    def __call__(self) -> None:
        e = self.engine
        self.kernel(*e.aid.args, e.t)


class MutualAid(Phase):
    """The policy decides; the help it agrees starts after the friction delay set by trust.

    A policy's ``step`` returns the units of help agreed on each aid link (``grants``),
    or None when it agreed nothing; booking and carrying out help is done here, the
    same way for every policy."""

    name = "mutual_aid"

    def reset(self) -> None:
        aid = self.engine.aid
        self.kernel = compiled(_agree, aid.marks.grants, *aid.args, aid.loan_share, 0)

    def __call__(self) -> None:
        e = self.engine
        if not e.clock.deciding(e.t):
            return
        grants = e.policy.step(e)
        if grants is not None:
            self.agree(grants)

    def agree(self, grants: np.ndarray) -> None:
        """Agree ``grants[e]`` units of help on each aid link (int64, one per link)."""
        aid = self.engine.aid
        grants = np.ascontiguousarray(grants, dtype=np.int64)  # the type the kernel expects
        self.kernel(grants, *aid.args, aid.loan_share, self.engine.t)
