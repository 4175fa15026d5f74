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
    with pytest.raises(InputError, match="spans"):
        check_span(stamps, "events['start']", max_gap_days=1e9)
    check_span(stamps[:2], "events['start']")
    with pytest.raises(InputError, match="2204-01-03"):
        check_span(stamps, "events['start']")


def test_parse_local_times_refuses_mixed_offsets() -> None:
    with pytest.raises(InputError, match="mixes"):
        parse_local_times(
            pd.Series(["2024-01-01T00:00", "2024-01-01T00:30+00:00"]), "UTC", field="t"
        )


def _hourly_history(days: int = 3) -> pd.DataFrame:
    starts = pd.date_range("2024-01-01", periods=24 * days, freq="h", tz="Europe/London")
    return pd.DataFrame(
        {"queue": "q", "interval_start": starts, "volume": 5.0, "aht_seconds": 200.0}
    )


def test_hourly_data_declared_half_hourly_is_refused() -> None:
    from wfm.core import validate_interval_frame

    with pytest.raises(InputError, match="look like 60-minute intervals"):
        validate_interval_frame(_hourly_history(), interval_minutes=30)
    assert len(validate_interval_frame(_hourly_history(), interval_minutes=60)) == 72


def test_finer_data_than_declared_is_off_the_grid() -> None:
    from wfm.core import validate_interval_frame

    starts = pd.date_range("2024-01-01", periods=8, freq="15min", tz="UTC")
    frame = pd.DataFrame(
        {"queue": "q", "interval_start": starts, "volume": 1.0, "aht_seconds": 1.0}
    )
    with pytest.raises(InputError, match="off the 30-minute grid"):
        validate_interval_frame(frame, interval_minutes=30)


def test_a_mistyped_year_in_a_history_is_refused_before_any_grid() -> None:
    from wfm.core import validate_interval_frame

    frame = _hourly_history(1)
    frame.loc[5, "interval_start"] = pd.Timestamp("2204-01-01 05:00", tz="Europe/London")
    with pytest.raises(InputError, match="2204"):
        validate_interval_frame(frame)


def test_handle_time_in_milliseconds_is_refused() -> None:
    from wfm.core import validate_interval_frame

    frame = _hourly_history(1)
    frame.loc[3, "aht_seconds"] = 1.7e9
    with pytest.raises(InputError, match="aht_seconds"):
        validate_interval_frame(frame)


def test_prediction_levels_given_as_fractions_are_refused() -> None:
    from wfm.forecast import SeasonalNaive

    model = SeasonalNaive(slots_per_day=48).fit(np.ones(21 * 48))
    with pytest.raises(InputError, match=r"fraction.*pass 80"):
        model.predict(48, levels=(0.8,))


def test_config_queue_sections_must_match_a_queue_of_the_data() -> None:
    from wfm.config import parse_config
    from wfm.pipeline import size_forecast

    starts = pd.date_range("2024-01-01 09:00", periods=4, freq="30min", tz="UTC")
    forecast = pd.DataFrame(
        {"queue": "sales", "interval_start": starts, "volume": 10.0, "aht_seconds": 200.0}
    )
    config = parse_config(
        {
            "site": {"time_zone": "UTC"},
            "staffing": {"queues": {"Sales": {"target_service_level": 0.9}}},
        }
    )
    with pytest.raises(InputError, match=r"'Sales' \(did you mean 'sales'\?.*\['sales'\]"):
        size_forecast(forecast, config)


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ({"forecast": {"horizon_days": True}}, "forecast.horizon_days"),
        ({"schedule": {"solver": {"threads": True}}}, "schedule.solver.threads"),
    ],
)
def test_config_booleans_where_numbers_are_meant_are_refused(section: dict, path: str) -> None:  # type: ignore[type-arg]
    from wfm.config import parse_config

    with pytest.raises(InputError, match=f"{path} is a boolean where a number is meant"):
        parse_config({"site": {"time_zone": "UTC"}, **section})
    assert parse_config({"schedule": {"solver": {"verbose": True}}}).schedule.solver.verbose


def test_table_from_frame_refuses_duplicate_names_and_non_frames() -> None:
    with pytest.raises(InputError, match="duplicate column names"):
        Table.from_frame(pd.DataFrame([[1, 2]], columns=["a", "a"]))
    with pytest.raises(InputError, match="needs a pandas DataFrame"):
        Table.from_frame([1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "match"),
    [([True] * 4, "dtype bool"), (["a"] * 4, "not numbers"), ([1e12] * 4, "at most 1,000,000")],
)
def test_schedule_requirement_booleans_text_and_absurd_counts_are_refused(
    values: list[object], match: str
) -> None:
    from wfm.demo import demo_config
    from wfm.schedule import make_schedule

    starts = pd.date_range("2024-01-01 08:00", periods=4, freq="30min", tz="UTC")
    frame = pd.DataFrame({"queue": "q", "interval_start": starts, "required_agents": values})
    with pytest.raises(InputError, match=match):
        make_schedule(frame, demo_config().schedule.templates)
