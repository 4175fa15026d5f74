"""Column names of the adherence inputs and the ACD-state to schedule-activity mapping.

Two frames come in:

* the **schedule segments** frame (the contract with :mod:`wfm.schedule`): one row per
  segment with ``agent``, ``activity`` (``"work"``, ``"break"``, ``"lunch"``, ``"off"``,
  ``"meeting"``, ...), ``start`` and ``end`` (timezone-aware, ``end`` exclusive), plus
  optional columns such as ``team``, ``queue`` or ``shift_id``;
* the **agent state events** frame from the ACD or telephony platform: ``agent``,
  ``state`` (e.g. ``"Available"``, ``"On Call"``, ``"Break"``), ``start``, optional
  ``end`` (without it a state lasts until the agent's next event) and optional
  ``channel``.

A :class:`StateMapping` turns each ACD state (optionally per channel) into the schedule
activity it counts as, and says which activities are *work* (count as on-queue time for
conformance and service) and which are *off* (not scheduled, not working).
"""

from __future__ import annotations

import pandas as pd
from pydantic import ConfigDict, Field, model_validator

from wfm.core import frames
from wfm.core._models import WfmModel
from wfm.core.errors import InputError

AGENT = frames.AGENT
ACTIVITY = frames.ACTIVITY
START = frames.SEGMENT_START
END = frames.SEGMENT_END
STATE = "state"
CHANNEL = "channel"
TEAM = "team"

NO_STATE = "<no state>"
"""Label of time for which an agent has no state event at all (treated as activity off)."""

UNSCHEDULED = "<unscheduled>"
"""Label of time outside every scheduled segment (outside the shift)."""

DEFAULT_STATE_ACTIVITIES: dict[str, str] = {
    "Available": "work",
    "Idle": "work",
    "On Queue": "work",
    "On Call": "work",
    "Interacting": "work",
    "Communicating": "work",
    "Outbound": "work",
    "Hold": "work",
    "After Call Work": "work",
    "Wrap Up": "work",
    "Break": "break",
    "Lunch": "lunch",
    "Meal": "lunch",
    "Meeting": "meeting",
    "Training": "training",
    "Coaching": "meeting",
    "Not Ready": "not_ready",
    "Away": "not_ready",
    "Logged Out": "off",
    "Offline": "off",
}
"""The default ACD-state to activity table (see ``docs/adherence.md``)."""


class StateMapping(WfmModel):
    """Mapping from ACD agent states to schedule activities.

    Attributes
    ----------
    states : dict of str to str
        ACD state name to schedule activity, used for every channel. Names are matched
        exactly (case and spaces matter).
    channel_states : dict of str to dict of str to str
        Per-channel overrides: ``{channel: {state: activity}}``. An event whose ``channel``
        is listed here is looked up in that table first, then in ``states``.
    work_activities : tuple of str
        Activities that are work (on-queue, productive): time in them is "worked" for
        conformance and for staff actually available.
    off_activities : tuple of str
        Activities that are not scheduled time (the agent is off). Schedule segments with
        such an activity count as outside the shift; the first one is the activity of time
        for which the agent has no state event.

    Examples
    --------
    >>> mapping = StateMapping.default()
    >>> mapping.activity_of("On Call")
    'work'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    states: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_STATE_ACTIVITIES))
    channel_states: dict[str, dict[str, str]] = Field(default_factory=dict)
    work_activities: tuple[str, ...] = ("work",)
    off_activities: tuple[str, ...] = ("off",)

    @model_validator(mode="after")
    def _check(self) -> StateMapping:
        if not self.work_activities:
            raise ValueError("work_activities must name at least one activity, e.g. ('work',)")
        if not self.off_activities:
            raise ValueError("off_activities must name at least one activity, e.g. ('off',)")
        both = set(self.work_activities) & set(self.off_activities)
        if both:
            raise ValueError(f"activities {sorted(both)} are both work and off; pick one")
        return self

    @classmethod
    def default(cls) -> StateMapping:
        """Return the default mapping (:data:`DEFAULT_STATE_ACTIVITIES`, work = ``"work"``)."""
        return cls()

    @property
    def off_activity(self) -> str:
        """Activity of time without any state event (the first of ``off_activities``)."""
        return self.off_activities[0]

    def activity_of(self, state: str, channel: str | None = None) -> str:
        """Return the activity an ACD state counts as.

        Parameters
        ----------
        state : str
            ACD state name.
        channel : str, optional
            Channel of the event; its table in ``channel_states`` is looked up first.

        Returns
        -------
        str
            The schedule activity.

        Raises
        ------
        InputError
            If the state is not mapped (for that channel).
        """
        if channel is not None and channel in self.channel_states:
            table = self.channel_states[channel]
            if state in table:
                return table[state]
        if state in self.states:
            return self.states[state]
        raise InputError(
            f"state={state!r} (channel={channel!r}) is not in the state mapping. Fix: add it "
            "to StateMapping.states (or channel_states) with the activity it counts as."
        )

    def activities(self) -> list[str]:
        """Return every activity named by the mapping, sorted."""
        names = set(self.states.values()) | set(self.work_activities) | set(self.off_activities)
        for table in self.channel_states.values():
            names |= set(table.values())
        return sorted(names)

    def to_frame(self) -> pd.DataFrame:
        """Return the mapping as a table (channel, state, activity, is_work, is_off)."""
        rows = [("", state, act) for state, act in self.states.items()]
        for channel, table in self.channel_states.items():
            rows.extend((channel, state, act) for state, act in table.items())
        frame = pd.DataFrame(rows, columns=[CHANNEL, STATE, ACTIVITY])
        frame["is_work"] = frame[ACTIVITY].isin(self.work_activities)
        frame["is_off"] = frame[ACTIVITY].isin(self.off_activities)
        return frame
