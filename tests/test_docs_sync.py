"""The checked-in JSON Schema and config/README.md field table are generated from the models."""

from __future__ import annotations

from tests.conftest import REPO
from wgs_east.config import docs


def test_json_schema_is_up_to_date() -> None:
    checked_in = (REPO / docs.SCHEMA_PATH).read_text()
    assert checked_in == docs.json_schema_text(), "run: wgs-east schema --update ."


def test_config_readme_table_is_up_to_date() -> None:
    current = (REPO / docs.README_PATH).read_text()
    assert docs.markdown_table() in current, "run: wgs-east schema --update ."
    assert docs.render_readme(current) == current


def test_every_model_field_is_documented() -> None:
    from pydantic import BaseModel

    from wgs_east.config import models

    for obj in vars(models).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not models.Model:
            for name, field in obj.model_fields.items():
                assert field.description, f"{obj.__name__}.{name} has no docstring"
