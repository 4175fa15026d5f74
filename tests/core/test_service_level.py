"""One service-level vocabulary: canonical names, the deprecated aliases, unsupported stages."""

import warnings

import pytest

import wfm
from wfm.core import (
    DEPRECATED_SERVICE_LEVEL_DEFINITIONS,
    MODELLED_SERVICE_LEVEL_DEFINITIONS,
    SERVICE_LEVEL_DEFINITIONS,
    InputError,
    ServiceTarget,
)
from wfm.core.service_level import canonical_service_level_definition
from wfm.erlang import ERLANG_A_SERVICE_LEVEL_DEFINITIONS, required_agents, service_level

PATIENCE = 90.0


def test_one_vocabulary_everywhere() -> None:
    assert wfm.SERVICE_LEVEL_DEFINITIONS is SERVICE_LEVEL_DEFINITIONS
    assert wfm.adherence.SERVICE_LEVEL_DEFINITIONS is SERVICE_LEVEL_DEFINITIONS
    assert ERLANG_A_SERVICE_LEVEL_DEFINITIONS == MODELLED_SERVICE_LEVEL_DEFINITIONS
    assert set(MODELLED_SERVICE_LEVEL_DEFINITIONS) < set(SERVICE_LEVEL_DEFINITIONS)
    # every former name maps onto a distinct canonical name
    assert sorted(DEPRECATED_SERVICE_LEVEL_DEFINITIONS.values()) == sorted(
        SERVICE_LEVEL_DEFINITIONS
    )
    for name, formula in SERVICE_LEVEL_DEFINITIONS.items():
        assert name.startswith("answered_")
        assert "answered_within" in formula


def test_canonical_names_pass_without_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in SERVICE_LEVEL_DEFINITIONS:
            assert canonical_service_level_definition(name) == name


@pytest.mark.parametrize(("old", "new"), sorted(DEPRECATED_SERVICE_LEVEL_DEFINITIONS.items()))
def test_former_names_warn_and_map(old: str, new: str) -> None:
    with pytest.warns(DeprecationWarning, match=f"{old}.*deprecated.*{new}"):
        assert canonical_service_level_definition(old) == new


def test_unknown_name_is_an_input_error_listing_the_names() -> None:
    with pytest.raises(InputError, match=r"service_level_definition='sla'.*answered_of_offered"):
        canonical_service_level_definition("sla")


def test_erlang_a_accepts_a_former_name_with_a_warning() -> None:
    expected = service_level(
        200,
        240,
        26,
        20,
        service_level_definition="answered_of_offered_excluding_early_abandons",
        patience_seconds=PATIENCE,
    )
    with pytest.warns(DeprecationWarning, match="abandons_ignored"):
        level = service_level(
            200, 240, 26, 20, service_level_definition="abandons_ignored", patience_seconds=PATIENCE
        )
    assert float(level) == float(expected)


def test_erlang_a_rejects_the_short_abandon_definition() -> None:
    name = "answered_of_offered_excluding_short_abandons"
    with pytest.raises(InputError, match=f"{name}.*cannot be computed by Erlang A.*supports"):
        service_level(200, 240, 26, 20, service_level_definition=name, patience_seconds=PATIENCE)
    with pytest.raises(InputError, match=name):
        required_agents(
            200,
            240,
            target_service_level=0.8,
            service_level_definition=name,
            patience_seconds=PATIENCE,
        )


def test_early_abandons_counted_as_met_staffs_fewer_agents() -> None:
    # (answered within T + abandoned within T) / offered >= answered within T / offered
    strict = required_agents(
        300,
        240,
        target_service_level=0.8,
        target_seconds=20.0,
        patience_seconds=PATIENCE,
        service_level_definition="answered_of_offered",
    )
    lenient = required_agents(
        300,
        240,
        target_service_level=0.8,
        target_seconds=20.0,
        patience_seconds=PATIENCE,
        service_level_definition="answered_or_early_abandoned_of_offered",
    )
    assert float(lenient) <= float(strict)
    # the requirement is the smallest count meeting the target under that definition
    level, one_fewer = service_level(
        300,
        240,
        [float(lenient), float(lenient) - 1],
        20,
        service_level_definition="answered_or_early_abandoned_of_offered",
        patience_seconds=PATIENCE,
    )
    assert level >= 0.8 > one_fewer


def test_service_target_stores_the_canonical_name() -> None:
    with pytest.warns(DeprecationWarning, match="abandons_negative"):
        target = ServiceTarget(patience_seconds=60.0, service_level_definition="abandons_negative")
    assert target.service_level_definition == "answered_of_offered"
    with pytest.raises(InputError, match=r"short_abandons.*cannot be computed"):
        ServiceTarget(
            patience_seconds=60.0,
            service_level_definition="answered_of_offered_excluding_short_abandons",
        )


def test_erlang_metrics_module_alias_warns() -> None:
    import wfm.erlang.metrics as metrics

    with pytest.warns(DeprecationWarning, match="ERLANG_A_SERVICE_LEVEL_DEFINITIONS"):
        assert metrics.SERVICE_LEVEL_DEFINITIONS == ERLANG_A_SERVICE_LEVEL_DEFINITIONS
