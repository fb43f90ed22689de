"""Hold a JSON payload to one of the official SDK's pydantic response models.

The SDK is lenient by design: every model allows extra keys, enums accept any value and numbers
coerce from strings, so parsing alone would let an invented field through. A payload conforms
when the SDK parses it *and* a walk of the raw JSON against the model's annotations finds no key
the model does not define, no missing required key, no null where none is allowed, no scalar of
the wrong JSON type, and no enum value outside the ones the model lists.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any, Literal

import pydantic

_DATETIME = pydantic.TypeAdapter(dt.datetime)
_SCALARS: dict[type, tuple[type, ...]] = {str: (str,), int: (int,), float: (int, float),
                                          bool: (bool,)}


class ContractViolation(AssertionError):
    """A payload the SDK's response model does not describe."""


def violations(payload: Any, model: type[pydantic.BaseModel]) -> list[str]:
    """Every way ``payload`` departs from ``model``; empty when it conforms."""
    try:
        model.model_validate(payload)
    except pydantic.ValidationError as error:
        return [f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in error.errors()]
    found: list[str] = []
    _check(payload, model, "", found)
    return found


def assert_conforms(payload: Any, model: type[pydantic.BaseModel], what: str = "") -> None:
    problems = violations(payload, model)
    if problems:
        raise ContractViolation(f"{what or model.__name__} does not match the SDK's "
                                f"{model.__name__}:\n  " + "\n  ".join(problems))


def _check(value: Any, annotation: Any, path: str, found: list[str]) -> None:
    where = path or "<root>"
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        _check(value, typing.get_args(annotation)[0], path, found)
    elif annotation is Any:
        return
    elif origin in (typing.Union, types.UnionType):
        _check_union(value, typing.get_args(annotation), path, found)
    elif value is None:
        found.append(f"{where}: null where the model does not allow it")
    elif origin is Literal:
        if value not in typing.get_args(annotation):
            found.append(f"{where}: {value!r} is not one of {list(typing.get_args(annotation))}")
    elif isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        _check_object(value, annotation, path, found)
    elif origin in (list, typing.List, typing.Sequence):  # noqa: UP006 (the SDK spells List)
        if not isinstance(value, list):
            found.append(f"{where}: expected a list, got {type(value).__name__}")
            return
        (item,) = typing.get_args(annotation) or (Any,)
        for index, element in enumerate(value):
            _check(element, item, f"{path}[{index}]", found)
    elif origin in (dict, typing.Dict):  # noqa: UP006
        if not isinstance(value, dict):
            found.append(f"{where}: expected an object, got {type(value).__name__}")
            return
        _, item = typing.get_args(annotation) or (str, Any)
        for key, element in value.items():
            _check(element, item, f"{path}.{key}", found)
    elif annotation is dt.datetime:
        if not _is_timestamp(value):
            found.append(f"{where}: expected an RFC 3339 timestamp, got {value!r}")
    elif annotation in _SCALARS and not _is_json_type(value, annotation):
        found.append(f"{where}: expected {annotation.__name__}, got {value!r}")


def _is_json_type(value: Any, annotation: type) -> bool:
    """JSON ``true`` is not a number, whatever Python's ``bool`` subclassing says."""
    if isinstance(value, bool) and annotation is not bool:
        return False
    return isinstance(value, _SCALARS[annotation])


def _is_timestamp(value: Any) -> bool:
    try:
        _DATETIME.validate_python(value)
    except pydantic.ValidationError:
        return False
    return isinstance(value, str)


def _check_union(value: Any, options: tuple[Any, ...], path: str, found: list[str]) -> None:
    """``Optional[X]`` allows null; Fern's enums are ``Union[Literal[...], Any]``, and the Any
    there is only forward compatibility, so the emulator must stick to the listed values."""
    if value is None:
        if type(None) not in options:
            found.append(f"{path or '<root>'}: null where the model does not allow it")
        return
    real = [option for option in options if option is not type(None)]
    literals = [option for option in real if typing.get_origin(option) is Literal]
    if literals:
        _check(value, literals[0], path, found)
        return
    attempts = []
    for option in real:
        attempt: list[str] = []
        _check(value, option, path, attempt)
        if not attempt:
            return
        attempts.append(attempt)
    found.extend(min(attempts, key=len))


def _check_object(value: Any, model: type[pydantic.BaseModel], path: str,
                  found: list[str]) -> None:
    if not isinstance(value, dict):
        found.append(f"{path or '<root>'}: expected an object, got {type(value).__name__}")
        return
    fields = {field.alias or name: field for name, field in model.model_fields.items()}
    for key in value.keys() - fields.keys():
        found.append(f"{path}.{key}".lstrip(".") + f": key not defined by {model.__name__}")
    for key, field in fields.items():
        if key in value:
            _check(value[key], field.annotation, f"{path}.{key}".lstrip("."), found)
        elif field.is_required():
            found.append(f"{path}.{key}".lstrip(".") + f": required by {model.__name__}")
