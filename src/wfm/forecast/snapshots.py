"""Forecast snapshots (save the forecast that was used, score it later) and aggregation.

A snapshot is the forecast frame plus metadata (model per queue, horizon, start, zone,
interval length, creation time, any user fields). ``.parquet`` files keep the metadata as
JSON in the Arrow schema metadata (key ``wfm.forecast``) and need the ``parquet`` extra;
``.json`` files hold ``{"metadata": ..., "table": ...}`` with the frame as a
:class:`wfm.core.Table` (exact round trip of aware timestamps).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from wfm.core._display import ResultDisplay
from wfm.core._summary import Summary
from wfm.core.errors import InputError, missing_extra
from wfm.core.frames import AHT_SECONDS, INTERVAL_START, QUEUE, VOLUME, require_columns
from wfm.core.tables import Table
from wfm.core.types import JsonValue
from wfm.forecast.intervals import IntervalForecast
from wfm.forecast.metrics import forecast_accuracy

_META_KEY = b"wfm.forecast"


@dataclass(frozen=True, repr=False)
class ForecastSnapshot(ResultDisplay):
    """A saved forecast and its metadata.

    Attributes
    ----------
    frame : pandas.DataFrame
        The long-format forecast frame.
    metadata : dict
        JSON-safe description (model, horizon, start, zone, created_at, ...).
    """

    frame: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the forecast frame."""
        return self.frame.copy()

    def summary(self) -> Summary:
        """Rows, queues, contacts and the scalar metadata (others as JSON text).

        Metadata values that are not one number, flag or word (model per queue, special
        days) appear as compact JSON text in the ``metadata`` section.
        """
        metadata = {
            str(key): value
            if value is None or isinstance(value, bool | int | float | str)
            else json.dumps(value, default=str, separators=(",", ":"))
            for key, value in self.metadata.items()
        }
        return Summary(
            "ForecastSnapshot",
            {
                "rows": len(self.frame),
                "queues": int(self.frame[QUEUE].nunique()) if QUEUE in self.frame else 0,
                "forecast_contacts": float(self.frame[VOLUME].sum())
                if VOLUME in self.frame
                else None,
                "metadata": Summary("metadata", metadata),
            },
            units={"forecast_contacts": "contacts"},
        )


def save_forecast_snapshot(
    forecast: IntervalForecast | pd.DataFrame,
    path: str | Path,
    *,
    metadata: Mapping[str, JsonValue] | None = None,
) -> Path:
    """Write a forecast and its metadata to ``.parquet`` or ``.json``.

    Parameters
    ----------
    forecast : IntervalForecast or pandas.DataFrame
        What ``forecast_intervals`` returned, or its frame.
    path : str or Path
        Target file; the suffix picks the format.
    metadata : mapping, optional
        Extra JSON-safe fields (merged over the forecast's own metadata).

    Returns
    -------
    Path
        The written path.

    Raises
    ------
    InputError
        On an unknown suffix or metadata that is not JSON-serialisable.
    MissingDependencyError
        For ``.parquet`` without ``pyarrow``.
    """
    if isinstance(forecast, IntervalForecast):
        frame, meta = forecast.frame, dict(forecast.metadata)
    else:
        frame, meta = forecast, {}
    require_columns(frame, [QUEUE, INTERVAL_START, VOLUME], name="forecast")
    meta.update(metadata or {})
    meta.setdefault("created_at", pd.Timestamp.now(tz="UTC").isoformat())
    try:
        meta_text = json.dumps(meta, sort_keys=True)
    except TypeError as exc:
        raise InputError(
            f"metadata is not JSON-serialisable ({exc}). Fix: use plain values."
        ) from exc
    target = Path(path)
    frame = frame.reset_index(drop=True)
    if target.suffix == ".parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:  # pragma: no cover - exercised without the extra
            raise missing_extra("pyarrow", "parquet", "saving a forecast snapshot") from exc
        table = pa.Table.from_pandas(frame, preserve_index=False)
        schema_meta = dict(table.schema.metadata or {})
        schema_meta[_META_KEY] = meta_text.encode()
        pq.write_table(table.replace_schema_metadata(schema_meta), target)
    elif target.suffix == ".json":
        payload = {"metadata": meta, "table": Table.from_frame(frame).model_dump(mode="json")}
        target.write_text(json.dumps(payload), encoding="utf-8")
    else:
        raise InputError(
            f"path={str(path)!r} has suffix {target.suffix!r}. Fix: use .parquet or .json."
        )
    return target


def load_forecast_snapshot(path: str | Path) -> ForecastSnapshot:
    """Read a snapshot written by :func:`save_forecast_snapshot`.

    Raises
    ------
    InputError
        If the file does not exist, has an unknown suffix or holds no snapshot metadata.
    """
    source = Path(path)
    if not source.exists():
        raise InputError(f"path={str(path)!r} does not exist. Fix: pass a saved snapshot.")
    if source.suffix == ".parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError as exc:  # pragma: no cover
            raise missing_extra("pyarrow", "parquet", "reading a forecast snapshot") from exc
        table = pq.read_table(source)
        raw = (table.schema.metadata or {}).get(_META_KEY)
        if raw is None:
            raise InputError(f"{source} has no wfm.forecast metadata. Fix: pass a snapshot.")
        return ForecastSnapshot(table.to_pandas(), json.loads(raw))
    if source.suffix == ".json":
        payload = json.loads(source.read_text(encoding="utf-8"))
        frame = Table.model_validate(payload["table"]).to_frame()
        return ForecastSnapshot(frame, dict(payload["metadata"]))
    raise InputError(f"path={str(path)!r} must end in .parquet or .json.")


def score_forecast_snapshot(
    snapshot: ForecastSnapshot | str | Path,
    actuals: pd.DataFrame,
    *,
    resolution: Literal["interval", "day", "week"] = "interval",
    by: Sequence[Literal["queue", "date", "week", "lead_day"]] = ("queue",),
) -> pd.DataFrame:
    """Score a saved forecast against actuals (see :func:`forecast_accuracy`)."""
    loaded = (
        snapshot if isinstance(snapshot, ForecastSnapshot) else load_forecast_snapshot(snapshot)
    )
    return forecast_accuracy(loaded.frame, actuals, resolution=resolution, by=by)


_FREQUENCIES = {"day": "D", "week": "W-SUN", "month": "MS"}


def aggregate_forecast(
    forecast: IntervalForecast | pd.DataFrame,
    *,
    period: Literal["day", "week", "month"] = "day",
) -> pd.DataFrame:
    """Sum an interval forecast to local daily, weekly (Monday start) or monthly totals.

    Parameters
    ----------
    forecast : IntervalForecast or pandas.DataFrame
        Interval forecast frame.
    period : {"day", "week", "month"}, default "day"
        Total per local day, per week starting Monday, or per calendar month.

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``period_start`` (local date, naive), ``volume`` (contacts), ``intervals``
        and ``aht_seconds`` (volume-weighted, seconds). Interval bands are not summed (they
        are not additive); use a daily model or the backtest error at that level instead.
    """
    frame = forecast.frame if isinstance(forecast, IntervalForecast) else forecast
    require_columns(frame, [QUEUE, INTERVAL_START, VOLUME], name="forecast")
    if period not in _FREQUENCIES:
        raise InputError(f"period={period!r} is not known. Fix: use 'day', 'week' or 'month'.")
    local = pd.DatetimeIndex(frame[INTERVAL_START]).tz_localize(None).normalize()
    if period == "week":
        start = local - pd.to_timedelta(local.day_of_week, unit="D")
    elif period == "month":
        start = local.to_period("M").to_timestamp()
    else:
        start = local
    work = pd.DataFrame(
        {
            QUEUE: frame[QUEUE].to_numpy(),
            "period_start": start,
            VOLUME: frame[VOLUME].to_numpy(),
            "handled": frame[VOLUME].to_numpy()
            * (frame[AHT_SECONDS].fillna(0.0).to_numpy() if AHT_SECONDS in frame else 0.0),
            "intervals": 1,
        }
    )
    totals = work.groupby([QUEUE, "period_start"], sort=True).sum().reset_index()
    totals[AHT_SECONDS] = totals["handled"] / totals[VOLUME].where(totals[VOLUME] > 0)
    if AHT_SECONDS not in frame:
        totals[AHT_SECONDS] = float("nan")
    return totals.drop(columns="handled")
