"""wfm.adherence: public API of the adherence stage (re-exported from ``wfm``)."""

__all__: list[str] = []
