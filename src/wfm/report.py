"""Plots and a self-contained HTML report for a planning run.

Every plot function takes the library's frames (column names are arguments with the
library's defaults) and returns a matplotlib ``Figure``. matplotlib is the optional extra
``plot``; without it the functions raise :class:`~wfm.core.errors.MissingDependencyError`
naming ``pip install 'openwfm[plot]'``.

:func:`html_report` assembles sections (text, figures embedded as base64 PNG, tables) into
one HTML file with no external resources, so it can be mailed or archived as is.
:func:`plan_report` builds the standard report of a planning run from its output tables
and summary (what ``wfm run`` writes), so the same report can be rebuilt from an output
folder (:func:`write_folder_report`, ``wfm report OUT``).

Tables are formatted by the kind of each column, read from its name: counts as integers,
hours to one decimal, rates (service level, adherence, WAPE, shares) as percentages,
seconds as whole seconds, timestamps as local weekday, date and time.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wfm.core.errors import InputError, missing_extra
from wfm.core.frames import (
    INTERVAL_START,
    QUEUE,
    REQUIRED_AGENTS,
    SEGMENT_END,
    SEGMENT_KEY_COLUMNS,
    SEGMENT_START,
    VOLUME,
    infer_interval_minutes,
    require_columns,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

ACTIVITY_COLOURS = {
    "work": "#4c9f70",
    "break": "#f2c14e",
    "lunch": "#f78154",
    "meeting": "#5d5c61",
    "training": "#7b6d8d",
    "off": "#dddddd",
}
NO_DEMAND_COLOUR = "#d9d9d9"
"""Heatmap colour of intervals without forecast demand (nothing to serve)."""
CLOSED_COLOUR = "#8c8c8c"
"""Heatmap colour of intervals outside opening hours."""
UNSERVED_COLOUR = "#3b0a45"
"""Heatmap colour of intervals with demand but no agent on the phones."""
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def literal_text(text: str) -> str:
    r"""Escape ``text`` so matplotlib draws it as written (no mathtext between ``$`` signs).

    Examples
    --------
    >>> literal_text("Ann $5 $6")
    'Ann \\$5 \\$6'
    """
    return str(text).replace("$", r"\$")


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise missing_extra("matplotlib", "plot", "plotting") from exc
    return plt


def _subplots(width: float, height: float) -> tuple[Figure, Axes]:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(width, height))
    return figure, axes


def _local_wall_clock(stamps: pd.Index | pd.Series) -> pd.DatetimeIndex:
    """Aware timestamps as naive local wall-clock times (what a planner reads)."""
    index = pd.DatetimeIndex(stamps)
    return index.tz_localize(None) if index.tz is not None else index


def _weekday_time_axis(axes: Axes, *, span_days: float) -> None:
    """Label a time axis with weekday and date (and hours on short spans)."""
    import matplotlib.dates as mdates

    dates: Any = mdates  # matplotlib.dates is untyped
    if span_days <= 1.5:
        axes.xaxis.set_major_locator(dates.HourLocator(byhour=range(0, 24, 2)))
        axes.xaxis.set_major_formatter(dates.DateFormatter("%H:%M"))
    else:
        axes.xaxis.set_major_locator(dates.DayLocator())
        axes.xaxis.set_major_formatter(dates.DateFormatter("%a %d %b"))
        if span_days <= 10:
            axes.xaxis.set_minor_locator(dates.HourLocator(byhour=[6, 12, 18]))
    axes.grid(True, which="major", axis="x", color="#cccccc", lw=0.6)


def _span_days(index: pd.DatetimeIndex) -> float:
    if len(index) < 2:
        return 1.0
    return float((index.max() - index.min()) / pd.Timedelta(days=1))


def plot_forecast(
    forecast: pd.DataFrame,
    actual: pd.DataFrame | None = None,
    *,
    value_column: str = "volume",
    levels: Sequence[int] = (80, 95),
    title: str = "Forecast vs actual",
    actual_label: str = "actual",
) -> Figure:
    """Plot a forecast with its prediction bands, and the actuals if given.

    Parameters
    ----------
    forecast : pandas.DataFrame
        Long frame with ``interval_start``, ``value_column`` and, per level L in
        ``levels``, ``{value_column}_lo_L`` and ``{value_column}_hi_L`` where present.
        Several queues are summed.
    actual : pandas.DataFrame, optional
        Long frame with ``interval_start`` and ``value_column`` (contacts per interval).
    value_column : str, default "volume"
        Column to plot.
    levels : sequence of int, default (80, 95)
        Prediction-interval levels (percent) to shade where the columns exist.
    title : str
        Figure title.
    actual_label : str, default "actual"
        Legend label of the actuals.

    Returns
    -------
    matplotlib.figure.Figure
        Time axis in the site's local wall-clock time, labelled with weekday and date.
    """
    require_columns(forecast, ["interval_start", value_column], name="forecast")
    summed = forecast.groupby("interval_start").sum(numeric_only=True)
    local = _local_wall_clock(summed.index)
    figure, axes = _subplots(12, 4)
    for level in sorted(levels, reverse=True):
        lo, hi = f"{value_column}_lo_{level}", f"{value_column}_hi_{level}"
        if lo in summed.columns and hi in summed.columns:
            axes.fill_between(
                local,
                summed[lo],
                summed[hi],
                alpha=0.15 + 0.1 * (level < 90),
                color="#1f77b4",
                label=f"{level}% prediction interval",
                step="post",
            )
    axes.step(local, summed[value_column], where="post", color="#1f77b4", label="forecast")
    if actual is not None:
        require_columns(actual, ["interval_start", value_column], name="actual")
        observed = actual.groupby("interval_start")[value_column].sum()
        observed = observed[
            (observed.index >= summed.index.min()) & (observed.index <= summed.index.max())
        ]
        axes.step(
            _local_wall_clock(observed.index),
            observed.to_numpy(),
            where="post",
            color="black",
            lw=0.9,
            label=actual_label,
        )
    axes.set_ylabel("contacts per interval")
    axes.set_xlabel("local time")
    axes.set_title(title)
    axes.legend(loc="upper right")
    _weekday_time_axis(axes, span_days=_span_days(local))
    figure.tight_layout()
    return figure


def plot_coverage(
    coverage: pd.DataFrame,
    *,
    required_column: str = "required",
    scheduled_column: str = "scheduled",
    title: str = "Requirement vs scheduled coverage",
    required_label: str = "required",
    scheduled_label: str = "scheduled",
) -> Figure:
    """Plot required and provided agents per interval, shading under- and over-coverage.

    Parameters
    ----------
    coverage : pandas.DataFrame
        ``interval_start``, ``required_column`` and ``scheduled_column`` (agents per
        interval; several queues are summed).
    required_column, scheduled_column : str
        Column names.
    title : str
        Figure title.
    required_label, scheduled_label : str
        Legend labels of the two lines (e.g. "real agents logged in").

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(
        coverage, ["interval_start", required_column, scheduled_column], name="coverage"
    )
    summed = coverage.groupby("interval_start")[[required_column, scheduled_column]].sum()
    local = _local_wall_clock(summed.index)
    required = summed[required_column].to_numpy(dtype=float)
    scheduled = summed[scheduled_column].to_numpy(dtype=float)
    figure, axes = _subplots(12, 4)
    axes.step(local, required, where="post", color="#d62728", label=required_label)
    axes.step(local, scheduled, where="post", color="#2ca02c", label=scheduled_label)
    axes.fill_between(
        local,
        required,
        scheduled,
        where=scheduled < required,
        step="post",
        color="#d62728",
        alpha=0.25,
        label="short of the requirement",
    )
    axes.fill_between(
        local,
        required,
        scheduled,
        where=scheduled > required,
        step="post",
        color="#2ca02c",
        alpha=0.15,
        label="above the requirement",
    )
    axes.set_ylabel("agents")
    axes.set_xlabel("local time")
    axes.set_title(title)
    axes.legend(loc="upper right", fontsize="small")
    _weekday_time_axis(axes, span_days=_span_days(local))
    figure.tight_layout()
    return figure


def day_by_interval_table(frame: pd.DataFrame, value_column: str) -> pd.DataFrame:
    """Pivot a per-interval value into a local day × local time-of-day table.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``interval_start`` (aware) and ``value_column``; one queue (or pre-aggregated).
    value_column : str
        Column to pivot.

    Returns
    -------
    pandas.DataFrame
        Rows are local dates, columns local wall-clock start times ("HH:MM"). On a
        fall-back day the repeated wall-clock hour holds the mean of its two intervals;
        on a spring-forward day the skipped hour is empty (NaN), so each cell is a real
        local half-hour.
    """
    require_columns(frame, ["interval_start", value_column], name="frame")
    stamps = pd.DatetimeIndex(frame["interval_start"])
    if stamps.tz is None:
        raise InputError("frame['interval_start'] is naive. Fix: localise it to the site's zone.")
    table = pd.DataFrame(
        {
            "date": stamps.date,
            "time": stamps.strftime("%H:%M"),
            "value": frame[value_column].to_numpy(dtype=float),
        }
    )
    # groupby keeps days whose every value is NaN (pivot_table would drop them)
    pivot = table.groupby(["date", "time"])["value"].mean().unstack("time")
    minutes = infer_interval_minutes(stamps) if len(stamps.unique()) > 1 else 30
    slots = [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60, minutes)]
    return pivot.reindex(columns=slots)


def _day_label(day: Any) -> str:
    stamp = pd.Timestamp(day)
    return f"{WEEKDAY_NAMES[stamp.day_of_week]} {stamp:%d %b}"


def plot_interval_heatmap(
    frame: pd.DataFrame,
    value_column: str = "service_level",
    *,
    title: str = "Service level by day and half-hour",
    vmin: float | None = 0.0,
    vmax: float | None = 1.0,
    cmap: str = "RdYlGn",
    colorbar_label: str | None = None,
    percent: bool | None = None,
    unserved_column: str | None = None,
    closed_column: str | None = None,
) -> Figure:
    """Draw a day × interval heatmap (e.g. service level for each of the 48 half-hours).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``interval_start`` (aware) and ``value_column``.
    value_column : str, default "service_level"
        Value to colour (a fraction 0..1 for service level).
    title : str
        Figure title.
    vmin, vmax : float, optional
        Colour scale limits.
    cmap : str, default "RdYlGn"
        Matplotlib colour map.
    colorbar_label : str, optional
        Label of the colour bar (default: the column name in words).
    percent : bool, optional
        Show the colour bar in percent (default: when ``vmax`` is 1).
    unserved_column : str, optional
        Boolean column marking intervals with demand but nobody on the phones; they are
        drawn in their own colour (``UNSERVED_COLOUR``) and named in the legend, never
        as a 0% cell among the others.
    closed_column : str, optional
        Boolean column marking intervals outside opening hours (drawn in
        ``CLOSED_COLOUR`` and named in the legend).

    Returns
    -------
    matplotlib.figure.Figure
        Rows are local days labelled with weekday and date, columns local times of day.
        Empty cells (no value: no demand, or a DST-skipped slot) are grey and named in
        the legend.
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch
    from matplotlib.ticker import PercentFormatter

    table = day_by_interval_table(frame, value_column)
    values = table.to_numpy(dtype=float)
    figure, axes = _subplots(12, 0.35 * len(table) + 2.2)
    colours = _pyplot().get_cmap(cmap).with_extremes(bad=NO_DEMAND_COLOUR)
    shown = values.copy()

    def marks(column: str | None) -> np.ndarray:
        if column is None or column not in frame.columns:
            return np.zeros_like(values, dtype=bool)
        table = day_by_interval_table(frame.assign(**{column: frame[column].astype(float)}), column)
        return np.asarray(table.to_numpy(dtype=float) > 0)

    unserved = marks(unserved_column)
    closed = marks(closed_column) & ~unserved
    shown[unserved | closed] = np.nan
    image = axes.imshow(
        np.ma.masked_invalid(shown),
        aspect="auto",
        cmap=colours,
        vmin=vmin,
        vmax=vmax,
        interpolation="nearest",
    )
    for mask, colour in ((unserved, UNSERVED_COLOUR), (closed, CLOSED_COLOUR)):
        if mask.any():
            axes.imshow(
                np.ma.masked_where(~mask, np.ones_like(values)),
                aspect="auto",
                cmap=ListedColormap([colour]),
                interpolation="nearest",
            )
    axes.set_yticks(range(len(table)), [_day_label(d) for d in table.index])
    step = max(1, len(table.columns) // 12)
    axes.set_xticks(range(0, len(table.columns), step), list(table.columns[::step]))
    axes.set_xlabel("local time of day (interval start)")
    axes.set_ylabel("day")
    axes.set_title(title)
    bar = figure.colorbar(image, ax=axes, fraction=0.025)
    label = colorbar_label or value_column.replace("_", " ")
    bar.set_label(label)
    if percent if percent is not None else vmax == 1.0:
        bar.formatter = PercentFormatter(xmax=1.0, decimals=0)
        bar.update_ticks()
    handles = [Patch(facecolor=NO_DEMAND_COLOUR, edgecolor="#999999", label="no forecast demand")]
    if closed.any():
        handles.append(Patch(facecolor=CLOSED_COLOUR, label="closed (opening hours)"))
    if unserved.any():
        handles.append(
            Patch(facecolor=UNSERVED_COLOUR, label="demand but no agent on the phones (unserved)")
        )
    axes.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.12 - 0.6 / max(len(table), 1)),
        ncol=len(handles),
        fontsize="small",
        frameon=False,
    )
    figure.tight_layout()
    return figure


def plot_gantt(
    segments: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    max_agents: int = 40,
    title: str = "Roster",
) -> Figure:
    """Draw a roster as a Gantt chart, one row per agent, coloured by activity.

    Parameters
    ----------
    segments : pandas.DataFrame
        Schedule segments: ``agent``, ``activity``, ``start``, ``end`` (aware).
    start, end : pandas.Timestamp, optional
        Window to draw (default: all segments).
    max_agents : int, default 40
        Draw at most this many agents (those starting first).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Local wall-clock time axis; every activity colour in the legend.
    """
    require_columns(segments, SEGMENT_KEY_COLUMNS, name="segments")
    shown = segments[segments["activity"].astype(str) != "off"]
    if start is not None:
        shown = shown[shown["end"] > start]
    if end is not None:
        shown = shown[shown["start"] < end]
    firsts = shown.groupby(shown["agent"].astype(str))["start"].min().sort_values(kind="stable")
    agents = list(firsts.index[:max_agents])
    shown = shown[shown["agent"].astype(str).isin(agents)]
    row = {agent: i for i, agent in enumerate(agents)}
    figure, axes = _subplots(12, 0.3 * len(agents) + 1.8)
    for activity, group in shown.groupby("activity"):
        # wall-clock local times, so a shift reads as the agent sees it
        lefts = _local_wall_clock(group["start"]).to_numpy()
        rights = _local_wall_clock(group["end"]).to_numpy()
        ys = [row[str(a)] for a in group["agent"]]
        axes.barh(
            ys,
            rights - lefts,
            left=lefts,
            height=0.7,
            color=ACTIVITY_COLOURS.get(str(activity), "#1f77b4"),
            label=literal_text(str(activity)),
        )
    axes.set_yticks(range(len(agents)), [literal_text(agent) for agent in agents])
    axes.invert_yaxis()
    axes.xaxis_date()
    if len(shown):
        span = _span_days(_local_wall_clock(pd.concat([shown["start"], shown["end"]])))
        _weekday_time_axis(axes, span_days=span)
    axes.set_xlabel("local time")
    axes.set_ylabel("agent")
    axes.set_title(literal_text(title) + " (local time)")
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", title="activity")
    figure.tight_layout()
    return figure


def plot_bars(
    frame: pd.DataFrame,
    label_column: str,
    value_column: str,
    *,
    title: str,
    xlabel: str = "",
    reference: float | None = None,
    reference_label: str = "reference",
    percent: bool = False,
) -> Figure:
    """Horizontal bar chart of one value per label (e.g. adherence per agent).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``label_column`` and ``value_column``.
    label_column, value_column : str
        Column names.
    title, xlabel : str
        Figure title and axis label.
    reference : float, optional
        Draw a vertical reference line (e.g. a target) at this value.
    reference_label : str, default "reference"
        Legend label of the reference line (e.g. "target 90%").
    percent : bool, default False
        Format the value axis as percent of 1.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.ticker import PercentFormatter

    require_columns(frame, [label_column, value_column], name="frame")
    figure, axes = _subplots(8, 0.28 * len(frame) + 1.8)
    axes.barh(
        frame[label_column].astype(str).map(literal_text),
        frame[value_column].to_numpy(dtype=float),
        color="#1f77b4",
        label=value_column.replace("_", " "),
    )
    if reference is not None:
        axes.axvline(reference, color="#d62728", ls="--", lw=1, label=reference_label)
    if percent:
        axes.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    axes.invert_yaxis()
    axes.set_xlabel(literal_text(xlabel))
    axes.set_title(literal_text(title))
    axes.legend(loc="lower right", fontsize="small")
    figure.tight_layout()
    return figure


def figure_to_png_base64(figure: Figure) -> str:
    """Render a figure to PNG and return it base64-encoded (and close the figure)."""
    plt = _pyplot()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


_RATE_WORDS = (
    "service_level",
    "rate",
    "adherence",
    "conformance",
    "wape",
    "bias",
    "share",
    "occupancy",
    "gap",
    "coverage_80",
    "mape",
)
_COUNT_WORDS = ("volume", "contacts", "offered", "answered", "abandoned", "intervals", "shifts")


def column_kind(name: str, values: pd.Series) -> str:
    """Kind of a table column for formatting, read from its name and dtype.

    Returns
    -------
    str
        ``"time"``, ``"date"``, ``"rate"`` (a fraction shown in percent), ``"hours"``
        (one decimal), ``"seconds"`` (whole seconds), ``"count"`` (integer), ``"agents"``
        (integer, or one decimal where fractional), ``"number"`` or ``"text"``.
    """
    lowered = name.lower()
    if lowered == "date":
        return "date"
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(values):
        return "time"
    if pd.api.types.is_bool_dtype(values):
        return "text"
    if not pd.api.types.is_numeric_dtype(values):
        return "text"
    if any(word in lowered for word in _RATE_WORDS):
        return "rate"
    if "hours" in lowered:
        return "hours"
    if lowered.endswith("seconds"):
        return "seconds"
    if "agents" in lowered:
        return "agents"
    if pd.api.types.is_integer_dtype(values) or any(word in lowered for word in _COUNT_WORDS):
        return "count"
    return "number"


def _format_value(value: Any, kind: str, float_format: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "–"
    if kind == "time":
        stamp = pd.Timestamp(value)
        return f"{WEEKDAY_NAMES[stamp.day_of_week]} {stamp:%d %b %Y %H:%M}"
    if kind == "date":
        stamp = pd.Timestamp(value)
        return f"{WEEKDAY_NAMES[stamp.day_of_week]} {stamp:%d %b %Y}"
    if kind == "text":
        if isinstance(value, bool | np.bool_):
            return "yes" if value else "no"
        return str(value)
    number = float(value)
    if kind == "rate":
        return f"{number:.1%}"
    if kind == "hours":
        return f"{number:,.1f}"
    if kind == "count" and number != round(number) and abs(number) < 10:
        return f"{number:.1f}"  # a small forecast count: 0.3 contacts is not 0
    if kind in ("seconds", "count"):
        return f"{number:,.0f}"
    if kind == "agents":
        return f"{number:,.0f}" if number == round(number) else f"{number:,.1f}"
    return float_format.format(number)


def format_table(frame: pd.DataFrame, *, float_format: str = "{:,.2f}") -> pd.DataFrame:
    """Return ``frame`` as text, each column formatted by its kind (see :func:`column_kind`).

    Column names become words (underscores to spaces); the index is dropped.
    """
    out = {}
    for name in frame.columns:
        values = frame[name]
        kind = column_kind(str(name), values)
        out[str(name).replace("_", " ")] = [
            _format_value(v, kind, float_format) for v in values.tolist()
        ]
    return pd.DataFrame(out)


@dataclass
class ReportSection:
    """One section of an HTML report.

    Attributes
    ----------
    title : str
        Section heading.
    text : str
        Paragraph(s) of plain text (escaped; blank lines separate paragraphs; a paragraph
        whose lines all start with ``"- "`` becomes a bulleted list).
    figures : list of matplotlib Figure
        Figures, embedded as PNG.
    tables : list of pandas.DataFrame
        Tables, rendered as HTML without the index, each column formatted by its kind.
    tables_first : bool, default False
        Put the tables before the text and figures (e.g. a headline table).
    """

    title: str
    text: str = ""
    figures: list[Figure] = field(default_factory=list)
    tables: list[pd.DataFrame] = field(default_factory=list)
    tables_first: bool = False


_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
max-width:1100px;color:#222;padding:0 1em}h1{border-bottom:2px solid #444;font-size:1.6em}
h2{margin-top:2em;border-bottom:1px solid #bbb;font-size:1.25em}
.table{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;font-size:0.85em;margin:0.8em 0}td,th{border:1px solid #ccc;
padding:3px 8px;text-align:right}th{background:#f2f2f2;text-align:center}
td.text{text-align:left}img{max-width:100%;height:auto;display:block;margin:0.6em 0}
p,li{line-height:1.45;max-width:60em}
"""


def _text_html(text: str) -> list[str]:
    parts = []
    for paragraph in [p.strip("\n") for p in text.split("\n\n") if p.strip()]:
        lines = paragraph.split("\n")
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{html.escape(line[2:])}</li>" for line in lines)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append(f"<p>{html.escape(' '.join(lines))}</p>")
    return parts


def _table_html(frame: pd.DataFrame, float_format: str) -> str:
    """One table as HTML: no index, cells formatted by kind, text columns left-aligned."""
    shown = format_table(frame, float_format=float_format)
    kinds = [column_kind(str(name), frame[name]) for name in frame.columns]
    head = "".join(f"<th>{html.escape(str(name))}</th>" for name in shown.columns)
    rows = []
    for values in shown.itertuples(index=False):
        cells = "".join(
            f"<td class='text'>{html.escape(v)}</td>"
            if kind == "text"
            else f"<td>{html.escape(v)}</td>"
            for v, kind in zip(values, kinds, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return (
        f"<div class='table'><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def html_report(
    title: str, sections: Sequence[ReportSection], *, float_format: str = "{:,.2f}"
) -> str:
    """Assemble a self-contained HTML report.

    Parameters
    ----------
    title : str
        Report title.
    sections : sequence of ReportSection
        Sections in order.
    float_format : str, default "{:,.2f}"
        Format for table numbers of no recognised kind (see :func:`column_kind`).

    Returns
    -------
    str
        The HTML document (figures embedded as base64 PNG; no external resources).
    """
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        tables = [_table_html(table, float_format) for table in section.tables]
        if section.tables_first:
            parts.extend(tables)
        parts.extend(_text_html(section.text))
        for figure in section.figures:
            png = figure_to_png_base64(figure)
            alt = html.escape(section.title)
            parts.append(f"<img alt='{alt}' src='data:image/png;base64,{png}'>")
        if not section.tables_first:
            parts.extend(tables)
    parts.append("</body></html>")
    return "\n".join(parts)


STATUS_MEANING = {
    "optimal": "the solver proved that no cheaper schedule exists",
    "gap_limit": "the solver stopped once the schedule was within the configured gap of the "
    "best possible cost",
    "time_limit": "the solver stopped at its time limit; the schedule is valid but may not be "
    "the cheapest",
    "phases_proven": "each solver step finished on its own terms (no time limit hit), but "
    "the named roster is not proven within the configured gap of the best bound: the gap is "
    "the price of handing the shifts to these agents under their rules",
    "relaxed": "a rule had to give way to produce a roster (see the schedule's conflicts)",
    "infeasible": "no schedule satisfies the rules",
}


def _pct(value: Any) -> str:
    return "–" if value is None else f"{float(value):.1%}"


def _hours(value: Any) -> str:
    return "–" if value is None else f"{float(value):,.1f}"


def _count(value: Any) -> str:
    return "–" if value is None else f"{float(value):,.0f}"


def headline_table(summary: Mapping[str, Any]) -> pd.DataFrame:
    """Return the headline figures as a two-column table (figure, value as text).

    Parameters
    ----------
    summary : mapping
        :meth:`wfm.pipeline.PlanResult.summary` (also ``summary.json``).

    Returns
    -------
    pandas.DataFrame
        Columns ``figure`` and ``value`` (already formatted).
    """
    rows: list[tuple[str, str]] = []
    horizon = summary.get("horizon") or {}
    if horizon:
        rows.append(
            ("Planned days", f"{horizon['first_day']} to {horizon['last_day']} ({horizon['days']})")
        )
    rows.append(("Forecast contacts", _count(summary.get("forecast_contacts"))))
    models = summary.get("models") or {}
    if models:
        rows.append(("Forecast model", ", ".join(f"{q}: {m}" for q, m in models.items())))
    for queue, text in (summary.get("service_model") or {}).items():
        rows.append((f"Service target and model ({queue})", str(text)))
    rows.append(("Peak agents required on the phones", _count(summary.get("peak_required_agents"))))
    rows.append(
        (
            "Agent-hours required on the phones (before shrinkage)",
            _hours(summary.get("required_agent_hours_before_shrinkage")),
        )
    )
    shrinkage = summary.get("shrinkage")
    rows.append(
        (
            f"Agent-hours to schedule (after {_pct(shrinkage or 0.0)} shrinkage)",
            _hours(summary.get("required_agent_hours_after_shrinkage")),
        )
    )
    schedule = summary.get("schedule")
    if schedule:
        rows.append(
            (
                "Scheduled agent-hours on the phones (net of breaks)",
                _hours(schedule.get("scheduled_agent_hours")),
            )
        )
        rows.append(("Paid hours of the schedule", _hours(schedule.get("paid_hours"))))
        rows.append(
            (
                "Shifts / agents",
                f"{_count(schedule.get('shifts'))} / {_count(schedule.get('agents'))}",
            )
        )
        rows.append(
            ("Short of the requirement (agent-hours)", _hours(schedule.get("under_agent_hours")))
        )
        rows.append(
            ("Above the requirement (agent-hours)", _hours(schedule.get("over_agent_hours")))
        )
        rows.append(
            (
                "Solver status / gap to best bound",
                f"{schedule.get('status')} / {_pct(schedule.get('gap'))}",
            )
        )
    projected = summary.get("projected_service_level")
    if projected is not None:
        rows.append(("Projected service level with the schedule", _pct(projected)))
    unserved = summary.get("unserved_demand") or {}
    if unserved:
        rows.append(
            (
                "Forecast contacts with no agent on the phones",
                f"{_count(unserved.get('contacts'))} ({_pct(unserved.get('share'))}) in "
                f"{_count(unserved.get('intervals'))} intervals",
            )
        )
    opening = summary.get("opening_hours") or {}
    if opening:
        rows.append(("Opening hours", ", ".join(f"{q}: {how}" for q, how in opening.items())))
    closed = summary.get("demand_outside_opening_hours") or {}
    if closed:
        rows.append(
            (
                "Forecast contacts outside opening hours",
                f"{_count(closed.get('contacts'))} ({_pct(closed.get('share'))}) in "
                f"{_count(closed.get('intervals'))} intervals",
            )
        )
    missing = summary.get("missing_history_intervals")
    if missing is not None:
        rows.append(("Intervals missing from the history", _count(missing)))
    adherence = summary.get("adherence")
    if adherence:
        rows.append(("Adherence", _pct(adherence.get("adherence"))))
    return pd.DataFrame(rows, columns=["figure", "value"])


def summary_sentences(summary: Mapping[str, Any]) -> str:
    """Plain sentences saying what the headline figures mean and what to do about them."""
    lines: list[str] = []
    before = summary.get("required_agent_hours_before_shrinkage")
    after = summary.get("required_agent_hours_after_shrinkage")
    if before is not None and after is not None:
        lines.append(
            f"- Requirement: {_hours(before)} agent-hours must be on the phones to meet the "
            f"service targets; with shrinkage (absence, training and the like, not breaks) "
            f"{_hours(after)} agent-hours must be scheduled."
        )
    schedule = summary.get("schedule")
    if schedule:
        status = str(schedule.get("status"))
        meaning = STATUS_MEANING.get(status, "see docs/schedule.md")
        gap = float(schedule.get("gap") or 0.0)
        lines.append(
            f"- Solver status '{status}': {meaning}. The gap ({gap:.1%}) is how much more the "
            "schedule costs (wages plus the penalty for every agent-hour short of or above "
            "the requirement) than the best cost the solver could prove possible; it is an "
            "upper limit on what a better solver run could save."
        )
        if gap > 0.05:
            lines.append(
                "- To act on a large gap: raise schedule.solver.time_limit_seconds, try "
                "solver = 'highs', or, with named agents, check that their availability and "
                "weekly hours can cover the peaks (a gap that a longer run does not close "
                "is coverage these agents cannot provide)."
            )
        under = float(schedule.get("under_agent_hours") or 0.0)
        if under >= 0.05:
            lines.append(
                f"- The schedule is short of the requirement by {under:,.1f} agent-hours. "
                "Add agents or shift templates that reach those hours, or accept the lower "
                "service level shown per interval below."
            )
    projected = summary.get("projected_service_level")
    if projected is not None:
        lines.append(
            f"- Projected service level {float(projected):.1%}: the share of forecast contacts "
            "answered within the target time with the scheduled agents (weighted by forecast "
            "contacts, over open intervals with at least one agent on the phones), under the "
            "service-level definition each queue was sized for (named with its queueing model "
            "in the table above; wfm.core.SERVICE_LEVEL_DEFINITIONS gives the formulas, the "
            "same names as the measured KPIs). Per-queue targets are in the table above."
        )
    unserved = summary.get("unserved_demand") or {}
    if unserved and float(unserved.get("contacts") or 0) > 0:
        lines.append(
            f"- {_count(unserved['contacts'])} forecast contacts ({_pct(unserved['share'])}) "
            f"fall in {_count(unserved['intervals'])} intervals without a whole agent on the "
            "phones (none scheduled, or under one after breaks and shrinkage); they are "
            "left out of the service level above, listed below and drawn in their own colour "
            "in the heatmap. "
            f"{_count(unserved.get('outside_template_reach_contacts'))} of them (in "
            f"{_count(unserved.get('outside_template_reach_intervals'))} intervals) are "
            "outside the hours any shift template can reach: widen a template's start "
            "window or days, or close those hours in opening_hours."
        )
    closed = summary.get("demand_outside_opening_hours") or {}
    if closed and float(closed.get("contacts") or 0) > 0:
        lines.append(
            f"- {_count(closed['contacts'])} forecast contacts ({_pct(closed['share'])}) "
            "arrive outside the opening hours; nobody is planned for them."
        )
    opening = summary.get("opening_hours") or {}
    pattern = [q for q, how in opening.items() if how == "history pattern"]
    if pattern:
        lines.append(
            f"- Opening hours of {', '.join(pattern)}: the history's own pattern (an interval "
            "is open if the history has a contact on the same weekday and time). State them "
            "in [opening_hours] to plan for other hours."
        )
    missing = summary.get("missing_history_intervals")
    if missing:
        lines.append(
            f"- {int(missing)} intervals inside the history's date range have no row in the "
            "history file; the forecaster imputed them for training only (listed in "
            "missing_intervals.csv)."
        )
    return "\n".join(lines)


def _missing_table(missing: pd.DataFrame) -> pd.DataFrame:
    """Missing history intervals grouped into one row per queue and local day."""
    stamps = pd.DatetimeIndex(missing["interval_start"])
    frame = pd.DataFrame(
        {
            "queue": missing["queue"].astype(str).to_numpy(),
            "date": pd.DatetimeIndex(stamps.date),
            "time": stamps.strftime("%H:%M"),
        }
    )
    grouped = frame.groupby(["queue", "date"], sort=True)["time"]
    return grouped.agg(intervals="size", first="min", last="max").reset_index()


def unplanned_demand_by_day(frame: pd.DataFrame) -> pd.DataFrame:
    """Forecast demand not planned for, per local day.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``interval_start``, ``volume``, ``open`` and optionally ``unserved`` (the
        projected-service table, or the requirement).

    Returns
    -------
    pandas.DataFrame
        Per day: forecast contacts; contacts, share of the day and intervals outside
        opening hours; contacts, share and intervals in open intervals with no agent on
        the phones. Days with neither are left out.
    """
    volume = frame["volume"].to_numpy(dtype=float)
    closed = ~frame["open"].to_numpy(dtype=bool) & (volume > 0)
    unserved = (
        frame["unserved"].to_numpy(dtype=bool)
        if "unserved" in frame.columns
        else np.zeros(len(frame), dtype=bool)
    )
    parts = pd.DataFrame(
        {
            "date": pd.DatetimeIndex(pd.DatetimeIndex(frame["interval_start"]).date),
            "forecast_contacts": volume,
            "closed_contacts": np.where(closed, volume, 0.0),
            "closed_intervals": closed.astype(int),
            "unserved_contacts": np.where(unserved, volume, 0.0),
            "unserved_intervals": unserved.astype(int),
        }
    )
    days = parts.groupby("date", as_index=False).sum()
    total = days["forecast_contacts"].replace(0.0, np.nan)
    days.insert(3, "closed_share", days["closed_contacts"] / total)
    days.insert(6, "unserved_share", days["unserved_contacts"] / total)
    keep = (days["closed_intervals"] > 0) | (days["unserved_intervals"] > 0)
    return days[keep].reset_index(drop=True)


def _backtest_table(backtest: pd.DataFrame, models: Mapping[str, str]) -> pd.DataFrame:
    """Backtest averaged over lead days, one row per model, the chosen model marked."""
    keys = [c for c in ("queue", "model") if c in backtest.columns]
    metrics = [c for c in ("wape", "bias") if c in backtest.columns]
    table = backtest.groupby(keys, sort=False)[metrics].mean().reset_index()
    chosen = {str(m) for m in models.values()}
    table["used"] = ["used" if str(m) in chosen else "" for m in table["model"]]
    return table.sort_values(metrics[0]) if metrics else table


AGENT_COLUMNS = (
    "agent",
    "hours_present",
    "paid_hours",
    "max_hours",
    "shifts",
    "min_rest_hours",
    "longest_run_days",
    "weekend_shifts",
    "unsocial_shifts",
)
"""Columns of the per-agent table shown in the report (agents.csv holds them all)."""


SPECIAL_DAY_ROWS = 30


def special_days_section(special: pd.DataFrame) -> ReportSection:
    """Report section listing the horizon's special days and the effects applied to them.

    ``special`` is the forecast report's ``special_days`` table (or ``special_days.csv``).
    """
    # the kind-level and shrinkage columns stay in special_days.csv; the report keeps the
    # day, its own history, the prior and the ratio applied
    detail = {"kind_past_days", "kind_ratio", "name_weight", "shrinkage"}
    shown = special[[c for c in special.columns if c not in detail]].head(SPECIAL_DAY_ROWS)
    more = len(special) - len(shown)
    text = (
        f"{len(special)} special day(s) in the forecast horizon (holidays, eves, after-days, "
        "bridges and custom days of the calendar). 'ratio' is what the day's ordinary forecast "
        "was multiplied by: its own history ('learned_ratio', measured against the weekday "
        "in 'relative_to', from 'past_occurrences' earlier days) shrunk towards the other days "
        "of its kind and the analogue-day prior ('prior_ratio': a holiday like the weekly rest "
        "day, an eve like the short day). A day seen once or never rests mostly on the prior: "
        "check it against what you know of the day."
    )
    if more > 0:
        text += f" The first {len(shown)} are shown; every day is in special_days.csv."
    return ReportSection("Special days", text, tables=[shown])


def plan_report(
    tables: Mapping[str, pd.DataFrame],
    summary: Mapping[str, Any],
    *,
    title: str | None = None,
    actual: pd.DataFrame | None = None,
    actual_label: str = "actual",
    extra_sections: Sequence[ReportSection] = (),
    adherence_text: str | None = None,
) -> str:
    """Build the standard HTML report of a planning run from its tables and summary.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The run's tables by name (:meth:`wfm.pipeline.PlanResult.tables`; the CSV files of
        an output folder): ``forecast``, ``requirement`` and, where present,
        ``backtest``, ``coverage``, ``schedule_segments``, ``agents``,
        ``projected_service``, ``missing_intervals``, ``adherence_by_agent``.
    summary : mapping
        :meth:`wfm.pipeline.PlanResult.summary`.
    title : str, optional
        Report title (default ``"wfm plan: <site>"``).
    actual : pandas.DataFrame, optional
        Real volume per interval to draw against the forecast.
    actual_label : str, default "actual"
        Legend label of ``actual``.
    extra_sections : sequence of ReportSection
        Sections appended after the standard ones (e.g. the demo's scoring).
    adherence_text : str, optional
        Text of the adherence section (default: what adherence and conformance mean).

    Returns
    -------
    str
        The HTML document.
    """
    site = str(summary.get("site", "contact centre"))
    sections = [
        ReportSection(
            "Summary",
            summary_sentences(summary),
            tables=[headline_table(summary)],
            tables_first=True,
        )
    ]
    missing = tables.get("missing_intervals")
    if missing is not None and len(missing):
        short = _missing_table(missing)
        sections.append(
            ReportSection(
                "Missing history intervals",
                f"{len(missing)} intervals have no row in the history file "
                f"({len(short)} queue-days; the first 15 are shown, every interval is in "
                "missing_intervals.csv).",
                tables=[short.head(15)],
            )
        )
    forecast = tables["forecast"]
    levels = sorted(
        {int(c.rsplit("_", 1)[1]) for c in forecast.columns if c.startswith("volume_lo_")}
    )
    sections.append(
        ReportSection(
            "Forecast",
            "Contacts per interval (all queues summed) with the prediction intervals: the "
            "real volume should fall inside the 80% band in about 80% of intervals.",
            figures=[
                plot_forecast(
                    forecast,
                    actual,
                    levels=levels,
                    title="Forecast" if actual is None else "Forecast vs actual",
                    actual_label=actual_label,
                )
            ],
        )
    )
    special = tables.get("special_days")
    if special is not None and len(special):
        sections.append(special_days_section(special))
    backtest = tables.get("backtest")
    if backtest is not None and len(backtest):
        models = summary.get("models") or {}
        table = _backtest_table(backtest, models)
        used = sorted({str(m) for m in models.values()})
        note = (
            ""
            if (table["used"] == "used").any() or not used
            else f" The model used ({', '.join(used)}) was not among this table's "
            "candidates, so no row is marked."
        )
        sections.append(
            ReportSection(
                "Backtest accuracy",
                "Rolling-origin backtest on the history, averaged over lead days: WAPE (sum of "
                "absolute errors over the sum of actuals; lower is better) and bias (positive: "
                "forecast too high). 'used' marks the model the forecast used; the model "
                "'auto' picks is the combination unless a candidate is more than 5% better." + note,
                tables=[table],
            )
        )
    coverage = tables.get("coverage")
    if coverage is not None and len(coverage):
        sections.append(
            ReportSection(
                "Requirement vs scheduled agents",
                "Red: agents to schedule per interval (the requirement grossed up for "
                "shrinkage). Green: agents the schedule provides, net of breaks and lunches. "
                "Red shading is where the schedule is short, green where it is above.",
                figures=[
                    plot_coverage(
                        coverage,
                        required_column="required_agents",
                        scheduled_column="scheduled_agents",
                        required_label="required (after shrinkage)",
                        scheduled_label="scheduled (net of breaks)",
                    )
                ],
            )
        )
    projection = tables.get("projected_service")
    if projection is not None and len(projection):
        frame = projection.copy()
        if "unserved" not in frame.columns:
            frame["unserved"] = (frame["volume"] > 0) & (frame["available_agents"] < 1)
        frame["closed"] = ~frame["open"].astype(bool) if "open" in frame.columns else False
        sections.append(
            ReportSection(
                "Projected service level per interval",
                "Share of contacts answered within the target time with the scheduled "
                "agents, per local day and time (all queues: the mean of the queues). Light "
                "grey: no forecast demand. Dark grey: closed (outside opening hours). Dark "
                "purple: demand but no whole agent on the phones (left out of the service "
                "level; see the table below).",
                figures=[
                    plot_interval_heatmap(
                        frame.groupby("interval_start", as_index=False).agg(
                            projected_service_level=("projected_service_level", "mean"),
                            unserved=("unserved", "max"),
                            closed=("closed", "min"),
                        ),
                        "projected_service_level",
                        title="Projected service level",
                        colorbar_label="service level",
                        unserved_column="unserved",
                        closed_column="closed",
                    )
                ],
            )
        )
        unserved = frame[frame["unserved"].astype(bool)]
        if len(unserved):
            columns = [
                c
                for c in (QUEUE, INTERVAL_START, VOLUME, REQUIRED_AGENTS, "reason")
                if c in unserved.columns
            ]
            sections.append(
                ReportSection(
                    "Demand with no agent on the phones",
                    f"{len(unserved)} intervals hold {unserved['volume'].sum():,.0f} forecast "
                    "contacts and no whole agent on the phones; 'reason' says why (the first "
                    "20 are shown; all are in projected_service.csv, column 'unserved').",
                    tables=[unserved[columns].head(20)],
                )
            )
    demand = projection if projection is not None else tables.get("requirement")
    if demand is not None and "open" in demand.columns:
        by_day = unplanned_demand_by_day(demand)
        if len(by_day):
            sections.append(
                ReportSection(
                    "Demand not planned for, per day",
                    "Forecast contacts outside opening hours (closed: nobody is planned) and "
                    "in open intervals without a whole agent on the phones, with their share "
                    "of the day's forecast contacts and the number of intervals.",
                    tables=[by_day],
                )
            )
    segments = tables.get("schedule_segments")
    if segments is not None and len(segments):
        busy = segments[segments["activity"].astype(str) != "off"]
        if len(busy):
            first = pd.Timestamp(busy["start"].min())
            day = first.normalize()  # local midnight of the first working day
            sections.append(
                ReportSection(
                    "Roster of the first day",
                    "Each row is one agent (at most 40 shown, by start time); colours are the "
                    "activities in the legend.",
                    figures=[
                        plot_gantt(busy, start=day, end=day + pd.Timedelta(days=1), title="Roster")
                    ],
                )
            )
    agents = tables.get("agents")
    if agents is not None and len(agents):
        sections.append(
            ReportSection(
                "Hours per agent",
                f"{len(agents)} agents ("
                + ("the first 40 are shown; " if len(agents) > 40 else "")
                + "every column is in agents.csv).",
                tables=[agents[[c for c in AGENT_COLUMNS if c in agents.columns]].head(40)],
            )
        )
    by_agent = tables.get("adherence_by_agent")
    if by_agent is not None and len(by_agent):
        shown = by_agent[by_agent["scheduled_seconds"] > 0]
        columns = [
            c for c in ("agent", "adherence", "conformance", "exception_seconds") if c in shown
        ]
        sections.append(
            ReportSection(
                "Adherence per agent",
                adherence_text
                or "Share of scheduled time each agent spent in the scheduled activity "
                "(adherence) and worked time over scheduled time (conformance).",
                figures=[
                    plot_bars(
                        shown,
                        "agent",
                        "adherence",
                        title="Adherence per agent",
                        xlabel="adherence",
                        reference=0.9,
                        reference_label="90% (a common target)",
                        percent=True,
                    )
                ],
                tables=[shown[columns]],
            )
        )
    sections.extend(extra_sections)
    return html_report(title or f"wfm plan: {site}", sections)


_TIME_COLUMNS = (INTERVAL_START, SEGMENT_START, SEGMENT_END)


def read_output_tables(folder: str | Path) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Read the tables and summary a planning run wrote to ``folder``.

    Parameters
    ----------
    folder : str or pathlib.Path
        Output folder of ``wfm run`` (``summary.json`` and the CSV tables).

    Returns
    -------
    tables : dict of str to pandas.DataFrame
        Each ``<name>.csv`` by name, timestamps aware in the site's zone.
    summary : dict
        The parsed ``summary.json``.

    Raises
    ------
    InputError
        If the folder holds no ``summary.json`` or ``forecast.csv``.
    """
    from wfm.io import read_frame

    out = Path(folder)
    summary_path = out / "summary.json"
    if not summary_path.is_file() or not (out / "forecast.csv").is_file():
        raise InputError(
            f"folder {str(out)!r} holds no summary.json and forecast.csv of a planning run. "
            "Fix: give the output folder of `wfm run`."
        )
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    tz = str(summary.get("time_zone", "UTC"))
    tables = {
        path.stem: read_frame(path, tz=tz, time_columns=_TIME_COLUMNS)
        for path in sorted(out.glob("*.csv"))
    }
    return tables, summary


def write_folder_report(folder: str | Path, path: str | Path | None = None) -> Path:
    """Rebuild ``report.html`` from the tables and summary of an output folder.

    Parameters
    ----------
    folder : str or pathlib.Path
        Output folder of ``wfm run``.
    path : str or pathlib.Path, optional
        Where to write (default ``folder/report.html``).

    Returns
    -------
    pathlib.Path
        The report written.
    """
    tables, summary = read_output_tables(folder)
    target = Path(path) if path is not None else Path(folder) / "report.html"
    target.write_text(plan_report(tables, summary), encoding="utf-8")
    return target
