"""Time distributions (handle time, patience) for the simulator, as small value objects.

Each distribution is a *shape*: :meth:`sample` takes the mean per draw in seconds, so the
same object serves intervals whose forecast AHT differs. All draws come from the
``numpy.random.Generator`` passed in (no global random state).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from wfm.core.errors import InputError


@runtime_checkable
class TimeDistribution(Protocol):
    """Anything with ``sample(rng, mean_seconds) -> seconds`` (vectorised)."""

    def sample(self, rng: np.random.Generator, mean_seconds: np.ndarray) -> np.ndarray:
        """Draw one duration per entry of ``mean_seconds`` (seconds, same shape)."""
        ...


@dataclass(frozen=True)
class ExponentialTime:
    """Exponentially distributed durations (coefficient of variation 1).

    The classical Erlang assumption for handle times and patience.

    Examples
    --------
    >>> ExponentialTime()
    ExponentialTime()
    """

    def sample(self, rng: np.random.Generator, mean_seconds: np.ndarray) -> np.ndarray:
        """Draw exponential durations with the given means (seconds)."""
        means = np.asarray(mean_seconds, dtype=np.float64)
        return rng.standard_exponential(means.shape) * means


@dataclass(frozen=True)
class LognormalTime:
    """Lognormal durations with a given coefficient of variation (sd / mean).

    Handle times of real call centres are close to lognormal (Brown et al., "Statistical
    analysis of a telephone call center", JASA 100, 2005, section 5).

    Parameters
    ----------
    cv : float, default 1.0
        Coefficient of variation, > 0 (1.0 has the exponential's variance).

    Examples
    --------
    >>> LognormalTime(cv=0.8)
    LognormalTime(cv=0.8)
    """

    cv: float = 1.0

    def __post_init__(self) -> None:
        if not (np.isfinite(self.cv) and self.cv > 0):
            raise InputError(f"LognormalTime.cv={self.cv!r} must be a finite number > 0.")

    def sample(self, rng: np.random.Generator, mean_seconds: np.ndarray) -> np.ndarray:
        """Draw lognormal durations with the given means (seconds) and ``cv``."""
        means = np.asarray(mean_seconds, dtype=np.float64)
        sigma2 = np.log1p(self.cv**2)
        mu = np.log(np.where(means > 0, means, 1.0)) - sigma2 / 2
        return np.where(means > 0, rng.lognormal(mu, np.sqrt(sigma2)), 0.0)


@dataclass(frozen=True)
class DeterministicTime:
    """Constant durations equal to the mean (no variability).

    Examples
    --------
    >>> DeterministicTime()
    DeterministicTime()
    """

    def sample(self, rng: np.random.Generator, mean_seconds: np.ndarray) -> np.ndarray:
        """Return the means themselves (seconds)."""
        return np.array(mean_seconds, dtype=np.float64, copy=True)


@dataclass(frozen=True, repr=False)
class EmpiricalTime:
    """Durations resampled from observed values, rescaled to the requested mean.

    Parameters
    ----------
    values_seconds : sequence of float
        Observed durations in seconds (>= 0, at least one > 0).
    rescale : bool, default True
        If true, each draw is multiplied by ``mean_seconds / mean(values_seconds)`` so the
        shape is kept and the interval's forecast AHT is honoured; if false the values are
        used as they are and ``mean_seconds`` is ignored.

    Examples
    --------
    >>> EmpiricalTime((100.0, 200.0, 600.0))
    EmpiricalTime(n=3, mean=300.0 s, cv=0.72, rescale=True)
    """

    values_seconds: tuple[float, ...]
    rescale: bool = True

    def __init__(self, values_seconds: Sequence[float] | np.ndarray, rescale: bool = True):
        values = np.asarray(values_seconds, dtype=np.float64).ravel()
        if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values < 0):
            raise InputError(
                "EmpiricalTime.values_seconds must be a non-empty list of finite durations "
                "in seconds >= 0. Fix: drop missing or negative observations first."
            )
        if not values.max() > 0:
            raise InputError("EmpiricalTime.values_seconds are all 0. Fix: pass real durations.")
        object.__setattr__(self, "values_seconds", tuple(values.tolist()))
        object.__setattr__(self, "rescale", bool(rescale))

    def __repr__(self) -> str:
        values = np.asarray(self.values_seconds)
        mean = float(values.mean())
        cv = float(values.std() / mean)
        return (
            f"EmpiricalTime(n={values.size}, mean={mean:.1f} s, cv={cv:.2f}, "
            f"rescale={self.rescale})"
        )

    def sample(self, rng: np.random.Generator, mean_seconds: np.ndarray) -> np.ndarray:
        """Resample observed durations, rescaled to ``mean_seconds`` if ``rescale``."""
        values = np.asarray(self.values_seconds, dtype=np.float64)
        means = np.asarray(mean_seconds, dtype=np.float64)
        draws: np.ndarray = values[rng.integers(0, values.size, size=means.shape)]
        if self.rescale:
            draws = draws * (means / float(values.mean()))
        return draws
