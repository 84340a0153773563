"""Networks of providers and links: presets, a calibrated generator and a CSV loader.

Everything here produces a networkx ``DiGraph`` whose nodes are providers
(attributes: id, name, kind, region, capacity, demand_per_day, los_days, x_km,
y_km) and whose edges are directed relationships (travel_minutes, trust). The
engine never sees networkx: ``to_arrays`` turns the graph into edge arrays once.

The England preset is calibrated to public figures (NHS England KH03 bed
availability and occupancy 2024/25 Q4, delayed discharges): see docs/ODD.md.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from collabsim.config import NetworkConfig, PathwayConfig
from collabsim.core.state import KINDS, STEPDOWN, Links, Providers
from collabsim.errors import NetworkError

PROVIDER_COLUMNS = ("id", "name", "kind", "region", "capacity", "demand_per_day", "mean_los_days")
LINK_COLUMNS = ("source", "target", "travel_minutes", "initial_trust")
KIND_CODE = {"acute": "A", "community": "C", "social_care": "S", "mental_health": "M"}
STEPDOWN_KINDS = tuple(KINDS[k] for k in STEPDOWN)
# Trust on a generated link when the run starts: 0.5, the default level trust drifts back
# to (trust.baseline). ``trust.initial``, when set, replaces it on every link; a file's
# links carry their own (the links CSV's initial_trust column).
GENERATED_TRUST = 0.5

# Preset sizes and calibration. "england" follows KH03 2024/25 Q4 (121 trusts with a
# type-1 A&E; G&A beds p10 396, median 753, p90 1,481) and 42 ICSs; "synthetic" keeps
# England's calibration with its size set by the user.
ENGLAND = {
    "regions": 42,
    "acute": 121,
    "partners": ["community", "social_care", "mental_health"],
    "acute_beds_median": 753.0,
    "acute_beds_sigma": 0.515,
}
PRESETS: dict[str, dict[str, Any]] = {
    "small": {
        "regions": 1,
        "acute": 3,
        "partners": ["community", "social_care"],
        "acute_beds_median": 400.0,
        "acute_beds_sigma": 0.3,
    },
    "england": ENGLAND,
    "synthetic": {**ENGLAND, "regions": 100, "acute": 300},
}


# Largest generated network: beyond, generating it takes minutes and gigabytes (networkx
# holds each link as a dictionary) before the run even starts.
MAX_PROVIDERS = 100_000
MAX_LINKS = 2_000_000


def generated_size(cfg: NetworkConfig) -> tuple[int, int]:
    """(providers, links at most) of the network ``generate`` makes of ``cfg``, counted
    from its settings without making it: every pair in a region is linked both ways, and
    each acute provider with the acute providers of its nearest regions."""
    cfg = resolve(cfg)
    regions, acute, partners = cfg.regions, cfg.acute, len(cfg.partners)
    per, extra = divmod(acute, regions)  # acute providers per region: per or per + 1
    within = (regions - extra) * (per + partners) * (per + partners - 1)
    within += extra * (per + 1 + partners) * (per + partners)
    near = min(cfg.neighbour_regions, regions - 1)
    between = 2 * near * acute * (per + (extra > 0))
    return acute + regions * partners, within + between


def check_generated_size(cfg: NetworkConfig, path: str = "network") -> None:
    """Refuse, in one line, a generated network too big to make."""
    providers, links = generated_size(cfg)
    if providers > MAX_PROVIDERS or links > MAX_LINKS:
        full = resolve(cfg)
        raise NetworkError(
            f"{path}: {full.acute:,} acute providers in {full.regions:,} regions make "
            f"{providers:,} providers and up to {links:,} links; at most {MAX_PROVIDERS:,} "
            f"providers and {MAX_LINKS:,} links (more regions for the same acute providers "
            "make fewer links)"
        )


def resolve(cfg: NetworkConfig) -> NetworkConfig:
    """Fill the settings left as None with the preset's values."""
    preset = PRESETS.get(cfg.preset, {})
    return dataclasses.replace(cfg, **{k: v for k, v in preset.items() if getattr(cfg, k) is None})


def los_for_kind(cfg: NetworkConfig, kind: str) -> float:
    return float(getattr(cfg, f"{kind}_los_days"))


def generate(cfg: NetworkConfig, pathway: PathwayConfig) -> nx.DiGraph:
    """A synthetic system: regions on a plane, acute providers with calibrated beds,
    step-down and mental-health partners sized so every provider's offered load is
    ``occupancy_target``, links within regions and to nearby regions' acute providers."""
    cfg = resolve(cfg)
    rng = np.random.default_rng(cfg.seed)
    n_regions = cfg.regions
    side = math.ceil(math.sqrt(n_regions))
    cell = np.arange(n_regions)
    centres = np.stack([cell % side, cell // side], axis=1).astype(float) * cfg.region_spacing_km
    centres += rng.uniform(-0.25, 0.25, size=centres.shape) * cfg.region_spacing_km
    region_names = [f"ICS{r + 1:0{len(str(n_regions))}d}" for r in range(n_regions)]

    # Spread acute providers over regions as evenly as possible, extras at random.
    per_region = np.full(n_regions, cfg.acute // n_regions)
    per_region[rng.permutation(n_regions)[: cfg.acute % n_regions]] += 1
    beds = np.exp(rng.normal(math.log(cfg.acute_beds_median), cfg.acute_beds_sigma, cfg.acute))
    beds = np.maximum(np.rint(beds), cfg.acute_beds_min).astype(np.int64)
    # Acute demand: offered load = target occupancy over treatment + expected delay.
    acute_stay = cfg.acute_los_days + pathway.share * pathway.arrangement_days
    stepdown = [k for k in cfg.partners if k in STEPDOWN_KINDS]

    # Offered load per acute provider: trusts run at different occupancy. A stream of its
    # own, so the rest of the network is the same whatever the spread.
    spread_rng = np.random.default_rng([cfg.seed, 1])
    load = cfg.occupancy_target + cfg.occupancy_spread * spread_rng.standard_normal(cfg.acute)
    load = np.clip(load, 0.5, 0.995) if cfg.occupancy_spread > 0 else load

    g = nx.DiGraph(preset=cfg.preset)
    node = 0
    acute_nodes_by_region: list[list[int]] = []
    k = 0
    for r in range(n_regions):
        region, members, acute_nodes = region_names[r], [], []
        acute_flow = 0.0
        for j in range(per_region[r]):
            demand = load[k] * beds[k] / acute_stay
            acute_flow += demand
            _add_provider(
                g,
                node,
                f"{region}-A{j + 1}",
                "acute",
                region,
                int(beds[k]),
                demand,
                cfg.acute_los_days,
                centres[r],
                rng,
                cfg.region_radius_km,
            )
            members.append(node)
            acute_nodes.append(node)
            node += 1
            k += 1
        region_beds = float(beds[k - per_region[r] : k].sum())
        for kind in cfg.partners:
            los = los_for_kind(cfg, kind)
            if kind in STEPDOWN_KINDS:
                inflow = pathway.share * acute_flow / len(stepdown)
                own = inflow * cfg.stepdown_own_share / (1 - cfg.stepdown_own_share)
                capacity = (inflow + own) * los / cfg.occupancy_target
                demand = own
            else:
                capacity = cfg.mental_health_beds_ratio * region_beds
                demand = cfg.occupancy_target * capacity / los
            _add_provider(
                g,
                node,
                f"{region}-{KIND_CODE[kind]}1",
                kind,
                region,
                max(1, round(capacity)),
                demand,
                los,
                centres[r],
                rng,
                cfg.region_radius_km,
            )
            members.append(node)
            node += 1
        for a in members:
            for b in members:
                if a != b:
                    _add_link(g, a, b, cfg)
        acute_nodes_by_region.append(acute_nodes)

    # Acute providers also link to acute providers in the nearest other regions.
    if cfg.neighbour_regions and n_regions > 1:
        near = _nearest(centres, min(cfg.neighbour_regions, n_regions - 1))
        for r in range(n_regions):
            for other in near[r]:
                for a in acute_nodes_by_region[r]:
                    for b in acute_nodes_by_region[other]:
                        _add_link(g, a, b, cfg)
                        _add_link(g, b, a, cfg)
    return g


def _nearest(centres: np.ndarray, k: int, block: int = 512) -> np.ndarray:
    """The ``k`` nearest other regions of each region, nearest first: distances a block of
    rows at a time, so 10,000 regions need tens of megabytes rather than gigabytes."""
    out = np.empty((len(centres), k), dtype=np.int64)
    for lo in range(0, len(centres), block):
        d = np.linalg.norm(centres[lo : lo + block, None, :] - centres[None, :, :], axis=2)
        d[np.arange(len(d)), np.arange(lo, lo + len(d))] = np.inf  # not itself
        out[lo : lo + block] = np.argsort(d, axis=1)[:, :k]
    return out


def _add_provider(
    g: nx.DiGraph,
    node: int,
    pid: str,
    kind: str,
    region: str,
    capacity: int,
    demand: float,
    los: float,
    centre: np.ndarray,
    rng: np.random.Generator,
    radius_km: float,
) -> None:
    x, y = centre + rng.normal(0, radius_km, 2)
    name = f"{kind.replace('_', ' ').title()} {pid.rsplit('-', 1)[1][1:]} ({region})"
    g.add_node(
        node,
        id=pid,
        name=name,
        kind=kind,
        region=region,
        capacity=capacity,
        demand_per_day=float(demand),
        los_days=float(los),
        x_km=float(x),
        y_km=float(y),
    )


def _add_link(g: nx.DiGraph, a: int, b: int, cfg: NetworkConfig) -> None:
    if g.has_edge(a, b):
        return
    na, nb = g.nodes[a], g.nodes[b]
    km = math.hypot(na["x_km"] - nb["x_km"], na["y_km"] - nb["y_km"])
    g.add_edge(a, b, travel_minutes=max(5.0, km * cfg.minutes_per_km), trust=GENERATED_TRUST)


# ----------------------------------------------------------------------------- files

# Sane upper bounds for a provider file's numbers: beyond them counts and costs overflow
# the engine's integers, and no NHS organisation comes near them.
MAX_BEDS = 1_000_000
MAX_PER_DAY = 1_000_000.0
MAX_STAY_DAYS = 3650.0
MAX_MINUTES = 100_000.0


def _read_csv(
    path_text: str, field: str, columns: tuple[str, ...], empty: bool = False
) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV file with the ``columns`` (more are allowed), each with the line
    of the file it ends on (blank lines and quoted line breaks counted); ``empty``: a file
    with a header and no rows is allowed (isolated providers have no links)."""
    path = Path(path_text).expanduser()
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [c.strip() for c in (reader.fieldnames or [])]
            missing = [c for c in columns if c not in header]
            if missing:
                raise NetworkError(
                    f"{field}: {path} is missing column(s) {', '.join(missing)}; "
                    f"expected {', '.join(columns)}"
                )
            rows = []
            for row in reader:
                if None in row:  # more fields than the header names
                    raise NetworkError(
                        f"{field}: {path} line {reader.line_num} has {len(header) + len(row[None])}"
                        f" fields; the header names {len(header)}"
                    )
                cells = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
                rows.append((reader.line_num, cells))
    except OSError as exc:
        raise NetworkError(f"{field}: cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise NetworkError(f"{field}: {path} is not a readable CSV file: {exc}") from None
    if not rows and not empty:
        raise NetworkError(f"{field}: {path} has no rows")
    return rows


def _number(
    row: dict[str, str],
    column: str,
    where: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
) -> float:
    text = row.get(column, "")
    try:
        value = float(text)
    except ValueError:
        raise NetworkError(f"{where}: {column} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise NetworkError(f"{where}: {column} {text!r} is not a finite number")
    if lo is not None and (value <= lo if lo_open else value < lo):
        raise NetworkError(f"{where}: {column} {text} must be {'>' if lo_open else '>='} {lo:g}")
    if hi is not None and value > hi:
        raise NetworkError(f"{where}: {column} {text} must be <= {hi:g}")
    return value


def load_files(providers_file: str, links_file: str) -> nx.DiGraph:
    """The user's providers and links from CSV files, validated row by row.

    providers: id, name, kind, region, capacity, demand_per_day, mean_los_days
    links: source, target, travel_minutes, initial_trust (a link listed once holds
    both ways with the same trust; list the reverse row to give it its own trust)
    """
    field_p, field_l = "network.providers_file", "network.links_file"
    g = nx.DiGraph(preset="file")
    index: dict[str, int] = {}
    for line, row in _read_csv(providers_file, field_p, PROVIDER_COLUMNS):
        where = f"{providers_file} line {line}"
        pid = row["id"]
        if not pid:
            raise NetworkError(f"{where}: id is empty")
        if pid in index:
            raise NetworkError(f"{where}: duplicate provider id {pid!r}")
        kind = row["kind"]
        if kind not in KINDS:
            raise NetworkError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
        if not row["region"]:
            raise NetworkError(f"{where}: region is empty")
        capacity = _number(row, "capacity", where, lo=0, hi=MAX_BEDS)
        if capacity != int(capacity):
            raise NetworkError(f"{where}: capacity {row['capacity']} must be a whole number")
        index[pid] = len(index)
        g.add_node(
            index[pid],
            id=pid,
            name=row["name"] or pid,
            kind=kind,
            region=row["region"],
            capacity=int(capacity),
            demand_per_day=_number(row, "demand_per_day", where, lo=0, hi=MAX_PER_DAY),
            los_days=_number(row, "mean_los_days", where, lo=0, lo_open=True, hi=MAX_STAY_DAYS),
        )
    seen: set[tuple[int, int]] = set()
    listed: list[tuple[int, int, float, float]] = []
    for line, row in _read_csv(links_file, field_l, LINK_COLUMNS, empty=True):
        where = f"{links_file} line {line}"
        for column in ("source", "target"):
            if row[column] not in index:
                raise NetworkError(f"{where}: {column} {row[column]!r} is not a provider id")
        a, b = index[row["source"]], index[row["target"]]
        if a == b:
            raise NetworkError(f"{where}: a provider cannot link to itself ({row['source']})")
        if (a, b) in seen:
            raise NetworkError(f"{where}: duplicate link {row['source']} -> {row['target']}")
        seen.add((a, b))
        minutes = _number(row, "travel_minutes", where, lo=0, hi=MAX_MINUTES)
        trust = _number(row, "initial_trust", where, lo=0, hi=1)
        listed.append((a, b, minutes, trust))
    for a, b, minutes, trust in listed:
        g.add_edge(a, b, travel_minutes=minutes, trust=trust)
        if (b, a) not in seen:
            g.add_edge(b, a, travel_minutes=minutes, trust=trust)
    return g


def build(cfg: NetworkConfig, pathway: PathwayConfig) -> nx.DiGraph:
    """The network named by ``cfg.preset``."""
    if cfg.preset == "file":
        return load_files(cfg.providers_file, cfg.links_file)
    return generate(cfg, pathway)


def to_arrays(g: nx.DiGraph) -> tuple[Providers, Links]:
    """Provider and link arrays for the engine (nodes must be 0..n-1)."""
    n = g.number_of_nodes()
    nodes = [g.nodes[i] for i in range(n)]
    regions = sorted({d["region"] for d in nodes})
    region_index = {r: i for i, r in enumerate(regions)}
    providers = Providers(
        ids=tuple(d["id"] for d in nodes),
        names=tuple(d["name"] for d in nodes),
        kind=np.array([KINDS.index(d["kind"]) for d in nodes], dtype=np.int8),
        region=np.array([region_index[d["region"]] for d in nodes], dtype=np.int32),
        region_names=tuple(regions),
        capacity=np.array([d["capacity"] for d in nodes], dtype=np.int64),
        demand_per_day=np.array([d["demand_per_day"] for d in nodes], dtype=float),
        los_days=np.array([d["los_days"] for d in nodes], dtype=float),
    )
    edges = sorted(g.edges(data=True))
    links = Links(
        src=np.array([a for a, _, _ in edges], dtype=np.int64),
        dst=np.array([b for _, b, _ in edges], dtype=np.int64),
        travel_minutes=np.array([e["travel_minutes"] for _, _, e in edges], dtype=float),
        trust=np.array([e["trust"] for _, _, e in edges], dtype=float),
    )
    return providers, links
