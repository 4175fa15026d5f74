"""Discrete-event simulation of a (multi-skill) contact centre.

:func:`simulate_centre` takes a forecast interval frame and either a staffing frame
(agents per queue or skill group per interval) or a schedule segments frame (agents,
activities, start, end), simulates the day ``replications`` times with independent seeded
random streams and returns a :class:`SimulationResult` with per-interval service level
(every definition), ASA, abandonment and occupancy, each with a confidence interval, and
the distribution of daily service level across replications.

Model (see ``docs/simulation.md``): arrivals are Poisson with a constant rate within each
interval (``volume / interval length``), optionally over-dispersed by a gamma-distributed
rate factor per interval (``arrival_cv``); handle times and patience come from
:mod:`~wfm.simulation._distributions` value objects; abandoned or blocked contacts may call
again after an exponential delay; routing is longest-idle agent first and, for a free agent,
highest-priority queue first, then longest-waiting contact.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from wfm.core._deprecation import renamed_keyword
from wfm.core._display import ResultDisplay, Summary, units_from_names
from wfm.core.errors import InputError
from wfm.core.frames import INTERVAL_START, QUEUE, VOLUME
from wfm.core.grid import LOCALISE_ERRORS
from wfm.core.service_level import canonical_service_level_definition
from wfm.erlang.metrics import ERLANG_A_SERVICE_LEVEL_DEFINITIONS
from wfm.simulation._distributions import (
    DeterministicTime,
    EmpiricalTime,
    ExponentialTime,
    LognormalTime,
    TimeDistribution,
)
from wfm.simulation._inputs import (
    SKILL_GROUP,
    AgentRoster,
    ForecastGrid,
    forecast_grid,
    roster_from_schedule,
    roster_from_staffing,
)
from wfm.simulation._kernel import (
    ABANDONED,
    ANSWERED,
    BLOCKED,
    UNFINISHED,
    KernelInput,
    KernelOutput,
    run_replication,
)

__all__ = [
    "DeterministicTime",
    "EmpiricalTime",
    "ExponentialTime",
    "LognormalTime",
    "PeakTestResult",
    "SimulationQueue",
    "SimulationResult",
    "TimeDistribution",
    "peak_test",
    "simulate_centre",
]

_COUNT_NAMES = (
    "arrivals",
    "retrial_arrivals",
    "blocked",
    "answered",
    "abandoned",
    "unfinished",
    "answered_in_target",
    "abandoned_in_target",
    "wait_answered_seconds",
)


@dataclass(frozen=True)
class SimulationQueue:
    """How one queue behaves in the simulator (everything but its volume and AHT).

    Parameters
    ----------
    name : hashable
        Queue identifier, as in the forecast's ``queue`` column.
    priority : int, default 0
        Lower numbers are served first by an agent who has several skills.
    handle_time : TimeDistribution, default ExponentialTime()
        Shape of the handle-time distribution; its mean is the interval's ``aht_seconds``.
    patience_seconds : float, optional
        Mean patience (time a caller waits before hanging up) in seconds; ``None`` means
        callers never abandon.
    patience : TimeDistribution, default ExponentialTime()
        Shape of the patience distribution (mean ``patience_seconds``).
    arrival_cv : float, default 0.0
        Over-dispersion of arrivals: the interval's arrival rate is multiplied by a gamma
        factor with mean 1 and this coefficient of variation (0 = Poisson; values below
        1e-6 are treated as 0).
    lines : int, optional
        Trunk lines: at most this many contacts of the queue in the system (waiting or in
        service); further arrivals are blocked. ``None`` = unlimited.
    retrial_probability : float, default 0.0
        Probability (0 to 1) that a contact that abandoned or was blocked calls again.
    retrial_delay_seconds : float, default 300.0
        Mean (exponential) delay before such a retrial, in seconds.
    """

    name: Hashable
    priority: int = 0
    handle_time: TimeDistribution = field(default_factory=ExponentialTime)
    patience_seconds: float | None = None
    patience: TimeDistribution = field(default_factory=ExponentialTime)
    arrival_cv: float = 0.0
    lines: int | None = None
    retrial_probability: float = 0.0
    retrial_delay_seconds: float = 300.0

    def __post_init__(self) -> None:
        for name, value in (
            ("arrival_cv", self.arrival_cv),
            ("retrial_delay_seconds", self.retrial_delay_seconds),
        ):
            if not np.isfinite(value) or value < 0:
                raise InputError(
                    f"SimulationQueue({self.name!r}).{name}={value!r} must be a finite number >= 0."
                )
        if self.arrival_cv > 100:
            raise InputError(
                f"SimulationQueue({self.name!r}).arrival_cv={self.arrival_cv!r} is not a "
                "plausible coefficient of variation of an arrival rate. Fix: pass a value "
                "between 0 (Poisson) and about 1."
            )
        if self.patience_seconds is not None and not (
            np.isfinite(self.patience_seconds) and self.patience_seconds > 0
        ):
            raise InputError(
                f"SimulationQueue({self.name!r}).patience_seconds={self.patience_seconds!r} "
                "must be > 0 seconds. Fix: pass None for callers who never hang up."
            )
        if not 0 <= self.retrial_probability <= 1:
            raise InputError(
                f"SimulationQueue({self.name!r}).retrial_probability="
                f"{self.retrial_probability!r} must be a probability between 0 and 1."
            )
        if self.lines is not None and (isinstance(self.lines, bool) or self.lines < 1):
            raise InputError(
                f"SimulationQueue({self.name!r}).lines={self.lines!r} must be an integer >= 1 "
                "or None for unlimited lines."
            )
        if not isinstance(self.handle_time, TimeDistribution) or not isinstance(
            self.patience, TimeDistribution
        ):
            raise InputError(
                f"SimulationQueue({self.name!r}): handle_time and patience must be time "
                "distributions such as ExponentialTime() or LognormalTime(cv=0.8)."
            )


@dataclass(frozen=True, eq=False, repr=False)
class SimulationResult(ResultDisplay):
    """Outcome of :func:`simulate_centre`: per-replication counts per queue and interval.

    Attributes
    ----------
    queues : tuple
        Queue identifiers (axis 1 of the count arrays).
    skill_groups : tuple
        Skill-group names (axis 1 of ``busy_seconds`` / ``available_seconds``).
    interval_starts : pandas.DatetimeIndex
        Aware interval starts (axis 2).
    interval_seconds : float
        Interval length in seconds.
    target_seconds : numpy.ndarray
        Service-level target time per queue in seconds.
    counts : dict of str to numpy.ndarray
        Arrays of shape (replications, queues, intervals) keyed by ``arrivals`` (all
        contacts including retrials and blocked ones), ``retrial_arrivals``, ``blocked``,
        ``answered``, ``abandoned``, ``unfinished``, ``answered_in_target``,
        ``abandoned_in_target`` and ``wait_answered_seconds`` (sum of waits of answered
        contacts). Contacts are counted in the interval in which they arrived.
    busy_seconds, available_seconds : numpy.ndarray
        Agent-seconds busy and on duty per (replication, skill group, interval).
    totals : dict of str to numpy.ndarray
        Per-replication totals over the whole run (including retrials that arrive after
        the horizon): ``fresh``, ``retrials``, ``answered``, ``abandoned``, ``blocked``,
        ``unfinished``.
    """

    queues: tuple[Hashable, ...]
    skill_groups: tuple[Hashable, ...]
    interval_starts: pd.DatetimeIndex
    interval_seconds: float
    target_seconds: np.ndarray
    counts: dict[str, np.ndarray]
    busy_seconds: np.ndarray
    available_seconds: np.ndarray
    totals: dict[str, np.ndarray]

    @property
    def replications(self) -> int:
        """Number of replications."""
        return int(self.counts["arrivals"].shape[0])

    def conservation_holds(self) -> bool:
        """Whether every contact ended in exactly one outcome, in every replication.

        Checks ``fresh + retrials == answered + abandoned + blocked + unfinished``.
        """
        created = self.totals["fresh"] + self.totals["retrials"]
        ended = (
            self.totals["answered"]
            + self.totals["abandoned"]
            + self.totals["blocked"]
            + self.totals["unfinished"]
        )
        return bool(np.array_equal(created, ended))

    def _offered(self) -> np.ndarray:
        offered: np.ndarray = self.counts["arrivals"] - self.counts["blocked"]
        return offered

    def service_level_counts(
        self,
        service_level_definition: str | None = None,
        *,
        definition: str | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Numerator and denominator of a service-level definition per (rep, queue, interval).

        Parameters
        ----------
        service_level_definition : str, default "answered_of_offered"
            One of ``wfm.erlang.ERLANG_A_SERVICE_LEVEL_DEFINITIONS`` (the keyword of
            :func:`wfm.erlang.service_level`; see :data:`wfm.core.SERVICE_LEVEL_DEFINITIONS`).
        definition : str, optional
            Deprecated former name of ``service_level_definition`` (warns; removed in 0.3.0).

        Returns
        -------
        tuple of numpy.ndarray
            Contacts answered within the target, and the definition's denominator.

        Raises
        ------
        InputError
            On an unknown definition, or both ``definition`` and
            ``service_level_definition``.
        """
        chosen = renamed_keyword(
            "service_level_counts",
            "definition",
            "service_level_definition",
            definition,
            service_level_definition,
        )
        chosen = canonical_service_level_definition(
            "answered_of_offered" if chosen is None else chosen,
            supported=ERLANG_A_SERVICE_LEVEL_DEFINITIONS,
            stage="the simulator (it has no short-abandon threshold)",
        )
        numerator = self.counts["answered_in_target"]
        if chosen == "answered_of_answered":
            return numerator, self.counts["answered"]
        if chosen == "answered_of_offered_excluding_early_abandons":
            return numerator, self._offered() - self.counts["abandoned_in_target"]
        if chosen == "answered_or_early_abandoned_of_offered":
            return numerator + self.counts["abandoned_in_target"], self._offered()
        return numerator, self._offered()

    def to_frame(self, confidence: float = 0.95) -> pd.DataFrame:
        """Per (queue, interval) means across replications with confidence intervals.

        Parameters
        ----------
        confidence : float, default 0.95
            Two-sided confidence level of the Student-t intervals across replications.

        Returns
        -------
        pandas.DataFrame
            Columns ``queue``, ``interval_start``, mean counts ``offered``, ``answered``,
            ``abandoned``, ``blocked``; for each metric ``service_level_<definition>``
            (fractions 0 to 1), ``asa_seconds`` and ``abandon_rate`` (fraction of offered)
            the mean of the per-replication values with ``_low`` / ``_high`` bounds.
            A metric is NaN where no replication had a denominator.
        """
        columns: dict[str, np.ndarray] = {}
        n_queues, n_intervals = len(self.queues), len(self.interval_starts)
        columns[QUEUE] = np.repeat(np.asarray(self.queues, dtype=object), n_intervals)
        columns[INTERVAL_START] = np.tile(np.asarray(self.interval_starts), n_queues)
        offered = self._offered()
        for name, values in (
            ("offered", offered),
            ("answered", self.counts["answered"]),
            ("abandoned", self.counts["abandoned"]),
            ("blocked", self.counts["blocked"]),
        ):
            columns[name] = values.mean(axis=0).ravel()
        metrics: list[tuple[str, np.ndarray, np.ndarray]] = []
        for definition in ERLANG_A_SERVICE_LEVEL_DEFINITIONS:
            numerator, denominator = self.service_level_counts(definition)
            metrics.append((f"service_level_{definition}", numerator, denominator))
        metrics.append(
            ("asa_seconds", self.counts["wait_answered_seconds"], self.counts["answered"])
        )
        metrics.append(("abandon_rate", self.counts["abandoned"], offered))
        for name, numerator, denominator in metrics:
            mean, low, high = ratio_confidence(numerator, denominator, confidence)
            columns[name] = mean.ravel()
            columns[f"{name}_low"] = low.ravel()
            columns[f"{name}_high"] = high.ravel()
        frame = pd.DataFrame(columns)
        frame[INTERVAL_START] = pd.DatetimeIndex(frame[INTERVAL_START]).tz_convert(
            self.interval_starts.tz
        )
        return frame

    def occupancy_frame(self, confidence: float = 0.95) -> pd.DataFrame:
        """Occupancy per skill group and interval with confidence intervals.

        Occupancy is agent-seconds busy / agent-seconds on duty in the interval (a fraction;
        it can exceed 1 slightly when agents finish a contact after their shift ends).

        Returns
        -------
        pandas.DataFrame
            Columns ``skill_group``, ``interval_start``, ``agents_on_duty`` (mean),
            ``occupancy``, ``occupancy_low``, ``occupancy_high``.
        """
        n_groups, n_intervals = len(self.skill_groups), len(self.interval_starts)
        mean, low, high = ratio_confidence(self.busy_seconds, self.available_seconds, confidence)
        return pd.DataFrame(
            {
                SKILL_GROUP: np.repeat(np.asarray(self.skill_groups, dtype=object), n_intervals),
                INTERVAL_START: np.tile(self.interval_starts, n_groups),
                "agents_on_duty": (
                    self.available_seconds.mean(axis=0) / self.interval_seconds
                ).ravel(),
                "occupancy": mean.ravel(),
                "occupancy_low": low.ravel(),
                "occupancy_high": high.ravel(),
            }
        )

    def daily_service_level(
        self,
        service_level_definition: str | None = None,
        *,
        definition: str | None = None,
    ) -> pd.DataFrame:
        """Service level per replication, queue and local calendar day.

        The spread of this column across replications is the distribution of daily
        service level that a planner can expect from the plan (not only its mean).

        Parameters
        ----------
        service_level_definition : str, default "answered_of_offered"
            As in :meth:`service_level_counts`.
        definition : str, optional
            Deprecated former name of ``service_level_definition`` (warns; removed in 0.3.0).

        Returns
        -------
        pandas.DataFrame
            Columns ``replication``, ``queue``, ``date``, ``offered``, ``service_level``.

        Raises
        ------
        InputError
            On an unknown definition, or both ``definition`` and
            ``service_level_definition``.
        """
        chosen = renamed_keyword(
            "daily_service_level",
            "definition",
            "service_level_definition",
            definition,
            service_level_definition,
        )
        numerator, denominator = self.service_level_counts(chosen)
        dates = pd.Index(self.interval_starts.date)
        unique_dates, day_of_interval = np.unique(np.asarray(dates), return_inverse=True)
        n_days = len(unique_dates)
        one_hot = (day_of_interval[:, None] == np.arange(n_days)[None, :]).astype(np.float64)
        day_num = numerator @ one_hot
        day_den = denominator @ one_hot
        day_offered = self._offered() @ one_hot
        with np.errstate(invalid="ignore", divide="ignore"):
            level = np.where(day_den > 0, day_num / np.where(day_den > 0, day_den, 1), np.nan)
        rep_index, queue_index, day_index = np.indices(level.shape)
        return pd.DataFrame(
            {
                "replication": rep_index.ravel(),
                QUEUE: np.asarray(self.queues, dtype=object)[queue_index.ravel()],
                "date": unique_dates[day_index.ravel()],
                "offered": day_offered.ravel(),
                "service_level": level.ravel(),
            }
        )

    def summary(self, confidence: float = 0.95) -> Summary:
        """Whole-horizon figures with confidence intervals, all queues and per queue.

        Returns
        -------
        Summary
            Over all queues: ``replications``, mean ``offered`` contacts per replication,
            ``service_level`` (answered within target of offered, fraction) with
            ``service_level_low``/``_high`` (Student-t interval across replications at
            ``confidence``), ``asa_seconds`` and ``abandon_rate``. The breakdown has the
            same per queue, plus the 5th, 50th and 95th percentiles of the
            per-replication horizon service level (``service_level_p05`` ...).
        """
        offered = self._offered().sum(axis=2)
        numerator, _ = self.service_level_counts("answered_of_offered")
        service_mean, service_low, service_high = ratio_confidence(
            numerator.sum(axis=2), offered, confidence
        )
        asa_mean, _, _ = ratio_confidence(
            self.counts["wait_answered_seconds"].sum(axis=2),
            self.counts["answered"].sum(axis=2),
            confidence,
        )
        abandon_mean, _, _ = ratio_confidence(
            self.counts["abandoned"].sum(axis=2), offered, confidence
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            per_rep = np.where(offered > 0, numerator.sum(axis=2) / np.maximum(offered, 1), np.nan)
        quantiles = _nan_quantiles(per_rep, (0.05, 0.5, 0.95))
        breakdown = pd.DataFrame(
            {
                QUEUE: list(self.queues),
                "offered": offered.mean(axis=0),
                "service_level": service_mean,
                "service_level_low": service_low,
                "service_level_high": service_high,
                "service_level_p05": quantiles[0],
                "service_level_p50": quantiles[1],
                "service_level_p95": quantiles[2],
                "asa_seconds": asa_mean,
                "abandon_rate": abandon_mean,
            }
        )
        all_offered = offered.sum(axis=1)
        level, level_low, level_high = ratio_confidence(
            numerator.sum(axis=(1, 2)), all_offered, confidence
        )
        asa, _, _ = ratio_confidence(
            self.counts["wait_answered_seconds"].sum(axis=(1, 2)),
            self.counts["answered"].sum(axis=(1, 2)),
            confidence,
        )
        abandon, _, _ = ratio_confidence(
            self.counts["abandoned"].sum(axis=(1, 2)), all_offered, confidence
        )
        figures = {
            "queues": len(self.queues),
            "replications": self.replications,
            "confidence": confidence,
            "offered_contacts": float(all_offered.mean()),
            "service_level": float(level),
            "service_level_low": float(level_low),
            "service_level_high": float(level_high),
            "asa_seconds": float(asa),
            "abandon_rate": float(abandon),
        }
        return Summary(
            "SimulationResult",
            figures,
            units=units_from_names(figures, confidence="fraction"),
            breakdown=breakdown,
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """Per-interval figures, occupancy per skill group and daily service level."""
        return {
            "intervals": self.to_frame(),
            "occupancy": self.occupancy_frame(),
            "daily_service_level": self.daily_service_level(),
        }


def _nan_quantiles(values: np.ndarray, levels: Sequence[float]) -> np.ndarray:
    """Quantiles over axis 0 ignoring NaN, NaN where a column has no value."""
    out = np.full((len(levels), values.shape[1]), np.nan)
    for column in range(values.shape[1]):
        finite = values[:, column][np.isfinite(values[:, column])]
        if finite.size:
            out[:, column] = np.quantile(finite, levels)
    return out


def ratio_confidence(
    numerator: np.ndarray, denominator: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over replications (axis 0) of per-replication ratios, with a Student-t CI.

    Replications whose denominator is 0 are left out of the cell; cells with no usable
    replication are NaN, cells with one have NaN bounds.

    Parameters
    ----------
    numerator, denominator : numpy.ndarray
        Arrays of the same shape, replications on axis 0.
    confidence : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    tuple of numpy.ndarray
        Mean, lower bound, upper bound (shape without axis 0).
    """
    if not 0 < confidence < 1:
        raise InputError(f"confidence={confidence!r} must be strictly between 0 and 1.")
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    usable = denominator > 0
    ratio = np.where(usable, numerator / np.where(usable, denominator, 1.0), 0.0)
    count = usable.sum(axis=0)
    safe_count = np.maximum(count, 1)
    mean = ratio.sum(axis=0) / safe_count
    deviation = np.where(usable, ratio - mean, 0.0)
    variance = (deviation**2).sum(axis=0) / np.maximum(count - 1, 1)
    quantile = stats.t.ppf(0.5 + confidence / 2, np.maximum(count - 1, 1))
    half_width = quantile * np.sqrt(variance / safe_count)
    mean = np.where(count > 0, mean, np.nan)
    half_width = np.where(count > 1, half_width, np.nan)
    return mean, mean - half_width, mean + half_width


def queue_models(
    grid: ForecastGrid, queues: Sequence[SimulationQueue] | None
) -> list[SimulationQueue]:
    """One model per forecast queue, in grid order (package-internal, used by multiskill)."""
    given = {model.name: model for model in queues or ()}
    unknown = [name for name in given if name not in grid.queues]
    if unknown:
        raise InputError(
            f"queues names {unknown} not in the forecast (queues: {list(grid.queues)}). "
            "Fix: use the forecast's queue names."
        )
    return [given.get(name, SimulationQueue(name)) for name in grid.queues]


def _target_array(
    target_seconds: float | Mapping[Hashable, float], queues: Sequence[Hashable]
) -> np.ndarray:
    if isinstance(target_seconds, Mapping):
        missing = [q for q in queues if q not in target_seconds]
        if missing:
            raise InputError(
                f"target_seconds has no entry for queue(s) {missing}. Fix: give every queue one."
            )
        values = np.asarray([float(target_seconds[q]) for q in queues])
    else:
        values = np.full(len(queues), float(target_seconds))
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise InputError(f"target_seconds={target_seconds!r} must be finite seconds >= 0.")
    return values


def _arrivals(
    grid: ForecastGrid, models: Sequence[SimulationQueue], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Draw arrival times, queues, handle times and patience for one replication."""
    n_queues, n_intervals = grid.volume.shape
    rate = grid.volume.copy()
    cv = np.asarray([model.arrival_cv for model in models])
    # a cv below 1e-6 changes the variance by less than 1e-12 of the mean squared: Poisson
    dispersed = cv > 1e-6
    if dispersed.any():
        shape = 1.0 / cv[dispersed] ** 2
        factors = rng.gamma(
            shape[:, None], 1.0 / shape[:, None], (int(dispersed.sum()), n_intervals)
        )
        rate[dispersed] *= factors
    counts = rng.poisson(rate)
    cell = np.repeat(np.arange(n_queues * n_intervals), counts.ravel())
    queue = cell // n_intervals
    interval = cell % n_intervals
    times = (interval + rng.random(cell.size)) * grid.interval_seconds
    order = np.argsort(times, kind="stable")
    times, queue, interval = times[order], queue[order], interval[order]
    service = np.empty(cell.size)
    patience = np.full(cell.size, np.inf)
    for q, model in enumerate(models):
        mask = queue == q
        means = grid.aht_seconds[q, interval[mask]]
        service[mask] = model.handle_time.sample(rng, means)
        if model.patience_seconds is not None:
            patience[mask] = model.patience.sample(
                rng, np.full(int(mask.sum()), model.patience_seconds)
            )
    return times, queue, service, patience


def _busy_by_interval(starts: np.ndarray, ends: np.ndarray, boundaries: np.ndarray) -> np.ndarray:
    """Total length of [start, end) segments falling in each [b_k, b_k+1) (vectorised)."""
    if starts.size == 0:
        return np.zeros(boundaries.size - 1)
    starts_sorted = np.sort(starts)
    ends_sorted = np.sort(ends)
    start_cum = np.concatenate([[0.0], np.cumsum(starts_sorted)])
    end_cum = np.concatenate([[0.0], np.cumsum(ends_sorted)])
    n_started = np.searchsorted(starts_sorted, boundaries, side="left")
    n_ended = np.searchsorted(ends_sorted, boundaries, side="left")
    covered = end_cum[n_ended] + boundaries * (n_started - n_ended) - start_cum[n_started]
    return np.diff(covered)


def _interval_counts(
    output: KernelOutput, grid: ForecastGrid, target_seconds: np.ndarray
) -> dict[str, np.ndarray]:
    """Per (queue, interval) counts of one replication; retrials after the horizon excluded."""
    n_queues, n_intervals = grid.volume.shape
    interval = np.floor(output.arrival_seconds / grid.interval_seconds).astype(np.int64)
    inside = interval < n_intervals
    cell = output.queue[inside] * n_intervals + interval[inside]
    size = n_queues * n_intervals
    outcome = output.outcome[inside]
    wait = output.wait_seconds[inside]
    target = target_seconds[output.queue[inside]]
    answered = outcome == ANSWERED
    abandoned = outcome == ABANDONED
    flags = {
        "arrivals": np.ones(cell.size, dtype=bool),
        "retrial_arrivals": output.is_retrial[inside],
        "blocked": outcome == BLOCKED,
        "answered": answered,
        "abandoned": abandoned,
        "unfinished": outcome == UNFINISHED,
        "answered_in_target": answered & (wait <= target),
        "abandoned_in_target": abandoned & (wait <= target),
    }
    counts = {
        name: np.bincount(cell[mask], minlength=size).reshape(n_queues, n_intervals)
        for name, mask in flags.items()
    }
    counts["wait_answered_seconds"] = np.bincount(
        cell[answered], weights=wait[answered], minlength=size
    ).reshape(n_queues, n_intervals)
    return counts


def _kernel_input(
    grid: ForecastGrid,
    models: Sequence[SimulationQueue],
    roster: AgentRoster,
    arrivals: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> KernelInput:
    times, queue, service, patience = arrivals
    return KernelInput(
        arrival_seconds=times,
        arrival_queue=queue,
        service_seconds=service,
        patience_seconds=patience,
        queue_priority=tuple(int(model.priority) for model in models),
        queue_lines=tuple(float("inf") if m.lines is None else float(m.lines) for m in models),
        retrial_probability=tuple(float(m.retrial_probability) for m in models),
        retrial_delay_seconds=tuple(float(m.retrial_delay_seconds) for m in models),
        agent_group=roster.agent_group,
        group_queues=roster.group_queues,
        duty_start_seconds=roster.duty_start_seconds,
        duty_end_seconds=roster.duty_end_seconds,
        duty_agent=roster.duty_agent,
    )


def simulate_centre(
    forecast: pd.DataFrame,
    *,
    staffing: pd.DataFrame | None = None,
    schedule: pd.DataFrame | None = None,
    queues: Sequence[SimulationQueue] | None = None,
    skill_groups: Mapping[Hashable, Iterable[Hashable]] | None = None,
    agent_skills: Mapping[Hashable, Iterable[Hashable]] | None = None,
    working_activities: Sequence[str] = ("work",),
    target_seconds: float | Mapping[Hashable, float] = 20.0,
    replications: int = 10,
    seed: int = 0,
    drain: bool = True,
    interval_minutes: int | None = None,
) -> SimulationResult:
    """Simulate a contact centre over the forecast's intervals, ``replications`` times.

    Parameters
    ----------
    forecast : pandas.DataFrame
        Interval frame: ``queue``, ``interval_start`` (aware), ``volume`` (contacts per
        interval), ``aht_seconds`` (seconds). Every queue needs every interval.
    staffing : pandas.DataFrame, optional
        Agents per interval: columns ``interval_start``, ``agents`` (or
        ``required_agents``) and either ``queue`` (dedicated agents per queue) or
        ``skill_group`` (with ``skill_groups``). Give exactly one of ``staffing`` and
        ``schedule``.
    schedule : pandas.DataFrame, optional
        Segments: ``agent``, ``activity``, ``start``, ``end`` (aware). Agents serve only
        during ``working_activities``.
    queues : sequence of SimulationQueue, optional
        Behaviour per queue (priority, handle-time shape, patience, lines, retrials).
        Queues not listed get ``SimulationQueue(name)`` (exponential handle times, no
        abandonment).
    skill_groups : mapping, optional
        Skill group -> queues it serves (with a ``skill_group`` staffing column).
    agent_skills : mapping, optional
        Agent -> queues (with ``schedule``); default every agent serves every queue.
    working_activities : sequence of str, default ("work",)
        Schedule activities during which agents take contacts.
    target_seconds : float or mapping, default 20.0
        Service-level target time in seconds, for all queues or per queue.
    replications : int, default 10
        Independent replications (>= 2 for confidence intervals).
    seed : int, default 0
        Seed of the ``numpy.random.SeedSequence`` that spawns one stream per replication.
    drain : bool, default True
        Agents on duty at the end of the horizon stay until their queues are empty, so
        contacts of the last intervals are not cut off.
    interval_minutes : int, optional
        Interval length in minutes; inferred from the forecast's timestamps if omitted
        (required for a single-interval forecast).

    Returns
    -------
    SimulationResult

    Raises
    ------
    InputError
        On a bad frame, a queue nobody can serve, a bad queue model or bad counts.
    """
    if (staffing is None) == (schedule is None):
        raise InputError(
            "simulate_centre needs exactly one of staffing= and schedule=. Fix: pass agent "
            "counts per interval (staffing) or a schedule of segments (schedule)."
        )
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise InputError(f"replications={replications!r} must be an integer >= 1.")
    grid = forecast_grid(forecast, interval_minutes)
    models = queue_models(grid, queues)
    targets = _target_array(target_seconds, grid.queues)
    if staffing is not None:
        roster = roster_from_staffing(staffing, grid, skill_groups=skill_groups, drain=drain)
    else:
        assert schedule is not None
        roster = roster_from_schedule(
            schedule,
            grid,
            agent_skills=agent_skills,
            working_activities=working_activities,
            drain=drain,
        )
    return run_replications(grid, models, roster, targets, replications, seed)


def run_replications(
    grid: ForecastGrid,
    models: Sequence[SimulationQueue],
    roster: AgentRoster,
    targets: np.ndarray,
    replications: int,
    seed: int,
) -> SimulationResult:
    """Run the replications and collect the statistics.

    Package-internal interface (used by :mod:`wfm.simulation.multiskill`): it simulates a
    prepared grid and roster, where :func:`simulate_centre` builds both from frames.
    """
    n_queues, n_intervals = grid.volume.shape
    n_groups = len(roster.group_names)
    boundaries = np.arange(n_intervals + 1) * grid.interval_seconds
    counts = {name: np.zeros((replications, n_queues, n_intervals)) for name in _COUNT_NAMES}
    busy = np.zeros((replications, n_groups, n_intervals))
    available = np.zeros((replications, n_groups, n_intervals))
    totals = {
        name: np.zeros(replications, dtype=np.int64)
        for name in ("fresh", "retrials", "answered", "abandoned", "blocked", "unfinished")
    }
    agent_group = np.asarray(roster.agent_group, dtype=np.int64)
    duty_group = agent_group[roster.duty_agent.astype(np.int64)]
    duty_end = np.minimum(roster.duty_end_seconds, grid.horizon_seconds)
    for g in range(n_groups):
        mask = duty_group == g
        available[:, g, :] = _busy_by_interval(
            roster.duty_start_seconds[mask], duty_end[mask], boundaries
        )
    streams = np.random.SeedSequence(seed).spawn(replications)
    for rep, stream in enumerate(streams):
        rng = np.random.default_rng(stream)
        arrivals = _arrivals(grid, models, rng)
        output = run_replication(_kernel_input(grid, models, roster, arrivals), rng)
        for name, values in _interval_counts(output, grid, targets).items():
            counts[name][rep] = values
        answered = output.outcome == ANSWERED
        served_group = agent_group[output.agent[answered]]
        for g in range(n_groups):
            mask = served_group == g
            busy[rep, g] = _busy_by_interval(
                output.service_start_seconds[answered][mask],
                output.service_end_seconds[answered][mask],
                boundaries,
            )
        totals["fresh"][rep] = arrivals[0].size
        totals["retrials"][rep] = int(output.is_retrial.sum())
        totals["answered"][rep] = int(answered.sum())
        totals["abandoned"][rep] = int((output.outcome == ABANDONED).sum())
        totals["blocked"][rep] = int((output.outcome == BLOCKED).sum())
        totals["unfinished"][rep] = int((output.outcome == UNFINISHED).sum())
    return SimulationResult(
        queues=grid.queues,
        skill_groups=roster.group_names,
        interval_starts=grid.interval_starts,
        interval_seconds=grid.interval_seconds,
        target_seconds=targets,
        counts=counts,
        busy_seconds=busy,
        available_seconds=available,
        totals=totals,
    )


@dataclass(frozen=True, repr=False)
class PeakTestResult(ResultDisplay):
    """Outcome of :func:`peak_test`.

    Attributes
    ----------
    intervals : pandas.DataFrame
        Per (queue, interval): ``volume`` (forecast), ``tested_volume`` (with the surge),
        ``service_level`` (answered within target / offered, mean over replications) with
        ``service_level_low`` / ``service_level_high``, ``baseline_service_level`` (same
        plan, forecast volume), ``probability_below_target`` (fraction of replications in
        which the interval missed the target), ``shortfall`` (target minus mean service
        level, 0 when met) and ``fails`` (mean below target).
    target_service_level : float
        The service-level target (fraction).
    surged : SimulationResult
        The simulation with the surge.
    baseline : SimulationResult
        The simulation of the same plan with the forecast volume.
    """

    intervals: pd.DataFrame
    target_service_level: float
    surged: SimulationResult
    baseline: SimulationResult

    def to_frame(self) -> pd.DataFrame:
        """Return the per-interval frame."""
        return self.intervals

    def failing(self) -> pd.DataFrame:
        """Intervals whose mean simulated service level misses the target, worst first."""
        failing = self.intervals[self.intervals["fails"]]
        return failing.sort_values("shortfall", ascending=False, kind="stable").reset_index(
            drop=True
        )

    def summary(self) -> Summary:
        """Failing intervals, worst shortfall and horizon service level, all and per queue.

        ``service_level`` is the surged simulation's over all queues and the horizon,
        ``baseline_service_level`` the same plan's with the forecast volume (fractions);
        the breakdown has ``failing_intervals``, ``worst_shortfall`` and ``service_level``
        per queue.
        """
        grouped = self.intervals.groupby(QUEUE, sort=True)
        table = pd.DataFrame(
            {
                "failing_intervals": grouped["fails"].sum().astype(np.int64),
                "worst_shortfall": grouped["shortfall"].max(),
            }
        ).reset_index()
        surged = self.surged.summary()
        overall = surged.breakdown[[QUEUE, "service_level"]]
        figures = {
            "target_service_level": self.target_service_level,
            "intervals": len(self.intervals),
            "failing_intervals": int(self.intervals["fails"].sum()),
            "worst_shortfall": float(self.intervals["shortfall"].max())
            if len(self.intervals)
            else 0.0,
            "service_level": surged["service_level"],
            "baseline_service_level": self.baseline.summary()["service_level"],
        }
        return Summary(
            "PeakTestResult",
            figures,
            units=units_from_names(figures, worst_shortfall="fraction"),
            breakdown=table.merge(overall, on=QUEUE, how="left"),
        )


def peak_test(
    forecast: pd.DataFrame,
    *,
    surge_factor: float = 1.2,
    surge_start: str | pd.Timestamp | None = None,
    surge_end: str | pd.Timestamp | None = None,
    surge_queues: Sequence[Hashable] | None = None,
    target_service_level: float = 0.8,
    target_seconds: float = 20.0,
    replications: int = 20,
    seed: int = 0,
    **simulate_options: object,
) -> PeakTestResult:
    """Test a plan against a surge: which intervals miss the service level, and by how much.

    Parameters
    ----------
    forecast : pandas.DataFrame
        Forecast interval frame.
    surge_factor : float, default 1.2
        Multiplier of the volume during the surge (1.2 = +20 %); must be >= 0.
    surge_start, surge_end : str or pandas.Timestamp, optional
        The surge covers intervals starting in ``[surge_start, surge_end)``; naive values
        are read in the forecast's time zone. Default: the whole horizon.
    surge_queues : sequence, optional
        Queues hit by the surge (default all).
    target_service_level : float, default 0.8
        Fraction (0 to 1) answered within ``target_seconds``.
    target_seconds : float, default 20.0
        Answer-time target in seconds.
    replications : int, default 20
        Replications of each simulation.
    seed : int, default 0
        Seed; the baseline and the surge use the same one.
    **simulate_options
        Passed to :func:`simulate_centre` (``staffing=`` or ``schedule=``, ``queues=``,
        ``skill_groups=``, ``agent_skills=`` ...).

    Returns
    -------
    PeakTestResult

    Raises
    ------
    InputError
        On a bad surge factor, window or target, or anything :func:`simulate_centre` rejects.
    """
    if not np.isfinite(surge_factor) or surge_factor < 0:
        raise InputError(f"surge_factor={surge_factor!r} must be a finite multiplier >= 0.")
    if not 0 < target_service_level < 1:
        raise InputError(
            f"target_service_level={target_service_level!r} must be strictly between 0 and 1."
        )
    grid = forecast_grid(forecast)
    tz = grid.interval_starts.tz
    starts = pd.DatetimeIndex(forecast[INTERVAL_START])
    in_window = np.ones(len(forecast), dtype=bool)
    for bound, name, keep_after in (
        (surge_start, "surge_start", True),
        (surge_end, "surge_end", False),
    ):
        if bound is None:
            continue
        try:
            stamp = pd.Timestamp(bound)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{name}={bound!r} is not a timestamp. Fix: pass ISO 8601.") from exc
        try:
            stamp = stamp.tz_localize(tz) if stamp.tzinfo is None else stamp.tz_convert(tz)
        except LOCALISE_ERRORS as exc:
            raise InputError(
                f"{name}={bound!r} is not a single local time in {tz} (a DST change). Fix: "
                "pass it with its UTC offset."
            ) from exc
        if keep_after:
            in_window &= np.asarray(starts >= stamp)
        else:
            in_window &= np.asarray(starts < stamp)
    if surge_queues is not None:
        unknown = [q for q in surge_queues if q not in grid.queues]
        if unknown:
            raise InputError(
                f"surge_queues names {unknown}, not in the forecast. Fix: use its queues."
            )
        in_window &= forecast[QUEUE].isin(list(surge_queues)).to_numpy()
    if not in_window.any():
        raise InputError(
            "the surge window [surge_start, surge_end) covers no forecast interval. Fix: give "
            "times inside the forecast's horizon."
        )
    surged_forecast = forecast.copy()
    surged_forecast[VOLUME] = np.where(
        in_window, forecast[VOLUME].to_numpy(dtype=np.float64) * surge_factor, forecast[VOLUME]
    )
    options = dict(simulate_options)
    options.update(target_seconds=target_seconds, replications=replications, seed=seed)
    baseline = simulate_centre(forecast, **options)  # type: ignore[arg-type]
    surged = simulate_centre(surged_forecast, **options)  # type: ignore[arg-type]
    frame = surged.to_frame()
    base_frame = baseline.to_frame()
    numerator, denominator = surged.service_level_counts("answered_of_offered")
    with np.errstate(invalid="ignore", divide="ignore"):
        per_rep = np.where(
            denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan
        )
    below = np.where(np.isfinite(per_rep), per_rep < target_service_level, False).sum(axis=0)
    counted = np.isfinite(per_rep).sum(axis=0)
    probability = np.where(counted > 0, below / np.maximum(counted, 1), 0.0).ravel()
    level = frame["service_level_answered_of_offered"].to_numpy()
    shortfall = np.where(np.isfinite(level), np.maximum(target_service_level - level, 0.0), 0.0)
    intervals = pd.DataFrame(
        {
            QUEUE: frame[QUEUE],
            INTERVAL_START: frame[INTERVAL_START],
            VOLUME: grid.volume.ravel(),
            "tested_volume": forecast_grid(surged_forecast).volume.ravel(),
            "service_level": level,
            "service_level_low": frame["service_level_answered_of_offered_low"],
            "service_level_high": frame["service_level_answered_of_offered_high"],
            "baseline_service_level": base_frame["service_level_answered_of_offered"],
            "probability_below_target": probability,
            "shortfall": shortfall,
            "fails": shortfall > 0,
        }
    )
    return PeakTestResult(
        intervals=intervals,
        target_service_level=target_service_level,
        surged=surged,
        baseline=baseline,
    )
