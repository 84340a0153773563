"""``collabsim animate``: the dashboard's network and plots as a movie for slides.

A trainer cannot run the live page in every room, so the same picture is exported: the
network (drawn as ``charts.network_option`` draws it on the page, at ``charts.layout``'s
places, in its colours) with a strip of time plots below it, one frame every ``every``
days, as PNG frames and one GIF or MP4. Drawn with Matplotlib's Agg canvas and no pyplot
(no global state: the dashboard's server may call ``render`` from a thread). The figure is
built once; each frame changes only its artists' colours and data, and is blitted: the
parts that do not change (axes, x axes, legend, subtitle) are rendered once and pasted
back, and only the changing artists are drawn over them.

Time a frame takes at 1280 x 720 (``_Frame.draw`` and ``_save_png`` timed over 60 days,
a frame a day; medians on a shared 2-core machine, so +-30 %; the day's simulation extra):

    network=england (247 providers, 1,024 aid links): ~75 ms (draw ~45, PNG ~30);
                     dividend view ~110 ms; without blitting (a full redraw) ~125 ms
    network=small   (5 providers, 6 aid links, named): ~80 ms (draw ~50, PNG ~30)

so a year of England a frame a day is about 30 s of drawing; all told (building,
simulating, the GIF's encoding at the end) ``collabsim animate`` took ~180 ms a frame
for England to a GIF and ~155 ms to an MP4 (ffmpeg encodes alongside, in its process).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from collabsim.core.state import KINDS
from collabsim.dashboard import charts
from collabsim.dashboard.frame import HIGH_LABEL, LOW_LABEL
from collabsim.dashboard.live import (
    HIGH_TRUST,
    LOW_TRUST,
    MEASURES,
    POLICIES,
    SCENARIOS,
    LiveSystem,
    Settings,
    TrustPair,
)
from collabsim.errors import ConfigError, OutputError

VIEWS = ("single", "dividend")
SUFFIXES = (".gif", ".mp4")
DEFAULT_NAME = "animation.gif"  # the movie's name when OUT is a folder
FIGSIZE, DPI = (12.8, 7.2), 100  # 1280 x 720: 16:9 for slides, both multiples of 16 (H.264)
MAX_FPS = 50  # a GIF cannot show frames faster than 20 ms apart
MARKERS = {"circle": "o", "rect": "s", "triangle": "^", "diamond": "D"}  # charts.SHAPES
LINK_GREY = "#555555"
LABELLED_UP_TO = 30  # providers named on the network when there are at most this many


# ----------------------------------------------------------------------------- drawing


class _Network:
    """One system's network on an axes: static places, links and markers; ``update``
    recolours them from the system's state now (the page's colours and thresholds)."""

    def __init__(self, ax: Any, system: LiveSystem, pos: np.ndarray, scale: float) -> None:
        self.ax = ax
        n = len(system.names)
        ax.set_axis_off()
        ax.set_aspect("equal")
        if n:
            lo, hi = pos.min(axis=0) - 0.05, pos.max(axis=0) + 0.05
            ax.set_xlim(lo[0], hi[0])
            ax.set_ylim(lo[1], hi[1])
        # each pair of providers once (as the page draws it): the larger of its flows
        src, dst = system.aid_src.astype(np.int64), system.aid_dst.astype(np.int64)
        key = np.minimum(src, dst) * max(n, 1) + np.maximum(src, dst)
        _, first, self.pair = np.unique(key, return_index=True, return_inverse=True)
        self.first = first  # the link whose trust shades the pair (both halves agree)
        self.pair = self.pair.ravel()
        segments = np.stack([pos[src[first]], pos[dst[first]]], axis=1) if first.size else []
        self.links = LineCollection(segments, linewidths=1.0, zorder=1, capstyle="round")
        self.flows = LineCollection(segments, linewidths=0.0, zorder=2, capstyle="round")
        ax.add_collection(self.links)
        ax.add_collection(self.flows)
        self.grey = np.tile(to_rgba(LINK_GREY), (first.size, 1))
        self.help, self.loan = to_rgba(charts.HELP, 0.9), to_rgba(charts.LOAN, 0.8)
        self.lines = np.zeros((first.size, 4))
        self.widths = np.zeros(first.size)
        # markers: one scatter a kind (a scatter has one marker shape)
        beds = system.capacity.astype(float)
        size = scale * (6 + 22 * np.sqrt(beds / max(float(beds.max()), 1.0))) if n else beds
        self.kinds: list[tuple[np.ndarray, Any]] = []
        for k, kind in enumerate(KINDS):
            members = np.flatnonzero(system.kinds == k)
            if members.size:
                marker = MARKERS[charts.SHAPES.get(kind, "circle")]
                dots = ax.scatter(pos[members, 0], pos[members, 1], s=size[members] ** 2,
                                  marker=marker, c=charts.LOW, edgecolors="white",
                                  linewidths=0.6, zorder=3)  # fmt: skip
                self.kinds.append((members, dots))
        labels = []
        if n <= LABELLED_UP_TO:
            for i, name in enumerate(system.names):
                labels.append(
                    ax.annotate(
                        name,
                        pos[i],
                        xytext=(0, -size[i] / 2 - 3),
                        textcoords="offset points",
                        ha="center",
                        va="top",
                        fontsize=8,
                        color="#333333",
                        zorder=4,
                        parse_math=False,
                    )
                )  # a name from a file: text
        self.title = ax.set_title("", fontsize=11)
        # drawn each frame, in this order (the labels too: links must not cross them)
        self.artists = [self.links, self.flows, *(d for _, d in self.kinds), *labels, self.title]

    def update(self, system: LiveSystem) -> None:
        colours = to_rgba_array([charts.pressure_colour(float(p)) for p in system.pressure()])
        for members, dots in self.kinds:
            dots.set_facecolor(colours[members])
        trust = system.trust_on_aid_links()[self.first]
        base = self.grey.copy()
        base[:, 3] = np.clip(0.08 + 0.6 * trust, 0.0, 1.0)
        self.links.set_color(base)
        helped = np.zeros(self.first.size, dtype=np.int64)
        lent = np.zeros(self.first.size, dtype=np.int64)
        np.maximum.at(helped, self.pair, system.helped_today)
        np.maximum.at(lent, self.pair, system.on_loan())
        self.lines[:] = 0.0  # transparent where nothing flows
        self.widths[:] = 0.0
        self.lines[lent > 0], self.widths[lent > 0] = self.loan, 2.0
        self.lines[helped > 0], self.widths[helped > 0] = self.help, 3.0  # help drawn over loans
        self.flows.set_color(self.lines)
        self.flows.set_linewidth(self.widths)


class _Plot:
    """A small time plot whose lines grow a day at a time; the x axis is the whole run
    from the start (so the plot does not jump), the y axis follows the data."""

    def __init__(self, ax: Any, title: str, days: int, lines: dict[str, tuple[str, str]],
                 fixed: tuple[float, float] | None = None) -> None:  # fmt: skip
        self.ax, self.fixed = ax, fixed
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_xlim(0.5, max(days, 1) + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3, linewidth=0.5)
        ax.set_xlabel("day", fontsize=8, labelpad=1)
        self.lines = {
            name: ax.plot([], [], color=colour, linewidth=1.6, label=label)[0]
            for name, (label, colour) in lines.items()
        }
        ax.set_ylim(*(fixed or (0.0, 1.0)))
        # drawn each frame: the y axis (its range follows the data), lines, legend over them
        self.artists = [ax.yaxis, *self.lines.values()]
        if len(lines) > 1:
            legend = ax.legend(fontsize=7, loc="upper left", framealpha=0.85, edgecolor="none")
            self.artists.append(legend)

    def update(self, day: np.ndarray, values: dict[str, np.ndarray]) -> None:
        for name, line in self.lines.items():
            line.set_data(day, values[name])
        if self.fixed:
            return
        data = np.concatenate([np.asarray(v, dtype=float) for v in values.values()])
        data = data[np.isfinite(data)]
        lo = min(0.0, float(data.min())) if data.size else 0.0
        hi = max(0.0, float(data.max())) if data.size else 1.0
        pad = 0.1 * (hi - lo) or 1.0
        self.ax.set_ylim(lo - (pad if lo < 0 else 0.0), hi + pad)


class _Frame:
    """The whole figure for one view: networks on top, time plots below, title and a
    legend; ``draw`` brings every artist up to the system's day and renders RGBA."""

    def __init__(self, system: LiveSystem | TrustPair, settings: Settings, days: int) -> None:
        self.system, self.days, self.settings = system, days, settings
        self.dividend = isinstance(system, TrustPair)
        fig = self.fig = Figure(figsize=FIGSIZE, dpi=DPI, facecolor="white")
        self.canvas = FigureCanvasAgg(fig)
        grid = fig.add_gridspec(2, 1, height_ratios=(3.1, 1), left=0.045, right=0.985,
                                top=0.875, bottom=0.07, hspace=0.22)  # fmt: skip
        one = system.low if isinstance(system, TrustPair) else system
        pos = charts.layout(one.model.graph)
        big = 1.0 if len(one.names) <= LABELLED_UP_TO else 0.5
        if isinstance(system, TrustPair):
            top = grid[0].subgridspec(1, 2, wspace=0.04)
            self.networks = [
                (_Network(fig.add_subplot(top[0]), system.low, pos, 0.8 * big), system.low),
                (_Network(fig.add_subplot(top[1]), system.high, pos, 0.8 * big), system.high),
            ]
        else:
            self.networks = [(_Network(fig.add_subplot(grid[0]), system, pos, big), system)]
        strip = grid[1].subgridspec(1, 3, wspace=0.22)
        axes = [fig.add_subplot(strip[i]) for i in range(3)]
        one_line = {"one": ("", charts.SERIES_COLOURS["one"])}
        two = {"low": (LOW_LABEL, charts.SERIES_COLOURS["low"]),
               "high": (HIGH_LABEL, charts.SERIES_COLOURS["high"])}  # fmt: skip
        lines = two if self.dividend else one_line
        self.plots = [
            _Plot(axes[0], MEASURES["mean_wait_hours"], days, lines),
            _Plot(axes[1], MEASURES["waits_12h"], days, lines),
        ]
        if self.dividend:
            saved = {"dividend": ("", charts.SERIES_COLOURS["dividend"])}
            title = "12-hour waits avoided by high trust (running total)"
            self.plots.append(_Plot(axes[2], title, days, saved))
            zero = axes[2].axhline(0.0, color="#999999", linewidth=0.8)
            self.plots[2].artists.insert(1, zero)  # moves with the y axis: drawn each frame
        else:
            self.plots.append(_Plot(axes[2], MEASURES["mean_trust"], days, lines, (0.0, 1.0)))
        self.title = fig.text(0.012, 0.965, "", fontsize=17, weight="bold", va="center")
        fig.text(0.012, 0.925, _subtitle(settings, self.dividend), fontsize=10,
                 color="#444444", va="center")  # fmt: skip
        fig.legend(handles=_legend(one), loc="center right", bbox_to_anchor=(0.995, 0.925),
                   ncol=5, fontsize=8, frameon=False, handlelength=1.6,
                   columnspacing=1.0)  # fmt: skip
        # Blitting: what changes is marked animated, so a full draw renders only the rest
        # (axes, the x axes, legends, the subtitle) once; each frame pastes that back and
        # draws the changing artists over it (about half the time of a full draw).
        self.artists = [a for network, _ in self.networks for a in network.artists]
        self.artists += [a for plot in self.plots for a in plot.artists] + [self.title]
        for artist in self.artists:
            artist.set_animated(True)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(fig.bbox)

    def draw(self) -> np.ndarray:
        """Bring the figure to the system's day; the frame as (height, width, 4) uint8."""
        system = self.system
        for network, one in self.networks:
            network.update(one)
        day = system.day
        if isinstance(system, TrustPair):
            lo, hi = system.low.series(), system.high.series()
            dividend = system.dividend_series()
            self.plots[0].update(lo["day"], {"low": lo["mean_wait_hours"],
                                             "high": hi["mean_wait_hours"]})  # fmt: skip
            self.plots[1].update(lo["day"], {"low": lo["waits_12h"], "high": hi["waits_12h"]})
            self.plots[2].update(dividend["day"], {"dividend": dividend["waits_12h"]})
            for (network, one), trust in zip(self.networks, (LOW_TRUST, HIGH_TRUST), strict=True):
                which = "low" if trust == LOW_TRUST else "high"
                network.title.set_text(f"{which} trust ({trust:g}) - 12-hour waits so far: "
                                       f"{one.waits_12h_total:,}")  # fmt: skip
            saved = int(system.dividend()["waits_12h"])
            said = (f"12-hour waits avoided by high trust: {saved:,}" if saved >= 0
                    else f"12-hour waits added by high trust: {-saved:,}")  # fmt: skip
            self.title.set_text(f"Day {day} of {self.days} - {said}")
        else:
            s = system.series()
            self.plots[0].update(s["day"], {"one": s["mean_wait_hours"]})
            self.plots[1].update(s["day"], {"one": s["waits_12h"]})
            self.plots[2].update(s["day"], {"one": s["mean_trust"]})
            self.title.set_text(f"Day {day} of {self.days} - "
                                f"12-hour waits so far: {system.waits_12h_total:,}")  # fmt: skip
        self.canvas.restore_region(self.background)
        for artist in self.artists:
            self.fig.draw_artist(artist)
        return np.array(self.canvas.buffer_rgba())  # a copy: the canvas is reused


def _subtitle(settings: Settings, dividend: bool) -> str:
    net = "your network" if settings.network == "files" else f"{settings.network} network"
    trust = "" if dividend or settings.trust is None else f", trust {settings.trust:g}"
    return (f"{net}, policy {settings.policy}, scenario {settings.scenario}{trust}, "
            f"seed {settings.seed}")  # fmt: skip


def _legend(system: LiveSystem) -> list[Line2D]:
    """What the colours and shapes mean: the page's tooltips, for a slide."""

    def dot(colour: str, label: str, marker: str = "o") -> Line2D:
        return Line2D([], [], linestyle="", marker=marker, markersize=7, markerfacecolor=colour,
                      markeredgecolor="white", label=label)  # fmt: skip

    handles = [dot(charts.LOW, "pressure < 92%"), dot(charts.MID, "92-100%"),
               dot(charts.HIGH, "over 100%"),
               Line2D([], [], color=charts.HELP, linewidth=3, label="help started that day"),
               Line2D([], [], color=charts.LOAN, linewidth=2, label="beds on loan"),
               Line2D([], [], color=LINK_GREY, linewidth=1, alpha=0.6,
                      label="aid link (darker: more trust)")]  # fmt: skip
    for k in sorted(set(np.asarray(system.kinds).tolist())):
        kind = KINDS[k]
        marker = MARKERS[charts.SHAPES.get(kind, "circle")]
        handles.append(dot("#bbbbbb", kind.replace("_", " "), marker))
    return handles


# ----------------------------------------------------------------------------- writing


class _Output:
    """Where a render writes, made so that nothing is half-written: frames go to a hidden
    folder and the movie to a hidden name beside their targets, renamed at the end; on
    failure both are removed, as are the folders this made."""

    def __init__(self, out: Path) -> None:
        out = Path(out)
        if out.is_dir() or not out.suffix:
            self.movie, self.frames = out / DEFAULT_NAME, out / "frames"
        else:
            self.movie, self.frames = out, out.parent / f"{out.stem}_frames"
        self.suffix = self.movie.suffix.lower()
        if self.suffix not in SUFFIXES:
            raise ConfigError(f"{out}: the movie must be a .gif or .mp4 file, or a folder")
        self.made: list[Path] = []
        self.tmp_movie: Path | None = None
        self.tmp_frames: Path | None = None

    def open(self) -> None:
        """Make the folders and the hidden names (so an unwritable place fails first)."""
        parent = self.movie.parent
        missing = [p for p in (parent, *parent.parents) if not p.exists()]
        for folder in reversed(missing):
            folder.mkdir()
            self.made.append(folder)
        tag = f"{os.getpid()}.{uuid.uuid4().hex[:8]}"
        self.tmp_frames = self.frames.parent / f".{self.frames.name}.{tag}.partial"
        self.tmp_frames.mkdir()
        # the suffix kept last: ffmpeg picks the container by it
        self.tmp_movie = parent / f".{self.movie.stem}.{tag}.partial{self.movie.suffix}"
        self.tmp_movie.open("xb").close()

    def frame_path(self, number: int) -> Path:
        assert self.tmp_frames is not None
        return self.tmp_frames / f"frame_{number:04d}.png"

    def commit(self) -> list[Path]:
        """Move the frames and the movie into place; returns the frames' paths."""
        assert self.tmp_frames is not None and self.tmp_movie is not None
        names = sorted(p.name for p in self.tmp_frames.iterdir())
        if self.frames.is_dir():  # an earlier render's frames: replaced, not mixed in
            for old in self.frames.glob("frame_*.png"):
                old.unlink()
            for name in names:
                os.replace(self.tmp_frames / name, self.frames / name)
            self.tmp_frames.rmdir()
        else:
            os.replace(self.tmp_frames, self.frames)
        self.tmp_frames = None
        os.replace(self.tmp_movie, self.movie)
        self.tmp_movie = None
        self.made = []  # they hold the results now
        return [self.frames / name for name in names]

    def discard(self) -> None:
        if self.tmp_frames is not None:
            shutil.rmtree(self.tmp_frames, ignore_errors=True)
        if self.tmp_movie is not None:
            self.tmp_movie.unlink(missing_ok=True)
        for folder in reversed(self.made):
            with contextlib.suppress(OSError):  # not empty: someone else's now
                folder.rmdir()


def _save_png(rgba: np.ndarray, path: Path) -> None:
    from PIL import Image

    # level 3: a third the time of the default 6 for a few per cent more bytes
    Image.fromarray(rgba[..., :3]).save(path, format="PNG", compress_level=3)


def _write_gif(frames: Sequence[Path], path: Path, fps: int) -> None:
    """One looping GIF from the PNG frames, read back one at a time. Pillow still keeps
    every frame (8-bit, ~1.1 MB each at 1280 x 720, measured: a year a day is ~400 MB and
    a ~30 MB file for England), so for long runs an MP4, which streams, or ``every``."""
    from PIL import Image

    def rest() -> Iterator[Image.Image]:
        for f in frames[1:]:
            with Image.open(f) as im:
                yield im.convert("RGB")

    with Image.open(frames[0]) as first:
        first.convert("RGB").save(path, format="GIF", save_all=True, append_images=rest(),
                                  duration=round(1000 / fps), loop=0, optimize=False)  # fmt: skip


def _mp4_writer(path: Path, fps: int) -> Any:
    """ffmpeg (the ``imageio-ffmpeg`` package's) fed RGBA frames through a pipe: H.264 in
    yuv420p, which slide software and browsers play; moov first, to start at once."""
    import imageio_ffmpeg

    size = (int(FIGSIZE[0] * DPI), int(FIGSIZE[1] * DPI))
    writer = imageio_ffmpeg.write_frames(
        str(path), size, pix_fmt_in="rgba", fps=fps, codec="libx264", quality=None,
        output_params=["-crf", "18", "-movflags", "+faststart"], ffmpeg_log_level="error",
    )  # fmt: skip
    writer.send(None)  # start ffmpeg
    return writer


def _frame_days(days: int, every: int) -> list[int]:
    """The days drawn: every ``every`` days, and always the last."""
    drawn = list(range(every, days + 1, every))
    if not drawn or drawn[-1] != days:
        drawn.append(days)
    return drawn


def render(
    settings: Settings,
    days: int,
    out: Path,
    view: str = "single",
    every: int = 1,
    fps: int = 8,
) -> dict[str, Path | list[Path]]:
    """Run ``days`` days and write a frame every ``every`` days and the movie ``out``
    (.gif or .mp4 by its suffix; a folder: ``out/animation.gif``). Frames go to
    ``out/frames`` for a folder, ``<stem>_frames`` beside a movie file. Returns
    ``{"movie": path, "frames": [paths]}``. Mistakes are ConfigError, an unwritable
    place OutputError; in either case nothing is left behind."""
    if isinstance(days, bool) or not isinstance(days, int | np.integer) or days <= 0:
        raise ConfigError(f"days: {days!r} is not allowed; expected a whole number > 0")
    if isinstance(every, bool) or not isinstance(every, int | np.integer) or every <= 0:
        raise ConfigError(f"every: {every!r} is not allowed; expected a whole number > 0")
    if isinstance(fps, bool) or not isinstance(fps, int | np.integer) or not 0 < fps <= MAX_FPS:
        raise ConfigError(f"fps: {fps!r} is not allowed; expected a whole number in [1, {MAX_FPS}]")
    if view not in VIEWS:
        raise ConfigError(f"view: {view!r} is not one of {', '.join(VIEWS)}")
    output = _Output(Path(out))
    settings = replace(settings, days=int(days))
    system = TrustPair(settings) if view == "dividend" else LiveSystem(settings)
    frame = _Frame(system, settings, int(days))
    mp4 = None
    try:
        output.open()
        if output.suffix == ".mp4":
            assert output.tmp_movie is not None
            mp4 = _mp4_writer(output.tmp_movie, int(fps))
        written: list[Path] = []
        for number, day in enumerate(_frame_days(int(days), int(every)), start=1):
            if system.advance(day - system.day) == 0 and number > 1:
                break  # the run is over (it is not: sim.days is ``days``; a guard)
            rgba = frame.draw()
            path = output.frame_path(number)
            _save_png(rgba, path)
            written.append(path)
            if mp4 is not None:
                mp4.send(rgba)  # contiguous: written to the pipe as it is
        if mp4 is not None:
            mp4.close()  # waits for ffmpeg to finish the file
            mp4 = None
        else:
            assert output.tmp_movie is not None
            _write_gif(written, output.tmp_movie, int(fps))
        frames = output.commit()
    except OSError as exc:  # named by the movie: the hidden names mean nothing to a user
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = exc.strerror or (lines[0] if lines else type(exc).__name__)  # not ffmpeg's log
        raise OutputError(f"{output.movie} not written: {reason}") from None
    finally:
        if mp4 is not None:
            mp4.close()
        output.discard()
    return {"movie": output.movie, "frames": frames}


# ----------------------------------------------------------------------------- plots


def plots_png(
    series: dict[str, np.ndarray],
    title: str = "",
    compare: dict[str, np.ndarray] | None = None,
    labels: tuple[str, str] = (LOW_LABEL, HIGH_LABEL),
) -> bytes:
    """Every per-day measure (``live.MEASURES``) as small multiples in one PNG, the page's
    "download the plots"; with ``compare``, a second system's lines over the first's
    (``labels``: the first's and the second's names, low and high trust by default)."""
    fig = Figure(figsize=(13, 6), dpi=100, facecolor="white", layout="constrained")
    axes = fig.subplots(2, 4).ravel()
    systems = [(series, labels[0], charts.SERIES_COLOURS["low"])]
    if compare is not None:
        systems.append((compare, labels[1], charts.SERIES_COLOURS["high"]))
    else:
        systems = [(series, "", charts.SERIES_COLOURS["one"])]
    for ax, (name, label) in zip(axes, MEASURES.items(), strict=False):
        ax.set_title(label, fontsize=10, loc="left")
        ax.grid(alpha=0.3, linewidth=0.5)
        ax.tick_params(labelsize=8)
        ax.set_xlabel("day", fontsize=8)
        for data, who, colour in systems:
            values = np.asarray(data.get(name, ()), dtype=float)
            day = np.asarray(data.get("day", np.arange(1, values.size + 1)))[: values.size]
            ax.plot(day, values, color=colour, linewidth=1.5, label=who or None)
    if compare is not None:
        axes[0].legend(fontsize=8, frameon=False)
    if title:
        fig.suptitle(title, fontsize=13)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


# ----------------------------------------------------------------------------- command


def main(args: Sequence[str]) -> None:
    """``collabsim animate [OPTIONS] OUT``."""
    from collabsim.commands import _Parser

    parser = _Parser(
        prog="collabsim animate",
        description="The dashboard's network and plots as a movie for slides: a frame every "
        "EVERY days as PNGs and one GIF or MP4 (by OUT's suffix; a folder: animation.gif).",
    )
    parser.add_argument("--network", choices=("small", "england"), default="small")
    parser.add_argument("--policy", choices=POLICIES, default="trust_gated")
    parser.add_argument(
        "--trust",
        type=float,
        default=None,
        metavar="T",
        help="initial trust on every link, 0-1 (the single view; default: the scenario's)",
    )
    parser.add_argument("--scenario", choices=SCENARIOS, default="baseline")
    parser.add_argument("--days", type=int, default=90, metavar="N",
                        help="days simulated (default 90)")  # fmt: skip
    parser.add_argument("--every", type=int, default=1, metavar="K",
                        help="a frame every K days (default 1)")  # fmt: skip
    parser.add_argument("--view", choices=VIEWS, default="single",
                        help=f"dividend: the same system at trust {LOW_TRUST:g} and "
                        f"{HIGH_TRUST:g} side by side")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument("--fps", type=int, default=8, metavar="F",
                        help="frames a second (default 8)")  # fmt: skip
    parser.add_argument("out", metavar="OUT", help="a .gif or .mp4 file, or a folder")
    ns = parser.parse_args(list(args))
    if ns.trust is not None and ns.view == "dividend":
        raise ConfigError(
            f"--trust: the dividend view runs trust {LOW_TRUST:g} and "
            f"{HIGH_TRUST:g} itself; leave --trust out"
        )
    settings = Settings(network=ns.network, policy=ns.policy, trust=ns.trust,
                        scenario=ns.scenario, seed=ns.seed)  # fmt: skip
    started = time.perf_counter()
    paths = render(settings, ns.days, Path(ns.out), view=ns.view, every=ns.every, fps=ns.fps)
    elapsed = time.perf_counter() - started
    frames = paths["frames"]
    assert isinstance(frames, list)
    print(f"movie: {paths['movie']}")
    print(f"frames: {len(frames)} PNGs in {frames[0].parent}")
    print(f"took {elapsed:.1f} s (building, simulating, drawing and encoding)")
