import base64

import numpy as np
import pandas as pd
import pytest

from wfm.core import InputError, make_interval_grid
from wfm.report import (
    ReportSection,
    day_by_interval_table,
    html_report,
    plot_coverage,
    plot_forecast,
    plot_gantt,
    plot_interval_heatmap,
)


def _intervals(start: str, end: str, tz: str = "Europe/London") -> pd.DataFrame:
    starts = make_interval_grid(start, end, tz=tz)
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "queue": "q",
            "interval_start": starts,
            "volume": rng.poisson(40, len(starts)).astype(float),
            "service_level": rng.uniform(0.5, 1.0, len(starts)),
        }
    )


def test_day_by_interval_table_keeps_every_local_half_hour_on_dst_days() -> None:
    frame = _intervals("2024-10-26", "2024-10-29")  # includes the 50-interval fall-back day
    table = day_by_interval_table(frame, "service_level")
    assert table.shape == (3, 48)
    # the fall-back day's repeated 01:00 and 01:30 hold the mean of their two intervals
    day = frame[frame["interval_start"].dt.date.astype(str) == "2024-10-27"]
    repeated = day[day["interval_start"].dt.strftime("%H:%M") == "01:00"]["service_level"]
    assert len(repeated) == 2
    assert table.loc[
        repeated.index.size and day["interval_start"].dt.date.iloc[0], "01:00"
    ] == pytest.approx(repeated.mean())
    spring = day_by_interval_table(_intervals("2024-03-31", "2024-04-01"), "service_level")
    assert spring.loc[:, "01:00"].isna().all()
    assert spring.notna().sum(axis=1).iloc[0] == 46


def test_naive_timestamps_are_rejected() -> None:
    frame = _intervals("2024-01-01", "2024-01-02")
    frame["interval_start"] = frame["interval_start"].dt.tz_localize(None)
    with pytest.raises(InputError, match="naive"):
        day_by_interval_table(frame, "service_level")


def test_html_report_is_self_contained_with_embedded_pngs() -> None:
    frame = _intervals("2024-01-01", "2024-01-03")
    forecast = frame.assign(volume_lo_80=frame["volume"] * 0.9, volume_hi_80=frame["volume"] * 1.1)
    coverage = frame.assign(required=5.0, scheduled=6.0)[
        ["interval_start", "required", "scheduled"]
    ]
    start = frame["interval_start"].iloc[16]
    segments = pd.DataFrame(
        {
            "agent": ["a1", "a1", "a1", "a2"],
            "activity": ["work", "break", "work", "work"],
            "start": [
                start,
                start + pd.Timedelta(hours=2),
                start + pd.Timedelta(minutes=135),
                start,
            ],
            "end": [
                start + pd.Timedelta(hours=2),
                start + pd.Timedelta(minutes=135),
                start + pd.Timedelta(hours=8),
                start + pd.Timedelta(hours=4),
            ],
        }
    )
    sections = [
        ReportSection(
            "Forecast", "Forecast & actual <ok>", figures=[plot_forecast(forecast, frame)]
        ),
        ReportSection("Coverage", figures=[plot_coverage(coverage)], tables=[coverage.head()]),
        ReportSection("Service level", figures=[plot_interval_heatmap(frame)]),
        ReportSection("Roster", figures=[plot_gantt(segments)]),
    ]
    document = html_report("Demo <report>", sections)
    assert document.count("data:image/png;base64,") == 4
    assert "Demo &lt;report&gt;" in document
    assert "Forecast &amp; actual &lt;ok&gt;" in document
    assert "http://" not in document
    assert "https://" not in document
    first = document.split("data:image/png;base64,")[1].split("'")[0]
    assert base64.b64decode(first)[:8] == b"\x89PNG\r\n\x1a\n"


def test_gantt_draws_names_with_dollar_signs_literally() -> None:
    import io

    from wfm.report import plot_bars, plot_gantt

    start = pd.Timestamp("2024-01-10 09:00", tz="UTC")
    segments = pd.DataFrame(
        {
            "agent": ["$ann$", "bob $5 and $6", r"c\$"],
            "activity": ["work", "$pecial$", "work"],
            "start": [start] * 3,
            "end": [start + pd.Timedelta(hours=1)] * 3,
        }
    )
    figure = plot_gantt(segments, title="team $A$")
    figure.savefig(io.BytesIO(), format="png")
    labels = [tick.get_text() for tick in figure.axes[0].get_yticklabels()]
    assert labels[0] == r"\$ann\$"
    bars = plot_bars(pd.DataFrame({"agent": ["$x$"], "value": [1.0]}), "agent", "value", title="$")
    bars.savefig(io.BytesIO(), format="png")
