"""Solver construction, solve, and honest reporting of status, bound and gap."""

from __future__ import annotations

import logging
import math
import re
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pulp
import scipy.sparse as sp

from wfm.core.errors import SolverError
from wfm.schedule.models import SolverSettings

_LOGGER = logging.getLogger("wfm.schedule")
"""Solver log (``SolverSettings(verbose=True)``), at INFO; silent unless configured."""


@dataclass(frozen=True)
class SolveReport:
    """What the solver proved about one solve.

    Attributes
    ----------
    status : str
        ``"optimal"`` (proved: bound equals objective), ``"gap_limit"`` (stopped with
        gap <= the requested ``mip_gap``), ``"time_limit"`` (stopped with a larger gap),
        ``"infeasible"`` or ``"no_solution"``.
    objective : float
        Objective of the returned solution (cost units).
    best_bound : float
        Proven lower bound on the optimal objective (NaN if the solver gave none).
    gap : float
        ``(objective - best_bound) / max(|objective|, 1e-9)`` (fraction; NaN if unknown).
    solve_seconds : float
        Wall-clock time in the solver, in seconds.
    solver : str
        ``"cbc"`` or ``"highs"``.
    lp_bound : float
        Objective of the LP relaxation (a weaker lower bound; NaN if not solved).
    stopped_by_limit : bool
        True when the solver stopped because of its time limit (not because it proved
        the gap); only then is ``"time_limit"`` a cause rather than a label.
    """

    status: str
    objective: float
    best_bound: float
    gap: float
    solve_seconds: float
    solver: str
    lp_bound: float = math.nan
    stopped_by_limit: bool = False

    @property
    def is_optimal(self) -> bool:
        """True only when the solver proved optimality (zero gap)."""
        return self.status == "optimal"


def relative_gap(objective: float, bound: float) -> float:
    """Relative MIP gap ``(objective - bound) / |objective|`` as a fraction (>= 0)."""
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.nan
    return max(objective - bound, 0.0) / max(abs(objective), 1e-9)


def add_rows(
    problem: pulp.LpProblem,
    matrix: sp.csr_matrix,
    variables: Sequence[Any],
    sense: int,
    rhs: np.ndarray,
    prefix: str,
) -> None:
    """Add one constraint per sparse row: ``matrix[i] @ variables (sense) rhs[i]``.

    Each row's expression is built in one call from its (variable, coefficient) pairs,
    so construction is linear in the number of non-zeros.
    """
    matrix = sp.csr_matrix(matrix)
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for row in range(matrix.shape[0]):
        lo, hi = indptr[row], indptr[row + 1]
        expression = pulp.LpAffineExpression(
            [(variables[c], float(v)) for c, v in zip(indices[lo:hi], data[lo:hi], strict=True)]
        )
        problem.addConstraint(
            pulp.LpConstraint(expression, sense=sense, rhs=float(rhs[row])),
            name=f"{prefix}_{row}",
        )


def _cbc_bound(log_text: str, objective: float) -> float:
    """Best proven bound read from a CBC log (NaN when the log proves nothing).

    In order: the ``Lower bound:`` line of the result block; ``Exiting as integer gap
    of G`` (bound = objective - G); a completed search (bound = objective); the last
    ``best possible`` figure; the root LP (``Continuous objective value``).
    """
    number = r"(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)"
    found = re.findall(r"Lower bound:\s+" + number, log_text)
    if found:
        return float(found[-1])
    found = re.findall(r"Exiting as integer gap of\s+" + number, log_text)
    if found and math.isfinite(objective):
        return objective - float(found[-1])
    if "Search completed" in log_text and math.isfinite(objective):
        return objective
    found = re.findall(r"best possible\s+" + number, log_text)
    if found:
        return float(found[-1])
    found = re.findall(r"Continuous objective value is\s+" + number, log_text)
    return float(found[-1]) if found else math.nan


def _ignore_bundled_cbc_deprecation() -> None:
    """Drop PuLP 3.3's notice that PULP_CBC_CMD goes in PuLP 4 (only that one warning).

    PULP_CBC_CMD is still the CBC bundled with PuLP < 4, which ``pulp>=3.3.1,<4`` pins;
    call inside ``warnings.catch_warnings()``.
    """
    warnings.filterwarnings(
        "ignore", message="PULP_CBC_CMD is deprecated", category=DeprecationWarning
    )


def solve_relaxation(problem: pulp.LpProblem, settings: SolverSettings) -> float:
    """Solve the LP relaxation of ``problem`` in place and return its objective.

    Variable values are left at the LP optimum (used for rounding heuristics).
    """
    with warnings.catch_warnings():
        _ignore_bundled_cbc_deprecation()
        if settings.solver == "highs":
            solver = pulp.getSolver(
                "HiGHS", mip=False, timeLimit=settings.time_limit_seconds, msg=settings.verbose
            )
            problem.solve(solver)
        else:
            with tempfile.TemporaryDirectory() as folder:
                log_path = Path(folder) / "cbc.log"
                solver = pulp.PULP_CBC_CMD(
                    mip=False,
                    timeLimit=settings.time_limit_seconds,
                    msg=False,
                    logPath=str(log_path),
                )
                problem.solve(solver)
                if settings.verbose and log_path.exists():
                    _LOGGER.info("CBC log (LP relaxation):\n%s", log_path.read_text())
    if problem.sol_status != pulp.LpSolutionOptimal:
        return math.nan
    return float(pulp.value(problem.objective) or 0.0)


def solve(
    problem: pulp.LpProblem,
    settings: SolverSettings,
    *,
    warm_start: bool = False,
    lp_bound: float = math.nan,
    time_limit_seconds: float | None = None,
) -> SolveReport:
    """Solve ``problem`` (minimisation) and report status, objective, bound and gap.

    Parameters
    ----------
    problem : pulp.LpProblem
        The model.
    settings : SolverSettings
        Solver, time limit, gap.
    warm_start : bool, default False
        Pass the variables' initial values to the solver as a starting solution.
    lp_bound : float, optional
        LP-relaxation objective computed earlier, copied into the report and used as the
        bound when the solver proves nothing better.
    time_limit_seconds : float, optional
        Overrides ``settings.time_limit_seconds`` (e.g. what is left after a first phase).

    Raises
    ------
    SolverError
        If the requested solver is not available.
    """
    started = time.perf_counter()
    limit = settings.time_limit_seconds if time_limit_seconds is None else time_limit_seconds
    limit = max(limit, 1.0)
    if settings.solver == "highs":
        if "HiGHS" not in pulp.listSolvers(onlyAvailable=True):
            raise SolverError(
                "solver='highs' needs the highspy package. Fix: pip install 'openwfm[highs]', "
                "or use solver='cbc'."
            )
        solver = pulp.getSolver(
            "HiGHS",
            timeLimit=limit,
            gapRel=settings.mip_gap,
            threads=settings.threads,
            msg=settings.verbose,
            warmStart=warm_start,
        )
        problem.solve(solver)
        bound = math.nan
        limited = False
        try:
            limited = "time" in str(problem.solverModel.getModelStatus()).lower()
            info = problem.solverModel.getInfo()
            bound = float(info.mip_dual_bound)
            if not problem.isMIP():
                bound = float(info.objective_function_value)
        except AttributeError:  # pragma: no cover - older highspy
            bound = math.nan
    else:
        with tempfile.TemporaryDirectory() as folder:
            log_path = Path(folder) / "cbc.log"
            with warnings.catch_warnings():
                _ignore_bundled_cbc_deprecation()
                solver = pulp.PULP_CBC_CMD(
                    timeLimit=limit,
                    gapRel=settings.mip_gap,
                    threads=settings.threads,
                    msg=False,
                    logPath=str(log_path),
                    warmStart=warm_start,
                    # CBC drops a MIP start after its own preprocessing; keep it usable.
                    options=["preprocess off"] if warm_start else None,
                )
                problem.solve(solver)
            log_text = log_path.read_text() if log_path.exists() else ""
        if settings.verbose:
            _LOGGER.info("CBC log:\n%s", log_text)
        limited = _cbc_stopped_on_time(log_text)
        objective_value = pulp.value(problem.objective)
        bound = _cbc_bound(
            log_text, math.nan if objective_value is None else float(objective_value)
        )
    seconds = time.perf_counter() - started
    if math.isfinite(lp_bound) and not (math.isfinite(bound) and bound >= lp_bound):
        bound = lp_bound
    limited = limited or seconds >= limit
    return _report(problem, bound, seconds, settings, lp_bound, limited)


def _cbc_stopped_on_time(log_text: str) -> bool:
    """Tell whether a CBC log says the search stopped at its time limit."""
    lowered = log_text.lower()
    return "stopped on time" in lowered or "maximum time" in lowered


def _report(
    problem: pulp.LpProblem,
    bound: float,
    seconds: float,
    settings: SolverSettings,
    lp_bound: float = math.nan,
    limited: bool = False,
) -> SolveReport:
    """Classify the solve honestly from the solution status and the proven bound."""
    sol_status = problem.sol_status
    if problem.status == pulp.LpStatusInfeasible or sol_status == pulp.LpSolutionInfeasible:
        return SolveReport(
            "infeasible", math.nan, bound, math.nan, seconds, settings.solver, lp_bound
        )
    if sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return SolveReport(
            "no_solution", math.nan, bound, math.nan, seconds, settings.solver, lp_bound, limited
        )
    objective = float(pulp.value(problem.objective) or 0.0)
    if not math.isfinite(bound):
        status = "time_limit" if limited else "feasible"
        gap = math.nan
    else:
        bound = min(bound, objective)
        gap = relative_gap(objective, bound)
        if gap <= 1e-9 or objective - bound <= 1e-6:
            status = "optimal"
        elif gap <= settings.mip_gap + 1e-9:
            status = "gap_limit"
        else:
            status = "time_limit" if limited else "feasible"
    return SolveReport(status, objective, bound, gap, seconds, settings.solver, lp_bound, limited)


def values(variables: Sequence[Any]) -> np.ndarray:
    """Solution values of ``variables`` as a float array (0 where unset)."""
    return np.array([v.varValue or 0.0 for v in variables], dtype=float)
