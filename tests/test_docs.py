"""The tutorial's code blocks run, in order, as one script (docs/tutorial.md never rots)."""

import os
import re
import subprocess
import sys
from pathlib import Path

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
