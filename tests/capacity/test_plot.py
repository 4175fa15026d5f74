"""The capacity plot draws and names the missing extra."""

import sys

import pytest

from wfm.capacity import plan_capacity, plot_capacity_plan
from wfm.core import MissingDependencyError


def test_plot_capacity_plan_draws_fte_and_budget(plan_factory, tmp_path) -> None:
    pytest.importorskip("matplotlib")
    result = plan_capacity(plan_factory())
    figure = plot_capacity_plan(result)
    axes = figure.get_axes()
    assert len(axes) == 3  # FTE, hires (twin), cost
    labels = [line.get_label() for line in axes[0].get_lines()]
    assert "required FTE" in labels
    assert "hires" in figure.get_suptitle()
    figure.savefig(tmp_path / "capacity.png")
    assert (tmp_path / "capacity.png").stat().st_size > 0


def test_missing_matplotlib_names_the_extra(plan_factory, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(MissingDependencyError, match=r"openwfm\[plot\]"):
        plot_capacity_plan(plan_capacity(plan_factory()))
