"""Scenario cards the facilitator deals, as table-top NHS flow games do.

A card is played at the start of a day and becomes timed ``Effect`` s (a day, what
happens, to whom), so the debrief's replays meet exactly the same events on exactly the
same days: the same patients, the same surge, the same sick staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from collabsim.game.played import PlayedPolicy
from collabsim.policies.mandate import Mandated

if TYPE_CHECKING:
    from collabsim.dashboard.live import LiveSystem


@dataclass(frozen=True)
class Card:
    name: str
    title: str
    text: str  # what it does, for every screen
    targeted: bool  # whether it strikes one provider


CARDS: dict[str, Card] = {
    c.name: c
    for c in (
        Card("surge", "A surge", "Demand rises by a third everywhere for 5 days.", False),
        Card(
            "sickness",
            "Staff sickness",
            "One provider loses a fifth of its staffed beds for 5 days.",
            True,
        ),
        Card(
            "squeeze",
            "A funding squeeze",
            "Money is tight from today: every provider the model plays keeps more beds back.",
            False,
        ),
        Card(
            "mandate",
            "A mandate to pool",
            "For 5 days the ICS pools spare beds: everyone's spare beds go where they are "
            "needed, whatever anyone chose.",
            False,
        ),
        Card(
            "caught",
            "Caught hiding pressure",
            "One provider is found to have hidden how full it is: its partners trust it less.",
            True,
        ),
    )
}
DAYS = 5  # how long a surge, a sickness or a mandate lasts


@dataclass(frozen=True)
class Effect:
    day: int  # applied at the start of this day (before it runs)
    what: str  # surge, capacity, squeeze, mandate, caught
    target: int = -1  # a provider, or -1
    amount: float = 0.0


def own_beds(system: LiveSystem, i: int) -> int:
    """Provider ``i``'s own staffed beds (its pools' own sizes: not beds lent or borrowed)."""
    e = system.engine
    return int(e.state.beds.home[e.pools.first[i] : e.pools.first[i + 1]].sum())


def effects_of(card: str, day: int, target: int, beds: int) -> list[Effect]:
    """What ``card`` dealt at the start of ``day`` does (``beds``: the target's own beds).
    A sickness takes beds away and gives the same number back, whatever was lent or
    borrowed meanwhile, so it never changes a hospital's own beds for good."""
    if card not in CARDS:
        raise ValueError(f"card: unknown card {card!r}; known: {', '.join(CARDS)}")
    if CARDS[card].targeted and target < 0:
        raise ValueError(f"card {card!r}: choose the provider it strikes")
    if card == "surge":
        return [Effect(day, "surge", amount=4 / 3)]
    if card == "sickness":
        lost = float(round(beds * 0.2))
        return [Effect(day, "beds", target, -lost), Effect(day + DAYS, "beds", target, lost)]
    if card == "squeeze":
        return [Effect(day, "squeeze", amount=0.5)]
    if card == "mandate":
        return [Effect(day, "mandate", amount=DAYS)]
    return [Effect(day, "caught", target, 0.5)]


def apply(effect: Effect, system: LiveSystem) -> None:
    """Make ``effect`` happen to ``system`` now (at the start of its day)."""
    e = system.engine
    if effect.what == "surge":
        system.surge(effect.amount, DAYS)
    elif effect.what == "beds":
        e.set_capacity(effect.target, max(0, int(e.state.capacity[effect.target] + effect.amount)))
    elif effect.what == "squeeze":
        finance = e.config.finance
        finance.pressure = min(1.0, finance.pressure + effect.amount)
    elif effect.what == "mandate":
        policy = e.policy
        holder = policy if isinstance(policy, PlayedPolicy) else None
        base = holder.base if holder else policy
        if isinstance(base, Mandated):  # a mandate already in force: this one follows it
            base = base.policy
        mandated = Mandated(base, system.day, effect.amount, 1.0)
        mandated.bind(e)
        if holder:
            holder.base = mandated
        else:
            e.policy = mandated
    elif effect.what == "caught":
        links = e.aid.links
        into = links.index[links.dst == effect.target]  # partners' trust in the target
        e.trust[into] *= 1.0 - effect.amount
        e.trust_changed()
        e.trust_unsettled()
    else:
        raise ValueError(f"effect: unknown {effect.what!r}")
