"""Synthetic and real interval histories for the forecast tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"

WEEKDAY_FACTORS = np.array([1.3, 1.1, 1.0, 1.0, 0.9, 0.5, 0.0])  # Monday..Sunday (closed)


def daily_profile(slots: int = 48) -> np.ndarray:
    """Known intraday shape: open 08:00-20:00, a smooth two-peak day, shares summing to 1."""
    hours = (np.arange(slots) + 0.5) * 24 / slots
    shape = np.where(
        (hours > 8) & (hours < 20),
        1.0 + 0.8 * np.exp(-((hours - 10.5) ** 2) / 2) + 0.5 * np.exp(-((hours - 15) ** 2) / 2),
        0.0,
    )
    return shape / shape.sum()


def expected_volume(
    days: int,
    *,
    start: str,
    daily_total: float,
    trend_per_day: float = 0.0,
    slots: int = 48,
    weekday_factors: np.ndarray = WEEKDAY_FACTORS,
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Local-day matrix of Poisson means with known weekday factors, profile and trend."""
    dates = pd.date_range(start, periods=days, freq="D")
    level = daily_total + trend_per_day * np.arange(days)
    factors = weekday_factors[dates.day_of_week]
    return dates, (level * factors)[:, None] * daily_profile(slots)[None, :]


def synthetic_history(
    *,
    days: int = 70,
    start: str = "2024-01-01",
    tz: str = "Europe/London",
    queues: tuple[str, ...] = ("sales",),
    daily_total: float = 2000.0,
    trend_per_day: float = 0.0,
    seed: int = 0,
    weekday_factors: np.ndarray = WEEKDAY_FACTORS,
) -> pd.DataFrame:
    """Poisson arrivals on the real tz-aware 30-minute grid (DST days have 46/50 rows)."""
    rng = np.random.default_rng(seed)
    grid = pd.date_range(
        pd.Timestamp(start, tz=tz),
        pd.Timestamp(start, tz=tz) + pd.Timedelta(days=days + 2),
        freq="30min",
        inclusive="left",
    )
    local = grid.tz_localize(None)
    grid = grid[local.normalize() < pd.Timestamp(start) + pd.Timedelta(days=days)]
    local = grid.tz_localize(None)
    day = (local.normalize() - pd.Timestamp(start)).days.to_numpy()
    slot = (local.hour * 2 + local.minute // 30).to_numpy()
    _, means = expected_volume(
        days,
        start=start,
        daily_total=daily_total,
        trend_per_day=trend_per_day,
        weekday_factors=weekday_factors,
    )
    frames = []
    for q, queue in enumerate(queues):
        mean = means[day, slot] * (1 + 0.2 * q)
        frames.append(
            pd.DataFrame(
                {
                    "queue": queue,
                    "interval_start": grid,
                    "volume": rng.poisson(mean).astype(float),
                    "aht_seconds": np.where(mean > 0, 240.0 + 60.0 * (slot >= 30), np.nan),
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame.loc[frame["volume"] == 0, "aht_seconds"] = np.nan
    return frame


def load_us_bank_30min() -> pd.DataFrame:
    """US bank 5-minute weekday counts aggregated to 30 minutes (America/New_York)."""
    raw = pd.read_csv(DATA / "bank_calls_5min.csv.gz")
    stamps = pd.to_datetime(raw["interval_start"]).dt.tz_localize("America/New_York")
    raw["interval_start"] = stamps.dt.floor("30min")
    return raw.groupby(["queue", "interval_start"], as_index=False)["volume"].sum()


def load_israel_6min_30min() -> pd.DataFrame:
    """Israeli bank 6-minute counts (5 bins per half hour) aggregated to 30 minutes.

    The file lists every wall-clock bin, including the hour 02:00-03:00 of 1999-04-02 that
    did not exist (spring forward); those 10 bins hold 0 calls and are dropped here.
    """
    raw = pd.read_csv(DATA / "israel_bank_6min_1999_h1.csv.gz")
    naive = pd.to_datetime(raw["interval_start"])
    stamps = naive.dt.tz_localize("Asia/Jerusalem", ambiguous="NaT", nonexistent="NaT")
    raw = raw.assign(interval_start=stamps.dt.floor("30min"), queue="israel_bank")
    raw = raw[raw["interval_start"].notna()]
    out = raw.groupby(["queue", "interval_start"], as_index=False)["calls"].sum()
    return out.rename(columns={"calls": "volume"})


@pytest.fixture(scope="session")
def us_bank() -> pd.DataFrame:
    return load_us_bank_30min()


@pytest.fixture(scope="session")
def israel_bank() -> pd.DataFrame:
    return load_israel_6min_30min()
