"""The game's pages (``collabsim play``): a start page, the facilitator's console, a
player's screen and the debrief.

Every page reads its game from the server (``collabsim.game.session.GAMES``) and finds it
again from its address, so a reload or a dropped connection loses nothing:
``?game=CODE&key=K`` is the facilitator's console, ``?game=CODE&player=T`` a player's
screen, ``?game=CODE`` the form to join it. Pages redraw when their game changes (a
thread per page watches its ``version`` and keeps the player's heartbeat). Whatever a
player types is shown as text (``solara.Text``), never as markup. The dashboard's parts
draw the network (``EChart``, ``frame.network_of``).
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import parse_qs, urlencode

import numpy as np
import solara

from collabsim.dashboard import charts
from collabsim.dashboard.app import EChart, _heading
from collabsim.dashboard.frame import Boxed, network_of
from collabsim.dashboard.live import MEASURES
from collabsim.game import cards
from collabsim.game.debrief import Debrief, figure_png, html, make_debrief, summary
from collabsim.game.played import Choice
from collabsim.game.session import (
    GAME_PRESETS,
    Game,
    GameError,
    Player,
    find_game,
    open_game,
)

logging.getLogger("MESA").setLevel(logging.WARNING)


def _address(**params: str) -> str:
    return "?" + urlencode(params)


def use_game(game: Game, token: str = "") -> int:
    """Redraw when ``game`` changes; keep ``token``'s heartbeat while the page is open.
    Returns the game's version."""
    version = solara.use_reactive(game.version)

    def watch(cancel: threading.Event) -> None:
        while not cancel.is_set():
            if token:
                game.heartbeat(token)
            if game.version != version.value:
                version.set(game.version)
            cancel.wait(0.5)

    solara.use_thread(watch, dependencies=[game.code, token], intrusive_cancel=False)
    return version.value


@solara.component
def RoundLine(game: Game, size: str = "1.3em") -> None:
    """The game, the round, the day and the seconds left: the only part redrawn each
    second (the rest of a page redraws when the game changes)."""
    second = solara.use_reactive(0)

    def count(cancel: threading.Event) -> None:
        while not cancel.wait(1.0):
            second.set(second.value + 1)

    solara.use_thread(count, dependencies=[game.code], intrusive_cancel=False)
    second.value  # noqa: B018 - reading it subscribes the line to the seconds
    solara.Text(_round_line(game), classes=["cs-round"], style={"font-size": size})


@solara.component
def Page() -> None:
    router = solara.use_router()
    params = {k: v[0] for k, v in parse_qs(router.search or "").items()}
    solara.Title("collabsim: the game")
    with solara.Column(style={"padding": "16px 24px", "max-width": "1300px"}):
        _route(params)


def _route(params: dict[str, str]) -> None:
    code = params.get("game", "")
    if not code:
        return Start()
    try:
        game = find_game(code)
    except GameError as exc:
        solara.Error(str(exc), classes=["cs-error"])
        return Start()
    if "key" in params:
        if params["key"] != game.key:
            return solara.Error("this is not the facilitator's link for this game")
        return Console(game)
    if "player" in params:
        try:
            player = game.player(params["player"])
        except GameError as exc:
            solara.Error(str(exc), classes=["cs-error"])
            return Join(game)
        return Screen(game, player)
    return Join(game)


@solara.component
def Start() -> None:
    """Open a game (the facilitator) or join one with its code (a player)."""
    router = solara.use_router()
    chosen = solara.use_reactive(GAME_PRESETS[1])
    network = solara.use_reactive("small")
    rounds = solara.use_reactive(6)
    days = solara.use_reactive(1)
    seconds = solara.use_reactive(90)
    code = solara.use_reactive("")
    error = solara.use_reactive("")

    def open_one() -> None:
        try:
            game = open_game(chosen.value, network.value, rounds.value, days.value, seconds.value)
        except GameError as exc:
            error.set(str(exc))
            return
        router.push(_address(game=game.code, key=game.key))

    with solara.Columns([1, 1]):
        with solara.Card("Run a game (facilitator)"):
            solara.Select("Preset", value=chosen, values=list(GAME_PRESETS))
            solara.Select("Network", value=network, values=["small", "england"])
            solara.SliderInt(f"Rounds: {rounds.value}", value=rounds, min=2, max=20)
            solara.SliderInt(f"Days a round: {days.value}", value=days, min=1, max=7)
            solara.SliderInt(
                f"Seconds to decide: {seconds.value}", value=seconds, min=15, max=300, step=15
            )
            solara.Button("Open a game", color="primary", on_click=open_one, classes=["cs-open"])
        with solara.Card("Join a game (player)"):
            solara.InputText("Game code", value=code, continuous_update=True)
            solara.Button(
                "Join",
                on_click=lambda: router.push(_address(game=code.value.strip().upper())),
                classes=["cs-find"],
            )
    if error.value:
        solara.Error(error.value, classes=["cs-error"])


@solara.component
def Join(game: Game) -> None:
    router = solara.use_router()
    name = solara.use_reactive("")
    error = solara.use_reactive("")

    def join() -> None:
        try:
            player = game.join(name.value)
        except GameError as exc:
            error.set(str(exc))
            return
        router.push(_address(game=game.code, player=player.token))

    with solara.Card(f"Join game {game.code}"):
        solara.InputText("Your name (or your team's)", value=name, continuous_update=True)
        solara.Button("Join", color="primary", on_click=join, classes=["cs-join"])
    if error.value:
        solara.Error(error.value, classes=["cs-error"])


def _status(game: Game, p: Player) -> str:
    if p.left:
        return "left: the model plays"
    if game.away(p):
        return "away: the model plays"
    if game.state == "open":
        return "decided" if p.choice is not None else "deciding"
    return "here"


def _round_line(game: Game) -> str:
    if game.state == "lobby":
        return f"Game {game.code}: waiting to start (day {game.system.day})"
    if game.state == "over":
        return f"Game {game.code}: over after {len(game.rounds)} rounds"
    left = f"{game.seconds_left():.0f} s left" + (" (paused)" if game.paused else "")
    return (
        f"Game {game.code}: round {game.round} of {game.rounds_total}, day "
        f"{game.system.day}, {left}"
    )


@solara.component
def Console(game: Game) -> None:
    """The facilitator's console: the projector view, the room, rounds and cards."""
    version = use_game(game)
    card = solara.use_reactive("surge")
    target = solara.use_reactive("the most pressed")
    error = solara.use_reactive("")
    pos = solara.use_memo(lambda: charts.layout(game.system.model.graph), [game.code])

    def act(do) -> None:  # noqa: ANN001 - a game method
        try:
            do()
            error.set("")
        except GameError as exc:
            error.set(str(exc))

    with game.lock:
        names = game.system.names
        acute = game.seats()
        rows = [(p.name, names[p.provider], _status(game, p)) for p in game.players.values()]
        drawn = solara.use_memo(lambda: _projector(game, pos), [game.code, version])
        totals = game.rounds[-1] if game.rounds else None
        dealt = list(game.dealt)
        state, paused = game.state, game.paused

    RoundLine(game)
    solara.Text(
        f"Players join with the code {game.code} on this page's address "
        f"(or {_address(game=game.code)}).",
        classes=["cs-code"],
    )
    with solara.Row():
        if state == "lobby":
            solara.Button(
                "Start round 1", color="primary", on_click=lambda: act(game.start),
                classes=["cs-start"],
            )  # fmt: skip
        if state == "open":
            shown = game.round  # the round on this page: a late second click runs nothing
            solara.Button(
                f"Run round {shown} now", color="primary",
                on_click=lambda: act(lambda: game.run_round(shown)), classes=["cs-run"],
            )  # fmt: skip
            solara.Button(
                "Carry on" if paused else "Pause everyone",
                on_click=lambda: act(lambda: game.pause(not paused)),
                classes=["cs-pause"],
            )
        if state != "over":
            solara.Button("End the game", on_click=lambda: act(game.end), classes=["cs-end"])
    if error.value:
        solara.Error(error.value, classes=["cs-error"])
    if state == "over":
        return DebriefView(game)
    with solara.Columns([2, 1]):
        with solara.Column():
            EChart(drawn[0], "cs-network", 420)
            EChart(drawn[1], "cs-plots", charts.plots_height(3))
            if totals is not None:
                solara.Text(
                    f"Since the game began: {totals.waits_12h_system:,} patients waited over "
                    f"12 hours, {totals.hours_system:,.0f} hours waited for a bed, anywhere.",
                    classes=["cs-system"],
                )
        with solara.Column():
            _heading("The room")
            for name, hospital, status in rows:
                solara.Text(f"{name}: {hospital}, {status}", classes=["cs-player-row"])
            if not rows:
                solara.Text("Nobody has joined yet.")
            _heading("Deal a card")
            solara.Select(
                "Card",
                value=card,
                values=list(cards.CARDS),
            )
            chosen = cards.CARDS[card.value]
            solara.Text(f"{chosen.title}: {chosen.text}", style={"font-size": "0.9em"})
            if chosen.targeted:
                solara.Select(
                    "Strikes", value=target, values=["the most pressed"] + [names[i] for i in acute]
                )

            def deal() -> None:
                who = -1 if target.value not in names else names.index(target.value)
                act(lambda: game.deal(card.value, who if chosen.targeted else -1))

            solara.Button("Deal", on_click=deal, classes=["cs-deal"])
            for _, day, name, who in dealt:
                whom = names[who] if who >= 0 else "everyone"
                solara.Text(f"day {day}: {cards.CARDS[name].title} ({whom})")


def _projector(game: Game, pos: np.ndarray) -> tuple[Boxed, Boxed]:
    """The whole system now (the dashboard's network) and its days so far (from a month
    before the game began): made once per change of the game."""
    with game.lock:
        network = network_of(game.system, pos, "The whole system now")
        series = game.system.series()
    first = max(0, game.start_day - 30)
    plots = {
        m: (MEASURES[m], {"the system": series[m][first:]})
        for m in ("waits_12h", "mean_wait_hours", "mean_trust")
    }
    return network, Boxed(charts.plots_option(series["day"][first:], plots))


@solara.component
def Screen(game: Game, player: Player) -> None:
    """A player's screen: their hospital, their partners, their decision."""
    use_game(game, player.token)
    telling = solara.use_reactive(1.0)
    share = solara.use_reactive(1.0)
    asked = solara.use_reactive(game.partners(player.provider))  # all, as the model asks
    give = solara.use_reactive({})
    error = solara.use_reactive("")
    router = solara.use_router()

    with game.lock:
        e = game.system.engine
        i = player.provider
        st, needs, marks, links = e.state, e.aid.needs, e.aid.marks, e.aid.links
        names = game.system.names
        record = game.rounds[-1] if game.rounds else None
        me = {
            "beds": int(st.capacity[i]),
            "occupied": int(st.occupied[i]),
            "waiting": int(st.waiting[i]),
            "need": int(needs.need[i]),
            "room": int(needs.room[i]),
        }
        partners = []
        for e_out in range(links.src_start[i], links.src_start[i + 1]):
            j = int(links.dst[e_out])
            back = int(links.reverse_aid[e_out])
            partners.append(
                {
                    "index": j,
                    "name": names[j],
                    "reports": int(needs.reported[j]),
                    "asks_you": int(marks.ask[back]) if back >= 0 else 0,
                    "trust": float(e.trust[links.index[e_out]]),
                }
            )
        state, paused, decided = game.state, game.paused, player.choice is not None
        shown_round = game.round
        left = player.left
        latest = game.dealt[-1] if game.dealt else None
        mine_12h = int(record.over_12h[i]) if record else 0
        spent = float(record.aid_cost[i]) if record else 0.0
        system_12h = record.waits_12h_system if record else 0

    RoundLine(game, "1.2em")
    solara.Text(
        f"{player.name}, you run {names[i]}", classes=["cs-me"], style={"font-weight": "bold"}
    )
    if latest is not None:
        _, day, name, who = latest
        whom = names[who] if who >= 0 else "everyone"
        dealt = cards.CARDS[name]
        solara.Info(f"Card, day {day}: {dealt.title} ({whom}). {dealt.text}", classes=["cs-card"])
    if state == "over":
        return DebriefView(game)
    if left:
        return solara.Text("You have left: the model runs your hospital.", classes=["cs-left"])
    with solara.Row(classes=["cs-numbers"]):
        for label, value in (
            ("beds", me["beds"]),
            ("patients in beds", me["occupied"]),
            ("waiting for a bed", me["waiting"]),
            ("12-hour waits here", mine_12h),
            ("12-hour waits anywhere", system_12h),
        ):
            with solara.Card(style={"min-width": "150px"}), solara.Column(gap="2px"):
                solara.Text(label, style={"font-size": "0.85em", "color": "#555"})
                solara.Text(f"{value:,}", style={"font-size": "1.5em", "font-weight": "bold"})
    solara.Text(
        f"Aid your hospital has paid for this game: GBP {spent:,.0f}. Your score is both "
        "12-hour counts: patients waiting 12 hours anywhere count against everyone.",
        style={"font-size": "0.85em"},
        classes=["cs-score"],
    )
    _heading("Your partners")
    for p in partners:
        solara.Text(
            f"{p['name']}: says it needs {p['reports']} beds; asks you for {p['asks_you']}; "
            f"your trust in it {p['trust']:.2f}",
            classes=["cs-partner"],
        )
    if state != "open" or paused:
        solara.Text("Waiting for the facilitator to open the round.", classes=["cs-wait"])
        return None
    _heading("Your decision for this round")
    solara.SliderFloat(
        f"Tell partners {telling.value:.0%} of your pressure",
        value=telling, min=0, max=1, step=0.1,
    )  # fmt: skip
    solara.SliderFloat(
        f"Ask for {share.value:.0%} of what you need", value=share, min=0, max=1, step=0.1
    )
    for p in partners:
        j = p["index"]
        solara.Checkbox(
            label=f"ask {p['name']}",
            value=j in asked.value,
            on_value=lambda on, j=j: asked.set(
                sorted(set(asked.value) | {j}) if on else [k for k in asked.value if k != j]
            ),
        )
        solara.InputInt(
            f"beds you would give {p['name']} (empty: as the model would)",
            value=give.value.get(j),
            optional=True,
            on_value=lambda v, j=j: give.set({**give.value, j: v}),
        )

    def decide() -> None:
        try:
            choice = Choice(
                telling=float(telling.value),
                ask=frozenset(asked.value),
                ask_share=float(share.value),
                give={j: int(b) for j, b in give.value.items() if b is not None},
            )
            game.decide(player.token, choice, shown_round)
            error.set("")
        except (GameError, ValueError) as exc:
            error.set(str(exc))

    with solara.Row():
        solara.Button(
            f"Change my decision for round {shown_round}"
            if decided
            else f"Decide for round {shown_round}",
            color="primary",
            on_click=decide,
            classes=["cs-decide"],
        )
        solara.Button(
            "Leave the game",
            on_click=lambda: (game.leave(player.token), router.push(_address(game=game.code))),
            classes=["cs-leave"],
        )
    if decided:
        solara.Success("Decided: it holds for this round.", classes=["cs-decided"])
    if error.value:
        solara.Error(error.value, classes=["cs-error"])
    return None


@solara.component
def DebriefView(game: Game) -> None:
    """What the room's choices cost, against the model on the same patients."""
    debrief: Debrief = solara.use_memo(lambda: make_debrief(game), [game.code])
    png = solara.use_memo(lambda: figure_png(debrief), [game.code])
    _heading("Debrief")
    solara.Text(summary(debrief), classes=["cs-summary"], style={"font-size": "1.2em"})
    solara.Text(
        f"Days {debrief.start_day} to {debrief.days}; {debrief.outcomes[0].arrived:,} patients "
        "arrived in every run (the same patients).",
        style={"font-size": "0.9em"},
    )
    for o in debrief.outcomes:
        solara.Text(
            f"{o.name}: {o.waits_12h:,} 12-hour waits, {o.hours:,.0f} hours waited, "
            f"GBP {o.aid_cost:,.0f} of aid",
            classes=["cs-outcome"],
        )
    _heading("The players")
    for p in debrief.players:
        trust = f"{p.trust_in[-1]:.2f}" if p.trust_in else "-"
        solara.Text(
            f"{p.name} ({p.provider}): decided {p.rounds_decided} rounds, gave {p.given} beds, "
            f"refused {p.refused} requests, {p.waits_12h} 12-hour waits at home, partners' "
            f"trust at the end {trust}",
            classes=["cs-debrief-player"],
        )
    solara.Image(png, width="900px")
    with solara.Row():
        solara.FileDownload(
            lambda: html(debrief).encode(),
            filename=f"collabsim-game-{game.code}.html",
            label="Debrief (HTML)",
            mime_type="text/html",
        )
        solara.FileDownload(
            png, filename=f"collabsim-game-{game.code}.png", label="Debrief (PNG)",
            mime_type="image/png",
        )  # fmt: skip
