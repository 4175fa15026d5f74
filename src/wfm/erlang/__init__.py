"""wfm.erlang: queueing models (Erlang B/C/A/X), staffing, shrinkage, channels.

Closed forms only; the discrete-event simulator and staffing by simulation are the next
stage's, :mod:`wfm.simulation`. Public API, re-exported from ``wfm``.
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

# --- channels and time-varying load ---
from wfm.erlang._erlang_x import ErlangXMetrics, erlang_x, erlang_x_intervals
from wfm.erlang.channels import (
    ChatMetrics,
    EmailStaffingResult,
    chat_metrics,
    chat_required_agents,
    email_staffing,
)
from wfm.erlang.offered_load import modified_offered_load

__all__ += [
    "ChatMetrics",
    "EmailStaffingResult",
    "ErlangXMetrics",
    "chat_metrics",
    "chat_required_agents",
    "email_staffing",
    "erlang_x",
    "erlang_x_intervals",
    "modified_offered_load",
]
# --- end channels and time-varying load ---
