"""wfm: contact-centre workforce management.

The stages, in the one direction data flows:

1. :mod:`wfm.forecast`: interval history to volume and handle-time forecasts.
2. :mod:`wfm.erlang`: queueing (Erlang B/C/A), required agents, shrinkage (closed forms).
3. :mod:`wfm.schedule`: shifts, breaks, days off and rosters by integer programming.
4. :mod:`wfm.simulation`: discrete-event simulation of a staffing or a schedule, and
   staffing by simulation (time-varying load, several skills).
5. :mod:`wfm.adherence`: schedule adherence and interval KPIs from contact records.

Beside them, :mod:`wfm.capacity` plans FTE, hiring and budget months ahead (it uses
:mod:`wfm.erlang`), and :mod:`wfm.pipeline` joins the stages end to end.

Shared types (interval grid, frame schema, errors) live in :mod:`wfm.core`. Each stage's
public names are re-exported here, so ``wfm.required_agents`` is
``wfm.erlang.required_agents``.
"""

from wfm import adherence as adherence
from wfm import capacity as capacity
from wfm import core as core
from wfm import datasets as datasets
from wfm import erlang as erlang
from wfm import forecast as forecast
from wfm import schedule as schedule
from wfm import simulation as simulation
from wfm._version import __version__ as __version__
from wfm.adherence import *  # noqa: F403  (each stage's __all__ is its public API)
from wfm.capacity import *  # noqa: F403

# the pipeline joins the stages (imported last: it depends on all of them)
from wfm.config import PlanConfig as PlanConfig
from wfm.config import load_config as load_config
from wfm.core import *  # noqa: F403
from wfm.erlang import *  # noqa: F403
from wfm.forecast import *  # noqa: F403
from wfm.pipeline import PlanInput as PlanInput
from wfm.pipeline import PlanOutput as PlanOutput
from wfm.pipeline import PlanResult as PlanResult
from wfm.pipeline import history_from_contacts as history_from_contacts
from wfm.pipeline import plan as plan
from wfm.pipeline import plan_from_input as plan_from_input
from wfm.scale import ScaleResult as ScaleResult
from wfm.scale import plan_queues as plan_queues
from wfm.schedule import *  # noqa: F403
from wfm.simulation import *  # noqa: F403

__all__ = sorted(
    {
        "PlanConfig",
        "PlanInput",
        "PlanOutput",
        "PlanResult",
        "ScaleResult",
        "__version__",
        "load_config",
        "history_from_contacts",
        "plan",
        "plan_from_input",
        "plan_queues",
        "adherence",
        "capacity",
        "core",
        "datasets",
        "erlang",
        "forecast",
        "schedule",
        "simulation",
        *core.__all__,
        *forecast.__all__,
        *erlang.__all__,
        *schedule.__all__,
        *simulation.__all__,
        *adherence.__all__,
        *capacity.__all__,
    }
)
