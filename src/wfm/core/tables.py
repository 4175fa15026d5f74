"""Exact JSON round trip of DataFrames for services (pydantic ``Table`` model).

A web service that wraps ``wfm`` needs every frame (forecast, requirement, schedule,
adherence) as JSON and back without loss. :class:`Table` stores a frame column by column
with each column's kind, so that timezone-aware timestamps come back in their zone with the
same instants, integers stay integers, booleans stay booleans and missing values stay
missing. Floats are written with ``repr`` precision by pydantic's JSON encoder, which is
exact for IEEE doubles.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from wfm.core.errors import InputError

ColumnKind = Literal["float", "int", "bool", "str", "datetime", "timedelta"]
Cell = float | int | bool | str | None


class TableColumn(BaseModel):
    """One column of a :class:`Table`.

    Attributes
    ----------
    name : str
        Column name.
    kind : {"float", "int", "bool", "str", "datetime", "timedelta"}
        Logical type. ``datetime`` values are ISO 8601 strings with their UTC offset and
        ``tz`` names the zone to restore; ``timedelta`` values are seconds (float).
    tz : str or None
        IANA zone of a ``datetime`` column; None for naive timestamps.
    values : list
        The cells, ``None`` for missing.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: ColumnKind
    tz: str | None = None
    values: list[Cell]


class Table(BaseModel):
    """A DataFrame as a JSON-safe pydantic model with an exact round trip.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1, 2], "t": pd.date_range("2024-01-01", periods=2,
    ...                                                       tz="Europe/London")})
    >>> Table.from_frame(frame).to_frame().equals(frame)
    True
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: list[TableColumn]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Table:
        """Build a table from a DataFrame (its index is not kept; reset it first).

        Raises
        ------
        InputError
            If a column name is not a string or a column's dtype is not supported.
        """
        columns = []
        for name in frame.columns:
            if not isinstance(name, str):
                raise InputError(
                    f"column name {name!r} is not a string. Fix: rename the columns to strings."
                )
            columns.append(_column_from_series(name, frame[name]))
        return cls(columns=columns)

    def to_frame(self) -> pd.DataFrame:
        """Rebuild the DataFrame."""
        data = {column.name: _series_from_column(column) for column in self.columns}
        return pd.DataFrame(data)


def _column_from_series(name: str, series: pd.Series) -> TableColumn:
    dtype = series.dtype
    missing = series.isna().to_numpy()
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        tz = str(dtype.tz) if isinstance(dtype, pd.DatetimeTZDtype) else None
        text = [
            None if miss else value.isoformat() for value, miss in zip(series, missing, strict=True)
        ]
        return TableColumn(name=name, kind="datetime", tz=tz, values=list(text))
    if pd.api.types.is_timedelta64_dtype(dtype):
        seconds = series.dt.total_seconds().to_numpy()
        return TableColumn(
            name=name,
            kind="timedelta",
            values=[None if miss else float(v) for v, miss in zip(seconds, missing, strict=True)],
        )
    if pd.api.types.is_bool_dtype(dtype):
        return TableColumn(
            name=name,
            kind="bool",
            values=[None if miss else bool(v) for v, miss in zip(series, missing, strict=True)],
        )
    if pd.api.types.is_integer_dtype(dtype):
        return TableColumn(
            name=name,
            kind="int",
            values=[None if miss else int(v) for v, miss in zip(series, missing, strict=True)],
        )
    if pd.api.types.is_float_dtype(dtype):
        array = series.to_numpy(dtype=np.float64)
        return TableColumn(
            name=name,
            kind="float",
            values=[None if np.isnan(v) else float(v) for v in array],
        )
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        values: list[Cell] = []
        for value, miss in zip(series, missing, strict=True):
            if miss:
                values.append(None)
            elif isinstance(value, str):
                values.append(value)
            else:
                raise InputError(
                    f"column {name!r} holds a {type(value).__name__} ({value!r}), which Table "
                    "cannot store. Fix: convert the column to strings or numbers first."
                )
        return TableColumn(name=name, kind="str", values=values)
    raise InputError(
        f"column {name!r} has dtype {dtype}, which Table cannot store. Fix: convert it to "
        "numbers, strings, booleans or timestamps."
    )


def _series_from_column(column: TableColumn) -> pd.Series:
    values = column.values
    if column.kind == "datetime":
        parsed = pd.to_datetime(pd.Series(values, dtype=object), utc=column.tz is not None)
        if column.tz is not None:
            parsed = parsed.dt.tz_convert(column.tz)
        return parsed.astype(parsed.dtype)
    if column.kind == "timedelta":
        seconds = pd.Series([np.nan if v is None else v for v in values], dtype=np.float64)
        return pd.to_timedelta(seconds, unit="s")
    if column.kind == "bool":
        if any(v is None for v in values):
            return pd.Series(values, dtype="boolean")
        return pd.Series(values, dtype=bool)
    if column.kind == "int":
        if any(v is None for v in values):
            return pd.Series(values, dtype="Int64")
        return pd.Series(values, dtype=np.int64)
    if column.kind == "float":
        return pd.Series([np.nan if v is None else v for v in values], dtype=np.float64)
    if all(v is None for v in values):
        return pd.Series(values, dtype=object)
    return pd.Series(values)  # strings: the installed pandas' default string dtype
