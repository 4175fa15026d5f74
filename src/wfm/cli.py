"""The ``wfm`` command line."""

from __future__ import annotations

from pathlib import Path

import click

from wfm._version import __version__


@click.group()
@click.version_option(__version__, package_name="openwfm")
def main() -> None:
    """wfm: contact-centre workforce management (forecast, erlang, schedule, adherence)."""


@main.command()
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo_output"),
    show_default=True,
    help="Folder for the demo's tables and report.",
)
def demo(output: Path) -> None:
    """Run the bundled real call centre (Israeli bank, January 1999) end to end."""
    from wfm.datasets import ISRAEL_BANK_SOURCE, israel_bank_intervals

    output.mkdir(parents=True, exist_ok=True)
    frame = israel_bank_intervals(30)
    path = output / "intervals.csv"
    frame.to_csv(path, index=False)
    click.echo(f"Data: {ISRAEL_BANK_SOURCE}")
    click.echo(f"{len(frame)} half-hour intervals, {int(frame['volume'].sum())} offered calls")
    click.echo(f"wrote {path}")
