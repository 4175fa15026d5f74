"""Warning classes of the forecast stage."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager


class ShortHistoryWarning(UserWarning):
    """A queue's history is too short for the requested model; a simpler one was used."""


class MissingIntervalsWarning(UserWarning):
    """Open intervals were absent from the history and were imputed for training only."""


class ModelFitWarning(UserWarning):
    """A statistical model's optimiser did not converge; its forecast is used as fitted.

    Re-emitted from statsmodels' ``ConvergenceWarning`` with the model's name, so that a
    caller can filter it by this category (``warnings.simplefilter("ignore",
    ModelFitWarning)``) or compare the model against a baseline in a backtest.
    """


# statsmodels chatter that says nothing about the fitted model, matched by category and
# the start of the message (checked in tests/forecast/test_models_statistical.py):
# starting values of SARIMAX are replaced by zeros when they are not stationary/invertible.
_KNOWN_CHATTER: tuple[tuple[type[Warning], str], ...] = (
    (UserWarning, "Non-stationary starting autoregressive parameters"),
    (UserWarning, "Non-invertible starting MA parameters"),
)


@contextmanager
def statsmodels_warnings(model: str) -> Iterator[None]:
    """Run a statsmodels fit or forecast; surface its warnings by category, never drop all.

    Non-convergence (statsmodels ``ConvergenceWarning``) is re-emitted once per block as
    :class:`ModelFitWarning` naming ``model``; the starting-value notes in
    ``_KNOWN_CHATTER`` are dropped; every other warning is re-emitted unchanged.

    Parameters
    ----------
    model : str
        Name of the model for the message, e.g. ``"TopDownDaily daily ETS"``.
    """
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    converged = True
    for item in caught:
        if issubclass(item.category, ConvergenceWarning):
            converged = False
        elif not any(
            issubclass(item.category, category) and str(item.message).startswith(start)
            for category, start in _KNOWN_CHATTER
        ):
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
    if not converged:
        warnings.warn(
            f"{model}: the optimiser did not converge; the fitted parameters are used as they "
            "are. Fix: compare the model with a baseline in a backtest, or use more history.",
            ModelFitWarning,
            stacklevel=3,
        )
