"""Forecast combination: the equal-weight mean of several models' point forecasts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from wfm.core.errors import InputError
from wfm.forecast._base import IntervalForecaster
from wfm.forecast._slots import FloatArray

DEFAULT_MEMBERS: tuple[str, ...] = ("weighted_average_8w", "top_down")
"""Members of the default combination: the 8-week seasonal average (stable weekly shape,
slow to follow a change of level) and the top-down model (daily totals by ETS with weekday
and holiday effects, quick to follow a change of level), whose errors differ in kind.
Holt-Winters is left out: its level follows the last day, which helps within the day but
made the combination worse at 2-7 days ahead on both real series (docs/forecast.md)."""


class CombinedForecaster(IntervalForecaster):
    """Equal-weight mean of several models' point forecasts.

    Averaging forecasts of different kinds is one of the most reliable ways to lower
    forecast error: the members' errors partly cancel, and the mean is rarely much worse
    than the best member while no one knows in advance which member will be best (Bates &
    Granger 1969; Makridakis et al., the M4 competition, 2020). Equal weights are used on
    purpose: estimated weights are known to lose to equal ones out of sample ("the forecast
    combination puzzle", Smith & Wallis 2009).

    Parameters
    ----------
    members : sequence of str or IntervalForecaster, default DEFAULT_MEMBERS
        Model names of :data:`wfm.forecast.MODEL_NAMES` or unfitted model instances
        (default: the 8-week seasonal average and top-down).
    slots_per_day : int, default 48
        Intervals per local day.
    calibration_days : int, default 14
        Held-out days used for the empirical prediction intervals of the combination.
    """

    def __init__(
        self,
        *,
        members: Sequence[str | IntervalForecaster] = DEFAULT_MEMBERS,
        slots_per_day: int = 48,
        calibration_days: int = 14,
    ) -> None:
        self.members = members
        self.slots_per_day = slots_per_day
        self.calibration_days = calibration_days

    def _models(self) -> list[IntervalForecaster]:
        from wfm.forecast.registry import make_model  # the registry lists this class too

        if isinstance(self.members, str) or len(self.members) < 2:
            raise InputError(
                f"members={self.members!r} must name at least two models. Fix: e.g. "
                f"members={DEFAULT_MEMBERS}."
            )
        return [make_model(member, self.slots_per_day) for member in self.members]

    @property
    def min_history_days(self) -> int:  # type: ignore[override]
        """Days of history the most demanding member needs."""
        return max(model.min_history_days for model in self._models())

    def _fit_state(self, days: FloatArray, start_date: np.datetime64) -> Any:
        models = self._models()
        return [(model, model._fit_state(days, start_date)) for model in models]

    def _forecast(self, state: Any, n_days: int, start_date: np.datetime64) -> FloatArray:
        forecasts = [model._forecast(member, n_days, start_date) for model, member in state]
        return np.asarray(np.mean(forecasts, axis=0), dtype=np.float64)
