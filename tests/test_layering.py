"""Data flows one way: forecast -> erlang -> schedule -> simulation | adherence.

No stage imports a later one. ``simulation`` and ``adherence`` both come after ``schedule``
and sit beside each other: neither imports the other.

The check reads every module's source with ``ast`` (no import side effects) and fails on any
``import wfm.<later stage>`` or ``from wfm.<later stage> import ...``.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "wfm"
ORDER = ["core", "datasets", "forecast", "erlang", "schedule", "simulation", "adherence"]
ORDER += ["capacity"]
# core sits below every stage; datasets (bundled data) may use core only; a stage may
# import any earlier stage, never a later one.
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "datasets": {"core", "datasets"},
    "forecast": {"core", "forecast"},
    "erlang": {"core", "forecast", "erlang"},
    "schedule": {"core", "forecast", "erlang", "schedule"},
    # simulates a staffing or a schedule's segments; beside adherence, not before it
    "simulation": {"core", "forecast", "erlang", "schedule", "simulation"},
    "adherence": {"core", "forecast", "erlang", "schedule", "adherence"},
    # long-range planning sits beside the chain: it sizes with erlang, never schedules
    "capacity": {"core", "forecast", "erlang", "capacity"},
}


def _imported_wfm_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "wfm" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("package", list(ALLOWED))
def test_package_imports_only_earlier_stages(package: str) -> None:
    folder = SRC / package
    assert folder.is_dir(), folder
    for path in folder.rglob("*.py"):
        imported = {name for name in _imported_wfm_packages(path) if name in ORDER}
        forbidden = imported - ALLOWED[package]
        assert not forbidden, f"{path.relative_to(SRC)} imports later stage(s) {sorted(forbidden)}"


def test_simulation_uses_only_the_internal_interface() -> None:
    # multiskill and timevarying reach the simulator through the non-underscored names of
    # its private modules (_inputs, _simulator), never through another module's private
    # helpers; and no module outside wfm.simulation imports those private modules
    for path in SRC.rglob("*.py"):
        inside = path.is_relative_to(SRC / "simulation")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module):
                continue
            if inside and node.module.startswith("wfm."):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.relative_to(SRC)} imports {private}"
            if not inside:
                assert not node.module.startswith("wfm.simulation._"), path.relative_to(SRC)


def test_no_module_imports_another_modules_private_name() -> None:
    # a helper shared between modules lives under a non-underscored name in a private
    # module (wfm.schedule._assemble, wfm.adherence._inputs, wfm.erlang._erlang_x, ...);
    # ``from wfm.x import _name`` would reach into another module's internals
    found = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.module):
                continue
            if node.level == 0 and not node.module.startswith("wfm"):
                continue
            private = [a.name for a in node.names if a.name.startswith("_")]
            private = [name for name in private if name != "__version__"]
            if private:
                found.append(f"{path.relative_to(SRC)}: from {node.module} import {private}")
    assert not found, found
