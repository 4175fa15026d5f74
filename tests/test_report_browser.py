"""The plan report in a real headless browser: no console errors, nothing wider than the page.

Needs Debian's ``chromium`` (``make chromium`` or ``apt-get install chromium``; ``.ci/run``
installs it and sets ``WFM_REQUIRE_BROWSER=1`` so that CI fails instead of skipping).
Without it the test is skipped with that reason. The screenshot of the rendered page is saved
beside the report (and copied to ``$WFM_SCREENSHOT_DIR`` when that is set).
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from wfm.config import PlanConfig
from wfm.datasets import israel_bank_intervals
from wfm.demo import demo_config
from wfm.pipeline import plan

TZ = "Asia/Jerusalem"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
# Runs first in <head>: records script errors and console.error calls; after load, writes
# the page and element widths and the broken images into the DOM for --dump-dom to read.
PROBE = """<script>
window.__errors = [];
window.addEventListener('error', function (e) {
  window.__errors.push(String(e.message || (e.target && e.target.tagName) || e.type));
}, true);
var __consoleError = console.error;
console.error = function () {
  window.__errors.push(Array.prototype.join.call(arguments, ' '));
  __consoleError.apply(console, arguments);
};
window.addEventListener('load', function () {
  var page = document.documentElement, wide = [];
  document.querySelectorAll('body *').forEach(function (el) {
    if (el.getBoundingClientRect().right > page.clientWidth + 1) { wide.push(el.tagName); }
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 &&
        getComputedStyle(el).overflowX !== 'visible') { wide.push(el.tagName + ' (scrolls)'); }
  });
  var broken = Array.prototype.filter.call(document.images, function (img) {
    return !(img.complete && img.naturalWidth > 0);
  }).length;
  var out = document.createElement('pre');
  out.id = 'wfm-probe';
  out.textContent = JSON.stringify({page: page.scrollWidth, client: page.clientWidth,
    wide: wide, errors: window.__errors, broken: broken, images: document.images.length});
  document.body.appendChild(out);
});
</script>"""


def _chromium() -> str:
    found = os.environ.get("WFM_CHROMIUM") or shutil.which("chromium")
    if not found and os.environ.get("WFM_REQUIRE_BROWSER"):
        pytest.fail("WFM_REQUIRE_BROWSER is set (CI) but chromium is not installed")
    if not found:
        pytest.skip(
            "Debian's chromium is not installed (make chromium, or apt-get install chromium; "
            ".ci/run installs it), so the report was not checked in a browser"
        )
    return found


def _run(browser: str, profile: Path, *args: str) -> str:
    done = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _chromium()  # skip before planning when there is no browser
    data = demo_config().model_dump(mode="json")
    data["forecast"]["horizon_days"] = 3
    data["forecast"]["model"] = "weighted_average"
    data["schedule"]["solver"]["time_limit_seconds"] = 8
    # named agents, so the report holds the roster's wide per-agent table
    data["schedule"]["agents"] = [
        {"agent": f"agent_{i:02d}", "max_weekly_hours": 40.0 if i < 12 else 24.0} for i in range(24)
    ]
    history = israel_bank_intervals(30)
    history = history[history["interval_start"] < pd.Timestamp("1999-01-25", tz=TZ)]
    with pytest.warns(UserWarning, match="absent from the history"):
        result = plan(history, PlanConfig.model_validate(data), run_backtest=True)
    return result.report(tmp_path_factory.mktemp("browser") / "report.html")


@pytest.mark.parametrize("width", [1280, 900])
def test_report_renders_without_errors_or_overflow(report: Path, width: int) -> None:
    browser = _chromium()
    folder = report.parent
    probe = folder / f"probe_{width}.html"
    probe.write_text(report.read_text().replace("<head>", "<head>" + PROBE, 1))
    dom = _run(
        browser,
        folder / f"profile_{width}",
        f"--window-size={width},1000",
        "--virtual-time-budget=10000",
        "--dump-dom",
        probe.as_uri(),
    )
    found = re.search(r'<pre id="wfm-probe">(.*?)</pre>', dom, flags=re.DOTALL)
    assert found, "the probe did not run: " + dom[-500:]
    measured = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert measured["errors"] == []
    assert measured["broken"] == 0
    assert measured["images"] >= 4
    assert measured["page"] <= measured["client"], measured
    assert measured["wide"] == [], measured

    shot = folder / f"report_{width}.png"
    _run(
        browser,
        folder / f"profile_shot_{width}",
        f"--window-size={width},6000",
        f"--screenshot={shot}",
        report.as_uri(),
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("WFM_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
