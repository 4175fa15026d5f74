"""statsmodels warnings inside the forecasters are filtered by category and message only."""

import warnings

import pytest
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from wfm.forecast import ModelFitWarning
from wfm.forecast._warnings import statsmodels_warnings


def test_non_convergence_surfaces_as_the_librarys_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with statsmodels_warnings("TopDownDaily daily ETS"):
            warnings.warn("Optimization failed to converge.", ConvergenceWarning, stacklevel=1)
            warnings.warn("Optimization failed to converge.", ConvergenceWarning, stacklevel=1)
    assert [item.category for item in caught] == [ModelFitWarning]  # once per fit, renamed
    assert str(caught[0].message).startswith("TopDownDaily daily ETS: the optimiser did not")


def test_known_starting_value_notes_are_dropped() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with statsmodels_warnings("SARIMA"):
            warnings.warn(
                "Non-invertible starting MA parameters found. Using zeros as starting parameters.",
                UserWarning,
                stacklevel=1,
            )
    assert caught == []


def test_every_other_warning_passes_through_unchanged() -> None:
    with pytest.warns(RuntimeWarning, match="overflow in exp"):
        with statsmodels_warnings("ETS"):
            warnings.warn("overflow in exp", RuntimeWarning, stacklevel=1)
    with pytest.warns(FutureWarning, match="other text"):
        with statsmodels_warnings("ETS"):
            warnings.warn("other text", FutureWarning, stacklevel=1)
