"""Model names accepted by the DataFrame layer, and the short-history fallback chain."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable

from wfm.core.errors import InputError
from wfm.forecast._base import IntervalForecaster
from wfm.forecast._warnings import ShortHistoryWarning
from wfm.forecast.simple import SeasonalNaive, WeightedSeasonalAverage

ModelFactory = Callable[[int], IntervalForecaster]


def _holt_winters(slots: int) -> IntervalForecaster:
    from wfm.forecast.holt_winters import DoubleSeasonalHoltWinters

    return DoubleSeasonalHoltWinters(slots_per_day=slots)


def _top_down(slots: int) -> IntervalForecaster:
    from wfm.forecast.top_down import TopDownDaily

    return TopDownDaily(slots_per_day=slots)


def _top_down_glm(slots: int) -> IntervalForecaster:
    from wfm.forecast.top_down import TopDownDaily

    return TopDownDaily(method="glm", slots_per_day=slots)


def _mstl(slots: int) -> IntervalForecaster:
    from wfm.forecast.decomposition import MSTLForecaster

    return MSTLForecaster(slots_per_day=slots)


def _combination(slots: int) -> IntervalForecaster:
    from wfm.forecast.combination import CombinedForecaster

    return CombinedForecaster(slots_per_day=slots)


MODEL_NAMES: dict[str, ModelFactory] = {
    "seasonal_naive": lambda slots: SeasonalNaive(slots_per_day=slots),
    "weighted_average": lambda slots: WeightedSeasonalAverage(slots_per_day=slots),
    "weighted_average_8w": lambda slots: WeightedSeasonalAverage(weeks=8, slots_per_day=slots),
    "holt_winters": _holt_winters,
    "top_down": _top_down,
    "top_down_glm": _top_down_glm,
    "mstl": _mstl,
    "combination": _combination,
}
"""Model name -> factory taking the number of slots per day."""

FAST_MODELS: tuple[str, ...] = (
    "seasonal_naive",
    "weighted_average",
    "weighted_average_8w",
    "top_down",
    "combination",
)
"""Default candidates of ``model="auto"``.

Holt-Winters is not among them: on both real series of the benchmark it lost to the 8-week
seasonal average at every lead day from 1 to 7 and it is the slowest model to fit (see
docs/forecast.md, "Model selection"). Pass ``candidates=`` to include it. Nor is
``top_down_glm``: it won on the development parts of both series and lost on the held-out
US part, where its log-linear trend ran on after the volume had levelled (docs/forecast.md,
"Daily GLM")."""

CHAMPION: str = "combination"
"""Label of the default model of ``model="auto"`` (kept unless a challenger beats it)."""

SELECTION_MARGIN: float = 0.05
"""Relative WAPE margin by which a challenger must beat the champion in the backtest."""


def make_model(model: str | IntervalForecaster, slots_per_day: int) -> IntervalForecaster:
    """Return a fresh, unfitted model from a name or a template instance.

    Parameters
    ----------
    model : str or IntervalForecaster
        A name of :data:`MODEL_NAMES` or an unfitted model used as a template (deep-copied).
    slots_per_day : int
        Intervals per local day.

    Returns
    -------
    IntervalForecaster

    Raises
    ------
    InputError
        On an unknown name, or a template whose ``slots_per_day`` differs.
    """
    if isinstance(model, IntervalForecaster):
        if model.slots_per_day != slots_per_day:
            raise InputError(
                f"model has slots_per_day={model.slots_per_day} but the history has "
                f"{slots_per_day} intervals a day. Fix: build the model with "
                f"slots_per_day={slots_per_day}."
            )
        return copy.deepcopy(model)
    if not isinstance(model, str) or model not in MODEL_NAMES:
        raise InputError(
            f"model={model!r} is not known. Fix: use one of {sorted(MODEL_NAMES)} or 'auto', "
            "or pass a model instance."
        )
    return MODEL_NAMES[model](slots_per_day)


def model_name(model: str | IntervalForecaster) -> str:
    """Readable name of a model specification."""
    return model if isinstance(model, str) else type(model).__name__


def model_for_history(
    model: str | IntervalForecaster, slots_per_day: int, n_days: int, queue: object
) -> tuple[IntervalForecaster, str]:
    """Return the model to fit on ``n_days`` of history, degrading if the history is short.

    The fallback chain is: requested model -> ``weighted_average`` (over the weeks
    available) -> ``seasonal_naive``. A :class:`ShortHistoryWarning` names the queue, the
    days available and the model used.

    Raises
    ------
    InputError
        If the history is shorter than 7 days (one weekly cycle).
    """
    wanted = make_model(model, slots_per_day)
    if n_days >= wanted.min_history_days:
        return wanted, model_name(model)
    if n_days < 7:
        raise InputError(
            f"queue={queue!r} has {n_days} whole days of history; forecasting needs at least 7 "
            "(one weekly cycle). Fix: pass more history for that queue or drop it."
        )
    fallback = "weighted_average"
    warnings.warn(
        f"queue={queue!r} has {n_days} days of history, fewer than the "
        f"{wanted.min_history_days} that {model_name(model)} needs; using {fallback} instead.",
        ShortHistoryWarning,
        stacklevel=3,
    )
    return make_model(fallback, slots_per_day), fallback
