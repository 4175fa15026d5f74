"""The ``wfm`` command line.

Subcommands, one per stage plus the whole run::

    wfm forecast   HISTORY  -c CONFIG -o OUT    history -> forecast.csv (+ backtest.csv)
    wfm size       FORECAST -c CONFIG -o OUT    forecast -> requirement.csv (Erlang C/A)
    wfm schedule   REQUIREMENT -c CONFIG -o OUT requirement -> segments, coverage, agents
    wfm adherence  SCHEDULE EVENTS -c CONFIG -o OUT
    wfm kpis       RECORDS -o OUT               contact records -> interval KPIs
    wfm capacity   PLAN -o OUT                  long-range FTE, hiring and budget
    wfm run        HISTORY -c CONFIG -o OUT [--events EVENTS]   the whole chain
    wfm scale      HISTORY -c CONFIG -o OUT [--workers N]   thousands of queues, per queue
    wfm demo       [-o OUT]                     the bundled real centre, end to end
    wfm example-config                          print a complete configuration

Errors are the library's own (:class:`~wfm.core.errors.WfmError`) and are printed as one
message naming the key or column, the value and the fix, with exit status 2.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from importlib import resources
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from wfm._version import __version__
from wfm.core.errors import WfmError

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
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)

    return wrapper


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
    for item in caught:
        click.echo(f"warning: {item.message}", err=True)


@click.group()
@click.version_option(__version__, package_name="openwfm")
def main() -> None:
    """wfm: contact-centre workforce management (forecast, erlang, schedule, adherence)."""


@main.command("example-config")
def example_config() -> None:
    """Print a complete, commented configuration (the bundled demo centre's)."""
    text = resources.files("wfm.datasets").joinpath("israel_bank_plan.toml").read_text("utf-8")
    click.echo(text, nl=False)


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
    frame = read_frame(history, tz=config.site.time_zone, time_columns=["interval_start"])
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
    click.echo(fitted.summary())
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
    frame = read_frame(forecast_file, tz=config.site.time_zone, time_columns=["interval_start"])
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
    frame = read_frame(requirement, tz=config.site.time_zone, time_columns=["interval_start"])
    _progress("solving ...")
    result = schedule_requirement(frame, config)
    write_frame(result.segments, output / "schedule_segments.csv")
    write_frame(result.coverage, output / "coverage.csv")
    write_frame(result.agents, output / "agents.csv")
    click.echo(result.summary().to_string())


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
    segments = read_frame(schedule_file, tz=tz, time_columns=["start", "end"])
    events = read_frame(events_file, tz=tz, time_columns=["start", "end"])
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
    write_frame(result.flagged, output / "adherence_flagged_events.csv")
    click.echo(json.dumps({k: float(v) for k, v in result.summary().items()}, indent=2))


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
@_friendly_errors
def kpis(
    records: Path,
    output: Path,
    tz: str,
    interval_minutes: int,
    threshold_seconds: float,
    israel_bank_columns: bool,
) -> None:
    """Interval KPIs (offered, SL, ASA, abandonment, AHT, FCR) from contact RECORDS."""
    from wfm.adherence import ContactColumns, contact_kpis
    from wfm.io import read_frame, write_frame

    columns = ContactColumns.israel_bank() if israel_bank_columns else ContactColumns()
    time_columns = [columns.arrival, *columns.arrival_fallbacks, columns.answered_at]
    frame = read_frame(records, tz=tz, time_columns=time_columns)
    result = contact_kpis(
        frame,
        columns=columns,
        interval_minutes=interval_minutes,
        tz=tz,
        service_level_seconds=threshold_seconds,
    )
    path = write_frame(result.to_frame(), output / "kpis.csv")
    click.echo(f"wrote {path}")


@main.command()
@click.argument("plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_OUTPUT_OPTION
@_friendly_errors
def capacity(plan_file: Path, output: Path) -> None:
    """Long-range capacity plan (FTE, hires, overtime, budget) from a TOML/JSON PLAN file."""
    from wfm.capacity import CapacityPlanInput, plan_capacity
    from wfm.config import format_validation_error, read_toml
    from wfm.core.errors import InputError
    from wfm.io import write_frame

    data = (
        json.loads(plan_file.read_text("utf-8"))
        if plan_file.suffix == ".json"
        else read_toml(plan_file)
    )
    try:
        plan_input = CapacityPlanInput.model_validate(data)
    except Exception as exc:
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            raise InputError(format_validation_error(exc, source=str(plan_file))) from exc
        raise
    result = plan_capacity(plan_input)
    path = write_frame(result.to_frame(), output / "capacity_plan.csv")
    click.echo(json.dumps(result.summary(), indent=2, default=str))
    click.echo(f"wrote {path}")


@main.command()
@click.argument("history", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_CONFIG_OPTION
@_OUTPUT_OPTION
@click.option(
    "--events",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Agent state events to measure adherence against the schedule.",
)
@click.option("--no-backtest", is_flag=True, help="Skip the backtest table.")
@click.option("--parquet", is_flag=True, help="Also write parquet files.")
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
    parquet: bool,
    workers: int | None,
    scheduler: str | None,
    progress_bar: bool,
) -> None:
    """Run the whole chain on a HISTORY file: forecast, requirement, schedule, adherence.

    With --workers or --scheduler the per-queue backtests, model selection and forecasts
    run on Dask (same results as without).
    """
    from wfm.config import load_config
    from wfm.io import read_frame
    from wfm.pipeline import plan

    config = load_config(config_path)
    tz = config.site.time_zone
    frame = read_frame(history, tz=tz, time_columns=["interval_start"])
    state_events = read_frame(events, tz=tz, time_columns=["start", "end"]) if events else None
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
    written = result.write(output, formats=("csv", "parquet") if parquet else ("csv",))
    click.echo(json.dumps(result.summary(), indent=2, default=str))
    click.echo(f"wrote {len(written)} files to {output}")


@main.command("scale")
@click.argument("history", type=click.Path(exists=True, path_type=Path))
@_CONFIG_OPTION
@_OUTPUT_OPTION
@click.option("--backtest", is_flag=True, help="Also write each queue's backtest errors.")
@_WORKERS_OPTION
@_SCHEDULER_OPTION
@_PROGRESS_OPTION
@_friendly_errors
def scale(
    history: Path,
    config_path: Path,
    output: Path,
    backtest: bool,
    workers: int | None,
    scheduler: str | None,
    progress_bar: bool,
) -> None:
    """Forecast and size thousands of queues, one task per queue, written per queue.

    HISTORY is a parquet dataset partitioned by queue (a folder, read lazily with Dask so
    no process holds it whole) or a CSV/parquet file. Each task writes
    OUT/forecast/<queue>.parquet and OUT/requirement/<queue>.parquet; failed queues are
    listed (exit status 1) and the others' results are kept.
    """
    from wfm.config import load_config
    from wfm.io import read_frame
    from wfm.scale import plan_queues

    config = load_config(config_path)
    if history.is_dir():
        try:
            import dask.dataframe as dd
        except ImportError as exc:
            from wfm.core.errors import MissingDependencyError

            raise MissingDependencyError(
                "reading a parquet dataset folder needs dask. Fix: pip install 'openwfm[dask]'."
            ) from exc
        frame: Any = dd.read_parquet(history)
    else:
        frame = read_frame(history, tz=config.site.time_zone, time_columns=["interval_start"])
    with _engine(workers, scheduler) as executor, _task_progress(progress_bar) as progress:
        result = plan_queues(
            frame,
            config,
            run_backtest=backtest,
            executor=executor,
            progress=progress,
            output=output,
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
@_friendly_errors
def demo(output: Path) -> None:
    """Run the bundled real call centre (Israeli bank, January 1999) end to end."""
    from wfm.demo import run_demo

    report = run_demo(output, progress=_progress)
    click.echo(report)
