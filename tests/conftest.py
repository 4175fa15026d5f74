"""Suite-wide test settings: hypothesis profiles.

``ci`` (the default, used by ``make test`` and ``.ci/run``) is derandomized: every run tries
the same examples, so the suite never fails by chance. ``explore`` (``make test-explore``)
draws fresh random examples and ten times as many per property test, to look for new
failures; every failure it finds is kept as an explicit ``@example`` on its test.
Choose one with ``WFM_HYPOTHESIS_PROFILE`` (or pytest's ``--hypothesis-profile``).
"""

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,  # timing checks would make results depend on machine load
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "explore",
    derandomize=False,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("WFM_HYPOTHESIS_PROFILE", "ci"))

EXPLORE_FACTOR = 10


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under the ``explore`` profile, multiply each property test's example count."""
    if settings.default.derandomize:
        return
    for item in items:
        function: Any = getattr(item, "obj", None)
        own = getattr(function, "_hypothesis_internal_use_settings", None)
        if isinstance(own, settings):
            function._hypothesis_internal_use_settings = settings(
                own,
                max_examples=own.max_examples * EXPLORE_FACTOR,
                derandomize=False,
                database=settings.default.database,
            )
