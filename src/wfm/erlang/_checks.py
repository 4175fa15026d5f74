"""Input validation shared by the Erlang engine (private).

Every check either returns a float64 array or raises :class:`~wfm.core.InputError` naming
the argument, the offending value, its position and the fix. Nothing is clipped or filled.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.core import InputError
from wfm.core.errors import describe_value
from wfm.core.validate import check_durations

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def as_float_array(value: Any, name: str) -> FloatArray:
    """Convert a scalar, sequence, numpy array or pandas Series to a float64 array.

    Parameters
    ----------
    value : scalar, sequence, numpy.ndarray or pandas.Series
        The argument.
    name : str
        Argument name for the error message.

    Returns
    -------
    numpy.ndarray
        Float64 array (0-d for a scalar).

    Raises
    ------
    InputError
        If the value is not numeric.
    """
    if _holds_booleans(value):
        raise InputError(
            f"{name}={describe_value(value)} holds booleans, not numbers (True would be read "
            "as 1). Fix: pass numbers."
        )
    if isinstance(value, pd.Series | pd.Index):
        value = value.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"{name}={describe_value(value)} is not numeric. Fix: pass numbers "
            "(a scalar, a sequence, a numpy array or a pandas Series)."
        ) from exc
    if array.dtype == np.bool_:  # pragma: no cover - asarray(float) never returns bool
        raise InputError(f"{name} must be numbers, not booleans.")
    return array


def _holds_booleans(value: Any) -> bool:
    """Whether a scalar or array-like is (or contains) booleans."""
    if isinstance(value, bool | np.bool_):
        return True
    dtype = getattr(value, "dtype", None)
    if dtype is not None:
        return bool(pd.api.types.is_bool_dtype(dtype)) or (
            pd.api.types.is_object_dtype(dtype)
            and any(isinstance(v, bool | np.bool_) for v in np.ravel(value))
        )
    if isinstance(value, list | tuple):
        return any(_holds_booleans(item) for item in value)
    return False


def broadcast_named(arrays: dict[str, FloatArray]) -> list[FloatArray]:
    """Broadcast arrays together, naming each one's shape if they do not fit.

    Raises
    ------
    InputError
        Naming every argument and its length when the shapes do not broadcast.
    """
    try:
        return [np.asarray(a, dtype=np.float64) for a in np.broadcast_arrays(*arrays.values())]
    except ValueError as exc:
        listed = ", ".join(f"{name} has shape {np.shape(a)}" for name, a in arrays.items())
        raise InputError(
            f"the inputs do not have matching lengths ({listed}). Fix: pass one value per "
            "interval in each array, or a single number to apply to every interval."
        ) from exc


def _where(array: FloatArray, bad: BoolArray) -> str:
    """Describe the first offending position and value of ``array``."""
    if array.ndim == 0:
        return f"{describe_value(float(array))}"
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    position = index[0] if len(index) == 1 else index
    count = int(bad.sum())
    more = f" ({count - 1} more)" if count > 1 else ""
    return f"{describe_value(float(array[index]))} at position {position}{more}"


def check_finite(array: FloatArray, name: str) -> None:
    """Raise if any element is NaN or infinite."""
    bad = ~np.isfinite(array)
    if bad.any():
        raise InputError(
            f"{name} must be finite; got {_where(array, bad)}. Fix: supply the value "
            "(wfm never fills missing values)."
        )


def check_range(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    unit: str = "",
) -> FloatArray:
    """Convert ``value`` to a finite float array and check ``low <(=) value <(=) high``.

    Parameters
    ----------
    value : array_like
        The argument.
    name : str
        Argument name for the error message.
    low, high : float, optional
        Bounds; ``None`` means unbounded.
    low_inclusive, high_inclusive : bool, default True
        Whether the bounds themselves are allowed.
    unit : str, default ""
        Unit named in the fix text (e.g. ``"seconds"``).

    Returns
    -------
    numpy.ndarray
        The validated float64 array.

    Raises
    ------
    InputError
        If an element is NaN, infinite or out of range.
    """
    array = as_float_array(value, name)
    check_finite(array, name)
    bad = np.zeros(array.shape, dtype=bool)
    if low is not None:
        bad |= (array < low) if low_inclusive else (array <= low)
    if high is not None:
        bad |= (array > high) if high_inclusive else (array >= high)
    if bad.any():
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        interval = (
            f"{left}{'-inf' if low is None else f'{low:g}'}, "
            f"{'inf' if high is None else f'{high:g}'}{right}"
        )
        unit_text = f" {unit}" if unit else ""
        raise InputError(
            f"{name} must lie in {interval}{unit_text}; got {_where(array, bad)}. "
            f"Fix: pass {name} in that range"
            + (" (fractions are 0..1, not percent)." if high == 1 else ".")
        )
    return array


def check_volume(value: Any, name: str = "volume") -> FloatArray:
    """Validate contacts offered per interval: finite and >= 0."""
    return check_range(value, name, low=0.0, unit="contacts per interval")


def check_aht(aht_seconds: Any, volume: FloatArray, name: str = "aht_seconds") -> FloatArray:
    """Validate average handle time in seconds.

    It must be a finite number > 0 wherever ``volume > 0``. Where volume is 0 it may be NaN
    (no contacts, no handle time) but never negative or infinite. NaN entries are replaced by
    1.0 in the returned array only where volume is 0, where they do not affect any result.
    """
    aht = as_float_array(aht_seconds, name)
    volume_b, aht_b = broadcast_named({"volume": volume, name: aht})
    check_durations(aht_b, name)
    positive_volume = volume_b > 0
    bad = positive_volume & ~(np.isfinite(aht_b) & (aht_b > 0))
    bad |= np.isinf(aht_b) | (aht_b < 0)
    if bad.any():
        raise InputError(
            f"{name} must be a finite number of seconds > 0 wherever volume > 0; got "
            f"{_where(np.asarray(aht_b, dtype=np.float64), bad)}. Fix: supply the average "
            "handle time in seconds (not minutes)."
        )
    unused = ~positive_volume & ~(aht_b > 0)
    if unused.any():
        return np.where(unused, 1.0, aht_b).astype(np.float64)
    return aht


def check_positive(value: Any, name: str, unit: str) -> FloatArray:
    """Validate a finite quantity > 0."""
    return check_range(value, name, low=0.0, low_inclusive=False, unit=unit)


def check_fraction_open(value: Any, name: str) -> FloatArray:
    """Validate a fraction strictly between 0 and 1."""
    return check_range(value, name, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)


def check_seconds(value: Any, name: str) -> FloatArray:
    """Validate a finite, non-negative number of seconds."""
    return check_range(value, name, low=0.0, unit="seconds")


def check_agents(value: Any, name: str = "agents") -> FloatArray:
    """Validate an agent count: finite and >= 0 (fractional values allowed)."""
    return check_range(value, name, low=0.0, unit="agents")


def check_interval_seconds(value: Any) -> FloatArray:
    """Validate the interval length in seconds (> 0)."""
    return check_positive(value, "interval_seconds", "seconds")


def check_patience(value: Any) -> FloatArray | None:
    """Validate mean patience in seconds (finite, > 0), or pass ``None`` through."""
    if value is None:
        return None
    return check_range(
        value,
        "patience_seconds",
        low=0.0,
        low_inclusive=False,
        unit="seconds (finite; use patience_seconds=None for Erlang C)",
    )


def check_min_agents(value: Any) -> IntArray:
    """Validate a non-negative whole number of agents."""
    array = check_range(value, "min_agents", low=0.0, unit="agents")
    fractional = array != np.round(array)
    if fractional.any():
        raise InputError(
            f"min_agents must be whole agents; got {_where(array, fractional)}. "
            "Fix: round it up yourself (min_agents is a floor on the integer requirement)."
        )
    return array.astype(np.int64)
