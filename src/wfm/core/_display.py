"""The protocol every stage's result object follows (see docs/architecture.md).

A result class inherits :class:`ResultDisplay` and is declared ``@dataclass(repr=False)`` so
that this ``__repr__`` is kept. Every result has

- ``summary()``: a :class:`wfm.core.Summary` (headline metric -> scalar, with units and an
  optional per-queue breakdown);
- ``to_frame()``: its main table as a DataFrame;
- ``tables()``: every named table as a dict of DataFrames (by default the DataFrame fields);
- ``repr(result)``: one line, the class name, the scalar fields and each table's or array's
  shape; never a whole DataFrame;
- ``result._repr_html_()`` (used by Jupyter): the name, the table shapes, the summary as an
  HTML table and the head of the main table.

``tests/test_result_protocol.py`` checks every public result class against it.
"""

from __future__ import annotations

import dataclasses
import html
import math
from typing import Any

import numpy as np
import pandas as pd

from wfm.core._summary import Summary as Summary  # re-exported for the result modules
from wfm.core._summary import units_from_names as units_from_names

_HEAD_ROWS = 5
_MAX_SCALARS = 6


def _scalar_text(value: object) -> str | None:
    """Short text of a scalar field, or ``None`` if the field is not a scalar."""
    if isinstance(value, bool | str):
        text = repr(value) if isinstance(value, str) else str(value)
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.6g}"
    return None


class ResultDisplay:
    """Base of every result: ``summary``, ``to_frame``, ``tables``, ``repr``, ``_repr_html_``."""

    def summary(self) -> Summary:
        """Headline figures of the result (each result class defines its own)."""
        raise NotImplementedError(f"{type(self).__name__} defines no summary()")

    def to_frame(self) -> pd.DataFrame:
        """Return the main table of the result (each result class defines its own)."""
        raise NotImplementedError(f"{type(self).__name__} defines no to_frame()")

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the result by name (default: the DataFrame fields that are set)."""
        return {
            item.name: value
            for item in dataclasses.fields(self)  # type: ignore[arg-type]
            if isinstance(value := getattr(self, item.name), pd.DataFrame)
        }

    def _display_parts(self) -> tuple[list[str], list[str], pd.DataFrame | None]:
        """(table descriptions, scalar descriptions, main table) of the dataclass fields."""
        tables: list[str] = []
        scalars: list[str] = []
        main: pd.DataFrame | None = None
        for item in dataclasses.fields(self):  # type: ignore[arg-type]
            value: Any = getattr(self, item.name)
            if isinstance(value, pd.DataFrame):
                rows, columns = value.shape
                tables.append(f"{item.name}: {rows}x{columns}")
                main = value if main is None else main
                continue
            if isinstance(value, np.ndarray) and value.ndim:
                tables.append(f"{item.name}: {'x'.join(str(n) for n in value.shape)}")
                continue
            text = _scalar_text(value)
            if text is not None and len(scalars) < _MAX_SCALARS:
                scalars.append(f"{item.name}={text}")
        return tables, scalars, main

    def __repr__(self) -> str:
        tables, scalars, _ = self._display_parts()
        inside = ", ".join([*scalars, *(f"<{t}>" for t in tables)])
        return f"{type(self).__name__}({inside})"

    def _repr_html_(self) -> str:
        """HTML for notebooks: name, table shapes, the summary, head of the main table."""
        tables, _, _ = self._display_parts()
        parts = [f"<div class='wfm-result'><strong>{html.escape(type(self).__name__)}</strong>"]
        if tables:
            parts.append("<br><small>tables: " + html.escape(", ".join(tables)) + "</small>")
        parts.append(self.summary()._repr_html_())
        main = self.to_frame()
        head = main.head(_HEAD_ROWS)
        header = "".join(f"<th>{html.escape(str(c))}</th>" for c in head.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
            for row in head.itertuples(index=False)
        )
        parts.append(
            f"<table class='wfm-head'><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
        )
        if len(main) > _HEAD_ROWS:
            parts.append(f"<small>first {_HEAD_ROWS} of {len(main)} rows</small>")
        parts.append("</div>")
        return "".join(parts)
