"""The mutual-aid policy interface and the registry that names policies.

A policy is a class with a ``name`` and a ``step(engine)`` method, called once per
step (the ``mutual_aid`` phase) after every provider's pressure is known and before
admission. It reads what the pressure phase filled in (``engine.aid.needs``: need,
reported, asked, room, offer per provider) along the aid links
(``engine.aid.links``), and returns the units of help it agrees on each link
(``grants``, one int64 per aid link), or None when it agrees nothing; it may mark
refusals (``engine.aid.marks.refused``). The ``mutual_aid`` phase books the help,
which starts after the friction delay set by trust: a policy never moves patients
or beds itself. ``engine.aid.marks`` also holds scratch any policy may overwrite
(``weights``, ``asks``, ``offers``, ``grants``). Policies are looked up by name, so
a scenario file can choose one but can never make the program import or run
arbitrary code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from collabsim.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

    from collabsim.core.engine import Engine

_REGISTRY: dict[str, type[Policy]] = {}


def bounded(default: float, lo: float = 0.0, hi: float = 1.0, doc: str = "") -> Any:
    """A policy parameter: a number in [lo, hi] with its default, written once."""
    return field(default=default, metadata={"lo": lo, "hi": hi, "doc": doc})


@dataclass(frozen=True)
class NoParams:
    """A policy with no parameters of its own."""


class Policy:
    """Base class: subclasses set ``name``, their typed ``Params`` (a frozen dataclass of
    ``bounded`` fields) and override ``step``."""

    name: ClassVar[str] = ""
    Params: ClassVar[type] = NoParams

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        given = dict(params or {})
        fields = {f.name: f for f in dataclasses.fields(self.Params)}
        unknown = sorted(set(given) - set(fields))
        if unknown:
            known = ", ".join(sorted(fields)) or "none"
            raise ConfigError(
                f"policy.params.{unknown[0]}: unknown parameter for policy {self.name!r}; "
                f"known: {known}"
            )
        values = {}
        for name, f in fields.items():
            v = given.get(name, f.default)
            lo, hi = f.metadata["lo"], f.metadata["hi"]
            if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= hi:
                raise ConfigError(
                    f"policy.params.{name}: {v!r} is not allowed for policy {self.name!r}; "
                    f"expected a number in [{lo:g}, {hi:g}]"
                )
            values[name] = float(v)
        self.params = self.Params(**values)

    def reach(self, config: Any) -> float:
        """Longest link (travel minutes) this policy may use; aid links are cut at it."""
        return config.aid.max_travel_minutes

    def bind(self, engine: Engine) -> None:
        """Called once the engine exists and at every reset: precompute link arrays and
        resolve kernels (``collabsim.core.kernel.compiled``) here."""

    def step(self, engine: Engine) -> np.ndarray | None:
        """This step's agreed help per aid link (or None: nothing agreed)."""
        raise NotImplementedError


def register(cls: type[Policy]) -> type[Policy]:
    """Class decorator: make a policy available by its ``name``."""
    if not cls.name:
        raise ValueError(f"{cls.__qualname__} needs a name")
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"two policies are named {cls.name!r}")
    _REGISTRY[cls.name] = cls
    return cls


def available() -> list[str]:
    """Names of every registered policy."""
    return sorted(_REGISTRY)


def make_policy(name: str, params: Mapping[str, Any] | None = None) -> Policy:
    """The policy registered as ``name``, with its parameters checked."""
    cls = _REGISTRY.get(name)
    if cls is None:
        raise ConfigError(f"policy.name: unknown policy {name!r}; known: {', '.join(available())}")
    return cls(params)
