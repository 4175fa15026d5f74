"""Modified offered load (closed form): the infinite-server queue's busy servers per interval."""

from __future__ import annotations

import numpy as np
import pytest

from wfm.erlang.offered_load import modified_offered_load


def test_modified_offered_load_settles_at_the_stationary_load() -> None:
    volume = np.full(40, 90.0)
    load = modified_offered_load(volume, np.full(40, 300.0), 1800.0)
    assert load[0] < 90 * 300 / 1800  # starts empty
    assert load[-1] == pytest.approx(90 * 300 / 1800, rel=1e-9)
    # infinite-server queue: the load never exceeds the running maximum of lambda * AHT
    assert (load <= 15.0 + 1e-12).all()
