"""Schema errors explained: pydantic's errors turned into problems a contributor can act on.

Each problem names the file, line, column and field, says what was wrong in plain words, and
where it can, hints at the fix: a did-you-mean for a misspelt key or value, or a valid example.
"""

from __future__ import annotations

import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from generator import schema
from generator.errors import Problem, did_you_mean, shown
from generator.source import Document

M = TypeVar("M", bound=BaseModel)

def problems_from(doc: Document, exc: ValidationError, prefix: tuple = (),
                  cls: type[BaseModel] = schema.Model) -> list[Problem]:
    """Every error of ``exc`` (raised validating ``cls`` at ``prefix`` in ``doc``) as a problem."""
    problems = []
    for err in exc.errors():
        loc = prefix + tuple(err["loc"])
        name = str(loc[-1]) if loc else ""
        message, hint = err["msg"], ""
        kind, value, ctx = err["type"], err.get("input"), err.get("ctx", {})
        if kind == "extra_forbidden":
            message = f"unknown key {shown(name)}"
            model_fields = _fields_at(cls, tuple(err["loc"])[:-1])
            hint = did_you_mean(name, model_fields) or "allowed keys: " + ", ".join(model_fields)
        elif kind == "missing":
            message = f"required key '{name}' is missing"
        elif kind == "literal_error":
            message = f"{shown(value)} is not allowed"
            options = schema.LEVELS if "level" in loc else schema.KINDS if "kind" in loc else ()
            hint = did_you_mean(str(value), options)
        elif kind == "value_error":
            message = message.removeprefix("Value error, ")
        elif value is None and kind.endswith("_type"):
            message = "no value given"
            hint = "write the value after the colon"
        elif kind in _EXPECTED:
            message = f"expected {_EXPECTED[kind]}, found {describe(value)}"
            free_text = str(loc[-1]) in _FREE_TEXT or (isinstance(loc[-1], int) and str(loc[-2]) in _FREE_TEXT)
            if kind == "string_type" and free_text and isinstance(value, bool):
                hint = "put the text in quotes: YAML reads yes, no, on, off, true and false as true/false"
            elif kind == "string_type" and free_text and isinstance(value, (int, float)):
                hint = "put it in quotes"
            elif kind == "list_type":
                hint = "make it a list: [first, second], or one '- item' line per item"
        elif kind == "string_too_short":
            message = "must not be empty"
        elif kind == "string_too_long":
            message = f"text is {len(value)} characters long; the limit is {ctx.get('max_length')}"
            hint = "shorten it; link to the source for the details"
        elif kind == "too_long":
            message = f"has {len(value)} items; the limit is {ctx.get('max_length')}"
        elif kind == "greater_than":
            message = f"must be greater than {ctx.get('gt')}"
        elif kind == "greater_than_equal":
            message = f"must be at least {ctx.get('ge')}"
        field = _field_at(cls, tuple(err["loc"]))
        example = schema.field_hint(field, item=isinstance(loc[-1], int)) if field and loc else ""
        if example and example not in hint:
            hint = f"{hint} ({example})" if hint else example
        problems.append(doc.problem(loc, message, hint))
    return problems


def _fields_at(cls: type[BaseModel], loc: tuple) -> list[str]:
    """The allowed keys of the object at ``loc`` inside ``cls``, following the schema's nested models
    through lists (an index in ``loc``) and mappings (a key such as a component or language code)."""
    return list(_model_at(cls, loc).model_fields)


def _field_at(cls: type[BaseModel], loc: tuple) -> FieldInfo | None:
    """The schema field a value at ``loc`` inside ``cls`` belongs to (for a list item, the list's field)."""
    keys = list(loc)
    while keys and isinstance(keys[-1], int):
        keys.pop()
    if not keys:
        return None
    return _model_at(cls, tuple(keys[:-1])).model_fields.get(str(keys[-1]))


def _model_at(cls: type[BaseModel], loc: tuple) -> type[BaseModel]:
    current: type[BaseModel] = cls
    annotation: Any = None
    for key in loc:
        if isinstance(key, int):
            continue
        if annotation is not None and _is_mapping(annotation):
            annotation = None  # ``key`` names an entry of the mapping; its value is ``current``
            continue
        field = current.model_fields.get(str(key))
        nested = _model_in(field.annotation) if field else None
        if nested is None:
            break
        current, annotation = nested, field.annotation
    return current


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The schema class inside an annotation such as ``list[Link]`` or ``dict[str, Component] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _is_mapping(annotation: Any) -> bool:
    if typing.get_origin(annotation) is dict:
        return True
    return any(_is_mapping(arg) for arg in typing.get_args(annotation))


def validate_as(doc: Document, cls: type[M], problems: list[Problem], prefix: tuple = ()) -> M | None:
    data = doc.data
    for key in prefix:
        data = data[key]
    if not isinstance(data, dict):
        problems.append(doc.problem(prefix, f"expected a mapping of keys to values, found {describe(data)}",
                                    "" if prefix else "write one 'key: value' per line; `openmodels new` drafts "
                                                      "a model entry"))
        return None
    key = (doc.display, cls, prefix)
    if validated is not None and key in validated and validated[key][0] is doc:
        return validated[key][1]
    try:
        value = cls.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from(doc, exc, prefix, cls))
        return None
    if validated is not None:
        validated[key] = (doc, value)
    return value


validated: dict[tuple[str, type, tuple], tuple[Document, Any]] | None = None
"""Where ``validate_as`` keeps what it made of each document, in a process that reads the same catalog
again and again (``openmodels serve``, with generator.source's ``parsed``, which hands back the same
Document for an unchanged file); None (the default) validates every time. The schema's objects are frozen."""


_FREE_TEXT = {"name", "note", "title", "summary", "organisation", "key_facts", "label", "description"}
_EXPECTED = {
    "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "bool_type": "true or false", "list_type": "a list",
    "dict_type": "a mapping of keys to values", "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values", "float_type": "a number",
}


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {shown(value, 20)}"
    if isinstance(value, str):
        return f"the text {shown(value, 30)}"
    return {list: "a list", dict: "a mapping", type(None): "nothing"}.get(type(value), type(value).__name__)
