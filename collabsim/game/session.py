"""A game the room plays, held on the server: keyed by a short code, each player by a token.

Solara's state lives in a browser tab; a room needs more (a reload, a dropped connection or
a second window must lose nothing), so every game is a ``Game`` in ``GAMES``, and pages only
read it (``facilitator_view``, ``player_view``) and send it what people did (``join``,
``decide``, ``deal`` ...), under the game's lock. A page finds its game and player again
from its address (``?game=CODE&player=TOKEN``).

A round is ``round_days`` simulated days. While it is open players decide; it runs when
the facilitator runs it, or by itself when its timer ends (``tick``, called by a thread per
game). A player who did not decide, has left, or has not been seen for ``AWAY_SECONDS`` is
played by the model for that round (a page's heartbeat runs on the server while Solara
keeps its session: about two minutes after its connection goes). What each round did is
kept (``rounds``) for the scores and the debrief.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from dataclasses import dataclass, field, replace

import numpy as np

from collabsim.core.phases import ROW
from collabsim.core.state import KINDS
from collabsim.dashboard.live import LiveSystem, Settings
from collabsim.dashboard.presets import PRESETS, preset
from collabsim.game import cards
from collabsim.game.played import Choice, PlayedPolicy

AWAY_SECONDS = 20.0  # a player's page not heard from for this long: the model plays for them
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O (read aloud, written on a board)
MAX_NAME = 40
ACUTE = KINDS.index("acute")
# the presets a game can start from; each plays its scenario with trust-gated aid (a
# preset whose policy shares nothing would leave the players nothing to decide)
GAME_PRESETS = tuple(p.name for p in PRESETS)


class GameError(ValueError):
    """What a player or the facilitator asked cannot be done (one line, shown on the page)."""


@dataclass
class Player:
    token: str
    name: str
    provider: int
    seen: float  # time.monotonic() of the page's last heartbeat
    left: bool = False
    choice: Choice | None = None  # this round's decision (None: not decided yet)


@dataclass(frozen=True)
class RoundRecord:
    """What one round did: who decided, and each provider's running totals after it."""

    number: int
    day: int  # the day the round ended on
    played: dict[int, Choice]  # provider -> what its player chose (absent: the model)
    tokens: dict[int, str]  # provider -> the token of the player who chose it
    over_12h: np.ndarray  # per provider, 12-hour waits so far
    wait_hours: np.ndarray  # per provider, hours waited by patients admitted so far
    given: np.ndarray  # per provider, beds it agreed to give so far
    refused: np.ndarray  # per provider, requests it refused with room to spare so far
    aid_cost: np.ndarray  # per provider, GBP it paid for help arranged for it so far
    trust_in: np.ndarray  # per provider, partners' mean trust in it now
    trust_out: np.ndarray  # per provider, its mean trust in its partners now
    waits_12h_system: int  # 12-hour waits anywhere so far
    hours_system: float  # hours waited anywhere so far


@dataclass
class Game:
    code: str
    preset: str
    settings: Settings
    rounds_total: int
    round_days: int
    round_seconds: float
    key: str  # the facilitator's token
    system: LiveSystem = field(repr=False)
    policy: PlayedPolicy = field(repr=False)
    players: dict[str, Player] = field(default_factory=dict)
    state: str = "lobby"  # lobby, open (deciding), over
    paused: bool = False
    round: int = 0  # the round being decided (1, 2, ...); 0 in the lobby
    deadline: float = 0.0  # time.monotonic() when the open round runs by itself
    left_when_paused: float = 0.0
    effects: list[cards.Effect] = field(default_factory=list)
    dealt: list[tuple[int, int, str, int]] = field(default_factory=list)  # round, day, card, who
    rounds: list[RoundRecord] = field(default_factory=list)
    version: int = 0  # bumped on every change: pages redraw when it moves
    touched: float = field(default_factory=time.monotonic)  # the last change
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    debrief: object | None = field(default=None, repr=False)  # made once, at the end
    debrief_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    start_day: int = 0  # the model played every provider until this day
    _away: frozenset = field(default=frozenset(), repr=False)  # as the last tick saw it
    baseline: dict = field(default_factory=dict, repr=False)  # totals then (``at_start``)

    # ---- what pages do --------------------------------------------------------------

    def join(self, name: str) -> Player:
        """A new player, given the next acute provider nobody plays."""
        name = " ".join(str(name).split())[:MAX_NAME].strip()
        if not name:
            raise GameError("give your name (or your team's) to join")
        with self.lock:
            if self.state == "over":
                raise GameError(f"game {self.code} is over")
            taken = {p.provider for p in self.players.values() if not p.left}
            free = [i for i in self.seats() if i not in taken]
            if not free:
                raise GameError(f"game {self.code} is full: every hospital has a player")
            token = secrets.token_urlsafe(12)
            player = Player(token, name, free[0], time.monotonic())
            self.players[token] = player
            self._changed()
            return player

    def player(self, token: str) -> Player:
        with self.lock:
            if token not in self.players:
                raise GameError("this link is not a player of this game: join again")
            player = self.players[token]
            player.seen = time.monotonic()
            return player

    def heartbeat(self, token: str) -> None:
        """A player's page is open (called every second or so): it is not away."""
        with self.lock:
            if token in self.players:
                p = self.players[token]
                away = self.away(p)
                p.seen = time.monotonic()
                if away:
                    self._changed()

    def leave(self, token: str) -> None:
        """The player leaves: the model plays their provider from the next round."""
        with self.lock:
            p = self.player(token)
            p.left, p.choice = True, None
            self._changed()

    def decide(self, token: str, choice: Choice, round_number: int | None = None) -> None:
        """``choice`` for the open round (``round_number``: the round the player's page
        showed; a decision made as that round ran is refused, not carried into the next)."""
        with self.lock:
            p = self.player(token)
            if p.left:
                raise GameError("you have left this game")
            if self.state != "open" or self.paused:
                raise GameError("decisions are closed until the facilitator opens the round")
            if round_number is not None and round_number != self.round:
                raise GameError(f"round {round_number} has run: decide again for this one")
            partners = set(self.partners(p.provider))
            strangers = (set(choice.ask) | set(choice.give)) - partners
            if strangers:
                raise GameError("you can only ask or help your own partners")
            p.choice = choice
            self._changed()

    def start(self) -> None:
        """The facilitator opens the first round."""
        with self.lock:
            if self.state != "lobby":
                raise GameError("the game has started")
            self.state, self.round = "open", 1
            self.deadline = time.monotonic() + self.round_seconds
            self._changed()

    def pause(self, paused: bool) -> None:
        """Pause everyone (the timer stops, decisions wait) or carry on."""
        with self.lock:
            if paused == self.paused:
                return
            if paused:
                self.left_when_paused = max(0.0, self.deadline - time.monotonic())
            else:
                self.deadline = time.monotonic() + self.left_when_paused
            self.paused = paused
            self._changed()

    def deal(self, card: str, target: int = -1) -> None:
        """A scenario card, from the start of the next day the game runs."""
        with self.lock:
            if self.state == "over":
                raise GameError("the game is over")
            if card in cards.CARDS and cards.CARDS[card].targeted and target < 0:
                target = self.most_pressed()
            if target >= len(self.system.names):
                raise GameError(f"card {card!r}: there is no provider {target}")
            beds = cards.own_beds(self.system, target) if target >= 0 else 0
            try:
                effects = cards.effects_of(card, self.system.day, target, beds)
            except ValueError as exc:
                raise GameError(str(exc)) from None
            self.effects += effects
            self.dealt.append((max(self.round, 1), self.system.day, card, target))
            self._changed()

    def run_round(self, round_number: int | None = None) -> None:
        """Lock the round's decisions and run its days; open the next (or end the game).
        ``round_number``: the round the facilitator's page showed (a second click, or a
        click as the timer ran it, does not run the next round with nobody's decisions)."""
        with self.lock:
            if self.state != "open":
                raise GameError("no round is open")
            if round_number is not None and round_number != self.round:
                raise GameError(f"round {round_number} has already run")
            deciding = [
                p
                for p in self.players.values()
                if p.choice is not None and not p.left and not self.away(p)
            ]
            choices = {p.provider: p.choice for p in deciding}
            tokens = {p.provider: p.token for p in deciding}
            self.policy.set_choices(choices)
            for _ in range(self.round_days):
                if self.system.finished:
                    break
                for effect in self.effects:
                    if effect.day == self.system.day:
                        cards.apply(effect, self.system)
                self.system.advance(1)
            self.rounds.append(self._record(choices, tokens))
            for p in self.players.values():
                p.choice = None
            if self.round >= self.rounds_total or self.system.finished:
                self._over()
            else:
                self.round += 1
                self.deadline = time.monotonic() + self.round_seconds
                self.left_when_paused = self.round_seconds  # a paused room resumes with it
            self._changed()

    def end(self) -> None:
        """The facilitator ends the game now (the debrief follows)."""
        with self.lock:
            if self.state != "over":
                self._over()
            self._changed()

    def tick(self) -> None:
        """Run the open round if its time is up and nobody paused it; redraw the pages
        when a player goes away or comes back."""
        with self.lock:
            away = frozenset(p.token for p in self.players.values() if self.away(p))
            if away != self._away:
                self._away = away
                self._changed()
            if self.state == "open" and not self.paused and time.monotonic() >= self.deadline:
                self.run_round()

    # ---- what pages read ------------------------------------------------------------

    def seats(self) -> list[int]:
        """The providers players can take: acute hospitals with partners, most first."""
        e = self.system.engine
        partners = np.bincount(e.aid.links.src, minlength=e.providers.n)
        acute = [i for i in range(e.providers.n) if self.system.kinds[i] == ACUTE]
        return sorted(acute, key=lambda i: (-partners[i], i))

    def partners(self, i: int) -> list[int]:
        """Who provider ``i`` can ask and help (its aid links' other ends)."""
        links = self.system.engine.aid.links
        return [int(d) for d in links.dst[links.src_start[i] : links.src_start[i + 1]]]

    def away(self, p: Player) -> bool:
        return p.left or time.monotonic() - p.seen > AWAY_SECONDS

    def most_pressed(self) -> int:
        """The acute provider under most pressure now (a card's default target)."""
        pressure = self.system.pressure()
        acute = [i for i in range(len(pressure)) if self.system.kinds[i] == ACUTE]
        return max(acute, key=lambda i: (pressure[i], -i)) if acute else 0

    def seconds_left(self) -> float:
        if self.state != "open":
            return 0.0
        if self.paused:
            return self.left_when_paused
        return max(0.0, self.deadline - time.monotonic())

    def undecided(self) -> list[Player]:
        return [p for p in self.players.values() if not p.left and p.choice is None]

    # ---- inside ---------------------------------------------------------------------

    def _over(self) -> None:
        """The game ends: the debrief's replays start at once, in the background, so the
        pages find them made (England's take a few seconds)."""
        from collabsim.game.debrief import make_debrief

        self.state = "over"
        self.policy.set_choices({})
        threading.Thread(target=make_debrief, args=(self,), daemon=True).start()

    def _changed(self) -> None:
        self.version += 1
        self.touched = time.monotonic()

    def _record(self, choices: dict[int, Choice], tokens: dict[int, str]) -> RoundRecord:
        e = self.system.engine
        totals = e.recorder.provider_totals
        hours_per_step = e.step_days * 24
        links = e.aid.links
        n = e.providers.n
        trust = e.trust[links.index]
        trust_in = _mean_by(links.dst, trust, n)
        trust_out = _mean_by(links.src, trust, n)
        s = self.baseline
        return RoundRecord(
            number=self.round,
            day=self.system.day,
            played=dict(choices),
            tokens=dict(tokens),
            over_12h=totals[ROW["over_12h"]] - s["over_12h"],
            wait_hours=(totals[ROW["wait_steps"]] - s["wait_steps"]) * hours_per_step,
            given=self.policy.granted - s["granted"],
            refused=self.policy.refused - s["refused"],
            aid_cost=totals[ROW["aid_cost"]] - s["aid_cost"],
            trust_in=trust_in,
            trust_out=trust_out,
            waits_12h_system=int(self.system.waits_12h_total - s["waits_12h"]),
            hours_system=float(self.system.patient_hours_waited - s["hours"]),
        )


def at_start(system: LiveSystem, policy: PlayedPolicy | None = None) -> dict:
    """The running totals a game's (or a replay's) measures start from."""
    totals = system.engine.recorder.provider_totals
    n = system.engine.providers.n
    return {
        "over_12h": totals[ROW["over_12h"]].copy(),
        "wait_steps": totals[ROW["wait_steps"]].copy(),
        "aid_cost": totals[ROW["aid_cost"]].copy(),
        "granted": policy.granted.copy() if policy else np.zeros(n, dtype=np.int64),
        "refused": policy.refused.copy() if policy else np.zeros(n, dtype=np.int64),
        "waits_12h": int(system.waits_12h_total),
        "hours": float(system.patient_hours_waited),
        "cost": float(system.cost_total),
        "arrived": system.arrived(),
        "days": len(system.daily_arrivals),
    }


def busiest_start(settings: Settings, days: int) -> int:
    """The first day of the ``days`` the model's own run of ``settings`` finds hardest
    (most 12-hour waits): a game starts where decisions matter."""
    probe = LiveSystem(settings)
    probe.advance(probe.days_total)
    waits = np.asarray(probe.daily["waits_12h"], dtype=float)
    if waits.size <= days:
        return 0
    window = np.convolve(waits, np.ones(days), mode="valid")
    return int(np.argmax(window))


def _mean_by(group: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    count = np.bincount(group, minlength=n)
    total = np.bincount(group, weights=values, minlength=n)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


# ---- the games on this server ----------------------------------------------------------

GAMES: dict[str, Game] = {}
_GAMES_LOCK = threading.Lock()
TICK_SECONDS = 0.5
KEEP_SECONDS = 12 * 3600  # a game nobody has changed for this long is dropped
MAX_GAMES = 20  # games open at once on one server (each holds a model and a thread)


def game_settings(name: str, network: str = "small", seed: int = 1) -> Settings:
    """A preset's settings for a game: its scenario and sliders, trust-gated aid."""
    chosen = preset(name).settings
    policy = chosen.policy if chosen.policy in ("trust_gated", "reciprocal") else "trust_gated"
    return replace(chosen, network=network, policy=policy, seed=seed)


def open_game(
    preset_name: str = "A winter",
    network: str = "small",
    rounds: int = 6,
    round_days: int = 1,
    round_seconds: float = 90.0,
    seed: int = 1,
    start_day: int | None = None,
) -> Game:
    """A new game, registered under a fresh code; a thread runs its rounds on time. The
    model plays every provider until ``start_day`` (None: ``busiest_start``)."""
    if preset_name not in GAME_PRESETS:
        raise GameError(f"preset: {preset_name!r} is not one of {', '.join(GAME_PRESETS)}")
    if not 1 <= rounds <= 60 or not 1 <= round_days <= 30 or not 5 <= round_seconds <= 3600:
        raise GameError("a game has 1-60 rounds of 1-30 days, each 5-3600 seconds to decide")
    settings = game_settings(preset_name, network, seed)
    if start_day is None:
        start_day = busiest_start(settings, rounds * round_days)
    if not 0 <= start_day <= settings.days - rounds * round_days - 1:
        raise GameError(f"start day: {start_day} leaves no room for {rounds} rounds in a year")
    settings = replace(settings, days=start_day + rounds * round_days + 1)
    system = LiveSystem(settings)
    engine = system.engine
    policy = PlayedPolicy(engine.policy)
    engine.policy = policy
    policy.bind(engine)
    system.advance(start_day)
    with _GAMES_LOCK:
        stale = [c for c, g in GAMES.items() if time.monotonic() - g.touched > KEEP_SECONDS]
        for c in stale:  # a server that runs for days does not keep every game's model
            del GAMES[c]  # (its timer thread sees it gone and stops)
        if sum(g.state != "over" for g in GAMES.values()) >= MAX_GAMES:
            raise GameError(f"this server runs {MAX_GAMES} games already: end one first")
        code = _new_code()
        game = Game(
            code=code,
            preset=preset_name,
            settings=settings,
            rounds_total=rounds,
            round_days=round_days,
            round_seconds=round_seconds,
            key=secrets.token_urlsafe(12),
            system=system,
            policy=policy,
            start_day=start_day,
            baseline=at_start(system, policy),
        )
        GAMES[code] = game
    threading.Thread(target=_keep_time, args=(game,), daemon=True).start()
    return game


def find_game(code: str) -> Game:
    code = str(code).strip().upper()
    with _GAMES_LOCK:
        if code not in GAMES:
            raise GameError(f"no game {code!r} on this server: check the code")
        return GAMES[code]


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(4))
        if code not in GAMES:
            return code


def _keep_time(game: Game) -> None:
    """Runs a game's rounds when their time is up, until the game is over."""
    while game.state != "over" and GAMES.get(game.code) is game:
        time.sleep(TICK_SECONDS)
        with contextlib.suppress(GameError):  # a round the facilitator ran meanwhile
            game.tick()
