"""Typed configuration: every parameter's default, unit and valid range in one place.

The model takes these dataclasses, never a Hydra object, so a run behaves the same
from the command line, a notebook, a test or the dashboard. ``from_dict`` builds a
validated :class:`Config` from plain data (a composed Hydra config turned into a
dict, or a dict written by hand) and raises :class:`ConfigError` with one line
naming the field, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from collabsim.core.state import KINDS
from collabsim.errors import ConfigError

PRESETS = ("small", "england", "synthetic", "file")
# Settings that were removed, with the one to use instead (named in the error message).
RETIRED = {"network.initial_trust": "trust.initial"}


def param(
    default: Any = dataclasses.MISSING,
    *,
    unit: str = "",
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    choices: tuple[str, ...] | None = None,
    doc: str = "",
    factory: Any = dataclasses.MISSING,
) -> Any:
    """A dataclass field carrying its unit, range and meaning as metadata."""
    meta = {"unit": unit, "lo": lo, "hi": hi, "lo_open": lo_open, "choices": choices, "doc": doc}
    if factory is not dataclasses.MISSING:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class SimConfig:
    """Time: how long, how finely, and what is discarded as warm-up."""

    days: float = param(
        365.0, unit="days", lo=0, lo_open=True, hi=36525, doc="simulated time (at most 100 years)"
    )
    step_days: float = param(1.0, unit="days", lo=0, hi=7, lo_open=True, doc="length of one step")
    warmup_days: float = param(
        60.0, unit="days", lo=0, doc="initial period left out of the summary measures"
    )
    max_wait_days: float = param(
        14.0,
        unit="days",
        lo=0,
        lo_open=True,
        hi=365,
        doc="patients still waiting this long leave the queue unadmitted (counted as lost)",
    )
    decision_days: float | None = param(
        None,
        unit="days",
        lo=0,
        lo_open=True,
        doc="how often people decide (requests, mutual aid, trust): a whole number of steps; "
        "None: every step",
    )

    def check(self, path: str) -> None:
        if self.warmup_days >= self.days:
            raise ConfigError(
                f"{path}.warmup_days: {self.warmup_days:g} must be less than {path}.days "
                f"({self.days:g})"
            )
        if self.max_wait_days < self.step_days:
            raise ConfigError(
                f"{path}.max_wait_days: {self.max_wait_days:g} must be at least one step "
                f"({path}.step_days = {self.step_days:g})"
            )
        if self.decision_days is not None:
            k = self.decision_days / self.step_days
            if k < 1 - 1e-9 or abs(k - round(k)) > 1e-6:
                raise ConfigError(
                    f"{path}.decision_days: {self.decision_days:g} must be a whole number of "
                    f"steps ({path}.step_days = {self.step_days:g}); set both, or time=daily"
                )

    @property
    def decision_steps(self) -> int:
        """Steps per decision interval (1: people decide every step)."""
        if self.decision_days is None:
            return 1
        return max(1, int(round(self.decision_days / self.step_days)))

    @property
    def steps(self) -> int:
        return int(round(self.days / self.step_days))

    @property
    def warmup_steps(self) -> int:
        return int(round(self.warmup_days / self.step_days))

    @property
    def max_wait_steps(self) -> int:
        return max(1, int(math.ceil(self.max_wait_days / self.step_days - 1e-9)))


@dataclass
class ShockConfig:
    """A window in which demand is multiplied (a surge, an outbreak, a closure elsewhere)."""

    start_day: float = param(0.0, unit="days", lo=0, doc="first day of the window")
    days: float = param(30.0, unit="days", lo=0, lo_open=True, doc="length of the window")
    multiplier: float = param(1.5, unit="x demand", lo=0, doc="demand multiplier in the window")
    regions: list[str] = param(factory=list, doc="regions affected; empty with no providers = all")
    providers: list[str] = param(factory=list, doc="provider ids affected")


@dataclass
class DemandConfig:
    """Arrivals: distribution, weekly pattern, winter seasonality and shocks."""

    distribution: str = param(
        "poisson", choices=("poisson", "negative_binomial"), doc="arrival count distribution"
    )
    dispersion: float = param(
        50.0,
        unit="daily k",
        lo=0,
        lo_open=True,
        doc="negative binomial k at the daily scale: variance = mean + mean^2/k",
    )
    scale: float = param(
        1.0,
        unit="x demand",
        lo=0,
        hi=100,
        doc="multiplies every provider's demand (at most 100: beyond, counts overflow)",
    )
    weekly: list[float] = param(
        factory=lambda: [1.10, 1.05, 1.02, 1.02, 1.03, 0.88, 0.90],
        unit="x demand",
        doc="Monday..Sunday demand factors (normalised to mean 1)",
    )
    hourly: list[float] = param(
        factory=list,
        unit="x demand",
        doc="hour-of-day factors of arrivals (decisions to admit), 24 from 00:00, normalised to "
        "mean 1; empty: the same every hour",
    )
    elective_share: float = param(
        0.0,
        unit="fraction",
        lo=0,
        hi=0.9,
        doc="share of acute providers' arrivals that are booked (elective): they take free beds "
        "of their pool before its queue, are cancelled if still without one at the day's end "
        "and stay booked for the next; they never wait in the queue, so waits and 12-hour "
        "waits are emergency patients'",
    )
    winter_amplitude: float = param(
        0.04, unit="fraction", lo=0, hi=0.9, doc="seasonal demand swing: 1 + a*cos(...)"
    )
    winter_peak_day: float = param(15.0, unit="day of year", lo=0, hi=366, doc="peak of demand")
    start_day_of_year: float = param(
        91.0, unit="day of year", lo=0, hi=366, doc="calendar day of step 0 (91 = 1 April)"
    )
    shocks: list[ShockConfig] = param(factory=list, doc="demand shock windows")

    def check(self, path: str) -> None:
        if len(self.weekly) != 7:
            raise ConfigError(
                f"{path}.weekly: needs 7 factors (Monday..Sunday), got {len(self.weekly)}"
            )
        if any(not (w > 0) for w in self.weekly):
            raise ConfigError(f"{path}.weekly: factors must be > 0, got {self.weekly}")
        _check_hourly(self.hourly, f"{path}.hourly")


def _check_hourly(hourly: list[float], path: str) -> None:
    if hourly and len(hourly) != 24:
        raise ConfigError(f"{path}: needs 24 factors (00:00..23:00) or none, got {len(hourly)}")
    if any(not (h > 0) for h in hourly):
        raise ConfigError(f"{path}: factors must be > 0, got {hourly}")


@dataclass
class DischargeConfig:
    """Length of stay and the weekday pattern of discharges."""

    los: str = param(
        "exponential",
        choices=("exponential", "lognormal"),
        doc="length-of-stay distribution (exponential checks against queueing theory)",
    )
    lognormal_sigma: float = param(
        0.8, unit="log-days", lo=0, hi=3, lo_open=True, doc="shape of the lognormal stay"
    )
    weekend_factor: float = param(
        0.7, unit="x rate", lo=0, hi=1, lo_open=True, doc="discharge rate at weekends vs weekdays"
    )
    hourly: list[float] = param(
        factory=list,
        unit="x rate",
        doc="hour-of-day factors of discharges (and of onward care being arranged), 24 from "
        "00:00, normalised to mean 1; empty: the same every hour",
    )
    los_horizon_days: float = param(
        120.0,
        unit="days",
        lo=1,
        hi=365,
        doc="lognormal only: stays are tracked by day up to this, then at the tail hazard",
    )

    def check(self, path: str) -> None:
        _check_hourly(self.hourly, f"{path}.hourly")


@dataclass
class PathwayConfig:
    """Discharge pathway: acute patients who need an onward community/social-care place."""

    share: float = param(
        0.25, unit="fraction", lo=0, hi=1, doc="share of acute discharges needing an onward place"
    )
    arrangement_days: float = param(
        4.4,
        unit="days",
        lo=0,
        lo_open=True,
        doc="mean time to arrange onward care (assessment, package) before a place can be taken",
    )


@dataclass
class WardsConfig:
    """Bed pools inside acute providers: wards or specialty groups with limited outlying."""

    beds: float = param(
        0.0,
        unit="beds",
        lo=0,
        hi=1e6,
        doc="mean beds per pool: each acute provider's beds split into max(1, round(beds / "
        "(this x its spread factor))) pools (at most one per bed), each with an equal share of "
        "demand and its own queue; 0: one pool; otherwise at least 1",
    )
    reserve: float = param(
        0.0,
        unit="share of a pool's beds",
        lo=0,
        hi=1,
        doc="a pool takes patients waiting for another pool (outliers) only while more than "
        "this share of its beds is free; 0: any free bed, 1: no outlying",
    )
    spread: float = param(
        0.0,
        unit="log sd",
        lo=0,
        hi=3,
        doc="how much the mean pool size differs between acute providers (lognormal, mean "
        "kept; drawn from the network seed): some trusts' beds are more fragmented than others",
    )

    def check(self, path: str) -> None:
        if 0 < self.beds < 1:
            raise ConfigError(f"{path}.beds: {self.beds:g} is below one bed a pool; use 0 or >= 1")


@dataclass
class EscalationConfig:
    """Escalation beds: acute providers open extra staffed beds when patients wait."""

    beds: float = param(
        0.0,
        unit="share of own beds",
        lo=0,
        hi=1,
        doc="most escalation beds an acute provider may open; 0: none",
    )
    trigger: float = param(
        0.0,
        unit="share of own beds",
        lo=0,
        hi=10,
        doc="patients waiting for a bed, as a share of its own beds, above which it opens "
        "escalation beds at a decision (it closes them when nobody waits)",
    )


@dataclass
class NetworkConfig:
    """Which providers and links: a preset generator or the user's own files."""

    preset: str = param("small", choices=PRESETS, doc="network preset")
    seed: int = param(0, lo=0, doc="seed of the network generator (fixed across replications)")
    # None below means "the preset's value" (collabsim.network.PRESETS).
    regions: int | None = param(None, lo=1, hi=10_000, doc="number of regions (ICSs)")
    acute: int | None = param(None, lo=1, hi=1_000_000, doc="number of acute providers in total")
    partners: list[str] | None = param(
        None, doc="partner providers in each region, by kind (community, social_care, ...)"
    )
    acute_beds_median: float | None = param(
        None, unit="beds", lo=1, hi=1e5, doc="median acute G&A beds"
    )
    acute_beds_sigma: float | None = param(
        None, unit="log-beds", lo=0, hi=3, doc="spread of acute beds (lognormal sigma)"
    )
    acute_beds_min: int = param(40, unit="beds", lo=1, hi=100_000, doc="smallest acute provider")
    acute_los_days: float = param(7.0, unit="days", lo=0, lo_open=True, doc="acute treatment stay")
    community_los_days: float = param(21.0, unit="days", lo=0, lo_open=True)
    social_care_los_days: float = param(28.0, unit="days", lo=0, lo_open=True)
    mental_health_los_days: float = param(30.0, unit="days", lo=0, lo_open=True)
    mental_health_beds_ratio: float = param(
        0.2, unit="beds per acute bed", lo=0, doc="mental health beds relative to acute beds"
    )
    stepdown_own_share: float = param(
        0.4,
        unit="fraction",
        lo=0,
        hi=0.95,
        doc="share of a community/social-care provider's patients that are its own referrals",
    )
    occupancy_target: float = param(
        0.925, unit="fraction", lo=0, hi=1.5, lo_open=True, doc="offered load used to set demand"
    )
    occupancy_spread: float = param(
        0.0,
        unit="fraction",
        lo=0,
        hi=0.2,
        doc="standard deviation between acute providers of the offered load (normal around "
        "occupancy_target, kept within 0.5-0.995): trusts run at different occupancy",
    )
    region_spacing_km: float = param(60.0, unit="km", lo=1, doc="typical distance between regions")
    region_radius_km: float = param(15.0, unit="km", lo=0, doc="spread of providers in a region")
    minutes_per_km: float = param(1.3, unit="minutes/km", lo=0, doc="travel time per km")
    neighbour_regions: int = param(
        2,
        lo=0,
        hi=50,
        doc="each acute provider links to acute providers in this many nearest regions",
    )
    providers_file: str = param("", doc="file preset: providers CSV")
    links_file: str = param("", doc="file preset: links CSV")

    def check(self, path: str) -> None:
        for kind in self.partners or []:
            if kind not in KINDS or kind == "acute":
                allowed = ", ".join(k for k in KINDS if k != "acute")
                raise ConfigError(f"{path}.partners: unknown kind {kind!r}; allowed: {allowed}")
        if self.preset == "file" and not (self.providers_file and self.links_file):
            raise ConfigError(
                f"{path}: the file preset needs {path}.providers_file and {path}.links_file"
            )
        if self.preset != "file":  # a generated network: not too big to make
            from collabsim.network import check_generated_size

            check_generated_size(self, path)


@dataclass
class PolicyConfig:
    """The mutual-aid policy, chosen by name from the registry (never by import path)."""

    name: str = param("none", doc="registered policy name")
    params: dict[str, Any] = param(factory=dict, doc="the policy's own parameters")

    def check(self, path: str) -> None:
        from collabsim.policies import make_policy  # the registry checks name and parameters

        make_policy(self.name, self.params)


@dataclass
class AidConfig:
    """Friction of mutual aid: the trust dividend's mechanism, not a bonus on results.

    A transfer agreed between partners with trust t (mean of both directions) is
    carried out delay_days * (1 - t)^friction_power later (to the nearest whole step,
    halves up; trust at agreement) and costs (trust when carried out)
    cost * (1 - t)^friction_power + cost_per_minute * travel minutes per patient."""

    delay_days: float = param(
        2.0,
        unit="days",
        lo=0,
        hi=365,
        doc="time to arrange a transfer between partners with no trust",
    )
    cost: float = param(400.0, unit="GBP/patient", lo=0, hi=1e7, doc="arranging cost with no trust")
    friction_power: float = param(
        2.0, lo=0, lo_open=True, doc="how fast delay and cost fall as trust rises"
    )
    cost_per_minute: float = param(
        2.0, unit="GBP/minute", lo=0, hi=1e5, doc="travel cost per patient"
    )
    max_travel_minutes: float = param(
        120.0, unit="minutes", lo=0, doc="partners further apart do not share patients or beds"
    )
    kinds: str = param(
        "transfers",
        choices=("transfers", "loans", "both"),
        doc="what aid moves: waiting patients to a partner's bed, staffed beds lent to the "
        "partner under pressure, or both (split by loan_share)",
    )
    loan_share: float = param(
        0.5, unit="fraction", lo=0, hi=1, doc="kinds=both: share of agreed aid given as loans"
    )
    loan_days: float = param(
        14.0, unit="days", lo=0, lo_open=True, hi=3650, doc="how long a loan of staffed beds lasts"
    )
    ask_threshold: float = param(
        1.0,
        unit="pressure",
        lo=0.5,
        hi=3,
        doc="pressure ((occupied + waiting) / capacity) above which a fully candid provider "
        "asks for help",
    )


@dataclass
class TrustConfig:
    """Trust on each directed link, in [0, 1], and how it changes."""

    initial: float | None = param(
        None, unit="0-1", lo=0, hi=1,
        doc="initial trust on every link (None: the network's: 0.5 on generated links, the "
        "links file's initial_trust column for your own providers)",
    )  # fmt: skip
    baseline: float = param(0.5, unit="0-1", lo=0, hi=1, doc="level trust drifts back towards")
    drift_per_day: float = param(0.01, unit="1/day", lo=0, hi=1, doc="speed of that drift")
    help_gain: float = param(
        0.05, unit="fraction", lo=0, hi=1,
        doc="receiving help closes this share of the gap to full trust in the helper",
    )  # fmt: skip
    generosity_gain: float = param(
        0.02, unit="fraction", lo=0, hi=1,
        doc="a helper's trust in those it helped (acknowledged generosity), likewise",
    )  # fmt: skip
    refusal_loss: float = param(
        0.05, unit="fraction", lo=0, hi=1,
        doc="a refusal by a partner that visibly had room removes this share of trust",
    )  # fmt: skip
    hidden_loss: float = param(
        0.2, unit="fraction", lo=0, hi=1,
        doc="hidden pressure discovered removes up to this share of partners' trust "
        "(scaled by the share of need that was hidden)",
    )  # fmt: skip


CHANNELS = ("offering", "telling", "haggling", "memory")


@dataclass
class ChannelsConfig:
    """How trust acts through what providers do: the trust dividend's channels (ODD 7.13).

    At ``neutral`` trust a provider behaves as its traits alone say. A helper offers a
    partner it trusts less a smaller part of its offer (none at ``refuse_below``), and one
    it trusts more also some of the beds self-preservation keeps back (``generosity`` at
    full trust); a provider tells and asks a partner (or coordinator) with its candour
    moved by ``telling`` x (trust - neutral); the arrangement delay and cost fall with
    trust (``aid``); and each relationship's level, where its trust settles, follows its
    trust at ``history_per_day`` (shared history). Channels listed in ``off`` act as at
    neutral trust whatever the trust (to measure what each contributes)."""

    neutral: float = param(
        0.5, unit="0-1", lo=0, hi=1,
        doc="trust at which a provider behaves as its traits say (offers its whole offer, "
        "asks and tells with its own candour)",
    )  # fmt: skip
    refuse_below: float = param(
        0.2, unit="0-1", lo=0, hi=1,
        doc="a helper offers a partner it trusts this little or less nothing (linearly up to "
        "its whole offer at neutral trust)",
    )  # fmt: skip
    generosity: float = param(
        0.5, unit="fraction", lo=0, hi=1,
        doc="share of the free beds self-preservation keeps back that a helper also offers a "
        "partner it fully trusts (linearly from none at neutral trust)",
    )  # fmt: skip
    telling: float = param(
        0.5, unit="candour per unit trust", lo=0, hi=2,
        doc="candour towards a partner or coordinator is candour + telling x (trust - "
        "neutral), within [0, 1]: providers tell those they trust more, and ask them earlier",
    )  # fmt: skip
    history_per_day: float = param(
        0.01, unit="1/day", lo=0, hi=1,
        doc="speed at which a relationship's level (where trust settles) follows its trust: "
        "shared history; 0: every relationship drifts back to trust.baseline",
    )  # fmt: skip
    off: list[str] = param(
        factory=list,
        doc="channels that ignore trust, acting as at neutral trust: any of offering, "
        "telling, haggling, memory (the dividend's decomposition switches them off in turn)",
    )

    def check(self, path: str) -> None:
        for name in self.off:
            if name not in CHANNELS:
                raise ConfigError(
                    f"{path}.off: unknown channel {name!r}; known: {', '.join(CHANNELS)}"
                )
        if self.refuse_below > self.neutral:
            raise ConfigError(
                f"{path}.refuse_below: {self.refuse_below:g} is not allowed with "
                f"{path}.neutral = {self.neutral:g}; expected at most the neutral trust"
            )


@dataclass
class CandourConfig:
    """Willingness to admit weakness: ask early and report true pressure."""

    mean: float = param(
        1.0, unit="0-1", lo=0, hi=1,
        doc="mean candour: the share of its need a provider admits to (reports and asks for)",
    )  # fmt: skip
    spread: float = param(
        0.0, unit="sd", lo=0, hi=0.5, doc="spread of candour between providers (beta sd)"
    )
    late: float = param(
        0.1, unit="pressure", lo=0, hi=2,
        doc="extra pressure a provider with no candour bears before asking for help",
    )  # fmt: skip
    discovery_per_day: float = param(
        0.05, unit="1/day", lo=0, hi=1,
        doc="chance per day that a partner finds out a provider is hiding pressure",
    )  # fmt: skip

    def check(self, path: str) -> None:
        _check_spread(self.mean, self.spread, path)


def _check_spread(mean: float, spread: float, path: str) -> None:
    limit = math.sqrt(mean * (1 - mean))
    if spread > 0 and spread >= limit:
        raise ConfigError(
            f"{path}.spread: {spread:g} is not allowed with {path}.mean = {mean:g}; "
            f"expected less than {limit:.3g} (a beta distribution's sd)"
        )


@dataclass
class CultureConfig:
    """How harm is handled: blamed on those who refused, or learned from together."""

    name: str = param("learning", doc="culture label (set by configs/culture/*.yaml)")
    harm_loss: float = param(
        0.02, unit="fraction", lo=0, hi=1,
        doc="patients harmed at a provider remove this share of its trust in partners that "
        "refused it recently",
    )  # fmt: skip
    memory_days: float = param(
        7.0, unit="days", lo=0, doc="how far back a refusal is remembered when harm happens"
    )


@dataclass
class RelationshipConfig:
    """Relationship investment: protected time for partners to meet, at a cost in beds."""

    protected_time: float = param(
        0.0, unit="share of capacity", lo=0, hi=0.2,
        doc="share of every provider's staffed capacity given to protected time",
    )  # fmt: skip
    effect_scale: float = param(
        0.01, unit="share of capacity", lo=0, lo_open=True,
        doc="protected time that closes 63% of the gap between trust's baseline and 1",
    )  # fmt: skip


@dataclass
class MandateConfig:
    """A temporary mandate to pool (as in COVID-19): ics_pool replaces the policy for a while."""

    start_day: float = param(0.0, unit="days", lo=0, doc="first day of the mandate")
    days: float = param(0.0, unit="days", lo=0, doc="length of the mandate (0: no mandate)")
    compliance: float = param(1.0, unit="0-1", lo=0, hi=1, doc="compliance with the mandate")


@dataclass
class SelfPreservationConfig:
    """How strongly providers keep beds back for themselves under pressure."""

    mean: float = param(0.3, unit="0-1", lo=0, hi=1, doc="mean self-preservation of providers")
    spread: float = param(
        0.0, unit="sd", lo=0, hi=0.5, doc="spread between providers (beta sd; 0: all the same)"
    )
    reserve_share: float = param(
        0.1, unit="share of capacity", lo=0, hi=1,
        doc="beds kept back (not offered) at full self-preservation",
    )  # fmt: skip
    adapt: float = param(
        0.0, unit="fraction/day", lo=0, hi=1,
        doc="adaptation per day: refused by a partner it helped more -> this share of the gap "
        "to 1; helped -> this share towards 0 (0: fixed traits)",
    )  # fmt: skip

    def check(self, path: str) -> None:
        _check_spread(self.mean, self.spread, path)


@dataclass
class FinanceConfig:
    """Financial pressure amplifies self-preservation ("the Trust comes first")."""

    pressure: float = param(0.0, unit="0-1", lo=0, hi=1, doc="financial pressure on every provider")
    rise_per_year: float = param(
        0.0, unit="1/year", lo=0, hi=1, doc="financial pressure rises by this each year (to 1)"
    )


@dataclass
class MetricsConfig:
    """Thresholds that turn waits into breaches and harm."""

    target_wait_days: float = param(
        1.0, unit="days", lo=0, lo_open=True, doc="a wait of at least this is a breach"
    )
    harm_wait_days: float = param(
        3.0, unit="days", lo=0, lo_open=True, doc="a wait of at least this is counted as harm"
    )


@dataclass
class OutputConfig:
    """What a run writes besides summary.json."""

    series: bool = param(True, doc="write series.parquet")
    figures: bool = param(True, doc="write PNG figures")


@dataclass
class Config:
    """One run: the network, the policy, the demand, the clock and the seed."""

    seed: int = param(1, lo=0, hi=2**63 - 1, doc="run seed (spawned into one stream per source)")
    scenario: str = param("baseline", doc="scenario label (set by configs/scenario/*.yaml)")
    replications: int = param(
        1, lo=1, hi=100_000,
        doc="runs per job, on seeds seed, seed + 1, ... (network and model built once)",
    )  # fmt: skip
    sim: SimConfig = param(factory=SimConfig)
    network: NetworkConfig = param(factory=NetworkConfig)
    policy: PolicyConfig = param(factory=PolicyConfig)
    demand: DemandConfig = param(factory=DemandConfig)
    discharge: DischargeConfig = param(factory=DischargeConfig)
    pathway: PathwayConfig = param(factory=PathwayConfig)
    wards: WardsConfig = param(factory=WardsConfig)
    escalation: EscalationConfig = param(factory=EscalationConfig)
    aid: AidConfig = param(factory=AidConfig)
    trust: TrustConfig = param(factory=TrustConfig)
    channels: ChannelsConfig = param(factory=ChannelsConfig)
    self_preservation: SelfPreservationConfig = param(factory=SelfPreservationConfig)
    finance: FinanceConfig = param(factory=FinanceConfig)
    candour: CandourConfig = param(factory=CandourConfig)
    culture: CultureConfig = param(factory=CultureConfig)
    relationship: RelationshipConfig = param(factory=RelationshipConfig)
    mandate: MandateConfig = param(factory=MandateConfig)
    metrics: MetricsConfig = param(factory=MetricsConfig)
    output: OutputConfig = param(factory=OutputConfig)


# --------------------------------------------------------------------------- building


def _describe(meta: Mapping[str, Any]) -> str:
    lo, hi, choices = meta.get("lo"), meta.get("hi"), meta.get("choices")
    if choices:
        return "one of " + ", ".join(choices)
    left = "(" if meta.get("lo_open") else "["
    if lo is not None and hi is not None:
        return f"a number in {left}{lo:g}, {hi:g}]"
    if lo is not None:
        return f"a number {'>' if meta.get('lo_open') else '>='} {lo:g}"
    if hi is not None:
        return f"a number <= {hi:g}"
    return "a valid value"


def _coerce(value: Any, tp: Any, path: str, meta: Mapping[str, Any]) -> Any:
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{path}: expected a mapping of settings, got {value!r}")
        return _build(tp, value, path)
    if origin is list:
        (item_tp,) = typing.get_args(tp)
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{path}: expected a list, got {value!r}")
        return [_coerce(v, item_tp, f"{path}[{i}]", {}) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{path}: expected a mapping, got {value!r}")
        return dict(value)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None and len(args) < len(typing.get_args(tp)):
            return None
        return _coerce(value, args[0], path, meta)
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: {value!r} is not allowed; expected true or false")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            raise ConfigError(f"{path}: {value!r} is not allowed; expected a whole number")
        value = int(value)
    elif tp is float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ConfigError(f"{path}: {value!r} is not allowed; expected {_describe(meta)}")
        value = float(value)
    elif tp is str and not isinstance(value, str):
        raise ConfigError(f"{path}: {value!r} is not allowed; expected text")
    if isinstance(value, int | float) and not isinstance(value, bool):
        lo, hi = meta.get("lo"), meta.get("hi")
        too_low = lo is not None and (value <= lo if meta.get("lo_open") else value < lo)
        if too_low or (hi is not None and value > hi):
            raise ConfigError(f"{path}: {value!r} is not allowed; expected {_describe(meta)}")
    choices = meta.get("choices")
    if choices and value not in choices:
        raise ConfigError(f"{path}: {value!r} is not allowed; expected {_describe(meta)}")
    return value


def _build(cls: type, data: Mapping[str, Any], path: str) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = [k for k in data if k not in fields]
    if unknown:
        where = f"{path}.{unknown[0]}" if path else unknown[0]
        known = f"unknown setting {where!r}; known here: {', '.join(fields)}"
        raise ConfigError(retired(where) or known)
    kwargs = {}
    for name, value in data.items():
        sub = f"{path}.{name}" if path else name
        kwargs[name] = _coerce(value, hints[name], sub, fields[name].metadata)
    obj = cls(**kwargs)
    check = getattr(obj, "check", None)
    if check is not None:
        check(path or cls.__name__.lower())
    return obj


def from_dict(data: Mapping[str, Any]) -> Config:
    """Build and validate a :class:`Config` from plain data; unknown keys are errors."""
    return _build(Config, data, "")


def to_dict(obj: Any) -> Any:
    """Plain-data form of a config (for JSON, Parquet columns and Hydra)."""
    return dataclasses.asdict(obj) if dataclasses.is_dataclass(obj) else obj


def retired(key: str) -> str | None:
    """The message for a setting that was removed (None if ``key`` was never one)."""
    instead = RETIRED.get(key)
    return f"{key} is no longer a setting; use {instead}" if instead else None


def set_setting(data: dict[str, Any], key: str, value: Any) -> None:
    """Set the dotted setting ``key`` (``"aid.cost"``, ``"policy.params.tolerance"``) in
    nested plain data, in place, making missing sections on the way; ``from_dict``
    judges the result."""
    *parents, leaf = key.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"unknown setting {key!r}: {part!r} holds a value, not settings")
    node[leaf] = value


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"sim": {"days": 1}}`` -> ``{"sim.days": 1}``: one column per parameter."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out
