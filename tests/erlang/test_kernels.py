"""Erlang B / Erlang C kernels: published values, exact rational checks, stability."""

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from wfm.core import InputError
from wfm.erlang import erlang_b, erlang_c
from wfm.erlang.kernels import log_kummer_one


def exact_erlang_b(traffic: Fraction, agents: int) -> Fraction:
    """Erlang B from its definition A^N/N! / sum_k A^k/k!, in exact rational arithmetic."""
    term = Fraction(1)
    total = Fraction(1)
    for k in range(1, agents + 1):
        term = term * traffic / k
        total += term
    return term / total


def exact_erlang_c(traffic: Fraction, agents: int) -> Fraction:
    """Erlang C from the M/M/N stationary distribution (exact rationals)."""
    blocking = exact_erlang_b(traffic, agents)
    return blocking / (1 - traffic / agents * (1 - blocking))


# Standard Erlang B table: offered traffic (Erlangs) that N trunks carry at a given grade of
# service, as printed in the classic Erlang B tables reproduced across teletraffic references
# (an Erlang B table appears e.g. as Appendix A.3.2 of Dunlop, Girma and Irvine, "Digital
# Mobile Communications and the TETRA System", Wiley 1999; we could not read that scan's
# digits, so the rows below are the widely tabulated values): N=10 at 1%/2%/5% -> 4.46/5.08/
# 6.22 E; N=20 at 1%/2% -> 12.0/13.2 E; N=30 at 1%/2%/5% -> 20.3/21.9/24.8 E. Tables round
# the traffic, so the check is that B at the tabulated traffic equals the grade of service to
# the table's precision (4 % relative). Exactness is checked separately against the
# definition in rational arithmetic.
ERLANG_B_TABLE = [
    (10, 4.46, 0.01),
    (10, 5.08, 0.02),
    (10, 6.22, 0.05),
    (20, 12.0, 0.01),
    (20, 13.2, 0.02),
    (30, 20.3, 0.01),
    (30, 21.9, 0.02),
    (30, 24.8, 0.05),
]


@pytest.mark.parametrize(("agents", "traffic", "grade"), ERLANG_B_TABLE)
def test_erlang_b_matches_published_table(agents: int, traffic: float, grade: float) -> None:
    assert float(erlang_b(traffic, agents)) == pytest.approx(grade, rel=0.04)


def test_erlang_b_reference_value_n10_a5() -> None:
    # B(10, 5) = 0.018385 (e.g. Erlang B tables; Wolfram ErlangB[10, 5.]); checked here
    # against the definition in exact rational arithmetic as well.
    exact = float(exact_erlang_b(Fraction(5), 10))
    assert exact == pytest.approx(0.0183846, abs=5e-7)
    assert float(erlang_b(5.0, 10)) == pytest.approx(exact, rel=1e-12)


def test_erlang_b_wolfram_example_30_lines_25_erlangs() -> None:
    # Wolfram Language documentation, ErlangB: "if there are 30 call lines and the traffic
    # is 25 Erlangs, then the blocking or loss probability is approximately 0.05".
    assert round(float(erlang_b(25.0, 30)), 2) == 0.05


@settings(max_examples=60, deadline=None)
@given(
    agents=st.integers(min_value=0, max_value=120),
    traffic_tenths=st.integers(min_value=1, max_value=1500),
)
def test_erlang_b_and_c_equal_exact_rational_values(agents: int, traffic_tenths: int) -> None:
    traffic = Fraction(traffic_tenths, 10)
    assert float(erlang_b(float(traffic), agents)) == pytest.approx(
        float(exact_erlang_b(traffic, agents)), rel=1e-10, abs=1e-300
    )
    expected_c = 1.0 if agents <= traffic else float(exact_erlang_c(traffic, agents))
    assert float(erlang_c(float(traffic), agents)) == pytest.approx(
        expected_c, rel=1e-10, abs=1e-300
    )


@pytest.mark.parametrize(("agents", "traffic"), [(0.5, 0.7), (3.25, 2.0), (10.5, 12.0)])
def test_fractional_agents_follow_the_integral_extension(agents: float, traffic: float) -> None:
    # B(N, A)^-1 = A * int_0^inf exp(-A t) (1 + t)^N dt (Jagerman 1974 continuous extension)
    integral, _ = integrate.quad(lambda t: np.exp(-traffic * t) * (1 + t) ** agents, 0, np.inf)
    assert float(erlang_b(traffic, agents)) == pytest.approx(1 / (traffic * integral), rel=1e-9)


def test_fractional_agents_interpolate_monotonically() -> None:
    agents = np.linspace(5, 15, 201)
    blocking = erlang_b(8.0, agents)
    waiting = erlang_c(8.0, agents)
    assert np.all(np.diff(blocking) < 0)
    assert np.all(np.diff(waiting[agents > 8.0]) < 0)
    whole = np.arange(5, 16)
    assert np.allclose(erlang_b(8.0, agents[::20]), erlang_b(8.0, whole), rtol=1e-12)


@pytest.mark.parametrize("traffic", [5_000.0, 10_000.0])
def test_stable_for_large_traffic_and_agents(traffic: float) -> None:
    agents = np.array([0, 1, 100, traffic / 2, traffic - 1, traffic, traffic + 1, 20_000])
    agents = np.concatenate([agents, traffic + np.arange(0, 400, 7)])
    blocking = erlang_b(traffic, agents)
    waiting = erlang_c(traffic, agents)
    assert np.all(np.isfinite(blocking))
    assert np.all(np.isfinite(waiting))
    assert np.all((blocking >= 0) & (blocking <= 1))
    assert np.all((waiting >= 0) & (waiting <= 1))
    assert np.all(waiting >= blocking)
    order = np.argsort(agents)
    assert np.all(np.diff(blocking[order]) <= 1e-15)
    # far above the traffic nearly every call is blocked: B ~ 1 - N/A for N << A
    assert float(erlang_b(traffic, 1)) == pytest.approx(traffic / (1 + traffic), rel=1e-12)


def test_large_case_matches_stable_recursion() -> None:
    # Erlang B recursion 1/B(n) = 1 + n / (A B(n-1)) is numerically stable; run it to 20,000.
    traffic = 10_000.0
    inverse = 1.0
    values = {}
    for n in range(1, 20_001):
        inverse = 1.0 + inverse * n / traffic
        if n in (5_000, 9_000, 10_000, 10_300, 12_000, 20_000):
            values[n] = 1.0 / inverse
    for n, expected in values.items():
        assert float(erlang_b(traffic, n)) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_zero_traffic_and_zero_agents_conventions() -> None:
    assert float(erlang_b(0.0, 0)) == 1.0
    assert float(erlang_b(0.0, 3)) == 0.0
    assert float(erlang_b(2.0, 0)) == 1.0
    assert float(erlang_c(0.0, 3)) == 0.0
    assert float(erlang_c(2.0, 2)) == 1.0
    assert float(erlang_c(2.0, 1)) == 1.0


def test_broadcasting_and_series_input() -> None:
    traffic = pd.Series([1.0, 2.0, 3.0])
    result = erlang_c(traffic, np.array([[2], [4]]))
    assert isinstance(result, np.ndarray)
    assert result.shape == (2, 3)


@pytest.mark.parametrize(
    ("traffic", "agents", "field"),
    [
        (-1.0, 3, "traffic_erlangs"),
        (np.nan, 3, "traffic_erlangs"),
        (1.0, -2, "agents"),
        (1.0, np.inf, "agents"),
    ],
)
def test_bad_input_names_the_field(traffic: float, agents: float, field: str) -> None:
    with pytest.raises(InputError, match=field):
        erlang_b(traffic, agents)


@pytest.mark.parametrize(
    ("b", "x"),
    [
        (1.5, 0.3),
        (101.0, 50.0),
        (1001.0, 950.0),
        (30.0, 3.0),
        (2.0, 100.0),
        (5000.0, 4000.0),
        (5000.0, 5200.0),
    ],
)
def test_log_kummer_one_matches_direct_log_sum(b: float, x: float) -> None:
    from scipy.special import gammaln, logsumexp

    k = np.arange(0, int(3 * x + 2000))
    reference = logsumexp(k * np.log(x) - (gammaln(b + k) - gammaln(b)))
    assert float(log_kummer_one(b, x)) == pytest.approx(reference, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("order", [37.0, 401.0, 1e4, 1e6])
def test_kummer_quadrature_agrees_with_power_series(order: float) -> None:
    # large-order Kummer sums use Gauss–Laguerre quadrature; the positive power series is
    # the definition (slow there, fine for a test)
    from wfm.erlang.kernels import _kummer_laguerre, _kummer_series

    gap = np.minimum(np.array([3.01, 5.0, 15.0, 40.0, 300.0]) * np.sqrt(order), 0.999 * order)
    s = np.full(gap.size, order)
    x = s - gap
    quadrature = _kummer_laguerre(s, x)
    series = _kummer_series(s, x)
    for name in ("log_t", "log_d", "log_m2", "log_dm2"):
        assert np.allclose(getattr(quadrature, name), getattr(series, name), rtol=0, atol=1e-11)


def test_kummer_sums_do_not_inherit_gammainc_tail_error() -> None:
    # scipy's gammainc is off by ~1e-2 (relative) at order 8.4e6, 5.5 standard deviations
    # into the lower tail; the Kummer sums must match the positive series there
    from wfm.erlang.kernels import _kummer_series, kummer_sums

    ratio = 63_284.0 / 20.0
    s = np.array([2645.0, 2646.0, 2647.0, 2648.0, 2660.0]) * ratio
    x = np.full(s.size, 2642.0 * ratio)
    fast = kummer_sums(s, x, derivative=True)
    series = _kummer_series(s, x)
    for name in ("log_t", "log_d", "log_m2", "log_dm2"):
        assert np.allclose(getattr(fast, name), getattr(series, name), rtol=0, atol=1e-11)
