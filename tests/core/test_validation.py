"""Shared validation helpers and the Table model: every bad input is a named InputError."""

import numpy as np
import pandas as pd
import pytest

from wfm.core import InputError, Table, TableColumn
from wfm.core.validate import (
    check_durations,
    check_number,
    check_same_length,
    check_span,
    parse_local_times,
)
from wfm.io import read_frame


def test_zone_name_without_offset_is_wall_clock_in_table_and_files(tmp_path) -> None:
    text = "2024-07-01T09:00:00"  # London summer: 08:00 UTC
    table = Table(
        columns=[TableColumn(name="t", kind="datetime", tz="Europe/London", values=[text])]
    )
    from_table = table.to_frame()["t"].iloc[0]
    path = tmp_path / "f.csv"
    path.write_text(f"t\n{text}\n")
    from_file = read_frame(path, tz="Europe/London", time_columns=["t"])["t"].iloc[0]
    assert from_table == from_file == pd.Timestamp("2024-07-01 08:00", tz="UTC")


def test_table_with_offsets_keeps_instants_and_zone() -> None:
    frame = pd.DataFrame(
        {"t": pd.date_range("2024-03-31", periods=4, freq="h", tz="Europe/London")}
    )
    assert Table.from_frame(frame).to_frame().equals(frame)


@pytest.mark.parametrize(
    ("columns", "match"),
    [
        (
            [
                TableColumn(name="a", kind="int", values=[1, 2]),
                TableColumn(name="b", kind="int", values=[1]),
            ],
            "different lengths",
        ),
        (
            [
                TableColumn(name="a", kind="int", values=[1]),
                TableColumn(name="a", kind="int", values=[2]),
            ],
            "duplicate column names",
        ),
        ([TableColumn(name="flag", kind="bool", values=[True, "yes"])], "'flag'.*row 1"),
        ([TableColumn(name="n", kind="int", values=[1, 2.5])], "'n'.*row 1"),
        ([TableColumn(name="n", kind="int", values=[True])], "'n'.*row 0"),
        ([TableColumn(name="x", kind="float", values=[1.0, "2"])], "'x'.*row 1"),
        (
            [TableColumn(name="t", kind="datetime", tz="UTC", values=["2024-01-01", "yesterday"])],
            "'t'.*row 1",
        ),
        (
            [TableColumn(name="t", kind="datetime", tz="Mars/Base", values=["2024-01-01"])],
            "'t'.*Mars/Base",
        ),
        (
            [
                TableColumn(
                    name="t", kind="datetime", tz="Europe/London", values=["2024-03-31T01:30:00"]
                )
            ],
            "DST",
        ),
        (
            [TableColumn(name="t", kind="datetime", tz=None, values=["2024-01-01T00:00:00+01:00"])],
            "offset but no tz",
        ),
    ],
    ids=[
        "lengths",
        "duplicates",
        "bool",
        "int-fraction",
        "int-bool",
        "float-text",
        "date",
        "zone",
        "dst",
        "offset-no-zone",
    ],
)
def test_bad_tables_name_the_column(columns: list[TableColumn], match: str) -> None:
    with pytest.raises(InputError, match=match):
        Table(columns=columns).to_frame()


def test_check_number_refuses_booleans_and_non_finite() -> None:
    with pytest.raises(InputError, match="bool, not a number"):
        check_number(True, "agents")
    with pytest.raises(InputError, match="not finite"):
        check_number(float("nan"), "agents")
    with pytest.raises(InputError, match="whole number"):
        check_number(2.5, "agents", integer=True)
    assert check_number(np.int64(3), "agents", minimum=0) == 3.0


def test_check_same_length_names_each_array() -> None:
    with pytest.raises(InputError, match="traffic has 3, agents has 2"):
        check_same_length({"traffic": [1, 2, 3], "agents": [1, 2]})
    assert check_same_length({"traffic": [1, 2], "agents": 5}) == 2


def test_absurd_durations_and_spans_are_refused_before_allocation() -> None:
    with pytest.raises(InputError, match=r"row 1: 1.7e\+09"):
        check_durations([300.0, 1.7e9], "talk_seconds")
    stamps = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-02", "2204-01-03"], utc=True))
    with pytest.raises(InputError, match="2204-01-03"):
        check_span(stamps, "events['start']")


def test_parse_local_times_refuses_mixed_offsets() -> None:
    with pytest.raises(InputError, match="mixes"):
        parse_local_times(
            pd.Series(["2024-01-01T00:00", "2024-01-01T00:30+00:00"]), "UTC", field="t"
        )
