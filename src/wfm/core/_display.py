"""Concise text and notebook display shared by the stages' result objects.

A result class inherits :class:`ResultDisplay` and is declared ``@dataclass(repr=False)`` so
that this ``__repr__`` is kept. ``repr(result)`` is one line: the class name, each table's
shape and the scalar fields; ``result._repr_html_()`` (used by Jupyter) shows the same plus
the head of the main table. Neither prints a whole DataFrame.
"""

from __future__ import annotations

import dataclasses
import html
import math
from typing import Any

import pandas as pd

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
    """Mixin: one-line ``__repr__`` and ``_repr_html_`` for dataclass results."""

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
            text = _scalar_text(value)
            if text is not None and len(scalars) < _MAX_SCALARS:
                scalars.append(f"{item.name}={text}")
        return tables, scalars, main

    def __repr__(self) -> str:
        tables, scalars, _ = self._display_parts()
        inside = ", ".join([*scalars, *(f"<{t}>" for t in tables)])
        return f"{type(self).__name__}({inside})"

    def _repr_html_(self) -> str:
        """HTML for notebooks: name, scalar fields, table shapes, head of the main table."""
        tables, scalars, main = self._display_parts()
        parts = [f"<div><strong>{html.escape(type(self).__name__)}</strong>"]
        if scalars:
            parts.append("<br>" + html.escape(", ".join(scalars)))
        if tables:
            parts.append("<br>tables: " + html.escape(", ".join(tables)))
        if main is not None:
            head = main.head(_HEAD_ROWS)
            header = "".join(f"<th>{html.escape(str(c))}</th>" for c in head.columns)
            body = "".join(
                "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                for row in head.itertuples(index=False)
            )
            parts.append(f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>")
            if len(main) > _HEAD_ROWS:
                parts.append(f"<small>first {_HEAD_ROWS} of {len(main)} rows</small>")
        parts.append("</div>")
        return "".join(parts)
