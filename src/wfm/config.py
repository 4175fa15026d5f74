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
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from wfm.adherence import AdherenceRules, ContactColumns, StateMapping
from wfm.core._models import NumbersNotBooleansModel, WfmModel
from wfm.core.errors import InputError, ModelInputError, describe_value
from wfm.core.grid import ALLOWED_INTERVAL_MINUTES, check_time_zone
from wfm.core.targets import ServiceTarget as ServiceTarget
from wfm.forecast import EventCalendar
from wfm.schedule import Agent, ScheduleRules, ShiftTemplate, SolverSettings

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class SiteConfig(WfmModel):
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


class ForecastConfig(WfmModel):
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
        Number of rolling origins used to select and score models (default 4, as
        ``forecast_intervals``).
    holiday_country : str or None
        ISO 3166 country code of the public-holiday calendar (``holidays`` extra), e.g.
        ``"US"`` or ``"IL"``: holidays, eves, after-days and bridge days get learned,
        shrunk effects (docs/forecast.md, "Special days"). None: no holiday calendar.
    holiday_subdivision : str or None
        Region code within the country (a US state, a German Land...).
    special_days_file : str or None
        CSV file of custom special days (``date,name[,kind]``), read from the working
        directory if relative.
    special_day_shrinkage : float
        ``k`` of the shrinkage weight ``n / (n + k)`` of learned special-day effects (the
        fallback when ``estimate_special_day_shrinkage`` finds too few repeated days).
    estimate_special_day_shrinkage : bool
        Estimate ``k`` per queue from holidays seen in several years (Buhlmann
        credibility; docs/forecast.md, "Special days").
    horizon_open_days : int or None
        If set, forecast this many open days (from the next open day) instead of
        ``horizon_days`` calendar days.
    month_position : bool
        With a calendar, also learn how busy each part of the month is (paydays,
        statements; ``wfm.forecast.month_position``), shrunk like the special days.
    holiday_observances : list of str
        Further categories of the ``holidays`` package whose dates become special days
        of kind ``observance`` (e.g. ``["optional"]`` for Israel: Purim, Memorial Day;
        ``["half_day"]`` for the US). Needs ``holiday_country``.
    """

    model_config = _FROZEN

    model: str = "auto"
    horizon_days: int = Field(default=7, gt=0, le=400)
    levels: list[int] = Field(default_factory=lambda: [80, 95])
    backtest_origins: int = Field(default=4, ge=1, le=60)
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    special_days_file: str | None = None
    special_day_shrinkage: float = Field(default=2.0, ge=0.0)
    estimate_special_day_shrinkage: bool = True
    horizon_open_days: int | None = Field(default=None, gt=0, le=300)
    month_position: bool = True
    holiday_observances: list[str] = Field(default_factory=list)

    @field_validator("holiday_country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        if value is not None:
            EventCalendar.for_country(value)  # raises for a code the holidays package lacks
        return value

    @model_validator(mode="after")
    def _observances_need_a_country(self) -> ForecastConfig:
        if self.holiday_observances:
            if self.holiday_country is None:
                raise ValueError(
                    f"holiday_observances={self.holiday_observances!r} needs holiday_country "
                    "(the holidays package's categories belong to a country); set "
                    "holiday_country or remove holiday_observances"
                )
            EventCalendar.for_country(
                self.holiday_country,
                subdiv=self.holiday_subdivision,
                observances=tuple(self.holiday_observances),
            )  # raises for a category the country lacks
        return self

    def event_calendar(self) -> EventCalendar | None:
        """Return the special-day calendar these settings describe (None if none is set)."""
        if self.holiday_country is None and self.special_days_file is None:
            return None
        return EventCalendar.for_country(
            self.holiday_country,
            subdiv=self.holiday_subdivision,
            special_days_file=self.special_days_file,
            shrinkage=self.special_day_shrinkage,
            estimate_shrinkage=self.estimate_special_day_shrinkage,
            observances=tuple(self.holiday_observances),
            month_position=self.month_position,
        )

    @field_validator("levels")
    @classmethod
    def _levels_in_range(cls, value: list[int]) -> list[int]:
        for level in value:
            if not 0 < level < 100:
                raise ValueError(f"level {level} must be between 0 and 100 (percent)")
        return value


class StaffingConfig(WfmModel):
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


class ScheduleConfig(WfmModel):
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


class AdherenceConfig(WfmModel):
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


WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday keys of ``opening_hours`` tables, Monday first (Python's weekday numbers)."""


def parse_opening_ranges(text: str) -> list[tuple[int, int]]:
    """Parse ``"08:00-20:00"``, ``"08:00-12:00, 13:00-18:00"`` or ``"closed"``.

    Returns
    -------
    list of (int, int)
        Opening ranges in minutes after local midnight, end exclusive (``24:00`` = 1440).

    Raises
    ------
    ValueError
        On a malformed range, an end not after its start, or minutes not in 0..1440.
    """
    if text.strip().lower() == "closed":
        return []
    ranges = []
    for part in text.split(","):
        try:
            begin_text, end_text = (piece.strip() for piece in part.split("-"))
            begin = _minutes(begin_text)
            end = _minutes(end_text)
        except ValueError as exc:
            raise ValueError(
                f"{text!r} is not 'HH:MM-HH:MM' (ranges separated by commas) or 'closed'"
            ) from exc
        if not 0 <= begin < end <= 1440:
            raise ValueError(f"range {part.strip()!r} must have 00:00 <= start < end <= 24:00")
        ranges.append((begin, end))
    return ranges


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    if len(minutes) != 2:
        raise ValueError(text)
    return int(hours) * 60 + int(minutes)


class OpeningHoursConfig(WfmModel):
    """When each queue takes contacts, per weekday (local wall-clock time).

    Each weekday (``mon`` ... ``sun``) maps to ``"HH:MM-HH:MM"`` (end exclusive,
    ``24:00`` allowed), several ranges separated by commas, or ``"closed"``; a weekday
    missing from a table is closed. A queue uses ``queues.<queue>``, else ``default``;
    with neither, the queue's opening hours are the history's own pattern: a weekday's
    interval is open if any contact arrived in it on that weekday in the history.

    Attributes
    ----------
    default : dict of str to str or None
        Opening hours of every queue without its own table.
    queues : dict of str to dict of str to str
        Per-queue opening hours.
    """

    model_config = _FROZEN

    default: dict[str, str] | None = None
    queues: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("default")
    @classmethod
    def _valid_default(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is not None:
            _check_week(value)
        return value

    @field_validator("queues")
    @classmethod
    def _valid_queues(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for week in value.values():
            _check_week(week)
        return value

    def table_for(self, queue: str) -> dict[str, str] | None:
        """Return the configured week of ``queue`` (None: use the history's pattern)."""
        return self.queues.get(queue, self.default)


def _check_week(week: dict[str, str]) -> None:
    for day, text in week.items():
        if day not in WEEKDAY_KEYS:
            raise ValueError(f"weekday {day!r} must be one of {list(WEEKDAY_KEYS)}")
        parse_opening_ranges(text)


class PlanConfig(NumbersNotBooleansModel):
    """Everything one planning run needs besides the data.

    Attributes
    ----------
    site : SiteConfig
    forecast : ForecastConfig
    staffing : StaffingConfig
    schedule : ScheduleConfig
    adherence : AdherenceConfig
    opening_hours : OpeningHoursConfig
    contact_columns : wfm.adherence.ContactColumns or None
        Column mapping of contact records for ``wfm history`` (an ACD export).
    """

    model_config = _FROZEN

    site: SiteConfig = Field(default_factory=SiteConfig)
    forecast: ForecastConfig = Field(default_factory=ForecastConfig)
    staffing: StaffingConfig = Field(default_factory=StaffingConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    adherence: AdherenceConfig = Field(default_factory=AdherenceConfig)
    opening_hours: OpeningHoursConfig = Field(default_factory=OpeningHoursConfig)
    contact_columns: ContactColumns | None = None


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
    except ModelInputError as exc:
        raise ModelInputError(format_validation_error(exc, source=source), exc.errors()) from exc


def format_validation_error(error: ValidationError | ModelInputError, *, source: str) -> str:
    """Turn a pydantic ``ValidationError`` into one message naming key, value and fix.

    Parameters
    ----------
    error : pydantic.ValidationError or wfm.core.errors.ModelInputError
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


def generic_config_text(*, time_zone: str = "UTC", patience_seconds: float | None = None) -> str:
    """Return a generic, commented run configuration (what ``wfm init`` writes).

    Monday to Friday 08:00-20:00, full-time (8 h paid) and part-time (4-5 h) shifts, 80%
    of contacts answered within 20 s, occupancy at most 85%, 8% absence shrinkage.

    Parameters
    ----------
    time_zone : str, default "UTC"
        IANA zone of the centre.
    patience_seconds : float, optional
        Mean caller patience in seconds: sizes with Erlang A (give it only when the
        history has abandonment columns to estimate it from); None sizes with Erlang C.

    Returns
    -------
    str
        TOML text that :func:`load_config` accepts.
    """
    if patience_seconds is None:
        patience = (
            "# patience_seconds = 120          # mean caller patience (s): sizes with Erlang A\n"
            '# service_level_definition = "answered_of_offered"   # needed with patience\n'
            "# Without patience the sizing is Erlang C (nobody abandons: conservative)."
        )
    else:
        patience = (
            f"patience_seconds = {patience_seconds:.0f}   # estimated from the history's "
            "abandonments (total wait / abandons);\n"
            '# "estimate" re-estimates it on every run. With patience the sizing is Erlang A.\n'
            'service_level_definition = "answered_of_offered"'
        )
    return _GENERIC_CONFIG.format(time_zone=time_zone, patience=patience)


_GENERIC_CONFIG = """\
# wfm run configuration, written by `wfm init`. Every key: docs/pipeline.md.
# Edit the lines marked EDIT, then: wfm run history.csv -c plan.toml -o out/

[site]
name = "My contact centre"      # EDIT: shown in the report
time_zone = "{time_zone}"       # EDIT: IANA zone; history times without a UTC offset are read in it
interval_minutes = 30           # 15, 30 or 60: the history's interval length

[forecast]
model = "auto"         # backtest per queue: the combination unless a model is 5% better
horizon_days = 7       # days planned after the last day of the history
levels = [80, 95]      # prediction-interval levels (percent)
backtest_origins = 4   # rolling origins; needs about origins + 3 weeks of history

[staffing.default]
target_service_level = 0.8   # EDIT: 80% of contacts answered ...
target_seconds = 20          # EDIT: ... within 20 seconds
max_occupancy = 0.85         # agents busy at most 85% of their time on the phones
{patience}

# Per-queue targets override the default, e.g.
# [staffing.queues.sales]
# target_seconds = 30

[staffing.shrinkage]
# Time paid but not on the phones (absence, training, meetings), as fractions combined
# as 1 - (1 - a)(1 - b)...; breaks and lunches are placed by the scheduler: not here.
absence = 0.08                  # EDIT

# Opening hours per weekday, local time (a weekday left out is closed). Without this
# table each queue opens when its history had contacts (same weekday and time).
[opening_hours.default]
mon = "08:00-20:00"             # EDIT
tue = "08:00-20:00"
wed = "08:00-20:00"
thu = "08:00-20:00"
fri = "08:00-20:00"
# sat = "09:00-13:00"
# A queue with other hours: [opening_hours.queues.<queue>]

# Shift templates: start window, paid length, days (Monday = 0 ... Sunday = 6), cost.
# With several queues, set queue = "<queue>" on each template.
[[schedule.templates]]
name = "full_time"
earliest_start = "08:00:00"
latest_start = "12:00:00"       # the last full-time shift ends at 20:30 (8 h + lunch)
start_step_minutes = 30
paid_minutes = [480]
days = [0, 1, 2, 3, 4]
cost_per_paid_hour = 1.0

  [[schedule.templates.breaks]]
  activity = "break"
  length_minutes = 15
  earliest_start_minutes = 90
  latest_start_minutes = 150
  step_minutes = 15

  [[schedule.templates.breaks]]
  activity = "lunch"
  length_minutes = 30
  earliest_start_minutes = 210
  latest_start_minutes = 300
  step_minutes = 15
  paid = false

  [[schedule.templates.breaks]]
  activity = "break"
  length_minutes = 15
  earliest_start_minutes = 360
  latest_start_minutes = 420
  step_minutes = 15

[[schedule.templates]]
name = "part_time"
earliest_start = "08:00:00"
latest_start = "16:00:00"
start_step_minutes = 30
paid_minutes = [240, 300]
days = [0, 1, 2, 3, 4]
cost_per_paid_hour = 1.05

  [[schedule.templates.breaks]]
  activity = "break"
  length_minutes = 15
  earliest_start_minutes = 90
  latest_start_minutes = 180
  step_minutes = 15

# Named agents with contracts (optional; without them the schedule lists shifts):
# [[schedule.agents]]
# agent = "alice"
# max_weekly_hours = 40

[schedule.rules]
under_cost_per_agent_hour = 50.0   # penalty per agent-hour short of the requirement
over_cost_per_agent_hour = 1.0     # penalty per agent-hour above it

[schedule.solver]
solver = "cbc"                 # or "highs"
time_limit_seconds = 60
mip_gap = 0.01
"""
