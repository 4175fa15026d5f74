"""wfm.adherence: schedule adherence, conformance, exceptions and contact-record KPIs.

* :func:`compute_adherence` compares schedule segments with agent state events (through a
  :class:`StateMapping`) under a named definition (:class:`AdherenceRules`) and returns an
  :class:`AdherenceResult` (per agent, team, interval, day, week; exceptions; staffing).
* :class:`AdherenceTracker` does the same incrementally, event by event, for real time
  (who is out of adherence now, running adherence), equal to the batch result.
* :func:`contact_kpis` turns contact records (read through :class:`ContactColumns`) into
  per-interval KPIs; :func:`kpi_forecast_accuracy` scores a volume forecast against them;
  :func:`kpi_definitions` lists every KPI with its formula and unit.
"""

from wfm.adherence.batch import AdherenceResult, compute_adherence
from wfm.adherence.kpis import (
    ContactColumns,
    ContactKpiResult,
    contact_kpis,
    kpi_definitions,
    kpi_forecast_accuracy,
)
from wfm.adherence.mapping import DEFAULT_STATE_ACTIVITIES, StateMapping
from wfm.adherence.rules import ADHERENCE_DEFINITIONS, AdherenceRules
from wfm.adherence.tracker import AdherenceTracker

# the service-level vocabulary lives in wfm.core (one name for one concept in every stage);
# this attribute stays for code that imported it from here
from wfm.core.service_level import SERVICE_LEVEL_DEFINITIONS as SERVICE_LEVEL_DEFINITIONS

__all__ = [
    "ADHERENCE_DEFINITIONS",
    "DEFAULT_STATE_ACTIVITIES",
    "AdherenceResult",
    "AdherenceRules",
    "AdherenceTracker",
    "ContactColumns",
    "ContactKpiResult",
    "StateMapping",
    "compute_adherence",
    "contact_kpis",
    "kpi_definitions",
    "kpi_forecast_accuracy",
]
