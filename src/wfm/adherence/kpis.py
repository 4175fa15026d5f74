"""Interval KPIs from contact (call) records, under named, stated definitions.

:func:`contact_kpis` reads call-by-call records through a :class:`ContactColumns`
mapping (canonical name -> the file's column) and returns, per queue and interval:
offered, answered, abandoned (and short abandons), service level under five named
definitions, ASA, AHT, abandon rate, patience, busy time and occupancy, and first-contact
resolution. :func:`kpi_definitions` lists every KPI with its formula and unit for
dashboards; :func:`kpi_forecast_accuracy` scores a volume forecast against the offered
contacts.

A contact counts in the interval in which it asked for an agent (its ``arrival``); its
busy (handle) time is spread exactly over the intervals it overlaps.
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import ConfigDict, Field

from wfm.adherence._kernel import sort_order, split_at_intervals
from wfm.core._deprecation import renamed_keyword
from wfm.core._display import ResultDisplay
from wfm.core._models import WfmModel
from wfm.core._parallel import check_n_jobs
from wfm.core._summary import Summary, units_from_names
from wfm.core.errors import FlaggedRecordsWarning, InputError
from wfm.core.frames import (
    INTERVAL_START,
    QUEUE,
    VOLUME,
    require_columns,
    validate_interval_frame,
)
from wfm.core.grid import IntervalGrid, check_time_zone, to_local_timestamp
from wfm.core.service_level import (
    SERVICE_LEVEL_DEFINITIONS,
    ServiceLevelDefinition,
    canonical_service_level_definition,
)
from wfm.core.validate import check_durations, check_number, check_span
from wfm.forecast.metrics import forecast_accuracy

NS = 1_000_000_000


class ContactColumns(WfmModel):
    """Where each canonical contact field lives in a contact-record frame.

    Attributes
    ----------
    arrival : str
        Time the contact asked for an agent (queue entry), aware timestamps.
    arrival_fallbacks : tuple of str
        Columns tried in order for *answered* contacts whose ``arrival`` is missing
        (served without queueing).
    answered_at : str
        Time service started (aware; NaT if never answered). Busy time starts here.
    outcome : str
        Outcome column.
    answered_outcomes, abandoned_outcomes, ignored_outcomes : tuple of str
        Outcome values meaning answered, abandoned (hung up) and not a contact (e.g. test
        or phantom records, counted as ``ignored`` and reported). Every row must have one
        of these values.
    wait_seconds : str
        Seconds waited in queue (until answer or abandon).
    talk_seconds : str
        Seconds of talk (service) time.
    hold_seconds, acw_seconds : str, optional
        Seconds on hold and of after-contact work, added to the handle time if given.
    customer : str, optional
        Caller identifier for first-contact resolution.
    unidentified_customers : tuple of str or int
        Values of ``customer`` meaning "not identified" (excluded from FCR and counted).
    queue : str, optional
        Queue (skill, type) column; if None every contact is in one queue.
    timing_tolerance_seconds : float
        Slack allowed between ``answered_at - arrival`` and ``wait_seconds`` (and before
        ``arrival`` for ``answered_at``): the clocks of a source's systems may be rounded
        or skewed. Records outside it are impossible (see ``on_bad`` of
        :func:`contact_kpis`). Default 60 s.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    arrival: str = "arrival"
    arrival_fallbacks: tuple[str, ...] = ()
    answered_at: str = "answered_at"
    outcome: str = "outcome"
    answered_outcomes: tuple[str, ...] = ("answered",)
    abandoned_outcomes: tuple[str, ...] = ("abandoned",)
    ignored_outcomes: tuple[str, ...] = ()
    wait_seconds: str = "wait_seconds"
    talk_seconds: str = "talk_seconds"
    hold_seconds: str | None = None
    acw_seconds: str | None = None
    customer: str | None = "customer"
    unidentified_customers: tuple[str | int, ...] = ("unidentified",)
    queue: str | None = "queue"
    timing_tolerance_seconds: float = Field(default=60.0, ge=0.0, allow_inf_nan=False)

    @classmethod
    def israel_bank(cls, *, queue: str | None = None) -> ContactColumns:
        """Return the mapping for :func:`wfm.datasets.load_israel_bank_calls`.

        ``arrival`` = ``q_start``, falling back to ``ser_start`` then ``vru_exit`` for
        served calls; answered = ``AGENT``, abandoned = ``HANG``, ignored = ``PHANTOM``;
        wait = ``q_time``; handle = ``ser_time`` (the data have no hold or after-call
        work); customer = ``customer`` (``unidentified`` excluded from FCR).

        Parameters
        ----------
        queue : str, optional
            Column to use as queue (e.g. ``"type"``); None for one queue.
        """
        return cls(
            arrival="q_start",
            arrival_fallbacks=("ser_start", "vru_exit"),
            answered_at="ser_start",
            outcome="outcome",
            answered_outcomes=("AGENT",),
            abandoned_outcomes=("HANG",),
            ignored_outcomes=("PHANTOM",),
            wait_seconds="q_time",
            talk_seconds="ser_time",
            customer="customer",
            unidentified_customers=("unidentified",),
            queue=queue,
            # 21 of the month's 27,060 answered calls record a q_time 61 to 310 s away from
            # ser_start - q_start (the source's own clocks); 10 minutes keeps them all
            timing_tolerance_seconds=600.0,
        )


@dataclass(frozen=True, repr=False)
class ContactKpiResult(ResultDisplay):
    """Per-interval contact KPIs.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per (queue, interval) of every local day with at least one offered
        contact (zeros in that day's empty intervals; days without any are absent, as
        a gap in the records is unknown, not zero); columns listed by
        :func:`kpi_definitions`.
    service_level_definition : str
        Definition copied into the ``service_level`` column.
    ignored_records : int
        Records with an ignored outcome (not contacts).
    not_offered : int
        Abandoned records that never asked for an agent (no ``arrival``: hung up before
        the queue, e.g. in the IVR).
    flagged : pandas.DataFrame or None
        With ``on_bad="flag"``: the impossible records kept out of every KPI (the
        records' own columns plus ``row`` and ``reason``); empty when there were none.
    """

    frame: pd.DataFrame
    service_level_definition: str
    ignored_records: int
    not_offered: int
    flagged: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """Return the per-interval KPI frame."""
        return self.frame

    def summary(self) -> Summary:
        """Totals over all queues and intervals, with ratios recomputed from the totals.

        Counts are contacts (``*_seconds`` seconds), ratios fractions 0 to 1; the
        per-interval figures are in :attr:`frame`.
        """
        totals = self.frame[_COUNT_COLUMNS].sum()
        ratios = _ratios(
            {name: np.asarray([float(totals[name])]) for name in _COUNT_COLUMNS},
            self.service_level_definition,
        )
        out = {name: float(totals[name]) for name in _COUNT_COLUMNS}
        out.update({name: float(values[0]) for name, values in ratios.items()})
        out["ignored_records"] = float(self.ignored_records)
        out["not_offered"] = float(self.not_offered)
        out["flagged_records"] = float(0 if self.flagged is None else len(self.flagged))
        counts = {name: "contacts" for name in _COUNT_COLUMNS if not name.endswith("_seconds")}
        counts.update(ignored_records="records", not_offered="records", flagged_records="records")
        counts["first_contact_resolution"] = "fraction"
        return Summary("ContactKpiResult", out, units=units_from_names(out, **counts))

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the per-interval KPIs and, with ``on_bad="flag"``, the flagged records."""
        tables = {"kpis": self.frame}
        if self.flagged is not None:
            tables["flagged"] = self.flagged
        return tables


_COUNT_COLUMNS = [
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "answered_within_threshold",
    "abandoned_within_threshold",
    "answered_wait_seconds",
    "total_wait_seconds",
    "handle_seconds",
    "handled_with_time",
    "busy_seconds",
    "staffed_seconds",
    "fcr_eligible",
    "fcr_resolved",
    "fcr_unidentified",
]


def _divide(numerator: npt.NDArray[np.float64], denominator: npt.NDArray[np.float64]) -> Any:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan
        )


def _ratios(
    sums: dict[str, npt.NDArray[np.float64]], definition: str
) -> dict[str, npt.NDArray[np.float64]]:
    offered = sums["offered"]
    answered = sums["answered"]
    within = sums["answered_within_threshold"]
    abandoned_within = sums["abandoned_within_threshold"]
    levels = {
        "service_level_answered_of_offered": _divide(within, offered),
        "service_level_answered_of_answered": _divide(within, answered),
        "service_level_answered_of_offered_excluding_early_abandons": _divide(
            within, offered - abandoned_within
        ),
        "service_level_answered_or_early_abandoned_of_offered": _divide(
            within + abandoned_within, offered
        ),
        "service_level_answered_of_offered_excluding_short_abandons": _divide(
            within, offered - sums["short_abandoned"]
        ),
    }
    out: dict[str, npt.NDArray[np.float64]] = {
        "service_level": levels[f"service_level_{definition}"]
    }
    out.update(levels)
    out["abandon_rate"] = _divide(sums["abandoned"], offered)
    out["asa_seconds"] = _divide(sums["answered_wait_seconds"], answered)
    out["aht_seconds"] = _divide(sums["handle_seconds"], sums["handled_with_time"])
    out["patience_seconds"] = _divide(sums["total_wait_seconds"], sums["abandoned"])
    out["occupancy"] = _divide(sums["busy_seconds"], sums["staffed_seconds"])
    out["first_contact_resolution"] = _divide(sums["fcr_resolved"], sums["fcr_eligible"])
    return out


def _aware(frame: pd.DataFrame, column: str) -> None:
    dtype = frame[column].dtype
    if not isinstance(dtype, pd.DatetimeTZDtype):
        raise InputError(
            f"records[{column!r}] has dtype {dtype}, not timezone-aware timestamps. Fix: "
            f"records[{column!r}] = pandas.to_datetime(...).dt.tz_localize('Area/City'), or "
            "map the right column in ContactColumns."
        )


def _seconds(frame: pd.DataFrame, column: str, mask: npt.NDArray[np.bool_]) -> Any:
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        raise InputError(
            f"records[{column!r}] has dtype {values.dtype}, not seconds. Fix: convert it "
            "with pandas.to_numeric or map the right column in ContactColumns."
        )
    array = values.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = mask & ~(np.isfinite(array) & (array >= 0))
    if bad.any():
        rows = list(frame.index[np.flatnonzero(bad)[:3]])
        raise InputError(
            f"records[{column!r}] is missing, infinite or negative at rows {rows} "
            f"({int(bad.sum())} in all) among contacts that need it. Fix: repair those "
            "records (seconds >= 0); wfm does not fill or drop them."
        )
    return np.where(mask, array, 0.0)


def _period_grid(first_ns: int, last_ns: int, tz: str, interval_minutes: int) -> IntervalGrid:
    first = pd.Timestamp(first_ns, unit="ns", tz="UTC").tz_convert(tz)
    last = pd.Timestamp(last_ns, unit="ns", tz="UTC").tz_convert(tz)
    start = first.normalize()
    next_day = last.tz_localize(None).normalize() + pd.Timedelta(days=1)
    end = to_local_timestamp(next_day, tz, "period_end")
    return IntervalGrid.from_range(start, end, interval_minutes=interval_minutes, tz=tz)


def contact_kpis(
    records: pd.DataFrame,
    *,
    columns: ContactColumns | None = None,
    interval_minutes: int = 30,
    tz: str | None = None,
    target_seconds: float | None = None,
    short_abandon_seconds: float = 5.0,
    service_level_definition: ServiceLevelDefinition | str = "answered_of_offered",
    fcr_window_seconds: float = 86_400.0,
    staffed: pd.DataFrame | None = None,
    queue_name: str = "all",
    on_bad: Literal["raise", "flag"] = "raise",
    timing_tolerance_seconds: float | None = None,
    n_jobs: int = 1,
    service_level_seconds: float | None = None,
) -> ContactKpiResult:
    """Compute per-interval, per-queue KPIs from contact records.

    Parameters
    ----------
    records : pandas.DataFrame
        Contact-by-contact records, read through ``columns``.
    columns : ContactColumns, optional
        Column mapping; the canonical names by default (use
        :meth:`ContactColumns.israel_bank` for the bundled data).
    interval_minutes : int, default 30
        Interval length in minutes.
    tz : str, optional
        IANA zone of the intervals; default the zone of the ``arrival`` column.
    target_seconds : float, default 20
        Service-level threshold T in seconds: answered (or abandoned) within T means a
        wait <= T (the same keyword as in :func:`wfm.erlang.required_agents`).
    short_abandon_seconds : float, default 5
        Abandons with a wait < this many seconds are short abandons.
    service_level_definition : str, default "answered_of_offered"
        Definition copied to the ``service_level`` column (every definition also has its
        own column ``service_level_<name>``); one of
        :data:`wfm.core.SERVICE_LEVEL_DEFINITIONS`, the names the queueing models, the
        simulator and the plan config use. The former names (``"abandons_negative"`` ...)
        still work with a ``DeprecationWarning``.
    fcr_window_seconds : float, default 86400
        Repeat window for first-contact resolution (seconds; 86400 = 24 h).
    staffed : pandas.DataFrame, optional
        ``interval_start``, ``staffed_seconds`` (agent-seconds staffed) and, with several
        queues, ``queue``; gives ``occupancy``.
    queue_name : str, default "all"
        Queue label when ``columns.queue`` is None.
    on_bad : {"raise", "flag"}, default "raise"
        Impossible records (answered before they arrived, or a wait that contradicts the
        arrival and answer times by more than ``timing_tolerance_seconds``) raise
        :class:`InputError`, or, with ``"flag"``, are kept out of every KPI, listed in
        :attr:`ContactKpiResult.flagged` and announced by a :class:`FlaggedRecordsWarning`.
    timing_tolerance_seconds : float, optional
        Overrides ``columns.timing_tolerance_seconds`` (60 s by default, 600 s for
        :meth:`ContactColumns.israel_bank`).
    n_jobs : int, default 1
        With 2 or more, first-contact resolution runs in a second thread beside the
        counts; 1 starts no thread. The result does not depend on it.
    service_level_seconds : float, optional
        Deprecated former name of ``target_seconds`` (warns; removed in 0.3.0).

    Returns
    -------
    ContactKpiResult

    Raises
    ------
    InputError
        On missing columns, naive timestamps, an outcome not listed in ``columns``, an
        answered contact without any arrival time, or missing/negative seconds where
        needed.
    """
    chosen = renamed_keyword(
        "contact_kpis",
        "service_level_seconds",
        "target_seconds",
        service_level_seconds,
        target_seconds,
    )
    threshold_seconds = 20.0 if chosen is None else chosen
    columns = columns if columns is not None else ContactColumns()
    definition = canonical_service_level_definition(service_level_definition)
    for name, value in (
        ("target_seconds", threshold_seconds),
        ("short_abandon_seconds", short_abandon_seconds),
        ("fcr_window_seconds", fcr_window_seconds),
    ):
        if not np.isfinite(value) or value < 0:
            raise InputError(f"{name}={value!r} must be a finite number of seconds >= 0.")
    needed = [
        columns.arrival,
        *columns.arrival_fallbacks,
        columns.answered_at,
        columns.outcome,
        columns.wait_seconds,
        columns.talk_seconds,
    ]
    for optional in (columns.hold_seconds, columns.acw_seconds, columns.customer, columns.queue):
        if optional is not None:
            needed.append(optional)
    require_columns(records, needed, name="records")
    for column in (columns.arrival, *columns.arrival_fallbacks, columns.answered_at):
        _aware(records, column)
    zone = tz if tz is not None else str(pd.DatetimeIndex(records[columns.arrival]).tz)
    check_time_zone(zone)

    outcome = records[columns.outcome]
    answered = outcome.isin(columns.answered_outcomes).to_numpy()
    abandoned_any = outcome.isin(columns.abandoned_outcomes).to_numpy()
    ignored = outcome.isin(columns.ignored_outcomes).to_numpy()
    unknown = ~(answered | abandoned_any | ignored)
    if unknown.any():
        values = sorted(map(str, pd.unique(outcome[unknown]).tolist()))[:5]
        raise InputError(
            f"records[{columns.outcome!r}] has outcome(s) {values} that ContactColumns does "
            "not classify. Fix: list them in answered_outcomes, abandoned_outcomes or "
            "ignored_outcomes."
        )
    arrival = records[columns.arrival]
    for fallback in columns.arrival_fallbacks:
        arrival = arrival.where(~(arrival.isna() & answered), records[fallback])
    arrival_ns = pd.DatetimeIndex(arrival).as_unit("ns").asi8
    has_arrival = arrival.notna().to_numpy()
    lost = answered & ~has_arrival
    if lost.any():
        rows = list(records.index[np.flatnonzero(lost)[:3]])
        raise InputError(
            f"answered records at rows {rows} ({int(lost.sum())} in all) have no arrival "
            f"time in {[columns.arrival, *columns.arrival_fallbacks]}. Fix: repair them or "
            "add a fallback column in ContactColumns.arrival_fallbacks."
        )
    abandoned = abandoned_any & has_arrival
    offered = answered | abandoned
    not_offered = int((abandoned_any & ~has_arrival).sum())

    wait = _seconds(records, columns.wait_seconds, offered)
    handle = _seconds(records, columns.talk_seconds, answered)
    for extra in (columns.hold_seconds, columns.acw_seconds):
        if extra is not None:
            handle = handle + _seconds(records, extra, answered)
    # bounded before anything is allocated: a talk time of 1.7e9 s or a year typed 2204
    # would otherwise build a grid of millions of intervals (and overflow nanoseconds)
    check_durations(wait, f"records[{columns.wait_seconds!r}]")
    check_durations(handle, f"records[{columns.talk_seconds!r}] (+ hold and after-call work)")
    check_span(arrival[offered], f"records[{columns.arrival!r}]")
    check_span(records[columns.answered_at][answered], f"records[{columns.answered_at!r}]")
    if timing_tolerance_seconds is None:
        timing_tolerance_seconds = columns.timing_tolerance_seconds
    check_number(timing_tolerance_seconds, "timing_tolerance_seconds", minimum=0.0)
    if on_bad not in ("raise", "flag"):
        raise InputError(f"on_bad={on_bad!r} is not known. Fix: use 'raise' or 'flag'.")
    impossible, positions = _impossible_records(
        records, columns, answered, arrival_ns, wait, timing_tolerance_seconds
    )
    flagged = impossible.copy()
    if len(impossible):
        if on_bad == "raise":
            shown = "; ".join(
                f"row {row.row}: {row.detail}" for row in impossible.head(3).itertuples()
            )
            raise InputError(
                f"records has {len(impossible)} impossible contact record(s): {shown}. Fix: "
                "repair them (check the time zone and the wait column), or pass "
                "on_bad='flag' to keep them out of the KPIs and list them in result.flagged."
            )
        keep_out = np.zeros(len(records), dtype=bool)
        keep_out[positions] = True
        answered = answered & ~keep_out
        abandoned = abandoned & ~keep_out
        offered = offered & ~keep_out
        warnings.warn(
            FlaggedRecordsWarning(
                f"{len(impossible)} impossible contact record(s) kept out of the KPIs "
                "(answered before arrival, or a wait contradicting the timestamps); see "
                "ContactKpiResult.flagged."
            ),
            stacklevel=2,
        )

    if columns.queue is None:
        queue_codes = np.zeros(len(records), dtype=np.int64)
        queues = pd.Index([queue_name])
    else:
        queue_values = records[columns.queue]
        if queue_values[offered].isna().any():
            raise InputError(
                f"records[{columns.queue!r}] is missing for some offered contacts. Fix: name "
                "every contact's queue, or set ContactColumns.queue=None."
            )
        codes, uniques = pd.factorize(queue_values, sort=True)
        queue_codes = np.asarray(codes, dtype=np.int64)
        queues = pd.Index(uniques)

    answered_at_ns = pd.DatetimeIndex(records[columns.answered_at]).as_unit("ns").asi8
    has_service = answered & records[columns.answered_at].notna().to_numpy() & (handle > 0)
    service_end = answered_at_ns + np.round(handle * NS).astype(np.int64)
    if not offered.any():
        raise InputError("records have no offered contact. Fix: pass contact records.")
    last = int(arrival_ns[offered].max())
    if has_service.any():
        last = max(last, int(service_end[has_service].max()) - 1)
    grid = _period_grid(int(arrival_ns[offered].min()), last, zone, interval_minutes)
    grid_start = int(grid.start.as_unit("ns").value)
    step = interval_minutes * 60 * NS
    n_intervals = len(grid)
    n_groups = len(queues) * n_intervals
    interval = (arrival_ns - grid_start) // step
    key = queue_codes * n_intervals + np.where(offered, interval, 0)

    offered_rows = np.flatnonzero(offered)
    offered_key = key[offered_rows]

    def count(mask: npt.NDArray[np.bool_], weights: Any = None) -> Any:
        chosen = mask[offered_rows]
        values = (
            chosen.astype(np.float64)
            if weights is None
            else np.where(chosen, weights[offered_rows], 0.0)
        )
        return np.bincount(offered_key, weights=values, minlength=n_groups)

    # first-contact resolution needs a sort by (customer, arrival): with n_jobs > 1 it
    # runs in a second thread (numpy sorts release the GIL) while the counts are made here
    fcr_arguments = (
        records,
        columns,
        answered,
        offered,
        arrival_ns,
        queue_codes,
        fcr_window_seconds,
    )
    pool = ThreadPoolExecutor(max_workers=1) if check_n_jobs(n_jobs) > 1 else None
    fcr_future = pool.submit(_first_contact, *fcr_arguments) if pool is not None else None
    try:
        within = wait <= threshold_seconds
        sums: dict[str, Any] = {
            "offered": count(offered),
            "answered": count(answered),
            "abandoned": count(abandoned),
            "short_abandoned": count(abandoned & (wait < short_abandon_seconds)),
            "answered_within_threshold": count(answered & within),
            "abandoned_within_threshold": count(abandoned & within),
            "answered_wait_seconds": count(answered, wait),
            "total_wait_seconds": count(offered, wait),
            "handle_seconds": count(answered & (handle > 0), handle),
            "handled_with_time": count(answered & (handle > 0)),
        }
        service_rows = np.flatnonzero(has_service)
        pieces = split_at_intervals(
            answered_at_ns[service_rows], service_end[service_rows], grid_start, step
        )
        busy_key = queue_codes[service_rows][pieces.piece] * n_intervals + pieces.interval
        sums["busy_seconds"] = np.bincount(
            busy_key, weights=pieces.duration_ns / NS, minlength=n_groups
        )
        sums["staffed_seconds"] = _staffed(staffed, queues, grid, columns.queue is not None)
        eligible, resolved, unidentified = (
            fcr_future.result() if fcr_future is not None else _first_contact(*fcr_arguments)
        )
    finally:
        if pool is not None:
            pool.shutdown()
    sums["fcr_eligible"] = count(eligible)
    sums["fcr_resolved"] = count(resolved)
    sums["fcr_unidentified"] = count(unidentified)

    frame = pd.DataFrame(
        {
            QUEUE: np.repeat(np.asarray(queues, dtype=object), n_intervals),
            INTERVAL_START: np.tile(grid.starts, len(queues)),
        }
    )
    frame[INTERVAL_START] = pd.DatetimeIndex(frame[INTERVAL_START]).tz_convert(zone)
    for name in _COUNT_COLUMNS:
        frame[name] = sums[name]
    for ratio_name, ratio in _ratios(sums, definition).items():
        frame[ratio_name] = ratio
    # a local day without any offered contact is unknown (a gap in the records), not zero
    day_codes, _ = pd.factorize(grid.local_dates())
    offered_per_interval = sums["offered"].reshape(len(queues), n_intervals).sum(axis=0)
    offered_per_day = np.bincount(day_codes, weights=offered_per_interval)
    keep_interval = offered_per_day[day_codes] > 0
    frame = frame[np.tile(keep_interval, len(queues))].reset_index(drop=True)
    return ContactKpiResult(
        frame=frame,
        service_level_definition=definition,
        ignored_records=int(ignored.sum()),
        not_offered=not_offered,
        flagged=flagged,
    )


def _impossible_records(
    records: pd.DataFrame,
    columns: ContactColumns,
    answered: npt.NDArray[np.bool_],
    arrival_ns: npt.NDArray[np.int64],
    wait: npt.NDArray[np.float64],
    tolerance_seconds: float,
) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    """Answered records whose timestamps cannot be true (with reasons), and positions."""
    answered_at = records[columns.answered_at]
    answered_at_ns = pd.DatetimeIndex(answered_at).as_unit("ns").asi8
    timed = answered & answered_at.notna().to_numpy()
    gap = (answered_at_ns - arrival_ns) / NS
    tolerance = float(tolerance_seconds)
    before = timed & (gap < -tolerance)
    contradicts = timed & ~before & (np.abs(gap - wait) > tolerance)
    bad = before | contradicts
    rows = np.flatnonzero(bad)
    reasons = np.where(
        before[rows],
        "answered_before_arrival",
        "wait_contradicts_timestamps",
    )
    out = records.iloc[rows].copy()
    out.insert(0, "reason", reasons)
    out.insert(0, "row", records.index[rows])
    details = [
        f"answered {-g:.0f} s before it arrived"
        if reason == "answered_before_arrival"
        else f"wait {w:g} s but answered {g:.0f} s after arrival"
        for g, w, reason in zip(gap[rows], wait[rows], reasons, strict=True)
    ]
    out["detail"] = details
    return out.reset_index(drop=True), rows


def _staffed(
    staffed: pd.DataFrame | None, queues: pd.Index, grid: IntervalGrid, by_queue: bool
) -> Any:
    n_intervals = len(grid)
    if staffed is None:
        return np.zeros(len(queues) * n_intervals)
    require_columns(staffed, [INTERVAL_START, "staffed_seconds"], name="staffed")
    starts = pd.DatetimeIndex(staffed[INTERVAL_START])
    if starts.tz is None:
        raise InputError("staffed['interval_start'] is naive. Fix: tz_localize it.")
    position = grid.starts.get_indexer(starts.tz_convert(grid.tz).as_unit(grid.starts.unit))
    if (position < 0).any():
        raise InputError(
            "staffed has interval_start values that are not intervals of the records' "
            f"period ({grid.start} to {grid.end}, {grid.interval_minutes} min). Fix: align "
            "them to the same grid."
        )
    if QUEUE in staffed.columns:
        queue_position = queues.get_indexer(pd.Index(staffed[QUEUE]))
        if (queue_position < 0).any():
            raise InputError("staffed has queues that are not in the records. Fix: align them.")
    elif by_queue and len(queues) > 1:
        raise InputError(
            "staffed has no 'queue' column but the records have several queues. Fix: add "
            "the queue of each staffed row."
        )
    else:
        queue_position = np.zeros(len(staffed), dtype=np.int64)
    seconds = staffed["staffed_seconds"].to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(seconds) & (seconds >= 0)):
        raise InputError("staffed['staffed_seconds'] must be finite and >= 0 (seconds).")
    return np.bincount(
        queue_position * n_intervals + position,
        weights=seconds,
        minlength=len(queues) * n_intervals,
    )


def _first_contact(
    records: pd.DataFrame,
    columns: ContactColumns,
    answered: npt.NDArray[np.bool_],
    offered: npt.NDArray[np.bool_],
    arrival_ns: npt.NDArray[np.int64],
    queue_codes: npt.NDArray[np.int64],
    window_seconds: float,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Eligible, resolved and unidentified flags of each record for FCR."""
    n = len(records)
    if columns.customer is None:
        none = np.zeros(n, dtype=bool)
        return none, none, answered.copy()
    customer = records[columns.customer]
    unidentified_any = (
        customer.isna().to_numpy() | customer.isin(columns.unidentified_customers).to_numpy()
    )
    eligible = answered & ~unidentified_any
    unidentified = answered & unidentified_any
    candidates = np.flatnonzero(offered & ~unidentified_any)
    codes, _ = pd.factorize(customer.iloc[candidates])
    times_candidates = arrival_ns[candidates]
    order = (
        sort_order(
            np.asarray(codes, np.int64),
            times_candidates,
            int(times_candidates.min()),
            int(times_candidates.max()),
            stable=False,  # ties share an arrival, hence an interval: counts do not change
        )
        if candidates.size
        else np.zeros(0, dtype=np.int64)
    )
    rows = candidates[order]
    sorted_codes = np.asarray(codes)[order]
    times = arrival_ns[rows]
    same_next = np.r_[sorted_codes[1:] == sorted_codes[:-1], False][: sorted_codes.size]
    gap = np.r_[times[1:] - times[:-1], 0][: times.size]
    repeated = same_next & (gap <= round(window_seconds * NS))
    resolved = np.zeros(n, dtype=bool)
    resolved[rows] = ~repeated
    return eligible, eligible & resolved, unidentified


def kpi_forecast_accuracy(
    actual: pd.DataFrame | ContactKpiResult,
    forecast: pd.DataFrame,
    *,
    actual_column: str = "offered",
) -> pd.DataFrame:
    """Score a volume forecast against the offered contacts, per queue and overall.

    The scores are those of :func:`wfm.forecast.forecast_accuracy` (same WAPE and bias);
    this adds an overall row, refuses forecast intervals without an actual (instead of
    skipping them) and takes the KPI frame first, as the other KPI functions do.

    Parameters
    ----------
    actual : pandas.DataFrame or ContactKpiResult
        Per-interval KPIs (``queue``, ``interval_start`` and ``actual_column``).
    forecast : pandas.DataFrame
        Long interval frame with ``queue``, ``interval_start``, ``volume``.
    actual_column : str, default "offered"
        Column of ``actual`` holding the realised volume.

    Returns
    -------
    pandas.DataFrame
        One row per queue and a row ``queue="<all>"``: ``intervals``, ``actual_volume``,
        ``forecast_volume``, ``wape`` (sum |forecast - actual| / sum actual, fraction) and
        ``bias`` (sum (forecast - actual) / sum actual, fraction; positive = over-forecast).

    Raises
    ------
    InputError
        If the forecast has (queue, interval) pairs absent from ``actual``.
    """
    frame = actual.frame if isinstance(actual, ContactKpiResult) else actual
    require_columns(frame, [QUEUE, INTERVAL_START, actual_column], name="actual")
    checked = validate_interval_frame(forecast, require_aht=False, name="forecast")
    joined = checked[[QUEUE, INTERVAL_START, VOLUME]].merge(
        frame[[QUEUE, INTERVAL_START, actual_column]],
        on=[QUEUE, INTERVAL_START],
        how="left",
        indicator=True,
    )
    missing = (joined["_merge"] != "both").to_numpy()
    if missing.any():
        first = joined.loc[missing, [QUEUE, INTERVAL_START]].head(3).to_dict("records")
        raise InputError(
            f"forecast has {int(missing.sum())} (queue, interval_start) pair(s) with no "
            f"actual, e.g. {first}. Fix: forecast only queues and intervals in the records."
        )
    # the scores are forecast.forecast_accuracy's (one definition of WAPE and bias); this
    # function adds the "<all>" row, the strict pairing above and the KPI column names
    scored = checked[[QUEUE, INTERVAL_START, VOLUME]]
    per_queue = forecast_accuracy(scored, frame, actual_column=actual_column, by=("queue",))
    overall = forecast_accuracy(scored, frame, actual_column=actual_column, by=())
    overall.insert(0, QUEUE, "<all>")
    table = pd.concat([per_queue, overall], ignore_index=True).rename(
        columns={"n": "intervals", "actual": "actual_volume", "forecast": "forecast_volume"}
    )
    table["intervals"] = table["intervals"].astype(np.int64)
    return table[[QUEUE, "intervals", "actual_volume", "forecast_volume", "wape", "bias"]]


_KPI_TABLE: list[tuple[str, str, str, str]] = [
    ("offered", "answered + abandoned (contacts that asked for an agent)", "contacts", "contact"),
    ("answered", "contacts with an answered outcome", "contacts", "contact"),
    (
        "abandoned",
        "contacts with an abandoned outcome that entered the queue",
        "contacts",
        "contact",
    ),
    ("short_abandoned", "abandoned with wait < short_abandon_seconds", "contacts", "contact"),
    ("answered_within_threshold", "answered with wait <= T", "contacts", "contact"),
    ("abandoned_within_threshold", "abandoned with wait <= T", "contacts", "contact"),
    *[
        (f"service_level_{name}", formula, "fraction 0-1", "contact")
        for name, formula in SERVICE_LEVEL_DEFINITIONS.items()
    ],
    ("service_level", "the chosen service_level_definition", "fraction 0-1", "contact"),
    ("abandon_rate", "abandoned / offered", "fraction 0-1", "contact"),
    ("asa_seconds", "sum(wait of answered) / answered", "seconds", "contact"),
    (
        "aht_seconds",
        "sum(talk + hold + after-contact work) / answered contacts with handle time > 0",
        "seconds",
        "contact",
    ),
    (
        "patience_seconds",
        "sum(wait of all offered) / abandoned: maximum-likelihood mean patience if patience "
        "is exponential, answered waits being censored patience times",
        "seconds",
        "contact",
    ),
    (
        "busy_seconds",
        "handle time of answered contacts, spread exactly over the intervals it overlaps",
        "agent-seconds",
        "contact",
    ),
    ("staffed_seconds", "agent-seconds staffed (input)", "agent-seconds", "contact"),
    ("occupancy", "busy_seconds / staffed_seconds", "fraction 0-1", "contact"),
    ("fcr_eligible", "answered contacts from identified customers", "contacts", "contact"),
    (
        "fcr_resolved",
        "eligible contacts with no offered contact from the same customer within the window",
        "contacts",
        "contact",
    ),
    ("fcr_unidentified", "answered contacts from unidentified callers", "contacts", "contact"),
    ("first_contact_resolution", "fcr_resolved / fcr_eligible", "fraction 0-1", "contact"),
    ("wape", "sum|forecast - actual| / sum actual", "fraction", "forecast"),
    ("bias", "sum(forecast - actual) / sum actual", "fraction", "forecast"),
    ("scheduled_seconds", "time in scheduled (non-off) segments", "seconds", "adherence"),
    ("scheduled_work_seconds", "time in scheduled work segments", "seconds", "adherence"),
    ("worked_seconds", "time in work states (in or out of shift)", "seconds", "adherence"),
    (
        "exception_seconds",
        "time in counted, non-excused exceptions (definition-specific)",
        "seconds",
        "adherence",
    ),
    (
        "adherence",
        "max(0, 1 - exception_seconds / denominator_seconds) (see AdherenceRules)",
        "fraction 0-1",
        "adherence",
    ),
    (
        "conformance",
        "worked_seconds / scheduled_work_seconds",
        "fraction (can exceed 1)",
        "adherence",
    ),
    ("scheduled_agents", "scheduled_work_seconds / interval seconds", "agents", "adherence"),
    ("available_agents", "worked_seconds / interval seconds", "agents", "adherence"),
]


def kpi_definitions() -> pd.DataFrame:
    """List every KPI with its formula and unit, for dashboards.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``formula``, ``unit`` and ``family`` (``contact``,
        ``forecast`` or ``adherence``).
    """
    return pd.DataFrame(_KPI_TABLE, columns=["name", "formula", "unit", "family"])
