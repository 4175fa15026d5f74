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
from wfm.core.grid import check_time_zone
from wfm.core.validate import parse_local_times


def _localise(values: pd.Series, tz: str, column: str, path: Path) -> pd.Series:
    """Parse one timestamp column and express it in ``tz``."""
    return parse_local_times(values, tz, field=f"{path.name}[{column!r}]")


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
    check_time_zone(tz)
    file = Path(path)
    if not file.is_file():
        raise InputError(f"file {str(file)!r} does not exist. Fix: check the path.")
    name = file.name.lower()
    if name.endswith(".parquet"):
        try:
            frame = pd.read_parquet(file)
        except ImportError as exc:
            raise missing_extra("pyarrow", "parquet", "reading parquet files") from exc
        except (OSError, ValueError) as exc:
            raise InputError(
                f"file {file.name!r} is not a readable parquet file ({exc}). Fix: write it "
                "again with pandas.DataFrame.to_parquet, or pass a CSV file."
            ) from exc
    elif name.endswith((".csv", ".csv.gz")):
        frame = _undo_spreadsheet_safe(_read_csv(file))
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


def _read_csv(file: Path) -> pd.DataFrame:
    """Read a CSV file, refusing empty, binary or malformed files with one clear message."""
    try:
        frame = pd.read_csv(file)
    except pd.errors.EmptyDataError as exc:
        raise InputError(
            f"file {file.name!r} is empty. Fix: write a header line with the column names, "
            "then one line per row."
        ) from exc
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, EOFError) as exc:
        raise InputError(
            f"file {file.name!r} is not a readable UTF-8 CSV file ({type(exc).__name__}: "
            f"{exc}). Fix: export it as comma-separated UTF-8 text with one header line."
        ) from exc
    duplicated = [
        str(c)
        for c in frame.columns
        if str(c).rsplit(".", 1)[0] in frame.columns
        and "." in str(c)
        and str(c).rsplit(".", 1)[1].isdigit()
    ]
    if duplicated:
        raise InputError(
            f"file {file.name!r} has duplicate column names (pandas renamed them {duplicated})."
            " Fix: give every column a distinct name."
        )
    if len(frame.columns) and all(str(c).startswith("Unnamed:") for c in frame.columns):
        raise InputError(
            f"file {file.name!r} has no header line. Fix: start it with the column names."
        )
    return frame


FORMULA_PREFIXES = ("=", "+", "-", "@")
"""A text cell starting with one of these is run as a formula by spreadsheet programs."""


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with text cells that a spreadsheet would run made inert.

    A text cell starting with ``=``, ``+``, ``-`` or ``@`` (an agent or queue name typed
    as ``=HYPERLINK(...)``, say) gets a leading apostrophe, which spreadsheets show as
    text; :func:`read_frame` removes it again. Numbers, timestamps and other cells are
    unchanged.

    Examples
    --------
    >>> spreadsheet_safe(pd.DataFrame({"agent": ["=1+1", "ann"]}))["agent"].tolist()
    ["'=1+1", 'ann']
    """
    out = frame
    for column in frame.columns:
        values = frame[column]
        if not (
            pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype)
        ):
            continue
        text = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES))
        risky = text.to_numpy(dtype=bool)
        if risky.any():
            if out is frame:
                out = frame.copy()
            out[column] = values.astype(object).where(~risky, "'" + values.astype(str))
    return out


def _undo_spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Remove the apostrophe :func:`spreadsheet_safe` put before formula-like text."""
    for column in frame.columns:
        values = frame[column]
        if not pd.api.types.is_object_dtype(values.dtype) and not pd.api.types.is_string_dtype(
            values.dtype
        ):
            continue
        guarded = values.map(
            lambda v: isinstance(v, str) and len(v) > 1 and v[0] == "'" and v[1] in "=+-@"
        ).to_numpy(dtype=bool)
        if guarded.any():
            frame[column] = values.astype(object).where(~guarded, values.astype(str).str[1:])
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
    if file.suffix != ".parquet":
        frame = spreadsheet_safe(frame)
    if file.suffix == ".parquet":
        try:
            frame.to_parquet(file, index=False)
        except ImportError as exc:
            raise missing_extra("pyarrow", "parquet", "writing parquet files") from exc
    else:
        frame.to_csv(file, index=False)
    return file
