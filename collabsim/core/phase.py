"""What a step phase is: it declares its rows, builds itself, resets itself, runs.

A phase is a class. The engine makes one of each listed in ``PHASES``
(``collabsim.core.phases``) once per system, calls ``reset`` at every
replication (after the state, the streams and the trust are fresh), and calls
the phase once per step, in order. A phase reads its parameters from
``engine.config`` (in steps through ``engine.clock``) when it is built, takes views
of the state rows it works on and resolves its kernels (``collabsim.core.kernel``)
when it is reset, and holds its kernels in its own module. Adding a phase is one
module plus one line in ``PHASES``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from collabsim.core.state import Row

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


class Phase:
    """Base class of step phases."""

    name: ClassVar[str] = ""
    rows: ClassVar[tuple[Row, ...]] = ()  # the state rows this phase declares (and writes)

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def reset(self) -> None:
        """A fresh replication: take views of the new state, resolve kernels."""

    def __call__(self) -> None:
        raise NotImplementedError
