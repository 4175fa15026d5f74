"""wfm.schedule: shifts, breaks, days off and named-agent rosters by integer programming.

Public API, re-exported from ``wfm``. The usual entry point is :func:`make_schedule`.
"""

from wfm.schedule._solver import SolveReport
from wfm.schedule.api import make_schedule
from wfm.schedule.models import Agent, BreakRule, ScheduleRules, ShiftTemplate, SolverSettings
from wfm.schedule.result import ScheduleResult
from wfm.schedule.roster import build_roster
from wfm.schedule.shifts import schedule_shifts

__all__: list[str] = [
    "Agent",
    "BreakRule",
    "ScheduleResult",
    "ScheduleRules",
    "ShiftTemplate",
    "SolveReport",
    "SolverSettings",
    "build_roster",
    "make_schedule",
    "schedule_shifts",
]
