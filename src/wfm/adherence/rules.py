"""Adherence definitions (selectable by name) and the rules that tune them.

Every definition has the form ``adherence = max(0, 1 - exception_seconds /
denominator_seconds)``; they differ in which out-of-adherence time counts as an exception
and what the denominator is. See ``docs/adherence.md`` for the vendors' published
formulas these follow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from wfm.adherence._kernel import (
    CATEGORY_NOT_WORKING,
    CATEGORY_OTHER_ACTIVITY,
    CATEGORY_OUTSIDE_SHIFT,
    CATEGORY_WORKING_WHEN_NOT_SCHEDULED,
)
from wfm.core.errors import InputError

AdherenceDefinition = Literal["genesys", "calabrio_ready", "calabrio_scheduled_time"]

ADHERENCE_DEFINITIONS: dict[str, str] = {
    "genesys": (
        "Genesys Cloud: 1 - exception time / scheduled time, where an exception is any time "
        "in an activity other than the scheduled one (beyond the start-before/end-after "
        "thresholds). With outside_shift_is_exception, working outside the shift counts in "
        "both the exception time and the scheduled time."
    ),
    "calabrio_ready": (
        "Calabrio 'ready time vs. scheduled ready time': (scheduled ready time - deviation) "
        "/ scheduled ready time; deviation = time scheduled to work (ready) but not working. "
        "Working during a scheduled break does not lower it."
    ),
    "calabrio_scheduled_time": (
        "Calabrio 'ready time vs. scheduled time': (scheduled time - deviation) / scheduled "
        "time; deviation = not working when scheduled to work, working when scheduled for "
        "something else, and working outside the shift (within the outside-shift window, "
        "2 hours by default)."
    ),
}
"""Name of every adherence definition with its one-line formula."""

COUNTED_CATEGORIES: dict[str, frozenset[int]] = {
    "genesys": frozenset(
        {
            CATEGORY_NOT_WORKING,
            CATEGORY_WORKING_WHEN_NOT_SCHEDULED,
            CATEGORY_OTHER_ACTIVITY,
            CATEGORY_OUTSIDE_SHIFT,
        }
    ),
    "calabrio_ready": frozenset({CATEGORY_NOT_WORKING}),
    "calabrio_scheduled_time": frozenset(
        {CATEGORY_NOT_WORKING, CATEGORY_WORKING_WHEN_NOT_SCHEDULED, CATEGORY_OUTSIDE_SHIFT}
    ),
}

_DEFAULT_OUTSIDE_IS_EXCEPTION = {
    "genesys": False,
    "calabrio_ready": False,
    "calabrio_scheduled_time": True,
}
_DEFAULT_OUTSIDE_WINDOW = {
    "genesys": None,
    "calabrio_ready": None,
    "calabrio_scheduled_time": 7200.0,
}


def _check_seconds(name: str, value: float | None, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if (
        value is None
        or isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise InputError(
            f"{name}={value!r} is not a non-negative number of seconds. Fix: pass e.g. 60.0."
        )


@dataclass(frozen=True)
class AdherenceRules:
    """Which adherence definition to use and its thresholds.

    Parameters
    ----------
    definition : {"genesys", "calabrio_ready", "calabrio_scheduled_time"}
        Adherence formula, see :data:`ADHERENCE_DEFINITIONS`.
    start_before_seconds : float, default 0
        Grace before a scheduled segment starts: being in that segment's activity up to
        this many seconds early is in adherence (seconds).
    end_after_seconds : float, default 0
        Grace after a segment ends: staying in its activity up to this many seconds late
        is in adherence (seconds).
    min_exception_seconds : float, default 0
        Out-of-adherence stretches shorter than this are not exceptions and count as in
        adherence (seconds).
    outside_shift_is_exception : bool, optional
        Whether working while nothing is scheduled is an exception. Default: False for
        ``genesys`` and ``calabrio_ready``, True for ``calabrio_scheduled_time``.
    outside_shift_window_seconds : float, optional
        Only working within this many seconds before a segment starts or after one ends
        counts as working outside the shift (seconds). Default: unlimited, except 7200
        (two hours, Calabrio's default) for ``calabrio_scheduled_time``.
    """

    definition: AdherenceDefinition = "genesys"
    start_before_seconds: float = 0.0
    end_after_seconds: float = 0.0
    min_exception_seconds: float = 0.0
    outside_shift_is_exception: bool | None = None
    outside_shift_window_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.definition not in ADHERENCE_DEFINITIONS:
            raise InputError(
                f"definition={self.definition!r} is not known. Fix: use one of "
                f"{sorted(ADHERENCE_DEFINITIONS)}."
            )
        _check_seconds("start_before_seconds", self.start_before_seconds)
        _check_seconds("end_after_seconds", self.end_after_seconds)
        _check_seconds("min_exception_seconds", self.min_exception_seconds)
        _check_seconds(
            "outside_shift_window_seconds", self.outside_shift_window_seconds, allow_none=True
        )
        if self.outside_shift_is_exception is not None and not isinstance(
            self.outside_shift_is_exception, bool
        ):
            raise InputError(
                f"outside_shift_is_exception={self.outside_shift_is_exception!r} is not a "
                "bool. Fix: pass True, False or None (the definition's default)."
            )

    @property
    def counts_outside_shift(self) -> bool:
        """Whether working outside the shift is an exception (resolved default)."""
        if self.outside_shift_is_exception is None:
            return _DEFAULT_OUTSIDE_IS_EXCEPTION[self.definition]
        return self.outside_shift_is_exception

    @property
    def outside_window_seconds(self) -> float | None:
        """Outside-shift window in seconds (resolved default; None = unlimited)."""
        if self.outside_shift_window_seconds is None:
            return _DEFAULT_OUTSIDE_WINDOW[self.definition]
        return self.outside_shift_window_seconds

    @property
    def counted_categories(self) -> frozenset[int]:
        """Exception categories that count against adherence under this definition."""
        return COUNTED_CATEGORIES[self.definition]
