"""The report page: HTML and CSS around the analysis and the figures, written atomically."""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from collabsim.collect import ResultsError
from collabsim.report import analysis, figures

STYLE = """\
body{font-family:Arial,Helvetica,sans-serif;max-width:1100px;margin:2em auto;
color:#212b32}
h1{color:#005EB8}table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
td,th{border:1px solid #d8dde0;padding:4px 8px;text-align:right}
th{background:#f0f4f5}td.what{text-align:left;font-weight:bold}img{max-width:100%}
table.inputs th,table.inputs td{text-align:left}
div.summary{border-left:6px solid #005EB8;padding:0.2em 1em;background:#f0f4f5;
font-size:1.1em}p.prompt{background:#fff9c4;padding:0.5em}
p.note{color:#4c6272;font-size:0.9em}
@media print{body{margin:0;max-width:none}img,table{page-break-inside:avoid}
h2{page-break-after:avoid}}"""


def _fmt(value: float, scale: float, fmt: str) -> str:
    return "n/a" if value is None or not math.isfinite(value) else fmt.format(value * scale)


def interval_text(
    iv: Any, scale: float, fmt: str, floor: float = -math.inf, ceiling: float = math.inf
) -> str:
    """``mean (low to high)``; an interval is cut at ``floor`` and ``ceiling`` (0 for
    quantities that cannot be negative, 1 for shares: the cut interval still covers the
    mean at least as often)."""
    if iv.n < 2 or not math.isfinite(iv.se) or iv.se == 0:
        return _fmt(iv.mean, scale, fmt)
    low, high = max(iv.low, floor), min(iv.high, ceiling)
    return f"{_fmt(iv.mean, scale, fmt)} ({_fmt(low, scale, fmt)} to {_fmt(high, scale, fmt)})"


def _img(alt: str, png: str) -> str:
    return f"<img alt='{alt}' src='data:image/png;base64,{png}'>"


REGIONAL = frozenset({"wait_gini_regions", "worst_region_wait_days"})  # need 2+ regions


def headline_table(rows: list[tuple[str, int, list[Any]]], regions: int = 2) -> str:
    """The reported measures of each what-if: means with 95 % intervals, one table per
    group of measures (``Display.table``: waits and beds, then mutual aid and trust).
    Measures between regions are left out of a system of one region (they mean nothing
    there)."""
    tables = list(dict.fromkeys(m.report.table for m in analysis.REPORTED))
    out = []
    for table in tables:
        shown = [k for k, m in enumerate(analysis.REPORTED) if m.report.table == table
                 and (regions > 1 or m.name not in REGIONAL)]  # fmt: skip
        head = "".join(f"<th>{html.escape(analysis.REPORTED[k].report.label)}</th>"
                       for k in shown)  # fmt: skip
        body = []
        for lab, runs, intervals in rows:
            cells = [f"<td class='what'>{html.escape(lab)}</td><td>{runs}</td>"]
            for k in shown:
                d, iv = analysis.REPORTED[k].report, intervals[k]
                top = 1.0 if analysis.REPORTED[k].unit == "share" else math.inf
                text = interval_text(iv, d.scale, d.fmt, 0.0, top) if iv else "n/a"
                cells.append(f"<td>{text}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        out.append(f"<h3>{html.escape(table)}</h3><table><tr><th>What if</th><th>Runs</th>"
                   f"{head}</tr>{''.join(body)}</table>")  # fmt: skip
    return "".join(out)


def sentence(label: str, baseline: str, iv: Any, kind: str) -> str:
    """One plain-English sentence on how waits under ``label`` compare with the baseline."""
    what, base = f"<b>{html.escape(label)}</b>", html.escape(baseline)
    hours = iv.mean * 24
    pairing = ("Compared on the same patients (same seeds)." if kind == "paired"
               else "Compared on different seeds.")  # fmt: skip
    if iv.n < 2 or not math.isfinite(iv.low):
        word = "less" if hours < 0 else "longer"
        return (f"With {what}, patients waited on average {abs(hours):.2f} hours {word} for a "
                f"bed than with {base} (too few runs for a confidence interval).")  # fmt: skip
    lo, hi = iv.low * 24, iv.high * 24
    if hi < 0:
        return (f"With {what}, patients waited on average <b>{abs(hours):.2f} hours less</b> "
                f"for a bed than with {base} (95 % confidence: between {abs(hi):.2f} and "
                f"{abs(lo):.2f} hours less). {pairing}")  # fmt: skip
    if lo > 0:
        return (f"With {what}, patients waited on average <b>{hours:.2f} hours longer</b> "
                f"for a bed than with {base} (95 % confidence: between {lo:.2f} and "
                f"{hi:.2f} hours longer). {pairing}")  # fmt: skip
    return (f"With {what}, average waits for a bed were <b>about the same</b> as with {base}: "
            f"the difference, {hours:+.2f} hours (95 % confidence: {lo:+.2f} to {hi:+.2f}), "
            f"could be chance. {pairing}")  # fmt: skip


SENTENCES = 5  # what-ifs told in words; the rest in the forest plot and the table


def differences(runs: pd.DataFrame, labels: list[str], base: str) -> tuple[str, str]:
    """Sentences and a table: each what-if's change in wait and in cost of aid."""
    diffs = analysis.compare(runs, labels, base, "mean_wait_days")
    costs = analysis.compare(runs, labels, base, "aid_cost")
    # many what-ifs: a sentence for the largest changes only (the figure and table hold all)
    order = sorted(diffs, key=lambda lab: -abs(diffs[lab][0].mean))
    told = order[:SENTENCES]
    sentences = [sentence(lab, base, *diffs[lab]) for lab in told]
    if len(order) > len(told):
        sentences.append(
            f"The other {len(order) - len(told)} what-if(s) changed waits less; every one is "
            "in the figure and the table below."
        )
    diff_rows = "".join(
        f"<tr><td class='what'>{html.escape(lab)}</td>"
        f"<td>{interval_text(iv, 24.0, '{:+.2f}')}</td>"
        f"<td>{interval_text(costs[lab][0], 1.0, '{:+,.0f}')}</td><td>{kind}</td></tr>"
        for lab, (iv, kind) in diffs.items()
    )
    diff_table = (
        "<table><tr><th>What if</th><th>Change in mean wait (hours)</th>"
        "<th>Change in cost of aid (GBP)</th><th>Compared</th></tr>" + diff_rows + "</table>"
        if diffs else "<p>There is only one what-if here, so nothing to compare.</p>"
    )  # fmt: skip
    return "".join(f"<p>{s}</p>" for s in sentences), diff_table


def dividend_section(runs: pd.DataFrame, keys: list[str], folder: Path) -> str:
    """The trust dividend where the sweep varies trust, else how to get one."""
    dividend = analysis.trust_dividends(runs, keys)
    if dividend is None:
        return ("<p>This comparison does not vary trust, so it cannot show the trust "
                "dividend. Run <code>collabsim -m experiment=trust_dividend</code> (or "
                "sweep <code>trust.initial</code>) and report on that.</p>")  # fmt: skip
    table, key = dividend
    img = figures.dividend_chart(table, key, folder / "trust_dividend.png")
    on = ""
    if analysis.CHANNELS_KEY in keys:
        on = (" With every channel of trust on (or the fewest off that the sweep has); "
              "what each channel contributes is below.")  # fmt: skip
    rows = "".join(
        f"<tr><td class='what'>{html.escape(r.what_if)}</td>"
        f"<td>{html.escape(str(r.low))} to {html.escape(str(r.high))}</td>"
        f"<td>{interval_text(r.wait, 24.0, '{:+.2f}')}</td>"
        f"<td>{interval_text(r.cost, 1.0, '{:+,.0f}')}</td></tr>"
        for r in table.itertuples()
    )
    return (
        f"<p>Hours of waiting and pounds of aid cost saved, on average per patient and per "
        f"year, by moving <code>{html.escape(key)}</code> from its low to its high value, "
        f"on the same patients (same seeds). Positive numbers: trust saves.{on}</p>"
        "<table><tr><th>Where</th><th>From, to</th><th>Wait saved (hours)</th>"
        f"<th>Cost saved (GBP)</th></tr>{rows}</table>"
        f"{_img('trust dividend', img)}"
    )


# The columns of the channel table: measure -> (heading, format).
CHANNEL_COLUMNS = {
    "mean_wait_hours": ("Mean acute wait saved (hours)", "{:+.2f}"),
    "waits_12h_per_quarter": ("12-hour waits saved a quarter", "{:+,.0f}"),
    "harm_events": ("Patients harmed saved", "{:+,.0f}"),
    "aid_cost": ("Cost of aid saved (GBP)", "{:+,.0f}"),
}


def part_label(part: str, channel: str) -> str:
    """A row of the channel table in words."""
    names = channel.replace("+", ", ")
    return {
        "total": f"Dividend with {names} off" if channel else "Dividend, every channel on",
        "channel": f"through {names}",
        "together": f"through {names} together",
        "all_off": "Dividend with every channel off",
        "interaction": "interaction (the rest)",
    }.get(part, part)


def channel_sentence(what_if: str, rows: pd.DataFrame) -> str:
    """One sentence a trainer can say: where the wait trust saves comes from."""
    total = rows[rows["part"] == "total"].iloc[0]["mean_wait_hours"]
    where = f"<b>{html.escape(what_if)}</b>"
    lead = (f"With {where}, the trust dividend in the mean acute wait is "
            f"{interval_text(total, 1.0, '{:+.2f}')} hours")  # fmt: skip
    channels = rows[rows["part"] == "channel"]
    clear = [(r.channel, r.mean_wait_hours) for r in channels.itertuples()
             if r.mean_wait_hours.n >= 2 and (r.mean_wait_hours.low > 0
                                               or r.mean_wait_hours.high < 0)]  # fmt: skip
    if not clear:
        return f"{lead}; no single channel's part can be told from chance."
    name, iv = max(clear, key=lambda c: abs(c[1].mean))
    return (f"{lead}; the largest part comes through <b>{html.escape(name)}</b>: "
            f"{interval_text(iv, 1.0, '{:+.2f}')} hours.")  # fmt: skip


def channel_section(runs: pd.DataFrame, keys: list[str], folder: Path) -> str:
    """The dividend split by channel where the sweep switches channels off, else ''."""
    found = analysis.channel_dividends(runs, keys)
    if found is None:
        return ""
    table, key, measures = found
    shown = [m for m in measures if m in CHANNEL_COLUMNS]
    head = "".join(f"<th>{html.escape(CHANNEL_COLUMNS[m][0])}</th>" for m in shown)
    body, sentences = [], []
    for what_if, rows in table.groupby("what_if", sort=False):
        if "mean_wait_hours" in shown:
            sentences.append(f"<p>{channel_sentence(str(what_if), rows)}</p>")
        for r in rows.itertuples():
            cells = "".join(
                f"<td>{interval_text(getattr(r, m), 1.0, CHANNEL_COLUMNS[m][1])}</td>"
                for m in shown
            )
            body.append(f"<tr><td class='what'>{html.escape(str(what_if))}</td>"
                        f"<td class='what'>{html.escape(part_label(r.part, r.channel))}</td>"
                        f"<td>{r.n}</td>{cells}</tr>")  # fmt: skip
    img = ""
    if "mean_wait_hours" in shown:
        img = _img("trust dividend by channel",
                   figures.channel_chart(table, "mean_wait_hours", key,
                                         folder / "trust_channels.png"))  # fmt: skip
    return (
        "<h3>Why trust pays: the dividend by channel</h3>"
        "<p>Trust acts through four channels: <b>offering</b> (a helper offers a partner more "
        "the more it trusts it), <b>telling</b> (a provider asks a partner or coordinator "
        "earlier, and reports more, the more it trusts it), <b>haggling</b> (help is "
        "arranged sooner and cheaper between partners who trust each other) and "
        "<b>memory</b> (a relationship settles where its trust has been). A channel's part "
        "is the dividend with every channel on less the dividend with that channel switched "
        f"off (acting as at neutral trust), moving <code>{html.escape(key)}</code> from its "
        "low to its high value on the same patients (same seeds); the interaction is what "
        "the parts leave of the whole. Positive numbers: trust saves.</p>"
        + "".join(sentences)
        + f"<table><tr><th>Where</th><th>Part</th><th>Paired seeds</th>{head}</tr>"
        + "".join(body)
        + f"</table>{img}"
    )


TEMPLATE = Path(__file__).with_name("templates") / "report.html.j2"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _table(frame: pd.DataFrame) -> Markup:
    """A DataFrame as an HTML table, every cell escaped (whole numbers without decimals)."""
    return Markup(
        frame.to_html(index=False, escape=True, border=0, na_rep="n/a", float_format=_number)
    )


def make_report(
    directory: str | Path,
    baseline: str | None = None,
    out: str | Path | None = None,
    template: str | Path | None = None,
    bed_day_cost: float | None = None,
) -> Path:
    """Write the report (and its figures, and its tables as CSV) for the runs under
    ``directory``, from ``template`` (a Jinja2 file; default: collabsim's own)."""
    from jinja2 import FileSystemLoader, TemplateError, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    from collabsim.report import board

    template_path = Path(template) if template else TEMPLATE
    if not template_path.is_file():
        raise ResultsError(f"--template {template_path}: no such file")
    runs, dirs, root = analysis.load_runs(directory)
    keys = analysis.factors(runs)
    runs["_label"] = analysis.label_rows(runs, keys)
    labels = analysis.order_labels(list(dict.fromkeys(runs["_label"])), baseline)
    base = labels[0]
    out_path = Path(out) if out else root / "report.html"
    folder = out_path.parent / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    tables_folder = out_path.parent / "tables"
    tables_folder.mkdir(parents=True, exist_ok=True)
    warmup = float(runs["sim.warmup_days"].iloc[0]) if "sim.warmup_days" in runs else 0.0

    sentences, diff_table = differences(runs, labels, base)
    forest = None
    if len(labels) > 2:  # every what-if against the baseline, at a glance
        diffs = analysis.compare(runs, labels, base, "mean_wait_hours")
        forest = figures.forest_plot(diffs, base, folder / "against_baseline.png")
    images = []
    series = analysis.read_series(dirs, runs)
    start = runs.get("demand.start_day_of_year")
    start_doy = float(start.iloc[0]) if start is not None and start.nunique() == 1 else None
    if not series.empty:
        images.append(("How long patients waited for a bed, over time",
                       figures.band_plot(series, labels, "wait_hours",
                                         "mean wait (hours, 7-day mean)",
                                         "Waits by what-if: mean of runs, 95 % band", warmup,
                                         folder / "waits.png",
                                         start_day_of_year=start_doy)))  # fmt: skip
        images.append(("Trust between partners, over time",
                       figures.band_plot(series, labels, "mean_trust", "mean trust (0-1)",
                                         "Trust by what-if: mean of runs, 95 % band", warmup,
                                         folder / "trust.png", ceiling=1.0,
                                         start_day_of_year=start_doy)))  # fmt: skip
    base_dir = Path(runs.loc[runs["_label"] == base, "_dir"].iloc[0])
    map_img = figures.network_map(base_dir, f"How full each provider was ({base})",
                                  folder / "network.png")  # fmt: skip

    if bed_day_cost is not None and not (0 <= bed_day_cost < 1e7):
        raise ResultsError(f"--bed-day-cost: {bed_day_cost:g} is not a cost in GBP (0 to 1e7)")
    affected = board.affected(runs, labels, bed_day_cost)
    asked = board.requests(runs, labels)
    by_provider = board.providers(runs, labels)
    _csv(affected, tables_folder / "patients_affected.csv")
    _csv(asked, tables_folder / "requests.csv")
    for k, (lab, table) in enumerate(by_provider.items()):
        _csv(table.assign(what_if=lab), tables_folder / f"providers_{k}.csv")
    policies = sorted({str(p) for p in runs.get("policy", pd.Series(dtype=str)).unique()})
    # sandboxed: a template someone sends a trust is a page, not a program (it cannot reach
    # Python's internals to run commands)
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(template_path.parent)),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    try:
        page = env.get_template(template_path.name).render(
            system=str(runs["network"].iloc[0]),
            style=Markup(STYLE),
            summary=board.executive(runs, labels, base),
            needs_baseline=board.needs_baseline(labels),
            baseline=base,
            policies=",".join(policies),
            inputs=board.inputs(runs, dirs),
            limitations=board.LIMITATIONS,
            affected=_table(affected),
            headline=Markup(headline_table(analysis.headline(runs, labels), board.regions(dirs))),
            sentences=Markup(sentences),
            differences=Markup(diff_table),
            forest=forest,
            requests=_table(asked),
            providers=[(lab, _table(t)) for lab, t in by_provider.items()],
            images=images,
            dividend=Markup(
                dividend_section(runs, keys, folder) + channel_section(runs, keys, folder)
            ),
            map=map_img,
            root=str(root),
            tables_folder=str(tables_folder),
        )
    except TemplateError as exc:
        raise ResultsError(f"--template {template_path}: {exc}") from None
    tmp = out_path.with_name(f".{out_path.name}.tmp")
    try:
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(out_path)
    except BaseException:  # a full disk, say: no half-written page left behind
        tmp.unlink(missing_ok=True)
        raise
    return out_path


def _csv(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        frame.to_csv(tmp, index=False)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
