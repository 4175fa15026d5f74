"""The public API: every stage's names are exported from ``wfm`` and none collide."""

import importlib

import pytest

import wfm

STAGES = ["core", "forecast", "erlang", "schedule", "simulation", "adherence", "capacity"]


@pytest.mark.parametrize("stage", STAGES)
def test_stage_names_are_reexported_from_wfm(stage: str) -> None:
    module = importlib.import_module(f"wfm.{stage}")
    for name in module.__all__:
        assert getattr(wfm, name) is getattr(module, name), name
        assert name in wfm.__all__


def test_stage_public_names_do_not_collide() -> None:
    seen: dict[str, str] = {}
    for stage in STAGES:
        module = importlib.import_module(f"wfm.{stage}")
        for name in module.__all__:
            assert name not in seen, f"{name} exported by both {seen[name]} and {stage}"
            seen[name] = stage


@pytest.mark.parametrize("stage", STAGES)
def test_stage_all_is_unique_and_resolvable(stage: str) -> None:
    # ordering of __all__ is enforced by ruff (RUF022, isort-style)
    module = importlib.import_module(f"wfm.{stage}")
    assert len(set(module.__all__)) == len(module.__all__)
    for name in module.__all__:
        assert hasattr(module, name), name
