"""Session presets: a one-hour training plan, one step at a time.

Each preset sets the controls for one part of the session, says in two lines what to
look for, and gives the room a question. They follow the order a session runs in:
what isolation costs, a winter shared or not, what is left when a mandate ends, what
relationships buy, and what money does to generosity. Every preset opens the
trust-dividend view: the same system at low and at high trust, the same patients.
"""

from __future__ import annotations

from dataclasses import dataclass

from collabsim.dashboard.live import Settings


@dataclass(frozen=True)
class Preset:
    name: str
    minutes: int  # its place in a one-hour session
    caption: str  # two lines: what to look for
    question: str  # for the room
    settings: Settings


PRESETS: tuple[Preset, ...] = (
    Preset(
        "Isolated trusts",
        10,
        "No trust asks and no trust lends: every hospital copes alone with its own queue.\n"
        "Watch the red providers and the 12-hour waits: trust changes nothing when nobody "
        "shares.",
        "Which neighbour would you ask for help first, and what would make them say yes?",
        Settings(policy="none", scenario="winter"),
    ),
    Preset(
        "A winter",
        15,
        "Demand climbs to a January peak and onward care is slower to arrange.\n"
        "Same patients on both sides: the high-trust system asks earlier and is answered "
        "faster.",
        "When everyone is under pressure, who gives help first, and why?",
        Settings(policy="trust_gated", scenario="winter"),
    ),
    Preset(
        "Mandated pooling ends",
        10,
        "A surge from day 120: pooling is mandated for 90 days, then each trust decides "
        "again.\nWatch the transfers after day 210: does the habit of helping outlast the "
        "mandate?",
        "What would make collaboration last once nobody has to collaborate?",
        Settings(policy="trust_gated", scenario="covid_surge"),
    ),
    Preset(
        "Invest in relationships",
        10,
        "1 % of every trust's staffed beds becomes protected time with its partners.\n"
        "Fewer beds, but trust settles higher: watch whether waits end up shorter or longer.",
        "Is giving up beds for relationships worth it, counted in patients' hours?",
        Settings(policy="trust_gated", scenario="relationship_programme"),
    ),
    Preset(
        "Funding squeeze",
        15,
        "Money tightens every year and trusts keep beds back for themselves.\n"
        "Watch the help offered fall as self-preservation rises, and who still gives.",
        "When the money is tight, what keeps a trust generous?",
        Settings(policy="trust_gated", scenario="funding_squeeze", self_preservation=0.6),
    ),
)


def preset(name: str) -> Preset:
    for p in PRESETS:
        if p.name == name:
            return p
    raise KeyError(name)
