"""Reading and writing the library's frames as CSV or parquet files.

Timestamps in files are read exactly: values written with a UTC offset (ISO 8601, e.g.
``2024-03-31T01:30:00+01:00``) keep their instant and are converted to the site's zone;
values without an offset are local wall-clock times of the site. A wall-clock time that
falls in a DST gap or overlap cannot be read without an offset and is refused with the row
named, never shifted silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from wfm.core.errors import InputError, missing_extra


def _localise(values: pd.Series, tz: str, column: str, path: Path) -> pd.Series:
    """Parse one timestamp column and express it in ``tz``."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        converted: pd.Series = values.dt.tz_convert(tz)
        return converted
    text = values.astype("string")
    present = text.notna().to_numpy()
    with_offset = text.str.contains(r"(?:[+-]\d{2}:?\d{2}|Z)$", regex=True).fillna(False)
    with_offset_array = with_offset.to_numpy(dtype=bool)
    if with_offset_array[present].all() and present.any():
        parsed = pd.to_datetime(values, utc=True, format="ISO8601")
        return parsed.dt.tz_convert(tz)
    if with_offset_array.any():
        row = int((present & ~with_offset_array).argmax())
        raise InputError(
            f"{path.name}[{column!r}] mixes timestamps with and without UTC offsets (row "
            f"{values.index[row]!r} has none: {values.iloc[row]!r}). Fix: write every "
            "timestamp the same way."
        )
    naive = pd.to_datetime(values, format="ISO8601")
    try:
        return naive.dt.tz_localize(tz, ambiguous="raise", nonexistent="raise")
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"{path.name}[{column!r}] holds a local time that does not exist or is ambiguous "
            f"in {tz} (a DST change): {exc}. Fix: write the timestamps with their UTC offset."
        ) from exc


def read_frame(
    path: str | Path, *, tz: str, time_columns: Sequence[str], line_numbers: bool = False
) -> pd.DataFrame:
    """Read a CSV or parquet file and make its time columns aware in ``tz``.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.csv`` (or ``.csv.gz``) or ``.parquet`` file.
    tz : str
        IANA zone of the site: naive values are read as its wall-clock times, aware values
        are converted to it.
    time_columns : sequence of str
        Columns holding timestamps (those absent from the file are ignored; empty cells
        become NaT).
    line_numbers : bool, default False
        Label the rows of a CSV file with their line numbers (the header is line 1), so
        errors naming a row name the line (the command line does this).

    Returns
    -------
    pandas.DataFrame
        With ``line_numbers``, a CSV file's rows are labelled with their line numbers.

    Raises
    ------
    InputError
        If the file is missing, of an unknown type, or a time column cannot be read.
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(f"file {str(file)!r} does not exist. Fix: check the path.")
    name = file.name.lower()
    if name.endswith(".parquet"):
        try:
            frame = pd.read_parquet(file)
        except ImportError as exc:
            raise missing_extra("pyarrow", "parquet", "reading parquet files") from exc
    elif name.endswith((".csv", ".csv.gz")):
        frame = pd.read_csv(file)
        if line_numbers:
            # row labels are the file's line numbers (header = line 1), so an error naming
            # a row points at the line to fix
            frame.index = pd.RangeIndex(2, len(frame) + 2)
    else:
        raise InputError(f"file {str(file)!r} is not .csv, .csv.gz or .parquet. Fix: convert it.")
    for column in time_columns:
        if column in frame.columns:
            frame[column] = _localise(frame[column], tz, column, file)
    return frame


def write_frame(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a frame to CSV or parquet by the file's suffix (timestamps keep offsets).

    Parameters
    ----------
    frame : pandas.DataFrame
        Frame to write (its index is not written).
    path : str or pathlib.Path
        Target ``.csv`` or ``.parquet`` file.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    if file.suffix == ".parquet":
        try:
            frame.to_parquet(file, index=False)
        except ImportError as exc:
            raise missing_extra("pyarrow", "parquet", "writing parquet files") from exc
    else:
        frame.to_csv(file, index=False)
    return file
