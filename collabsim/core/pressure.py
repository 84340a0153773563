"""Pressure and requests: what each provider needs, admits to, asks for and can spare.

After help due this step has started, and before the policy decides, every provider's

- **need** is its waiting patients beyond its free beds and the help already agreed
  for it (true pressure);
- **room** is its free beds beyond its own queue and the help it already promised;
- **offer** is room beyond its self-preservation reserve
  ``round(min(1, self_preservation x (1 + financial pressure)) x reserve_share x capacity)``.

Trust acts on what providers do (``config.channels``, ODD 7.13):

- **asking and telling**: towards a partner it trusts ``t``, a provider's candour is
  ``c' = clip(candour + telling x (t - neutral))``; it asks that partner for
  ``round(c' x need)`` once its pressure ``(occupied + waiting) / capacity`` is above
  ``aid.ask_threshold + (1 - c') x candour.late`` (``marks.ask``): it asks those it trusts
  earlier and for more. ``asked`` is the most it asked of anyone; **reported** need (all a
  coordinator sees: ``ics_pool`` and friends) is ``round(c' x need)`` with ``t`` its mean
  trust in its usual partners (the system around it);
- **offering**: what a helper would give a partner it trusts ``t`` (``marks.willing``):
  none of its offer at ``refuse_below`` or less, all of it from ``neutral`` up (linearly
  between), and above neutral also up to ``generosity`` of the free beds its reserve keeps
  back (all of that at full trust).

Hidden pressure (need not asked for) is found out by partners with probability
``1 - (1 - candour.discovery_per_day)^decision_days`` per decision (the ``behaviour``
stream); each partner's trust in the provider then falls by
``trust.hidden_loss x hidden / need`` of itself.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from collabsim.core.kernel import compiled, packed
from collabsim.core.phase import Phase
from collabsim.core.random import uniform
from collabsim.core.state import flow
from collabsim.core.traits import financial_pressure


class PressureRows(NamedTuple):
    capacity: np.ndarray
    occupied: np.ndarray
    waiting: np.ndarray
    need: np.ndarray
    asked: np.ndarray
    discoveries: np.ndarray


class Asking(NamedTuple):
    """When providers ask, what they keep back, and what hiding costs them."""

    threshold: float  # pressure above which a fully candid provider asks
    late: float  # extra pressure borne before asking, at no candour
    reserve_share: float  # share of capacity kept back at full self-preservation
    discover: float  # chance per step that hidden pressure is found out
    hidden_loss: float  # share of partners' trust lost when all need was hidden


class Channels(NamedTuple):
    """How trust acts on offering and telling (``config.channels``): a channel that is
    off reads the neutral trust instead of the real one."""

    neutral: float
    refuse_below: float
    generosity: float
    telling: float
    offering_on: bool
    telling_on: bool


@njit(cache=True, error_model="numpy", inline="always")
def candour_towards(candour, trust, channels):
    """Candour towards a partner (or a coordinator) trusted ``trust``: the trait, moved by
    ``telling`` x (trust - neutral), within [0, 1]."""
    if not channels.telling_on:
        return candour
    return min(max(candour + channels.telling * (trust - channels.neutral), 0.0), 1.0)


@njit(cache=True, error_model="numpy", inline="always")
def willing(offer, kept, trust, channels):
    """What a helper offers a partner it trusts ``trust``, having ``offer`` beds beyond its
    self-preservation reserve and ``kept`` free beds inside it: none of the offer at
    ``refuse_below`` or less, all of it from neutral trust up, linearly between; above
    neutral trust also up to ``generosity`` of the kept beds (all of that at full trust)."""
    t = trust if channels.offering_on else channels.neutral
    lo, mid = channels.refuse_below, channels.neutral
    if t >= mid:  # first: with refuse_below = neutral, neutral trust still gives the offer
        share = 1.0
    elif t <= lo:
        share = 0.0
    else:
        share = (t - lo) / (mid - lo)
    give = share * offer
    if t > mid and mid < 1.0:
        give += channels.generosity * (t - mid) / (1.0 - mid) * kept
    return int(give + 0.5)


@njit(cache=True, error_model="numpy")
def _pressure(
    rows, needs, candour, self_preservation, asking, keep_factor, rng, trust, links, marks, channels
):
    """Fills need, reported, asked, room and offer per provider and, per aid link, what the
    asker asks and what the helper is willing to give; returns whether trust changed."""
    capacity = rows.capacity
    occupied = rows.occupied
    rows_waiting = rows.waiting
    rows_need = rows.need
    rows_asked = rows.asked
    discoveries = rows.discoveries
    need = needs.need
    reported = needs.reported
    asked = needs.asked
    room = needs.room
    offer = needs.offer
    pending_out = needs.pending_out
    pending_in = needs.pending_in
    reserve_share = asking.reserve_share
    threshold = asking.threshold
    late = asking.late
    discover = asking.discover
    hidden_loss = asking.hidden_loss
    src = links.src
    dst = links.dst
    src_start = links.src_start
    dst_start = links.dst_start
    index = links.index
    reverse = links.reverse
    usual = links.usual
    by_dst = links.by_dst
    ask = marks.ask
    will = marks.willing
    for i in range(capacity.size):
        cap, occ, waiting = capacity[i], occupied[i], rows_waiting[i]
        free = max(cap - occ, 0)
        need[i] = max(waiting - free - pending_out[i], 0)
        room[i] = max(free - waiting - pending_in[i], 0)
        keep = min(1.0, self_preservation[i] * keep_factor) * reserve_share
        offer[i] = max(room[i] - int(round(keep * cap)), 0)
    for e in range(src.size):  # what each helper would give each partner, by its trust in it
        d = dst[e]
        r = reverse[e]
        helper_trust = trust[r] if r >= 0 else trust[index[e]]
        will[e] = willing(offer[d], room[d] - offer[d], helper_trust, channels)
    changed = False
    for i in range(capacity.size):
        # asking and telling: candour towards each partner moves with trust in it; towards
        # a coordinator, with its mean trust in its usual partners (the system around it)
        c = candour[i]
        load = occupied[i] + rows_waiting[i]
        most = 0
        total = 0.0
        count = 0
        for e in range(src_start[i], src_start[i + 1]):
            t = trust[index[e]]
            ce = candour_towards(c, t, channels)
            # asks earlier (at less pressure) and for more of its need, the more candid
            over = load > (threshold + (1.0 - ce) * late) * capacity[i]
            ask[e] = int(ce * need[i] + 0.5) if over else 0
            most = max(most, ask[e])
            if usual[e]:
                total += t
                count += 1
        if src_start[i] == src_start[i + 1]:  # no partner: what it would ask, by its trait
            over = load > (threshold + (1.0 - c) * late) * capacity[i]
            most = int(c * need[i] + 0.5) if over else 0
        asked[i] = most  # the most it admitted to any partner
        centre = candour_towards(c, total / count, channels) if count else c
        reported[i] = int(centre * need[i] + 0.5)
        rows_need[i] = need[i]
        rows_asked[i] = asked[i]
        discoveries[i] = 0
        hidden = need[i] - asked[i]
        if hidden > 0 and discover > 0 and uniform(rng) < discover:
            discoveries[i] = 1
            loss = hidden_loss * hidden / need[i]
            for j in range(dst_start[i], dst_start[i + 1]):  # partners' trust in i
                k = index[by_dst[j]]
                trust[k] -= loss * trust[k]
            changed = True
    return changed


class Pressure(Phase):
    """True and reported pressure, requests and spare beds of every provider."""

    name = "pressure"
    rows = (
        flow("need", "patients beyond free beds and help already agreed (true pressure)"),
        flow("asked", "of that need, what the provider asked for (candour, asking threshold)"),
        flow("discoveries", "hidden pressure found out by partners", "providers"),
    )

    def reset(self) -> None:
        e = self.engine
        aid, traits, cfg = e.aid, e.traits, e.config
        self.asking = Asking(
            cfg.aid.ask_threshold,
            cfg.candour.late,
            cfg.self_preservation.reserve_share,
            e.clock.per_decision(cfg.candour.discovery_per_day),
            cfg.trust.hidden_loss,
        )
        self.rows = e.state.bundle(PressureRows)
        self.head = packed(
            self.rows,
            aid.needs,
            traits.candour,
            traits.self_preservation,
            self.asking,
        )
        ch = cfg.channels
        self.channels = Channels(
            ch.neutral,
            ch.refuse_below,
            ch.generosity,
            ch.telling,
            "offering" not in ch.off,
            "telling" not in ch.off,
        )
        self.tail = packed(e.rng_behaviour, e.trust, aid.links, aid.marks, self.channels)
        self.kernel = compiled(_pressure, *self.head, 1.0, *self.tail)

    def __call__(self) -> None:
        e = self.engine
        if not e.clock.deciding(e.t):
            if e.clock.deciding(e.t - 1):  # needs are measured when people decide
                for row in (self.rows.need, self.rows.asked, self.rows.discoveries):
                    row[:] = 0
            return
        keep_factor = 1.0 + financial_pressure(e.config.finance, e.clock.days(e.t))
        if self.kernel(*self.head, keep_factor, *self.tail):
            e.trust_unsettled()
