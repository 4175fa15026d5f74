"""wfm.simulation: discrete-event simulation of a contact centre, and staffing by simulation.

The stage after :mod:`wfm.schedule`: it takes the forecast and either agent counts per
interval (from :mod:`wfm.erlang`) or a schedule's segments, and estimates service level,
ASA, abandonment and occupancy with confidence intervals. It also staffs where no closed
form is exact: time-varying load (:func:`staff_time_varying`), several skills
(:func:`multiskill_staffing`) and peak tests of a schedule (:func:`peak_test`). The closed
forms (Erlang B/C/A/X, modified offered load) stay in :mod:`wfm.erlang`.

Public API, re-exported from ``wfm``. Inside the package, :mod:`~wfm.simulation.multiskill`
and :mod:`~wfm.simulation.timevarying` use the simulator through its internal interface:
``_inputs`` (``forecast_grid``, ``ForecastGrid``, ``AgentRoster``) and ``_simulator``
(``queue_models``, ``run_replications``).
"""

from wfm.simulation._simulator import (
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
from wfm.simulation.multiskill import (
    MultiskillStaffingResult,
    multiskill_staffing,
    pooling_comparison,
)
from wfm.simulation.timevarying import compare_time_varying_methods, staff_time_varying

__all__: list[str] = [
    "DeterministicTime",
    "EmpiricalTime",
    "ExponentialTime",
    "LognormalTime",
    "MultiskillStaffingResult",
    "PeakTestResult",
    "SimulationQueue",
    "SimulationResult",
    "TimeDistribution",
    "compare_time_varying_methods",
    "multiskill_staffing",
    "peak_test",
    "pooling_comparison",
    "simulate_centre",
    "staff_time_varying",
]
