"""Flagged rows are part of every result: kept beside it, written, and announced."""

import warnings
from pathlib import Path

import pandas as pd
import pytest

from wfm.config import PlanConfig
from wfm.core import FlaggedRecordsWarning, InputError
from wfm.datasets import israel_bank_intervals
from wfm.demo import demo_config
from wfm.io import read_frame, spreadsheet_safe, write_frame
from wfm.pipeline import plan

TZ = "Asia/Jerusalem"


def _quick_config() -> PlanConfig:
    data = demo_config().model_dump(mode="json")
    data["forecast"].update(horizon_days=1, model="seasonal_naive")
    data["schedule"]["solver"]["time_limit_seconds"] = 5
    return PlanConfig.model_validate(data)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    frame = israel_bank_intervals(30)
    return frame[
        (frame["interval_start"] >= pd.Timestamp("1999-01-10", tz=TZ))
        & (frame["interval_start"] < pd.Timestamp("1999-01-25", tz=TZ))
    ]


def test_plan_refuses_events_that_are_all_invalid_and_flags_some(
    history: pd.DataFrame, tmp_path: Path
) -> None:
    day = pd.Timestamp("1999-01-25 09:00", tz=TZ)
    nobody = pd.DataFrame(
        {"agent": ["ghost", "ghost"], "state": ["Available", "Break"], "start": [day, day]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(InputError, match="every one of the 2 state events was refused"):
            plan(history, _quick_config(), state_events=nobody, run_backtest=False)


def test_some_flagged_events_give_a_warning() -> None:
    from wfm.pipeline import _check_flagged_events

    flagged = pd.DataFrame({"agent": ["x"], "state": ["Break"], "reason": ["unknown_agent"]})
    with pytest.warns(FlaggedRecordsWarning, match="1 of 3 state events were refused"):
        _check_flagged_events(flagged, 3)


def test_formula_like_text_is_written_inert_and_read_back(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"agent": ['=HYPERLINK("x")', "+1", "-a", "@b", "ann"], "n": [1, -2, 3, 4, 5]}
    )
    safe = spreadsheet_safe(frame)
    assert safe["agent"].tolist()[:4] == ['\'=HYPERLINK("x")', "'+1", "'-a", "'@b"]
    assert safe["n"].tolist() == [1, -2, 3, 4, 5]
    path = write_frame(frame, tmp_path / "agents.csv")
    assert "'=HYPERLINK" in path.read_text()
    back = read_frame(path, tz="UTC", time_columns=[])
    assert back["agent"].tolist() == frame["agent"].tolist()
