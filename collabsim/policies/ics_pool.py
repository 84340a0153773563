"""``ics_pool``: the region (ICS) evens out pressure by moving waiting patients.

Each step a coordinator per region sees every provider's waiting patients and free
beds and moves patients from providers whose queue exceeds their free beds to
like-for-like partners in the region with free beds to spare, oldest patients
first (``collabsim.core.aid.pool_within``). ``compliance`` is the share of that
allocation providers carry out.

Not yet built (issue: collaboration behaviour): the coordinator sees *reported*
pressure (candour), transfers take time and cost that fall with trust, and
compliance overrides self-preservation. With compliance 1 and no friction this is
full pooling, which the tests check against a single provider with the summed
capacity and demand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from collabsim.core.aid import POOL_ROWS, AidLinks, pool_within
from collabsim.errors import ConfigError
from collabsim.policies.base import Policy, register

if TYPE_CHECKING:
    from collabsim.core.engine import Engine


@register
class IcsPool(Policy):
    """Regional pooling of waiting patients along like-for-like links."""

    name = "ics_pool"
    defaults: ClassVar[dict] = {"compliance": 1.0}

    def __init__(self, params=None) -> None:
        super().__init__(params)
        c = self.params["compliance"]
        if isinstance(c, bool) or not isinstance(c, int | float) or not 0 <= c <= 1:
            raise ConfigError(f"policy.params.compliance: {c!r} is not allowed; expected [0, 1]")
        self.compliance = float(c)
        self.links: AidLinks | None = None

    def bind(self, engine: Engine) -> None:
        if self.links is None or self.links.src_start.size != engine.providers.n + 1:
            self.links = AidLinks(engine.providers, engine.links, within_region=True)
            n = engine.providers.n
            self._excess = np.zeros(n, dtype=np.int64)
            self._spare = np.zeros(n, dtype=np.int64)

    def step(self, engine: Engine) -> None:
        lk, st = self.links, engine.state
        pool_within(
            st.queue, engine.queue_top, st.block, lk.src, lk.dst, lk.by_src, lk.src_start,
            lk.by_dst, lk.dst_start, self.compliance, self._excess, self._spare, lk.room,
            lk.asks, lk.grants, POOL_ROWS,
        )  # fmt: skip
