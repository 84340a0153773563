"""A policy whose decisions come from people: the game's providers, played by trainees.

Each player's ``Choice`` holds for a round and acts at every decision in it, through the
engine's own rules, the way the model's providers act:

- **telling** is the provider's candour (``Traits.candour``): what it admits of its need
  to partners (``needs.reported``, what a coordinator and the other players see), how
  early and for how much it asks, and what partners may find out it hid (hidden pressure
  found out lowers their trust in it: ``collabsim.core.pressure``);
- **asking**: it asks only the partners the player picked, for ``ask_share`` of its need
  (at most what the engine would have it ask at that candour: a request is an admission);
- **helping**: to each partner that asks, at most the beds the player said (``give``),
  never more than its free room; a partner not named is answered as the model would.

The policy the model plays everyone else with (``trust_gated`` by default) then decides
every grant from those requests and limits, so friction, refusals and the trust they cost,
harm in a blame culture and self-preservation under money pressure apply to people too.
It is not in the policy registry: a scenario file cannot choose it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from collabsim.policies.base import Policy

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@dataclass(frozen=True)
class Choice:
    """One player's decisions for a round."""

    telling: float = 1.0  # candour: the share of its need it admits (0-1)
    ask: frozenset[int] = frozenset()  # partners (provider index) it asks
    ask_share: float = 1.0  # of its need, what it asks each of them for (0-1)
    give: Mapping[int, int] = field(default_factory=dict)  # partner -> most beds it gives

    def __post_init__(self) -> None:
        for name in ("telling", "ask_share"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name}: {v!r} is not in [0, 1]")
        if any(int(b) < 0 for b in self.give.values()):
            raise ValueError("give: a number of beds is never negative")


class PlayedPolicy(Policy):
    """``base`` for everyone, with the players' choices for the providers they play."""

    name = "played"

    def __init__(self, base: Policy) -> None:
        self.base = base
        self.params = base.params
        self.choices: dict[int, Choice] = {}
        self.engine: Engine | None = None
        self._candour: np.ndarray | None = None  # the model's own candour, to restore
        # per provider, over the game: requests it received, beds it agreed to give, and
        # requests it refused with room to spare (players and model alike, for the debrief)
        self.asked_of = np.zeros(0, dtype=np.int64)
        self.granted = np.zeros(0, dtype=np.int64)
        self.refused = np.zeros(0, dtype=np.int64)

    def reach(self, config: Any) -> float:
        return self.base.reach(config)

    def bind(self, engine: Engine) -> None:
        self.engine = engine
        self.base.bind(engine)
        self._candour = engine.traits.candour.copy()
        n = engine.providers.n
        self.asked_of, self.granted, self.refused = (np.zeros(n, dtype=np.int64) for _ in "agr")
        self._asked_row = engine.phase("pressure").rows.asked
        self.apply_telling()

    def set_choices(self, choices: Mapping[int, Choice]) -> None:
        """The choices in force from now (a provider left out is the model's again)."""
        self.choices = dict(choices)
        self.apply_telling()

    def apply_telling(self) -> None:
        if self.engine is None or self._candour is None:
            return
        candour = self.engine.traits.candour
        candour[:] = self._candour
        for i, c in self.choices.items():
            candour[i] = c.telling

    def step(self, engine: Engine) -> np.ndarray | None:
        if self.choices:
            self._apply(engine)
        grants = self.base.step(engine)
        marks, helper = engine.aid.marks, engine.aid.links.dst
        np.add.at(self.asked_of, helper, marks.ask > 0)
        np.add.at(self.refused, helper, marks.refused)
        if grants is not None:
            np.add.at(self.granted, helper, grants)
        return grants

    def _apply(self, engine: Engine) -> None:
        """Overwrite what the pressure phase found, for the played providers only: a
        handful of players, so a Python loop over their links (not the system's)."""
        aid = engine.aid
        links, needs, marks = aid.links, aid.needs, aid.marks
        for i, c in self.choices.items():
            lo, hi = links.src_start[i], links.src_start[i + 1]
            most = 0
            for e in range(lo, hi):  # aid links are sorted by asker
                if int(links.dst[e]) in c.ask:
                    want = int(round(c.ask_share * needs.need[i]))
                    marks.ask[e] = min(int(marks.ask[e]), want)
                else:
                    marks.ask[e] = 0
                most = max(most, int(marks.ask[e]))
            needs.asked[i] = most
            self._asked_row[i] = most  # what the run records as asked
            for j in range(links.dst_start[i], links.dst_start[i + 1]):
                e = links.by_dst[j]
                partner = int(links.src[e])
                if partner in c.give:
                    marks.willing[e] = min(int(c.give[partner]), int(needs.room[i]))
