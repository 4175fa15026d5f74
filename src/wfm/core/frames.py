"""The long-format interval frame shared by every stage, and its validation.

One row per (``queue``, ``interval_start``):

============== ============================================================
column          meaning
============== ============================================================
queue           queue (or skill, or channel) identifier, any hashable value
interval_start  left edge of the interval, timezone-aware
volume          contacts offered in the interval (count, >= 0)
aht_seconds     average handle time of those contacts in seconds (> 0 where
                volume > 0; may be NaN where volume == 0)
============== ============================================================

Later stages add columns (``required_agents``, ``service_level``, ...). Validation
never drops, clips or fills anything: it either returns a sorted copy or raises
:class:`~wfm.core.errors.InputError` naming the column, the value, the row and the fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from wfm.core.errors import InputError, describe_value
from wfm.core.grid import check_interval_minutes
from wfm.core.validate import MAX_HISTORY_DAYS, check_durations, check_span

QUEUE = "queue"
INTERVAL_START = "interval_start"
VOLUME = "volume"
AHT_SECONDS = "aht_seconds"
REQUIRED_AGENTS = "required_agents"

INTERVAL_COLUMNS: tuple[str, ...] = (QUEUE, INTERVAL_START, VOLUME, AHT_SECONDS)
"""Columns of the canonical interval frame, in order."""

# Schedule segments: written by wfm.schedule, read by wfm.adherence and the simulator.
AGENT = "agent"
ACTIVITY = "activity"
SEGMENT_START = "start"
SEGMENT_END = "end"
SEGMENT_KEY_COLUMNS: tuple[str, ...] = (AGENT, ACTIVITY, SEGMENT_START, SEGMENT_END)
"""Columns every segments frame has (``start``/``end`` aware, ``end`` exclusive)."""
SEGMENT_COLUMNS: tuple[str, ...] = (*SEGMENT_KEY_COLUMNS, "shift_id", "template", QUEUE)
"""Columns of the segments frame a schedule returns, in order."""

_MAX_ROWS_IN_MESSAGE = 3


def _rows_text(frame: pd.DataFrame, mask: np.ndarray, column: str) -> str:
    """Describe the first offending rows of ``frame`` where ``mask`` holds."""
    positions = np.flatnonzero(mask)
    shown = []
    for pos in positions[:_MAX_ROWS_IN_MESSAGE]:
        label = frame.index[pos]
        row = frame.iloc[pos]
        where = f"row {label!r}"
        if QUEUE in frame.columns:
            where += f" (queue={row[QUEUE]!r}"
            if INTERVAL_START in frame.columns and column != INTERVAL_START:
                where += f", interval_start={row[INTERVAL_START]}"
            where += ")"
        shown.append(f"{where}: {column}={describe_value(row[column])}")
    more = len(positions) - len(shown)
    suffix = f" and {more} more row(s)" if more > 0 else ""
    return "; ".join(shown) + suffix


def require_columns(frame: pd.DataFrame, columns: Iterable[str], *, name: str = "frame") -> None:
    """Raise if ``frame`` is not a DataFrame or lacks any of ``columns``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Frame to check.
    columns : iterable of str
        Column names that must be present.
    name : str, default "frame"
        Argument name used in the error message.

    Raises
    ------
    InputError
        If ``frame`` is not a DataFrame or a column is missing.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"{name} must be a pandas DataFrame, got {type(frame).__name__}. "
            "Fix: pass a long-format DataFrame."
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"{name} is missing column(s) {missing}; it has {list(frame.columns)}. "
            "Fix: add or rename the columns (column-name arguments let you map your own names)."
        )


def check_aware_timestamps(frame: pd.DataFrame, column: str, *, name: str = "frame") -> None:
    """Raise unless ``frame[column]`` holds timezone-aware timestamps with no NaT.

    Parameters
    ----------
    frame : pandas.DataFrame
        Frame to check.
    column : str
        Timestamp column.
    name : str, default "frame"
        Argument name used in the error message.

    Raises
    ------
    InputError
        If the column is not datetime, is naive, or holds NaT.
    """
    values = frame[column]
    if not isinstance(values.dtype, pd.DatetimeTZDtype):
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            raise InputError(
                f"{name}[{column!r}] holds naive timestamps (no time zone). Fix: "
                f"{name}[{column!r}] = {name}[{column!r}].dt.tz_localize('Area/City') with the "
                "site's IANA time zone."
            )
        raise InputError(
            f"{name}[{column!r}] has dtype {values.dtype}, not timezone-aware datetimes. "
            "Fix: convert with pandas.to_datetime(...) and tz_localize the site's time zone."
        )
    nat = values.isna().to_numpy()
    if nat.any():
        raise InputError(
            f"{name}[{column!r}] has missing timestamps (NaT) at {_rows_text(frame, nat, column)}. "
            "Fix: remove or repair those rows before calling."
        )


def check_on_grid(
    frame: pd.DataFrame, column: str, interval_minutes: int, *, name: str = "frame"
) -> None:
    """Raise unless every timestamp is a local-clock multiple of the interval length.

    An interval of ``interval_minutes`` starts on a local wall-clock time whose minutes
    since midnight are a multiple of ``interval_minutes``, with zero seconds.

    Raises
    ------
    InputError
        Naming the first off-grid rows.
    """
    stamps = pd.DatetimeIndex(frame[column])
    minutes = stamps.hour * 60 + stamps.minute
    off = (np.asarray(minutes) % interval_minutes != 0) | (np.asarray(stamps.second) != 0)
    off |= np.asarray(stamps.microsecond) != 0
    off |= np.asarray(stamps.nanosecond) != 0
    if off.any():
        raise InputError(
            f"{name}[{column!r}] has timestamps off the {interval_minutes}-minute grid at "
            f"{_rows_text(frame, off, column)}. Fix: floor them to the interval start "
            f"(Series.dt.floor('{interval_minutes}min')) and aggregate, or pass the right "
            "interval_minutes."
        )


MIN_ROWS_FOR_RESOLUTION = 4
"""A queue needs this many distinct interval starts before its resolution is judged."""


def check_resolution(frame: pd.DataFrame, interval_minutes: int, *, name: str = "frame") -> None:
    """Raise if the data are at a coarser resolution than the declared interval length.

    Hourly data declared as 30-minute intervals sit on the grid, but no two rows of a
    queue are ever 30 minutes apart: every :30 slot would be read as a closed interval.
    A queue with at least ``MIN_ROWS_FOR_RESOLUTION`` distinct starts whose closest two
    are further apart than ``interval_minutes`` is taken as that coarser resolution.
    (Finer data, e.g. 15-minute rows declared as 30, fail the grid check instead.)

    Raises
    ------
    InputError
        Naming the declared and the observed interval length.
    """
    if frame.empty:
        return
    stamps = pd.DatetimeIndex(frame[INTERVAL_START]).as_unit("s").asi8
    queues = pd.factorize(frame[QUEUE])[0]
    order = np.lexsort((stamps, queues))
    q, t = queues[order], stamps[order]
    same = (q[1:] == q[:-1]) & (t[1:] != t[:-1])
    if not same.any():
        return
    gaps = (t[1:] - t[:-1])[same]
    distinct = np.bincount(q[1:][same], minlength=q.max() + 1) + 1
    if distinct.max() < MIN_ROWS_FOR_RESOLUTION:
        return
    smallest = int(gaps.min()) / 60
    if smallest > interval_minutes:
        raise InputError(
            f"{name} is declared with interval_minutes={interval_minutes}, but no two rows of "
            f"a queue are closer than {smallest:g} minutes: the data look like "
            f"{smallest:g}-minute intervals, and every slot in between would be read as a "
            f"closed interval with no contacts. Fix: pass interval_minutes={smallest:g} (or "
            "the length the data really have), or resample the data to the declared length."
        )


def infer_interval_minutes(stamps: pd.Series | pd.DatetimeIndex, *, name: str = "frame") -> int:
    """Infer the interval length from the smallest positive gap between timestamps.

    Parameters
    ----------
    stamps : pandas.Series or pandas.DatetimeIndex
        Interval starts (any order, may contain several queues).
    name : str, default "frame"
        Argument name used in error messages.

    Returns
    -------
    int
        Interval length in minutes.

    Raises
    ------
    InputError
        If fewer than two distinct timestamps exist or the gap is not a supported length.
    """
    unique = np.unique(pd.DatetimeIndex(stamps).as_unit("ns").asi8)
    if unique.size < 2:
        raise InputError(
            f"cannot infer the interval length of {name} from fewer than two distinct "
            "interval_start values. Fix: pass interval_minutes explicitly."
        )
    gap_ns = int(np.diff(unique).min())
    minutes = gap_ns / 60e9
    if not float(minutes).is_integer():
        raise InputError(
            f"the smallest gap between {name} timestamps is {minutes:g} minutes, not a whole "
            "number. Fix: pass interval_minutes explicitly and floor the timestamps to it."
        )
    return check_interval_minutes(int(minutes))


def check_nonnegative_finite(frame: pd.DataFrame, column: str, *, name: str = "frame") -> None:
    """Raise unless ``frame[column]`` is numeric, finite and >= 0 everywhere."""
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        raise InputError(
            f"{name}[{column!r}] has dtype {values.dtype}, not numbers. Fix: convert it with "
            "pandas.to_numeric."
        )
    array = values.to_numpy(dtype=np.float64, na_value=np.nan)
    bad_nan = ~np.isfinite(array)
    if bad_nan.any():
        raise InputError(
            f"{name}[{column!r}] has missing or infinite values at "
            f"{_rows_text(frame, bad_nan, column)}. Fix: supply the value; wfm never fills "
            "gaps silently (use 0 for a closed interval)."
        )
    negative = array < 0
    if negative.any():
        raise InputError(
            f"{name}[{column!r}] has negative values at {_rows_text(frame, negative, column)}. "
            f"Fix: {column} must be >= 0."
        )


def validate_interval_frame(
    frame: pd.DataFrame,
    *,
    interval_minutes: int | None = None,
    require_aht: bool = True,
    extra_columns: Sequence[str] = (),
    name: str = "frame",
) -> pd.DataFrame:
    """Validate a long-format interval frame and return a sorted copy.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per (``queue``, ``interval_start``) with ``volume`` (contacts offered per
        interval) and, if ``require_aht``, ``aht_seconds`` (seconds).
    interval_minutes : int, optional
        Expected interval length in minutes. Inferred from the timestamps if omitted.
    require_aht : bool, default True
        Whether ``aht_seconds`` must be present and valid.
    extra_columns : sequence of str, default ()
        Further columns that must be present.
    name : str, default "frame"
        Argument name used in error messages.

    Returns
    -------
    pandas.DataFrame
        A copy sorted by (``queue``, ``interval_start``) with a fresh ``RangeIndex``.
        Nothing is dropped, clipped or filled.

    Raises
    ------
    InputError
        On a missing column, naive or missing timestamps, off-grid timestamps, a duplicate
        (queue, interval_start), negative/NaN/infinite volume, or ``aht_seconds`` that is
        missing or <= 0 where volume > 0.
    """
    columns = [QUEUE, INTERVAL_START, VOLUME]
    if require_aht:
        columns.append(AHT_SECONDS)
    require_columns(frame, [*columns, *extra_columns], name=name)
    if frame.empty:
        raise InputError(f"{name} has no rows. Fix: pass at least one interval.")
    check_aware_timestamps(frame, INTERVAL_START, name=name)
    if frame[QUEUE].isna().any():
        raise InputError(
            f"{name}[{QUEUE!r}] has missing values at "
            f"{_rows_text(frame, frame[QUEUE].isna().to_numpy(), QUEUE)}. Fix: name every queue."
        )
    check_span(frame[INTERVAL_START], f"{name}[{INTERVAL_START!r}]", max_days=MAX_HISTORY_DAYS)
    if interval_minutes is None:
        interval_minutes = infer_interval_minutes(frame[INTERVAL_START], name=name)
        check_on_grid(frame, INTERVAL_START, interval_minutes, name=name)
    else:
        check_interval_minutes(interval_minutes)
        check_on_grid(frame, INTERVAL_START, interval_minutes, name=name)
        check_resolution(frame, interval_minutes, name=name)
    duplicated = frame.duplicated(subset=[QUEUE, INTERVAL_START], keep=False).to_numpy()
    if duplicated.any():
        raise InputError(
            f"{name} has duplicate (queue, interval_start) rows at "
            f"{_rows_text(frame, duplicated, INTERVAL_START)}. Fix: aggregate them first "
            "(sum volume, volume-weight aht_seconds)."
        )
    check_nonnegative_finite(frame, VOLUME, name=name)
    if require_aht:
        aht = frame[AHT_SECONDS]
        if not pd.api.types.is_numeric_dtype(aht.dtype):
            raise InputError(
                f"{name}[{AHT_SECONDS!r}] has dtype {aht.dtype}, not numbers. "
                "Fix: convert it with pandas.to_numeric (seconds)."
            )
        aht_values = aht.to_numpy(dtype=np.float64, na_value=np.nan)
        check_durations(aht_values, f"{name}[{AHT_SECONDS!r}]")
        volume = frame[VOLUME].to_numpy(dtype=np.float64)
        bad = (volume > 0) & ~(np.isfinite(aht_values) & (aht_values > 0))
        bad |= np.isinf(aht_values) | (aht_values < 0)
        if bad.any():
            raise InputError(
                f"{name}[{AHT_SECONDS!r}] must be a finite number of seconds > 0 wherever "
                f"volume > 0 (and never negative); bad at {_rows_text(frame, bad, AHT_SECONDS)}. "
                "Fix: supply the handle time in seconds (not minutes) for those intervals."
            )
    return frame.sort_values([QUEUE, INTERVAL_START], kind="stable").reset_index(drop=True)


def empty_interval_frame(tz: str = "UTC") -> pd.DataFrame:
    """Return an empty interval frame with the canonical columns and dtypes."""
    return pd.DataFrame(
        {
            QUEUE: pd.Series([], dtype=object),
            INTERVAL_START: pd.Series([], dtype=pd.DatetimeTZDtype(tz=tz)),
            VOLUME: pd.Series([], dtype=np.float64),
            AHT_SECONDS: pd.Series([], dtype=np.float64),
        }
    )
