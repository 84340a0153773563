"""Pressure and requests: what each provider needs, admits to, asks for and can spare.

After help due this step has started, and before the policy decides, every provider's

- **need** is its waiting patients beyond its free beds and the help already agreed
  for it (true pressure);
- **reported** need is ``round(candour x need)``: low candour understates pressure,
  and that is all a coordinator (``ics_pool`` and friends) sees;
- **asked** is its reported need if its true pressure ``(occupied + waiting) /
  capacity`` is above its asking threshold ``aid.ask_threshold + (1 - candour) x
  candour.late``, else 0: low candour asks late;
- **room** is its free beds beyond its own queue and the help it already promised;
- **offer** is room beyond its self-preservation reserve
  ``round(min(1, self_preservation x (1 + financial pressure)) x reserve_share x capacity)``.

Hidden pressure (need not asked for) is found out by partners with probability
``1 - (1 - candour.discovery_per_day)^step_days`` per step (the ``behaviour``
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


@njit(cache=True, error_model="numpy")
def _pressure(rows, needs, candour, self_preservation, asking, keep_factor, rng, trust, links):
    """Fills need, reported, asked, room and offer; returns whether trust changed."""
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
    dst_start = links.dst_start
    index = links.index
    by_dst = links.by_dst
    changed = False
    for i in range(capacity.size):
        cap, occ, waiting = capacity[i], occupied[i], rows_waiting[i]
        free = max(cap - occ, 0)
        need[i] = max(waiting - free - pending_out[i], 0)
        room[i] = max(free - waiting - pending_in[i], 0)
        keep = min(1.0, self_preservation[i] * keep_factor) * reserve_share
        offer[i] = max(room[i] - int(round(keep * cap)), 0)
        c = candour[i]
        reported[i] = int(c * need[i] + 0.5)
        over = (occ + waiting) > (threshold + (1.0 - c) * late) * cap
        asked[i] = reported[i] if over else 0
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
        self.tail = packed(e.rng_behaviour, e.trust, aid.links)
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
