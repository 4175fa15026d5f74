"""Special days: an event calendar with three kinds of event.

``exclude``
    History intervals in ``[start, end)`` are removed from the training data (outages,
    storms, one-off campaigns). They are listed in ``IntervalForecast.report.excluded`` and
    imputed for training like missing intervals (median of the same weekday and slot).
``learned``
    Events sharing a ``name`` (e.g. ``"day after bank holiday"``, ``"billing day"``) share one
    multiplier per queue, learned from their past occurrences:
    ``m = sum(actual) / sum(baseline)`` over covered, observed history intervals, where the
    baseline of an interval is the mean of the same local weekday and slot 1 and 2 weeks
    before and after that are not themselves covered by a learned event. For training, the
    covered history is divided by ``m`` (so the models see a normal day); future intervals
    covered by an event of that name are multiplied by ``m``. A name with no past occurrence
    gets ``m = 1``.
``override``
    Manual planner input for future intervals in ``[start, end)``: ``volume`` sets the
    contacts per interval, or ``scale`` multiplies the forecast. Prediction bands are scaled
    by the same factor (set to the new volume where the old forecast was 0).

Events apply to the queues listed in ``queues`` (all queues if ``None``). Times are aware
datetimes; JSON keeps their UTC offsets, so a calendar round-trips exactly.

``EventCalendar.special_days`` (:class:`~wfm.forecast.special_days.SpecialDays`, e.g. from
:meth:`EventCalendar.for_country`) adds holidays, eves, after-days and bridge days with
learned, shrunk per-day effects (see ``wfm.forecast.special_days``).
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Hashable, Iterable, Sequence
from typing import Literal, Self

import numpy as np
import pandas as pd
from pydantic import AwareDatetime, ConfigDict, model_validator

from wfm.core._models import WfmModel
from wfm.core.errors import InputError, missing_extra
from wfm.core.frames import INTERVAL_START, QUEUE, VOLUME
from wfm.forecast._slots import BoolArray, FloatArray, QueueHistory, slot_values_to_stamps
from wfm.forecast.special_days import SpecialDays, read_special_days_csv

EventKind = Literal["exclude", "learned", "override"]


class CalendarEvent(WfmModel):
    """One special period.

    Attributes
    ----------
    name : str
        Label; ``learned`` events with the same name share a multiplier.
    kind : {"exclude", "learned", "override"}
        What the event does (see module docstring).
    start, end : datetime
        Aware start (inclusive) and end (exclusive) of the period.
    queues : tuple of str, optional
        Queues affected (compared as strings); all queues if omitted.
    volume : float, optional
        ``override`` only: contacts per interval to set.
    scale : float, optional
        ``override`` only: factor applied to the forecast (>= 0).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: EventKind
    start: AwareDatetime
    end: AwareDatetime
    queues: tuple[str, ...] | None = None
    volume: float | None = None
    scale: float | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.end <= self.start:
            raise ValueError(f"end={self.end} must be after start={self.start}")
        if self.kind == "override":
            if (self.volume is None) == (self.scale is None):
                raise ValueError("an override needs exactly one of volume or scale")
            value = self.volume if self.volume is not None else self.scale
            if value is not None and not (np.isfinite(value) and value >= 0):
                raise ValueError(f"override value {value} must be finite and >= 0")
        elif self.volume is not None or self.scale is not None:
            raise ValueError(f"volume/scale are only allowed on overrides, not kind={self.kind}")
        return self

    def applies_to(self, queue: Hashable) -> bool:
        """Whether the event concerns ``queue``."""
        return self.queues is None or str(queue) in self.queues


def _covered(stamps: pd.DatetimeIndex, events: Sequence[CalendarEvent]) -> BoolArray:
    """Mark stamps lying in any event's ``[start, end)`` (vectorised over stamps)."""
    if not events or len(stamps) == 0:
        return np.zeros(len(stamps), dtype=bool)
    starts = np.array([pd.Timestamp(e.start).value for e in events], dtype=np.int64)
    ends = np.array([pd.Timestamp(e.end).value for e in events], dtype=np.int64)
    order = np.argsort(starts)
    starts, ends = starts[order], np.maximum.accumulate(ends[order])
    values = stamps.as_unit("ns").asi8
    index = np.searchsorted(starts, values, side="right") - 1
    valid = index >= 0
    result = np.zeros(len(values), dtype=bool)
    result[valid] = values[valid] < ends[index[valid]]
    return result


def _week_shift(array: FloatArray, days: int) -> FloatArray:
    """``out[d] = array[d + days]`` with NaN outside the range."""
    out = np.full_like(array, np.nan)
    if days > 0:
        out[:-days] = array[days:]
    elif days < 0:
        out[-days:] = array[:days]
    return out


class EventCalendar(WfmModel):
    """Special periods (exclusions, learned effects, overrides) and special days.

    Attributes
    ----------
    events : tuple of CalendarEvent
        The events, in any order.
    special_days : SpecialDays, optional
        Holidays of a country, custom days, eves, after-days and bridges, each with a
        learned, shrunk effect on the daily total and the intraday profile
        (``wfm.forecast.special_days``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    events: tuple[CalendarEvent, ...] = ()
    special_days: SpecialDays | None = None

    @classmethod
    def for_country(
        cls,
        country: str | None,
        *,
        subdiv: str | None = None,
        special_days_file: str | None = None,
        shrinkage: float = 2.0,
        estimate_shrinkage: bool = True,
        observances: tuple[str, ...] = (),
        month_position: bool = True,
    ) -> EventCalendar:
        """Calendar of a country's holidays with eves, after-days and bridges.

        Parameters
        ----------
        country : str or None
            ISO 3166 code (``holidays`` package), or None for custom days only.
        subdiv : str, optional
            Region code.
        special_days_file : str, optional
            CSV file of custom days (``date,name[,kind]``).
        shrinkage : float, default 2.0
            ``k`` of the shrinkage weight ``n / (n + k)`` (the fallback when estimated).
        estimate_shrinkage : bool, default True
            Estimate ``k`` from repeated special days (``SpecialDays.estimate_shrinkage``).
        observances : tuple of str, default ()
            Further categories of the ``holidays`` package marked as kind ``observance``
            (e.g. ``("optional",)`` for Israel: Purim, Remembrance Day).
        month_position : bool, default True
            Also learn month-position factors (``SpecialDays.month_position``).

        Returns
        -------
        EventCalendar
        """
        days = () if special_days_file is None else read_special_days_csv(special_days_file)
        special = SpecialDays(
            country=country,
            subdiv=subdiv,
            days=days,
            shrinkage=shrinkage,
            estimate_shrinkage=estimate_shrinkage,
            observances=tuple(observances),
            month_position=month_position,
        )
        if country is not None:
            first = dt.date(2000, 1, 1)
            special.holiday_table(first, first)  # check the code
            special.observance_table(first, first)  # and the categories
        return cls(special_days=special)

    def to_json(self) -> str:
        """Serialise to JSON (aware timestamps keep their offsets)."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str) -> EventCalendar:
        """Read a calendar written by :meth:`to_json`."""
        return cls.model_validate_json(text)

    @classmethod
    def from_public_holidays(
        cls,
        country: str,
        years: Iterable[int],
        *,
        tz: str,
        kind: Literal["exclude", "learned"] = "learned",
        subdiv: str | None = None,
        name: str = "public holiday",
        queues: Sequence[str] | None = None,
    ) -> EventCalendar:
        """Whole-day events for a country's public holidays (needs the ``holidays`` extra).

        All holidays share one multiplier here; :meth:`for_country` gives each holiday, its
        eve, after-day and bridge days their own shrunk effects and intraday shapes.

        Parameters
        ----------
        country : str
            ISO country code understood by the ``holidays`` package, e.g. ``"US"``, ``"IL"``.
        years : iterable of int
            Calendar years.
        tz : str
            IANA zone of the site; each event spans local midnight to midnight.
        kind : {"learned", "exclude"}, default "learned"
            Learn one shared holiday multiplier, or drop holidays from training.
        subdiv : str, optional
            Region code (e.g. a US state).
        name : str, default "public holiday"
            Event name (the shared multiplier's key).
        queues : sequence of str, optional
            Queues affected (all if omitted).

        Returns
        -------
        EventCalendar

        Raises
        ------
        MissingDependencyError
            If the ``holidays`` package is not installed.
        """
        try:
            with warnings.catch_warnings():
                # holidays 0.50 to 0.5x warn on import about their future versioning
                warnings.filterwarnings(
                    "ignore",
                    message=r"\s*This is a future version incompatibility warning",
                    category=DeprecationWarning,
                )
                import holidays as holidays_package
        except ImportError as exc:
            raise missing_extra("holidays", "holidays", "public-holiday events") from exc
        try:
            table = holidays_package.country_holidays(country, years=list(years), subdiv=subdiv)
        except NotImplementedError as exc:
            raise InputError(
                f"country={country!r} (subdiv={subdiv!r}) is not known to the holidays "
                "package. Fix: pass an ISO 3166 code such as 'US' or 'GB'."
            ) from exc
        events = []
        for day in sorted(table):
            start = pd.Timestamp(day).tz_localize(tz)
            end = pd.Timestamp(day + dt.timedelta(days=1)).tz_localize(tz)
            events.append(
                CalendarEvent(
                    name=name,
                    kind=kind,
                    start=start.to_pydatetime(),
                    end=end.to_pydatetime(),
                    queues=None if queues is None else tuple(queues),
                )
            )
        return cls(events=tuple(events))

    def merged(self, other: EventCalendar) -> EventCalendar:
        """Return a calendar with the events of both (special days: ``other``'s if set)."""
        special = other.special_days if other.special_days is not None else self.special_days
        return EventCalendar(events=self.events + other.events, special_days=special)

    def _of(self, kind: EventKind, queue: Hashable) -> list[CalendarEvent]:
        return [e for e in self.events if e.kind == kind and e.applies_to(queue)]

    def exclusion_mask(self, queue: Hashable, stamps: pd.DatetimeIndex) -> BoolArray:
        """Mark history intervals of ``queue`` covered by an ``exclude`` event."""
        return _covered(stamps, self._of("exclude", queue))

    def _learned_masks(
        self, queue: Hashable, first_date: np.datetime64, n_days: int, tz: str, minutes: int
    ) -> dict[str, BoolArray]:
        learned = self._of("learned", queue)
        slots = 1440 // minutes
        grid, day, slot = slot_values_to_stamps(first_date, n_days, tz=tz, interval_minutes=minutes)
        masks: dict[str, BoolArray] = {}
        for name in sorted({e.name for e in learned}):
            covered = _covered(grid, [e for e in learned if e.name == name])
            mask = np.zeros((n_days, slots), dtype=bool)
            mask[day[covered], slot[covered]] = True
            masks[name] = mask
        return masks

    def learned_adjustment(
        self, history: QueueHistory, *, tz: str, interval_minutes: int
    ) -> tuple[FloatArray, dict[str, float]]:
        """Learn each event name's multiplier and return the de-effected training volume.

        Returns
        -------
        tuple
            ``(days, slots)`` volume with covered intervals divided by their multiplier,
            and name -> multiplier.
        """
        masks = self._learned_masks(
            history.queue, history.first_date, history.n_days, tz, interval_minutes
        )
        volume = history.volume.copy()
        if not masks:
            return volume, {}
        any_event = np.logical_or.reduce(list(masks.values()))
        clean = np.where(history.observed & ~any_event, history.volume, np.nan)
        shifted = np.stack([_week_shift(clean, k) for k in (-14, -7, 7, 14)])
        count = np.isfinite(shifted).sum(axis=0)
        baseline = np.divide(
            np.nansum(shifted, axis=0), count, out=np.full_like(clean, np.nan), where=count > 0
        )
        multipliers: dict[str, float] = {}
        for name, mask in masks.items():
            usable = mask & history.observed & np.isfinite(baseline)
            expected = baseline[usable].sum()
            factor = float(history.volume[usable].sum() / expected) if expected > 0 else 1.0
            multipliers[name] = factor
            if factor > 0:
                volume[mask] = volume[mask] / factor
            else:
                volume[mask] = np.where(np.isfinite(baseline[mask]), baseline[mask], 0.0)
        return volume, multipliers

    def future_multipliers(
        self,
        history: QueueHistory,
        multipliers: dict[str, float],
        start_date: np.datetime64,
        horizon_days: int,
        *,
        tz: str,
        interval_minutes: int,
    ) -> FloatArray:
        """Factor per future slot position ``(horizon_days * slots,)`` from learned events."""
        masks = self._learned_masks(history.queue, start_date, horizon_days, tz, interval_minutes)
        slots = 1440 // interval_minutes
        factor = np.ones((horizon_days, slots))
        for name, mask in masks.items():
            factor[mask] *= multipliers.get(name, 1.0)
        return factor.ravel()

    def apply_overrides(self, frame: pd.DataFrame, levels: Sequence[float]) -> pd.DataFrame:
        """Apply ``override`` events to a forecast frame (one queue or many)."""
        overrides = [e for e in self.events if e.kind == "override"]
        if not overrides:
            return frame
        out = frame.copy()
        band_columns = [
            c for c in out.columns if c.startswith("volume_lo_") or c.startswith("volume_hi_")
        ]
        stamps = pd.DatetimeIndex(out[INTERVAL_START])
        queues = out[QUEUE].astype(str).to_numpy()
        for event in overrides:
            rows = _covered(stamps, [event])
            if event.queues is not None:
                rows &= np.isin(queues, list(event.queues))
            if not rows.any():
                continue
            old = out.loc[rows, VOLUME].to_numpy(dtype=np.float64)
            if event.scale is not None:
                factor = np.full(old.shape, event.scale)
                new = old * event.scale
            else:
                new = np.full(old.shape, float(event.volume or 0.0))
                factor = np.divide(new, old, out=np.full(old.shape, np.nan), where=old > 0)
            out.loc[rows, VOLUME] = new
            for column in band_columns:
                band = out.loc[rows, column].to_numpy(dtype=np.float64)
                out.loc[rows, column] = np.where(
                    np.isfinite(factor), band * np.nan_to_num(factor), new
                )
        return out
