"""Booked (elective) patients: admitted in the step they come, before the queue, or
cancelled; never in the queue, so every wait measure is emergency patients'."""

from __future__ import annotations

import numpy as np

from collabsim.core.phases import ROW
from tests.helpers import config, engine, fill, providers
from tests.helpers.phases import admit


def test_booked_patients_take_free_beds_before_the_queue_and_wait_until_the_days_end():
    cfg = config(
        demand={"elective_share": 0.2}, sim={"days": 10, "warmup_days": 0, "step_days": 0.25}
    )
    e = engine(providers([10], [0.0], [1000.0], ["acute"]), cfg=cfg)
    fill(e, occupied=[7], waiting=[4], age=2)  # 3 beds free, 4 emergency patients waiting
    e.state.beds.booked[0] = 5
    admit(e)  # 00:00-06:00
    st = e.state
    assert st.elective_admissions[0] == 3 and st.cancelled[0] == 0 and st.booked[0] == 2
    assert st.admissions[0] == 0 and st.waiting[0] == 4 and st.occupied[0] == 10
    fill(e, occupied=[9], waiting=[4], age=2)  # a bed frees: the booked go first
    e.t = 3  # 18:00-24:00, the day's last step
    admit(e)
    assert st.elective_admissions[0] == 1 and st.admissions[0] == 0
    assert st.cancelled[0] == 1 and st.booked[0] == 1  # cancelled, still booked tomorrow


def test_the_elective_share_of_arrivals_and_waits_only_for_emergencies():
    flat = {"weekly": [1.0] * 7, "winter_amplitude": 0.0}
    cfg = config(
        demand={**flat, "elective_share": 0.3},
        sim={"days": 200, "warmup_days": 0},
        seed=4,
    )
    e = engine(providers([60, 30], [10.0, 5.0], [5.0, 5.0], ["acute", "community"]), cfg=cfg)
    e.run()
    rows = e.recorder.rows[: e.recorder.steps_recorded]
    electives = rows[:, ROW["electives"]].sum()
    emergencies = rows[:, ROW["arrivals"]].sum()
    total = electives + emergencies
    # only the acute provider books: 10 of the 15 a day, 30 % of them; binomial sd ~0.6 %
    expected = 0.3 * 10 / 15
    assert abs(electives / total - expected) < 4 * np.sqrt(expected * (1 - expected) / total)
    tot = e.recorder.provider_totals
    assert tot[ROW["electives"], 1] == 0
    # emergency patients queue; booked ones are admitted or still booked
    booked = e.state.booked[0]
    assert tot[ROW["electives"], 0] == tot[ROW["elective_admissions"], 0] + booked
    assert tot[ROW["admissions"]].sum() + e.state.waiting.sum() <= emergencies
