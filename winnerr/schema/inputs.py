"""Turning Strawberry inputs into the plain dicts the resolvers validate."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry


def values_of(input_object: Any) -> dict[str, Any]:
    """The fields a client actually sent (those left UNSET are absent), by their Python names."""
    if input_object is None or input_object is strawberry.UNSET:
        return {}
    return {
        field.name: getattr(input_object, field.name)
        for field in dataclasses.fields(input_object)
        if getattr(input_object, field.name) is not strawberry.UNSET
    }
