"""The trust dividend split by channel (issue 10): switching trust's channels off one at
a time on the same seeds, in ``collabsim.dividend`` and in the report of a sweep."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import collabsim
from collabsim.config import CHANNELS
from collabsim.dividend import CHANNEL_MEASURES, channel_parts, trust_dividend
from collabsim.stats import Interval
from tests.helpers import run

SMALL = ["network=small", "scenario=winter", "sim.days=120", "sim.warmup_days=20"]
# Measures that trust can only move through what providers do (not trust itself).
BEHAVIOUR = (*CHANNEL_MEASURES, "mean_wait_days", "transfers", "loans", "refusals")


@pytest.fixture(scope="module")
def split() -> dict:
    cfg = collabsim.load_config([*SMALL, "policy=trust_gated"])
    return trust_dividend(cfg, 0.2, 0.8, replications=3, measures=("mean_wait_days",
                          "mean_trust"), channels=True)  # fmt: skip


def test_the_split_names_every_channel_with_finite_intervals(split):
    b = split["by_channel"]
    assert b["measures"] == ["mean_wait_days", "mean_trust", *CHANNEL_MEASURES]
    assert b["already_off"] == []
    assert set(b["contributions"]) == set(b["without"]) == set(CHANNELS)
    for c in CHANNELS:
        for m in b["measures"]:
            iv = b["contributions"][c][m]
            assert iv["n"] == 3 and all(math.isfinite(iv[k]) for k in ("mean", "low", "high"))
            assert iv["low"] <= iv["mean"] <= iv["high"]
    for part in ("total", "all_off", "interaction"):
        assert all(math.isfinite(b[part][m]["mean"]) for m in b["measures"])
    # the split's total is the dividend with every channel on
    for m in ("mean_wait_days", "mean_trust"):
        assert b["total"][m] == split["dividend"][m]


def test_the_parts_add_up_to_the_total(split):
    """all_off + the four contributions + the interaction = the total, by construction;
    all_off is zero but in trust, so there the contributions and interaction alone do."""
    b = split["by_channel"]
    for m in b["measures"]:
        parts = b["all_off"][m]["mean"] + b["interaction"][m]["mean"]
        parts += sum(b["contributions"][c][m]["mean"] for c in CHANNELS)
        assert parts == pytest.approx(b["total"][m]["mean"], rel=1e-9, abs=1e-9), m
    # a contribution is the total less the dividend with the channel off
    for c in CHANNELS:
        for m in b["measures"]:
            less = b["total"][m]["mean"] - b["without"][c][m]["mean"]
            assert b["contributions"][c][m]["mean"] == pytest.approx(less, rel=1e-9, abs=1e-9)


def test_with_every_channel_off_trust_moves_no_patient_and_no_pound(split):
    """With every channel off, low and high trust differ in trust only: on the same
    seeds waits, harm and cost are identical run by run (trust acts only through the
    channels), while trust itself still differs."""
    b = split["by_channel"]
    for m in CHANNEL_MEASURES + ("mean_wait_days",):
        assert b["all_off"][m]["mean"] == 0.0 and b["all_off"][m]["se"] == 0.0, m
    assert b["all_off"]["mean_trust"]["mean"] < -0.1  # trust 0.2 against 0.8 still shows
    # and the dividend does come through the channels here
    assert b["total"]["mean_wait_hours"]["mean"] != 0.0


@pytest.mark.parametrize(
    "policy", ["reciprocal", "trust_gated", "ics_pool", "lead_provider", "national_escalation"]
)
def test_every_policy_is_blind_to_trust_with_every_channel_off(policy):
    off = "channels.off=[" + ",".join(CHANNELS) + "]"
    cfg = collabsim.load_config([*SMALL, f"policy={policy}", "sim.days=90", off])
    d = trust_dividend(cfg, 0.0, 1.0, replications=2, measures=BEHAVIOUR)
    for m in BEHAVIOUR:
        assert d["dividend"][m]["mean"] == 0.0 and d["dividend"][m]["se"] == 0.0, (policy, m)


def test_a_channel_already_off_stays_off_and_contributes_nothing():
    cfg = collabsim.load_config([*SMALL, "policy=reciprocal", "sim.days=90",
                                 "channels.off=[haggling]"])  # fmt: skip
    d = trust_dividend(cfg, 0.2, 0.8, replications=2, measures=("aid_cost",), channels=True)
    b = d["by_channel"]
    assert b["already_off"] == ["haggling"]
    for m in b["measures"]:
        assert b["contributions"]["haggling"][m]["mean"] == 0.0
        assert b["without"]["haggling"][m] == b["total"][m]
    assert b["total"]["aid_cost"] == d["dividend"]["aid_cost"]


def test_memory_has_nothing_to_act_on_without_drift():
    """Memory moves where trust drifts to; with no drift that place is never reached, so
    switching memory off changes nothing: its part is exactly zero."""
    cfg = collabsim.load_config([*SMALL, "policy=trust_gated", "sim.days=90",
                                 "trust.drift_per_day=0"])  # fmt: skip
    b = trust_dividend(cfg, 0.2, 0.8, replications=2, measures=(), channels=True)["by_channel"]
    for m in CHANNEL_MEASURES:
        assert b["contributions"]["memory"][m]["mean"] == 0.0, m


def test_channel_parts_by_hand():
    total = np.array([3.0, 4.0, 5.0, 6.0])
    without = {
        "offering": total - 2.0,  # contributes 2 on every seed
        "telling": total - np.array([1.0, 0.0, 1.0, 0.0]),
        "haggling": total,  # nothing
        "memory": total - np.array([0.0, 0.0, 0.0, 1.0]),
    }
    p = channel_parts(total, without)
    assert p["total"].mean == 4.5
    assert p["contributions"]["offering"] == Interval(2.0, 0.0, 2.0, 2.0, 4)
    assert p["contributions"]["telling"].mean == 0.5
    assert p["contributions"]["haggling"].mean == 0.0
    assert p["interaction"].mean == pytest.approx(4.5 - 2.0 - 0.5 - 0.25)
    q = channel_parts(total, without, all_off=np.ones(4))
    assert q["all_off"].mean == 1.0
    assert q["interaction"].mean == pytest.approx(p["interaction"].mean - 1.0)
    assert "interaction" not in channel_parts(total, {"offering": total - 2.0})


# ---- the report --------------------------------------------------------------------


def sweep_runs() -> pd.DataFrame:
    """A hand-made sweep: two policies x trust 0.2, 0.8 x channels.off (all on, each
    channel off, all off), 4 seeds. At trust 0.8 every wait is 10 hours; at 0.2 it is 10
    plus the dividend: under trust_gated [3, 4, 5, 6] by seed with every channel on, of
    which offering gives 2 a seed, telling [1, 0, 1, 0], haggling nothing, memory
    [0, 0, 0, 1]; with every channel off, 0. Under ics_pool 1 a seed, through haggling."""
    total = {"trust_gated": np.array([3.0, 4.0, 5.0, 6.0]), "ics_pool": np.ones(4)}
    through = {
        "trust_gated": {"offering": np.full(4, 2.0), "telling": np.array([1.0, 0, 1, 0]),
                        "haggling": np.zeros(4), "memory": np.array([0.0, 0, 0, 1])},
        "ics_pool": {"offering": np.zeros(4), "telling": np.zeros(4), "haggling": np.ones(4),
                     "memory": np.zeros(4)},
    }  # fmt: skip
    variants = [[], *([c] for c in CHANNELS), list(CHANNELS)]
    rows = []
    for policy in total:
        for off in variants:
            if not off:
                dividend = total[policy]
            elif len(off) == 1:
                dividend = total[policy] - through[policy][off[0]]
            else:
                dividend = np.zeros(4)
            for trust in (0.2, 0.8):
                job = f"{policy}-{trust}-{'+'.join(off)}"
                for s, seed in enumerate(range(7, 11)):
                    wait = 10.0 + (dividend[s] if trust == 0.2 else 0.0)
                    rows.append({"policy.name": policy, "trust.initial": trust,
                                 "channels.off": json.dumps(off), "seed": seed, "_dir": job,
                                 "mean_wait_hours": wait, "mean_wait_days": wait / 24,
                                 "waits_12h_per_quarter": 100 * wait, "harm_events": 0.0,
                                 "aid_cost": 5.0})  # fmt: skip
    return pd.DataFrame(rows)


def test_the_report_splits_a_swept_dividend_by_channel():
    from collabsim.report import analysis

    runs = sweep_runs()
    keys = analysis.factors(runs)
    assert set(keys) == {"policy.name", "trust.initial", "channels.off"}
    table, key, measures = analysis.channel_dividends(runs, keys)
    assert key == "trust.initial" and measures == list(CHANNEL_MEASURES)
    gated = table[table["what_if"] == "policy=trust_gated"].set_index(["part", "channel"])
    wait = gated["mean_wait_hours"]
    assert wait[("total", "")].mean == 4.5 and gated["n"].iloc[0] == 4
    assert wait[("channel", "offering")] == Interval(2.0, 0.0, 2.0, 2.0, 4)
    assert wait[("channel", "telling")].mean == 0.5
    assert wait[("channel", "haggling")].mean == 0.0
    assert wait[("channel", "memory")].mean == 0.25
    assert wait[("all_off", "+".join(CHANNELS))].mean == 0.0
    assert wait[("interaction", "")].mean == pytest.approx(4.5 - 2.75)
    assert gated["waits_12h_per_quarter"][("channel", "offering")].mean == pytest.approx(200)
    pool = table[table["what_if"] == "policy=ics_pool"].set_index(["part", "channel"])
    assert pool["mean_wait_hours"][("channel", "haggling")].mean == 1.0
    assert pool["mean_wait_hours"][("interaction", "")].mean == 0.0
    # the dividend table keeps the runs with every channel on: one row per policy
    dividend, _ = analysis.trust_dividends(runs, keys)
    assert sorted(dividend["what_if"]) == ["policy=ics_pool", "policy=trust_gated"]
    gated_wait = dividend.set_index("what_if").loc["policy=trust_gated", "wait"]
    assert gated_wait.mean * 24 == pytest.approx(4.5)


def test_channels_off_reads_the_column_as_written():
    from collabsim.report.analysis import channels_off

    assert channels_off("[]") == frozenset()
    assert channels_off('["offering", "telling"]') == {"offering", "telling"}
    assert channels_off(["memory"]) == {"memory"}


def test_without_a_channel_sweep_there_is_no_split():
    from collabsim.report import analysis

    runs = sweep_runs()
    runs = runs[runs["channels.off"] == "[]"]
    keys = analysis.factors(runs)
    assert "channels.off" not in keys and analysis.channel_dividends(runs, keys) is None


def test_the_channel_section_escapes_what_it_writes(tmp_path, monkeypatch):
    from html.parser import HTMLParser

    from collabsim.report import analysis, figures, page

    evil = "<script>alert(4)</script>"
    iv = Interval(0.5, 0.1, 0.3, 0.7, 4)
    table = pd.DataFrame([
        {"what_if": evil, "part": part, "channel": channel, "low": 0.2, "high": 0.8, "n": 4,
         **{m: iv for m in CHANNEL_MEASURES}}
        for part, channel in (("total", ""), ("channel", evil), ("interaction", ""))
    ])  # fmt: skip
    monkeypatch.setattr(analysis, "channel_dividends",
                        lambda runs, keys: (table, evil, list(CHANNEL_MEASURES)))  # fmt: skip
    monkeypatch.setattr(figures, "channel_chart", lambda *a: "")
    section = page.channel_section(pd.DataFrame(), [], tmp_path)

    class Tags(HTMLParser):
        seen: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.seen.append(tag)

    Tags().feed(section)
    assert "script" not in Tags.seen and "&lt;script&gt;" in section
    assert "largest part comes through" in section


@pytest.mark.slow
def test_a_sweep_of_channels_off_reports_the_split_trust_dividend_gives(tmp_path):
    """The command line sweeps the list setting channels.off; the report's split equals
    trust_dividend(channels=True) on the same seeds."""
    from collabsim.report import analysis

    args = [*SMALL, "policy=trust_gated", "sim.days=60", "sim.warmup_days=10"]
    off = ",".join(["[]", *(f"[{c}]" for c in CHANNELS), "[" + ",".join(CHANNELS) + "]"])
    done = run(["-m", *args, "trust.initial=0.2,0.8", f"channels.off={off}", "replications=2",
                "output.figures=false", "hydra.sweep.dir=ch"], tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "ch").glob("*/summary.json"))) == 12
    report = run(["report", "ch"], tmp_path)
    assert report.returncode == 0, report.stderr
    page = (tmp_path / "ch" / "report.html").read_text()
    assert "Why trust pays" in page and "through offering" in page
    assert "Dividend with every channel off" in page
    assert (tmp_path / "ch" / "figures" / "trust_channels.png").read_bytes()[:4] == b"\x89PNG"

    runs, _, _ = analysis.load_runs(tmp_path / "ch")
    table, _, _ = analysis.channel_dividends(runs, analysis.factors(runs))
    table = table.set_index(["part", "channel"])
    cfg = collabsim.load_config(args)
    b = trust_dividend(cfg, 0.2, 0.8, 2, measures=(), channels=True)["by_channel"]
    for m in CHANNEL_MEASURES:
        assert table[m][("total", "")].mean == pytest.approx(b["total"][m]["mean"])
        for c in CHANNELS:
            want = b["contributions"][c][m]["mean"]
            assert table[m][("channel", c)].mean == pytest.approx(want), (m, c)
        assert table[m][("all_off", "+".join(CHANNELS))].mean == 0.0
