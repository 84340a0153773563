"""A temporary mandate to pool (as in COVID-19): ``ics_pool`` acts instead of the
configured policy for the mandate's window, with the mandate's compliance; before
and after it the configured policy is in force. Built by ``policy_for`` from the
config, so the engine only ever sees one policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from collabsim.policies.base import Policy, make_policy

if TYPE_CHECKING:
    import numpy as np

    from collabsim.core.engine import Engine


class Mandated(Policy):
    """The configured policy, with ``ics_pool`` in force during the mandate's window."""

    def __init__(self, policy: Policy, start_day: float, days: float, compliance: float) -> None:
        self.policy = policy
        self.name = policy.name  # the run is still the configured policy's
        self.params = policy.params
        self.pool = make_policy("ics_pool", {"compliance": compliance})
        self.start_day, self.days = start_day, days
        self.window = (0, 0)

    def reach(self, config: Any) -> float:
        return self.policy.reach(config)

    def bind(self, engine: Engine) -> None:
        self.window = engine.clock.window(self.start_day, self.days)
        self.policy.bind(engine)
        self.pool.bind(engine)

    def acting(self, t: int) -> Policy:
        """The policy in force at step ``t``."""
        start, end = self.window
        return self.pool if start <= t < end else self.policy

    def step(self, engine: Engine) -> np.ndarray | None:
        return self.acting(engine.t).step(engine)


def policy_for(config: Any) -> Policy:
    """The policy ``config`` asks for (by name, parameters checked), under its mandate."""
    policy = make_policy(config.policy.name, config.policy.params)
    mandate = config.mandate
    if mandate.days > 0:
        return Mandated(policy, mandate.start_day, mandate.days, mandate.compliance)
    return policy
