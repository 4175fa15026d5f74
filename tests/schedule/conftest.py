"""Shared helpers for the schedule tests: an independent coverage recomputation."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.schedule import SolverSettings


def coverage_from_segments(segments: pd.DataFrame, coverage: pd.DataFrame) -> np.ndarray:
    """Agents working per coverage row, recomputed by brute force from the segments."""
    starts = pd.DatetimeIndex(coverage["interval_start"])
    step = pd.Timedelta(starts.unique().sort_values()[1] - starts.unique().sort_values()[0])
    out = np.zeros(len(coverage))
    work = segments[segments["activity"] == "work"]
    for row, (queue, start) in enumerate(zip(coverage["queue"], starts, strict=True)):
        end = start + step
        mine = work[work["queue"] == queue]
        seg_start = pd.DatetimeIndex(mine["start"]).as_unit("ns").asi8
        seg_end = pd.DatetimeIndex(mine["end"]).as_unit("ns").asi8
        left = np.maximum(seg_start, start.value)
        right = np.minimum(seg_end, end.value)
        seconds = np.clip(right - left, 0, None) / 1e9
        out[row] = seconds.sum() / step.total_seconds()
    return out


@pytest.fixture
def fast_settings() -> SolverSettings:
    # Tiny hand-checked instances solve in well under a second; the limit is headroom only
    # (one CI run saw CBC spend 10 s of a 5 s limit on a one-agent instance, not reproducible
    # in 80 reruns), so a slow CBC start cannot turn a proven optimum into a time-out.
    return SolverSettings(time_limit_seconds=30, mip_gap=0.0)


@pytest.fixture
def recompute_coverage():
    return coverage_from_segments


def _load_validator():
    spec = importlib.util.spec_from_file_location(
        "schedule_validator", Path(__file__).with_name("validator.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VALIDATOR = _load_validator()


@pytest.fixture
def validate_roster():
    """The independent roster validator (tests/schedule/validator.py)."""
    return VALIDATOR.validate
