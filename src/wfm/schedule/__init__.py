"""wfm.schedule: public API of the schedule stage (re-exported from ``wfm``)."""

__all__: list[str] = []
