"""The debrief: what the room's choices cost, against the model's own policies on the same
patients.

At the end the game's system is replayed from day 0 three times, each meeting the same
cards on the same days, on the same seed, so the same patients arrive at the same
providers at the same hours (common random numbers: ``collabsim.core.engine.STREAMS``):

- **isolated**: nobody shares (``policy=none``);
- **the model in your seats**: the game's own settings, every provider played by the model;
- **everyone trusting**: the same with trust 0.8 on every link and full candour.

Each is measured as the game is: 12-hour waits and hours waited for a bed, anywhere, and
the cost of arranging aid. With each player's generosity, refusals and partners' trust in
them round by round, that is the page and the one-page HTML (and PNG) the room takes away.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, replace

import numpy as np
from jinja2 import Environment, select_autoescape
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from collabsim.dashboard.live import HIGH_TRUST, LiveSystem, Settings
from collabsim.game import cards
from collabsim.game.session import Game, at_start

YOUR_GAME = "your game"
REPLAYS = ("isolated", "the model in your seats", "everyone trusting")


@dataclass(frozen=True)
class Outcome:
    name: str
    waits_12h: int
    hours: float  # hours waited for a bed, by every patient admitted
    aid_cost: float
    arrived: int
    daily_arrivals: np.ndarray  # (days, providers): the same in every outcome


@dataclass(frozen=True)
class PlayerLine:
    name: str
    provider: str
    rounds_decided: int
    given: int  # beds agreed to give over the game
    refused: int  # requests refused with room to spare
    waits_12h: int  # at its own provider
    trust_in: list[float]  # partners' mean trust in it after each round
    telling: float  # mean candour it chose (nan: never decided)


@dataclass(frozen=True)
class Debrief:
    code: str
    preset: str
    start_day: int  # the model played everyone until this day
    days: int  # the game ended on this day
    outcomes: tuple[Outcome, ...]  # your game first, then REPLAYS
    players: tuple[PlayerLine, ...]
    cards: tuple[tuple[int, str, str], ...]  # day, card title, whom it struck

    def outcome(self, name: str) -> Outcome:
        return next(o for o in self.outcomes if o.name == name)

    def cost_in_hours(self, against: str) -> float:
        """Hours the room's patients waited beyond (or, negative, below) ``against``."""
        return self.outcome(YOUR_GAME).hours - self.outcome(against).hours


def replay(
    settings: Settings, effects: list[cards.Effect], start: int, days: int
) -> tuple[LiveSystem, dict]:
    """``settings`` run to day ``start`` and then to ``days``, meeting ``effects`` on their
    days; measured from ``start`` (as the game is). With ``policy=none`` nobody shares,
    even under a mandate: a mandate card is not replayed there."""
    if settings.policy == "none":
        effects = [e for e in effects if e.what != "mandate"]
    system = LiveSystem(settings)
    system.advance(start)
    before = at_start(system)
    while system.day < days:
        for effect in effects:
            if effect.day == system.day:
                cards.apply(effect, system)
        system.advance(1)
    return system, before


def outcome(name: str, system: LiveSystem, before: dict) -> Outcome:
    """What ``system`` did since ``before`` (``session.at_start``)."""
    return Outcome(
        name,
        int(system.waits_12h_total - before["waits_12h"]),
        float(system.patient_hours_waited - before["hours"]),
        float(system.cost_total - before["cost"]),
        system.arrived() - before["arrived"],
        np.array(system.daily_arrivals[before["days"] :]),
    )


def make_debrief(game: Game) -> Debrief:
    """The game's debrief (made once, at the end: three replays of the game's days)."""
    with game.debrief_lock:  # made once, whoever asks first; the others wait for it
        if game.debrief is None:
            game.debrief = _make(game)
        return game.debrief  # type: ignore[return-value]


def _make(game: Game) -> Debrief:
    with game.lock:
        days, start = game.system.day, game.start_day
        settings, effects = game.settings, list(game.effects)
        played = outcome(YOUR_GAME, game.system, game.baseline)
        names = game.system.names
        lines = []
        for p in game.players.values():
            i = p.provider
            # the rounds this player decided (a seat may change hands: a player who
            # joined after another left has only their own rounds)
            decided = [r.played[i] for r in game.rounds if r.tokens.get(i) == p.token]
            last = game.rounds[-1] if game.rounds else None
            lines.append(
                PlayerLine(
                    name=p.name,
                    provider=names[i],
                    rounds_decided=len(decided),
                    given=int(last.given[i]) if last else 0,
                    refused=int(last.refused[i]) if last else 0,
                    waits_12h=int(last.over_12h[i]) if last else 0,
                    trust_in=[float(r.trust_in[i]) for r in game.rounds],
                    telling=float(np.mean([c.telling for c in decided])) if decided else np.nan,
                )
            )
        dealt = tuple(
            (day, cards.CARDS[card].title, names[who] if who >= 0 else "everyone")
            for _, day, card, who in game.dealt
        )
    runs = {
        "isolated": replace(settings, policy="none"),
        "the model in your seats": settings,
        "everyone trusting": replace(settings, trust=HIGH_TRUST, candour=1.0),
    }
    outcomes = [played] + [
        outcome(name, *replay(s, effects, start, days)) for name, s in runs.items()
    ]
    return Debrief(game.code, game.preset, start, days, tuple(outcomes), tuple(lines), dealt)


# ---- what the room takes away ---------------------------------------------------------


def figure_png(debrief: Debrief) -> bytes:
    """Hours waited in each outcome, and partners' trust in each player round by round."""
    fig = Figure(figsize=(10, 4), dpi=110)
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)
    names = [o.name for o in debrief.outcomes]
    hours = [o.hours for o in debrief.outcomes]
    colours = ["#D55E00"] + ["#999999", "#E69F00", "#0072B2"][: len(names) - 1]
    left.barh(names[::-1], hours[::-1], color=colours[::-1])
    left.set_xlabel("hours patients waited for a bed")
    left.set_title("Same patients, four ways", loc="left")
    for p in debrief.players:
        right.plot(range(1, len(p.trust_in) + 1), p.trust_in, marker="o", label=text(p.name))
    right.set_ylim(0, 1)
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.set_xlabel("round")
    right.set_title("Partners' trust in each player", loc="left")
    if debrief.players:
        right.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>collabsim game {{ d.code }}: debrief</title>
<style>
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border-bottom: 1px solid #ccc; padding: 0.3em 0.8em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.lead { font-size: 1.2em; }
</style></head><body>
<h1>Game {{ d.code }}: what the room's choices cost</h1>
<p class="lead">{{ summary }}</p>
<p>Preset: {{ d.preset }}; days {{ d.start_day }} to {{ d.days }} of the year (the model
played everyone before); {{ arrived }} patients arrived in every run (the same patients:
common random numbers).</p>
<table><tr><th>run</th><th>12-hour waits</th><th>hours waited for a bed</th>
<th>cost of arranging aid (GBP)</th></tr>
{% for o in d.outcomes %}<tr><td>{{ o.name }}</td><td>{{ "{:,}".format(o.waits_12h) }}</td>
<td>{{ "{:,.0f}".format(o.hours) }}</td><td>{{ "{:,.0f}".format(o.aid_cost) }}</td></tr>
{% endfor %}</table>
<h2>The players</h2>
<table><tr><th>player</th><th>hospital</th><th>rounds decided</th><th>beds given</th>
<th>refusals</th><th>12-hour waits at home</th><th>partners' trust at the end</th></tr>
{% for p in d.players %}<tr><td>{{ p.name }}</td><td>{{ p.provider }}</td>
<td>{{ p.rounds_decided }}</td><td>{{ p.given }}</td><td>{{ p.refused }}</td>
<td>{{ p.waits_12h }}</td><td>{{ "%.2f"|format(p.trust_in[-1]) if p.trust_in else "" }}</td></tr>
{% endfor %}</table>
{% if d.cards %}<h2>Cards dealt</h2><ul>
{% for day, title, whom in d.cards %}<li>day {{ day }}: {{ title }} ({{ whom }})</li>{% endfor %}
</ul>{% endif %}
<img alt="hours waited in each run, and trust in each player" style="max-width: 100%"
 src="data:image/png;base64,{{ png }}">
<p style="font-size: 0.8em">collabsim {{ version }}: the same system replayed with the
model's own policies on the same patients. Players' names are as they typed them.</p>
</body></html>
"""


def text(name: str) -> str:
    """A name as Matplotlib's plain text: ``$`` would start a formula (and an odd number
    of them breaks the figure), a leading ``_`` hides a legend entry."""
    name = str(name).replace("$", r"\$")
    return "\u200b" + name if name.startswith("_") else name


def summary(debrief: Debrief) -> str:
    """Two sentences: what the room's play cost against the model and against trust."""
    model = debrief.cost_in_hours("the model in your seats")
    trusting = debrief.cost_in_hours("everyone trusting")
    isolated = debrief.cost_in_hours("isolated")

    def said(hours: float, other: str) -> str:
        if round(hours) == 0:
            return f"as long as {other}"
        return f"{abs(hours):,.0f} hours {'more' if hours > 0 else 'less'} than {other}"

    return (
        f"Your patients waited {said(model, 'with the model in your seats')} and "
        f"{said(trusting, 'if everyone had trusted each other')}; "
        f"{said(isolated, 'with nobody sharing')}."
    )


def html(debrief: Debrief) -> str:
    """The one-page debrief, every name escaped (Jinja2's autoescape)."""
    from importlib.metadata import version

    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(TEMPLATE).render(
        d=debrief,
        summary=summary(debrief),
        arrived=f"{debrief.outcomes[0].arrived:,}",
        png=base64.b64encode(figure_png(debrief)).decode(),
        version=version("collabsim"),
    )
