"""A small system of one's own as the CSV files a planner writes (network=file)."""

from __future__ import annotations

from pathlib import Path

PROVIDERS = """id,name,kind,region,capacity,demand_per_day,mean_los_days
A1,North General,acute,North,300,35,7.5
A2,South General,acute,South,250,30,7.0
C1,North Community,community,North,80,2,20
S1,North Social Care,social_care,North,60,1.5,28
"""
LINKS = """source,target,travel_minutes,initial_trust
A1,A2,40,0.6
A2,A1,40,0.3
A1,C1,15,0.8
A1,S1,20,0.7
"""


def write(tmp_path: Path, providers: str = PROVIDERS, links: str = LINKS) -> tuple[str, str]:
    """``providers.csv`` and ``links.csv`` in ``tmp_path``; their paths as text."""
    p, lk = tmp_path / "providers.csv", tmp_path / "links.csv"
    p.write_text(providers)
    lk.write_text(links)
    return str(p), str(lk)
