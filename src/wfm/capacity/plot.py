"""Plot of a capacity plan: FTE required vs available, and the budget per period."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wfm.capacity.planner import CapacityPlanResult
from wfm.core.errors import missing_extra

if TYPE_CHECKING:  # matplotlib is the optional ``plot`` extra
    from matplotlib.figure import Figure


def plot_capacity_plan(result: CapacityPlanResult, *, title: str | None = None) -> Figure:
    """Draw required vs available FTE (top) and the cost per period (bottom).

    The top panel shows required FTE, effective FTE on staff, effective FTE plus overtime,
    headcount (people paid, trainees included) and bars of hires starting per period; the
    bottom panel stacks staff, overtime and hiring cost.

    Parameters
    ----------
    result : CapacityPlanResult
        A plan from :func:`~wfm.capacity.plan_capacity`.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (not shown; call ``savefig`` or ``plt.show``).

    Raises
    ------
    MissingDependencyError
        If matplotlib (the ``plot`` extra) is not installed.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise missing_extra("matplotlib", "plot", "plotting a capacity plan") from exc
    frame = result.periods
    x = np.arange(len(frame))
    labels = [str(start) for start in frame["period_start"]]
    figure = Figure(figsize=(11, 7), layout="constrained")
    fte_axes, cost_axes = figure.subplots(2, 1, sharex=True)
    fte_axes.plot(x, frame["required_fte"], color="black", marker="o", label="required FTE")
    fte_axes.plot(x, frame["effective_fte"], color="tab:blue", label="effective FTE on staff")
    fte_axes.plot(
        x,
        frame["effective_fte"] + frame["overtime_fte"],
        color="tab:blue",
        linestyle="--",
        label="effective FTE + overtime",
    )
    fte_axes.plot(x, frame["headcount"], color="tab:gray", linestyle=":", label="headcount")
    hires_axes = fte_axes.twinx()
    hires_axes.bar(x, frame["hires"], color="tab:green", alpha=0.35, label="hires starting")
    hires_axes.set_ylabel("hires starting")
    fte_axes.set_ylabel("FTE")
    lines, names = fte_axes.get_legend_handles_labels()
    bars, bar_names = hires_axes.get_legend_handles_labels()
    fte_axes.legend(lines + bars, names + bar_names, loc="upper left", fontsize="small")
    bottom = np.zeros(len(frame))
    for column, colour in (
        ("staff_cost", "tab:blue"),
        ("overtime_cost", "tab:orange"),
        ("hiring_cost", "tab:green"),
    ):
        values = frame[column].to_numpy(dtype=float)
        cost_axes.bar(x, values, bottom=bottom, color=colour, label=column.replace("_", " "))
        bottom += values
    cost_axes.set_ylabel("cost per period")
    cost_axes.legend(loc="upper left", fontsize="small")
    cost_axes.set_xticks(x, labels, rotation=60, ha="right", fontsize="small")
    summary = result.summary()
    figure.suptitle(
        title
        or (
            f"Capacity plan: {summary['total_hires']:.0f} hires, "
            f"total cost {summary['total_cost']:,.0f}"
        )
    )
    return figure
