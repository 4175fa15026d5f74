"""Event loop of the contact-centre simulator (one replication).

The loop is the one place in ``wfm.simulation`` that walks events one by one: a discrete-event
simulation is sequential by nature. Everything around it (arrival generation, handle
times, patience, interval statistics) is vectorised with numpy. The loop keeps its state
in plain Python lists and ``collections.deque`` objects, which are several times faster
than numpy scalars for element-wise access.

Events kept in a binary heap (``heapq``), each a tuple ``(time_seconds, sequence, kind,
item)``:

* ``SHIFT_START`` / ``SHIFT_END``: an agent comes on or goes off duty (item = agent);
* ``SERVICE_END``: an agent finishes a contact (item = agent);
* ``ABANDON``: a waiting contact's patience runs out (item = contact); stale if the
  contact was answered first (checked by its state, the event is then ignored);
* ``RETRIAL``: a contact that abandoned or was blocked calls again (item = contact).

Fresh arrivals come from a pre-sorted array and are merged with the heap.

Routing: an arriving contact goes to the longest-idle agent among the skill groups that
hold its queue; if none is idle it waits in its queue (first come, first served within a
queue). An agent who becomes free takes the head of the highest-priority (lowest number)
non-empty queue among its skills; ties between queues of equal priority go to the contact
that has waited longest. An agent whose shift ends while busy finishes the contact and
then goes off duty.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass

import numpy as np

SHIFT_START = 0
SERVICE_END = 1
ABANDON = 2
RETRIAL = 3
SHIFT_END = 4

ANSWERED = 0
ABANDONED = 1
BLOCKED = 2
UNFINISHED = 3
_WAITING = 4
_IN_SERVICE = 5

_INF = float("inf")


@dataclass(frozen=True)
class KernelInput:
    """Everything one replication needs, as plain arrays (times in seconds from t = 0).

    Parameters
    ----------
    arrival_seconds : numpy.ndarray
        Fresh arrival times, sorted ascending.
    arrival_queue : numpy.ndarray
        Queue index of each fresh arrival.
    service_seconds : numpy.ndarray
        Handle time of each fresh arrival in seconds.
    patience_seconds : numpy.ndarray
        Patience of each fresh arrival in seconds (``inf`` = never abandons).
    queue_priority : tuple of int
        Priority per queue, lower is served first.
    queue_lines : tuple of float
        Maximum contacts in system (waiting + in service) per queue; ``inf`` = unlimited.
    retrial_probability : tuple of float
        Probability per queue that an abandoned or blocked contact calls again.
    retrial_delay_seconds : tuple of float
        Mean (exponential) delay before a retrial, per queue, in seconds.
    agent_group : tuple of int
        Skill-group index of each agent.
    group_queues : tuple of tuple of int
        Queue indices each skill group can serve, in routing order.
    duty_start_seconds, duty_end_seconds, duty_agent : numpy.ndarray
        On-duty periods (start, end, agent); ``end`` may be ``inf``.
    """

    arrival_seconds: np.ndarray
    arrival_queue: np.ndarray
    service_seconds: np.ndarray
    patience_seconds: np.ndarray
    queue_priority: tuple[int, ...]
    queue_lines: tuple[float, ...]
    retrial_probability: tuple[float, ...]
    retrial_delay_seconds: tuple[float, ...]
    agent_group: tuple[int, ...]
    group_queues: tuple[tuple[int, ...], ...]
    duty_start_seconds: np.ndarray
    duty_end_seconds: np.ndarray
    duty_agent: np.ndarray


@dataclass(frozen=True)
class KernelOutput:
    """Per-contact records of one replication (retrials are contacts of their own).

    Attributes
    ----------
    arrival_seconds, queue, outcome, wait_seconds, service_start_seconds,
    service_end_seconds, agent, is_retrial : numpy.ndarray
        One entry per contact (fresh arrivals first, then retrials in creation order).
        ``wait_seconds`` is the time to answer (answered), to hang up (abandoned), 0
        (blocked) or to the end of the run (unfinished); service times are NaN and
        ``agent`` is -1 unless answered.
    """

    arrival_seconds: np.ndarray
    queue: np.ndarray
    outcome: np.ndarray
    wait_seconds: np.ndarray
    service_start_seconds: np.ndarray
    service_end_seconds: np.ndarray
    agent: np.ndarray
    is_retrial: np.ndarray


def run_replication(data: KernelInput, rng: np.random.Generator) -> KernelOutput:
    """Simulate one replication.

    Parameters
    ----------
    data : KernelInput
        Arrivals, queues, agents and their duty periods.
    rng : numpy.random.Generator
        Source of randomness for retrial decisions, delays and the retrials' new
        patience (exponential with the first attempt's patience as mean).

    Returns
    -------
    KernelOutput
        Per-contact records.
    """
    heappush = heapq.heappush
    heappop = heapq.heappop

    arrivals = data.arrival_seconds.tolist()
    n_fresh = len(arrivals)
    c_arrival: list[float] = list(arrivals)
    c_queue: list[int] = data.arrival_queue.tolist()
    c_service: list[float] = data.service_seconds.tolist()
    c_patience: list[float] = data.patience_seconds.tolist()
    c_state: list[int] = [_WAITING] * n_fresh
    c_start: list[float] = [_INF] * n_fresh
    c_end: list[float] = [_INF] * n_fresh
    c_agent: list[int] = [-1] * n_fresh
    c_retrial: list[bool] = [False] * n_fresh

    priority = data.queue_priority
    lines = data.queue_lines
    retrial_p = data.retrial_probability
    retrial_delay = data.retrial_delay_seconds
    n_queues = len(priority)
    any_lines = any(value != _INF for value in lines)
    any_retrial = any(value > 0 for value in retrial_p)

    agent_group = data.agent_group
    n_agents = len(agent_group)
    group_queues = data.group_queues
    # queues of each group sorted by priority, as lists of priority levels
    group_levels: list[list[list[int]]] = []
    for queues in group_queues:
        levels: dict[int, list[int]] = {}
        for q in queues:
            levels.setdefault(priority[q], []).append(q)
        group_levels.append([levels[p] for p in sorted(levels)])
    queue_groups: list[list[int]] = [[] for _ in range(n_queues)]
    for g, queues in enumerate(group_queues):
        for q in queues:
            queue_groups[q].append(g)

    waiting: list[deque[int]] = [deque() for _ in range(n_queues)]
    n_waiting = [0] * n_queues
    n_serving = [0] * n_queues
    idle: list[deque[tuple[float, int, int]]] = [deque() for _ in group_queues]
    on_duty = [False] * n_agents
    busy = [False] * n_agents
    leave_after_service = [False] * n_agents
    token = [0] * n_agents
    serving: list[int] = [-1] * n_agents

    events: list[tuple[float, int, int, int]] = []
    sequence = 0
    for start, end, agent in zip(
        data.duty_start_seconds.tolist(),
        data.duty_end_seconds.tolist(),
        data.duty_agent.tolist(),
        strict=True,
    ):
        events.append((start, sequence, SHIFT_START, agent))
        sequence += 1
        if end != _INF:
            events.append((end, sequence, SHIFT_END, agent))
            sequence += 1
    heapq.heapify(events)

    # buffered random draws for retrials (numpy scalar calls are slow)
    buffer_size = 4096
    uniforms: list[float] = []
    exponentials: list[float] = []

    def draw() -> tuple[float, float, float]:
        nonlocal uniforms, exponentials
        if len(uniforms) < 1:
            uniforms = rng.random(buffer_size).tolist()
            exponentials = rng.standard_exponential(2 * buffer_size).tolist()
        return uniforms.pop(), exponentials.pop(), exponentials.pop()

    def start_service(agent: int, contact: int, now: float) -> None:
        nonlocal sequence
        q = c_queue[contact]
        c_state[contact] = _IN_SERVICE
        c_start[contact] = now
        c_agent[contact] = agent
        end = now + c_service[contact]
        c_end[contact] = end
        n_serving[q] += 1
        busy[agent] = True
        serving[agent] = contact
        heappush(events, (end, sequence, SERVICE_END, agent))
        sequence += 1

    def maybe_retry(contact: int, now: float) -> None:
        nonlocal sequence
        q = c_queue[contact]
        p = retrial_p[q]
        if p <= 0:
            return
        u, e1, e2 = draw()
        if u >= p:
            return
        new = len(c_arrival)
        c_arrival.append(now + e1 * retrial_delay[q])
        c_queue.append(q)
        c_service.append(c_service[contact])
        patience = c_patience[contact]
        c_patience.append(e2 * patience if patience != _INF else _INF)
        c_state.append(_WAITING)
        c_start.append(_INF)
        c_end.append(_INF)
        c_agent.append(-1)
        c_retrial.append(True)
        heappush(events, (c_arrival[new], sequence, RETRIAL, new))
        sequence += 1

    def arrive(contact: int, now: float) -> None:
        nonlocal sequence
        q = c_queue[contact]
        if any_lines and n_waiting[q] + n_serving[q] >= lines[q]:
            c_state[contact] = BLOCKED
            c_start[contact] = now
            if any_retrial:
                maybe_retry(contact, now)
            return
        best_group = -1
        best_since = _INF
        for g in queue_groups[q]:
            pool = idle[g]
            while pool:
                since, agent, agent_token = pool[0]
                if token[agent] == agent_token:
                    if since < best_since:
                        best_since = since
                        best_group = g
                    break
                pool.popleft()
        if best_group >= 0:
            _, agent, _ = idle[best_group].popleft()
            token[agent] += 1
            start_service(agent, contact, now)
            return
        waiting[q].append(contact)
        n_waiting[q] += 1
        patience = c_patience[contact]
        if patience != _INF:
            heappush(events, (now + patience, sequence, ABANDON, contact))
            sequence += 1

    def head_of(q: int) -> int:
        line = waiting[q]
        while line:
            contact = line[0]
            if c_state[contact] == _WAITING:
                return contact
            line.popleft()
        return -1

    def agent_free(agent: int, now: float) -> None:
        for level in group_levels[agent_group[agent]]:
            chosen = -1
            chosen_arrival = _INF
            for q in level:
                if n_waiting[q] == 0:
                    continue
                contact = head_of(q)
                if contact >= 0 and c_arrival[contact] < chosen_arrival:
                    chosen = contact
                    chosen_arrival = c_arrival[contact]
            if chosen >= 0:
                q = c_queue[chosen]
                waiting[q].popleft()
                n_waiting[q] -= 1
                start_service(agent, chosen, now)
                return
        busy[agent] = False
        token[agent] += 1
        idle[agent_group[agent]].append((now, agent, token[agent]))

    next_fresh = 0
    next_arrival = arrivals[0] if n_fresh else _INF
    while True:
        event_time = events[0][0] if events else _INF
        if next_arrival <= event_time:
            if next_arrival == _INF:
                break
            arrive(next_fresh, next_arrival)
            next_fresh += 1
            next_arrival = arrivals[next_fresh] if next_fresh < n_fresh else _INF
            continue
        now, _, kind, item = heappop(events)
        if kind == SERVICE_END:
            contact = serving[item]
            serving[item] = -1
            c_state[contact] = ANSWERED
            n_serving[c_queue[contact]] -= 1
            if leave_after_service[item]:
                leave_after_service[item] = False
                busy[item] = False
                on_duty[item] = False
            else:
                agent_free(item, now)
        elif kind == ABANDON:
            if c_state[item] == _WAITING:
                c_state[item] = ABANDONED
                c_start[item] = now
                n_waiting[c_queue[item]] -= 1
                if any_retrial:
                    maybe_retry(item, now)
        elif kind == RETRIAL:
            arrive(item, now)
        elif kind == SHIFT_START:
            if on_duty[item]:
                leave_after_service[item] = False
                continue
            on_duty[item] = True
            leave_after_service[item] = False
            if not busy[item]:
                agent_free(item, now)
        else:  # SHIFT_END
            if not on_duty[item]:
                continue
            if busy[item]:
                leave_after_service[item] = True
            else:
                on_duty[item] = False
                token[item] += 1

    state = np.asarray(c_state, dtype=np.int64)
    outcome = np.where(state == _WAITING, UNFINISHED, state)
    arrival = np.asarray(c_arrival, dtype=np.float64)
    start = np.asarray(c_start, dtype=np.float64)
    answered = outcome == ANSWERED
    wait = np.where(outcome == UNFINISHED, np.nan, start - arrival)
    wait = np.where(outcome == BLOCKED, 0.0, wait)
    return KernelOutput(
        arrival_seconds=arrival,
        queue=np.asarray(c_queue, dtype=np.int64),
        outcome=outcome,
        wait_seconds=wait,
        service_start_seconds=np.where(answered, start, np.nan),
        service_end_seconds=np.where(answered, np.asarray(c_end, dtype=np.float64), np.nan),
        agent=np.where(answered, np.asarray(c_agent, dtype=np.int64), -1),
        is_retrial=np.asarray(c_retrial, dtype=bool),
    )
