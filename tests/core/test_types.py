"""The public type aliases describe what the functions really accept."""

import json
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from wfm.core import ExecutorLike, JsonValue, PartitionedFrame


def test_executors_and_dask_frames_match_their_protocols() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert isinstance(pool, ExecutorLike)
        assert pool.submit(sum, [1, 2]).result() == 3
    assert not isinstance(object(), ExecutorLike)
    assert not isinstance(pd.DataFrame({"a": [1]}), PartitionedFrame)
    dd = pytest.importorskip("dask.dataframe")
    frame = dd.from_pandas(pd.DataFrame({"a": [1, 2, 3]}), npartitions=2)
    assert isinstance(frame, PartitionedFrame)
    assert len(frame.to_delayed()) == frame.npartitions == 2


def test_a_json_value_round_trips() -> None:
    value: JsonValue = {"model": "mstl", "levels": [0.8, 0.95], "note": None, "n": 3}
    assert json.loads(json.dumps(value)) == value
