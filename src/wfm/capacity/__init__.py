"""wfm.capacity: long-range capacity planning (FTE, hiring, attrition, budget, scenarios)."""

__all__: list[str] = []
