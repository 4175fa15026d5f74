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
from types import UnionType
from typing import Any, Self, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError, ValidatorFunctionWrapHandler, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from wfm.core.errors import ModelInputError, describe_value
from wfm.core.validate import booleans_given_as_numbers

T = TypeVar("T")
_DEPTH: ContextVar[int] = ContextVar("wfm_model_validation_depth", default=0)


def fix(text: str) -> dict[str, Any]:
    """Return the ``json_schema_extra`` of a field whose bad values ``text`` mends.

    ``Field(gt=0, json_schema_extra=fix("give the handle time in seconds"))`` makes every
    constraint failure of that field (or of an item of it) end in ``Fix: <text>.`` instead
    of the generic advice; the hint also appears in the model's JSON schema.
    """
    return {"fix": text}


def located_error(
    model: type, loc: tuple[str | int, ...], value: Any, problem: str
) -> ValidationError:
    """Return a validation error at key path ``loc`` of ``model`` (for cross-field checks).

    Raised from a ``model_validator``, pydantic prefixes ``loc`` with the path of the model
    inside its parent, so the message names the full key path of the offending field.

    Parameters
    ----------
    model : type
        The model being validated.
    loc : tuple of str or int
        Key path of the offending field inside ``model``.
    value : object
        The offending value.
    problem : str
        What is wrong and ``Fix: ...``.
    """
    detail = InitErrorDetails(
        type=PydanticCustomError("wfm_invalid", "{problem}", {"problem": problem}),
        loc=loc,
        input=value,
    )
    return ValidationError.from_exception_data(model.__name__, [detail])


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """Return the pydantic model an annotation holds (``M``, ``M | None``), else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, UnionType):
        for arg in get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _items_of(annotation: Any) -> Any:
    """Return the item type of a container (``list[X]``, ``dict[K, X]``, ``X | None``)."""
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    if get_origin(annotation) in (Union, UnionType):
        containers = [arg for arg in args if get_args(arg)]
        return containers[0] if containers else annotation
    return args[-1] if args else annotation


def field_fix(model: type | None, loc: Sequence[Any]) -> str | None:
    """Return the fix declared (with :func:`fix`) on the field at key path ``loc``.

    Items of a list or dict field share the field's fix; a nested model's fields have
    their own.
    """
    annotation: Any = model
    found: str | None = None
    for part in loc:
        nested = _model_in(annotation)
        if nested is not None:
            info = nested.model_fields.get(part) if isinstance(part, str) else None
            if info is None:
                return found
            extra = info.json_schema_extra
            hint = extra.get("fix") if isinstance(extra, dict) else None
            found = hint if isinstance(hint, str) else None
            annotation = info.annotation
        else:
            annotation = _items_of(annotation)
    return found


def key_path(loc: Sequence[Any]) -> str:
    """Write a key path such as ``("queues", 0, "volume")`` as ``queues[0].volume``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + str(part)
    return text or "(top level)"


def describe_problems(
    problems: Sequence[Mapping[str, Any]], *, source: str, model: type | None = None
) -> str:
    """Describe validation problems one per line: key path, value, problem and fix.

    Parameters
    ----------
    problems : sequence of mapping
        pydantic error dicts (``loc``, ``msg``, ``type``, ``input``).
    source : str
        What was being validated (a model name or a file name), for the first line.
    model : type, optional
        The model validated; a field's own fix (declared with :func:`fix`) then replaces
        the generic advice.

    Returns
    -------
    str
        ``invalid <source>:`` then one ``  key.path[i] = value: problem. Fix: ...`` line
        each.
    """
    lines = [f"invalid {source}:"]
    for problem in problems:
        loc = tuple(problem.get("loc", ()))
        key = key_path(loc)
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
        hint = None if "Fix:" in message else field_fix(model, loc)
        advice = (
            "" if "Fix:" in message else f" Fix: {hint or 'give a valid value (see the docs)'}."
        )
        lines.append(f"  {key} = {describe_value(problem.get('input'))}: {message}.{advice}")
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
    return ModelInputError(describe_problems(problems, source=cls.__name__, model=cls), problems)


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
