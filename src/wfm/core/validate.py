"""Validation helpers shared by every stage's public entry points.

Each helper either returns the checked value or raises
:class:`~wfm.core.errors.InputError` naming the field, the value, where it is and the fix.
The rules they enforce are listed per input in ``docs/validation.md``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from wfm.core.errors import InputError, describe_value
from wfm.core.grid import LOCALISE_ERRORS, check_time_zone

MAX_DURATION_SECONDS = 7 * 24 * 3600.0
"""Longest handle, talk, wait or segment duration any contact or activity can have (one
week, in seconds). Longer values are typing errors (milliseconds given as seconds, a year
typed wrong) and are refused before anything is allocated for them."""

MAX_SPAN_DAYS = 3 * 366
"""Longest span, in days, of the timestamps of one input (three years). A timestamp that
stretches an input past it (2204 typed for 2024) is refused before a grid is built."""

MAX_GAP_DAYS = 366.0
"""Longest gap, in days, between consecutive distinct timestamps of one input."""

MAX_HISTORY_DAYS = 50 * 366.0
"""Longest span of an interval history (50 years; about 880,000 half-hours per queue)."""

_OFFSET_PATTERN = r"(?:[+-]\d{2}:?\d{2}|Z)$"


def check_number(
    value: Any,
    field: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    integer: bool = False,
    strict_minimum: bool = False,
) -> float:
    """Check one scalar number (never a boolean, never NaN or infinite).

    Parameters
    ----------
    value : Any
        The value given.
    field : str
        Argument or key name for the message.
    minimum, maximum : float, optional
        Allowed range (inclusive unless ``strict_minimum``).
    integer : bool, default False
        Whether the value must be a whole number.
    strict_minimum : bool, default False
        Whether ``value`` must be greater than ``minimum`` rather than at least it.

    Returns
    -------
    float
        The value as a float.

    Raises
    ------
    InputError
        If the value is a boolean, not a real number, not finite, not whole where
        ``integer`` or out of range.

    Examples
    --------
    >>> check_number(3, "agents", minimum=0, integer=True)
    3.0
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise InputError(
            f"{field}={describe_value(value)} is a {type(value).__name__}, not a number. "
            f"Fix: pass a number{' (a whole number)' if integer else ''}."
        )
    number = float(value)
    if not math.isfinite(number):
        raise InputError(f"{field}={number} is not finite. Fix: pass a finite number.")
    if integer and not number.is_integer():
        raise InputError(f"{field}={number} is not a whole number. Fix: pass an integer.")
    if minimum is not None and (number <= minimum if strict_minimum else number < minimum):
        relation = ">" if strict_minimum else ">="
        raise InputError(
            f"{field}={number} is out of range. Fix: pass a value {relation} {minimum}."
        )
    if maximum is not None and number > maximum:
        raise InputError(f"{field}={number} is out of range. Fix: pass a value <= {maximum}.")
    return number


def check_same_length(arrays: Mapping[str, Any]) -> int:
    """Check that one-dimensional array-likes all have the same length.

    Parameters
    ----------
    arrays : mapping of str to array_like
        Argument name to value; scalars (0-d) are skipped since they broadcast.

    Returns
    -------
    int
        The common length (1 if every value is a scalar).

    Raises
    ------
    InputError
        Naming each argument's length when they differ.
    """
    lengths = {name: np.shape(value) for name, value in arrays.items()}
    sized = {name: shape[0] for name, shape in lengths.items() if len(shape) >= 1}
    if len(set(sized.values())) > 1:
        listed = ", ".join(f"{name} has {size}" for name, size in sized.items())
        raise InputError(
            f"the arrays have different lengths ({listed}). Fix: pass one value per item in "
            "each, or a single number to apply to every item."
        )
    return next(iter(sized.values()), 1)


def check_durations(values: Any, field: str, *, maximum: float = MAX_DURATION_SECONDS) -> None:
    """Refuse durations in seconds longer than any contact or activity can last.

    Parameters
    ----------
    values : array_like
        Durations in seconds (NaN allowed; other checks treat it).
    field : str
        Column or argument name.
    maximum : float, default ``MAX_DURATION_SECONDS``
        Longest allowed duration in seconds.

    Raises
    ------
    InputError
        Naming the first offending positions.
    """
    array = np.asarray(values, dtype=np.float64).ravel()
    with np.errstate(invalid="ignore"):
        too_long = array > maximum
    if too_long.any():
        rows = np.flatnonzero(too_long)
        shown = ", ".join(f"row {int(r)}: {array[r]:g}" for r in rows[:3])
        raise InputError(
            f"{field} has durations longer than {maximum:g} s ({maximum / 86400:g} days) at "
            f"{shown}{' and more' if rows.size > 3 else ''}. Fix: give durations in seconds "
            "(not milliseconds) and check those rows."
        )


def check_span(
    stamps: pd.Series | pd.DatetimeIndex,
    field: str,
    *,
    max_days: float = MAX_SPAN_DAYS,
    max_gap_days: float = MAX_GAP_DAYS,
) -> None:
    """Refuse timestamps far outside the data's own span, before any grid is built.

    Two bounds: the whole input may cover at most ``max_days`` days, and no two
    consecutive distinct timestamps may be more than ``max_gap_days`` apart (a single
    mistyped year, 2204 for 2024, leaves such a gap whichever end it is at).

    Raises
    ------
    InputError
        Naming the span or the gap and the timestamps on either side of it.
    """
    index = pd.DatetimeIndex(stamps)
    index = index[~np.asarray(index.isna())]
    if len(index) < 2:
        return
    if index.tz is not None:
        index = index.tz_convert("UTC")
    values = np.unique(index.as_unit("s").asi8)
    if values.size < 2:
        return
    gaps = np.diff(values)
    widest = int(np.argmax(gaps))
    if gaps[widest] > max_gap_days * 86_400:
        before = pd.Timestamp(int(values[widest]), unit="s", tz=index.tz)
        after = pd.Timestamp(int(values[widest + 1]), unit="s", tz=index.tz)
        raise InputError(
            f"{field} has a gap of {gaps[widest] / 86_400:,.0f} days between {before} and "
            f"{after}: one side is far outside the rest of the data. Fix: correct the "
            "mistyped dates (e.g. a wrong year)."
        )
    span_days = (int(values[-1]) - int(values[0])) / 86_400
    if span_days > max_days:
        raise InputError(
            f"{field} spans {span_days:,.0f} days (from {index.min()} to {index.max()}), more "
            f"than the {max_days:g} days one input may cover. Fix: pass a shorter period, or "
            "correct mistyped dates."
        )


def booleans_given_as_numbers(raw: Any, validated: Any, path: str = "") -> list[str]:
    """Paths where the raw input held a boolean but the validated model holds a number.

    Pydantic reads ``true`` as 1 for an ``int`` or ``float`` field; comparing the raw
    input (dicts and lists, as parsed from TOML or JSON) with the validated model finds
    those keys.

    Examples
    --------
    >>> booleans_given_as_numbers({"a": True, "b": [1, False]}, {"a": 1, "b": [1, False]})
    ['a']
    """
    found: list[str] = []
    if isinstance(raw, bool):
        if isinstance(validated, int | float) and not isinstance(validated, bool):
            found.append(path or "value")
        return found
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            if isinstance(validated, Mapping):
                inner = validated.get(key)
            else:
                inner = getattr(validated, str(key), None)
            found += booleans_given_as_numbers(value, inner, f"{path}.{key}" if path else str(key))
        return found
    if isinstance(raw, list | tuple) and isinstance(validated, list | tuple):
        for position, (value, inner) in enumerate(zip(raw, validated, strict=False)):
            found += booleans_given_as_numbers(value, inner, f"{path}[{position}]")
    return found


def check_known_names(
    configured: Iterable[str], existing: Iterable[Any], field: str, *, what: str = "queue"
) -> None:
    """Refuse configuration keys that match nothing in the data.

    A section such as ``[staffing.queues.Sales]`` for a queue named ``sales`` would
    otherwise be ignored without a word and the default used.

    Parameters
    ----------
    configured : iterable of str
        Names used as keys in the configuration.
    existing : iterable
        Names found in the data.
    field : str
        Configuration key holding them, for the message (e.g. ``"staffing.queues"``).
    what : str, default "queue"
        What the names are.

    Raises
    ------
    InputError
        Naming each unknown key, the data's names, and the case-insensitive match if any.

    Examples
    --------
    >>> check_known_names(["sales"], ["sales", "support"], "staffing.queues")
    """
    names = sorted({str(name) for name in existing})
    lower = {name.lower(): name for name in names}
    unknown = [key for key in configured if key not in names]
    if not unknown:
        return
    hints = []
    for key in unknown:
        match = lower.get(key.lower())
        hints.append(
            f"{key!r}" + (f" (did you mean {match!r}? names are case-sensitive)" if match else "")
        )
    raise InputError(
        f"{field} names {what}(s) {', '.join(hints)} that the data do not have; its "
        f"{what}s are {names}. Fix: use those names exactly, or remove the section."
    )


def parse_local_times(values: pd.Series, tz: str | None, *, field: str) -> pd.Series:
    """Read timestamps one way everywhere (files, JSON tables, CLI).

    A value with a UTC offset (ISO 8601, ``...+01:00`` or ``...Z``) keeps its instant and is
    expressed in ``tz``; a value without one is a wall-clock time in ``tz``. A column
    mixing both is refused, as is a wall-clock time that falls in a DST gap or overlap.

    Parameters
    ----------
    values : pandas.Series
        Text (or already-parsed) timestamps; missing cells become NaT.
    tz : str or None
        IANA zone of the site; None keeps values naive (and then refuses offsets).
    field : str
        Column name for messages (e.g. ``"history.csv['interval_start']"``).

    Returns
    -------
    pandas.Series
        Aware in ``tz`` (naive if ``tz`` is None).

    Raises
    ------
    InputError
        On unparsable text (naming the row), mixed offsets, or a DST gap or overlap.

    Examples
    --------
    >>> text = pd.Series(["2024-07-01 09:00", "2024-07-01T09:30:00+01:00"])
    >>> parse_local_times(text.iloc[:1], "Europe/London", field="t").iloc[0]
    Timestamp('2024-07-01 09:00:00+0100', tz='Europe/London')
    """
    if tz is not None:
        check_time_zone(tz)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        if tz is None:
            return values
        converted: pd.Series = values.dt.tz_convert(tz)
        return converted
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _localise(values, tz, field)
    present = values.notna().to_numpy()
    text = values.astype("string").str.strip()
    with_offset = text.str.contains(_OFFSET_PATTERN, regex=True).fillna(False)
    with_offset_array = with_offset.to_numpy(dtype=bool)
    if with_offset_array[present].all() and present.any():
        parsed = _parse(values, field, utc=True)
        return parsed if tz is None else parsed.dt.tz_convert(tz)
    if with_offset_array.any():
        row = int((present & ~with_offset_array).argmax())
        raise InputError(
            f"{field} mixes timestamps with and without UTC offsets (row {values.index[row]!r} "
            f"has none: "
            f"{values.iloc[row]!r}). Fix: write every timestamp the same way."
        )
    return _localise(_parse(values, field, utc=False), tz, field)


def _parse(values: pd.Series, field: str, *, utc: bool) -> pd.Series:
    try:
        parsed: pd.Series = pd.to_datetime(values, utc=utc, format="ISO8601")
        return parsed
    except (ValueError, TypeError, OverflowError) as exc:
        bad = -1
        for row, value in enumerate(values):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            try:
                pd.Timestamp(value)
            except (ValueError, TypeError, OverflowError):
                bad = row
                break
        where = f"row {values.index[bad]!r} ({values.iloc[bad]!r})" if bad >= 0 else "a value"
        raise InputError(
            f"{field} has {where} that is not an ISO 8601 timestamp ({exc}). Fix: write "
            "times as YYYY-MM-DD HH:MM[:SS][+HH:MM]."
        ) from exc


def _localise(naive: pd.Series, tz: str | None, field: str) -> pd.Series:
    if tz is None:
        return naive
    try:
        aware: pd.Series = naive.dt.tz_localize(tz, ambiguous="raise", nonexistent="raise")
        return aware
    except LOCALISE_ERRORS as exc:
        raise InputError(
            f"{field} holds a local time that does not exist or is ambiguous in {tz} (a DST "
            f"change): {exc}. Fix: write the timestamps with their UTC offset."
        ) from exc
