"""The base of every model read from a user's file: a number must be written as a number.

Pydantic's lax mode turns the text "500" into 500 and true into 1.0, so `employees = "500"`
or `negativity_bias = true` in a scenario would run as if they were numbers. `CheckedModel`
refuses text and true/false wherever a field (or the items of a tuple or list field) holds
integers or floats; the error names the key like any other validation error.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationInfo, field_validator

_NUMBERS = (int, float)


def _holds_numbers(annotation: Any) -> tuple[bool, bool]:
    """Whether a field's type takes numbers, and whether it takes them as items of a sequence.

    A type that also takes text (`float | str`) is left alone: text is meant there.
    """
    options = (
        typing.get_args(annotation)
        if typing.get_origin(annotation) in (typing.Union, types.UnionType)
        else (annotation,)
    )
    if str in options:
        return False, False
    scalar = any(option in _NUMBERS for option in options)
    items = any(
        typing.get_origin(option) in (tuple, list)
        and any(arg in _NUMBERS for arg in typing.get_args(option))
        and str not in typing.get_args(option)
        for option in options
    )
    return scalar, items


def not_a_number(value: Any) -> str | None:
    """What `value` is when it is text or true/false instead of a number; None otherwise."""
    if isinstance(value, bool | np.bool_):
        return "true or false"
    if isinstance(value, str | bytes):
        return "text"
    return None


class CheckedModel(BaseModel):
    """A pydantic model whose numeric fields refuse text and true/false."""

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value  # the common case, at once
        scalar, items = _numeric_field(cls, info.field_name or "")
        if scalar:
            kind = not_a_number(value)
            if kind is not None:
                raise ValueError(f"Input should be a number, not {kind}")
        if items and isinstance(value, list | tuple):
            for index, item in enumerate(value):
                kind = not_a_number(item)
                if kind is not None:
                    raise ValueError(f"Input should be numbers, not {kind} (item {index})")
        return value


@functools.cache
def _numeric_field(model: type[BaseModel], name: str) -> tuple[bool, bool]:
    field = model.model_fields.get(name)
    return (False, False) if field is None else _holds_numbers(field.annotation)
