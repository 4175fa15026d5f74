"""Timezone-aware interval grids.

A contact centre plans on a grid of equal intervals (15, 30 or 60 minutes) in its own
local time. ``wfm`` builds every grid in UTC with a fixed step and labels it in the
site's IANA time zone, so a local calendar day has as many intervals as it really has
hours: 48 half-hours on an ordinary day, 46 on a spring-forward day and 50 on a
fall-back day (Europe/London, America/New_York, ...).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from wfm.core.errors import InputError

ALLOWED_INTERVAL_MINUTES: tuple[int, ...] = (5, 10, 15, 30, 60)
"""Interval lengths the grid accepts, in minutes (15, 30 and 60 are the usual ones)."""


def _localise_error_types() -> tuple[type[Exception], ...]:
    """Exception types ``tz_localize`` raises for a wall-clock time in a DST gap or overlap.

    pandas 3 raises ``ValueError``; pandas 2.2 and 2.3 raise pytz's ``AmbiguousTimeError``
    and ``NonExistentTimeError``, which are not ``ValueError`` subclasses.
    """
    types: list[type[Exception]] = [ValueError, TypeError]
    try:
        pytz_exceptions = importlib.import_module("pytz.exceptions")
    except ImportError:  # pandas 3 does not need pytz
        return tuple(types)
    types.append(pytz_exceptions.InvalidTimeError)
    return tuple(types)


LOCALISE_ERRORS: tuple[type[Exception], ...] = _localise_error_types()
"""What to catch around ``tz_localize(..., ambiguous="raise", nonexistent="raise")``."""


def check_time_zone(tz: str) -> str:
    """Validate an IANA time-zone name.

    Parameters
    ----------
    tz : str
        IANA name such as ``"Europe/London"``.

    Returns
    -------
    str
        The same name.

    Raises
    ------
    InputError
        If the name is not a known IANA time zone.
    """
    if not isinstance(tz, str) or not tz:
        raise InputError(
            f"tz={tz!r} is not an IANA time-zone name. Fix: pass e.g. 'Europe/London'."
        )
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(
            f"tz={tz!r} is not a known IANA time zone. Fix: use a name such as "
            "'Europe/London', 'America/New_York' or 'UTC'."
        ) from exc
    return tz


def check_interval_minutes(interval_minutes: int) -> int:
    """Validate an interval length in minutes.

    Parameters
    ----------
    interval_minutes : int
        Interval length in minutes; one of ``ALLOWED_INTERVAL_MINUTES``.

    Returns
    -------
    int
        The same length.

    Raises
    ------
    InputError
        If the length is not one of the allowed values.
    """
    if isinstance(interval_minutes, bool) or interval_minutes not in ALLOWED_INTERVAL_MINUTES:
        raise InputError(
            f"interval_minutes={interval_minutes!r} is not supported. "
            f"Fix: use one of {ALLOWED_INTERVAL_MINUTES}."
        )
    return int(interval_minutes)


def to_local_timestamp(value: str | pd.Timestamp, tz: str, field: str) -> pd.Timestamp:
    """Interpret a wall-clock or aware time in a site's time zone.

    Parameters
    ----------
    value : str or pandas.Timestamp
        A naive value is read as local wall-clock time in ``tz``; an aware value is
        converted to ``tz``.
    tz : str
        IANA time zone of the site.
    field : str
        Argument name used in error messages.

    Returns
    -------
    pandas.Timestamp
        Aware timestamp in ``tz``.

    Raises
    ------
    InputError
        If the value cannot be parsed, or the wall-clock time does not exist or is
        ambiguous on a DST change (pass an aware timestamp in that case).
    """
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"{field}={value!r} is not a timestamp. Fix: pass an ISO 8601 time."
        ) from exc
    if pd.isna(stamp):
        raise InputError(f"{field} is NaT. Fix: pass a real timestamp.")
    if stamp.tzinfo is None:
        try:
            return stamp.tz_localize(tz, ambiguous="raise", nonexistent="raise")
        except LOCALISE_ERRORS as exc:
            raise InputError(
                f"{field}={value!r} does not name a single local time in {tz} (it falls in a "
                "DST change). Fix: pass a timezone-aware timestamp with its UTC offset."
            ) from exc
    return stamp.tz_convert(tz)


@dataclass(frozen=True)
class IntervalGrid:
    """A run of equal, timezone-aware intervals.

    Parameters
    ----------
    start : pandas.Timestamp
        Left edge of the first interval, aware, in ``tz``.
    end : pandas.Timestamp
        Right edge of the last interval (exclusive), aware, in ``tz``.
    interval_minutes : int
        Interval length in minutes.
    tz : str
        IANA time zone of the site.

    Notes
    -----
    Build one with :meth:`from_range`. The grid steps in absolute (UTC) time, so
    intervals are always exactly ``interval_minutes`` long, whatever the DST rules.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    interval_minutes: int
    tz: str

    @classmethod
    def from_range(
        cls,
        start: str | pd.Timestamp,
        end: str | pd.Timestamp,
        *,
        interval_minutes: int = 30,
        tz: str = "UTC",
    ) -> IntervalGrid:
        """Build a grid covering ``[start, end)``.

        Parameters
        ----------
        start, end : str or pandas.Timestamp
            Left edge of the first interval and right edge of the last one. Naive values
            are local wall-clock times in ``tz``; a date alone means local midnight.
        interval_minutes : int, default 30
            Interval length in minutes (15, 30 or 60 usually).
        tz : str, default "UTC"
            IANA time zone of the site.

        Returns
        -------
        IntervalGrid

        Raises
        ------
        InputError
            On an unknown time zone, unsupported length, ``end <= start``, or a span that
            is not a whole number of intervals.

        Examples
        --------
        >>> grid = IntervalGrid.from_range("2024-03-31", "2024-04-01", tz="Europe/London")
        >>> len(grid)  # spring-forward day: 23 hours
        46
        """
        check_time_zone(tz)
        check_interval_minutes(interval_minutes)
        start_local = to_local_timestamp(start, tz, "start")
        end_local = to_local_timestamp(end, tz, "end")
        if end_local <= start_local:
            raise InputError(
                f"end={end_local} is not after start={start_local}. Fix: pass end > start."
            )
        step = pd.Timedelta(minutes=interval_minutes)
        if (end_local - start_local) % step != pd.Timedelta(0):
            raise InputError(
                f"the span from start={start_local} to end={end_local} is not a whole number "
                f"of {interval_minutes}-minute intervals. Fix: align start and end to the grid."
            )
        return cls(start=start_local, end=end_local, interval_minutes=interval_minutes, tz=tz)

    @property
    def step(self) -> pd.Timedelta:
        """Interval length as a ``Timedelta``."""
        return pd.Timedelta(minutes=self.interval_minutes)

    @property
    def interval_seconds(self) -> int:
        """Interval length in seconds."""
        return self.interval_minutes * 60

    def __len__(self) -> int:
        return int((self.end - self.start) // self.step)

    @property
    def starts(self) -> pd.DatetimeIndex:
        """Left edges of every interval, aware, in the site's time zone."""
        utc = pd.date_range(
            self.start.tz_convert("UTC"), periods=len(self), freq=self.step, name="interval_start"
        )
        return utc.tz_convert(self.tz)

    def local_dates(self) -> pd.Index:
        """Local calendar date of each interval (``datetime.date`` objects)."""
        return pd.Index(self.starts.date, name="date")

    def intervals_per_day(self) -> pd.Series:
        """Return the number of intervals on each local calendar day of the grid."""
        dates = self.local_dates()
        counts = pd.Series(np.ones(len(dates), dtype=np.int64), index=dates).groupby(level=0).sum()
        counts.name = "intervals"
        return counts


def make_interval_grid(
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    *,
    interval_minutes: int = 30,
    tz: str = "UTC",
) -> pd.DatetimeIndex:
    """Return the interval left edges covering ``[start, end)`` as an aware index.

    Shorthand for ``IntervalGrid.from_range(...).starts``; see
    :meth:`IntervalGrid.from_range` for the parameters.

    Examples
    --------
    >>> idx = make_interval_grid("2024-11-03", "2024-11-04", tz="America/New_York")
    >>> len(idx)  # fall-back day: 25 hours
    50
    """
    return IntervalGrid.from_range(start, end, interval_minutes=interval_minutes, tz=tz).starts


def local_day_starts(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Local midnight of the day each aware timestamp falls on (aware, same zone).

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Aware timestamps.

    Returns
    -------
    pandas.DatetimeIndex
        For each timestamp, the start of its local calendar day.
    """
    if index.tz is None:
        raise InputError("index has naive timestamps. Fix: localise them with tz_localize(tz).")
    return index.normalize()


def minutes_since_local_midnight(index: pd.DatetimeIndex) -> np.ndarray:
    """Minutes since local midnight of each aware timestamp (wall-clock, 0 to 1439).

    On a DST day two intervals can share a wall-clock time (fall back) and some
    wall-clock times do not occur (spring forward); this is the wall-clock reading.
    """
    if index.tz is None:
        raise InputError("index has naive timestamps. Fix: localise them with tz_localize(tz).")
    return np.asarray(index.hour * 60 + index.minute, dtype=np.int64)
