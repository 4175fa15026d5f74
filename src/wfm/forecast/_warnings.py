"""Warning classes of the forecast stage."""

from __future__ import annotations


class ShortHistoryWarning(UserWarning):
    """A queue's history is too short for the requested model; a simpler one was used."""


class MissingIntervalsWarning(UserWarning):
    """Open intervals were absent from the history and were imputed for training only."""
