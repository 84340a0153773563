"""``collabsim check``: the load each provider will face against its beds, before a run.

    collabsim check                                            # the default (small) system
    collabsim check network=england
    collabsim check network=file network.providers_file=providers.csv \\
        network.links_file=links.csv
    collabsim check --columns                                  # what each CSV column means

The network is built exactly as a run builds it (``collabsim.network.build`` from the
composed, validated settings) and every provider's mean load is computed as the engine
computes its initial occupancy (``Engine._initial_occupancy``, ODD section 5), in beds
(patients in a bed on average):

- own load: ``demand_per_day x demand.scale x mean_los_days``;
- pathway load (community and social-care providers): the patients its acute partners
  send it, ``pathway.share`` of each acute partner's demand split evenly over that acute
  provider's pathway partners, times its own stay;
- delayed load (acute providers with at least one pathway partner): the beds their
  delayed discharges hold, ``pathway.share x demand x pathway.arrangement_days``.

Implied occupancy is the load over the staffed beds (less ``relationship.protected_time``).
The mean is before weekly, winter and shock factors, wards and escalation beds.

Rule: above 100 % a provider's queue grows without bound (a warning, exit status 0);
a provider with patients but no beds, or above 150 % (a third of its patients or more
could never get a bed: the queue is held only by ``sim.max_wait_days``, so a run
measures that cap, not the system), is refused: one line on stderr, exit status 2.
Nothing is written.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from collabsim.errors import CollabsimError

WARN_ABOVE = 1.0  # implied occupancy above which queues grow without bound
REFUSE_ABOVE = 1.5  # implied occupancy above which a run is meaningless
HIGH_ABOVE = 0.95  # marked "high": waits likely long, though the queue is stable

# What each column of the network files means, with its unit (README "Check your system
# first" holds the same text).
PROVIDER_COLUMN_DOCS = (
    ("id", "text", "unique identifier of the provider, used in links.csv (e.g. RXX)"),
    ("name", "text", "display name (empty: the id)"),
    (
        "kind",
        "acute | community | social_care | mental_health",
        "community and social_care are the step-down kinds: they take the acute providers' "
        "patients who need an onward place (the discharge pathway)",
    ),
    (
        "region",
        "text",
        "its Integrated Care System (ICS); policies such as ics_pool act within one",
    ),
    (
        "capacity",
        "beds (a whole number >= 0)",
        "staffed beds (acute G&A, mental health) or places (community, social care) in use; "
        "relationship.protected_time takes its share off",
    ),
    (
        "demand_per_day",
        "patients/day (>= 0)",
        "mean arrivals of its own patients before demand.scale and the weekly, winter and "
        "shock factors. Acute: decisions to admit (emergency and booked). Community and "
        "social care: their OWN referrals only, not the patients acute partners send them "
        "(the model adds those: pathway.share of each acute partner's demand)",
    ),
    (
        "mean_los_days",
        "days (> 0, at most 3650)",
        "mean treatment stay EXCLUDING any delayed discharge. Acute: until medically fit; the "
        "model adds the delay itself (pathway.share x pathway.arrangement_days on average, "
        "plus any wait for a step-down place). Step-down: the stay in the place",
    ),
)
LINK_COLUMN_DOCS = (
    ("source", "provider id", "the provider the relationship starts from"),
    ("target", "provider id", "the provider it leads to"),
    (
        "travel_minutes",
        "minutes (>= 0, at most 100000)",
        "travel time between them: each patient moved costs aid.cost_per_minute per minute, "
        "and partners more than aid.max_travel_minutes apart share no patients or beds",
    ),
    (
        "initial_trust",
        "0-1",
        "how far source trusts target when the run starts (trust.initial, when set, replaces "
        "it on every link). A link listed once holds both ways; list the reverse row to give "
        "it its own trust. An acute -> community or social_care link is a discharge pathway: "
        "the acute provider sends delayed patients there",
    ),
)


class CheckRefused(CollabsimError):
    """A system a run cannot make sense of (a provider with patients and no beds, or far
    beyond its beds)."""


@dataclass(frozen=True)
class Loads:
    """Each provider's mean load (index ``i`` as in the engine's arrays). Loads in beds
    (patients in a bed on average), flows in patients per day."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    regions: tuple[str, ...]
    beds: np.ndarray  # staffed beds or places, less protected time
    demand: np.ndarray  # own arrivals per day x demand.scale
    los: np.ndarray  # mean treatment stay, days
    inflow: np.ndarray  # pathway patients per day received (step-down)
    outflow: np.ndarray  # pathway patients per day sent (acute with a pathway partner)
    delayed: np.ndarray  # beds held by delayed discharges (acute)
    senders: np.ndarray  # acute providers sending patients here (step-down)
    partners: np.ndarray  # pathway partners of each provider (acute)

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def own(self) -> np.ndarray:
        return self.demand * self.los

    @property
    def pathway(self) -> np.ndarray:
        return self.inflow * self.los

    @property
    def load(self) -> np.ndarray:
        return self.own + self.pathway + self.delayed

    @property
    def occupancy(self) -> np.ndarray:
        """Load over beds: inf with patients and no beds, nan with neither."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.load / self.beds

    def label(self, i: int) -> str:
        return self.ids[i] if self.names[i] == self.ids[i] else f"{self.ids[i]} ({self.names[i]})"


def loads(config: Any, graph: Any = None) -> Loads:
    """The mean load of every provider of ``config``'s network (built as a run builds it,
    unless ``graph`` is given), as the engine's initial occupancy computes it."""
    from collabsim import network as networks
    from collabsim.core.pathway import Pathway
    from collabsim.core.state import KINDS

    if graph is None:
        graph = networks.build(config.network, config.pathway)
    providers, links = networks.to_arrays(graph)
    path = Pathway(providers, links).links
    n, share = providers.n, config.pathway.share
    cap = providers.capacity
    beds = cap - np.rint(config.relationship.protected_time * cap).astype(np.int64)
    demand = providers.demand_per_day * config.demand.scale
    acute_demand = demand[path.acute]
    links_per_acute = np.diff(path.src_start)
    inflow, senders = np.zeros(n), np.zeros(n, dtype=np.int64)
    if path.dst.size:
        per_link = share * acute_demand[path.src_pos] / links_per_acute[path.src_pos]
        np.add.at(inflow, path.dst, per_link)
        np.add.at(senders, path.dst, 1)
    has_path = links_per_acute > 0
    outflow, delayed = np.zeros(n), np.zeros(n)
    partners = np.zeros(n, dtype=np.int64)
    outflow[path.acute[has_path]] = share * acute_demand[has_path]
    delayed[path.acute] = outflow[path.acute] * config.pathway.arrangement_days
    partners[path.acute] = links_per_acute
    return Loads(
        ids=providers.ids,
        names=providers.names,
        kinds=tuple(KINDS[k] for k in providers.kind),
        regions=tuple(providers.region_names[r] for r in providers.region),
        beds=beds,
        demand=demand,
        los=providers.los_days,
        inflow=inflow,
        outflow=outflow,
        delayed=delayed,
        senders=senders,
        partners=partners,
    )


@dataclass(frozen=True)
class Findings:
    over: list[int]  # above WARN_ABOVE, not refused
    refused: list[int]  # patients and no beds, or above REFUSE_ABOVE


def judge(lo: Loads) -> Findings:
    occ = lo.occupancy
    no_beds = (lo.beds <= 0) & (lo.load > 0)
    refused = [int(i) for i in np.flatnonzero(no_beds | (occ > REFUSE_ABOVE))]
    over = [int(i) for i in np.flatnonzero(occ > WARN_ABOVE) if i not in refused]
    return Findings(over=over, refused=refused)


# ----------------------------------------------------------------------------- text


def _num(x: float, digits: int = 1) -> str:
    return "-" if x == 0 else f"{x:,.{digits}f}"


def _pct(x: float) -> str:
    if math.isnan(x):
        return "-"
    return "no beds" if math.isinf(x) else f"{100 * x:,.0f}"


def _status(occ: float, refused: bool) -> str:
    if refused:
        return "REFUSED"
    if occ > WARN_ABOVE:
        return "OVER"
    return "high" if occ > HIGH_ABOVE else ("ok" if occ == occ else "")


def _table(header: Sequence[str], units: Sequence[str], rows: list[list[str]], left: int) -> str:
    """Columns padded to their widths: the first ``left`` columns left-aligned."""
    cols = list(zip(header, units, *rows, strict=True))
    widths = [max(len(c) for c in col) for col in cols]

    def line(cells: Sequence[str]) -> str:
        out = [
            c.ljust(w) if k < left else c.rjust(w)
            for k, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  " + "  ".join(out).rstrip()

    return "\n".join(line(r) for r in [list(header), list(units), *rows])


def _short(text: str, width: int = 24) -> str:
    return text if len(text) <= width else text[: width - 1] + "~"


def describe_network(config: Any) -> str:
    net = config.network
    if net.preset == "file":
        return f"network file ({net.providers_file}, {net.links_file})"
    return f"network {net.preset} (generated, network.seed {net.seed})"


def report(config: Any, lo: Loads, found: Findings) -> str:
    """The check's text: a load table, the step-down table, warnings and notes."""
    p = config.pathway
    occ = lo.occupancy
    refused = set(found.refused)
    regions = sorted(set(lo.regions))
    pathway_links = int(lo.partners.sum())
    out = [
        f"collabsim check: {describe_network(config)}",
        f"  {lo.n} providers in {len(regions)} region(s), {pathway_links} discharge pathway "
        f"link(s), demand.scale {config.demand.scale:g}",
        f"  pathway.share {p.share:g} of acute discharges need an onward place, arranged in "
        f"{p.arrangement_days:g} days on average",
        "",
        "Load each provider will face against its beds (means over the year, before weekly, "
        "winter and shock factors):",
    ]
    header = ["id", "name", "kind", "region", "beds", "demand", "stay", "own", "pathway",
              "delayed", "load", "occupancy", "status"]  # fmt: skip
    units = ["", "", "", "", "beds", "/day", "days", "beds", "beds", "beds", "beds", "%", ""]
    order = sorted(range(lo.n), key=lambda i: (lo.regions[i], lo.kinds[i] != "acute", i))
    rows = [
        [lo.ids[i], _short(lo.names[i]), lo.kinds[i], lo.regions[i], f"{lo.beds[i]:,}",
         _num(lo.demand[i]), f"{lo.los[i]:g}", _num(lo.own[i]), _num(lo.pathway[i]),
         _num(lo.delayed[i]), _num(lo.load[i]), _pct(occ[i]), _status(occ[i], i in refused)]
        for i in order
    ]  # fmt: skip
    total_beds, total_load = int(lo.beds.sum()), float(lo.load.sum())
    rows.append(
        ["all", "", "", "", f"{total_beds:,}", _num(float(lo.demand.sum())), "",
         _num(float(lo.own.sum())), _num(float(lo.pathway.sum())), _num(float(lo.delayed.sum())),
         _num(total_load), _pct(total_load / total_beds if total_beds else math.nan), ""]
    )  # fmt: skip
    left = 4
    if len(regions) == 1:  # the region column says nothing
        header, units, rows, left = (
            header[:3] + header[4:],
            units[:3] + units[4:],
            [r[:3] + r[4:] for r in rows],
            3,
        )
    out.append(_table(header, units, rows, left=left))

    stepdown = [i for i in order if lo.kinds[i] in ("community", "social_care")]
    acute = [i for i in order if lo.kinds[i] == "acute"]
    out += ["", "Step-down places against the acute outflow sent to them (discharge pathway):"]
    if stepdown:
        header = ["id", "name", "places", "acute outflow", "sent by", "pathway", "own",
                  "pathway", "occupancy"]  # fmt: skip
        units = ["", "", "beds", "patients/day", "acute", "beds", "beds", "% of places", "%"]
        rows = [
            [lo.ids[i], _short(lo.names[i]), f"{lo.beds[i]:,}", _num(lo.inflow[i], 2),
             str(lo.senders[i]), _num(lo.pathway[i]), _num(lo.own[i]),
             _pct(lo.pathway[i] / lo.beds[i] if lo.beds[i] else math.inf * lo.pathway[i]),
             _pct(occ[i])]
            for i in stepdown
        ]  # fmt: skip
        out.append(_table(header, units, rows, left=2))
    else:
        out.append("  none: no community or social-care provider, so no discharge is delayed")
    sent = float(lo.outflow.sum())
    sending = sum(1 for i in acute if lo.partners[i] > 0)
    out.append(
        f"  acute outflow needing an onward place: {sent:,.2f} patients/day (pathway.share x "
        f"arrivals of the {sending} acute provider(s) with a step-down partner)"
    )
    if stepdown:
        places = int(lo.beds[stepdown].sum())
        needed, own = float(lo.pathway[stepdown].sum()), float(lo.own[stepdown].sum())
        out.append(
            f"  step-down places in all: {places:,}; the acute outflow needs {needed:,.1f} of "
            f"them and own referrals {own:,.1f}"
        )
    home = [i for i in acute if lo.partners[i] == 0 and lo.demand[i] > 0]
    if home and p.share > 0:
        names = ", ".join(lo.ids[i] for i in home)
        out.append(
            f"  note: no community or social-care partner in the links, so every discharge "
            f"goes home and none is delayed: {names}"
        )

    for block in (warnings(lo, found), _notes(config), legend()):
        if block:
            out += ["", *block]
    if found.refused:
        out.append(f"refused: {len(found.refused)} provider(s); see the error below")
    elif found.over:
        out.append(f"{len(found.over)} warning(s): a run would be dominated by growing queues")
    else:
        out.append("ok: every provider's implied occupancy is at most 100 %")
    return "\n".join(out)


def warnings(lo: Loads, found: Findings) -> list[str]:
    """One line per provider above 100 %, naming it and what its load is made of."""
    occ = lo.occupancy
    lines = []
    for i in found.over:
        parts = [f"own {lo.own[i]:,.1f}"]
        hint = ""
        if lo.pathway[i] > 0:
            parts.append(f"from acute partners {lo.pathway[i]:,.1f}")
            hint = (
                "; its acute partners' delayed patients will wait in acute beds for a place, "
                "and demand_per_day of a step-down provider is its own referrals only"
            )
        if lo.delayed[i] > 0:
            parts.append(f"delayed discharges {lo.delayed[i]:,.1f}")
            hint = (
                "; mean_los_days is the stay until medically fit: the model adds the delayed "
                "discharge itself"
            )
        lines.append(
            f"warning: {lo.label(i)} implied occupancy {100 * occ[i]:,.0f} % (above 100 %): its "
            f"queue will grow without bound; load {lo.load[i]:,.1f} beds ({', '.join(parts)}) "
            f"against {lo.beds[i]:,} beds{hint}"
        )
    return lines


def refusal(lo: Loads, found: Findings, most: int = 5) -> str:
    """The one-line error of a refused system."""
    occ = lo.occupancy
    parts = []
    for i in found.refused[:most]:
        if lo.beds[i] <= 0:
            parts.append(
                f"{lo.label(i)} has patients (a load of {lo.load[i]:,.1f} beds) but no beds"
            )
        else:
            parts.append(f"{lo.label(i)} implied occupancy {100 * occ[i]:,.0f} %")
    more = len(found.refused) - most
    if more > 0:
        parts.append(f"and {more} more")
    return (
        f"check: refused, a run would be meaningless: {'; '.join(parts)} (a provider needs "
        f"beds for its patients and an implied occupancy of at most "
        f"{100 * REFUSE_ABOVE:.0f} %; `collabsim check --columns` explains the columns)"
    )


def _notes(config: Any) -> list[str]:
    notes = []
    if config.demand.winter_amplitude > 0:
        notes.append(
            f"note: at the winter peak demand is {100 * config.demand.winter_amplitude:g} % "
            "above this mean (demand.winter_amplitude)"
        )
    if config.demand.shocks:
        notes.append("note: demand shocks (demand.shocks) are not in these means")
    if config.escalation.beds > 0:
        notes.append(
            f"note: acute providers may open up to {100 * config.escalation.beds:g} % more "
            "beds (escalation.beds), not counted here"
        )
    if config.wards.beds > 0:
        notes.append(
            "note: acute beds are split into wards (wards.beds): a full ward's patients wait "
            "even when other wards have a free bed, so waits come sooner than this suggests"
        )
    return notes


def legend() -> list[str]:
    import textwrap

    text = [
        "Columns: beds = staffed beds or places (less relationship.protected_time); demand = "
        "own arrivals x demand.scale (patients/day); stay = mean_los_days (treatment, "
        "excluding delay); own = demand x stay; pathway = patients from acute partners x "
        "stay; delayed = beds acute delayed discharges hold (pathway.share x demand x "
        "pathway.arrangement_days); load = own + pathway + delayed (beds occupied on "
        "average); occupancy = load / beds.",
        f"Status: ok; high above {100 * HIGH_ABOVE:.0f} % (long waits likely); OVER above "
        f"{100 * WARN_ABOVE:.0f} % (the queue grows without bound: a warning); REFUSED with "
        f"patients and no beds, or above {100 * REFUSE_ABOVE:.0f} % (a run would measure only "
        "the queue's cap, sim.max_wait_days).",
    ]
    return [line for t in text for line in textwrap.wrap(t, 100, subsequent_indent="  ")]


def columns_text(width: int = 96) -> str:
    """What every column of providers.csv and links.csv means, with its unit."""
    import textwrap

    out = []
    for title, docs in (("providers.csv", PROVIDER_COLUMN_DOCS), ("links.csv", LINK_COLUMN_DOCS)):
        out.append(f"{title}: {','.join(c for c, _, _ in docs)}")
        for column, unit, meaning in docs:
            out.append(f"  {column}  [{unit}]")
            out += textwrap.wrap(
                meaning, width, initial_indent="      ", subsequent_indent="      "
            )
    out.append(
        "Both files: UTF-8 CSV with a header row; more columns are allowed and ignored. "
        "Examples: examples/small_ics/."
    )
    return "\n".join(out)


# ----------------------------------------------------------------------------- command

HYDRA_ONLY = ("hydra.", "hydra/", "+hydra", "~hydra")


def main(args: Sequence[str]) -> None:
    """``collabsim check [--columns] [OVERRIDE ...]``."""
    from collabsim.commands import _Parser
    from collabsim.settings import load_config

    parser = _Parser(
        prog="collabsim check",
        description="The load each provider will face against its beds, before a run: the "
        "same settings as a run (Hydra overrides). Exit status 0: fine or warnings; 2: "
        "refused (a provider with patients and no beds, or above 150 %) or a mistake.",
    )
    parser.add_argument(
        "overrides", nargs="*", metavar="OVERRIDE", help="settings as for a run, e.g. network=file"
    )
    parser.add_argument(
        "--columns",
        action="store_true",
        help="explain every column of providers.csv and links.csv, with units",
    )
    ns = parser.parse_args(list(args))
    if ns.columns:
        print(columns_text())
        return
    bad = [o for o in ns.overrides if o.startswith("-")]
    if bad:
        parser.error(f"unrecognized arguments: {' '.join(bad)}")
    config = load_config([o for o in ns.overrides if not o.startswith(HYDRA_ONLY)])
    lo = loads(config)
    found = judge(lo)
    print(report(config, lo, found))
    if config.network.preset == "file":
        print("\n" + columns_text())
    sys.stdout.flush()
    if found.refused:
        raise CheckRefused(refusal(lo, found))
