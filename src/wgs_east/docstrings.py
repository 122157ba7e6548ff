"""Field descriptions of the pydantic models from their attribute docstrings, attached on demand.

The models document each field with a docstring under it (PEP 257 attribute docstrings). pydantic's
``use_attribute_docstrings`` reads them when a class is created, by walking the interpreter's frames and
parsing each class's source: measured 0.06 s of every ``wgs-east`` command's start (importing the
settings, config and manifest modules: 0.18 s with it, 0.12 s without; 2026-12-06, this machine), for
descriptions that only the generated documentation reads (JSON Schema, the field table of
config/README.md, ``wgs-east schema``). :func:`attach` sets them when that documentation is made, the
same way: the string literal right under an annotated field, cleaned by :func:`inspect.cleandoc`,
a subclass's docstring over its base's, a description given with ``Field(description=...)`` kept.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing
from typing import Any

from pydantic import BaseModel

_SHARED: dict[type, type] = {}
"""Model -> the model whose docstrings it uses (a model made by ``create_model`` has no source)."""
_DONE: set[type] = set()


def share(model: type[BaseModel], source: type[BaseModel]) -> None:
    """``model``'s fields take the docstrings of ``source``'s fields of the same name."""
    _SHARED[model] = source


def attribute_docstrings(cls: type) -> dict[str, str]:
    """Field name -> docstring of ``cls`` and its pydantic bases (the subclass's wins)."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass is BaseModel or not (isinstance(klass, type) and issubclass(klass, BaseModel)):
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError, SyntaxError):
            continue
        node = tree.body[0] if tree.body else None
        body = node.body if isinstance(node, ast.ClassDef) else []
        for a, b in zip(body, body[1:], strict=False):
            if (isinstance(a, ast.AnnAssign) and isinstance(a.target, ast.Name) and isinstance(b, ast.Expr)
                    and isinstance(b.value, ast.Constant) and isinstance(b.value.value, str)):  # fmt: skip
                docs[a.target.id] = inspect.cleandoc(b.value.value)
    return docs


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in typing.get_args(annotation) for m in _models(a)]


def attach(*roots: type[BaseModel]) -> None:
    """Set the descriptions of every model reachable from ``roots`` (field types, nested) and rebuild
    their schemas, nested models first; each model once per process."""
    order: list[type[BaseModel]] = []
    seen: set[type] = set()

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for f in model.model_fields.values():
            for sub in _models(f.annotation):
                visit(sub)
        order.append(model)

    for root in roots:
        visit(root)
    for model in order:
        if model in _DONE:
            continue
        docs = attribute_docstrings(_SHARED.get(model, model))
        changed = False
        for name, f in model.model_fields.items():
            if f.description is None and name in docs:
                f.description = docs[name]
                changed = True
        if changed:
            model.model_rebuild(force=True)
        _DONE.add(model)
