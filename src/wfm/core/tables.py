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
from pydantic import ConfigDict

from wfm.core._models import WfmModel
from wfm.core.errors import InputError
from wfm.core.grid import check_time_zone
from wfm.core.validate import parse_local_times

_OFFSET = r"(?:[+-]\d{2}:?\d{2}|Z)$"

ColumnKind = Literal["float", "int", "bool", "str", "datetime", "timedelta"]
# bool before int before float: with older pydantic (2.6) a JSON ``false`` otherwise
# became ``0.0`` in the smart union
Cell = bool | int | float | str | None


class TableColumn(WfmModel):
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


class Table(WfmModel):
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
        if not isinstance(frame, pd.DataFrame):
            raise InputError(
                f"Table.from_frame needs a pandas DataFrame, got {type(frame).__name__}. "
                "Fix: pass a DataFrame."
            )
        repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        if repeated:
            raise InputError(
                f"the frame has duplicate column names {repeated}. Fix: give every column a "
                "distinct name."
            )
        columns = []
        for name in frame.columns:
            if not isinstance(name, str):
                raise InputError(
                    f"column name {name!r} is not a string. Fix: rename the columns to strings."
                )
            columns.append(_column_from_series(name, frame[name]))
        return cls(columns=columns)

    def to_frame(self) -> pd.DataFrame:
        """Rebuild the DataFrame.

        Raises
        ------
        InputError
            If columns have different lengths or duplicate names, or a cell does not fit
            its column's kind (naming the column, the row and the value).
        """
        _check_shape(self.columns)
        data = {column.name: _series_from_column(column) for column in self.columns}
        return pd.DataFrame(data)


def _check_shape(columns: list[TableColumn]) -> None:
    names = [column.name for column in columns]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError(
            f"Table has duplicate column names {repeated}. Fix: give every column a distinct name."
        )
    lengths = {column.name: len(column.values) for column in columns}
    if len(set(lengths.values())) > 1:
        raise InputError(
            f"Table columns have different lengths {lengths}. Fix: give every column one "
            "value per row (None for a missing cell)."
        )


def _bad_cell(column: TableColumn, row: int, value: Cell, wanted: str) -> InputError:
    return InputError(
        f"Table column {column.name!r} (kind {column.kind!r}) has {value!r} "
        f"({type(value).__name__}) at row {row}. Fix: use {wanted} or None for a missing cell."
    )


def _check_cells(column: TableColumn) -> None:
    """Every cell must fit the column's kind exactly; nothing is coerced."""
    kind = column.kind
    for row, value in enumerate(column.values):
        if value is None:
            continue
        if kind == "bool":
            ok = isinstance(value, bool)
            wanted = "true or false"
        elif kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
            wanted = "a whole number"
        elif kind in ("float", "timedelta"):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            wanted = "a number" + (" of seconds" if kind == "timedelta" else "")
        else:
            ok = isinstance(value, str)
            wanted = "an ISO 8601 text" if kind == "datetime" else "a text"
        if not ok:
            raise _bad_cell(column, row, value, wanted)


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
    _check_cells(column)
    values = column.values
    if column.kind == "datetime":
        field = f"Table column {column.name!r}"
        if column.tz is not None:
            try:
                check_time_zone(column.tz)
            except InputError as exc:
                raise InputError(f"{field}: {exc}") from exc
        text = pd.Series(values, dtype=object)
        if column.tz is None and text.astype("string").str.contains(_OFFSET, regex=True).any():
            raise InputError(
                f"{field} has timestamps with a UTC offset but no tz. Fix: set the column's tz "
                "to the site's IANA zone (or write the values without offsets)."
            )
        # the same rule as files: an offset keeps its instant, no offset is wall-clock in tz
        parsed = parse_local_times(text, column.tz, field=field)
        return parsed.astype(parsed.dtype)
    if column.kind == "timedelta":
        seconds = pd.Series([np.nan if v is None else v for v in values], dtype=np.float64)
        try:
            return pd.to_timedelta(seconds, unit="s")
        except (ValueError, OverflowError) as exc:
            raise InputError(
                f"Table column {column.name!r} (kind 'timedelta') has a value too large for a "
                f"duration ({exc}). Fix: give durations in seconds."
            ) from exc
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
