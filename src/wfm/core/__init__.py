"""Shared types every stage uses: interval grids, the interval frame schema, errors, Summary.

:class:`Summary` is what every result's ``summary()`` returns.
"""

from wfm.core._summary import Summary
from wfm.core.errors import (
    FlaggedRecordsWarning,
    InfeasibleError,
    InputError,
    MissingDependencyError,
    NotFittedError,
    SolverError,
    WfmError,
)
from wfm.core.frames import (
    AHT_SECONDS,
    INTERVAL_COLUMNS,
    INTERVAL_START,
    QUEUE,
    REQUIRED_AGENTS,
    VOLUME,
    infer_interval_minutes,
    validate_interval_frame,
)
from wfm.core.grid import IntervalGrid, make_interval_grid
from wfm.core.service_level import (
    DEPRECATED_SERVICE_LEVEL_DEFINITIONS,
    MODELLED_SERVICE_LEVEL_DEFINITIONS,
    SERVICE_LEVEL_DEFINITIONS,
    ServiceLevelDefinition,
)
from wfm.core.tables import Table, TableColumn
from wfm.core.targets import ServiceTarget
from wfm.core.types import (
    ExecutorLike,
    HistoryFrame,
    JsonValue,
    PartitionedFrame,
    PerQueue,
    ShrinkageComponents,
    TimestampLike,
)

__all__ = [
    "AHT_SECONDS",
    "DEPRECATED_SERVICE_LEVEL_DEFINITIONS",
    "INTERVAL_COLUMNS",
    "INTERVAL_START",
    "MODELLED_SERVICE_LEVEL_DEFINITIONS",
    "QUEUE",
    "REQUIRED_AGENTS",
    "SERVICE_LEVEL_DEFINITIONS",
    "VOLUME",
    "ExecutorLike",
    "FlaggedRecordsWarning",
    "HistoryFrame",
    "InfeasibleError",
    "InputError",
    "IntervalGrid",
    "JsonValue",
    "MissingDependencyError",
    "NotFittedError",
    "PartitionedFrame",
    "PerQueue",
    "ServiceLevelDefinition",
    "ServiceTarget",
    "ShrinkageComponents",
    "SolverError",
    "Summary",
    "Table",
    "TableColumn",
    "TimestampLike",
    "WfmError",
    "infer_interval_minutes",
    "make_interval_grid",
    "validate_interval_frame",
]
