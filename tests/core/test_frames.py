import numpy as np
import pandas as pd
import pytest

from wfm.core import InputError, infer_interval_minutes, make_interval_grid, validate_interval_frame


def _frame(n: int = 4, tz: str = "Europe/London") -> pd.DataFrame:
    starts = make_interval_grid("2024-01-10 08:00", "2024-01-10 10:00", tz=tz)[:n]
    return pd.DataFrame(
        {
            "queue": "sales",
            "interval_start": starts,
            "volume": np.arange(n, dtype=float) * 10,
            "aht_seconds": np.full(n, 240.0),
        }
    )


def test_valid_frame_is_returned_sorted_and_unchanged() -> None:
    frame = _frame().iloc[::-1]
    out = validate_interval_frame(frame)
    assert out["interval_start"].is_monotonic_increasing
    assert len(out) == len(frame)
    assert out["volume"].sum() == frame["volume"].sum()


def test_zero_volume_may_have_missing_aht() -> None:
    frame = _frame()
    frame.loc[0, "aht_seconds"] = np.nan  # volume is 0 in row 0
    assert len(validate_interval_frame(frame)) == 4


def test_missing_column_named() -> None:
    with pytest.raises(InputError, match=r"missing column\(s\) \['aht_seconds'\]"):
        validate_interval_frame(_frame().drop(columns="aht_seconds"))


def test_naive_timestamps_rejected_with_fix() -> None:
    frame = _frame()
    frame["interval_start"] = frame["interval_start"].dt.tz_localize(None)
    with pytest.raises(InputError, match=r"naive timestamps.*tz_localize"):
        validate_interval_frame(frame)


def test_duplicate_rows_named() -> None:
    frame = pd.concat([_frame(), _frame().iloc[[2]]], ignore_index=True)
    with pytest.raises(InputError, match="duplicate \\(queue, interval_start\\)"):
        validate_interval_frame(frame)


def test_off_grid_timestamp_named() -> None:
    frame = _frame()
    frame.loc[3, "interval_start"] = frame.loc[3, "interval_start"] + pd.Timedelta(minutes=7)
    with pytest.raises(InputError, match=r"off the 30-minute grid.*row 3"):
        validate_interval_frame(frame, interval_minutes=30)


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
def test_bad_volume_named_with_row(bad: float) -> None:
    frame = _frame()
    frame.loc[2, "volume"] = bad
    with pytest.raises(InputError, match=r"\['volume'\].*row 2"):
        validate_interval_frame(frame)


@pytest.mark.parametrize("bad", [0.0, -5.0, np.nan])
def test_bad_aht_where_volume_positive(bad: float) -> None:
    frame = _frame()
    frame.loc[1, "aht_seconds"] = bad
    with pytest.raises(InputError, match=r"\['aht_seconds'\].*row 1"):
        validate_interval_frame(frame)


def test_not_a_dataframe() -> None:
    with pytest.raises(InputError, match="must be a pandas DataFrame"):
        validate_interval_frame([1, 2, 3])  # type: ignore[arg-type]


def test_infer_interval_minutes_across_dst_day() -> None:
    idx = make_interval_grid("2024-03-31", "2024-04-01", interval_minutes=15, tz="Europe/London")
    assert infer_interval_minutes(idx) == 15


def test_dst_day_frame_validates_with_46_rows() -> None:
    starts = make_interval_grid("2024-03-31", "2024-04-01", tz="Europe/London")
    frame = pd.DataFrame(
        {"queue": "q", "interval_start": starts, "volume": 1.0, "aht_seconds": 100.0}
    )
    assert len(validate_interval_frame(frame, interval_minutes=30)) == 46
