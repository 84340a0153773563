"""The trust dividend's channels (ODD 7.13): trust acts through what providers do."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from collabsim.core.pressure import Channels, candour_towards, willing

CHANNELS = Channels(0.5, 0.2, 0.5, 0.5, True, True)


@settings(deadline=None)  # the first call compiles the kernels
@given(
    offer=st.integers(0, 500),
    kept=st.integers(0, 500),
    low=st.floats(0, 1),
    high=st.floats(0, 1),
    candour=st.floats(0, 1),
)
def test_more_trust_never_means_a_smaller_offer_or_less_candour(offer, kept, low, high, candour):
    low, high = min(low, high), max(low, high)
    assert willing(offer, kept, low, CHANNELS) <= willing(offer, kept, high, CHANNELS)
    assert 0 <= willing(offer, kept, high, CHANNELS) <= offer + kept
    assert candour_towards(candour, low, CHANNELS) <= candour_towards(candour, high, CHANNELS)
    assert willing(offer, kept, 0.5, CHANNELS) == offer  # neutral: the offer, no more


def test_a_channel_switched_off_acts_as_at_neutral_trust():
    off = Channels(0.5, 0.2, 0.5, 0.5, False, False)
    for trust in (0.0, 0.3, 0.9, 1.0):
        assert willing(40, 10, trust, off) == 40
        assert candour_towards(0.7, trust, off) == 0.7
    # refuse_below may equal neutral (a step): neutral trust still gives the whole offer
    step = Channels(0.5, 0.5, 0.5, 0.5, True, True)
    assert willing(40, 10, 0.5, step) == 40 and willing(40, 10, 0.49, step) == 0
    assert willing(40, 10, 0.0, step._replace(offering_on=False)) == 40


def test_friction_settings_changed_take_effect_at_the_next_reset():
    from tests.helpers import asker_and_helper

    e = asker_and_helper()
    assert e.aid.friction.on and e.aid.friction.delay == 0.0
    e.config.channels.off = ["haggling"]
    e.config.aid.delay_days = 3.0
    e.reset(e.config.seed)
    assert not e.aid.friction.on and e.aid.friction.delay == 3.0
    assert e.aid.in_flight.pending.shape[1] == 3 + 1  # room for the longest delay


def test_raising_trust_shortens_waits_on_the_same_seeds():
    """A (20 beds, offered load 25 beds) and its partner B (40 beds, load 20), trust_gated,
    trust 0.2 against 0.8 on both links (no drift), 6 paired seeds (common random
    numbers): at 0.2 B offers A nothing (refuse_below), at 0.8 its offer and some of its
    reserve, so A's patients wait less on every seed."""
    from tests.helpers import config, engine, links, providers

    prov = providers([20, 40], [5.0, 4.0], [5.0, 5.0], ["acute", "acute"])
    waits, willing_seen = {}, {}
    for level in (0.2, 0.8):
        cfg = config(sim={"days": 120, "warmup_days": 20}, policy={"name": "trust_gated"},
                     trust={"initial": level, "drift_per_day": 0.0},
                     self_preservation={"mean": 0.3})  # fmt: skip
        e = engine(prov, links([(0, 1), (1, 0)]), cfg)
        waits[level], willing_seen[level] = [], []
        for seed in range(1, 7):
            e.reset(seed)
            waited = admitted = offered = 0
            for _ in range(e.steps):
                e.step()
                waited += int(e.state.wait_steps[0])  # A's admissions' waits, in steps
                admitted += int(e.state.admissions[0])
                offered += int(e.aid.marks.willing[0])  # what B would give A
            waits[level].append(waited / admitted)
            willing_seen[level].append(offered)
    low, high = np.array(waits[0.2]), np.array(waits[0.8])
    assert (high < low).all(), (low, high)
    assert stats.ttest_rel(low, high, alternative="greater").pvalue < 0.01
    assert sum(willing_seen[0.2]) == 0 < sum(willing_seen[0.8])
