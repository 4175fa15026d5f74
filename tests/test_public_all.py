"""Guards on the public surface: ``__all__`` of ``wfm`` and of every stage.

Every exported name exists, is documented, is not private and appears once; the flat
``wfm`` namespace matches the snapshot in ``tests/data/public_names.txt`` (an addition or a
removal is deliberate: update the snapshot in the same commit); and no public function
takes ``Any`` except the documented exceptions below.
"""

import importlib
import inspect
import re
from pathlib import Path

import pytest

import wfm

MODULES = ["wfm", "wfm.core", "wfm.forecast", "wfm.erlang", "wfm.schedule", "wfm.adherence"]
MODULES += ["wfm.capacity", "wfm.datasets", "wfm.simulation"]
SNAPSHOT = Path(__file__).parent / "data" / "public_names.txt"

# Parameters still typed ``Any`` on purpose (name -> parameters, with the reason): none.
# Executors are ``wfm.core.ExecutorLike``, per-queue targets ``PerQueue``, dates
# ``TimestampLike``, JSON ``JsonValue`` and Dask frames ``HistoryFrame``.
ANY_ALLOWED: dict[str, set[str]] = {}
RETURN_ANY_ALLOWED: set[str] = set()


@pytest.mark.parametrize("module_name", MODULES)
def test_all_names_exist_are_public_documented_and_unique(module_name: str) -> None:
    module = importlib.import_module(module_name)
    names = module.__all__
    assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]
    for name in names:
        assert hasattr(module, name), f"{module_name}.{name} is in __all__ but missing"
        assert not name.startswith("_") or name == "__version__", name
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismodule(obj):
            assert (obj.__doc__ or "").strip(), f"{module_name}.{name} has no docstring"


def test_flat_namespace_matches_the_snapshot() -> None:
    expected = SNAPSHOT.read_text(encoding="utf-8").split()
    added = sorted(set(wfm.__all__) - set(expected))
    removed = sorted(set(expected) - set(wfm.__all__))
    assert (added, removed) == ([], []), f"update {SNAPSHOT.name} if this is deliberate"


def _any_in(annotation: object) -> bool:
    return bool(re.search(r"\bAny\b", str(annotation)))


def test_no_public_function_takes_any() -> None:
    found: dict[str, set[str]] = {}
    returns: set[str] = set()
    for name in wfm.__all__:
        obj = getattr(wfm, name)
        if not inspect.isfunction(obj):
            continue
        signature = inspect.signature(obj)
        params = {p for p, v in signature.parameters.items() if _any_in(v.annotation)}
        if params:
            found[name] = params
        if _any_in(signature.return_annotation):
            returns.add(name)
    assert found == {k: v for k, v in ANY_ALLOWED.items() if k in found}
    assert set(found) == set(ANY_ALLOWED), "an exception is no longer needed: remove it"
    assert returns == RETURN_ANY_ALLOWED


@pytest.mark.parametrize("module_name", MODULES[1:])
def test_no_public_name_shadows_a_submodule(module_name: str) -> None:
    # e.g. the function wfm.forecast.backtest once hid the module wfm/forecast/backtest.py
    module = importlib.import_module(module_name)
    folder = Path(module.__file__).parent  # type: ignore[arg-type]
    submodules = {path.stem for path in folder.glob("*.py")} | {
        path.name for path in folder.iterdir() if (path / "__init__.py").is_file()
    }
    assert not set(module.__all__) & submodules
