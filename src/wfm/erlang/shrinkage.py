"""Shrinkage: from agents needed on the phones to agents that must be scheduled.

Shrinkage is the fraction of paid time in which a scheduled agent is *not* available to take
contacts (breaks, meetings, training, absence, ...). If a fraction ``s`` of scheduled time is
lost, ``N`` agents on the phones need ``N / (1 − s)`` scheduled agents, not ``N × (1 + s)``:
with 30% shrinkage, 10 agents need 14.29 scheduled, not 13.

Independent components combine multiplicatively: the available fraction is the product of
the components' available fractions, so ``s = 1 − Π (1 − s_i)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.core import InputError, infer_interval_minutes, validate_interval_frame
from wfm.core.frames import INTERVAL_START, REQUIRED_AGENTS, require_columns
from wfm.core.types import ShrinkageComponents
from wfm.erlang._checks import FloatArray, check_range

SCHEDULED_AGENTS = "scheduled_agents"
SCHEDULED_AGENT_HOURS = "scheduled_agent_hours"
FTE = "fte"
_ROW_SHRINKAGE = "__wfm_row_shrinkage__"


def _check_shrinkage(value: Any, name: str) -> FloatArray:
    """Validate shrinkage fractions in [0, 1)."""
    return check_range(value, name, low=0.0, high=1.0, high_inclusive=False)


def combine_shrinkage(components: ShrinkageComponents | npt.ArrayLike) -> FloatArray:
    """Combine independent shrinkage components: ``1 − Π (1 − s_i)``.

    Parameters
    ----------
    components : mapping of str to array_like, or sequence of array_like
        Named components, or a sequence (or 1-D array) whose items are the components.
        Each component is a fraction in [0, 1) of paid time lost (e.g.
        ``{"breaks": 0.10, "absence": 0.05, "training": 0.03}``); components may be arrays
        (one value per interval), which broadcast together.

    Returns
    -------
    numpy.ndarray
        Total shrinkage as a fraction in [0, 1) (0-d for scalar components).

    Raises
    ------
    InputError
        If there are no components or one lies outside [0, 1).

    Examples
    --------
    >>> round(float(combine_shrinkage({"breaks": 0.10, "absence": 0.05})), 4)
    0.145
    """
    if isinstance(components, Mapping):
        items = [(str(name), value) for name, value in components.items()]
    elif isinstance(components, str):
        raise InputError(
            f"components={components!r} is a string. Fix: pass a mapping name -> fraction or "
            "a sequence of fractions."
        )
    elif isinstance(components, Sequence | np.ndarray):
        items = [(f"components[{i}]", value) for i, value in enumerate(components)]
    else:
        items = [("components", components)]
    if not items:
        raise InputError("combine_shrinkage got no components. Fix: pass at least one fraction.")
    available = np.ones((), dtype=np.float64)
    for name, value in items:
        available = available * (1.0 - _check_shrinkage(value, f"shrinkage[{name}]"))
    return np.asarray(1.0 - available, dtype=np.float64)


def apply_shrinkage(agents: npt.ArrayLike, shrinkage: npt.ArrayLike) -> FloatArray:
    """Gross agents up for shrinkage: ``agents / (1 − shrinkage)``.

    Parameters
    ----------
    agents : array_like
        Agents needed on the phones (>= 0).
    shrinkage : array_like
        Fraction of scheduled time lost, in [0, 1); broadcast with ``agents``.

    Returns
    -------
    numpy.ndarray
        Agents to schedule (float; rounding belongs to the scheduler).

    Examples
    --------
    >>> round(float(apply_shrinkage(10, 0.3)), 2)
    14.29
    """
    needed = check_range(agents, "agents", low=0.0, unit="agents")
    lost = _check_shrinkage(shrinkage, "shrinkage")
    return np.asarray(needed / (1.0 - lost), dtype=np.float64)


def resolve_shrinkage(
    shrinkage: npt.ArrayLike | Mapping[str, npt.ArrayLike], frame: pd.DataFrame
) -> FloatArray:
    """Turn a shrinkage argument into one fraction per row of ``frame``.

    Parameters
    ----------
    shrinkage : float, mapping, str or array_like
        A fraction; a mapping of independent components (combined with
        :func:`combine_shrinkage`); the name of a column of ``frame`` holding per-row
        fractions; or an array with one value per row.
    frame : pandas.DataFrame
        The frame the values belong to (in its current row order).

    Returns
    -------
    numpy.ndarray
        Shrinkage per row, each in [0, 1).
    """
    if isinstance(shrinkage, str):
        require_columns(frame, [shrinkage], name="frame")
        values = _check_shrinkage(frame[shrinkage], f"frame[{shrinkage!r}]")
    elif isinstance(shrinkage, Mapping):
        values = combine_shrinkage(shrinkage)
    else:
        values = _check_shrinkage(shrinkage, "shrinkage")
    if values.ndim and values.shape[0] != len(frame):
        raise InputError(
            f"shrinkage has {values.shape[0]} values but the frame has {len(frame)} rows. "
            "Fix: pass a scalar, a column name, or one value per row."
        )
    return np.asarray(np.broadcast_to(values, (len(frame),)), dtype=np.float64)


def scheduled_agents_frame(
    frame: pd.DataFrame,
    shrinkage: npt.ArrayLike,
    *,
    requirement_column: str = REQUIRED_AGENTS,
    paid_hours_per_fte: float = 37.5,
    interval_minutes: int | None = None,
) -> pd.DataFrame:
    """Turn a requirement table into scheduled agents and FTE per interval.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long-format interval frame (``queue``, ``interval_start``, ...) with a requirement
        column, e.g. the output of :func:`wfm.erlang.staff_intervals`.
    shrinkage : float, mapping, str or array_like
        Fraction of scheduled time lost, in [0, 1): a scalar, a mapping of independent
        components (combined as ``1 − Π(1 − s_i)``), a column name, or one value per row.
    requirement_column : str, default "required_agents"
        Column with the agents needed on the phones (use ``"required_agents_continuous"``
        for the fractional requirement).
    paid_hours_per_fte : float, default 37.5
        Paid hours of one full-time equivalent per week.
    interval_minutes : int, optional
        Interval length; inferred from the timestamps if omitted.

    Returns
    -------
    pandas.DataFrame
        A copy sorted by (queue, interval_start) with added columns

        - ``scheduled_agents``: ``requirement / (1 − shrinkage)``;
        - ``scheduled_agent_hours``: ``scheduled_agents × interval length in hours``;
        - ``fte``: ``scheduled_agent_hours / paid_hours_per_fte``, the interval's share of
          weekly FTE: summing it over a week's intervals gives the full-time equivalents
          that week needs.
    """
    require_columns(frame, [], name="frame")
    if not (isinstance(shrinkage, str | Mapping) or np.ndim(shrinkage) == 0):
        # per-row values follow the caller's row order: carry them through the sort
        values = np.asarray(shrinkage, dtype=np.float64)
        if values.shape != (len(frame),):
            raise InputError(
                f"shrinkage has shape {values.shape} but the frame has {len(frame)} rows. "
                "Fix: pass a scalar, a mapping of components, a column name, or one value per row."
            )
        frame = frame.assign(**{_ROW_SHRINKAGE: values})
    checked = validate_interval_frame(
        frame,
        interval_minutes=interval_minutes,
        require_aht=False,
        extra_columns=[requirement_column],
    )
    hours_per_fte = float(
        check_range(paid_hours_per_fte, "paid_hours_per_fte", low=0.0, low_inclusive=False)
    )
    if interval_minutes is None:
        interval_minutes = infer_interval_minutes(checked[INTERVAL_START])
    requirement = check_range(
        checked[requirement_column], f"frame[{requirement_column!r}]", low=0.0, unit="agents"
    )
    if isinstance(shrinkage, str | Mapping) or np.ndim(shrinkage) == 0:
        lost = resolve_shrinkage(shrinkage, checked)
    else:
        lost = resolve_shrinkage(_ROW_SHRINKAGE, checked)
    out = checked.drop(columns=[_ROW_SHRINKAGE], errors="ignore")
    out[SCHEDULED_AGENTS] = requirement / (1.0 - lost)
    out[SCHEDULED_AGENT_HOURS] = out[SCHEDULED_AGENTS] * (interval_minutes / 60.0)
    out[FTE] = out[SCHEDULED_AGENT_HOURS] / hours_per_fte
    return out
