"""Trust on every directed link, after this step's help, refusals and harm.

The ``update_trust`` phase runs after admission. On each aid link (asker ``src``,
helper ``dst``):

- help received (a transfer or loan carried out) closes ``trust.help_gain`` of
  the gap between the asker's trust in the helper and 1, and the helper's trust in
  the asker by ``trust.generosity_gain`` (acknowledged generosity);
- a refusal by a helper that visibly had room removes ``trust.refusal_loss`` of the
  asker's trust in it;
- patients harmed at the asker (admitted after the harm threshold, or lost) remove
  ``culture.harm_loss`` of its trust in every partner that refused it within
  ``culture.memory_days``: large in a blame culture, small in a learning one;
- everything drifts towards the baseline at ``trust.drift_per_day``; protected
  time raises the baseline to ``b + (1 - b)(1 - exp(-protected / effect_scale))``.

Every change moves trust a fraction of the way towards 0 or 1, so it stays in
[0, 1] by construction. Hidden pressure found out lowers trust in the pressure
phase (``collabsim.core.pressure``).

Self-preservation adapts when ``self_preservation.adapt`` > 0: a provider helped
this step lowers it by that share; one refused by a partner it has helped more
than it was helped by ("burned") raises it by that share of the gap to 1.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from numba import njit

from collabsim.core.state import ROW

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


def effective_baseline(trust, relationship) -> float:  # noqa: ANN001 - config sections
    """The baseline trust drifts to, raised by protected time."""
    gain = 1.0 - math.exp(-relationship.protected_time / relationship.effect_scale)
    return trust.baseline + (1.0 - trust.baseline) * gain


@njit(cache=True, error_model="numpy")
def _update_trust(trust, src, index, reverse, reverse_aid, marks, helped, block, rows, t,
                  gains, memory_steps, drift, baseline, self_preservation, adapt,
                  settled):  # fmt: skip
    """Returns (mean trust, sd of trust, settled): settled while every link sits at the
    baseline and nothing happens to move it."""
    help_gain, generosity_gain, refusal_loss, harm_loss = gains
    r_harm, r_lost, r_refusals = rows
    moved, refused, last_refused = marks[0], marks[1], marks[2]
    for i in range(block.shape[1]):
        block[r_refusals, i] = 0
    active = False
    for e in range(src.size):
        if refused[e]:
            last_refused[e] = t
            block[r_refusals, src[e]] += 1
            active = True
        elif moved[e]:
            active = True
        elif harm_loss > 0 and t - last_refused[e] <= memory_steps:
            s = src[e]
            if block[r_harm, s] + block[r_lost, s] > 0:
                active = True
    if settled and not active:  # nothing to drift and nothing happened: trust is unchanged
        return baseline, 0.0, True
    for e in range(src.size):
        i = index[e]
        s = src[e]
        if moved[e]:
            trust[i] += help_gain * (1.0 - trust[i])  # the asker trusts its helper more
            r = reverse[e]
            if r >= 0:
                trust[r] += generosity_gain * (1.0 - trust[r])  # and the helper the asker
            if adapt > 0:
                self_preservation[s] -= adapt * self_preservation[s]
        if refused[e]:
            trust[i] -= refusal_loss * trust[i]
            ra = reverse_aid[e]
            if adapt > 0 and ra >= 0 and helped[ra] > helped[e]:  # burned
                self_preservation[s] += adapt * (1.0 - self_preservation[s])
        if (harm_loss > 0 and t - last_refused[e] <= memory_steps
                and block[r_harm, s] + block[r_lost, s] > 0):  # fmt: skip
            trust[i] -= harm_loss * trust[i]
    total = 0.0
    squares = 0.0
    for i in range(trust.size):
        trust[i] += drift * (baseline - trust[i])
        total += trust[i]
        squares += trust[i] * trust[i]
    mean = total / trust.size
    return mean, math.sqrt(max(squares / trust.size - mean * mean, 0.0)), False


TRUST_ROWS = (ROW["harms"], ROW["lost"], ROW["refusals"])


def update_trust(engine: Engine) -> None:
    """Trust after this step's help, refusals, harm and drift; kept in [0, 1]."""
    if not engine.trust.size:
        return
    aid, rules = engine.aid, engine.trust_rules
    engine.trust_mean, engine.trust_sd, engine.trust_settled = _update_trust(
        engine.trust, aid.src, aid.index, aid.reverse, aid.reverse_aid, aid.marks, aid.helped,
        engine.state.block, TRUST_ROWS, engine.t, rules.gains, rules.memory_steps, rules.drift,
        rules.baseline, engine.traits.self_preservation, rules.adapt, engine.trust_settled,
    )  # fmt: skip


class TrustRules:
    """The trust rules of a run, in the units of one step (read at every reset)."""

    def __init__(self, config, step_days: float) -> None:  # noqa: ANN001 - Config
        tr, culture = config.trust, config.culture
        self.gains = (tr.help_gain, tr.generosity_gain, tr.refusal_loss, culture.harm_loss)
        self.memory_steps = int(round(culture.memory_days / step_days))
        self.drift = 1.0 - (1.0 - tr.drift_per_day) ** step_days
        self.baseline = effective_baseline(tr, config.relationship)
        self.adapt = 1.0 - (1.0 - config.self_preservation.adapt) ** step_days
