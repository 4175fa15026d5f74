"""wfm.erlang: queueing models (Erlang B/C/A), staffing, shrinkage, simulation, channels.

Public API, re-exported from ``wfm``.
"""

# --- queueing kernels and staffing (engine) ---
from wfm.erlang._frame import staff_intervals
from wfm.erlang.kernels import erlang_b, erlang_c
from wfm.erlang.metrics import (
    ERLANG_A_SERVICE_LEVEL_DEFINITIONS,
    abandon_rate,
    average_speed_of_answer,
    occupancy,
    probability_of_waiting,
    service_level,
    waiting_time_percentile,
)
from wfm.erlang.shrinkage import apply_shrinkage, combine_shrinkage, scheduled_agents_frame
from wfm.erlang.staffing import required_agents, required_agents_continuous

__all__: list[str] = [
    "ERLANG_A_SERVICE_LEVEL_DEFINITIONS",
    "abandon_rate",
    "apply_shrinkage",
    "average_speed_of_answer",
    "combine_shrinkage",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "probability_of_waiting",
    "required_agents",
    "required_agents_continuous",
    "scheduled_agents_frame",
    "service_level",
    "staff_intervals",
    "waiting_time_percentile",
]
# --- end engine ---

# --- simulation and channels ---
from wfm.erlang._erlang_x import ErlangXMetrics, erlang_x, erlang_x_intervals
from wfm.erlang.channels import (
    ChatMetrics,
    EmailStaffingResult,
    chat_metrics,
    chat_required_agents,
    email_staffing,
)
from wfm.erlang.multiskill import (
    MultiskillStaffingResult,
    multiskill_staffing,
    pooling_comparison,
)
from wfm.erlang.simulation import (
    DeterministicTime,
    EmpiricalTime,
    ExponentialTime,
    LognormalTime,
    PeakTestResult,
    SimulationQueue,
    SimulationResult,
    TimeDistribution,
    peak_test,
    simulate_centre,
)
from wfm.erlang.timevarying import (
    compare_time_varying_methods,
    modified_offered_load,
    staff_time_varying,
)

__all__ += [
    "ChatMetrics",
    "DeterministicTime",
    "EmailStaffingResult",
    "EmpiricalTime",
    "ErlangXMetrics",
    "ExponentialTime",
    "LognormalTime",
    "MultiskillStaffingResult",
    "PeakTestResult",
    "SimulationQueue",
    "SimulationResult",
    "TimeDistribution",
    "chat_metrics",
    "chat_required_agents",
    "compare_time_varying_methods",
    "email_staffing",
    "erlang_x",
    "erlang_x_intervals",
    "modified_offered_load",
    "multiskill_staffing",
    "peak_test",
    "pooling_comparison",
    "simulate_centre",
    "staff_time_varying",
]
# --- end simulation and channels ---
