"""A system the dashboard (and ``collabsim animate``) runs a day at a time, and what it
shows: per-day measures in hours and counts, and per-provider and per-link arrays.

Nothing here knows the page: a ``LiveSystem`` is a ``CollabModel`` built from the
controls' ``Settings``, stepped with ``advance``, read through plain arrays. A
``TrustPair`` is two of them on the same seed, one at low and one at high trust: the
arrivals stream is the same in both (``collabsim.core.engine.STREAMS``), so the same
patients arrive at the same providers at the same hours (common random numbers) and
the difference is what trust did.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from collabsim.core.phases import ROW
from collabsim.core.record import ACUTE_ROW
from collabsim.errors import ConfigError

NETWORKS = ("small", "england", "files")
POLICIES = ("none", "trust_gated", "reciprocal", "ics_pool", "lead_provider", "national_escalation")
CULTURES = ("learning", "blame")
SCENARIOS = (
    "baseline",
    "winter",
    "funding_squeeze",
    "covid_surge",
    "relationship_programme",
    "competition_history",
)
# The per-day measures plotted, with their labels (units in the label).
MEASURES = {
    "mean_wait_hours": "mean wait for a bed (hours)",
    "waits_12h": "12-hour waits (patients a day)",
    "occupancy": "acute bed occupancy (%)",
    "transfers": "patients transferred (a day)",
    "loans": "beds lent (a day)",
    "mean_trust": "mean trust (0-1)",
    "aid_cost": "cost of arranging aid (GBP a day)",
    "waiting": "patients waiting for a bed (at the end of the day)",
}
LOW_TRUST, HIGH_TRUST = 0.2, 0.8  # the dividend view's two systems (as experiment=trust_dividend)


@dataclass(frozen=True)
class Settings:
    """What the page's controls set. ``overrides`` turns them into the command line's
    settings, so the page runs exactly what ``collabsim <overrides>`` would."""

    network: str = "small"  # small, england, or files (providers_file and links_file)
    providers_file: str = ""
    links_file: str = ""
    policy: str = "trust_gated"
    # None: as the scenario (or the defaults) set it, so a scenario's own values hold
    trust: float | None = None  # trust.initial on every link
    self_preservation: float | None = None
    culture: str = "learning"
    financial_pressure: float | None = None
    candour: float | None = None
    scenario: str = "baseline"
    seed: int = 1
    days: int = 365

    def overrides(self) -> list[str]:
        if self.network not in NETWORKS:
            raise ConfigError(f"network: {self.network!r} is not one of {', '.join(NETWORKS)}")
        if self.network == "files":
            if not (self.providers_file and self.links_file):
                raise ConfigError("network files: give both a providers and a links CSV")
            net = [
                "network=file",
                f"network.providers_file={_quoted(self.providers_file)}",
                f"network.links_file={_quoted(self.links_file)}",
                "calibration=none",
            ]
        else:
            net = [f"network={self.network}"]
        return [
            *net,
            # hours, not days: the small and file presets step a day by default
            "time=hourly",
            f"policy={self.policy}",
            f"culture={self.culture}",
            f"scenario={self.scenario}",
            *(f"{key}={value:g}" for key, value in self.chosen().items()),
            "aid.kinds=both",  # transfers and loans both visible
            f"seed={int(self.seed)}",
            f"sim.days={int(self.days)}",
            "sim.warmup_days=0",  # the page shows every day from the first
        ]

    def chosen(self) -> dict[str, float]:
        """The sliders' settings the user set (None: the scenario's value stands)."""
        values = {
            "trust.initial": self.trust,
            "self_preservation.mean": self.self_preservation,
            "finance.pressure": self.financial_pressure,
            "candour.mean": self.candour,
        }
        return {key: float(v) for key, v in values.items() if v is not None}

    def with_trust(self, trust: float) -> Settings:
        return replace(self, trust=trust)


def _quoted(path: str) -> str:
    """A file path as a Hydra override value (quoted: paths may hold '=' or spaces)."""
    from collabsim.sweep import quoted

    return quoted(str(path))


@cache
def scenario_values(scenario: str) -> dict[str, float]:
    """What ``scenario`` sets the page's sliders to (its own values, else the defaults)."""
    from collabsim.settings import load_config

    c = load_config([f"scenario={scenario}"])
    return {
        "trust": 0.5 if c.trust.initial is None else c.trust.initial,
        "self_preservation": c.self_preservation.mean,
        "financial_pressure": c.finance.pressure,
        "candour": c.candour.mean,
    }


class LiveSystem:
    """One model, advanced a day at a time, with its per-day measures kept as arrays."""

    def __init__(self, settings: Settings) -> None:
        from collabsim.model import CollabModel
        from collabsim.settings import load_config

        self.settings = settings
        self.config = load_config(settings.overrides())
        self.model = CollabModel(self.config)
        e = self.engine = self.model.engine
        self.steps_per_day = max(1, round(1 / e.step_days))
        self.days_total = e.steps // self.steps_per_day
        p = e.providers
        self.names = list(p.names)
        self.ids = list(p.ids)
        self.kinds = np.asarray(p.kind)
        self.regions = [p.region_names[r] for r in p.region]
        self.capacity = np.asarray(p.capacity)
        aid = e.aid.links
        self.aid_src, self.aid_dst = aid.src.copy(), aid.dst.copy()
        self.daily: dict[str, list[float]] = {name: [] for name in MEASURES}
        self.daily_arrivals: list[np.ndarray] = []  # per provider, each day (CRN checks)
        n_aid = self.aid_src.size
        self.helped_today = np.zeros(n_aid, dtype=np.int64)  # help started on each aid link
        self._arrivals_seen = np.zeros(p.n, dtype=np.int64)
        self.cost_total = 0.0
        self.waits_12h_total = 0
        self.patient_hours_waited = 0.0

    @property
    def day(self) -> int:
        return self.engine.t // self.steps_per_day

    @property
    def finished(self) -> bool:
        return self.engine.t + self.steps_per_day > self.engine.steps

    @property
    def trust_label(self) -> str:
        t = self.config.trust.initial
        return "trust as the network file gives it" if t is None else f"trust {t:g}"

    def arrived(self) -> int:
        """Patients who have arrived so far, over every provider."""
        return int(self._arrivals_seen.sum())

    def surge(self, multiplier: float, days: float) -> None:
        """Demand times ``multiplier`` everywhere from now for ``days`` days."""
        t = self.engine.t
        self.engine.phase("arrive").demand.add_shock(
            t, t + round(days * self.steps_per_day), multiplier
        )

    def advance(self, days: int = 1) -> int:
        """Run ``days`` more days (fewer at the end of the run); returns the days run."""
        e = self.engine
        marks = e.aid.marks
        done = 0
        for _ in range(days):
            if self.finished:
                break
            t0 = e.t
            self.helped_today[:] = 0
            for _ in range(self.steps_per_day):
                e.step()
                self.helped_today += marks.now_transfers + marks.now_loans
            self.model.steps += self.steps_per_day
            self._record_day(t0, e.t)
            done += 1
        return done

    def _record_day(self, t0: int, t1: int) -> None:
        rec, e = self.engine.recorder, self.engine
        rows = rec.rows[t0:t1]
        acute = rec.acute_rows[t0:t1]
        admitted = acute[:, ACUTE_ROW["admissions"]].sum()
        wait_steps = acute[:, ACUTE_ROW["wait_steps"]].sum()
        hours_per_step = e.step_days * 24
        d = self.daily
        d["mean_wait_hours"].append(
            float(wait_steps / admitted * hours_per_step) if admitted else 0.0
        )
        over_12h = int(acute[:, ACUTE_ROW["over_12h"]].sum())
        d["waits_12h"].append(over_12h)
        cap = acute[:, ACUTE_ROW["capacity"]].sum()
        d["occupancy"].append(
            float(100 * acute[:, ACUTE_ROW["occupied"]].sum() / cap) if cap else 0.0
        )
        d["transfers"].append(int(rows[:, ROW["transfers_out"]].sum()))
        d["loans"].append(int(rows[:, ROW["loans_out"]].sum()))
        d["mean_trust"].append(float(rec.mean_trust[t1 - 1]))
        cost = float(rows[:, ROW["aid_cost"]].sum())
        d["aid_cost"].append(cost)
        d["waiting"].append(int(rows[-1, ROW["waiting"]]))
        # per provider: the change in the post-warm-up totals (the page has no warm-up)
        arrived = rec.provider_totals[ROW["arrivals"]].copy()
        self.daily_arrivals.append(arrived - self._arrivals_seen)
        self._arrivals_seen = arrived
        self.cost_total += cost
        self.waits_12h_total += over_12h
        self.patient_hours_waited += float(wait_steps * hours_per_step)

    # ---- what the network view reads -------------------------------------------------

    def pressure(self) -> np.ndarray:
        """Per provider: (occupied + waiting) / beds, the pressure providers ask on."""
        st = self.engine.state
        return (st.occupied + st.waiting) / np.maximum(st.capacity, 1)

    def trust_on_aid_links(self) -> np.ndarray:
        """Per aid link: the mean of the two directions' trust (what friction uses)."""
        e = self.engine
        links = e.aid.links
        own = e.trust[links.index]
        back = np.where(links.reverse >= 0, e.trust[np.maximum(links.reverse, 0)], own)
        return (own + back) / 2

    def on_loan(self) -> np.ndarray:
        """Per aid link: beds the helper has lent the asker now."""
        return self.engine.aid.marks.on_loan.copy()

    def series(self) -> dict[str, np.ndarray]:
        """The per-day measures so far, with ``day`` (1, 2, ...)."""
        out = {name: np.asarray(values, dtype=float) for name, values in self.daily.items()}
        out["day"] = np.arange(1, len(self.daily["mean_wait_hours"]) + 1)
        return out

    def totals(self) -> dict[str, float]:
        """Running totals shown as numbers: 12-hour waits, aid cost, mean wait (hours)."""
        admitted = self.engine.recorder.acute_rows[: self.engine.t, ACUTE_ROW["admissions"]].sum()
        return {
            "days": self.day,
            "waits_12h": self.waits_12h_total,
            "aid_cost": self.cost_total,
            "mean_wait_hours": self.patient_hours_waited / admitted if admitted else 0.0,
        }


class TrustPair:
    """The same system at low and at high trust, on the same seed (the dividend view)."""

    def __init__(self, settings: Settings, low: float = LOW_TRUST, high: float = HIGH_TRUST):
        self.low = LiveSystem(settings.with_trust(low))
        self.high = LiveSystem(settings.with_trust(high))

    @property
    def day(self) -> int:
        return self.low.day

    @property
    def finished(self) -> bool:
        return self.low.finished

    def advance(self, days: int = 1) -> int:
        done = self.low.advance(days)
        self.high.advance(done)
        return done

    def surge(self, multiplier: float, days: float) -> None:
        self.low.surge(multiplier, days)
        self.high.surge(multiplier, days)

    def dividend(self) -> dict[str, float]:
        """Low-trust minus high-trust running totals: what trust saved so far."""
        lo, hi = self.low.totals(), self.high.totals()
        return {k: lo[k] - hi[k] for k in ("waits_12h", "aid_cost", "mean_wait_hours")}

    def dividend_series(self) -> dict[str, np.ndarray]:
        """Per day, cumulative low minus high: 12-hour waits and aid cost avoided."""
        lo, hi = self.low.series(), self.high.series()
        return {
            "day": lo["day"],
            "waits_12h": np.cumsum(lo["waits_12h"] - hi["waits_12h"]),
            "aid_cost": np.cumsum(lo["aid_cost"] - hi["aid_cost"]),
            "mean_wait_hours": lo["mean_wait_hours"] - hi["mean_wait_hours"],
        }
