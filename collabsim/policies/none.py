"""``none``: every provider on its own. The baseline every other policy is compared with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from collabsim.policies.base import Policy, register

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@register
class NoSharing(Policy):
    """No transfers and no loans: patients wait where they arrive."""

    name = "none"

    def step(self, engine: Engine) -> None:
        return None
