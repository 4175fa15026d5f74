"""The one type every result's ``summary()`` returns: :class:`Summary`.

A summary is a read-only mapping of metric name to one scalar (``bool``, ``int``,
``float``, ``str`` or ``None``), so ``result.summary()["total_cost"]`` reads a figure
the same way on every stage. A metric may also be a nested :class:`Summary` (a section,
e.g. ``plan.summary()["schedule"]["status"]``). Each metric can carry a unit (text such
as ``"seconds"``, ``"fraction"``, ``"agent-hours"``). A result whose headline figures
differ per queue (simulation confidence intervals, email backlog, ...) adds a
``breakdown`` DataFrame with one row per queue.

Why a record and not a DataFrame: the figures of one result have mixed types (a status
text beside costs beside a count), which a DataFrame column holds only as ``object``;
sections (the pipeline's schedule and adherence figures) nest; and ``summary()[name]``
was already how most callers read them. :meth:`Summary.to_frame` gives the tidy table
(``metric``, ``value``, ``unit``) when a frame is wanted, :meth:`Summary.to_dict` the
plain JSON-ready dict.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from wfm.core.errors import InputError

Scalar: TypeAlias = bool | int | float | str | None
"""A metric value: one number, a flag, a word or ``None`` (not measured)."""

_BREAKDOWN_HTML_ROWS = 20


def _scalar(name: str, value: object) -> Scalar:
    """``value`` as a plain Python scalar (numpy scalars unwrapped), or a clear error."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise InputError(
        f"summary metric {name!r} is a {type(value).__name__} ({value!r:.60}), not a scalar. "
        "Fix: pass a bool, int, float, str or None, a mapping for a section, or put "
        "per-row figures in breakdown=."
    )


def _text(value: Scalar) -> str:
    """Short display text of one metric value."""
    if value is None:
        return "-"
    if isinstance(value, bool | str | int):
        return str(value)
    if math.isnan(value):
        return "nan"
    return f"{value:.6g}"


def _is_number(value: Scalar) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Summary(Mapping[str, "Scalar | Summary"]):
    """Headline figures of a result: a read-only mapping of metric name to a scalar.

    Parameters
    ----------
    title : str
        What the figures describe (usually the result's class name).
    metrics : mapping of str to scalar or mapping
        Metric name -> ``bool``, ``int``, ``float``, ``str`` or ``None``; numpy scalars are
        unwrapped. A nested mapping becomes a section (a nested :class:`Summary`).
    units : mapping of str to str, optional
        Metric name -> unit text (``"seconds"``, ``"fraction"``, ``"contacts"``, ...).
        Metrics without a unit (counts of things named by the metric, words, flags) have
        ``""``.
    breakdown : pandas.DataFrame, optional
        Per-row figures (usually one row per queue) behind the headline metrics.

    Raises
    ------
    InputError
        If a metric is not a scalar or a mapping, or a unit names no metric.

    Examples
    --------
    >>> s = Summary("plan", {"total_cost": 1250.0, "hires": 3}, units={"total_cost": "EUR"})
    >>> s["total_cost"], s.unit("total_cost"), dict(s)
    (1250.0, 'EUR', {'total_cost': 1250.0, 'hires': 3})
    """

    __slots__ = ("_breakdown", "_metrics", "_title", "_units")

    def __init__(
        self,
        title: str,
        metrics: Mapping[str, object],
        *,
        units: Mapping[str, str] | None = None,
        breakdown: pd.DataFrame | None = None,
    ) -> None:
        values: dict[str, Scalar | Summary] = {}
        for name, value in metrics.items():
            key = str(name)
            if isinstance(value, Summary):
                values[key] = value
            elif isinstance(value, Mapping):
                values[key] = Summary(key, value)
            else:
                values[key] = _scalar(key, value)
        unknown = sorted(set(units or {}) - set(values))
        if unknown:
            raise InputError(
                f"units name {unknown}, which are not metrics of summary {title!r}. "
                "Fix: give units only for the metrics passed."
            )
        if breakdown is not None and not isinstance(breakdown, pd.DataFrame):
            raise InputError(
                f"breakdown is a {type(breakdown).__name__}. Fix: pass a pandas DataFrame or None."
            )
        self._title = str(title)
        self._metrics = values
        self._units = {k: str(v) for k, v in (units or {}).items() if v}
        self._breakdown = None if breakdown is None else breakdown.copy()

    # mapping -----------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Scalar | Summary:
        return self._metrics[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._metrics)

    def __len__(self) -> int:
        return len(self._metrics)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Summary):
            same_breakdown = (self._breakdown is None and other._breakdown is None) or (
                self._breakdown is not None
                and other._breakdown is not None
                and self._breakdown.equals(other._breakdown)
            )
            return (
                self._title == other._title
                and self._metrics == other._metrics
                and self._units == other._units
                and same_breakdown
            )
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a dict, so not hashable

    # extra facts -------------------------------------------------------------------------
    @property
    def title(self) -> str:
        """What the figures describe."""
        return self._title

    @property
    def units(self) -> dict[str, str]:
        """Metric name -> unit, for the metrics that have one (a copy)."""
        return dict(self._units)

    def unit(self, name: str) -> str:
        """Return the unit of metric ``name`` (``""`` when it has none).

        Raises
        ------
        KeyError
            If ``name`` is not a metric.
        """
        if name not in self._metrics:
            raise KeyError(name)
        return self._units.get(name, "")

    def number(self, name: str) -> float:
        """Return metric ``name`` as a float (``None``, not measured, is NaN).

        Raises
        ------
        KeyError
            If ``name`` is not a metric.
        InputError
            If the metric is text or a section.
        """
        value = self._metrics[name]
        if value is None:
            return math.nan
        if isinstance(value, bool | int | float):
            return float(value)
        raise InputError(
            f"summary metric {name!r} of {self._title!r} is {value!r}, not a number. "
            "Fix: read it with summary[name]."
        )

    def section(self, name: str) -> Summary:
        """Return the nested section ``name`` (e.g. ``"schedule"`` of a plan summary).

        Raises
        ------
        KeyError
            If ``name`` is not a metric.
        InputError
            If the metric is a scalar, not a section.
        """
        value = self._metrics[name]
        if isinstance(value, Summary):
            return value
        raise InputError(
            f"summary metric {name!r} of {self._title!r} is {value!r}, not a section. "
            "Fix: read it with summary[name]."
        )

    @property
    def breakdown(self) -> pd.DataFrame:
        """Per-row figures behind the metrics (a copy); empty when the result has none."""
        return pd.DataFrame() if self._breakdown is None else self._breakdown.copy()

    # conversions -------------------------------------------------------------------------
    def _flat(self, prefix: str = "") -> list[tuple[str, Scalar, str]]:
        rows: list[tuple[str, Scalar, str]] = []
        for name, value in self._metrics.items():
            if isinstance(value, Summary):
                rows.extend(value._flat(f"{prefix}{name}."))
            else:
                rows.append((prefix + name, value, self._units.get(name, "")))
        return rows

    def to_frame(self) -> pd.DataFrame:
        """Tidy table of the metrics: ``metric``, ``value`` (object), ``unit``.

        Sections are flattened with dotted names (``schedule.status``). The breakdown is
        not part of it (see :attr:`breakdown`).
        """
        rows = self._flat()
        return pd.DataFrame(
            {
                "metric": [r[0] for r in rows],
                "value": pd.Series([r[1] for r in rows], dtype=object),
                "unit": [r[2] for r in rows],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict of the metrics (JSON-ready; sections become dicts)."""
        return {
            name: value.to_dict() if isinstance(value, Summary) else value
            for name, value in self._metrics.items()
        }

    # display -----------------------------------------------------------------------------
    def __repr__(self) -> str:
        shown = [
            f"{name}={value!r}"
            for name, value in list(self._metrics.items())[:4]
            if not isinstance(value, Summary)
        ]
        more = len(self._metrics) - len(shown)
        parts = [*shown, *([f"+{more} more"] if more > 0 else [])]
        if self._breakdown is not None:
            rows, columns = self._breakdown.shape
            parts.append(f"<breakdown: {rows}x{columns}>")
        return f"Summary({self._title!r}: {', '.join(parts)})"

    def __str__(self) -> str:
        rows = self._flat()
        width = max((len(r[0]) for r in rows), default=0)
        numbers = [_text(r[1]) for r in rows if _is_number(r[1])]
        number_width = max((len(t) for t in numbers), default=0)
        lines = [self._title]
        for name, value, unit in rows:
            text = _text(value).rjust(number_width) if _is_number(value) else _text(value)
            lines.append(f"  {name.ljust(width)}  {text}  {unit}".rstrip())
        if self._breakdown is not None:
            lines.append("breakdown:")
            lines.append(self._breakdown.to_string(index=False))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """HTML table of the metrics (and the breakdown) for notebooks."""
        body = "".join(
            f"<tr><td>{html.escape(name)}</td><td style='text-align:right'>"
            f"{html.escape(_text(value))}</td><td>{html.escape(unit)}</td></tr>"
            for name, value, unit in self._flat()
        )
        parts = [
            f"<div class='wfm-summary'><strong>{html.escape(self._title)}</strong>",
            "<table><thead><tr><th>metric</th><th>value</th><th>unit</th></tr></thead>",
            f"<tbody>{body}</tbody></table>",
        ]
        if self._breakdown is not None:
            parts.append(
                self._breakdown.to_html(
                    index=False, max_rows=_BREAKDOWN_HTML_ROWS, classes="wfm-breakdown"
                )
            )
        parts.append("</div>")
        return "".join(parts)


_SUFFIX_UNITS = (
    ("_seconds", "seconds"),
    ("_hours", "hours"),
    ("_fte", "FTE"),
    ("_cost", "currency"),
    ("_contacts", "contacts"),
    ("_agents", "agents"),
    ("_rate", "fraction"),
    ("_share", "fraction"),
)
_FRACTION_NAMES = ("service_level", "occupancy", "adherence", "conformance", "probability")
_FRACTION_WORDS = frozenset({"wape", "bias", "gap", "shrinkage", "share"})


def units_from_names(names: Iterable[str], **overrides: str) -> dict[str, str]:
    """Units of metrics named by the library's convention, plus explicit ``overrides``.

    A metric name states its unit the way the library's column names do: ``*_seconds`` is
    seconds, ``*_hours`` hours (names with ``agent_hours`` agent-hours), ``*_fte`` FTE, ``*_cost``
    the plan's currency, ``*_contacts`` contacts, ``*_agents`` agents, ``*_rate`` and
    ``*_share`` fractions, and names that contain ``service_level`` or start with
    ``occupancy``, ``adherence``, ``conformance`` or ``probability`` (or are ``wape``,
    ``bias``, ``gap``, ``shrinkage``) fractions 0 to 1. Other names get no unit unless overridden.
    """
    units: dict[str, str] = {}
    for name in names:
        if name.startswith(_FRACTION_NAMES) or name in _FRACTION_WORDS or "service_level" in name:
            units[name] = "fraction"
            continue
        if "agent_hours" in name:
            units[name] = "agent-hours"
            continue
        for suffix, unit in _SUFFIX_UNITS:
            if name.endswith(suffix):
                units[name] = unit
                break
    units.update(overrides)
    return units
