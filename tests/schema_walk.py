"""Walking request body models: each scalar field's path and type, and a body that reaches it."""

from __future__ import annotations

import enum
import types
from collections.abc import Iterator
from datetime import datetime
from inspect import isclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel

Path = tuple[str | int, ...]
COERCIBLE: dict[Any, list[Any]] = {
    int: ["1", True, 1.0],
    float: ["1", True],
    bool: ["true", 1, 0],
    str: [1, True],
    datetime: [1_795_000_000, "1795000000", 1_795_000_000.5],
    AwareDatetime: [1_795_000_000, "1795000000", 1_795_000_000.5],
}
"""For each type, values of other JSON types that lax mode turns into a valid one."""


def scalar_fields(model: type[BaseModel], prefix: Path = ()) -> Iterator[tuple[Path, Any]]:
    for name, info in model.model_fields.items():
        yield from _scalars(info.annotation, (*prefix, name))


def _scalars(annotation: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        yield from _scalars(args[0], path)
    elif origin in (Union, types.UnionType):
        for arg in args:
            if arg is not type(None):
                yield from _scalars(arg, path)
    elif origin is list:
        yield from _scalars(args[0], (*path, 0))
    elif origin is Literal or (isclass(annotation) and issubclass(annotation, enum.Enum)):
        yield path, str
    elif isclass(annotation) and issubclass(annotation, BaseModel):
        yield from scalar_fields(annotation, path)
    elif annotation in COERCIBLE:
        yield path, annotation
    # dicts (attributes, business hours) hold strings under names; lax str coerces nothing into one


def body_with(path: Path, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    return [body_with(rest, value)] if isinstance(head, int) else {head: body_with(rest, value)}


def field_name(path: Path) -> str:
    """How a problem's `errors` name the field at `path` (`sections[0].address.lat`)."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")
