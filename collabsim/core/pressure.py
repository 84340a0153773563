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

from typing import TYPE_CHECKING

from numba import njit

from collabsim.core.random import uniform
from collabsim.core.state import ROW
from collabsim.core.traits import financial_pressure

if TYPE_CHECKING:
    from collabsim.core.engine import Engine

PRESSURE_ROWS = tuple(ROW[r] for r in ("capacity", "occupied", "waiting", "need", "asked",
                                        "discoveries"))  # fmt: skip


@njit(cache=True, error_model="numpy")
def _pressure(block, per_provider, candour, self_preservation, params, rng, trust, index,
              by_dst, dst_start, rows):  # fmt: skip
    """Fills need, reported, asked, room and offer; returns whether trust changed."""
    r_cap, r_occ, r_wait, r_need, r_asked, r_disc = rows
    threshold, late, keep_factor, reserve_share, discover, hidden_loss = params
    need, reported, asked, room, offer = (per_provider[0], per_provider[1], per_provider[2],
                                          per_provider[3], per_provider[4])  # fmt: skip
    pending_out, pending_in = per_provider[5], per_provider[6]
    changed = False
    for i in range(block.shape[1]):
        cap, occ, waiting = block[r_cap, i], block[r_occ, i], block[r_wait, i]
        free = max(cap - occ, 0)
        need[i] = max(waiting - free - pending_out[i], 0)
        room[i] = max(free - waiting - pending_in[i], 0)
        keep = min(1.0, self_preservation[i] * keep_factor) * reserve_share
        offer[i] = max(room[i] - int(round(keep * cap)), 0)
        c = candour[i]
        reported[i] = int(c * need[i] + 0.5)
        over = (occ + waiting) > (threshold + (1.0 - c) * late) * cap
        asked[i] = reported[i] if over else 0
        block[r_need, i] = need[i]
        block[r_asked, i] = asked[i]
        block[r_disc, i] = 0
        hidden = need[i] - asked[i]
        if hidden > 0 and discover > 0 and uniform(rng) < discover:
            block[r_disc, i] = 1
            loss = hidden_loss * hidden / need[i]
            for j in range(dst_start[i], dst_start[i + 1]):  # every partner's trust in i
                k = index[by_dst[j]]
                trust[k] -= loss * trust[k]
            changed = True
    return changed


def pressure(engine: Engine) -> None:
    """True and reported pressure, requests and spare beds of every provider."""
    cfg, aid = engine.config, engine.aid
    day = engine.t * engine.step_days
    keep_factor = 1.0 + financial_pressure(cfg.finance, day)
    params = (cfg.aid.ask_threshold, cfg.candour.late, keep_factor,
              cfg.self_preservation.reserve_share, engine.discovery_per_step,
              cfg.trust.hidden_loss)  # fmt: skip
    if _pressure(engine.state.block, aid.per_provider, engine.traits.candour,
                 engine.traits.self_preservation, params, engine.rng_behaviour, engine.trust,
                 aid.index, aid.by_dst, aid.dst_start, PRESSURE_ROWS):  # fmt: skip
        engine.trust_unsettled()
