"""One entry point for the pipeline: shifts only, or a named roster when agents are given."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wfm.schedule.models import Agent, ScheduleRules, ShiftTemplate, SolverSettings
from wfm.schedule.result import ScheduleResult
from wfm.schedule.roster import build_roster
from wfm.schedule.shifts import schedule_shifts


def make_schedule(
    requirement: pd.DataFrame | pd.Series | np.ndarray,
    templates: Sequence[ShiftTemplate],
    agents: Sequence[Agent] | None = None,
    *,
    rules: ScheduleRules | None = None,
    settings: SolverSettings | None = None,
    interval_starts: pd.DatetimeIndex | None = None,
    target_seconds: float = 20.0,
    locked: pd.DataFrame | None = None,
) -> ScheduleResult:
    """Schedule shifts for a requirement, and roster them to agents when given.

    Parameters
    ----------
    requirement : DataFrame, Series or array
        Long frame with ``queue``, ``interval_start`` (aware) and ``required_agents``
        (optionally ``volume`` and ``aht_seconds`` for the projected service level), or
        a Series of agents per interval indexed by aware interval starts, or an array
        with ``interval_starts``.
    templates : sequence of ShiftTemplate
        Shift families (full- and part-time side by side).
    agents : sequence of Agent, optional
        Named agents; without them the result has one pseudo agent per shift.
    rules : ScheduleRules, optional
        Coverage prices and labour rules.
    settings : SolverSettings, optional
        Solver (CBC default, HiGHS), time limit in seconds, relative MIP gap.
    interval_starts : pandas.DatetimeIndex, optional
        Aware interval starts when ``requirement`` is an array.
    target_seconds : float, default 20
        Answer-time target of the projected service level, in seconds.
    locked : DataFrame, optional
        Shifts fixed for re-planning (``agent``, ``template``, ``start``, ``end``); only
        with ``agents``.

    Returns
    -------
    ScheduleResult
        ``.segments``, ``.coverage``, ``.agents``, ``.summary()``, ``.gantt()``.
    """
    if agents is None:
        return schedule_shifts(
            requirement,
            templates,
            rules=rules,
            settings=settings,
            interval_starts=interval_starts,
            target_seconds=target_seconds,
        )
    return build_roster(
        requirement,
        templates,
        agents,
        rules=rules,
        settings=settings,
        interval_starts=interval_starts,
        target_seconds=target_seconds,
        locked=locked,
    )
