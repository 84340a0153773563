"""Speed of the game (``collabsim play``), on the server: opening a game, running a round,
making the debrief.

    python benchmarks/game.py

For each network: ``open_game`` (which runs the preset's year once to find where the game
starts, then the model to that day), a round of one day with two players' choices in force
(median of the game's rounds), and the debrief (three replays of the game's days). Numbers
are measurements, not assertions: put them in your notes.
"""

from __future__ import annotations

import time

import numpy as np

from collabsim.game.debrief import make_debrief
from collabsim.game.played import Choice
from collabsim.game.session import open_game


def measure(network: str, rounds: int) -> dict[str, float]:
    t0 = time.perf_counter()
    game = open_game("A winter", network, rounds=rounds, round_seconds=3600)
    opened = time.perf_counter() - t0
    players = [game.join(name) for name in ("Ann", "Bob")]
    game.start()
    times = []
    for _ in range(rounds):
        for k, p in enumerate(players):
            partners = game.partners(p.provider)
            choice = Choice(telling=0.5 + 0.5 * k, ask=frozenset(partners), give={})
            game.decide(p.token, choice)
        t = time.perf_counter()
        game.run_round()
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    make_debrief(game)
    return {
        "open_s": opened,
        "round_ms": 1000 * float(np.median(times)),
        "debrief_s": time.perf_counter() - t,
        "start_day": game.start_day,
    }


def main() -> None:
    print("| network | open a game (s) | a round of a day (ms) | debrief (s) | starts on day |")
    print("|---|---|---|---|---|")
    for network in ("small", "england"):
        r = measure(network, rounds=6)
        print(
            f"| {network} | {r['open_s']:.2f} | {r['round_ms']:.1f} | {r['debrief_s']:.2f} | "
            f"{r['start_day']} |"
        )


if __name__ == "__main__":
    main()
