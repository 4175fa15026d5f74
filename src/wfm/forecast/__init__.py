"""wfm.forecast: public API of the forecast stage (re-exported from ``wfm``)."""

__all__: list[str] = []
