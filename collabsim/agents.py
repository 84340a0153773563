"""Provider: a Mesa agent for an NHS trust or partner organisation.

Its state lives in the model's arrays (one row per quantity, one column per
provider), so the step stays vectorised while ``model.agents`` can be inspected,
filtered and plotted the Mesa way. Reading ``provider.occupied`` reads the array;
setting ``provider.capacity`` writes it (a loan, escalation beds, a closure).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa.discrete_space import FixedAgent

from collabsim.core.phases import ROW
from collabsim.core.state import KINDS

if TYPE_CHECKING:
    from collabsim.model import CollabModel


def _level(row: str, doc: str) -> property:
    """A read-only view of this provider's entry in one of the engine's level rows."""
    i = ROW[row]
    return property(lambda self: int(self.model.engine.state.block[i, self.index]), doc=doc)


class Provider(FixedAgent):
    """One provider; ``index`` is its column in every engine array."""

    def __init__(self, model: CollabModel, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.cell = model.space[index]

    @property
    def _state(self):
        return self.model.engine.state

    @property
    def provider_id(self) -> str:
        return self.model.engine.providers.ids[self.index]

    @property
    def name(self) -> str:
        return self.model.engine.providers.names[self.index]

    @property
    def kind(self) -> str:
        return KINDS[self.model.engine.providers.kind[self.index]]

    @property
    def region(self) -> str:
        p = self.model.engine.providers
        return p.region_names[p.region[self.index]]

    @property
    def demand_per_day(self) -> float:
        return float(self.model.engine.providers.demand_per_day[self.index])

    @property
    def capacity(self) -> int:
        return int(self._state.capacity[self.index])

    @capacity.setter
    def capacity(self, beds: int) -> None:
        if beds < 0:
            raise ValueError(f"capacity must be >= 0, got {beds}")
        self.model.engine.set_capacity(self.index, beds)

    occupied = _level("occupied", "Beds occupied: in treatment plus delayed.")
    waiting = _level("waiting", "Patients waiting for a bed here.")
    delayed = _level("delayed", "Medically fit patients waiting for an onward place.")
    arranged = _level(
        "arranged", "Delayed patients whose onward care is arranged, waiting for a free place."
    )

    lent = _level("lent", "Staffed beds lent to partners now.")
    borrowed = _level("borrowed", "Staffed beds borrowed from partners now.")

    @property
    def self_preservation(self) -> float:
        """How strongly it keeps beds back for itself, in [0, 1] (may adapt in a run)."""
        return float(self.model.engine.traits.self_preservation[self.index])

    @property
    def candour(self) -> float:
        """The share of its need it admits to and asks for, in [0, 1]."""
        return float(self.model.engine.traits.candour[self.index])

    def trust_in(self, other: Provider) -> float:
        """How far this provider trusts ``other`` (NaN when they have no relationship)."""
        engine = self.model.engine
        hit = (engine.links.src == self.index) & (engine.links.dst == other.index)
        return float(engine.trust[hit][0]) if hit.any() else float("nan")

    @property
    def occupancy(self) -> float:
        cap = self.capacity
        return self.occupied / cap if cap else float("nan")

    @property
    def pressure(self) -> float:
        """True pressure: (occupied + waiting) / capacity."""
        cap = self.capacity
        return (self.occupied + self.waiting) / cap if cap else float("inf")

    def partners(self) -> list[Provider]:
        """Providers this one has a relationship with (its network neighbours)."""
        return [agent for cell in self.cell.neighborhood for agent in cell.agents]

    def __repr__(self) -> str:
        return f"Provider({self.provider_id!r}, {self.kind}, {self.region})"
