"""Plots and a self-contained HTML report for a planning run.

Every plot function takes the library's frames (column names are arguments with the
library's defaults) and returns a matplotlib ``Figure``. matplotlib is the optional extra
``plot``; without it the functions raise :class:`~wfm.core.errors.MissingDependencyError`
naming ``pip install 'openwfm[plot]'``.

:func:`html_report` assembles sections (text, figures embedded as base64 PNG, tables) into
one HTML file with no external resources, so it can be mailed or archived as is.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from wfm.core.errors import InputError, missing_extra
from wfm.core.frames import infer_interval_minutes, require_columns

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


def plot_forecast(
    forecast: pd.DataFrame,
    actual: pd.DataFrame | None = None,
    *,
    value_column: str = "volume",
    levels: Sequence[int] = (80, 95),
    title: str = "Forecast vs actual",
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

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(forecast, ["interval_start", value_column], name="forecast")
    summed = forecast.groupby("interval_start").sum(numeric_only=True)
    figure, axes = _subplots(12, 4)
    for level in sorted(levels, reverse=True):
        lo, hi = f"{value_column}_lo_{level}", f"{value_column}_hi_{level}"
        if lo in summed.columns and hi in summed.columns:
            axes.fill_between(
                summed.index,
                summed[lo],
                summed[hi],
                alpha=0.15 + 0.1 * (level < 90),
                color="#1f77b4",
                label=f"{level}% interval",
                step="post",
            )
    axes.step(summed.index, summed[value_column], where="post", color="#1f77b4", label="forecast")
    if actual is not None:
        require_columns(actual, ["interval_start", value_column], name="actual")
        observed = actual.groupby("interval_start")[value_column].sum()
        observed = observed[
            (observed.index >= summed.index.min()) & (observed.index <= summed.index.max())
        ]
        axes.step(
            observed.index, observed.to_numpy(), where="post", color="black", lw=0.9, label="actual"
        )
    axes.set_ylabel("contacts per interval")
    axes.set_title(title)
    axes.legend(loc="upper right")
    figure.autofmt_xdate()
    figure.tight_layout()
    return figure


def plot_coverage(
    coverage: pd.DataFrame,
    *,
    required_column: str = "required",
    scheduled_column: str = "scheduled",
    title: str = "Requirement vs scheduled coverage",
) -> Figure:
    """Plot required and scheduled agents per interval, shading under- and over-coverage.

    Parameters
    ----------
    coverage : pandas.DataFrame
        ``interval_start``, ``required_column`` and ``scheduled_column`` (agents per
        interval; several queues are summed).
    required_column, scheduled_column : str
        Column names.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(
        coverage, ["interval_start", required_column, scheduled_column], name="coverage"
    )
    summed = coverage.groupby("interval_start")[[required_column, scheduled_column]].sum()
    required = summed[required_column].to_numpy(dtype=float)
    scheduled = summed[scheduled_column].to_numpy(dtype=float)
    figure, axes = _subplots(12, 4)
    axes.step(summed.index, required, where="post", color="#d62728", label="required")
    axes.step(summed.index, scheduled, where="post", color="#2ca02c", label="scheduled")
    axes.fill_between(
        summed.index,
        required,
        scheduled,
        where=scheduled < required,
        step="post",
        color="#d62728",
        alpha=0.25,
        label="under",
    )
    axes.fill_between(
        summed.index,
        required,
        scheduled,
        where=scheduled > required,
        step="post",
        color="#2ca02c",
        alpha=0.15,
        label="over",
    )
    axes.set_ylabel("agents")
    axes.set_title(title)
    axes.legend(loc="upper right")
    figure.autofmt_xdate()
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
    pivot = table.pivot_table(index="date", columns="time", values="value", aggfunc="mean")
    minutes = infer_interval_minutes(stamps) if len(stamps.unique()) > 1 else 30
    slots = [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60, minutes)]
    return pivot.reindex(columns=slots)


def plot_interval_heatmap(
    frame: pd.DataFrame,
    value_column: str = "service_level",
    *,
    title: str = "Service level by day and half-hour",
    vmin: float | None = 0.0,
    vmax: float | None = 1.0,
    cmap: str = "RdYlGn",
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

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = day_by_interval_table(frame, value_column)
    figure, axes = _subplots(12, 0.35 * len(table) + 1.5)
    image = axes.imshow(
        table.to_numpy(dtype=float),
        aspect="auto",
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        interpolation="nearest",
    )
    axes.set_yticks(range(len(table)), [str(d) for d in table.index])
    step = max(1, len(table.columns) // 12)
    axes.set_xticks(range(0, len(table.columns), step), list(table.columns[::step]))
    axes.set_title(title)
    figure.colorbar(image, ax=axes, fraction=0.025)
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
        Draw at most this many agents (the first by name).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(segments, ["agent", "activity", "start", "end"], name="segments")
    shown = segments
    if start is not None:
        shown = shown[shown["end"] > start]
    if end is not None:
        shown = shown[shown["start"] < end]
    agents = sorted(shown["agent"].astype(str).unique())[:max_agents]
    shown = shown[shown["agent"].astype(str).isin(agents)]
    row = {agent: i for i, agent in enumerate(agents)}
    figure, axes = _subplots(12, 0.3 * len(agents) + 1.5)
    for activity, group in shown.groupby("activity"):
        # wall-clock local times, so a shift reads as the agent sees it
        lefts = pd.DatetimeIndex(group["start"]).tz_localize(None).to_numpy()
        rights = pd.DatetimeIndex(group["end"]).tz_localize(None).to_numpy()
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
    axes.set_title(literal_text(title) + " (local time)")
    axes.legend(loc="upper right", fontsize="small")
    figure.autofmt_xdate()
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

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(frame, [label_column, value_column], name="frame")
    figure, axes = _subplots(8, 0.28 * len(frame) + 1.5)
    axes.barh(
        frame[label_column].astype(str).map(literal_text),
        frame[value_column].to_numpy(dtype=float),
        color="#1f77b4",
    )
    if reference is not None:
        axes.axvline(reference, color="#d62728", ls="--", lw=1)
    axes.invert_yaxis()
    axes.set_xlabel(literal_text(xlabel))
    axes.set_title(literal_text(title))
    figure.tight_layout()
    return figure


def figure_to_png_base64(figure: Figure) -> str:
    """Render a figure to PNG and return it base64-encoded (and close the figure)."""
    plt = _pyplot()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass
class ReportSection:
    """One section of an HTML report.

    Attributes
    ----------
    title : str
        Section heading.
    text : str
        Paragraph(s) of plain text (escaped; blank lines separate paragraphs).
    figures : list of matplotlib Figure
        Figures, embedded as PNG.
    tables : list of pandas.DataFrame
        Tables, rendered as HTML.
    """

    title: str
    text: str = ""
    figures: list[Figure] = field(default_factory=list)
    tables: list[pd.DataFrame] = field(default_factory=list)


_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
max-width:1200px;color:#222;padding:0 1em}h1{border-bottom:2px solid #444}
h2{margin-top:2em;border-bottom:1px solid #bbb}
table{border-collapse:collapse;font-size:0.85em;margin:1em 0}td,th{border:1px solid #ccc;
padding:3px 8px;text-align:right}th{background:#f2f2f2}img{max-width:100%}p{line-height:1.45}
"""


def html_report(
    title: str, sections: Sequence[ReportSection], *, float_format: str = "{:,.3f}"
) -> str:
    """Assemble a self-contained HTML report.

    Parameters
    ----------
    title : str
        Report title.
    sections : sequence of ReportSection
        Sections in order.
    float_format : str, default "{:,.3f}"
        Format for floats in tables.

    Returns
    -------
    str
        The HTML document (figures embedded as base64 PNG; no external resources).
    """
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        for paragraph in [p for p in section.text.split("\n\n") if p.strip()]:
            parts.append(f"<p>{html.escape(paragraph)}</p>")
        for figure in section.figures:
            png = figure_to_png_base64(figure)
            alt = html.escape(section.title)
            parts.append(f"<img alt='{alt}' src='data:image/png;base64,{png}'>")
        for table in section.tables:
            parts.append(table.to_html(float_format=float_format.format, border=0, na_rep="–"))
    parts.append("</body></html>")
    return "\n".join(parts)
