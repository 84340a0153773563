"""The discharge pathway: who needs an onward place, and what happens without a partner."""

from __future__ import annotations

from tests.helpers import config, engine, links, providers


def test_an_acute_provider_without_a_step_down_partner_sends_everyone_home():
    """Two acute providers, only the first linked to a community provider: the first
    keeps a quarter of its discharges as delayed discharges, the second none (they
    would wait for a place that does not exist, silting up its beds)."""
    prov = providers([200, 200, 400], [20.0, 20.0, 5.0], [5.0, 5.0, 20.0],
                     kinds=["acute", "acute", "community"])  # fmt: skip
    cfg = config(sim={"days": 120, "warmup_days": 20}, pathway={"share": 0.25})
    e = engine(prov, links([(0, 2), (2, 0), (1, 0), (0, 1)]), cfg)
    e.run()
    from collabsim.core.phases import ROW

    new_delayed = e.recorder.provider_totals[ROW["new_delayed"]]
    discharged = e.recorder.provider_totals[ROW["discharges"]]
    assert new_delayed[1] == 0 and e.state.delayed[1] == 0
    share = new_delayed[0] / (new_delayed[0] + discharged[0])
    assert abs(share - 0.25) < 0.05  # about 1,700 stay ends: a binomial sd of 0.01
    assert e.recorder.provider_totals[ROW["lost"]][1] == 0
