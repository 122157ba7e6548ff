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


def test_docstrings_are_attached_only_on_demand() -> None:
    """Descriptions come from the attribute docstrings when the documentation asks (wgs_east/docstrings.py),
    the same text pydantic's ``use_attribute_docstrings`` gave: cleaned, a subclass's over its base's,
    a model made by ``create_model`` sharing another's."""
    import subprocess
    import sys

    code = ("from wgs_east.acmg.settings import AcmgSettings, GeneSettings\n"
            "assert AcmgSettings.model_fields['ba1_af'].description is None\n"
            "from wgs_east import docstrings\n"
            "docstrings.attach(AcmgSettings)\n"
            "d = AcmgSettings.model_fields['ba1_af'].description\n"
            "assert d and not d.startswith(' ') and '\\n    ' not in d, d\n"
            "assert GeneSettings.model_fields['ba1_af'].description == d\n"
            "assert GeneSettings.model_json_schema()['properties']['ba1_af']['description'] == d\n")  # fmt: skip
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_model_field_is_documented() -> None:
    from pydantic import BaseModel

    from wgs_east import docstrings
    from wgs_east.config import models

    for obj in vars(models).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not models.Model:
            docstrings.attach(obj)  # as the documentation does (wgs_east/docstrings.py)
            for name, field in obj.model_fields.items():
                assert field.description, f"{obj.__name__}.{name} has no docstring"
