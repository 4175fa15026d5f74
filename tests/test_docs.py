"""The tutorial's code blocks run, in order, as one script (docs/tutorial.md never rots)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_tutorial_code_runs(tmp_path: Path) -> None:
    text = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) >= 5
    script = tmp_path / "tutorial.py"
    script.write_text(
        "import warnings\nwarnings.simplefilter('ignore')\n" + "\n".join(blocks), encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env={**os.environ, "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "adherence" in result.stdout
    assert (tmp_path / "out" / "summary.json").is_file()


def test_every_page_in_the_index_exists() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for page in re.findall(r"\(([a-z_]+\.md)\)", index):
        assert (DOCS / page).is_file(), page


def test_howto_forecaster_code_runs() -> None:
    """docs/howto-forecaster.md: the example model is backtested beside the naive one."""
    text = (DOCS / "howto-forecaster.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 2
    namespace: dict[str, object] = {"print": lambda *args: None}
    exec(compile("\n".join(blocks), "howto-forecaster.md", "exec"), namespace)
    table = namespace["result"].table()  # type: ignore[attr-defined]
    wape = table.groupby("model")["wape"].mean()
    assert set(wape.index) == {"weekday_median", "naive"}
    assert np.isfinite(wape).all()


def test_docs_load_nothing_from_the_network() -> None:
    """The docs render offline: no theme CDN, KaTeX and the highlighting bundled in docs/."""
    config = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")
    assert "highlightjs: false" in config
    assert not re.search(r"^\s*-\s*https?://", config, flags=re.MULTILINE)
    for asset in ("assets/katex/katex.min.js", "assets/katex/katex.min.css"):
        assert (DOCS / asset).is_file(), asset
