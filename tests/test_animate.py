"""``collabsim animate``: the dashboard's network and plots as PNG frames and a GIF or MP4
for slides, written whole or not at all; ``plots_png``, the page's plots download."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from collabsim.dashboard import animate
from collabsim.dashboard.animate import plots_png, render
from collabsim.dashboard.live import MEASURES, LiveSystem, Settings, TrustPair
from collabsim.errors import ConfigError, OutputError
from tests.helpers import run

SMALL = Settings(network="small", scenario="winter")
PNG = b"\x89PNG\r\n\x1a\n"


def replace_days(settings: Settings, days: int) -> Settings:
    return replace(settings, days=days)


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


@pytest.fixture(scope="module")
def gif(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    where = tmp_path_factory.mktemp("gif")
    return where, render(SMALL, 4, where / "talk.gif", fps=4)


def test_gif_is_animated_with_a_frame_a_day(gif):
    where, paths = gif
    assert paths["movie"] == where / "talk.gif"
    with Image.open(paths["movie"]) as im:
        assert im.format == "GIF"
        assert im.is_animated
        assert im.n_frames == 4
        assert im.size == (1280, 720)
        assert im.info["loop"] == 0
        assert im.info["duration"] == 250  # 4 frames a second
    frames = paths["frames"]
    assert frames == [where / "talk_frames" / f"frame_{i:04d}.png" for i in (1, 2, 3, 4)]
    assert all(f.read_bytes().startswith(PNG) for f in frames)
    assert not np.array_equal(pixels(frames[0]), pixels(frames[-1]))  # day 1 is not day 4
    # nothing else is left beside them (no hidden partial names)
    assert sorted(p.name for p in where.iterdir()) == ["talk.gif", "talk_frames"]


def test_a_frame_every_k_days_and_always_the_last():
    assert animate._frame_days(10, 1) == list(range(1, 11))
    assert animate._frame_days(10, 3) == [3, 6, 9, 10]
    assert animate._frame_days(9, 3) == [3, 6, 9]
    assert animate._frame_days(2, 7) == [2]


def test_every_and_a_folder(tmp_path):
    paths = render(SMALL, 5, tmp_path / "deck", every=2)
    assert paths["movie"] == tmp_path / "deck" / "animation.gif"
    assert [f.name for f in paths["frames"]] == [f"frame_{i:04d}.png" for i in (1, 2, 3)]
    assert all(f.parent == tmp_path / "deck" / "frames" for f in paths["frames"])
    with Image.open(paths["movie"]) as im:
        assert im.n_frames == 3  # days 2, 4 and 5
    # a shorter render in the same place replaces the frames rather than mixing them in
    again = render(SMALL, 1, tmp_path / "deck")
    assert sorted((tmp_path / "deck" / "frames").iterdir()) == again["frames"]
    assert len(again["frames"]) == 1


def test_mp4_is_h264_in_an_iso_media_file_that_decodes(tmp_path):
    import imageio_ffmpeg

    paths = render(SMALL, 3, tmp_path / "talk.mp4", fps=8)
    movie = paths["movie"]
    head = movie.read_bytes()[:12]
    assert head[4:8] == b"ftyp"  # the first box of an ISO BMFF (MP4) file
    reader = imageio_ffmpeg.read_frames(str(movie))
    meta = next(reader)
    assert tuple(meta["size"]) == (1280, 720)
    assert meta["fps"] == pytest.approx(8)
    assert sum(1 for _ in reader) == 3
    assert len(paths["frames"]) == 3


def test_dividend_view_draws_both_systems(tmp_path):
    pair = TrustPair(replace_days(SMALL, 3))
    frame = animate._Frame(pair, SMALL, 3)
    assert [one for _, one in frame.networks] == [pair.low, pair.high]
    pair.advance(3)
    rgba = frame.draw()
    assert rgba.shape == (720, 1280, 4)
    titles = [network.title.get_text() for network, _ in frame.networks]
    assert titles[0].startswith("low trust (0.2)") and titles[1].startswith("high trust (0.8)")
    assert "12-hour waits avoided by high trust" in frame.title.get_text()
    low, high = frame.plots[0].lines["low"], frame.plots[0].lines["high"]
    assert len(low.get_xdata()) == len(high.get_xdata()) == 3
    # and the command's path: a movie of the pair
    paths = render(SMALL, 2, tmp_path / "pair.gif", view="dividend")
    with Image.open(paths["movie"]) as im:
        assert im.n_frames == 2


def test_single_view_follows_the_system():
    system = LiveSystem(replace_days(SMALL, 2))
    frame = animate._Frame(system, SMALL, 2)
    assert len(frame.networks) == 1
    network = frame.networks[0][0]
    assert sum(len(members) for members, _ in network.kinds) == len(system.names)
    system.advance(2)
    frame.draw()
    assert frame.title.get_text().startswith("Day 2 of 2")
    assert list(frame.plots[0].lines["one"].get_xdata()) == [1, 2]


def test_plots_png_all_measures_and_a_comparison():
    lo, hi = LiveSystem(replace_days(SMALL, 3)), LiveSystem(replace_days(SMALL, 3).with_trust(0.8))
    lo.advance(3)
    hi.advance(3)
    one = plots_png(lo.series(), title="small network")
    two = plots_png(lo.series(), title="low and high trust", compare=hi.series())
    for png in (one, two):
        assert png.startswith(PNG)
        with Image.open(io.BytesIO(png)) as im:
            assert im.size == (1300, 600)
    assert one != two
    assert plots_png({}).startswith(PNG)  # no days yet: empty plots, not an error
    assert len(MEASURES) == 8  # one panel each, in a 2 x 4 grid


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": 0}, "days: 0 is not allowed"),
        ({"every": 0}, "every: 0 is not allowed"),
        ({"fps": 0}, "fps: 0 is not allowed"),
        ({"view": "both"}, "view: 'both' is not one of single, dividend"),
        ({"out": "talk.txt"}, "the movie must be a .gif or .mp4 file"),
    ],
)
def test_mistakes_are_one_line_and_write_nothing(tmp_path, kwargs, message):
    args = {"days": 2, "out": "talk.gif", **kwargs}
    out = tmp_path / args.pop("out")
    with pytest.raises(ConfigError, match=message) as info:
        render(SMALL, out=out, **args)
    assert "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_place_is_an_output_error(tmp_path):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    with pytest.raises(OutputError, match=r"talk\.gif not written: Not a directory"):
        render(SMALL, 2, tmp_path / "notes.txt" / "talk.gif")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_failure_part_way_leaves_nothing_behind(tmp_path, monkeypatch):
    saved: list[Path] = []
    real = animate._save_png

    def full_disk(rgba: np.ndarray, path: Path) -> None:
        if saved:
            raise OSError(28, "No space left on device", str(path))
        real(rgba, path)
        saved.append(path)

    monkeypatch.setattr(animate, "_save_png", full_disk)
    for name in ("talk.gif", "talk.mp4"):
        saved.clear()
        with pytest.raises(OutputError, match="No space left on device"):
            render(SMALL, 3, tmp_path / "new" / name)
        assert saved and not saved[0].exists()
        assert list(tmp_path.iterdir()) == []  # the folder it made is gone too


# ----------------------------------------------------------------------------- command


@pytest.mark.slow
def test_command_writes_the_movie(tmp_path):
    done = run(["animate", "--days", "3", "out.gif"], tmp_path)
    assert done.returncode == 0, done.stderr
    with Image.open(tmp_path / "out.gif") as im:
        assert im.n_frames == 3
    assert "movie: out.gif" in done.stdout
    assert "frames: 3 PNGs in out_frames" in done.stdout
    assert "took " in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0", "out.gif"], "days: 0 is not allowed"),
        (["--days", "3", "out.txt"], "out.txt: the movie must be a .gif or .mp4 file"),
        (["--days", "3", "--view", "both", "out.gif"], "argument --view: invalid choice"),
    ],
)
def test_command_mistakes_exit_2_with_one_line(tmp_path, args, message):
    done = run(["animate", *args], tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("collabsim: error: ")
    assert message in done.stderr
    assert list(tmp_path.iterdir()) == []
