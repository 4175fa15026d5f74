"""Special days: holidays, eves, after-days and bridge days, with learned and shrunk effects.

Kinds of special day (one per local date; the first that applies wins):

``holiday``
    A date of the country's public-holiday table (``holidays`` package) or a custom day of
    kind ``holiday``.
``custom``
    A custom day from :attr:`SpecialDays.days` (e.g. read from a CSV file) with kind
    ``custom`` (billing day, campaign, ...).
``observance``
    A date of one of :attr:`SpecialDays.observances`, further categories of the country's
    table (e.g. ``"optional"`` in Israel: Purim, the Passover intermediate days, Remembrance
    Day; ``"unofficial"`` in the US: Good Friday, Christmas Eve). Observances get no eves or
    after-days of their own.
``eve``
    The day before a holiday (often a short day).
``after``
    The day after a holiday.
``bridge``
    An ordinary working day between a holiday and the centre's weekly rest day(s), e.g. the
    Friday after a Thursday holiday or the Monday before a Tuesday holiday (a bridge wins
    over eve and after-day).

Eve, after and bridge days are only marked on working weekdays: not on the weekly rest
day(s), which are the weekdays the centre is closed or, if it is open every day, its
quietest weekday.

Learned effects (per queue, from the training history only). For a past special day ``d``
the *ordinary expectation* ``E[d, s]`` is the mean of the same slot on the same weekday 1
and 2 weeks before and after that were ordinary days (falling back to the mean of all
ordinary days of that weekday). A day's ratio is ``r_d = sum_s a[d, s] / sum_s E[d, s]``
over observed slots. For a special name ``g`` (one holiday, or ``"eve of <holiday>"``...)
with ``n_g`` past occurrences and pooled ratio ``r_g = sum a / sum E`` and its kind ``c``
with ``n_c`` past days and pooled ratio ``r_c``, the ratio used for a future day of weekday
``w`` is the two-level empirical-Bayes (credibility) shrinkage

``m = w_g r_g + (1 - w_g) [w_c r_c + (1 - w_c) r0_c(w)]``,  ``w_x = n_x / (n_x + k)``

with ``k = shrinkage`` (default 2: a holiday's own history gets half the weight after two
occurrences). With ``estimate_shrinkage`` (the default), once holidays repeat over the
years, the name level's ``k`` (in ``w_g``) is estimated from the history by Buhlmann
credibility (:func:`credibility_shrinkage`); the kind level keeps ``k = shrinkage``. The
prior ``r0`` is the analogue-day rule planners use: a holiday is like the centre's quietest
weekday (its weekly rest day), an eve like the weekday before that rest day (the short
day); after-days, bridges and custom days have prior ratio 1. With ``T(w)`` the mean
ordinary total of weekday ``w`` over the last 8 weeks, ``r0_holiday(w) = T(rest) / T(w)``
and ``r0_eve(w) = T(rest - 1) / T(w)``.

Ratios are learned against the analogue day: when the analogue weekday has calls, each
past holiday's or eve's expectation is multiplied by ``T(analogue) / T(w_d)`` before the
ratios are pooled (so ``r_g`` reads "1.1 x a Friday"), the prior on that scale is 1, and the
shrunk value is multiplied by ``r0(w)`` for the future day's weekday. An eve that falls on
the short day is then forecast like the short day, whatever weekdays past eves fell on.
With a closed analogue (no calls on the rest day) the ratios stay relative to the day's
own weekday with prior ``r0 = 0``. :func:`reference_weekday` says which scale applies.

The intraday profile of a special day is shrunk with the same weights: the name's past
profile (share of the day in each slot), the kind's pooled profile and the analogue
weekday's profile (the weekday's own profile for kinds without analogue).

Forecast of a future special day: ``m * (model's daily total for that day) * profile``.
For training, every past special day is replaced by its ordinary expectation, so the
models see ordinary weeks; backtests and ``model="auto"`` do the same at every origin.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import ConfigDict, Field

from wfm.core._models import WfmModel
from wfm.core.errors import InputError, missing_extra
from wfm.forecast._slots import BoolArray, FloatArray, IntArray, weekday_of

SpecialKind = Literal["holiday", "custom", "eve", "after", "bridge", "observance"]
KINDS: tuple[str, ...] = ("holiday", "custom", "eve", "after", "bridge", "observance")
_ORDINARY = -1
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PRIOR_WEEKS = 8


class SpecialDay(WfmModel):
    """One custom special day.

    Attributes
    ----------
    date : date
        Local calendar date.
    name : str
        Label; days with the same name share a learned effect.
    kind : {"holiday", "custom", "eve", "after", "bridge"}, default "custom"
        Kind (a ``holiday`` gets eves, after-days and bridges like a public holiday).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    name: str = Field(min_length=1)
    kind: SpecialKind = "custom"


class SpecialDays(WfmModel):
    """Which local dates are special, and how strongly their learned effects are shrunk.

    Attributes
    ----------
    country : str, optional
        ISO 3166 code for the ``holidays`` package (e.g. ``"US"``, ``"IL"``); needs the
        ``holidays`` extra. None: custom days only.
    subdiv : str, optional
        Region code (a US state, a German Land, ...).
    days : tuple of SpecialDay
        Custom days (see :meth:`from_csv`); they win over the country table on the same date.
    eves, after_days, bridges : bool, default True
        Derive eve, after-day and bridge days from the holidays.
    shrinkage : float, default 2.0
        ``k`` of the shrinkage weight ``n / (n + k)`` (past occurrences ``n``); 0 uses the
        raw learned ratios as soon as there is one occurrence. With ``estimate_shrinkage``
        it is the fallback for histories whose special days do not repeat enough.
    estimate_shrinkage : bool, default True
        Estimate the name level's ``k`` per queue from the history's repeated special days
        (Buhlmann credibility, :func:`credibility_shrinkage`): once holidays have been seen
        in several years, a holiday that behaves the same every year is trusted and
        holidays that do not differ are pooled into their kind. The kind level (a kind
        against its analogue prior) keeps ``shrinkage``. A half-year history has no
        repeats and keeps ``shrinkage`` at both levels.
    observances : tuple of str, default ()
        Further categories of the ``holidays`` package whose dates are special days of kind
        ``observance`` (e.g. ``("optional",)`` for Israel, ``("unofficial",)`` or
        ``("half_day",)`` for the US); the public holidays are always included.
    month_position : bool, default True
        Also learn how busy each part of the month is (paydays, statements; see
        ``wfm.forecast.month_position``), shrunk with the same ``k``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str | None = None
    subdiv: str | None = None
    days: tuple[SpecialDay, ...] = ()
    eves: bool = True
    after_days: bool = True
    bridges: bool = True
    shrinkage: float = Field(default=2.0, ge=0.0)
    estimate_shrinkage: bool = True
    observances: tuple[str, ...] = ()
    month_position: bool = True

    @classmethod
    def from_csv(
        cls,
        path: str | Path,
        *,
        country: str | None = None,
        subdiv: str | None = None,
    ) -> SpecialDays:
        """Read custom days from a CSV file with columns ``date``, ``name`` and optionally ``kind``.

        Raises
        ------
        InputError
            If the file is unreadable, lacks a column or has a bad date or kind.
        """
        days = read_special_days_csv(path)
        return cls(country=country, subdiv=subdiv, days=days)

    def holiday_table(self, first: dt.date, last: dt.date) -> dict[dt.date, str]:
        """Public holidays of :attr:`country` between two dates (inclusive), date -> name."""
        if self.country is None:
            return {}
        table = _country_table(self.country, self.subdiv, first.year, last.year)
        return {day: name for day, name in table if first <= day <= last}

    def observance_table(self, first: dt.date, last: dt.date) -> dict[dt.date, str]:
        """Dates of the :attr:`observances` categories (not public holidays), date -> name."""
        if self.country is None or not self.observances:
            return {}
        table = _country_table(
            self.country, self.subdiv, first.year, last.year, tuple(self.observances)
        )
        return {day: name for day, name in table if first <= day <= last}

    def holiday_dates(self, first: dt.date, last: dt.date) -> dict[dt.date, str]:
        """Dates of kind ``holiday`` (country table and custom days), date -> name."""
        table = self.holiday_table(first, last)
        for custom in self.days:
            if first <= custom.date <= last:
                if custom.kind == "holiday":
                    table[custom.date] = custom.name
                else:
                    table.pop(custom.date, None)
        return table

    def label(self, first_date: np.datetime64, n_days: int, rest: BoolArray) -> DayLabels:
        """Kind and name of every local date from ``first_date`` (see module docstring).

        Parameters
        ----------
        first_date : numpy.datetime64
            First local date (``datetime64[D]``).
        n_days : int
            Number of dates.
        rest : numpy.ndarray
            ``(7,)`` True for the centre's weekly rest day(s) (Monday = 0), see
            :func:`rest_weekdays`; eves, after-days and bridges fall on other weekdays only.
        """
        # one day of margin each side so eves/after-days of edge holidays are found
        dates = first_date + np.arange(-1, n_days + 1).astype("timedelta64[D]")
        first = pd.Timestamp(dates[0]).date()
        last = pd.Timestamp(dates[-1]).date()
        names = np.full(dates.size, "", dtype=object)
        kinds = np.full(dates.size, _ORDINARY, dtype=np.int64)
        index = {pd.Timestamp(d).date(): i for i, d in enumerate(dates)}
        for day, name in self.observance_table(first, last).items():
            kinds[index[day]] = KINDS.index("observance")
            names[index[day]] = name
        for day, name in self.holiday_table(first, last).items():
            kinds[index[day]] = KINDS.index("holiday")
            names[index[day]] = name
        for custom in self.days:
            if custom.date in index:
                kinds[index[custom.date]] = KINDS.index(custom.kind)
                names[index[custom.date]] = custom.name
        is_rest = np.asarray(rest, dtype=bool)[weekday_of(dates[0], dates.size)]
        holiday = kinds == KINDS.index("holiday")
        free = (kinds == _ORDINARY) & ~is_rest
        before = np.zeros(dates.size, dtype=bool)
        before[:-1] = holiday[1:]
        after = np.zeros(dates.size, dtype=bool)
        after[1:] = holiday[:-1]
        if self.bridges:
            prev_rest = np.zeros(dates.size, dtype=bool)
            prev_rest[1:] = is_rest[:-1]
            next_rest = np.zeros(dates.size, dtype=bool)
            next_rest[:-1] = is_rest[1:]
            bridge_after = free & after & next_rest
            bridge_before = free & before & prev_rest & ~bridge_after
            kinds[bridge_after | bridge_before] = KINDS.index("bridge")
            names[1:][bridge_after[1:]] = [
                "bridge day after " + n for n in names[:-1][bridge_after[1:]]
            ]
            names[:-1][bridge_before[:-1]] = [
                "bridge day before " + n for n in names[1:][bridge_before[:-1]]
            ]
            free &= ~(bridge_after | bridge_before)
        if self.eves:
            eve = free & before
            kinds[eve] = KINDS.index("eve")
            names[eve] = ["eve of " + n for n in names[1:][eve[:-1]]]
            free &= ~eve
        if self.after_days:
            aft = free & after
            kinds[aft] = KINDS.index("after")
            names[aft] = ["day after " + n for n in names[:-1][aft[1:]]]
        return DayLabels(first_date, kinds[1:-1].copy(), names[1:-1].copy())


def rest_weekdays(days: FloatArray, start_date: np.datetime64, open_slots: BoolArray) -> BoolArray:
    """Return the centre's weekly rest day(s), Monday = 0.

    The weekdays with no open slot; if every weekday is open, the one weekday with the
    lowest mean daily total in ``days`` (``(n_days, slots)`` from ``start_date``).
    """
    closed = ~np.asarray(open_slots, dtype=bool).any(axis=1)
    if closed.any():
        return np.asarray(closed, dtype=bool)
    weekdays = weekday_of(start_date, days.shape[0])
    totals = np.bincount(weekdays, weights=days.sum(axis=1), minlength=7)
    counts = np.maximum(np.bincount(weekdays, minlength=7), 1)
    rest = np.zeros(7, dtype=bool)
    rest[int(np.argmin(totals / counts))] = True
    return rest


@functools.lru_cache(maxsize=64)
def _country_table(
    country: str,
    subdiv: str | None,
    first_year: int,
    last_year: int,
    categories: tuple[str, ...] | None = None,
) -> tuple[tuple[dt.date, str], ...]:
    """Public holidays (or ``categories``) of whole years, cached (~40 ms per package call)."""
    try:
        import holidays as holidays_package
    except ImportError as exc:
        raise missing_extra("holidays", "holidays", "country holiday calendars") from exc
    years = range(first_year, last_year + 1)
    try:
        if categories is None:
            table = holidays_package.country_holidays(country, subdiv=subdiv, years=years)
        else:
            table = holidays_package.country_holidays(
                country, subdiv=subdiv, years=years, categories=categories
            )
    except NotImplementedError as exc:
        raise InputError(
            f"country={country!r} (subdiv={subdiv!r}) is not known to the holidays "
            "package. Fix: pass an ISO 3166 code such as 'US', 'GB' or 'IL'."
        ) from exc
    except ValueError as exc:
        raise InputError(
            f"observances={categories!r} for country={country!r}: {exc} Fix: use categories "
            f"the holidays package lists for {country!r} (e.g. 'optional', 'unofficial')."
        ) from exc
    # the package joins several names of one date with "; "; keep the first
    return tuple((day, holiday_name(str(name))) for day, name in sorted(table.items()))


_NAME_SUFFIX = re.compile(r"\s*\((?:observed|estimated)(?:,\s*(?:observed|estimated))*\)\s*$", re.I)


def holiday_name(name: str) -> str:
    """Return the name a holiday's effect is learned under.

    The first of several names joined by ``"; "``, without the ``holidays`` package's
    ``" (observed)"`` / ``" (estimated)"`` suffixes: Christmas Day observed on Friday the 24th
    is the same closure as Christmas Day, so both years teach one effect.
    """
    return _NAME_SUFFIX.sub("", name.split("; ")[0]) or name


def read_special_days_csv(path: str | Path) -> tuple[SpecialDay, ...]:
    """Read custom special days from a CSV file (``date``, ``name``[, ``kind``])."""
    source = Path(path)
    try:
        with source.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise InputError(
            f"special-days file {str(source)!r} cannot be read ({exc}). Fix: pass an existing "
            "CSV file with columns date,name[,kind]."
        ) from exc
    out = []
    for number, row in enumerate(rows, start=2):
        if "date" not in row or "name" not in row:
            raise InputError(
                f"special-days file {str(source)!r} has columns {list(row)}; it needs 'date' "
                "and 'name' (and optionally 'kind'). Fix: add a header line date,name,kind."
            )
        kind = (row.get("kind") or "custom").strip()
        try:
            out.append(
                SpecialDay(
                    date=dt.date.fromisoformat(str(row["date"]).strip()),
                    name=str(row["name"]).strip(),
                    kind=kind,
                )
            )
        except ValueError as exc:
            raise InputError(
                f"special-days file {str(source)!r} line {number}: {dict(row)} is not a valid "
                f"day ({exc}). Fix: date as YYYY-MM-DD, a non-empty name, kind one of {KINDS}."
            ) from exc
    return tuple(out)


@dataclass(frozen=True)
class DayLabels:
    """Kind index (``-1`` ordinary, else a position of :data:`KINDS`) and name per date."""

    first_date: np.datetime64
    kinds: IntArray
    names: np.ndarray

    def window(self, first_date: np.datetime64, n_days: int) -> DayLabels:
        """Labels of ``n_days`` dates from ``first_date`` (inside the labelled range)."""
        offset = int((first_date - self.first_date).astype(np.int64))
        if offset < 0 or offset + n_days > self.kinds.size:
            raise InputError(
                f"dates {first_date} + {n_days} days lie outside the labelled range. Fix: "
                "label the whole history and horizon first."
            )
        part = slice(offset, offset + n_days)
        return DayLabels(first_date, self.kinds[part], self.names[part])

    @property
    def special(self) -> BoolArray:
        """True on special days."""
        return np.asarray(self.kinds >= 0)


@dataclass(frozen=True)
class SpecialEffects:
    """Learned special-day effects of one queue (see module docstring).

    Attributes
    ----------
    by_name : dict
        Name -> (kind, past occurrences, pooled ratio, past profile or None).
    by_kind : dict
        Kind -> (past days, pooled ratio, pooled profile or None).
    weekday_totals : numpy.ndarray
        ``(7,)`` mean ordinary daily total per weekday (last 8 weeks).
    weekday_profiles : numpy.ndarray
        ``(7, slots)`` share of the day per slot per weekday (rows sum to 1 or 0).
    shrinkage : float
        ``k`` of ``n / (n + k)`` between a kind's pooled ratio and the analogue prior.
    name_shrinkage : float or None
        ``k`` between a name's own ratio and its kind's (estimated by
        :func:`credibility_shrinkage` when the history allows it); None: :attr:`shrinkage`.
    """

    by_name: dict[str, tuple[str, int, float, FloatArray | None]]
    by_kind: dict[str, tuple[int, float, FloatArray | None]]
    weekday_totals: FloatArray
    weekday_profiles: FloatArray
    shrinkage: float
    name_shrinkage: float | None = None

    @property
    def name_k(self) -> float:
        """``k`` of the name level (the estimate, else :attr:`shrinkage`)."""
        return self.shrinkage if self.name_shrinkage is None else self.name_shrinkage

    def reference(self, kind: str, weekday: int) -> int:
        """Weekday whose ordinary total the learned ratios of ``kind`` are relative to."""
        return reference_weekday(self.weekday_totals, kind, weekday)

    def prior(self, kind: str, weekday: int) -> tuple[float, FloatArray]:
        """Analogue-day prior ratio and profile for a day of ``kind`` on ``weekday``."""
        analogue = analogue_weekday(self.weekday_totals, kind)
        ratio = prior_ratio(self.weekday_totals, kind, weekday)
        profile = self.weekday_profiles[weekday if analogue is None else analogue]
        if profile.sum() <= 0:  # a closed analogue has no shape: keep the day's own
            profile = self.weekday_profiles[weekday]
        return ratio, profile

    def effect(self, kind: str, name: str, weekday: int) -> tuple[float, FloatArray, float]:
        """Shrunk ratio, profile and the name's weight ``w_g`` for one future day.

        The learned ratios are relative to the reference weekday (:meth:`reference`), so
        they are shrunk on that scale and converted to the day's own weekday at the end.
        """
        prior, profile = self.prior(kind, weekday)
        scale = reference_scale(self.weekday_totals, kind, weekday)
        ratio = prior / scale  # 1 when relative to an open analogue; the prior otherwise
        k = self.shrinkage
        n_kind, kind_ratio, kind_profile = self.by_kind.get(kind, (0, 1.0, None))
        if n_kind > 0:
            weight = n_kind / (n_kind + k)
            ratio = weight * kind_ratio + (1 - weight) * ratio
            if kind_profile is not None:
                profile = weight * kind_profile + (1 - weight) * profile
        name_weight = 0.0
        entry = self.by_name.get(name)
        if entry is not None and entry[1] > 0:
            _, n_name, name_ratio, name_profile = entry
            name_weight = n_name / (n_name + self.name_k)
            ratio = name_weight * name_ratio + (1 - name_weight) * ratio
            if name_profile is not None:
                profile = name_weight * name_profile + (1 - name_weight) * profile
        total = profile.sum()
        if total > 0:
            profile = profile / total
        return scale * ratio, profile, name_weight


def analogue_weekday(weekday_totals: FloatArray, kind: str) -> int | None:
    """Return the analogue weekday of ``kind`` (Monday = 0), or None for kinds without one.

    A holiday is like the centre's quietest weekday (its weekly rest day), an eve like the
    weekday before that (the short day); ``weekday_totals`` are mean ordinary daily totals.
    """
    if kind not in ("holiday", "eve"):
        return None
    totals = np.where(np.isfinite(weekday_totals), weekday_totals, np.inf)
    rest = int(np.argmin(totals))
    return rest if kind == "holiday" else (rest - 1) % 7


def prior_ratio(weekday_totals: FloatArray, kind: str, weekday: int) -> float:
    """Analogue prior ``r0(w) = T(analogue) / T(w)``; 1 for kinds without an analogue."""
    analogue = analogue_weekday(weekday_totals, kind)
    own = weekday_totals[weekday]
    if analogue is None or not own > 0:
        return 1.0
    return float(weekday_totals[analogue] / own)


def reference_weekday(weekday_totals: FloatArray, kind: str, weekday: int) -> int:
    """Return the weekday the learned ratios of ``kind`` are measured against on ``weekday``.

    The analogue weekday when it has calls (an eve is learned as "x times a Friday", so an
    eve that falls on a Friday is not mistaken for a weekday eve); otherwise (no analogue,
    a closed analogue or a closed own weekday) the day's own weekday.
    """
    analogue = analogue_weekday(weekday_totals, kind)
    if analogue is None or not (weekday_totals[weekday] > 0 and weekday_totals[analogue] > 0):
        return weekday
    return analogue


def reference_scale(weekday_totals: FloatArray, kind: str, weekday: int) -> float:
    """``T(reference) / T(w)``: converts a ratio to the reference weekday to the day's own."""
    reference = reference_weekday(weekday_totals, kind, weekday)
    if reference == weekday:
        return 1.0
    return float(weekday_totals[reference] / weekday_totals[weekday])


def ordinary_expectation(days: FloatArray, ordinary: BoolArray) -> FloatArray:
    """``(days, slots)`` mean of the same weekday-slot 1-2 weeks before/after on ordinary days.

    Where none of those four days is ordinary (or inside the range), the mean of all ordinary
    days of the same weekday; NaN if the weekday has no ordinary day at all.
    """
    n_days = days.shape[0]
    clean = np.where(ordinary[:, None], days, np.nan)
    stacked = []
    for shift in (-14, -7, 7, 14):
        shifted = np.full_like(clean, np.nan)
        if shift > 0:
            shifted[:-shift] = clean[shift:]
        else:
            shifted[-shift:] = clean[:shift]
        stacked.append(shifted)
    block = np.stack(stacked)
    count = np.isfinite(block[:, :, 0]).sum(axis=0)
    expected: FloatArray = np.divide(
        np.nansum(block, axis=0),
        count[:, None],
        out=np.full_like(clean, np.nan),
        where=count[:, None] > 0,
    )
    weekdays = np.arange(n_days) % 7
    for phase in range(7):
        rows = (weekdays == phase) & (count == 0)
        pool = (weekdays == phase) & ordinary
        if rows.any() and pool.any():
            expected[rows] = days[pool].mean(axis=0)
    return expected


def learn_effects(
    days: FloatArray,
    observed: BoolArray,
    start_date: np.datetime64,
    labels: DayLabels,
    shrinkage: float,
    estimate_shrinkage: bool = False,
) -> tuple[FloatArray, SpecialEffects]:
    """De-effected training days and the learned effects of one queue's history.

    Parameters
    ----------
    days : numpy.ndarray
        ``(n_days, slots)`` training volume (contacts per interval, imputed where missing).
    observed : numpy.ndarray
        ``(n_days, slots)`` True where the interval was really observed.
    start_date : numpy.datetime64
        Local date of row 0.
    labels : DayLabels
        Labels of the same ``n_days`` dates.
    shrinkage : float
        ``k`` of ``n / (n + k)`` (with ``estimate_shrinkage``: the fallback).
    estimate_shrinkage : bool, default False
        Estimate ``k`` from the history's repeated special days
        (:func:`credibility_shrinkage`) when they allow it.

    Returns
    -------
    tuple
        ``(days with special days replaced by their ordinary expectation, effects)``.
    """
    n_days = days.shape[0]
    special = labels.special
    ordinary = ~special
    expected = ordinary_expectation(days, ordinary)
    # the phase of row 0 is irrelevant above (shifts of whole weeks); weekday for priors:
    weekdays = weekday_of(start_date, n_days)
    recent = np.arange(n_days) >= n_days - 7 * PRIOR_WEEKS
    totals = days.sum(axis=1)
    weekday_totals = np.full(7, np.nan)
    weekday_profiles = np.zeros((7, days.shape[1]))
    for w in range(7):
        pool = (weekdays == w) & ordinary & recent
        if not pool.any():
            pool = (weekdays == w) & ordinary
        if pool.any():
            weekday_totals[w] = totals[pool].mean()
            summed = days[pool].sum(axis=0)
            if summed.sum() > 0:
                weekday_profiles[w] = summed / summed.sum()
    usable = special & np.isfinite(expected).all(axis=1)
    actual_sum = np.where(observed, days, 0.0).sum(axis=1)
    expected_sum = np.where(observed, np.nan_to_num(expected), 0.0).sum(axis=1)
    usable &= expected_sum > 0
    # each past day's expectation on its reference weekday's scale (see reference_weekday)
    scales = np.ones(n_days)
    for row in np.flatnonzero(usable):
        kind_name = KINDS[int(labels.kinds[row])]
        scales[row] = reference_scale(weekday_totals, kind_name, int(weekdays[row]))
    expected_sum = expected_sum * scales
    complete = usable & (observed | (days == 0)).all(axis=1) & (totals > 0)
    by_name: dict[str, tuple[str, int, float, FloatArray | None]] = {}
    by_kind: dict[str, tuple[int, float, FloatArray | None]] = {}
    groups: list[tuple[str, str | None, BoolArray]] = []
    for kind_index, kind in enumerate(KINDS):
        of_kind = labels.kinds == kind_index
        if of_kind.any():
            groups.append((kind, None, of_kind))
            for name in sorted(set(labels.names[of_kind])):
                groups.append((kind, str(name), of_kind & (labels.names == name)))
    for kind, name, rows in groups:
        used = rows & usable
        n = int(used.sum())
        ratio = float(actual_sum[used].sum() / expected_sum[used].sum()) if n else 1.0
        shape_rows = rows & complete
        profile = None
        if shape_rows.any():
            summed = days[shape_rows].sum(axis=0)
            profile = summed / summed.sum()
        if name is None:
            by_kind[kind] = (n, ratio, profile)
        else:
            by_name[name] = (kind, n, ratio, profile)
    name_shrinkage = None
    if estimate_shrinkage:  # the name level only: a kind is still weighed against its prior
        name_shrinkage = credibility_shrinkage(
            actual_sum[usable] / expected_sum[usable],
            labels.kinds[usable],
            labels.names[usable],
        )
    cleaned = days.copy()
    replace = special & np.isfinite(expected).all(axis=1)
    cleaned[replace] = expected[replace]
    effects = SpecialEffects(
        by_name, by_kind, weekday_totals, weekday_profiles, shrinkage, name_shrinkage
    )
    return cleaned, effects


MAX_SHRINKAGE = 50.0


def credibility_shrinkage(ratios: FloatArray, kinds: IntArray, names: np.ndarray) -> float | None:
    """Estimate ``k`` of ``n / (n + k)`` from past special days (Buhlmann credibility).

    One-way random-effects analysis of the per-day ratios grouped by name within kind:
    ``s2`` is the pooled within-name variance (year-to-year noise of one holiday), ``a`` the
    variance of the names' true ratios about their kind's (how different holidays really
    are), estimated without bias for unequal group sizes,

    ``a = (sum_g n_g (mean_g - mean_c)^2 - (G - C) s2) / sum_c (N_c - sum_g n_g^2 / N_c)``,

    and ``k = s2 / a`` (Buhlmann & Straub 1970; Klugman, Panjer & Willmot, *Loss Models*,
    ch. on empirical Bayes credibility). Names that repeat consistently and differ from each
    other get a small ``k`` (their own history is trusted); names that do not differ get a
    large one (capped at :data:`MAX_SHRINKAGE`).

    Parameters
    ----------
    ratios : numpy.ndarray
        Ratio of each usable past special day's total to its expectation (fractions).
    kinds, names : numpy.ndarray
        Kind index and name of each of those days.

    Returns
    -------
    float or None
        The estimate, or None when there is too little repetition (fewer than three
        within-name and two between-name degrees of freedom): use the configured ``k``.
    """
    within_squares = 0.0
    within_df = 0
    between_squares = 0.0
    between_df = 0
    denominator = 0.0
    for kind in np.unique(kinds):
        of_kind = kinds == kind
        kind_mean = float(ratios[of_kind].mean())
        sizes = []
        for name in np.unique(names[of_kind]):
            values = ratios[of_kind & (names == name)]
            mean = float(values.mean())
            within_squares += float(((values - mean) ** 2).sum())
            within_df += values.size - 1
            between_squares += values.size * (mean - kind_mean) ** 2
            sizes.append(values.size)
        total = float(sum(sizes))
        between_df += len(sizes) - 1
        denominator += total - sum(size * size for size in sizes) / total
    if within_df < 3 or between_df < 2 or denominator <= 0:
        return None
    within = within_squares / within_df
    between = (between_squares - between_df * within) / denominator
    if between <= 0:
        return MAX_SHRINKAGE
    return float(min(within / between, MAX_SHRINKAGE))


def apply_effects(
    forecast: FloatArray, start_date: np.datetime64, labels: DayLabels, effects: SpecialEffects
) -> FloatArray:
    """Reshape a ``(n_days, slots)`` ordinary forecast on its special days (module docstring)."""
    out = forecast.copy()
    weekdays = weekday_of(start_date, forecast.shape[0])
    for row in np.flatnonzero(labels.special):
        kind = KINDS[int(labels.kinds[row])]
        ratio, profile, _ = effects.effect(kind, str(labels.names[row]), int(weekdays[row]))
        total = max(float(forecast[row].sum()), 0.0)
        out[row] = ratio * total * profile
    return out


def effects_table(
    queue: object, start_date: np.datetime64, labels: DayLabels, effects: SpecialEffects
) -> pd.DataFrame:
    """One row per future special day: date, kind, name, past occurrences and ratios."""
    weekdays = weekday_of(start_date, labels.kinds.size)
    rows = []
    for row in np.flatnonzero(labels.special):
        kind = KINDS[int(labels.kinds[row])]
        name = str(labels.names[row])
        ratio, _, name_weight = effects.effect(kind, name, int(weekdays[row]))
        prior, _ = effects.prior(kind, int(weekdays[row]))
        reference = effects.reference(kind, int(weekdays[row]))
        entry = effects.by_name.get(name)
        n_kind, kind_ratio, _ = effects.by_kind.get(kind, (0, np.nan, None))
        rows.append(
            {
                "queue": queue,
                "date": pd.Timestamp(start_date + np.timedelta64(int(row), "D")).date(),
                "kind": kind,
                "name": name,
                "past_occurrences": 0 if entry is None else entry[1],
                "relative_to": WEEKDAY_NAMES[reference],
                "learned_ratio": np.nan if entry is None or entry[1] == 0 else entry[2],
                "kind_past_days": n_kind,
                "kind_ratio": kind_ratio if n_kind else np.nan,
                "prior_ratio": prior,
                "name_weight": name_weight,
                "shrinkage": effects.name_k,
                "ratio": ratio,
            }
        )
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


EFFECT_COLUMNS = [
    "queue",
    "date",
    "kind",
    "name",
    "past_occurrences",
    "relative_to",
    "learned_ratio",
    "kind_past_days",
    "kind_ratio",
    "prior_ratio",
    "name_weight",
    "shrinkage",
    "ratio",
]
