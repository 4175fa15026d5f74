"""Synthetic multi-queue interval histories for scale tests and benchmarks.

Each queue is drawn from its own random stream (``numpy.random.default_rng([seed, i])``),
so queue ``i`` is the same whether 10 or 10,000 queues are generated, and a worker can
build one queue without the others. The shape is what contact-centre arrivals look like:

- an intraday profile with a morning and an afternoon peak inside the queue's opening
  hours (open 7-9 h, close 17-22 h local, zero outside);
- weekday factors (Monday busiest, Saturday lower, Sunday closed for some queues);
- a linear trend of -10 % to +20 % a year and a queue size drawn log-normally
  (median 300 contacts a day);
- public holidays (1 January, 25-26 December, the first Monday of May and the last of
  August) at 15 % of a normal day;
- Poisson counts around that mean, and handle times scattered around the queue's AHT
  (mean of the contacts of the interval, so fewer contacts scatter more).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.core.errors import InputError

_WEEKDAY = np.array([1.15, 1.05, 1.0, 1.0, 0.95, 0.6, 0.35])  # Monday..Sunday


def _holidays(dates: pd.DatetimeIndex) -> np.ndarray:
    """Boolean mask of the synthetic public holidays among ``dates`` (local days)."""
    month, day, weekday = dates.month, dates.day, dates.day_of_week
    fixed = ((month == 1) & (day == 1)) | ((month == 12) & ((day == 25) | (day == 26)))
    first_monday_may = (month == 5) & (weekday == 0) & (day <= 7)
    last_monday_august = (month == 8) & (weekday == 0) & (day >= 25)
    return np.asarray(fixed | first_monday_may | last_monday_august)


def synthetic_queue_history(
    index: int,
    *,
    days: int = 365,
    start: str = "2025-01-06",
    tz: str = "Europe/London",
    interval_minutes: int = 30,
    seed: int = 0,
) -> pd.DataFrame:
    """Interval history of synthetic queue number ``index`` (see the module docstring).

    Parameters
    ----------
    index : int
        Queue number (>= 0); the queue is named ``q00042`` for 42.
    days : int, default 365
        Local days of history.
    start : str, default "2025-01-06"
        First local day.
    tz : str, default "Europe/London"
        IANA zone of the queue (DST days have 46 or 50 half-hours).
    interval_minutes : int, default 30
        Interval length in minutes (divides 60).
    seed : int, default 0
        Seed of the whole population of queues.

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``interval_start`` (aware, ``tz``), ``volume`` (contacts per interval)
        and ``aht_seconds`` (NaN where no contact arrived).
    """
    if index < 0 or days < 1 or interval_minutes <= 0 or 60 % interval_minutes:
        raise InputError(
            f"index={index}, days={days}, interval_minutes={interval_minutes}: need index "
            ">= 0, days >= 1 and an interval length dividing 60. Fix: pass such values."
        )
    rng = np.random.default_rng([seed, index])
    stamps = pd.date_range(
        pd.Timestamp(start, tz=tz),
        pd.Timestamp(start, tz=tz) + pd.Timedelta(days=days),
        freq=f"{interval_minutes}min",
        inclusive="left",
    )
    local = stamps.tz_localize(None)
    hours = local.hour.to_numpy() + local.minute.to_numpy() / 60.0 + interval_minutes / 120.0
    opens, closes = rng.uniform(7.0, 9.0), rng.uniform(17.0, 22.0)
    morning, afternoon = rng.uniform(9.5, 11.5), rng.uniform(13.5, 16.0)
    profile = np.where(
        (hours > opens) & (hours < closes),
        1.0
        + rng.uniform(0.5, 1.2) * np.exp(-((hours - morning) ** 2) / 2.0)
        + rng.uniform(0.3, 0.9) * np.exp(-((hours - afternoon) ** 2) / 3.0),
        0.0,
    )
    day_number = (local.normalize() - local[0].normalize()).days.to_numpy()
    day_total = float(np.exp(rng.normal(np.log(300.0), 0.8)))
    weekday = _WEEKDAY.copy()
    if rng.random() < 0.4:
        weekday[6] = 0.0
    trend = 1.0 + rng.uniform(-0.1, 0.2) * day_number / 365.0
    day_factor = weekday[local.day_of_week.to_numpy()] * trend
    day_factor = np.where(_holidays(local.normalize()), 0.15 * day_factor, day_factor)
    per_day_profile = profile / (profile.sum() / days)  # shares of one day sum to ~1
    mean = day_total * day_factor * per_day_profile
    volume = rng.poisson(mean).astype(np.float64)
    base_aht = rng.uniform(150.0, 420.0)
    spread = base_aht * 0.4 / np.sqrt(np.maximum(volume, 1.0))
    aht = np.where(
        volume > 0, np.maximum(base_aht + rng.normal(0.0, 1.0, len(volume)) * spread, 20.0), np.nan
    )
    return pd.DataFrame(
        {
            "queue": f"q{index:05d}",
            "interval_start": stamps,
            "volume": volume,
            "aht_seconds": aht,
        }
    )


def synthetic_interval_history(
    queues: int,
    *,
    days: int = 365,
    start: str = "2025-01-06",
    tz: str = "Europe/London",
    interval_minutes: int = 30,
    seed: int = 0,
) -> pd.DataFrame:
    """Histories of synthetic queues ``0 .. queues - 1`` in one long frame.

    Same arguments as :func:`synthetic_queue_history`; ``queues`` is how many.
    """
    if queues < 1:
        raise InputError(f"queues={queues}: need at least 1. Fix: pass a positive count.")
    return pd.concat(
        [
            synthetic_queue_history(
                i, days=days, start=start, tz=tz, interval_minutes=interval_minutes, seed=seed
            )
            for i in range(queues)
        ],
        ignore_index=True,
    )
