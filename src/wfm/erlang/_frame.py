"""DataFrame entry point of the Erlang engine: size every interval of a long-format frame.

Targets may be given three ways, each resolved to one value per row:

- a scalar: the same target everywhere;
- a mapping ``{queue: value}``: one target per queue (every queue in the frame must appear);
- a column name (``str``) of the frame, or an array with one value per row (in the frame's
  own row order): one target per interval.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.core import InputError, infer_interval_minutes, validate_interval_frame
from wfm.core.frames import AHT_SECONDS, INTERVAL_START, QUEUE, VOLUME, require_columns
from wfm.core.types import ExecutorLike, PerQueue
from wfm.erlang._checks import FloatArray
from wfm.erlang.metrics import (
    abandon_rate,
    average_speed_of_answer,
    check_definition,
    occupancy,
    service_level,
)
from wfm.erlang.offered_load import modified_offered_load
from wfm.erlang.shrinkage import SCHEDULED_AGENTS, apply_shrinkage, resolve_shrinkage
from wfm.erlang.staffing import required_agents_both

REQUIRED_AGENTS_CONTINUOUS = "required_agents_continuous"
SERVICE_LEVEL = "service_level"
ASA_SECONDS = "asa_seconds"
OCCUPANCY = "occupancy"
ABANDON_RATE = "abandon_rate"

_ROW_PREFIX = "__wfm_row_"


def _is_per_row(value: Any) -> bool:
    """Whether ``value`` is an array-like meant as one value per row."""
    return not isinstance(value, str | Mapping) and value is not None and np.ndim(value) > 0


def _attach_row_values(frame: pd.DataFrame, arguments: dict[str, Any]) -> pd.DataFrame:
    """Carry per-row array arguments through validation's sort as temporary columns."""
    extra: dict[str, Any] = {}
    for name, value in arguments.items():
        if _is_per_row(value):
            values = np.asarray(value)
            if values.shape != (len(frame),):
                raise InputError(
                    f"{name} has shape {values.shape} but the frame has {len(frame)} rows. "
                    "Fix: pass a scalar, a mapping {queue: value}, a column name, or one value "
                    "per row."
                )
            extra[_ROW_PREFIX + name] = values
    return frame.assign(**extra) if extra else frame


def _resolve(value: Any, name: str, frame: pd.DataFrame) -> Any:
    """Resolve a target argument to a scalar, ``None`` or a per-row float array."""
    if value is None:
        return None
    if _is_per_row(value):
        return frame[_ROW_PREFIX + name].to_numpy()
    if isinstance(value, str):
        require_columns(frame, [value], name="frame")
        return frame[value].to_numpy()
    if isinstance(value, Mapping):
        queues = frame[QUEUE]
        missing = sorted({str(q) for q in queues.unique() if q not in value})
        if missing:
            raise InputError(
                f"{name} is a per-queue mapping but has no value for queue(s) {missing}. "
                "Fix: add them to the mapping."
            )
        return queues.map(lambda q: value[q]).to_numpy(dtype=np.float64)
    return value


def staff_intervals(
    frame: pd.DataFrame,
    *,
    target_service_level: PerQueue | None = 0.8,
    target_seconds: PerQueue = 20,
    max_occupancy: PerQueue | None = None,
    max_asa_seconds: PerQueue | None = None,
    patience_seconds: PerQueue | None = None,
    max_abandon_rate: PerQueue | None = None,
    service_level_definition: str | None = None,
    min_agents: PerQueue = 0,
    shrinkage: float | str | Mapping[str, npt.ArrayLike] | npt.ArrayLike | None = None,
    interval_minutes: int | None = None,
    offered_load: str = "interval",
    n_jobs: int = 1,
    executor: ExecutorLike | None = None,
) -> pd.DataFrame:
    """Size every interval of a long-format frame (the DataFrame entry point).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per (``queue``, ``interval_start``) with ``volume`` (contacts offered per
        interval) and ``aht_seconds``; validated with :func:`wfm.core.validate_interval_frame`.
    target_service_level : scalar, mapping, str, array_like or None, default 0.8
        Fraction in (0, 1) to answer within ``target_seconds``; ``None`` skips it.
    target_seconds : scalar, mapping, str or array_like, default 20
        Answer-time target in seconds.
    max_occupancy, max_asa_seconds, max_abandon_rate : optional
        Further caps (fraction, seconds, fraction); see :func:`wfm.erlang.required_agents`.
    patience_seconds : scalar, mapping, str or array_like, optional
        Mean patience in seconds; switches to Erlang A (then ``service_level_definition`` is
        required).
    service_level_definition : str, optional
        One of ``"answered_of_offered"``, ``"answered_of_answered"``,
        ``"answered_of_offered_excluding_early_abandons"`` (Erlang A only).
    min_agents : scalar, mapping, str or array_like, default 0
        Floor on the whole-agent requirement.
    shrinkage : float, mapping of components, str or array_like, optional
        Fraction of scheduled time lost, in [0, 1). A mapping here means independent
        *components* combined as ``1 − Π(1 − s_i)`` (not per queue); use a column for
        per-queue or per-interval shrinkage.
    interval_minutes : int, optional
        Interval length; inferred from the timestamps if omitted.
    offered_load : {"interval", "modified"}, default "interval"
        ``"interval"`` sizes each interval on its own load, ``volume × AHT / interval``
        (the stationary independent period-by-period, SIPP, method). ``"modified"`` sizes
        it on the modified offered load: the mean number of contacts in service in an
        infinite-server queue fed by the time-varying arrivals (empty before the first
        interval of each queue), which lags the arrivals by about one handle time and
        meets the target more evenly when load changes quickly (Jennings, Mandelbaum,
        Massey and Whitt 1996; ``docs/simulation.md`` compares the methods). Each queue's
        intervals must then be contiguous; the load is expressed as ``effective_volume``
        (contacts per interval that give the same Erlangs at the interval's AHT) and
        intervals without an AHT (no volume) keep an effective volume of 0.
    n_jobs : int, default 1
        Threads for the staffing search over chunks of intervals (1 starts none; the
        result does not depend on it). To spread many queues over processes or a Dask
        cluster, see :func:`wfm.scale.plan_queues`.
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs the staffing search as tasks of 65,536 intervals instead (``n_jobs`` is then
        ignored); the result is identical.

    Every target accepts a scalar, a mapping ``{queue: value}``, a column name, or an array
    with one value per row (in the caller's row order).

    Returns
    -------
    pandas.DataFrame
        A copy sorted by (queue, interval_start) with added columns ``required_agents``
        (int), ``required_agents_continuous`` (float), and the metrics *at the whole-agent
        requirement*: ``service_level`` (fraction within ``target_seconds``; under Erlang A by
        the named definition), ``asa_seconds`` (Erlang C: mean wait of all contacts; Erlang
        A: of answered contacts), ``occupancy`` (fraction) and, with patience,
        ``abandon_rate`` (fraction of offered). With ``shrinkage`` also ``scheduled_agents``
        = ``required_agents / (1 − shrinkage)`` (float).

    Raises
    ------
    InputError
        On an invalid frame or target.
    """
    require_columns(frame, [], name="frame")
    arguments = {
        "target_service_level": target_service_level,
        "target_seconds": target_seconds,
        "max_occupancy": max_occupancy,
        "max_asa_seconds": max_asa_seconds,
        "patience_seconds": patience_seconds,
        "max_abandon_rate": max_abandon_rate,
        "min_agents": min_agents,
        "shrinkage": shrinkage if _is_per_row(shrinkage) else None,
    }
    checked = validate_interval_frame(
        _attach_row_values(frame, arguments), interval_minutes=interval_minutes
    )
    if interval_minutes is None:
        interval_minutes = infer_interval_minutes(checked[INTERVAL_START])
    interval_seconds = 60.0 * interval_minutes
    resolved = {
        name: _resolve(value, name, checked)
        for name, value in arguments.items()
        if name != "shrinkage"
    }
    patience = resolved["patience_seconds"]
    definition = None
    if patience is not None:
        definition = check_definition(service_level_definition)
    volume = checked[VOLUME].to_numpy(dtype=np.float64)
    aht = checked[AHT_SECONDS].to_numpy(dtype=np.float64, na_value=np.nan)
    if offered_load == "modified":
        volume = _modified_offered_volume(checked, volume, aht, interval_seconds)
    elif offered_load != "interval":
        raise InputError(
            f"offered_load={offered_load!r} is not a known method. "
            "Fix: use 'interval' (SIPP) or 'modified' (modified offered load)."
        )
    staffing_arguments = {
        "interval_seconds": interval_seconds,
        "target_service_level": resolved["target_service_level"],
        "target_seconds": resolved["target_seconds"],
        "max_occupancy": resolved["max_occupancy"],
        "max_asa_seconds": resolved["max_asa_seconds"],
        "patience_seconds": patience,
        "max_abandon_rate": resolved["max_abandon_rate"],
        "min_agents": resolved["min_agents"],
        "service_level_definition": definition,
        "n_jobs": n_jobs,
        "executor": executor,
    }
    whole, fractional = required_agents_both(volume, aht, **staffing_arguments)
    metric_arguments = {"interval_seconds": interval_seconds, "patience_seconds": patience}
    out = checked.drop(columns=[c for c in checked.columns if c.startswith(_ROW_PREFIX)])
    if offered_load == "modified":
        out["effective_volume"] = volume
    out["required_agents"] = whole
    out[REQUIRED_AGENTS_CONTINUOUS] = fractional
    out[SERVICE_LEVEL] = service_level(
        volume,
        aht,
        whole,
        resolved["target_seconds"],
        service_level_definition=definition,
        **metric_arguments,
    )
    out[ASA_SECONDS] = average_speed_of_answer(volume, aht, whole, **metric_arguments)
    out[OCCUPANCY] = occupancy(volume, aht, whole, **metric_arguments)
    if patience is not None:
        out[ABANDON_RATE] = abandon_rate(
            volume, aht, whole, patience_seconds=patience, interval_seconds=interval_seconds
        )
    if shrinkage is not None:
        lost = resolve_shrinkage(
            _ROW_PREFIX + "shrinkage" if _is_per_row(shrinkage) else shrinkage, checked
        )
        out[SCHEDULED_AGENTS] = apply_shrinkage(whole, lost)
    return out


def _modified_offered_volume(
    checked: pd.DataFrame, volume: FloatArray, aht: FloatArray, interval_seconds: float
) -> FloatArray:
    """Per-row volume whose stationary load equals the modified offered load (Erlangs)."""
    effective = np.zeros_like(volume)
    queues = checked[QUEUE].to_numpy()
    starts = pd.DatetimeIndex(checked[INTERVAL_START]).as_unit("ns").asi8
    step = int(interval_seconds * 1e9)
    boundaries = np.flatnonzero(queues[1:] != queues[:-1]) + 1
    for rows in np.split(np.arange(len(checked)), boundaries):  # a loop over queues only
        gaps = np.diff(starts[rows]) != step
        if gaps.any():
            where = checked[INTERVAL_START].iloc[rows[1:][gaps][0]]
            raise InputError(
                f"offered_load='modified' needs contiguous intervals, but queue "
                f"{queues[rows[0]]!r} has a gap before interval_start={where}. Fix: add the "
                "missing intervals (with volume 0 if closed) or use offered_load='interval'."
            )
        load = modified_offered_load(volume[rows], aht[rows], interval_seconds).ravel()
        has_aht = np.isfinite(aht[rows]) & (aht[rows] > 0)
        effective[rows] = np.where(
            has_aht, load * interval_seconds / np.where(has_aht, aht[rows], 1.0), 0.0
        )
    return effective
