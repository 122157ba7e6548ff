"""Generated documentation of the batch config: JSON Schema and the field table of config/README.md."""

from __future__ import annotations

import json
import types
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel

from wgs_east import docstrings
from wgs_east.config.models import Batch

SCHEMA_PATH = "workflow/schemas/batch.schema.json"
README_PATH = "config/README.md"
BEGIN = "<!-- BEGIN GENERATED FIELD TABLE (wgs-east schema --markdown) -->"
END = "<!-- END GENERATED FIELD TABLE -->"


def json_schema() -> dict[str, Any]:
    docstrings.attach(Batch)
    schema = Batch.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "wgs-east batch configuration"
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " \\| ".join(f"`{m.value}`" for m in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    if annotation is type(None):
        return "null"
    return getattr(annotation, "__name__", str(annotation))


def _sub_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in typing.get_args(annotation) for m in _sub_models(a)]


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        if field.is_required():
            default = "required"
        else:
            d = field.get_default(call_default_factory=True)
            default = "" if isinstance(d, BaseModel) else f"`{json.dumps(d.value if isinstance(d, Enum) else d, default=str)}`"
        meta = [str(m.pattern) for m in field.metadata if getattr(m, "pattern", None)]
        desc = (field.description or "").replace("\n", " ")
        if meta:
            desc += f" Pattern `{meta[0]}`."
        rows.append(f"| `{path}` | {_type_name(field.annotation)} | {default} | {desc} |")
        for sub in _sub_models(field.annotation):
            is_list = typing.get_origin(field.annotation) is list or "list of" in _type_name(field.annotation)
            rows.extend(_rows(sub, f"{path}[]." if is_list else f"{path}."))
    return rows


def markdown_table() -> str:
    docstrings.attach(Batch)
    head = ["| field | type | default | meaning |", "|---|---|---|---|"]
    return "\n".join([BEGIN, *head, *_rows(Batch, ""), END]) + "\n"


def render_readme(current: str) -> str:
    """Replace the generated block of config/README.md (or append it)."""
    if BEGIN in current and END in current:
        before = current.split(BEGIN)[0]
        after = current.split(END, 1)[1].lstrip("\n")
        return before + markdown_table() + ("\n" + after if after else "")
    return current.rstrip("\n") + "\n\n" + markdown_table()
