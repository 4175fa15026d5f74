"""Run configuration for the pipeline and the command line (TOML, validated by pydantic).

A configuration file names the site, the forecast, the service targets per queue, the
shrinkage, the shift templates and agents, and the solver settings. Loading it never
guesses: an unknown key, a wrong type or an out-of-range value raises
:class:`~wfm.core.errors.InputError` naming the key path (e.g.
``staffing.default.target_service_level``), the value found and the fix.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from wfm.adherence import AdherenceRules, StateMapping
from wfm.core.errors import InputError, describe_value
from wfm.core.grid import ALLOWED_INTERVAL_MINUTES, check_time_zone
from wfm.core.validate import booleans_given_as_numbers
from wfm.schedule import Agent, ScheduleRules, ShiftTemplate, SolverSettings

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class SiteConfig(BaseModel):
    """The contact centre: name, time zone and planning interval.

    Attributes
    ----------
    name : str
        Display name.
    time_zone : str
        IANA time zone of the site, e.g. ``"Europe/London"``.
    interval_minutes : int
        Planning interval length in minutes (15, 30 or 60 usually).
    """

    model_config = _FROZEN

    name: str = "contact centre"
    time_zone: str = "UTC"
    interval_minutes: int = 30

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_time_zone(value)

    @field_validator("interval_minutes")
    @classmethod
    def _allowed_interval(cls, value: int) -> int:
        if value not in ALLOWED_INTERVAL_MINUTES:
            raise ValueError(f"must be one of {ALLOWED_INTERVAL_MINUTES}")
        return value


class ForecastConfig(BaseModel):
    """How to forecast.

    Attributes
    ----------
    model : str
        Model name, or ``"auto"``: a per-queue rolling-origin backtest keeps the
        combination unless another candidate's WAPE is more than 5% lower.
    horizon_days : int
        Days to forecast after the end of the history (or after ``start``).
    levels : list of int
        Prediction-interval levels in percent.
    backtest_origins : int
        Number of rolling origins used to select and score models.
    """

    model_config = _FROZEN

    model: str = "auto"
    horizon_days: int = Field(default=7, gt=0, le=400)
    levels: list[int] = Field(default_factory=lambda: [80, 95])
    backtest_origins: int = Field(default=8, ge=1, le=60)

    @field_validator("levels")
    @classmethod
    def _levels_in_range(cls, value: list[int]) -> list[int]:
        for level in value:
            if not 0 < level < 100:
                raise ValueError(f"level {level} must be between 0 and 100 (percent)")
        return value


class ServiceTarget(BaseModel):
    """Service targets that size one queue.

    Attributes
    ----------
    target_service_level : float or None
        Fraction of contacts to answer within ``target_seconds`` (0 to 1), or None for no
        service-level target.
    target_seconds : float
        Service-level threshold in seconds.
    max_occupancy : float or None
        Occupancy cap (fraction 0 to 1).
    max_asa_seconds : float or None
        Cap on the average speed of answer in seconds.
    max_abandon_rate : float or None
        Cap on the fraction of offered contacts that abandon (needs patience).
    patience_seconds : float, "estimate" or None
        Mean caller patience in seconds (switches sizing to Erlang A); ``"estimate"`` takes
        it from the history's abandonments (total abandon wait / abandons; needs the
        columns ``abandoned`` and ``wait_seconds``); None means Erlang C.
    service_level_definition : str or None
        Which service-level definition applies with patience (see ``docs/erlang.md``).
    """

    model_config = _FROZEN

    target_service_level: float | None = Field(default=0.8, gt=0, lt=1)
    target_seconds: float = Field(default=20.0, ge=0)
    max_occupancy: float | None = Field(default=None, gt=0, le=1)
    max_asa_seconds: float | None = Field(default=None, gt=0)
    max_abandon_rate: float | None = Field(default=None, gt=0, lt=1)
    patience_seconds: float | Literal["estimate"] | None = None
    service_level_definition: str | None = None


class StaffingConfig(BaseModel):
    """Service targets (a default and per-queue overrides) and shrinkage.

    Attributes
    ----------
    default : ServiceTarget
        Targets for every queue without its own entry.
    queues : dict of str to ServiceTarget
        Per-queue targets.
    shrinkage : dict of str to float
        Independent shrinkage components (fractions 0 to 1), combined as
        ``1 − Π(1 − s_i)``. Scheduled breaks and lunches are placed by the scheduler and
        must not be counted here again.
    offered_load : {"interval", "modified"}
        Size each interval on its own load (SIPP) or on the modified offered load, which
        follows fast-changing load better (see :func:`wfm.staff_intervals`).
    """

    model_config = _FROZEN

    offered_load: Literal["interval", "modified"] = "interval"
    default: ServiceTarget = Field(default_factory=ServiceTarget)
    queues: dict[str, ServiceTarget] = Field(default_factory=dict)
    shrinkage: dict[str, float] = Field(default_factory=dict)

    @field_validator("shrinkage")
    @classmethod
    def _fractions(cls, value: dict[str, float]) -> dict[str, float]:
        for name, fraction in value.items():
            if not 0 <= fraction < 1:
                raise ValueError(f"component {name!r}={fraction} must be a fraction in [0, 1)")
        return value

    def target_for(self, queue: str) -> ServiceTarget:
        """Return the targets that apply to ``queue``."""
        return self.queues.get(queue, self.default)


class ScheduleConfig(BaseModel):
    """Shift templates, agents, labour rules and solver settings for the schedule stage.

    Attributes
    ----------
    templates : list of wfm.schedule.ShiftTemplate
        Shift families (full- and part-time side by side).
    agents : list of wfm.schedule.Agent
        Named agents with contracts; empty means shift counts only (pseudo agents).
    rules : wfm.schedule.ScheduleRules
        Coverage prices, seat limit and labour rules.
    solver : wfm.schedule.SolverSettings
        Solver name, time limit and MIP gap.
    """

    model_config = _FROZEN

    templates: list[ShiftTemplate] = Field(default_factory=list)
    agents: list[Agent] = Field(default_factory=list)
    rules: ScheduleRules = Field(default_factory=ScheduleRules)
    solver: SolverSettings = Field(default_factory=SolverSettings)


class AdherenceConfig(BaseModel):
    """How adherence is measured (see ``docs/adherence.md`` for each definition).

    Attributes
    ----------
    definition : str
        Adherence definition name (e.g. ``"genesys"``).
    start_before_seconds, end_after_seconds : float
        Grace at activity boundaries, in seconds.
    min_exception_seconds : float
        Shorter out-of-adherence stretches are not exceptions, in seconds.
    outside_shift_is_exception : bool or None
        Count working outside the shift as an exception (None: the definition's default).
    mapping : wfm.adherence.StateMapping
        ACD state to schedule activity table.
    """

    model_config = _FROZEN

    definition: str = "genesys"
    start_before_seconds: float = Field(default=0.0, ge=0)
    end_after_seconds: float = Field(default=0.0, ge=0)
    min_exception_seconds: float = Field(default=0.0, ge=0)
    outside_shift_is_exception: bool | None = None
    mapping: StateMapping = Field(default_factory=StateMapping.default)

    def rules(self) -> AdherenceRules:
        """Return the adherence rules object of :mod:`wfm.adherence`."""
        try:
            return AdherenceRules(
                definition=self.definition,  # type: ignore[arg-type]
                start_before_seconds=self.start_before_seconds,
                end_after_seconds=self.end_after_seconds,
                min_exception_seconds=self.min_exception_seconds,
                outside_shift_is_exception=self.outside_shift_is_exception,
            )
        except InputError as exc:
            raise InputError(f"adherence: {exc}") from exc


class PlanConfig(BaseModel):
    """Everything one planning run needs besides the data.

    Attributes
    ----------
    site : SiteConfig
    forecast : ForecastConfig
    staffing : StaffingConfig
    schedule : ScheduleConfig
    adherence : AdherenceConfig
    """

    model_config = _FROZEN

    site: SiteConfig = Field(default_factory=SiteConfig)
    forecast: ForecastConfig = Field(default_factory=ForecastConfig)
    staffing: StaffingConfig = Field(default_factory=StaffingConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    adherence: AdherenceConfig = Field(default_factory=AdherenceConfig)

    @model_validator(mode="wrap")
    @classmethod
    def _no_booleans_for_numbers(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """Refuse ``true``/``false`` where a number is meant (pydantic would read 1 or 0)."""
        model = handler(data)
        paths = booleans_given_as_numbers(data, model)
        if paths:
            raise ValueError(
                f"{', '.join(paths)} is a boolean where a number is meant (true would be read "
                "as 1); write the number instead"
            )
        return model


def load_config(path: str | Path) -> PlanConfig:
    """Read and validate a TOML run configuration.

    Parameters
    ----------
    path : str or pathlib.Path
        TOML file (see ``docs/pipeline.md`` for the keys).

    Returns
    -------
    PlanConfig

    Raises
    ------
    InputError
        Naming every invalid key, its value and the fix.
    """
    data = read_toml(path)
    return parse_config(data, source=str(path))


def parse_config(data: dict[str, Any], *, source: str = "configuration") -> PlanConfig:
    """Validate a configuration given as a dict (e.g. parsed JSON or TOML).

    Raises
    ------
    InputError
        Naming every invalid key, its value and the fix.
    """
    try:
        return PlanConfig.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, source=source)) from exc


def format_validation_error(error: ValidationError, *, source: str) -> str:
    """Turn a pydantic ``ValidationError`` into one message naming key, value and fix.

    Parameters
    ----------
    error : pydantic.ValidationError
        The error to describe.
    source : str
        Where the configuration came from (file name), for the message.

    Returns
    -------
    str
        One line per problem: ``key.path = value: problem. Fix: ...``.
    """
    lines = [f"invalid configuration in {source}:"]
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        kind = problem["type"]
        if kind == "extra_forbidden":
            fix = "remove it or check its spelling against docs/pipeline.md"
            lines.append(
                f"  {key}: unknown key (value {describe_value(problem['input'])}). Fix: {fix}."
            )
            continue
        if kind == "missing":
            lines.append(f"  {key}: required key is missing. Fix: add it.")
            continue
        message = str(problem["msg"]).removeprefix("Value error, ")
        lines.append(
            f"  {key} = {describe_value(problem['input'])}: {message}. Fix: set a valid value "
            "(see docs/pipeline.md)."
        )
    return "\n".join(lines)


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file into a dict, with a clear error on syntax problems.

    Raises
    ------
    InputError
        If the file does not exist or is not valid TOML.
    """
    file = Path(path)
    if not file.is_file():
        raise InputError(
            f"configuration file {str(file)!r} does not exist. Fix: pass a TOML file path."
        )
    try:
        with file.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"configuration file {str(file)!r} is not valid TOML: {exc}. Fix: correct the syntax."
        ) from exc
