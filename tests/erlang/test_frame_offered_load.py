"""staff_intervals(offered_load="modified"): the time-varying (MOL) option of the entry point."""

import numpy as np
import pandas as pd
import pytest

from wfm.core import InputError, make_interval_grid
from wfm.erlang import required_agents, staff_intervals
from wfm.erlang.offered_load import modified_offered_load


def _sinusoidal_day() -> pd.DataFrame:
    starts = make_interval_grid("2024-06-12", "2024-06-13", tz="Europe/London")
    phase = np.arange(len(starts)) / len(starts) * 2 * np.pi
    volume = np.round(300 + 250 * np.sin(phase - np.pi / 2), 0)
    return pd.DataFrame(
        {"queue": "q", "interval_start": starts, "volume": volume, "aht_seconds": 600.0}
    )


def test_modified_load_equals_engine_on_the_mol_equivalent_volume() -> None:
    frame = _sinusoidal_day()
    out = staff_intervals(frame, offered_load="modified")
    load = modified_offered_load(
        frame["volume"].to_numpy(), frame["aht_seconds"].to_numpy(), 1800.0
    ).ravel()
    np.testing.assert_allclose(out["effective_volume"], load * 1800 / 600)
    expected = required_agents(load * 1800 / 600, 600.0, interval_seconds=1800)
    assert (out["required_agents"].to_numpy() == expected).all()


def test_modified_load_lags_the_arrivals_on_a_sinusoidal_day() -> None:
    frame = _sinusoidal_day()
    sipp = staff_intervals(frame)["required_agents"].to_numpy()
    mol = staff_intervals(frame, offered_load="modified")["required_agents"].to_numpy()
    # load rises in the first half-day: MOL trails SIPP; it falls in the second: MOL leads
    rising = slice(2, 22)
    falling = slice(26, 46)
    assert (mol[rising] <= sipp[rising]).all()
    assert (mol[falling] >= sipp[falling]).all()
    assert (mol != sipp).any()


def test_modified_load_needs_contiguous_intervals() -> None:
    frame = _sinusoidal_day().drop(index=10)
    with pytest.raises(InputError, match="contiguous intervals"):
        staff_intervals(frame, offered_load="modified")


def test_unknown_offered_load_method_is_named() -> None:
    with pytest.raises(InputError, match="offered_load='lagged-ish'"):
        staff_intervals(_sinusoidal_day(), offered_load="lagged-ish")
