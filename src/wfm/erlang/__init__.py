"""wfm.erlang: queueing models (Erlang B/C/A), staffing, shrinkage, simulation, channels.

Public API, re-exported from ``wfm``.
"""

# --- queueing kernels and staffing (engine) ---
__all__: list[str] = []
# --- end engine ---

# --- simulation and channels ---
# --- end simulation and channels ---
