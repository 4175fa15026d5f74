"""Every notebook in examples/ runs cell by cell in a fresh kernel, and renders as expected.

A cell that raises fails the test (nbclient's CellExecutionError names the cell). The
forecast -> staffing -> schedule -> adherence notebook must also show its summaries as HTML
tables (the result protocol's ``_repr_html_``) and a plot.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient", reason="the dev group installs nbclient")
nbformat = pytest.importorskip("nbformat", reason="the dev group installs nbformat")
pytest.importorskip("ipykernel", reason="the dev group installs ipykernel")

import wfm  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
# the kernel must run this interpreter and this wfm, not whatever "python3" kernel a
# machine has registered: the last (added) cell prints where they come from
_WHERE = "import sys, wfm; print(sys.executable); print(wfm.__file__)"


def _run(path: Path, tmp_path: Path) -> tuple[list[dict[str, object]], list[str]]:
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(_WHERE))
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env={"MPLBACKEND": "module://matplotlib_inline.backend_inline"})
    outputs = [out for cell in notebook.cells[:-1] for out in cell.get("outputs", [])]
    where = "".join(out.get("text", "") for out in notebook.cells[-1].outputs).split()
    return outputs, where


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "examples/ holds no notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_this_environment(path: Path, tmp_path: Path) -> None:
    outputs, where = _run(path, tmp_path)
    assert where == [sys.executable, wfm.__file__]
    errors = [out for out in outputs if out.get("output_type") == "error"]
    assert not errors  # nbclient raises first; this guards allow_errors changes
    html = [str(out["data"]["text/html"]) for out in outputs if "text/html" in out.get("data", {})]
    summaries = [page for page in html if "<div class='wfm-summary'>" in page]
    if path.stem == "plan_one_day":
        # the forecast result's view, the schedule summary and the adherence summary
        assert len(summaries) >= 3, html
        assert any(
            page.startswith("<div class='wfm-result'><strong>IntervalForecast") for page in html
        )
        assert any("<td>adherence</td>" in page for page in summaries)
        assert any("<td>status</td>" in page for page in summaries)
        assert any("image/png" in out.get("data", {}) for out in outputs), "no plot rendered"
