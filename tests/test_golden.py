"""Behaviour pinned: the same summaries, series and provider tables, run for run.

``tests/golden/runs.json`` holds, for a set of runs covering every policy, scenario,
aid kind, stay distribution, arrival distribution and behaviour switch, the full
summary and the column sums of the series and per-provider tables, as computed by
the engine when the file was written. A refactoring must leave every one of them
unchanged: integers exactly, floats to 1e-12 relative (the same arithmetic gives the
same bits; the tolerance only forgives a different CPU's last bit in numpy's sums).

A deliberate change of behaviour regenerates the file, and says so in its commit:

    COLLABSIM_GOLDEN=write python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

import collabsim

GOLDEN = Path(__file__).parent / "golden" / "runs.json"
SMALL = ["sim.days=240", "sim.warmup_days=30", "demand.scale=1.08", "trust.initial=0.3"]
ENGLAND = ["network=england", "calibration=none", "time=daily", "sim.days=60",
           "sim.warmup_days=10", "demand.scale=1.03"]  # fmt: skip
# The England preset as shipped: hourly, wards, escalation beds, booked patients (issue 9)
CALIBRATED = ["network=england", "sim.days=30", "sim.warmup_days=5"]
POLICIES = ("none", "reciprocal", "trust_gated", "ics_pool", "lead_provider",
            "national_escalation")  # fmt: skip
SCENARIOS = ("baseline", "winter", "covid_surge", "funding_squeeze", "relationship_programme",
             "competition_history")  # fmt: skip
BEHAVIOUR = ["aid.kinds=both", "culture=blame", "candour.mean=0.6", "candour.spread=0.2",
             "self_preservation.spread=0.2", "self_preservation.adapt=0.05"]  # fmt: skip

CASES: dict[str, list[str]] = {
    **{f"small {p}": [*SMALL, f"policy={p}"] for p in POLICIES},
    **{f"small {p} loans": [*SMALL, f"policy={p}", "aid.kinds=loans"] for p in POLICIES},
    **{f"small {p} behaviour": [*SMALL, f"policy={p}", *BEHAVIOUR] for p in POLICIES},
    **{f"small trust_gated {s}": [*SMALL, "policy=trust_gated", f"scenario={s}"]
       for s in SCENARIOS},
    **{f"small reciprocal {s}": [*SMALL, "policy=reciprocal", f"scenario={s}", "aid.kinds=both"]
       for s in SCENARIOS},
    "small lognormal half-day": [*SMALL, "policy=ics_pool", "discharge.los=lognormal",
                                 "sim.step_days=0.5"],
    "small overdispersed surge": [*SMALL, "policy=trust_gated", "demand=overdispersed",
                                  "demand=surge"],
    "small no friction": [*SMALL, "policy=ics_pool", "aid.delay_days=0", "seed=5"],
    "small protected time": [*SMALL, "policy=trust_gated", "relationship.protected_time=0.02"],
    **{f"england {p}": [*ENGLAND, f"policy={p}"] for p in POLICIES},
    "england trust_gated behaviour": [*ENGLAND, "policy=trust_gated", *BEHAVIOUR,
                                      "scenario=funding_squeeze"],
    "england calibrated none": [*CALIBRATED, "policy=none"],
    "england calibrated trust_gated both": [*CALIBRATED, "policy=trust_gated", "aid.kinds=both",
                                            "scenario=winter"],
}  # fmt: skip


def fingerprint(overrides: list[str]) -> dict:
    """Summary, and column sums of the series and provider tables, of one run."""
    from collabsim.model import CollabModel

    model = CollabModel(collabsim.load_config(overrides))
    model.run()
    summary = {k: v for k, v in model.summary.items() if k != "version"}
    series = {c: _total(v) for c, v in model.series.items()}
    providers = {c: _total(v) for c, v in model.providers_frame().items()
                 if np.issubdtype(np.asarray(v).dtype, np.number)}  # fmt: skip
    return {"summary": summary, "series": series, "providers": providers}


def _total(values) -> float | int:
    a = np.asarray(values)
    if np.issubdtype(a.dtype, np.integer):
        return int(a.sum())
    return float(np.nansum(a.astype(float)))


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        a, b = float(a), float(b)
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12,
                                                                 abs_tol=1e-300)  # fmt: skip
    return a == b


def _load() -> dict:
    return json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}


if os.environ.get("COLLABSIM_GOLDEN") == "write":  # pragma: no cover - deliberate regeneration
    GOLDEN.write_text(json.dumps({name: fingerprint(o) for name, o in CASES.items()}, indent=1,
                                 sort_keys=True) + "\n")  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_behaviour_is_unchanged(name):
    golden = _load()
    assert name in golden, f"{name}: not in {GOLDEN.name}; regenerate it (see the docstring)"
    got = json.loads(json.dumps(fingerprint(CASES[name])))  # as the file stores it
    want = golden[name]
    for part in ("summary", "series", "providers"):
        # a new measure or column is an addition; one gone is a change
        assert not want[part].keys() - got[part].keys(), part
        diff = {k: (got[part][k], want[part][k]) for k in want[part]
                if not _same(got[part][k], want[part][k])}  # fmt: skip
        assert not diff, f"{part} changed: {diff}"
