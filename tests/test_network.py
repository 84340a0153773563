"""Network presets (sizes, England calibration) and the CSV loader's validation."""

from __future__ import annotations

import numpy as np
import pytest

from collabsim import NetworkError, load_config
from collabsim.core.state import KINDS
from collabsim.network import build, load_files, to_arrays
from tests.helpers import LINKS, PROVIDERS, engine, write


def arrays(overrides: list[str]):
    cfg = load_config(overrides)
    return to_arrays(build(cfg.network, cfg.pathway))


def test_small_preset_is_one_region_of_acute_and_partners():
    prov, links = arrays([])
    kinds = [KINDS[k] for k in prov.kind]
    assert kinds.count("acute") == 3 and {"community", "social_care"} <= set(kinds)
    assert len(prov.region_names) == 1 and links.m > 0


def test_england_preset_matches_public_figures():
    """121 acute providers with beds near KH03 2024/25 Q4 (p10 396, median 753, p90 1,481).

    Tolerance: sample quantiles of 121 lognormal draws have a relative standard error
    of about sigma * sqrt(q (1 - q)) / (sqrt(n) phi(z_q)) ~ 6-9 %; 25 % is about 3 SE.
    """
    prov, links = arrays(["network=england"])
    acute = prov.capacity[prov.kind == KINDS.index("acute")]
    assert len(acute) == 121 and len(prov.region_names) == 42
    for q, published in [(0.1, 396), (0.5, 753), (0.9, 1481)]:
        assert abs(np.quantile(acute, q) / published - 1) < 0.25
    assert 90_000 < acute.sum() < 125_000  # England: 106,068 G&A beds
    # every acute provider has step-down partners (the discharge pathway)
    path = (prov.kind[links.src] == 0) & np.isin(prov.kind[links.dst], [1, 2])
    assert set(np.unique(links.src[path])) == set(np.flatnonzero(prov.kind == 0))


def test_england_regions_are_a_parameter():
    prov, _ = arrays(["network=england", "network.regions=26"])
    assert len(prov.region_names) == 26 and (prov.kind == 0).sum() == 121


def test_synthetic_size_is_set_by_parameters():
    prov, links = arrays(["network=synthetic", "network.regions=50", "network.acute=120"])
    assert (prov.kind == 0).sum() == 120 and len(prov.region_names) == 50
    assert prov.n == 120 + 50 * 3
    assert (links.src != links.dst).all()


def test_generated_links_carry_trust_one_half_unless_trust_initial_is_set():
    _, lk = arrays(["network=england"])
    assert len(lk.trust) > 0 and (lk.trust == 0.5).all()
    cfg = load_config(["trust.initial=0.3"])
    prov, lk = to_arrays(build(cfg.network, cfg.pathway))
    assert (engine(prov, lk, cfg).trust == 0.3).all()


def test_network_generation_is_seeded():
    a, _ = arrays(["network=england"])
    b, _ = arrays(["network=england"])
    c, _ = arrays(["network=england", "network.seed=5"])
    np.testing.assert_array_equal(a.capacity, b.capacity)
    assert not np.array_equal(a.capacity, c.capacity)


def test_file_network_loads_providers_and_links(tmp_path):
    p, lk = write(tmp_path)
    prov, links = to_arrays(load_files(p, lk))
    assert prov.ids == ("A1", "A2", "C1", "S1")
    assert prov.capacity.tolist() == [300, 250, 80, 60]
    trust = {
        (prov.ids[a], prov.ids[b]): t
        for a, b, t in zip(links.src, links.dst, links.trust, strict=True)
    }
    assert trust[("A1", "A2")] == 0.6 and trust[("A2", "A1")] == 0.3  # directed when both listed
    assert trust[("C1", "A1")] == 0.8  # listed once: holds both ways


@pytest.mark.parametrize(
    ("providers", "links", "message"),
    [
        (PROVIDERS.replace("A2,South", "A1,South"), LINKS, "line 3: duplicate provider id 'A1'"),
        (PROVIDERS.replace("300,35", "-5,35"), LINKS, "line 2: capacity -5 must be >= 0"),
        (PROVIDERS.replace("300,35", "lots,35"), LINKS, "capacity 'lots' is not a number"),
        (PROVIDERS.replace("acute,North,300", "hospital,North,300"), LINKS,
         "kind 'hospital' is not one of acute, community"),
        (PROVIDERS.replace(",7.5", ",0"), LINKS, "mean_los_days 0 must be > 0"),
        (PROVIDERS.replace("demand_per_day,", ""), LINKS, "missing column(s) demand_per_day"),
        (PROVIDERS, LINKS.replace("A1,C1", "A1,C9"), "line 4: target 'C9' is not a provider id"),
        (PROVIDERS, LINKS.replace("0.8", "1.8"), "initial_trust 1.8 must be <= 1"),
        (PROVIDERS, LINKS.replace("A1,C1", "A1,A1"), "cannot link to itself"),
        (PROVIDERS, LINKS + "A1,C1,15,0.8\n", "duplicate link A1 -> C1"),
        ("id,name,kind,region,capacity,demand_per_day,mean_los_days\n", LINKS, "has no rows"),
        # numbers that would overflow the engine, and a row with a field too many (issue 14)
        (PROVIDERS.replace("300,35", "1e30,35"), LINKS, "line 2: capacity 1e30 must be <= 1e+06"),
        (PROVIDERS.replace("300,35", "300,1e300"), LINKS, "demand_per_day 1e300 must be <= 1e+06"),
        (PROVIDERS.replace(",7.5", ",7.5,x", 1), LINKS, "line 2 has 8 fields; the header names 7"),
        (PROVIDERS, LINKS.replace("A1,C1,15", "A1,C1,1e300"), "travel_minutes 1e300 must be <="),
    ],
)  # fmt: skip
def test_bad_network_files_are_named_in_one_line(tmp_path, providers, links, message):
    p, lk = write(tmp_path, providers, links)
    with pytest.raises(NetworkError) as err:
        load_files(p, lk)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(NetworkError, match="network.providers_file: cannot read .*nope.csv"):
        load_files(str(tmp_path / "nope.csv"), str(tmp_path / "links.csv"))


def test_an_empty_links_file_is_isolated_providers(tmp_path):
    """A planner can model providers that share nothing: a links file with its header
    and no rows is accepted (issue 14); a providers file with no rows is still refused."""
    p, lk = write(tmp_path, links="source,target,travel_minutes,initial_trust\n")
    prov, links = to_arrays(load_files(p, lk))
    assert prov.n == 4 and links.m == 0


def test_a_bad_rows_line_is_its_line_in_the_file(tmp_path):
    """Blank lines and a name quoted over two lines before a bad row do not shift the
    line reported (issue 14: rows were counted, not lines)."""
    rows = PROVIDERS.splitlines()
    bad = "\n".join([
        rows[0],
        "",  # line 2: blank
        'A1,"North\nGeneral",acute,North,300,35,7.5',  # lines 3-4: one row
        rows[2].replace("250", "lots"),  # line 5: the bad row
        *rows[3:],
    ]) + "\n"  # fmt: skip
    p, lk = write(tmp_path, bad, LINKS)
    with pytest.raises(NetworkError) as err:
        load_files(p, lk)
    assert "line 5: capacity 'lots' is not a number" in str(err.value)
