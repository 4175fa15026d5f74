"""Real contact-centre data bundled with ``wfm``.

:func:`load_israel_bank_calls` returns the call-by-call records of the "Anonymous Bank"
call centre in Israel (January 1999; Technion SEE Lab, see ``ACKNOWLEDGEMENT.md`` beside
this module) and :func:`israel_bank_intervals` turns them into the canonical interval
frame (offered volume and AHT per interval). :func:`synthetic_interval_history` makes
any number of realistic synthetic queues (scale tests and benchmarks).
"""

from wfm.datasets._israel_bank import (
    ISRAEL_BANK_SOURCE,
    ISRAEL_BANK_TZ,
    israel_bank_agent_states,
    israel_bank_intervals,
    load_israel_bank_calls,
)
from wfm.datasets._synthetic import synthetic_interval_history, synthetic_queue_history

__all__ = [
    "ISRAEL_BANK_SOURCE",
    "ISRAEL_BANK_TZ",
    "israel_bank_agent_states",
    "israel_bank_intervals",
    "load_israel_bank_calls",
    "synthetic_interval_history",
    "synthetic_queue_history",
]
