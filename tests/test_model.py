"""The Mesa face: Provider agents whose state is the engine's arrays."""

from __future__ import annotations

import collabsim
from collabsim.agents import Provider


def test_one_agent_per_provider_reading_the_arrays():
    model = collabsim.CollabModel(collabsim.load_config(["sim.days=30", "sim.warmup_days=5"]))
    e = model.engine
    assert len(model.agents) == e.providers.n
    for _ in range(10):
        model.step()
    assert model.steps == 10 and e.t == 10
    for agent in model.agents:
        assert isinstance(agent, Provider)
        i = agent.index
        assert agent.occupied == e.state.occupied[i] and agent.waiting == e.state.waiting[i]
        assert agent.provider_id == e.providers.ids[i]
        assert agent.cell.coordinate == i


def test_agents_filter_and_write_the_mesa_way():
    model = collabsim.CollabModel(collabsim.load_config(["sim.days=30", "sim.warmup_days=5"]))
    acute = model.agents.select(lambda a: a.kind == "acute")
    assert len(acute) == 3
    first = acute[0]
    first.capacity = first.capacity + 30  # escalation beds
    assert model.engine.state.capacity[first.index] == first.capacity
    partners = {p.kind for p in first.partners()}
    assert {"acute", "community", "social_care"} <= partners
    occupancy = model.agents.agg("occupancy", max)
    assert 0 < occupancy <= 1


def test_simulate_returns_summary_and_series():
    cfg = collabsim.load_config(["sim.days=50", "sim.warmup_days=10"])
    result = collabsim.simulate(cfg)
    for key in ("seed", "policy", "network", "steps", "step_days", "arrivals", "admissions",
                "waiting_end", "lost", "mean_wait_days", "p95_wait_days", "breach_share",
                "mean_occupancy", "delayed_discharge_bed_days", "transfers", "mean_trust",
                "version"):  # fmt: skip
        assert key in result.summary
    assert len(result.series) == 50 and result.summary["steps"] == 50
    assert {"arrivals", "waiting", "occupancy", "mean_wait_days"} <= set(result.series.columns)


def test_provider_agents_show_traits_loans_and_trust():
    import collabsim

    cfg = collabsim.load_config(["sim.days=60", "sim.warmup_days=5", "policy=trust_gated",
                                 "aid.kinds=loans", "demand.scale=1.1",
                                 "self_preservation.spread=0.1"])  # fmt: skip
    model = collabsim.CollabModel(cfg)
    model.run()
    agents = list(model.agents)
    sp = [a.self_preservation for a in agents]
    assert len(set(sp)) == len(agents) and all(0 <= x <= 1 for x in sp)
    assert sum(a.lent for a in agents) == sum(a.borrowed for a in agents)
    a, b = agents[0], agents[0].partners()[0]
    assert 0 <= a.trust_in(b) <= 1 and a.candour == 1.0
