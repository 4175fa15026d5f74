"""Modified offered load: the busy servers of the infinite-server queue under time-varying load.

Per-interval staffing (SIPP) sizes each interval as if its arrival rate lasted for ever.
When the rate changes faster than calls end, the load in the system trails the arrivals.
The modified offered load is the mean number of busy servers of the infinite-server queue
with the same arrivals, ``m'(t) = lambda(t) - m(t) / AHT`` (Jennings, Mandelbaum, Massey and
Whitt, "Server staffing to meet time-varying demand", Management Science 42(10), 1996),
solved exactly for piecewise-constant rates and averaged per interval. Staffing each
interval by Erlang C/A at this load is ``staff_intervals(offered_load="modified")``; the
other time-varying methods, including staffing by simulation, are in
:mod:`wfm.simulation.timevarying`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["modified_offered_load"]


def modified_offered_load(
    volume: np.ndarray, aht_seconds: np.ndarray, interval_seconds: float
) -> np.ndarray:
    """Interval-average offered load (Erlangs) of the infinite-server queue, empty at t = 0.

    Parameters
    ----------
    volume : numpy.ndarray
        Contacts per interval, shape (queues, intervals) or (intervals,).
    aht_seconds : numpy.ndarray
        Mean handle time in seconds, same shape (> 0 where volume > 0).
    interval_seconds : float
        Interval length in seconds.

    Returns
    -------
    numpy.ndarray
        Mean busy servers over each interval, same shape as ``volume``.

    Notes
    -----
    Within an interval of constant rate ``lambda`` and mean handle time ``s``,
    ``m(t) = lambda s + (m0 - lambda s) exp(-t / s)``; its average over the interval is
    ``lambda s + (m0 - lambda s) (s / T) (1 - exp(-T / s))``. Exact for exponential handle
    times; a good approximation otherwise.
    """
    volume_a = np.atleast_2d(np.asarray(volume, dtype=np.float64))
    aht_a = np.broadcast_to(
        np.atleast_2d(np.asarray(aht_seconds, dtype=np.float64)), volume_a.shape
    )
    safe_aht = np.where(aht_a > 0, aht_a, 1.0)
    steady = volume_a / interval_seconds * safe_aht
    decay = np.exp(-interval_seconds / safe_aht)
    average_weight = safe_aht / interval_seconds * (1 - decay)
    load = np.empty_like(volume_a)
    current = np.zeros(volume_a.shape[0])
    # the recursion runs over intervals (each depends on the previous end state) and is
    # vectorised over queues
    for i in range(volume_a.shape[1]):
        gap = current - steady[:, i]
        load[:, i] = steady[:, i] + gap * average_weight[:, i]
        current = steady[:, i] + gap * decay[:, i]
    result: np.ndarray = load.reshape(np.shape(volume)) if np.ndim(volume) == 1 else load
    return result
