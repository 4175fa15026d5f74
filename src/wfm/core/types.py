"""Type aliases for the arguments of public functions, defined once for every stage.

They say what a parameter accepts where one concrete type would be too narrow (a time as a
string or a Timestamp, a target as one number or one per queue) and keep ``Any`` out of the
public signatures. They are plain unions and protocols: nothing here is checked at run time
beyond what each function already validates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol, TypeAlias, runtime_checkable

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "ExecutorLike",
    "HistoryFrame",
    "JsonValue",
    "PartitionedFrame",
    "PerQueue",
    "ShrinkageComponents",
    "TimestampLike",
]

TimestampLike: TypeAlias = pd.Timestamp | datetime | date | np.datetime64 | str
"""A point in time or a day: anything :class:`pandas.Timestamp` parses (e.g. ``"2024-03-04"``)."""

PerQueue: TypeAlias = float | Mapping[str, float] | str | npt.ArrayLike
"""A target for every row of an interval frame.

One number for all rows, a mapping queue -> number, the name of a column of the frame, or
an array with one value per row.
"""

ShrinkageComponents: TypeAlias = Mapping[str, npt.ArrayLike] | Sequence[npt.ArrayLike]
"""Independent shrinkage components (fractions of paid time lost, each in [0, 1)).

A mapping name -> fraction (e.g. ``{"breaks": 0.10, "absence": 0.05}``) or a sequence of
fractions; a component may be an array with one fraction per interval.
"""

JsonValue: TypeAlias = (
    str | int | float | bool | Sequence["JsonValue"] | Mapping[str, "JsonValue"] | None
)
"""A value :func:`json.dumps` writes as it is: a scalar, or lists and objects of them."""


@runtime_checkable
class PartitionedFrame(Protocol):
    """A partitioned data frame such as ``dask.dataframe.DataFrame`` (dask is optional).

    Only what :func:`wfm.plan_queues` uses: the number of partitions and one delayed
    object per partition.
    """

    @property
    def npartitions(self) -> int:
        """Number of partitions."""
        ...

    def to_delayed(self) -> Sequence[object]:
        """One lazy task per partition."""
        ...


HistoryFrame: TypeAlias = pd.DataFrame | PartitionedFrame
"""Interval history in memory (pandas) or partitioned (e.g. a Dask frame)."""


@runtime_checkable
class ExecutorLike(Protocol):
    """Something that runs a function elsewhere and returns a future.

    ``concurrent.futures.Executor`` (thread or process pool) and ``dask.distributed.Client``
    both qualify: ``submit(fn, *args, **kwargs)`` returns an object whose ``result()``
    gives ``fn(*args, **kwargs)``.
    """

    def submit(self, fn: Callable[..., object], /, *args: Any, **kwargs: Any) -> object:
        """Schedule ``fn(*args, **kwargs)`` and return a future."""
        ...
