"""Deprecated names kept working for one release, with a ``DeprecationWarning``."""

from __future__ import annotations

import warnings
from typing import TypeVar

from wfm.core.errors import InputError

T = TypeVar("T")

REMOVED_IN = "0.3.0"
"""The release that drops the names deprecated in this one."""


def renamed_keyword(
    function: str, old: str, new: str, old_value: T | None, new_value: T | None
) -> T | None:
    """Return the value of a keyword argument that was renamed from ``old`` to ``new``.

    Parameters
    ----------
    function : str
        The public function's name, for the messages.
    old, new : str
        Former and current keyword names.
    old_value, new_value : object or None
        What the caller passed under each name (None when not given).

    Returns
    -------
    object or None
        ``new_value``, or ``old_value`` (with a ``DeprecationWarning``) when only the old
        keyword was given.

    Raises
    ------
    InputError
        If both keywords were given.
    """
    if old_value is None:
        return new_value
    if new_value is not None:
        raise InputError(
            f"{function}() got both {old}={old_value!r} and {new}={new_value!r}. "
            f"Fix: give only {new}= ({old}= is its deprecated former name)."
        )
    warnings.warn(
        f"{function}({old}=...) is deprecated and goes in wfm {REMOVED_IN}; use {new}= instead",
        DeprecationWarning,
        stacklevel=3,
    )
    return old_value
