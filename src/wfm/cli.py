"""The ``wfm`` command line.

Subcommands, one per stage plus the whole run::

    wfm forecast   HISTORY  -c CONFIG -o OUT    history -> forecast.csv (+ backtest.csv)
    wfm size       FORECAST -c CONFIG -o OUT    forecast -> requirement.csv (Erlang C/A)
    wfm schedule   REQUIREMENT -c CONFIG -o OUT requirement -> segments, coverage, agents
    wfm adherence  SCHEDULE EVENTS -c CONFIG -o OUT
    wfm kpis       RECORDS -o OUT               contact records -> interval KPIs
    wfm capacity   PLAN -o OUT                  long-range FTE, hiring and budget
    wfm run        HISTORY -c CONFIG -o OUT [--events EVENTS]   the whole chain + report.html
    wfm report     OUT                          rebuild report.html from an output folder
    wfm scale      HISTORY -c CONFIG -o OUT [--workers N]   thousands of queues, per queue
    wfm demo       [-o OUT]                     the bundled real centre, end to end
    wfm init       [PATH]                       write a generic, commented configuration
    wfm history    RECORDS -o HISTORY           interval history from contact records
    wfm example-history                         print the bundled interval history (CSV)
    wfm example-config                          print a complete configuration

Errors are the library's own (:class:`~wfm.core.errors.WfmError`) and are printed as one
message naming the key or column, the value and the fix, with exit status 2.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import wraps
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import click
from pydantic import ValidationError

from wfm._version import __version__
from wfm.core.errors import FlaggedRecordsWarning, WfmError
from wfm.core.service_level import SERVICE_LEVEL_DEFINITIONS

if TYPE_CHECKING:
    import pandas as pd

    from wfm.config import PlanConfig
    from wfm.schedule import ScheduleResult

QUEUE_COLUMN = "queue"
P = ParamSpec("P")
R = TypeVar("R")

_CONFIG_OPTION = click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="TOML run configuration (see `wfm example-config`).",
)
_OUTPUT_OPTION = click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Output folder (created if missing).",
)


def _friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Print wfm errors as one clear message (exit 2) instead of a traceback."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except WfmError as exc:
            _fail(str(exc))

    return wrapper


def _warn_flagged(count: int, what: str, path: Path) -> None:
    """Say on stderr that rows were refused and where they were written."""
    if count:
        click.echo(
            f"warning: {count} {what} were refused and left out of the results; "
            f"they are listed with the reason in {path}",
            err=True,
        )


_WORKERS_OPTION = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Run the per-queue work on a local Dask cluster of this many processes "
    "(needs openwfm[dask]).",
)
_SCHEDULER_OPTION = click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run the per-queue work on an existing Dask cluster (e.g. tcp://host:8786).",
)
_PROGRESS_OPTION = click.option(
    "--progress",
    "progress_bar",
    is_flag=True,
    help="Show a progress bar per stage (queues done of total; needs tqdm).",
)


@contextmanager
def _engine(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """Yield the executor the options ask for: a Dask client, or None (this process)."""
    if workers is None and scheduler is None:
        yield None
        return
    from wfm.scale import dask_client

    with dask_client(workers=workers, scheduler=scheduler) as client:
        yield client


@contextmanager
def _task_progress(show: bool) -> Iterator[Any]:
    """Yield a per-queue progress bar on stderr when asked, else None."""
    if not show:
        yield None
        return
    from wfm.scale import ProgressBar

    with ProgressBar(file=sys.stderr) as bar:
        yield bar


def _progress(message: str) -> None:
    click.echo(f"[{time.strftime('%H:%M:%S')}] {message}", err=True)


def _echo_warnings(caught: list[warnings.WarningMessage]) -> None:
    from wfm.forecast import MissingIntervalsWarning

    for item in caught:
        text = str(item.message)
        if issubclass(item.category, MissingIntervalsWarning):
            # the interval list is in missing_intervals.csv and the report, not here
            text = text.split(" (first:")[0] + " (listed in missing_intervals.csv)"
        click.echo(f"warning: {text}", err=True)


class _OneLineErrors(click.Group):
    """The command group: every bad-input error, in every subcommand, is one line, exit 2.

    Library errors (:class:`~wfm.core.errors.WfmError`) and the file-level errors that
    reach the CLI from outside the library (unreadable files, bad JSON or TOML, invalid
    pydantic input) are printed as ``error: ...`` with exit status 2; anything else is a
    bug and keeps its traceback.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except WfmError as exc:
            _fail(str(exc))
        except json.JSONDecodeError as exc:
            _fail(f"invalid JSON: {exc}. Fix: correct the file's syntax.")
        except UnicodeDecodeError as exc:
            _fail(f"a file is not UTF-8 text ({exc}). Fix: pass a UTF-8 text file.")
        except ValidationError as exc:
            from wfm.config import format_validation_error

            _fail(format_validation_error(exc, source="input"))
        except OSError as exc:
            _fail(f"{exc}. Fix: check the path and its permissions.")
        raise AssertionError("unreachable")  # pragma: no cover


def _fail(message: str) -> NoReturn:
    text = " ".join(message.split())
    click.echo(f"error: {text}", err=True)
    sys.exit(2)


@click.group(cls=_OneLineErrors)
@click.version_option(__version__, package_name="openwfm")
def main() -> None:
    """wfm: contact-centre workforce management (forecast, erlang, schedule, adherence)."""


@main.command("example-config")
def example_config() -> None:
    """Print a complete, commented configuration (the bundled demo centre's)."""
    text = resources.files("wfm.datasets").joinpath("israel_bank_plan.toml").read_text("utf-8")
    click.echo(text, nl=False)


@main.command("example-history")
def example_history() -> None:
    """Print the bundled interval history (Israeli bank, January 1999) as CSV.

    `wfm example-history > history.csv` gives a file `wfm run` reads as is.
    """
    from wfm.core.frames import INTERVAL_COLUMNS
    from wfm.datasets import israel_bank_intervals

    frame = israel_bank_intervals(30)
    columns = [*INTERVAL_COLUMNS, "abandoned", "wait_seconds"]
    click.echo(frame[columns].to_csv(index=False), nl=False)


@main.command()
@click.argument(
    "path", metavar="[PATH]", default="plan.toml", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Interval history: with abandoned and wait_seconds columns, the config sizes with "
    "Erlang A and the patience estimated from it (else Erlang C).",
)
@click.option("--time-zone", default="UTC", show_default=True, help="IANA time zone of the centre.")
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@_friendly_errors
def init(path: Path, history_path: Path | None, time_zone: str, force: bool) -> None:
    """Write a generic, commented configuration to PATH (default plan.toml; '-' prints it).

    Monday to Friday, 08:00-20:00, full- and part-time shifts, 80% of contacts answered in
    20 s with Erlang C; edit the lines marked EDIT.
    """
    from wfm.config import generic_config_text
    from wfm.core.errors import InputError
    from wfm.core.grid import check_time_zone

    zone = check_time_zone(time_zone)
    patience = None
    if history_path is not None:
        from wfm.io import read_frame
        from wfm.pipeline import estimate_patience_seconds

        frame = read_frame(
            history_path, tz=zone, time_columns=["interval_start"], line_numbers=True
        )
        if {"abandoned", "wait_seconds"} <= set(frame.columns) and "queue" in frame.columns:
            estimates = estimate_patience_seconds(frame)
            patience = float(statistics.median(estimates.values()))
    text = generic_config_text(time_zone=zone, patience_seconds=patience)
    if str(path) == "-":
        click.echo(text, nl=False)
        return
    if path.exists() and not force:
        raise InputError(f"{str(path)!r} exists. Fix: choose another file or pass --force.")
    path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {path}: edit the lines marked EDIT, then run")
    click.echo(f"  wfm run history.csv -c {path} -o out/")


_HISTORY_HELP = """Build the interval HISTORY that `wfm run` reads from contact RECORDS
(one row per contact, e.g. an ACD export; CSV or parquet).

\b
Column mapping (options override the [contact_columns] table of --config):
  --arrival         time the contact entered the queue
  --answered-at     time an agent answered (empty if never)
  --outcome         outcome column, with --answered-value / --abandoned-value
                    (repeat for several values; --ignored-value for non-contacts)
  --wait-seconds    seconds waited in queue; --talk-seconds, --hold-seconds,
                    --acw-seconds make up the handle time
  --queue           queue column (else every contact is in --queue-name)

\b
volume = answered + abandoned contacts, counted in the interval of their arrival;
aht_seconds = mean handle time of the answered ones. Rule for intervals where
every caller abandoned: aht_seconds is the handle time of the same queue and
local day (else of the whole file), and aht_imputed is true. Times without a
UTC offset are local times of --tz (or site.time_zone of --config).
"""


@main.command(help=_HISTORY_HELP)
@click.argument(
    "records", metavar="RECORDS", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="History file to write (.csv or .parquet).",
)
@click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Run configuration: site time zone, interval and [contact_columns].",
)
@click.option("--tz", default=None, help="IANA time zone of the records' local times.")
@click.option("--interval-minutes", type=int, default=None, help="Interval length (default 30).")
@click.option("--arrival", default=None, help="Queue-entry time column.")
@click.option("--arrival-fallback", multiple=True, help="Arrival columns tried when empty.")
@click.option("--answered-at", default=None, help="Answer time column.")
@click.option("--outcome", default=None, help="Outcome column.")
@click.option("--answered-value", multiple=True, help="Outcome value meaning answered.")
@click.option("--abandoned-value", multiple=True, help="Outcome value meaning abandoned.")
@click.option("--ignored-value", multiple=True, help="Outcome value meaning not a contact.")
@click.option("--wait-seconds", default=None, help="Queue wait column (seconds).")
@click.option("--talk-seconds", default=None, help="Talk time column (seconds).")
@click.option("--hold-seconds", default=None, help="Hold time column (seconds).")
@click.option("--acw-seconds", default=None, help="After-contact work column (seconds).")
@click.option("--queue", "queue_column", default=None, help="Queue column.")
@click.option("--queue-name", default="all", show_default=True, help="Queue without a column.")
@click.option(
    "--on-bad",
    type=click.Choice(["raise", "flag"]),
    default="raise",
    show_default=True,
    help="Impossible records (answered before arrival, a wait that contradicts the "
    "timestamps): refuse the file, or leave them out and list them in a file beside OUTPUT.",
)
@click.option(
    "--timing-tolerance-seconds",
    type=float,
    default=None,
    help="How far a wait may differ from the timestamps before a record is impossible "
    "(default 60).",
)
@click.option("--overwrite", is_flag=True, help="Replace the output file if it exists.")
@_friendly_errors
def history(
    records: Path,
    output: Path,
    config_path: Path | None,
    tz: str | None,
    interval_minutes: int | None,
    arrival: str | None,
    arrival_fallback: tuple[str, ...],
    answered_at: str | None,
    outcome: str | None,
    answered_value: tuple[str, ...],
    abandoned_value: tuple[str, ...],
    ignored_value: tuple[str, ...],
    wait_seconds: str | None,
    talk_seconds: str | None,
    hold_seconds: str | None,
    acw_seconds: str | None,
    queue_column: str | None,
    queue_name: str,
    on_bad: str,
    timing_tolerance_seconds: float | None,
    overwrite: bool,
) -> None:
    """Build an interval history from contact records (help text: ``_HISTORY_HELP``)."""
    from wfm.adherence import ContactColumns
    from wfm.config import load_config
    from wfm.core.errors import InputError
    from wfm.io import read_frame, write_frame
    from wfm.pipeline import history_from_contacts

    config = load_config(config_path) if config_path is not None else None
    zone = tz or (config.site.time_zone if config is not None else None)
    if zone is None:
        raise InputError(
            "the records' time zone is not given. Fix: pass --tz ZONE (IANA, e.g. "
            "Europe/London) or --config with site.time_zone."
        )
    minutes = interval_minutes or (config.site.interval_minutes if config is not None else 30)
    base = (
        config.contact_columns
        if config is not None and config.contact_columns is not None
        else ContactColumns(customer=None, queue=None)
    )
    given = {
        "arrival": arrival,
        "answered_at": answered_at,
        "outcome": outcome,
        "wait_seconds": wait_seconds,
        "talk_seconds": talk_seconds,
        "hold_seconds": hold_seconds,
        "acw_seconds": acw_seconds,
        "queue": queue_column,
        "arrival_fallbacks": arrival_fallback or None,
        "answered_outcomes": answered_value or None,
        "abandoned_outcomes": abandoned_value or None,
        "ignored_outcomes": ignored_value or None,
    }
    columns = ContactColumns.model_validate(
        {**base.model_dump(), **{k: v for k, v in given.items() if v is not None}}
    )
    if output.exists() and not overwrite:
        raise InputError(f"{str(output)!r} exists. Fix: choose another file or pass --overwrite.")
    time_columns = [columns.arrival, *columns.arrival_fallbacks, columns.answered_at]
    frame = read_frame(records, tz=zone, time_columns=time_columns, line_numbers=True)
    missing = [
        c
        for c in (*time_columns, columns.outcome, columns.wait_seconds, columns.talk_seconds)
        if c not in frame.columns
    ]
    if missing:
        raise InputError(
            f"{records.name} has no column(s) {missing} (columns: {list(frame.columns)}). "
            "Fix: map them with --arrival, --answered-at, --outcome, --wait-seconds and "
            "--talk-seconds (see `wfm history --help`)."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FlaggedRecordsWarning)  # said below, with the file
            built = history_from_contacts(
                frame,
                columns=columns,
                interval_minutes=minutes,
                tz=zone,
                queue_name=queue_name,
                on_bad="flag" if on_bad == "flag" else "raise",
                timing_tolerance_seconds=timing_tolerance_seconds,
            )
    except InputError as exc:
        raise InputError(_option_words(str(exc))) from exc
    flagged = built.attrs.pop("flagged", None)
    path = write_frame(built, output)
    if flagged is not None and len(flagged):
        flagged_path = write_frame(
            flagged, output.with_name(output.name.split(".")[0] + "_flagged_records.csv")
        )
        _warn_flagged(len(flagged), "contact records", flagged_path)
    imputed = int(built["aht_imputed"].sum())
    click.echo(
        f"wrote {path}: {len(built)} intervals, {built['volume'].sum():,.0f} contacts, "
        f"{built[QUEUE_COLUMN].nunique()} queue(s); {imputed} interval(s) where every caller "
        "abandoned took the day's handle time (aht_imputed)"
    )


_OPTION_WORDS = (
    ("answered_outcomes, abandoned_outcomes or ignored_outcomes", "--answered-value, "
     "--abandoned-value or --ignored-value"),
    ("ContactColumns.arrival_fallbacks", "--arrival-fallback"),
    ("that ContactColumns does not classify", "that the mapping does not classify"),
    ("set ContactColumns.queue=None", "leave --queue out"),
    ("with pandas.to_numeric or map the right column in ContactColumns", "to numbers or map "
     "the right column (see `wfm history --help`)"),
    ("map the right column in ContactColumns", "map the right column (see `wfm history "
     "--help`)"),
    ("pass on_bad='flag' to keep them out of the KPIs and list them in result.flagged",
     "pass --on-bad flag to leave them out and list them in a file, or widen "
     "--timing-tolerance-seconds if the ACD rounds its times"),
    ("timing_tolerance_seconds", "--timing-tolerance-seconds"),
)  # fmt: skip


def _option_words(message: str) -> str:
    """Say a contact-records error in command-line options instead of Python names."""
    for python, option in _OPTION_WORDS:
        message = message.replace(python, option)
    return message


@main.command()
@click.argument("history", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_CONFIG_OPTION
@_OUTPUT_OPTION
@click.option("--no-backtest", is_flag=True, help="Skip the backtest table.")
@_friendly_errors
def forecast(history: Path, config_path: Path, output: Path, no_backtest: bool) -> None:
    """Forecast volume and AHT per interval from an interval HISTORY file."""
    from wfm.config import load_config
    from wfm.io import read_frame, write_frame
    from wfm.pipeline import backtest_history, forecast_history, history_in_site_zone

    config = load_config(config_path)
    frame = read_frame(
        history, tz=config.site.time_zone, time_columns=["interval_start"], line_numbers=True
    )
    frame = history_in_site_zone(frame, config)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if not no_backtest:
            _progress("backtest ...")
            result = backtest_history(frame, config)
            write_frame(result.table().reset_index(), output / "backtest.csv")
        _progress("forecast ...")
        fitted = forecast_history(frame, config)
    _echo_warnings(caught)
    path = write_frame(fitted.to_frame(), output / "forecast.csv")
    if len(fitted.report.special_days):  # the calendar of forecast.holiday_country & co
        write_frame(fitted.report.special_days, output / "special_days.csv")
    click.echo(str(fitted.summary()))
    click.echo(f"wrote {path}")


@main.command()
@click.argument("forecast_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_CONFIG_OPTION
@_OUTPUT_OPTION
@_friendly_errors
def size(forecast_file: Path, config_path: Path, output: Path) -> None:
    """Size a FORECAST file: required agents per interval for the configured targets."""
    from wfm.config import load_config
    from wfm.io import read_frame, write_frame
    from wfm.pipeline import size_forecast

    config = load_config(config_path)
    frame = read_frame(
        forecast_file, tz=config.site.time_zone, time_columns=["interval_start"], line_numbers=True
    )
    requirement = size_forecast(frame, config)
    path = write_frame(requirement, output / "requirement.csv")
    click.echo(f"peak required agents: {int(requirement['required_agents'].max())}")
    click.echo(f"wrote {path}")


@main.command()
@click.argument("requirement", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_CONFIG_OPTION
@_OUTPUT_OPTION
@_friendly_errors
def schedule(requirement: Path, config_path: Path, output: Path) -> None:
    """Schedule shifts and breaks covering a REQUIREMENT file at least cost."""
    from wfm.config import load_config
    from wfm.io import read_frame, write_frame
    from wfm.pipeline import schedule_requirement

    config = load_config(config_path)
    frame = read_frame(
        requirement, tz=config.site.time_zone, time_columns=["interval_start"], line_numbers=True
    )
    _progress("solving ...")
    result = schedule_requirement(frame, config)
    coverage = _one_service_level(frame, result, config)
    write_frame(result.segments, output / "schedule_segments.csv")
    write_frame(coverage, output / "coverage.csv")
    write_frame(result.agents, output / "agents.csv")
    click.echo(str(result.summary()))


@main.command()
@click.argument("schedule_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("events_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_CONFIG_OPTION
@_OUTPUT_OPTION
@_friendly_errors
def adherence(schedule_file: Path, events_file: Path, config_path: Path, output: Path) -> None:
    """Measure adherence of state EVENTS against SCHEDULE segments."""
    from wfm.adherence import compute_adherence
    from wfm.config import load_config
    from wfm.io import read_frame, write_frame

    config = load_config(config_path)
    tz = config.site.time_zone
    segments = read_frame(schedule_file, tz=tz, time_columns=["start", "end"], line_numbers=True)
    events = read_frame(events_file, tz=tz, time_columns=["start", "end"], line_numbers=True)
    result = compute_adherence(
        segments,
        events,
        mapping=config.adherence.mapping,
        rules=config.adherence.rules(),
        interval_minutes=config.site.interval_minutes,
        on_bad="flag",
    )
    write_frame(result.aggregate("agent"), output / "adherence_by_agent.csv")
    write_frame(result.aggregate("interval"), output / "adherence_by_interval.csv")
    write_frame(result.exceptions, output / "adherence_exceptions.csv")
    flagged_path = write_frame(result.flagged, output / "adherence_flagged_events.csv")
    _warn_flagged(len(result.flagged), "state events", flagged_path)
    click.echo(json.dumps(result.summary().to_dict(), indent=2))


@main.command()
@click.argument("records", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_OUTPUT_OPTION
@click.option("--tz", required=True, help="IANA time zone of the records' local times.")
@click.option("--interval-minutes", default=30, show_default=True, type=int)
@click.option("--threshold-seconds", default=20.0, show_default=True, type=float)
@click.option(
    "--israel-bank-columns",
    is_flag=True,
    help="Read the column layout of the bundled Israeli bank records.",
)
@click.option(
    "--on-bad",
    type=click.Choice(["raise", "flag"]),
    default="raise",
    show_default=True,
    help="Impossible records: stop with an error, or leave them out and list them in "
    "kpis_flagged_records.csv.",
)
@click.option(
    "--service-level-definition",
    type=click.Choice(list(SERVICE_LEVEL_DEFINITIONS)),
    default="answered_of_offered",
    show_default=True,
    help="Definition copied to the service_level column (every one also has its own "
    "service_level_<name> column); the names the plan's staffing targets use.",
)
@_friendly_errors
def kpis(
    records: Path,
    output: Path,
    tz: str,
    interval_minutes: int,
    threshold_seconds: float,
    israel_bank_columns: bool,
    on_bad: str,
    service_level_definition: str,
) -> None:
    """Interval KPIs (offered, SL, ASA, abandonment, AHT, FCR) from contact RECORDS."""
    from wfm.adherence import ContactColumns, contact_kpis
    from wfm.io import read_frame, write_frame

    columns = ContactColumns.israel_bank() if israel_bank_columns else ContactColumns()
    time_columns = [columns.arrival, *columns.arrival_fallbacks, columns.answered_at]
    frame = read_frame(records, tz=tz, time_columns=time_columns, line_numbers=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FlaggedRecordsWarning)  # said below, with the file
        result = contact_kpis(
            frame,
            columns=columns,
            interval_minutes=interval_minutes,
            tz=tz,
            target_seconds=threshold_seconds,
            service_level_definition=service_level_definition,
            on_bad="flag" if on_bad == "flag" else "raise",
        )
    path = write_frame(result.to_frame(), output / "kpis.csv")
    if result.flagged is not None and len(result.flagged):
        flagged_path = write_frame(result.flagged, output / "kpis_flagged_records.csv")
        _warn_flagged(len(result.flagged), "contact records", flagged_path)
    click.echo(f"wrote {path}")


@main.command()
@click.argument("plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_OUTPUT_OPTION
@_friendly_errors
def capacity(plan_file: Path, output: Path) -> None:
    """Long-range capacity plan (FTE, hires, overtime, budget) from a TOML/JSON PLAN file."""
    from wfm.capacity import CapacityPlanInput, plan_capacity
    from wfm.config import format_validation_error, read_toml
    from wfm.core.errors import ModelInputError
    from wfm.io import write_frame

    data = (
        json.loads(plan_file.read_text("utf-8"))
        if plan_file.suffix == ".json"
        else read_toml(plan_file)
    )
    try:
        plan_input = CapacityPlanInput.model_validate(data)
    except ModelInputError as exc:
        raise ModelInputError(
            format_validation_error(exc, source=str(plan_file)), exc.errors()
        ) from exc
    result = plan_capacity(plan_input)
    path = write_frame(result.to_frame(), output / "capacity_plan.csv")
    click.echo(json.dumps(result.summary().to_dict(), indent=2, default=str))
    click.echo(f"wrote {path}")


_RUN_HELP = """Run the whole chain on a HISTORY file: forecast, requirement, schedule,
adherence (with --events), and write every table, summary.json and report.html to OUT.

\b
HISTORY is a CSV (.csv, .csv.gz) or parquet file, one row per queue and interval:
  required  queue           queue (skill) name
            interval_start  start of the interval, e.g. 2024-03-04T08:30:00+01:00
            volume          contacts offered in the interval (count)
            aht_seconds     average handle time of those contacts (s; empty if volume 0)
  optional  abandoned       contacts that hung up before an answer (count)
            wait_seconds    total seconds all offered contacts waited in queue
            (both are needed for patience_seconds = "estimate", i.e. Erlang A)
  Other columns are ignored. `wfm example-history` prints a valid file;
  `wfm history` builds one from contact records (an ACD export). Errors name
  a row by its line in the CSV file (the header is line 1).

\b
Time zones: a timestamp with a UTC offset (+01:00, Z) keeps its instant and is
shown in site.time_zone; one without an offset is local wall-clock time of
site.time_zone. A local time that a DST change makes ambiguous or impossible is
refused: write such files with offsets. Every interval is site.interval_minutes
long; a DST day has 46 or 50 half-hours.

\b
OUT must be new, empty, or a folder an earlier wfm run wrote (its files are
replaced, other files kept); --overwrite accepts any folder.

\b
With --workers N (a local Dask cluster) or --scheduler ADDRESS (an existing one)
the per-queue backtests, model selection and forecasts run on Dask, with the same
results as without; see `wfm scale` for thousands of queues.
"""


@main.command(help=_RUN_HELP)
@click.argument("history", metavar="HISTORY", type=click.Path(dir_okay=False, path_type=Path))
@_CONFIG_OPTION
@_OUTPUT_OPTION
@click.option(
    "--events",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Agent state events (agent, state, start[, end]) to measure adherence against.",
)
@click.option("--no-backtest", is_flag=True, help="Skip the backtest table.")
@click.option("--no-report", is_flag=True, help="Do not write report.html.")
@click.option("--overwrite", is_flag=True, help="Write into a non-empty folder wfm did not write.")
@click.option("--parquet", is_flag=True, help="Also write parquet files.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_WORKERS_OPTION
@_SCHEDULER_OPTION
@_PROGRESS_OPTION
@_friendly_errors
def run(
    history: Path,
    config_path: Path,
    output: Path,
    events: Path | None,
    no_backtest: bool,
    no_report: bool,
    overwrite: bool,
    parquet: bool,
    as_json: bool,
    workers: int | None,
    scheduler: str | None,
    progress_bar: bool,
) -> None:
    """Run the whole chain (help text: ``_RUN_HELP``)."""
    from wfm.config import load_config
    from wfm.core.errors import InputError
    from wfm.io import read_frame
    from wfm.pipeline import plan

    if not history.is_file():
        raise InputError(
            f"history file {str(history)!r} does not exist. Fix: check the path; "
            "`wfm example-history > history.csv` writes an example, `wfm history` builds one "
            "from contact records, and `wfm run --help` lists the columns."
        )
    config = load_config(config_path)
    tz = config.site.time_zone
    frame = read_frame(history, tz=tz, time_columns=["interval_start"], line_numbers=True)
    state_events = (
        read_frame(events, tz=tz, time_columns=["start", "end"], line_numbers=True)
        if events
        else None
    )
    if not overwrite:
        _refuse_foreign_folder(output)
    with (
        warnings.catch_warnings(record=True) as caught,
        _engine(workers, scheduler) as executor,
        _task_progress(progress_bar) as task_progress,
    ):
        warnings.simplefilter("always")
        result = plan(
            frame,
            config,
            state_events=state_events,
            run_backtest=not no_backtest,
            progress=_progress,
            executor=executor,
            task_progress=task_progress,
        )
    _echo_warnings(caught)
    written = result.write(
        output,
        formats=("csv", "parquet") if parquet else ("csv",),
        report=not no_report,
        overwrite=overwrite,
    )
    summary = result.summary()
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2, default=str))
    else:
        click.echo(_readable_summary(summary))
    click.echo(f"wrote {len(written)} files to {output}")
    if not no_report:
        click.echo(f"report: {output / 'report.html'}")


def _one_service_level(
    requirement: pd.DataFrame, result: ScheduleResult, config: PlanConfig
) -> pd.DataFrame:
    """Coverage with the pipeline's service level (sizing model, shrinkage, targets).

    Without volume and handle time, or with a patience still to be estimated, no service
    level can be projected the way `wfm run` does: the column is left out rather than
    given under another model.
    """
    from wfm.pipeline import align_coverage, project_service

    queues = sorted(str(q) for q in requirement["queue"].unique())
    patience = {q: config.staffing.target_for(q).patience_seconds for q in queues}
    if not {"volume", "aht_seconds"} <= set(requirement.columns) or "estimate" in patience.values():
        click.echo(
            "note: coverage.csv has no service_level (needs volume, aht_seconds and a numeric "
            "or absent patience_seconds; `wfm run` projects it)",
            err=True,
        )
        return result.coverage.drop(columns=["service_level"], errors="ignore")
    numeric = {q: float(v) for q, v in patience.items() if isinstance(v, int | float)}
    projection = project_service(requirement, result.coverage, config, patience_seconds=numeric)
    return align_coverage(result, projection).coverage


def _refuse_foreign_folder(output: Path) -> None:
    """Fail before any work if ``output`` holds files wfm did not write."""
    from wfm.pipeline import MANIFEST

    if output.is_dir() and not (output / MANIFEST).is_file() and any(output.iterdir()):
        from wfm.pipeline import prepare_output_folder

        prepare_output_folder(output, overwrite=False)  # raises, naming the fix


def _readable_summary(summary: Mapping[str, Any]) -> str:
    """Return the run's headline table and sentences as plain text."""
    from wfm.report import headline_table, summary_sentences

    table = headline_table(summary)
    width = int(table["figure"].str.len().max())
    lines = [f"{row.figure:<{width}}  {row.value}" for row in table.itertuples(index=False)]
    return "\n".join([*lines, "", summary_sentences(summary)])


@main.command("report")
@click.argument(
    "folder", metavar="OUT", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="HTML file to write (default OUT/report.html).",
)
@_friendly_errors
def report_command(folder: Path, output: Path | None) -> None:
    """Rebuild report.html from the output folder OUT of `wfm run`."""
    from wfm.pipeline import record_manifest
    from wfm.report import write_folder_report

    path = write_folder_report(folder, output)
    if output is None:
        record_manifest(folder, [path])
    click.echo(f"wrote {path}")


@main.command("scale")
@click.argument("history", type=click.Path(exists=True, path_type=Path))
@_CONFIG_OPTION
@_OUTPUT_OPTION
@click.option("--backtest", is_flag=True, help="Also write each queue's backtest errors.")
@click.option(
    "--queues-per-task",
    type=click.IntRange(min=1),
    default=None,
    help="Queues grouped into one task (default: about 8 tasks per worker, at most 16 "
    "queues each); larger groups cost a large cluster's scheduler less.",
)
@_WORKERS_OPTION
@_SCHEDULER_OPTION
@_PROGRESS_OPTION
@_friendly_errors
def scale(
    history: Path,
    config_path: Path,
    output: Path,
    backtest: bool,
    queues_per_task: int | None,
    workers: int | None,
    scheduler: str | None,
    progress_bar: bool,
) -> None:
    """Forecast and size thousands of queues in tasks of a few queues, written per queue.

    HISTORY is a parquet dataset partitioned by queue (a folder with queue=<name>/
    subfolders; each task reads its own queues' files, so no process holds it whole) or a
    CSV/parquet file. Each task writes
    OUT/forecast/<queue>.parquet and OUT/requirement/<queue>.parquet; failed queues are
    listed (exit status 1) and the others' results are kept.
    """
    from wfm.config import load_config
    from wfm.io import read_frame
    from wfm.scale import plan_queues

    config = load_config(config_path)
    frame: Any = history  # a dataset folder: each task reads its own queues' files
    if not history.is_dir():
        frame = read_frame(
            history, tz=config.site.time_zone, time_columns=["interval_start"], line_numbers=True
        )
    with _engine(workers, scheduler) as executor, _task_progress(progress_bar) as progress:
        result = plan_queues(
            frame,
            config,
            run_backtest=backtest,
            executor=executor,
            progress=progress,
            output=output,
            queues_per_task=queues_per_task,
        )
    for queue, messages in result.warnings.items():
        for message in messages:
            click.echo(f"warning: {queue}: {message}", err=True)
    stats = result.stats_frame()
    click.echo(
        f"{len(result.models)} queue(s) done in {result.seconds:.1f} s"
        + (f" (mean {stats['seconds'].mean():.2f} s per queue)" if len(stats) else "")
        + f"; wrote {len(result.written)} files to {output}"
    )
    for failure in result.failures:
        click.echo(f"failed: {failure}", err=True)
    if result.failures:
        sys.exit(1)


@main.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo_output"),
    show_default=True,
    help="Folder for the demo's tables and report.",
)
@click.option("--overwrite", is_flag=True, help="Write into a non-empty folder wfm did not write.")
@_friendly_errors
def demo(output: Path, overwrite: bool) -> None:
    """Run the bundled real call centre (Israeli bank, January 1999) end to end."""
    from wfm.demo import run_demo

    report = run_demo(output, progress=_progress, overwrite=overwrite)
    click.echo(report)
