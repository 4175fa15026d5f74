"""Service targets that size one queue, shared by the run configuration and capacity plans."""

from __future__ import annotations

import math
from typing import Literal, Self

from pydantic import ConfigDict, Field, field_validator, model_validator

from wfm.core._models import WfmModel, fix, located_error
from wfm.core.errors import InputError
from wfm.core.service_level import (
    MODELLED_SERVICE_LEVEL_DEFINITIONS,
    canonical_service_level_definition,
)


class ServiceTarget(WfmModel):
    """Service targets that size one queue (passed to :func:`wfm.erlang.required_agents`).

    The run configuration (``[staffing.default]`` and ``[staffing.queues.<queue>]``) and
    each queue of a capacity plan (:class:`wfm.capacity.CapacityQueuePlan`) use this one
    type. Every bad value raises :class:`~wfm.core.errors.ModelInputError` naming the key,
    the value and the fix.

    Attributes
    ----------
    target_service_level : float or None
        Fraction of contacts to answer within ``target_seconds`` (0 < value < 1), or None
        for no service-level target (then another cap must size the queue).
    target_seconds : float
        Answer-time threshold of the service level, in seconds (>= 0).
    max_occupancy : float or None
        Occupancy cap, a fraction in (0, 1].
    max_asa_seconds : float or None
        Cap on the average speed of answer, in seconds (> 0).
    max_abandon_rate : float or None
        Cap on the fraction of offered contacts that abandon, in (0, 1) (needs patience).
    patience_seconds : float, "estimate" or None
        Mean caller patience in seconds (> 0); it switches sizing to Erlang A. The run
        configuration also takes ``"estimate"``: the patience then comes from the history's
        abandonments (total abandon wait / abandons; needs the columns ``abandoned`` and
        ``wait_seconds``); a capacity plan has no history and needs a number. None means
        Erlang C (no abandonment).
    service_level_definition : str or None
        Which service level Erlang A targets (required with ``patience_seconds``, since
        abandons make the definitions differ), one of
        :data:`wfm.core.MODELLED_SERVICE_LEVEL_DEFINITIONS`, e.g. ``"answered_of_offered"``
        (see ``docs/concepts.md``); a deprecated former name is stored as its canonical
        name, so the plan's projected and measured service levels name the same ratio.
    min_agents : int
        Minimum agents in every open interval (e.g. 1 so a queue is never unmanned), >= 0.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    target_service_level: float | None = Field(
        default=0.8,
        gt=0.0,
        lt=1.0,
        json_schema_extra=fix(
            "give the service-level target as a fraction strictly between 0 and 1, e.g. 0.8"
        ),
    )
    target_seconds: float = Field(
        default=20.0,
        ge=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix("give the answer-time threshold in seconds, e.g. 20"),
    )
    max_occupancy: float | None = Field(
        default=None,
        gt=0.0,
        le=1.0,
        json_schema_extra=fix("give the occupancy cap as a fraction in (0, 1], e.g. 0.85, or None"),
    )
    max_asa_seconds: float | None = Field(
        default=None,
        gt=0.0,
        allow_inf_nan=False,
        json_schema_extra=fix("give a positive ASA cap in seconds or None"),
    )
    max_abandon_rate: float | None = Field(
        default=None,
        gt=0.0,
        lt=1.0,
        json_schema_extra=fix("give the abandon-rate cap as a fraction in (0, 1), or None"),
    )
    patience_seconds: float | Literal["estimate"] | None = None
    service_level_definition: str | None = None
    min_agents: int = Field(default=0, ge=0, json_schema_extra=fix("use 0 or more agents"))

    @field_validator("patience_seconds")
    @classmethod
    def _positive_patience(cls, value: float | str | None) -> float | str | None:
        if isinstance(value, float | int) and not (math.isfinite(value) and value > 0):
            raise ValueError(
                "is not a positive number of seconds. Fix: give the mean patience in "
                "seconds, or leave it out for Erlang C"
            )
        return value

    @field_validator("service_level_definition")
    @classmethod
    def _known_definition(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return canonical_service_level_definition(
                value,
                supported=MODELLED_SERVICE_LEVEL_DEFINITIONS,
                stage="staffing (Erlang A and the simulator)",
                stacklevel=2,
            )
        except InputError as error:  # pydantic locates it; drop the final full stop
            raise ValueError(str(error).rstrip(".")) from error

    @model_validator(mode="after")
    def _definition_with_patience(self) -> Self:
        if self.patience_seconds is not None and self.service_level_definition is None:
            raise located_error(
                type(self),
                ("service_level_definition",),
                None,
                "is required with patience_seconds (Erlang A). "
                "Fix: set it, e.g. to 'answered_of_offered'",
            )
        return self
