"""Trust on every directed link, after the help, refusals and harm since the last decision.

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
- everything drifts at ``trust.drift_per_day`` towards its relationship's level: the
  baseline, raised by protected time to ``b + (1 - b)(1 - exp(-protected /
  effect_scale))``, plus the link's ``shift``; the shift follows the link's trust less the
  baseline at ``channels.history_per_day`` (shared history, the memory channel), so a
  relationship that has gone well or badly settles high or low instead of everything
  returning to one value.

Every change moves trust a fraction of the way towards 0 or 1, so it stays in
[0, 1] by construction. Hidden pressure found out lowers trust in the pressure
phase (``collabsim.core.pressure``).

Self-preservation adapts when ``self_preservation.adapt`` > 0: a provider helped
since the last trust update lowers it by that share; one refused by a partner it has helped more
than it was helped by ("burned") raises it by that share of the gap to 1.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numba import njit

from collabsim.core.kernel import compiled, packed
from collabsim.core.phase import Phase
from collabsim.core.state import flow

if TYPE_CHECKING:
    from collabsim.core.clock import Clock


def effective_baseline(trust, relationship) -> float:  # noqa: ANN001 - config sections
    """The baseline trust drifts to, raised by protected time."""
    gain = 1.0 - math.exp(-relationship.protected_time / relationship.effect_scale)
    return trust.baseline + (1.0 - trust.baseline) * gain


class TrustRules(NamedTuple):
    """The trust rules of a run, per decision interval (trust is updated when people
    decide, ``Clock.decision_steps``)."""

    help_gain: float
    generosity_gain: float
    refusal_loss: float
    harm_loss: float
    memory_steps: int  # how long a refusal is remembered when harm happens
    drift: float  # share of the gap to the relationship's level closed per decision interval
    baseline: float
    adapt: float  # self-preservation adaptation per decision interval
    history: float  # share of the gap to its trust a relationship's level closes per decision

    @classmethod
    def of(cls, config: Any, clock: Clock) -> TrustRules:
        tr, culture = config.trust, config.culture
        return cls(
            tr.help_gain,
            tr.generosity_gain,
            tr.refusal_loss,
            culture.harm_loss,
            clock.steps(culture.memory_days),
            clock.per_decision(tr.drift_per_day),
            effective_baseline(tr, config.relationship),
            clock.per_decision(config.self_preservation.adapt),
            0.0 if "memory" in config.channels.off
            else clock.per_decision(config.channels.history_per_day),
        )  # fmt: skip


class TrustRows(NamedTuple):
    harms: np.ndarray
    lost: np.ndarray
    refusals: np.ndarray


@njit(cache=True, error_model="numpy")
def _update_trust(
    trust, shift, links, marks, helped, rows, harmed, rules, self_preservation, t, settled
):
    """Returns (mean trust, sd of trust, settled): settled while every link sits at its
    level and nothing happens to move it. Clears the marks it has read."""
    src = links.src
    index = links.index
    reverse = links.reverse
    reverse_aid = links.reverse_aid
    moved = marks.moved
    refused = marks.refused
    last_refused = marks.last_refused
    refusals = rows.refusals
    harms = rows.harms
    lost = rows.lost
    harm_loss = rules.harm_loss
    memory_steps = rules.memory_steps
    adapt = rules.adapt
    baseline = rules.baseline
    help_gain = rules.help_gain
    generosity_gain = rules.generosity_gain
    refusal_loss = rules.refusal_loss
    drift = rules.drift
    for i in range(refusals.size):
        refusals[i] = 0
    active = False
    for e in range(src.size):
        if refused[e]:
            last_refused[e] = t
            refusals[src[e]] += 1
            active = True
        elif moved[e]:
            active = True
        elif harm_loss > 0 and t - last_refused[e] <= memory_steps:
            s = src[e]
            if harms[s] + lost[s] + harmed[s] > 0:
                active = True
    if settled and not active:  # nothing to drift and nothing happened: trust is unchanged
        return _mean_sd(trust) + (True,)
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
        if (
            harm_loss > 0
            and t - last_refused[e] <= memory_steps
            and harms[s] + lost[s] + harmed[s] > 0
        ):
            trust[i] -= harm_loss * trust[i]
    for e in range(src.size):  # read: the next update sees only what happens from now
        moved[e] = 0
        refused[e] = 0
    history = rules.history
    for i in range(trust.size):
        # trust drifts towards its relationship's level (the baseline, shifted by shared
        # history), and the level follows trust: a relationship can settle high or low
        trust[i] += drift * (baseline + shift[i] - trust[i])
        shift[i] += history * (trust[i] - baseline - shift[i])
    return _mean_sd(trust) + (False,)


@njit(cache=True, error_model="numpy")
def _mean_sd(trust):
    total = 0.0
    squares = 0.0
    for i in range(trust.size):
        total += trust[i]
        squares += trust[i] * trust[i]
    mean = total / trust.size
    return mean, math.sqrt(max(squares / trust.size - mean * mean, 0.0))


class UpdateTrust(Phase):
    """Trust after the help, refusals and harm since the last decision, and drift; kept
    in [0, 1]."""

    name = "update_trust"
    rows = (
        flow(
            "refusals",
            "partners with visible room that refused this provider's request",
            "partners",
        ),
    )

    def reset(self) -> None:
        e = self.engine
        aid = e.aid
        # harm (admissions past the threshold, patients lost) since the last decision
        self.harmed = np.zeros(e.providers.n, dtype=np.int64)
        self.rows = e.state.bundle(TrustRows)
        self.args = packed(
            e.trust,
            e.trust_shift,
            aid.links,
            aid.marks,
            aid.helped,
            self.rows,
            self.harmed,
            e.trust_rules,
            e.traits.self_preservation,
        )
        self.kernel = compiled(_update_trust, *self.args, 0, False) if e.trust.size else None
        self.note = compiled(_note_harm, *self.args[5:7])

    def __call__(self) -> None:
        e = self.engine
        if self.kernel is None:
            return
        if not e.clock.deciding(e.t):  # trust moves when people decide; harm is remembered
            self.note(*self.args[5:7])
            if e.clock.deciding(e.t - 1):
                self.rows.refusals[:] = 0
            return
        e.trust_mean, e.trust_sd, e.trust_settled = self.kernel(*self.args, e.t, e.trust_settled)
        if e.clock.decision_steps > 1:
            self.harmed[:] = 0


@njit(cache=True, error_model="numpy")
def _note_harm(rows, harmed):
    harms = rows.harms
    lost = rows.lost
    for i in range(harmed.size):
        harmed[i] += harms[i] + lost[i]
