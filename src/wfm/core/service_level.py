"""One vocabulary for "how abandoned contacts count in the service level", for every stage.

A service level is "contacts answered within the target T" over a denominator; the
definitions differ only in how abandoned contacts count. The same names are accepted by the
queueing formulas (:func:`wfm.erlang.service_level`, :func:`wfm.erlang.required_agents`),
the simulator (:meth:`wfm.simulation.SimulationResult.service_level_counts`), the measured
KPIs (:func:`wfm.adherence.contact_kpis`), the plan config and the report, so a modelled
and a measured service level named alike are the same ratio.

Quantities in the formulas (per queue and interval):

- ``offered``: contacts that asked for an agent (answered + abandoned);
- ``answered``: contacts answered;
- ``answered_within``: answered with a wait <= T;
- ``abandoned_within``: abandoned with a wait <= T ("early" abandons);
- ``short_abandoned``: abandoned with a wait < the short-abandon threshold (measured only).

The former names of the measured KPIs (``abandons_negative``, ``abandons_ignored``,
``abandons_positive``, ``answered_only``, ``short_abandons_excluded``) keep working for one
release with a ``DeprecationWarning`` (see :data:`DEPRECATED_SERVICE_LEVEL_DEFINITIONS`).
"""

from __future__ import annotations

import warnings
from collections.abc import Collection
from typing import Literal

from wfm.core._deprecation import REMOVED_IN
from wfm.core.errors import InputError

ServiceLevelDefinition = Literal[
    "answered_of_offered",
    "answered_of_answered",
    "answered_of_offered_excluding_early_abandons",
    "answered_or_early_abandoned_of_offered",
    "answered_of_offered_excluding_short_abandons",
]
"""The canonical service-level definition names (see :data:`SERVICE_LEVEL_DEFINITIONS`)."""

SERVICE_LEVEL_DEFINITIONS: dict[str, str] = {
    "answered_of_offered": "answered_within / offered",
    "answered_of_answered": "answered_within / answered",
    "answered_of_offered_excluding_early_abandons": (
        "answered_within / (offered - abandoned_within)"
    ),
    "answered_or_early_abandoned_of_offered": "(answered_within + abandoned_within) / offered",
    "answered_of_offered_excluding_short_abandons": (
        "answered_within / (offered - short_abandoned)"
    ),
}
"""Every service-level definition by canonical name: its formula (a fraction 0 to 1).

``answered_of_offered`` counts an abandon as a miss (Cisco "abandons have a negative
impact"); ``answered_of_answered`` ignores abandons entirely; ``..._excluding_early_abandons``
drops contacts that abandoned within T from the denominator (Cisco "abandons ignored");
``answered_or_early_abandoned_of_offered`` counts an abandon within T as a success (Cisco
"abandons have a positive impact"); ``..._excluding_short_abandons`` drops only the short
abandons (shorter than a separate short-abandon threshold, usually a few seconds).
"""

MODELLED_SERVICE_LEVEL_DEFINITIONS: tuple[str, ...] = (
    "answered_of_offered",
    "answered_of_answered",
    "answered_of_offered_excluding_early_abandons",
    "answered_or_early_abandoned_of_offered",
)
"""The definitions the queueing models and the simulator compute (all but the short-abandon
one, whose threshold is a property of measured data, not of the models)."""

DEPRECATED_SERVICE_LEVEL_DEFINITIONS: dict[str, str] = {
    "abandons_negative": "answered_of_offered",
    "abandons_ignored": "answered_of_offered_excluding_early_abandons",
    "abandons_positive": "answered_or_early_abandoned_of_offered",
    "answered_only": "answered_of_answered",
    "short_abandons_excluded": "answered_of_offered_excluding_short_abandons",
}
"""Former name -> canonical name; the former names warn and go in the next release."""


def canonical_service_level_definition(
    name: str,
    *,
    supported: Collection[str] = tuple(SERVICE_LEVEL_DEFINITIONS),
    where: str = "service_level_definition",
    stage: str = "this function",
    stacklevel: int = 3,
) -> str:
    """Return the canonical name of a service-level definition, checking it is supported.

    Parameters
    ----------
    name : str
        A canonical name or a deprecated former name (which warns).
    supported : collection of str, default every definition
        Canonical names the calling stage can compute.
    where : str, default "service_level_definition"
        The keyword or field named in messages.
    stage : str, default "this function"
        What computes it, named in the "not supported" message.
    stacklevel : int, default 3
        ``stacklevel`` of the ``DeprecationWarning`` (3 points at the caller's caller).

    Returns
    -------
    str
        The canonical name.

    Raises
    ------
    InputError
        If the name is unknown or the stage cannot compute that definition.
    """
    if not isinstance(name, str):
        raise InputError(
            f"{where}={name!r} is not a service-level definition name. Fix: use one of "
            f"{list(supported)}."
        )
    canonical = DEPRECATED_SERVICE_LEVEL_DEFINITIONS.get(name)
    if canonical is not None:
        warnings.warn(
            f"{where}={name!r} is deprecated and goes in wfm {REMOVED_IN}; use "
            f"{canonical!r} (the same formula) instead",
            DeprecationWarning,
            stacklevel=stacklevel,
        )
    else:
        canonical = name
    if canonical not in SERVICE_LEVEL_DEFINITIONS:
        raise InputError(
            f"{where}={name!r} is not a known service-level definition. Fix: use one of "
            f"{list(supported)}."
        )
    if canonical not in supported:
        raise InputError(
            f"{where}={name!r} ({SERVICE_LEVEL_DEFINITIONS[canonical]}) cannot be computed by "
            f"{stage}, which supports {list(supported)}. Fix: choose one of those (measured "
            "contact KPIs from wfm.adherence.contact_kpis compute every definition)."
        )
    return canonical
