import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.core import make_interval_grid
from wfm.core.tables import Table


def test_round_trip_through_json_is_exact_across_a_dst_day() -> None:
    starts = make_interval_grid("2024-10-27", "2024-10-28", tz="Europe/London")
    frame = pd.DataFrame(
        {
            "queue": ["sales"] * len(starts),
            "interval_start": starts,
            "volume": np.linspace(0.1, 99.3, len(starts)),
            "required_agents": np.arange(len(starts), dtype=np.int64),
            "met": np.arange(len(starts)) % 2 == 0,
            "wait": pd.to_timedelta(np.arange(len(starts)), unit="s"),
        }
    )
    frame.loc[3, "volume"] = np.nan
    text = Table.from_frame(frame).model_dump_json()
    back = Table.model_validate_json(text).to_frame()
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    assert back["interval_start"].dt.tz is not None
    assert str(back["interval_start"].dt.tz) == "Europe/London"
    assert (back["interval_start"] == frame["interval_start"]).all()
    assert back["required_agents"].dtype == np.int64
    assert back["met"].dtype == bool
    assert len(back) == 50


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=20)
)
def test_floats_round_trip_bit_exactly(values: list[float]) -> None:
    frame = pd.DataFrame({"x": values})
    back = Table.model_validate_json(Table.from_frame(frame).model_dump_json()).to_frame()
    assert back["x"].tolist() == frame["x"].tolist()
