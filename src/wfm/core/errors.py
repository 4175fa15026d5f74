"""Exception types raised by every stage of ``wfm``.

The tree::

    WfmError                          base of everything wfm raises on purpose
    ├── InputError(ValueError)        bad input at a public boundary: names field, value, fix
    │   └── ModelInputError           a pydantic model of wfm refused its input (every model,
    │                                 config and service request); ``errors()`` lists them
    ├── NotFittedError(AttributeError) a model used before ``fit``
    ├── InfeasibleError               an optimisation whose rules cannot all hold; names the
    │                                 conflicting rule groups and by how much
    ├── SolverError                   a solver failed or was not available
    └── MissingDependencyError(ImportError)  an optional extra is not installed; names the
                                      ``pip install`` that fixes it

``InputError`` subclasses ``ValueError`` and ``NotFittedError`` subclasses
``AttributeError`` so that existing ``except ValueError`` clauses keep working.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class WfmError(Exception):
    """Base class of every exception that ``wfm`` raises on purpose."""


class InputError(WfmError, ValueError):
    """Invalid input at a public boundary.

    The message names the field (argument or column), the offending value, where it is
    (row or position) and how to fix it.
    """


class ModelInputError(InputError):
    """One of wfm's pydantic models (config, schedule, capacity, tables) refused its input.

    Raised instead of pydantic's ``ValidationError`` by every model of the library, so that
    one ``except WfmError`` (or ``except InputError``) catches every bad input. The message
    has one line per problem (key path, value, problem, fix); :meth:`errors` gives them as
    pydantic's error dicts (``loc``, ``msg``, ``type``, ``input``) for services.

    Parameters
    ----------
    message : str
        Human-readable explanation, one line per problem.
    problems : sequence of dict, optional
        The problems as pydantic error dicts.
    """

    def __init__(self, message: str, problems: Sequence[Mapping[str, Any]] = ()) -> None:
        super().__init__(message)
        self.problems: list[dict[str, Any]] = [dict(problem) for problem in problems]

    def errors(self) -> list[dict[str, Any]]:
        """Return the problems as pydantic-style error dicts (``loc``, ``msg``, ``type``)."""
        return [dict(problem) for problem in self.problems]


class NotFittedError(WfmError, AttributeError):
    """A model was asked to predict before it was fitted."""


class InfeasibleError(WfmError):
    """An optimisation problem whose rules cannot all be met.

    Parameters
    ----------
    message : str
        Human-readable explanation.
    conflicts : mapping of str to float, optional
        Rule group name to the amount by which it has to be relaxed (in the group's own
        unit, e.g. agent-intervals or hours) for a solution to exist.
    """

    def __init__(self, message: str, conflicts: Mapping[str, float] | None = None) -> None:
        super().__init__(message)
        self.conflicts: dict[str, float] = dict(conflicts or {})


class SolverError(WfmError):
    """A solver failed, was not available, or returned no usable solution."""


class MissingDependencyError(WfmError, ImportError):
    """An optional dependency (an extra) is not installed."""


class FlaggedRecordsWarning(UserWarning):
    """Rows were flagged (``on_bad="flag"``): kept out of a result and listed beside it.

    Every result that flags rows has them in its ``flagged`` attribute, and ``write()``
    and the CLI write them to a ``*_flagged.csv`` file.
    """


def missing_extra(module: str, extra: str, purpose: str) -> MissingDependencyError:
    """Build the error for a missing optional dependency.

    Parameters
    ----------
    module : str
        Import name that failed, e.g. ``"matplotlib"``.
    extra : str
        Name of the ``openwfm`` extra that provides it, e.g. ``"plot"``.
    purpose : str
        What the caller tried to do, e.g. ``"plotting a forecast"``.

    Returns
    -------
    MissingDependencyError
        Error whose message names the ``pip install`` command that fixes it.
    """
    return MissingDependencyError(
        f"{purpose} needs the optional package {module!r}, which is not installed. "
        f"Fix: pip install 'openwfm[{extra}]'"
    )


def describe_value(value: Any) -> str:
    """Return a short, readable representation of an offending value for messages."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
