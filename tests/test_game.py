"""The game the room plays (``collabsim play``) without a browser: players' choices acting
through the engine (``PlayedPolicy``), the game's flow held on the server (join, decide,
rounds, the timer, players who leave), the scenario cards, and the debrief's replays on
the same patients. The browser tests are in test_game_browser.py.

Every game here is on the small network (three acute hospitals, each the partner of the
other two) in "A winter", from day 55 (the model's hardest week of that winter, checked
once in ``test_busiest_start_is_the_first_of_the_hardest_days``), with a round timer of an
hour so the game's own timer thread never runs a round unless a test makes it.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import numpy as np
import pytest

from collabsim.core.phases import ROW
from collabsim.dashboard.live import LiveSystem
from collabsim.game import cards, session
from collabsim.game.debrief import (
    REPLAYS,
    YOUR_GAME,
    Debrief,
    Outcome,
    figure_png,
    html,
    make_debrief,
    replay,
    summary,
)
from collabsim.game.played import Choice, PlayedPolicy
from collabsim.game.session import Game, GameError, busiest_start, find_game, game_settings
from collabsim.policies.mandate import Mandated

PRESET = "A winter"
START = 55  # busiest_start of "A winter" on the small network, seed 1, for 6 days
ACUTE = (0, 1, 2)  # the small network's acute hospitals, each the partner of the other two
MODEL = "the model in your seats"
SCRIPT = "<script>alert(1)</script>"

Opener = Callable[..., Game]


def _open(opened: list[Game], **kw: object) -> Game:
    args: dict = {
        "preset_name": PRESET,
        "network": "small",
        "rounds": 3,
        "round_days": 1,
        "round_seconds": 3600,  # the timer thread never runs a round by itself
        "start_day": START,
        **kw,
    }
    game = session.open_game(**args)
    opened.append(game)
    return game


def _close(opened: list[Game]) -> None:
    for game in opened:
        with game.lock:  # its timer thread stops (not end(): no debrief made for nothing)
            game.state = "over"
        session.GAMES.pop(game.code, None)


@pytest.fixture
def open_game() -> Iterator[Opener]:
    """Opens games for one test (small, "A winter", day 55); closes them after it."""
    opened: list[Game] = []
    yield lambda **kw: _open(opened, **kw)
    _close(opened)


def played_system(days: int, **settings: object) -> tuple[LiveSystem, PlayedPolicy]:
    """A winter on the small network with its policy played by people, as open_game does."""
    system = LiveSystem(replace(game_settings(PRESET), days=days, **settings))
    engine = system.engine
    policy = PlayedPolicy(engine.policy)
    engine.policy = policy
    policy.bind(engine)
    return system, policy


def totals(system: LiveSystem) -> np.ndarray:
    return system.engine.recorder.provider_totals.copy()


def own_beds(system: LiveSystem) -> np.ndarray:
    """Per provider, its own staffed beds (its pools' home sizes: not lent or borrowed)."""
    e = system.engine
    return np.add.reduceat(e.state.beds.home, e.pools.first[:-1])


# ---- PlayedPolicy: the players' choices, through the engine's own rules -------------------


def test_played_policy_without_choices_is_the_model_exactly() -> None:
    model = LiveSystem(replace(game_settings(PRESET), days=62))
    played, policy = played_system(62)
    chosen, chooser = played_system(62)
    assert type(model.engine.policy).__name__ == "TrustGated"
    for s in (model, played, chosen):
        s.advance(START)
    chooser.set_choices({0: Choice(telling=0.3, ask=frozenset({1}), ask_share=0.5)})
    for s in (model, played, chosen):
        assert s.advance(6) == 6
    assert model.daily == played.daily  # every measure, every day, to the last bit
    for a, b in zip(model.daily_arrivals, played.daily_arrivals, strict=True):
        assert np.array_equal(a, b)
    assert np.array_equal(totals(model), totals(played))
    # the comparison can fail: one player's choice changes what the system did
    assert chosen.daily != model.daily
    # and the wrapper kept count of what the model's providers did
    assert policy.asked_of[list(ACUTE)].sum() > 0 and policy.granted.sum() > 0


def test_choices_are_checked() -> None:
    for bad in ({"telling": 1.5}, {"telling": -0.1}, {"ask_share": 2.0}, {"give": {1: -1}}):
        with pytest.raises(ValueError):
            Choice(**bad)  # type: ignore[arg-type]
    assert Choice(telling=0.0, ask_share=1.0, give={1: 0}).give == {1: 0}


def _asking_nobody_against_the_model() -> tuple[np.ndarray, np.ndarray]:
    """Six days from day 55 with provider 0 played by someone who asks nobody, and the
    same days with the model in its seat: each run's totals over those days."""
    runs = []
    for choices in ({0: Choice(ask=frozenset())}, {}):
        system, policy = played_system(62)
        system.advance(START)
        before = totals(system)
        policy.set_choices(choices)
        system.advance(6)
        runs.append(totals(system) - before)
    return runs[0], runs[1]


def test_a_player_who_asks_nobody_is_never_helped() -> None:
    got, model = _asking_nobody_against_the_model()
    help_rows = [ROW["transfers_out"], ROW["loans_in"]]
    # under winter pressure the model in that seat asks and is helped ...
    assert model[ROW["need"], 0] > 0 and model[help_rows, 0].sum() > 0
    # ... the player who asks nobody needed help too, and got none
    assert got[ROW["need"], 0] > 0
    assert got[help_rows, 0].tolist() == [0, 0]


def test_a_player_who_gives_nothing_never_gives() -> None:
    giver, p_giver = played_system(62)
    twin, p_twin = played_system(62)
    giver.advance(START)
    twin.advance(START)
    g0, t0 = p_giver.granted.copy(), p_twin.granted.copy()
    asked0 = p_giver.asked_of.copy()
    p_giver.set_choices({2: Choice(give={0: 0, 1: 0})})
    giver.advance(6)
    twin.advance(6)
    assert (p_giver.asked_of - asked0)[2] > 0  # its partners asked it
    assert (p_giver.granted - g0)[2] == 0  # and it gave nothing
    assert (p_twin.granted - t0)[2] > 0  # where the model in its seat gave some


def test_telling_is_the_providers_candour_and_the_model_gets_its_own_back() -> None:
    system, policy = played_system(62, candour=0.6)
    twin, _ = played_system(62, candour=0.6)
    candour = system.engine.traits.candour
    assert np.allclose(candour, 0.6)
    system.advance(START)
    twin.advance(START)
    before, twin_before = totals(system), totals(twin)
    policy.set_choices({0: Choice(telling=0.0, ask=frozenset(ACUTE[1:]))})
    assert candour[0] == 0.0 and np.allclose(candour[1:], 0.6)
    assert system.engine.traits.candour is candour  # set in place: the engine reads it
    system.advance(3)
    twin.advance(3)
    asked = (totals(system) - before)[ROW["asked"], 0]
    asked_model = (totals(twin) - twin_before)[ROW["asked"], 0]
    assert asked_model > 0 and asked < asked_model / 2  # it admits (asks) far less
    policy.set_choices({})
    assert np.allclose(candour, 0.6)  # the model's own value, not the player's or 1


# ---- the game's flow ------------------------------------------------------------------


def test_join_gives_each_player_their_own_acute_hospital(open_game: Opener) -> None:
    g = open_game()
    assert g.seats() == list(ACUTE)
    players = [g.join(n) for n in ("Ann", "Bea", "Cas")]
    assert sorted(p.provider for p in players) == list(ACUTE)
    assert len({p.token for p in players}) == 3
    assert all(g.system.kinds[p.provider] == session.ACUTE for p in players)
    with pytest.raises(GameError, match="full"):
        g.join("Dee")
    assert len(g.players) == 3
    # a player who leaves frees their hospital for the next to join
    g.leave(players[1].token)
    dee = g.join("Dee")
    assert dee.provider == players[1].provider
    with pytest.raises(GameError):
        g.player("not a token")


def test_names_are_tidied_and_an_empty_one_refused(open_game: Opener) -> None:
    g = open_game()
    assert g.join("  Ann \t  the\n first  ").name == "Ann the first"
    long = g.join("x" * 100).name
    assert long == "x" * session.MAX_NAME
    for empty in ("", "   ", "\t\n"):
        with pytest.raises(GameError, match="name"):
            g.join(empty)
    assert len(g.players) == 2


def test_a_name_cut_to_length_has_no_trailing_space(open_game: Opener) -> None:
    g = open_game()
    name = g.join("a" * 39 + " bcd").name
    assert name == name.strip() and len(name) <= session.MAX_NAME


def test_decisions_are_refused_when_closed_or_about_strangers(open_game: Opener) -> None:
    g = open_game()
    ann = g.join("Ann")
    partners = g.partners(ann.provider)
    assert sorted(partners) == sorted(set(ACUTE) - {ann.provider})
    fine = Choice(ask=frozenset(partners), give={partners[0]: 2})
    with pytest.raises(GameError, match="closed"):
        g.decide(ann.token, fine)  # before the start
    g.start()
    with pytest.raises(GameError, match="started"):
        g.start()
    for stranger in (
        Choice(ask=frozenset({3})),  # the community provider is not an aid partner
        Choice(give={4: 1}),
        Choice(ask=frozenset({ann.provider})),  # nor is its own hospital
    ):
        with pytest.raises(GameError, match="partners"):
            g.decide(ann.token, stranger)
    assert ann.choice is None
    g.pause(True)
    with pytest.raises(GameError, match="closed"):
        g.decide(ann.token, fine)
    g.pause(False)
    g.decide(ann.token, fine)
    assert ann.choice == fine and g.undecided() == []
    g.leave(ann.token)
    assert ann.choice is None
    with pytest.raises(GameError, match="left"):
        g.decide(ann.token, fine)


def test_a_round_runs_its_days_and_records_them(open_game: Opener) -> None:
    g = open_game(rounds=3, round_days=2)
    assert g.system.day == START == g.start_day and g.state == "lobby"
    with pytest.raises(GameError, match="no round"):
        g.run_round()
    ann, bea = g.join("Ann"), g.join("Bea")
    g.start()
    choice = Choice(telling=0.4, ask=frozenset(g.partners(ann.provider)))
    g.decide(ann.token, choice)
    version = g.version
    g.run_round()
    assert g.version > version
    assert g.system.day == START + 2 and len(g.system.daily_arrivals) == START + 2
    assert g.state == "open" and g.round == 2
    assert g.seconds_left() > 3600 - 60  # the next round has its full time
    (r,) = g.rounds
    assert r.number == 1 and r.day == START + 2
    assert r.played == {ann.provider: choice}  # Bea did not decide: the model played her
    assert ann.choice is None and bea.choice is None  # the next round starts undecided
    # the record's totals, against the day-by-day measures of the same days
    assert r.waits_12h_system == sum(g.system.daily["waits_12h"][START:]) > 0
    assert r.over_12h.sum() == r.waits_12h_system
    assert r.wait_hours.sum() == pytest.approx(r.hours_system) and r.hours_system > 0
    assert np.array_equal(r.given, g.policy.granted - g.baseline["granted"])
    acute = list(ACUTE)
    assert np.isfinite(r.trust_in[acute]).all() and np.isnan(r.trust_in[3:]).all()
    assert ((r.trust_in[acute] > 0) & (r.trust_in[acute] < 1)).all()


def test_the_last_round_ends_the_game(open_game: Opener) -> None:
    g = open_game(rounds=2, round_days=1)
    ann = g.join("Ann")
    g.start()
    g.run_round()
    g.decide(ann.token, Choice(telling=0.2))
    g.run_round()
    assert g.state == "over" and [r.number for r in g.rounds] == [1, 2]
    assert g.rounds[-1].played == {ann.provider: Choice(telling=0.2)}
    assert g.system.day == START + 2
    # the model has its own candour back, and nothing more can happen
    assert g.policy.choices == {} and g.system.engine.traits.candour[ann.provider] == 1.0
    assert g.seconds_left() == 0.0
    for act in (g.run_round, lambda: g.join("Late"), lambda: g.deal("surge")):
        with pytest.raises(GameError):
            act()
    g.tick()
    assert len(g.rounds) == 2 and g.system.day == START + 2


def test_pause_stops_the_timer_and_the_round(open_game: Opener) -> None:
    g = open_game()
    g.start()
    with g.lock:  # the timer thread waits while the deadline is set
        g.deadline = time.monotonic() + 30
        g.pause(True)
    left = g.seconds_left()
    assert 29 < left <= 30 and g.paused
    time.sleep(0.3)
    assert g.seconds_left() == left  # the clock stopped
    with g.lock:
        g.deadline = time.monotonic() - 1  # even past its time ...
        g.tick()
    assert g.rounds == [] and g.system.day == START  # ... a paused round does not run
    g.pause(False)
    assert not g.paused and left - 1 < g.seconds_left() <= left  # it carries on from there
    time.sleep(0.3)
    assert g.seconds_left() < left - 0.2


def test_a_round_run_while_paused_gives_the_next_round_its_full_time(open_game: Opener) -> None:
    g = open_game()
    g.start()
    with g.lock:
        g.deadline = time.monotonic() + 10
        g.pause(True)
        g.run_round()  # the facilitator's "Run the round now", shown while paused too
        assert g.round == 2
        g.pause(False)
        assert g.seconds_left() > 3600 - 60


def test_tick_runs_a_round_whose_time_is_up(open_game: Opener) -> None:
    g = open_game()
    g.tick()  # in the lobby: nothing to run
    g.start()
    g.tick()  # an hour left: nothing to run
    assert g.rounds == [] and g.system.day == START
    with g.lock:
        g.deadline = time.monotonic() - 0.1
        g.tick()
        assert len(g.rounds) == 1 and g.round == 2 and g.system.day == START + 1


def test_the_model_plays_for_players_who_left_or_are_away(open_game: Opener) -> None:
    g = open_game()
    ann, bea, cas = g.join("Ann"), g.join("Bea"), g.join("Cas")
    g.start()
    choices = {p.token: Choice(ask=frozenset(), telling=0.5) for p in (ann, bea, cas)}
    for p in (ann, bea, cas):
        g.decide(p.token, choices[p.token])
    g.leave(bea.token)
    cas.seen = time.monotonic() - session.AWAY_SECONDS - 1000  # page closed long ago
    assert g.away(bea) and g.away(cas) and not g.away(ann)
    g.run_round()
    assert g.rounds[-1].played == {ann.provider: choices[ann.token]}
    candour = g.system.engine.traits.candour
    assert candour[ann.provider] == 0.5
    assert candour[bea.provider] == candour[cas.provider] == 1.0  # the model's own
    # a heartbeat brings an away player back; one who left stays gone
    g.heartbeat(cas.token)
    g.heartbeat(bea.token)
    assert not g.away(cas) and g.away(bea)
    g.decide(cas.token, choices[cas.token])
    g.run_round()
    assert set(g.rounds[-1].played) == {cas.provider}


def test_find_game_ignores_case_and_refuses_unknown_codes(open_game: Opener) -> None:
    g = open_game()
    assert len(g.code) == 4 and set(g.code) <= set(session.CODE_LETTERS)
    assert find_game(g.code) is g
    assert find_game(f"  {g.code.lower()} ") is g
    other = open_game()
    assert other.code != g.code and find_game(other.code.lower()) is other
    with pytest.raises(GameError, match="no game"):
        find_game("IIII")  # no I in a code: never a game
    with pytest.raises(GameError):
        find_game("")


def test_open_game_refuses_what_cannot_be_played(open_game: Opener) -> None:
    with pytest.raises(GameError, match="preset"):
        open_game(preset_name="Chess")
    for bad in ({"rounds": 0}, {"round_days": 31}, {"round_seconds": 1}):
        with pytest.raises(GameError, match="rounds"):
            open_game(**bad)
    with pytest.raises(GameError, match="start day"):
        open_game(start_day=360, rounds=3, round_days=2)
    g = open_game(rounds=2, round_days=3)
    assert g.settings.days == START + 2 * 3 + 1 and g.system.days_total == g.settings.days


def test_busiest_start_is_the_first_of_the_hardest_days(open_game: Opener) -> None:
    settings = game_settings(PRESET)
    year = LiveSystem(settings)
    year.advance(year.days_total)
    waits = year.daily["waits_12h"]
    windows = [sum(waits[d : d + 6]) for d in range(len(waits) - 5)]
    start = busiest_start(settings, 6)
    assert max(windows) > min(windows)  # a winter has a hardest week
    assert start == windows.index(max(windows)) == START
    assert busiest_start(replace(settings, days=6), 6) == 0  # no room to choose
    g = open_game(rounds=2, round_days=3, start_day=None)
    assert g.start_day == START and g.system.day == START


# ---- the cards ------------------------------------------------------------------------


def test_every_card_can_be_dealt_and_played(open_game: Opener) -> None:
    g = open_game(rounds=2, round_days=3)
    pressed = g.most_pressed()
    assert pressed in ACUTE
    for name in cards.CARDS:
        g.deal(name)
    assert [(r, d, c) for r, d, c, _ in g.dealt] == [(1, START, c) for c in cards.CARDS]
    whom = {c: who for _, _, c, who in g.dealt}
    # a card that strikes one provider strikes the most pressed unless told
    assert {c for c, w in whom.items() if w >= 0} == {
        c for c, card in cards.CARDS.items() if card.targeted
    }
    assert all(w == pressed for c, w in whom.items() if cards.CARDS[c].targeted)
    g.start()
    g.run_round()
    assert isinstance(g.policy.base, Mandated)  # the mandate is in force for the players
    assert g.system.engine.policy is g.policy  # still played by people
    g.deal("mandate")  # a second mandate follows the first, not one inside another
    g.run_round()
    assert isinstance(g.policy.base, Mandated)
    assert not isinstance(g.policy.base.policy, Mandated)
    assert g.state == "over" and g.system.day == START + 6


def test_an_unknown_card_is_refused(open_game: Opener) -> None:
    g = open_game()
    with pytest.raises(GameError, match="unknown card"):
        g.deal("plague")
    assert g.effects == [] and g.dealt == []
    with pytest.raises(ValueError, match="choose"):
        cards.effects_of("sickness", START, -1, 100)
    with pytest.raises(ValueError, match="unknown"):
        cards.apply(cards.Effect(START, "flood"), g.system)


def test_sickness_takes_a_fifth_of_the_beds_for_its_days(open_game: Opener) -> None:
    g = open_game()
    e = g.system.engine
    own = own_beds(g.system)
    lost = round(own[1] * 0.2)  # a fifth of its own beds, whatever it lent or borrowed
    g.deal("sickness", 1)
    assert [(x.day, x.what, x.target, x.amount) for x in g.effects] == [
        (START, "beds", 1, -lost),
        (START + cards.DAYS, "beds", 1, lost),
    ]
    # played at the start of their days, the target has a fifth fewer beds, then its own
    capacity = int(e.state.capacity[1])
    cards.apply(g.effects[0], g.system)
    assert e.state.capacity[1] == capacity - lost
    assert own_beds(g.system)[1] == own[1] - lost
    assert np.array_equal(own_beds(g.system)[[0, 2, 3, 4]], own[[0, 2, 3, 4]])
    cards.apply(g.effects[1], g.system)
    assert e.state.capacity[1] == capacity
    assert np.array_equal(own_beds(g.system), own)


def test_sickness_in_a_game_lasts_its_days(open_game: Opener) -> None:
    g = open_game(rounds=7, round_days=1)
    own = own_beds(g.system)
    g.deal("sickness", 1)
    g.start()
    g.run_round()
    assert own_beds(g.system)[1] == own[1] - round(own[1] * 0.2)
    for _ in range(cards.DAYS - 1):
        g.run_round()
    assert own_beds(g.system)[1] < own[1]  # still sick on its fifth day


def test_after_a_sickness_the_hospital_has_its_own_beds_back(open_game: Opener) -> None:
    g = open_game(rounds=8, round_days=1)
    own = own_beds(g.system)
    g.deal("sickness", 0)
    g.start()
    while g.state != "over":
        g.run_round()
    assert g.system.day > g.effects[-1].day  # the sickness is over
    assert own_beds(g.system)[0] == own[0]


def test_a_sickness_replayed_in_isolation_gives_back_the_beds_it_took(open_game: Opener) -> None:
    g = open_game(rounds=2, round_days=4)
    g.deal("sickness", 0)
    g.start()
    g.run_round()
    g.run_round()
    alone, _ = replay(replace(g.settings, policy="none"), g.effects, START, g.system.day)
    assert alone.engine.state.capacity[0] == alone.capacity[0]


def test_caught_lowers_partners_trust_in_the_target(open_game: Opener) -> None:
    g = open_game()
    e = g.system.engine
    links = e.aid.links
    into = links.index[links.dst == 1]  # partners' trust in provider 1
    assert into.size == 2
    before = e.trust.copy()
    g.deal("caught", 1)
    (effect,) = g.effects
    assert (effect.day, effect.what, effect.target) == (START, "caught", 1)
    cards.apply(effect, g.system)
    assert np.allclose(e.trust[into], before[into] * 0.5)
    others = np.setdiff1d(np.arange(e.trust.size), into)
    assert np.array_equal(e.trust[others], before[others])
    assert e.trust_mean == pytest.approx(e.trust.mean())  # the recorded mean follows


def test_caught_in_a_game_leaves_its_mark(open_game: Opener) -> None:
    caught, twin = open_game(), open_game()
    caught.deal("caught", 1)
    for g in (caught, twin):
        g.start()
        g.run_round()
    got, model = caught.rounds[-1].trust_in, twin.rounds[-1].trust_in
    assert got[1] < 0.75 * model[1]
    assert got[0] == pytest.approx(model[0], abs=0.1)


def test_a_surge_brings_more_patients_than_its_twin(open_game: Opener) -> None:
    surged, calm = open_game(rounds=1, round_days=5), open_game(rounds=1, round_days=5)
    surged.deal("surge")
    assert surged.effects == [cards.Effect(START, "surge", amount=4 / 3)]
    for g in (surged, calm):
        g.start()
        g.run_round()
    a, b = np.array(surged.system.daily_arrivals), np.array(calm.system.daily_arrivals)
    assert a.shape == b.shape == (START + 5, 5)
    assert np.array_equal(a[:START], b[:START])  # the same patients before the card
    # ~900 arrivals in 5 days without it: the ratio's sd is ~0.05 around 4/3
    assert 1.15 < a[START:].sum() / b[START:].sum() < 1.55
    assert (a[START:].sum(axis=1) > b[START:].sum(axis=1)).sum() >= 4  # on (nearly) every day


def test_a_squeeze_tightens_the_money(open_game: Opener) -> None:
    g = open_game(rounds=3)
    finance = g.system.engine.config.finance
    assert finance.pressure == 0.0
    g.deal("squeeze")
    assert finance.pressure == 0.0  # from the next day the game runs
    g.start()
    g.run_round()
    assert finance.pressure == pytest.approx(0.5)
    g.deal("squeeze")
    g.deal("squeeze")
    g.run_round()
    assert finance.pressure == 1.0  # at most 1
    # the game's own config, not one shared with other systems
    assert LiveSystem(game_settings(PRESET)).engine.config.finance.pressure == 0.0


# ---- the debrief ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def played() -> Iterator[tuple[Game, Debrief, Game]]:
    """A game of two 3-day rounds with a surge card and two players (one named in markup,
    asking nobody and giving nothing), its debrief, and its twin without the card."""
    opened: list[Game] = []
    g = _open(opened, rounds=2, round_days=3)
    twin = _open(opened, rounds=2, round_days=3)
    ann, bea = g.join(SCRIPT), g.join("Bea")
    g.deal("surge")
    for game in (g, twin):
        game.start()
    selfish = Choice(ask=frozenset(), give=dict.fromkeys(g.partners(ann.provider), 0))
    g.decide(ann.token, selfish)
    g.decide(bea.token, Choice(telling=0.5, ask=frozenset(g.partners(bea.provider))))
    g.run_round()
    g.decide(ann.token, selfish)
    g.run_round()
    twin.run_round()
    twin.run_round()
    assert g.state == twin.state == "over"
    yield g, make_debrief(g), twin
    _close(opened)


def test_the_debrief_is_every_run_of_the_same_patients(played) -> None:  # noqa: ANN001
    g, d, _ = played
    assert [o.name for o in d.outcomes] == [YOUR_GAME, *REPLAYS]
    assert (d.start_day, d.days) == (START, START + 6)
    game = np.array(g.system.daily_arrivals[START:])
    assert game.shape == (6, 5) and game.sum() > 0
    for o in d.outcomes:
        assert np.array_equal(o.daily_arrivals, game), o.name
        assert o.arrived == game.sum()
    assert make_debrief(g) is d  # made once


def test_the_replays_meet_the_cards_dealt(played) -> None:  # noqa: ANN001
    g, d, twin = played
    assert d.cards == ((START, "A surge", "everyone"),)
    without = np.array(twin.system.daily_arrivals[START:])
    model = d.outcome(MODEL).daily_arrivals
    assert np.array_equal(model, d.outcome(YOUR_GAME).daily_arrivals)
    assert model.sum() > 1.15 * without.sum()  # the surge, replayed


def test_isolation_arranges_no_aid(played) -> None:  # noqa: ANN001
    _, d, _ = played
    alone = d.outcome("isolated")
    assert alone.aid_cost == 0.0
    assert d.outcome(MODEL).aid_cost > 0 and d.outcome("everyone trusting").aid_cost > 0
    assert all(o.waits_12h > 0 and o.hours > 0 for o in d.outcomes)


def test_with_nobody_deciding_the_models_replay_is_the_game(open_game: Opener) -> None:
    """Every card replayed on its day, on the same patients: the model in every seat
    replays the game to the last hour (the game's players all let the model play)."""
    g = open_game(rounds=2, round_days=3)
    g.join("Ann")  # joined, never decided
    for name in cards.CARDS:
        g.deal(name)
    g.start()
    g.run_round()
    g.deal("sickness", 2)
    g.run_round()
    d = make_debrief(g)
    ours, model = d.outcome(YOUR_GAME), d.outcome(MODEL)
    assert (ours.waits_12h, ours.hours, ours.aid_cost) == (
        model.waits_12h,
        model.hours,
        model.aid_cost,
    )
    assert ours.hours != d.outcome("everyone trusting").hours  # other runs differ
    assert d.players[0].rounds_decided == 0 and np.isnan(d.players[0].telling)


def test_the_players_lines(played) -> None:  # noqa: ANN001
    g, d, _ = played
    ann, bea = d.players
    assert (ann.name, bea.name) == (SCRIPT, "Bea")
    assert (ann.provider, bea.provider) == (g.system.names[0], g.system.names[1])
    assert (ann.rounds_decided, bea.rounds_decided) == (2, 1)
    assert ann.given == 0  # gave nothing, as chosen
    assert (ann.telling, bea.telling) == (1.0, 0.5)
    assert len(ann.trust_in) == 2 and ann.trust_in == [r.trust_in[0] for r in g.rounds]
    assert ann.waits_12h == g.rounds[-1].over_12h[0] > 0


def _clause(text: str, other: str) -> str:
    (clause,) = [c for c in text.replace(";", " and").split(" and ") if other in c]
    return clause


def test_the_summary_says_more_or_less_as_the_hours_say(played) -> None:  # noqa: ANN001
    _, d, _ = played
    text = summary(d)
    others = {
        "isolated": "with nobody sharing",
        MODEL: "with the model in your seats",
        "everyone trusting": "if everyone had trusted each other",
    }
    costs = {name: d.cost_in_hours(name) for name in others}
    assert any(abs(c) >= 1 for c in costs.values())  # the room's play made a difference
    for name, other in others.items():
        clause, hours = _clause(text, other), costs[name]
        if round(hours) == 0:
            assert f"as long as {other}" in clause
        else:
            word = "more" if hours > 0 else "less"
            assert f"{abs(hours):,.0f} hours {word} than {other}" in clause


def test_the_summary_on_hours_of_every_sign() -> None:
    arrivals = np.zeros((1, 5), dtype=np.int64)

    def o(name: str, hours: float) -> Outcome:
        return Outcome(name, 0, hours, 0.0, 0, arrivals)

    d = Debrief(
        "ABCD",
        PRESET,
        START,
        START + 1,
        (o(YOUR_GAME, 1000.0), o("isolated", 3500.0), o(MODEL, 400.0), o(REPLAYS[2], 1000.3)),
        (),
        (),
    )
    assert d.cost_in_hours("isolated") == -2500.0 and d.cost_in_hours(MODEL) == 600.0
    text = summary(d)
    assert "2,500 hours less than with nobody sharing" in text
    assert "600 hours more than with the model in your seats" in text
    assert "as long as if everyone had trusted each other" in text


def test_the_html_shows_names_as_text(played) -> None:  # noqa: ANN001
    _, d, _ = played
    page = html(d)
    assert SCRIPT not in page and "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert summary(d) in page and "Bea" in page and "A surge" in page
    assert page.count("<tr>") == 1 + len(d.outcomes) + 1 + len(d.players)
    assert "data:image/png;base64,iVBORw0KGgo" in page  # the figure, embedded


def test_the_figure_is_a_png(played) -> None:  # noqa: ANN001
    _, d, _ = played
    png = figure_png(d)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1100, 440)  # 10 x 4 inches at 110 dpi
    assert len(png) > 10_000  # drawn, not blank


def test_a_player_who_asks_nobody_is_recorded_as_asking_nothing() -> None:
    """What a played provider asked is what the run records (``asked``), not the model's
    request from before the player's choice."""
    got, model = _asking_nobody_against_the_model()
    assert got[ROW["asked"], 0] == 0 < model[ROW["asked"], 0]


def test_isolated_means_nobody_shares_even_under_a_mandate(open_game: Opener) -> None:
    g = open_game(rounds=3)
    g.start()
    g.deal("mandate")
    for _ in range(3):
        g.run_round()
    d = make_debrief(g)
    assert d.outcome("isolated").aid_cost == 0
    assert d.outcome(MODEL).aid_cost > 0


def test_a_card_for_a_provider_that_is_not_there_is_one_line(open_game: Opener) -> None:
    g = open_game()
    with pytest.raises(GameError, match="no provider 99"):
        g.deal("sickness", 99)


def test_a_seat_that_changes_hands_credits_each_player_with_their_own_rounds(
    open_game: Opener,
) -> None:
    g = open_game(rounds=3)
    alice = g.join("Alice")
    g.start()
    g.decide(alice.token, Choice(telling=0.2))
    g.run_round()
    g.leave(alice.token)
    bob = g.join("Bob $$ _x")  # a name Matplotlib would read as a formula
    assert bob.provider == alice.provider
    g.decide(bob.token, Choice(telling=0.8))
    g.run_round()
    g.run_round()
    d = make_debrief(g)
    lines = {p.name: p for p in d.players}
    assert (lines["Alice"].rounds_decided, lines["Alice"].telling) == (1, 0.2)
    assert (lines["Bob $$ _x"].rounds_decided, lines["Bob $$ _x"].telling) == (1, 0.8)
    assert figure_png(d)[:4] == b"\x89PNG"  # the name drawn as text


def test_a_late_click_runs_no_second_round(open_game: Opener) -> None:
    g = open_game(rounds=3)
    p = g.join("Ann")
    g.start()
    g.decide(p.token, Choice(), round_number=1)
    g.run_round(round_number=1)
    with pytest.raises(GameError, match="round 1 has already run"):
        g.run_round(round_number=1)  # the second click of a double click
    with pytest.raises(GameError, match="round 1 has run"):
        g.decide(p.token, Choice(), round_number=1)  # a decision made as it ran
    assert g.round == 2 and len(g.rounds) == 1


def test_a_server_runs_a_bounded_number_of_games(
    open_game: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session, "MAX_GAMES", len(
        [x for x in session.GAMES.values() if x.state != "over"]) + 1)  # fmt: skip
    open_game()
    with pytest.raises(GameError, match="runs .* games already"):
        open_game()
