"""The base of every pydantic model in ``wfm``: bad input raises :class:`ModelInputError`.

pydantic raises its own ``ValidationError``; the library's rule is that every bad input at
a public boundary raises a :class:`~wfm.core.errors.WfmError` subclass naming the field,
the value and the fix. :class:`WfmModel` turns the outermost validation failure of a model
(built directly, or through ``model_validate``/``model_validate_json``/
``model_validate_strings``) into a :class:`~wfm.core.errors.ModelInputError`. Validation of
a model nested inside another keeps pydantic's own error, so the outer model reports the
full key path (``queues.0.service.target_seconds``) once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any, Self, TypeVar

from pydantic import BaseModel, ValidationError, ValidatorFunctionWrapHandler, model_validator

from wfm.core.errors import ModelInputError, describe_value
from wfm.core.validate import booleans_given_as_numbers

T = TypeVar("T")
_DEPTH: ContextVar[int] = ContextVar("wfm_model_validation_depth", default=0)


def describe_problems(problems: Sequence[Mapping[str, Any]], *, source: str) -> str:
    """Describe validation problems one per line: key path, value, problem and fix.

    Parameters
    ----------
    problems : sequence of mapping
        pydantic error dicts (``loc``, ``msg``, ``type``, ``input``).
    source : str
        What was being validated (a model name or a file name), for the first line.

    Returns
    -------
    str
        ``invalid <source>:`` then one ``  key.path = value: problem. Fix: ...`` line each.
    """
    lines = [f"invalid {source}:"]
    for problem in problems:
        key = ".".join(str(part) for part in problem.get("loc", ())) or "(top level)"
        kind = problem.get("type")
        if kind == "extra_forbidden":
            lines.append(
                f"  {key}: unknown key, extra fields are not allowed (value "
                f"{describe_value(problem.get('input'))}). Fix: "
                "remove it or check its spelling against the docs."
            )
            continue
        if kind == "missing":
            lines.append(f"  {key}: required key is missing. Fix: add it.")
            continue
        message = str(problem.get("msg", "")).removeprefix("Value error, ")
        fix = "" if "Fix:" in message else " Fix: give a valid value (see the docs)."
        lines.append(f"  {key} = {describe_value(problem.get('input'))}: {message}.{fix}")
    return "\n".join(lines)


@contextmanager
def _validating() -> Iterator[bool]:
    """Yield whether this is the outermost model validation in progress."""
    depth = _DEPTH.get()
    token = _DEPTH.set(depth + 1)
    try:
        yield depth == 0
    finally:
        _DEPTH.reset(token)


def _model_error(cls: type, error: ValidationError) -> ModelInputError:
    problems = error.errors(include_url=False)
    return ModelInputError(describe_problems(problems, source=cls.__name__), problems)


def _validate_as_library(cls: type, validate: Callable[[], T]) -> T:
    """Run ``validate``; at the outermost level turn a ``ValidationError`` into ours."""
    with _validating() as outermost:
        try:
            return validate()
        except ValidationError as error:
            if not outermost:
                raise
            raise _model_error(cls, error) from None


class WfmModel(BaseModel):
    """Base of wfm's pydantic models: invalid input raises :class:`ModelInputError`."""

    def __init__(self, /, **data: Any) -> None:
        _validate_as_library(type(self), partial(super().__init__, **data))

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        extra: Any = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Validate ``obj`` (see pydantic); invalid input raises :class:`ModelInputError`."""
        options = _options(
            strict=strict,
            extra=extra,
            from_attributes=from_attributes,
            context=context,
            by_alias=by_alias,
            by_name=by_name,
        )
        validated: Self = _validate_as_library(cls, partial(super().model_validate, obj, **options))
        return validated

    @classmethod
    def model_validate_json(
        cls,
        json_data: str | bytes | bytearray,
        *,
        strict: bool | None = None,
        extra: Any = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Validate JSON text (see pydantic); invalid input raises :class:`ModelInputError`."""
        options = _options(
            strict=strict, extra=extra, context=context, by_alias=by_alias, by_name=by_name
        )
        validated: Self = _validate_as_library(
            cls, partial(super().model_validate_json, json_data, **options)
        )
        return validated

    @classmethod
    def model_validate_strings(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        extra: Any = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Validate string data (see pydantic); invalid input raises :class:`ModelInputError`."""
        options = _options(
            strict=strict, extra=extra, context=context, by_alias=by_alias, by_name=by_name
        )
        validated: Self = _validate_as_library(
            cls, partial(super().model_validate_strings, obj, **options)
        )
        return validated


class NumbersNotBooleansModel(WfmModel):
    """A model whose numeric fields, at any depth, refuse ``true``/``false``.

    pydantic reads a boolean as 1 or 0 where a number is meant; for documents a person
    writes (a TOML run configuration, a JSON capacity plan) that is a mistake to name.
    """

    @model_validator(mode="wrap")
    @classmethod
    def _no_booleans_for_numbers(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """Refuse ``true``/``false`` where a number is meant (pydantic would read 1 or 0)."""
        model = handler(data)
        paths = booleans_given_as_numbers(data, model)
        if paths:
            raise ValueError(
                f"{', '.join(paths)} is a boolean where a number is meant (true would be read "
                "as 1); write the number instead"
            )
        return model


def _options(**given: Any) -> dict[str, Any]:
    """Only the options the caller set (older pydantic versions lack some of them)."""
    return {name: value for name, value in given.items() if value is not None}
