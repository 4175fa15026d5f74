"""Demand side: required FTE per queue and period from a representative week and Erlang."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from wfm.capacity.models import CapacityPlanInput, CapacityQueuePlan
from wfm.core.errors import InputError
from wfm.core.targets import ServiceTarget

MINUTES_PER_WEEK = 7 * 24 * 60


def period_edges(plan: CapacityPlanInput) -> list[date]:
    """Return the first day of every period plus the day after the last period.

    Parameters
    ----------
    plan : CapacityPlanInput
        Plan with ``period``, ``start_date`` and the number of periods.

    Returns
    -------
    list of datetime.date
        ``n_periods + 1`` dates: calendar months (from the 1st) or 7-day weeks.
    """
    start = plan.start_date
    if plan.period == "week":
        return [start + timedelta(days=7 * k) for k in range(plan.n_periods + 1)]
    edges = []
    for k in range(plan.n_periods + 1):
        month_index = start.month - 1 + k
        edges.append(date(start.year + month_index // 12, month_index % 12 + 1, 1))
    return edges


@dataclass(frozen=True)
class QueueRequirement:
    """Weekly staffing need of one queue in every period.

    Attributes
    ----------
    agent_hours_per_week : numpy.ndarray
        Sum over the representative week's intervals of required agents x interval hours.
    workload_hours_per_week : numpy.ndarray
        Offered workload: weekly contacts x AHT / 3600 (hours).
    peak_agents : numpy.ndarray
        Largest interval requirement of the representative week (agents).
    agents : numpy.ndarray
        Required agents per (period, interval of the week).
    volume : numpy.ndarray
        Contacts offered per (period, interval of the week).
    aht_seconds : numpy.ndarray
        Handle time in seconds per (period, interval of the week).
    """

    agent_hours_per_week: np.ndarray
    workload_hours_per_week: np.ndarray
    peak_agents: np.ndarray
    agents: np.ndarray
    volume: np.ndarray
    aht_seconds: np.ndarray


def queue_requirement(
    queue: CapacityQueuePlan, period_days: np.ndarray, staffing: str
) -> QueueRequirement:
    """Size one queue's representative week in every period with Erlang.

    The period's contacts are turned into a weekly rate (``volume * 7 / days``) and spread
    over the week's intervals by ``pattern.volume_shares``; each interval's AHT is the
    period's AHT times its normalised ``aht_factors``. Required agents per interval come
    from :func:`wfm.erlang.required_agents` (or its continuous version), all periods and
    intervals in one vectorised call; closed intervals need none, open ones at least
    ``service.min_agents``.

    Parameters
    ----------
    queue : CapacityQueuePlan
        The queue's plan (validated).
    period_days : numpy.ndarray
        Calendar days of each period.
    staffing : {"integer", "continuous"}
        Whole agents per interval or the continuous relaxation.

    Returns
    -------
    QueueRequirement
        Weekly agent-hours, workload hours and peak agents per period.
    """
    pattern = queue.pattern
    shares = np.asarray(pattern.volume_shares, dtype=float)
    is_open = (
        shares > 0
        if pattern.open_intervals is None
        else np.asarray(pattern.open_intervals, dtype=bool)
    )
    factors = (
        np.ones_like(shares)
        if pattern.aht_factors is None
        else np.asarray(pattern.aht_factors, dtype=float)
    )
    weighted = float(np.sum(shares * factors))
    factors = factors / weighted if weighted > 0 else factors
    weekly_volume = np.asarray(queue.volume, dtype=float) * 7.0 / period_days
    aht_seconds = np.asarray(queue.aht_seconds, dtype=float)
    volume = weekly_volume[:, None] * shares[None, :]
    aht = aht_seconds[:, None] * factors[None, :]
    interval_hours = pattern.interval_minutes / 60.0
    busy = volume > 0
    service = queue.service
    agents = np.zeros(volume.shape)
    if busy.any():
        from wfm.erlang import required_agents, required_agents_continuous

        size = required_agents if staffing == "integer" else required_agents_continuous
        agents[busy] = size(
            volume[busy],
            aht[busy],
            interval_seconds=pattern.interval_minutes * 60,
            target_service_level=service.target_service_level,
            target_seconds=service.target_seconds,
            max_occupancy=service.max_occupancy,
            max_asa_seconds=service.max_asa_seconds,
            patience_seconds=_patience(service),
            max_abandon_rate=service.max_abandon_rate,
            service_level_definition=service.service_level_definition,
        )
    agents = np.where(is_open[None, :], np.maximum(agents, service.min_agents), 0.0)
    return QueueRequirement(
        agent_hours_per_week=agents.sum(axis=1) * interval_hours,
        workload_hours_per_week=weekly_volume * aht_seconds / 3600.0,
        peak_agents=agents.max(axis=1),
        agents=agents,
        volume=volume,
        aht_seconds=aht,
    )


def _patience(service: ServiceTarget) -> float | None:
    """Mean patience in seconds, or None (a validated plan never holds ``"estimate"``)."""
    if isinstance(service.patience_seconds, str):
        raise InputError(
            f"patience_seconds={service.patience_seconds!r} cannot be estimated in a capacity "
            "plan. Fix: give the mean patience in seconds."
        )
    return service.patience_seconds


def queue_service_level(
    queue: CapacityQueuePlan, need: QueueRequirement, coverage: np.ndarray
) -> np.ndarray:
    """Contact-weighted service level of a queue when only part of its staffing is there.

    Every interval of period ``p`` gets ``coverage_p`` times its required agents
    (fractional agents, the Erlang formulas' continuous extension), so a shortfall is
    spread evenly over the week, and the service level of each interval comes from
    :func:`wfm.erlang.service_level` with the queue's targets (Erlang A with patience).

    Parameters
    ----------
    queue : CapacityQueuePlan
        The queue (targets, interval length).
    need : QueueRequirement
        Its per-interval requirement.
    coverage : numpy.ndarray
        Fraction of required FTE on hand in each period (0 to 1).

    Returns
    -------
    numpy.ndarray
        Service level per period (fraction 0 to 1); NaN in a period without contacts.
    """
    from wfm.erlang import service_level

    busy = need.volume > 0
    levels = np.zeros(need.volume.shape)
    if busy.any():
        agents = need.agents * np.asarray(coverage, dtype=float)[:, None]
        service = queue.service
        levels[busy] = service_level(
            need.volume[busy],
            need.aht_seconds[busy],
            agents[busy],
            service.target_seconds,
            interval_seconds=queue.pattern.interval_minutes * 60,
            patience_seconds=_patience(service),
            service_level_definition=service.service_level_definition,
        )
    contacts = need.volume.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(contacts > 0, (levels * need.volume).sum(axis=1) / contacts, np.nan)


def combined_shrinkage(components: dict[str, float]) -> float:
    """Combine shrinkage components multiplicatively with :func:`wfm.erlang.combine_shrinkage`.

    Parameters
    ----------
    components : dict of str to float
        Component fractions of paid time.

    Returns
    -------
    float
        ``1 - prod(1 - s_i)``, 0 when there are no components.
    """
    if not components:
        return 0.0
    from wfm.erlang import combine_shrinkage

    return float(combine_shrinkage(components))
