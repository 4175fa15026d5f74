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


def test_tables_are_formatted_by_kind_without_index() -> None:
    from wfm.report import format_table

    stamp = pd.Timestamp("2024-01-08 08:30", tz="Europe/London")  # a Monday
    frame = pd.DataFrame(
        {
            "volume": [1476.0],
            "service_level": [0.8234],
            "paid_hours": [12.345],
            "wait_seconds": [20.6],
            "scheduled_agents": [2.5],
            "interval_start": [stamp],
            "date": [pd.Timestamp("2024-01-08")],
            "model": ["combination"],
        },
        index=[7],
    )
    shown = format_table(frame).iloc[0].to_dict()
    assert shown == {
        "volume": "1,476",
        "service level": "82.3%",
        "paid hours": "12.3",
        "wait seconds": "21",
        "scheduled agents": "2.5",
        "interval start": "Mon 08 Jan 2024 08:30",
        "date": "Mon 08 Jan 2024",
        "model": "combination",
    }
    document = html_report("t", [ReportSection("s", "- one\n- two\n\nplain", tables=[frame])])
    assert "<td>7</td>" not in document  # no index column
    assert "<ul><li>one</li><li>two</li></ul>" in document
    assert "1,476.000" not in document


def test_headline_and_sentences_say_which_figure_is_which() -> None:
    from wfm.report import headline_table, summary_sentences

    summary = {
        "site": "s",
        "forecast_contacts": 1000.0,
        "shrinkage": 0.1,
        "peak_required_agents": 5,
        "required_agent_hours_before_shrinkage": 90.0,
        "required_agent_hours_after_shrinkage": 100.0,
        "schedule": {
            "status": "time_limit",
            "gap": 0.2,
            "scheduled_agent_hours": 95.0,
            "paid_hours": 110.0,
            "under_agent_hours": 5.0,
            "over_agent_hours": 0.0,
            "shifts": 12,
            "agents": 12,
        },
        "projected_service_level": 0.78,
        "unserved_demand": {
            "contacts": 12.0,
            "share": 0.012,
            "intervals": 3,
            "outside_template_reach_contacts": 12.0,
        },
    }
    table = headline_table(summary).set_index("figure")["value"]
    assert table["Agent-hours required on the phones (before shrinkage)"] == "90.0"
    assert table["Agent-hours to schedule (after 10.0% shrinkage)"] == "100.0"
    assert table["Paid hours of the schedule"] == "110.0"
    assert table["Solver status / gap to best bound"] == "time_limit / 20.0%"
    text = summary_sentences(summary)
    assert "stopped at its time limit" in text
    assert "time_limit_seconds" in text  # what to do about a large gap
    assert "short of the requirement by 5.0 agent-hours" in text
    assert "12 forecast contacts" in text


def test_heatmap_names_unserved_and_closed_cells() -> None:
    frame = _intervals("2024-01-01", "2024-01-03")
    frame["unserved"] = False
    frame.loc[3, "unserved"] = True
    frame["closed"] = frame["interval_start"].dt.hour < 2
    figure = plot_interval_heatmap(frame, unserved_column="unserved", closed_column="closed")
    axes = figure.axes[0]
    labels = [t.get_text() for t in axes.get_legend().get_texts()]
    assert labels == [
        "no forecast demand",
        "closed (opening hours)",
        "demand but no agent on the phones (unserved)",
    ]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["Mon 01 Jan", "Tue 02 Jan"]
    assert axes.get_xlabel()
    assert axes.get_ylabel()
    assert figure.axes[1].get_ylabel() == "service level"  # the colour bar is labelled
    # a value hidden under a mark is not drawn as a coloured (e.g. 0%) cell
    drawn = axes.images[0].get_array()
    assert drawn.mask[0, 3]
    assert drawn.mask[0, 0]


def test_plan_report_without_a_schedule_has_the_forecast_sections() -> None:
    from wfm.report import plan_report

    frame = _intervals("2024-01-01", "2024-01-03").assign(
        volume_lo_80=lambda f: f["volume"] * 0.9, volume_hi_80=lambda f: f["volume"] * 1.1
    )
    requirement = frame.assign(required_agents=3, open=frame["interval_start"].dt.hour >= 1)
    document = plan_report(
        {"forecast": frame, "requirement": requirement},
        {"site": "x", "forecast_contacts": float(frame["volume"].sum())},
    )
    headings = [part.split("</h2>")[0] for part in document.split("<h2>")[1:]]
    assert headings == ["Summary", "Forecast", "Demand not planned for, per day"]


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
