"""ACMG settings: defaults, YAML loading, per-gene overrides (expert-panel specifications), errors."""

from __future__ import annotations

import numpy as np
import pytest

from wgs_east.acmg.codes import MODERATE, SUPPORTING
from wgs_east.acmg.engine import classify_frame
from wgs_east.acmg.settings import (
    AcmgSettings,
    CriteriaSettings,
    GeneParams,
    load_settings,
    settings_from_dict,
)
from wgs_east.acmg.synthetic import variant_frame
from wgs_east.errors import InputError

VCEP_YAML = """
pm2_max_af_dominant: 0.00001
genes:
  MYH7:
    moi: AD
    ba1_af: 0.001
    bs1_af_dominant: 0.0002
    pm2_max_af_dominant: 0.00004
  GJB2:
    ba1_af: 0.005
    bs1_af_recessive: 0.003
    strengths: {PM2: Moderate}
    disabled: [BP3]
"""


def test_defaults_are_the_published_values():
    s = AcmgSettings()
    assert (s.pp3_revel_supporting, s.pp3_revel_moderate, s.pp3_revel_strong) == (0.644, 0.773, 0.932)
    assert (s.bp4_revel_supporting, s.bp4_revel_moderate, s.bp4_revel_strong, s.bp4_revel_very_strong) == (
        0.290, 0.183, 0.016, 0.003,
    )  # fmt: skip
    assert (s.pp3_spliceai, s.bp4_spliceai) == (0.2, 0.1)
    assert (s.ba1_af, s.frequency_min_an) == (0.05, 2000)
    assert (s.bp7_min_donor_offset, s.bp7_min_acceptor_offset) == (7, 21)
    assert s.strengths == {"PM2": "Supporting"}


def test_every_field_has_a_docstring():
    from wgs_east import docstrings

    docstrings.attach(AcmgSettings)  # descriptions are attached for the documentation (wgs_east/docstrings.py)
    for name, field in AcmgSettings.model_fields.items():
        assert field.description, name


def test_load_yaml_with_gene_overrides(tmp_path):
    path = tmp_path / "acmg.yaml"
    path.write_text(VCEP_YAML)
    s = load_settings(path)
    assert s.pm2_max_af_dominant == 0.00001
    myh7 = s.for_gene("MYH7")
    assert (myh7.ba1_af, myh7.bs1_af_dominant, myh7.pm2_max_af_dominant) == (0.001, 0.0002, 0.00004)
    assert myh7.pp3_revel_strong == 0.932  # not overridden: global value
    gjb2 = s.for_gene("GJB2")
    assert gjb2.strengths == {"PM2": "Moderate"}
    assert gjb2.disabled == ("BP3",)
    assert s.for_gene("OTHER").ba1_af == 0.05
    assert s.gene_moi("MYH7") == "AD"


def test_strengths_merge_over_the_global_entries():
    s = AcmgSettings(strengths={"PM2": "Supporting", "PS1": "Moderate"}, genes={"X": {"strengths": {"PM2": "Moderate"}}})
    assert s.for_gene("X").strengths == {"PM2": "Moderate", "PS1": "Moderate"}


def test_overrides_apply_per_row_in_one_frame(tmp_path):
    s = settings_from_dict({"genes": {"GJB2": {"strengths": {"PM2": "Moderate"}}}})
    out = classify_frame(variant_frame({"gene": "GJB2"}, {"gene": "OTHER"}), settings=s)
    assert out["PM2"].tolist() == [MODERATE, SUPPORTING]


def test_moi_override_changes_the_inheritance_class():
    row = {"pop_af": 0.00005, "pop_an": 150_000, "gene_moi": "AD"}
    assert classify_frame(variant_frame(row))["PM2"].iloc[0] == 0
    s = AcmgSettings(genes={"GENE1": {"moi": "AR"}})
    assert classify_frame(variant_frame(row), settings=s)["PM2"].iloc[0] == SUPPORTING


def test_gene_params_scalar_unless_overridden():
    s = AcmgSettings(genes={"B": {"ba1_af": 0.01}})
    codes = np.array([0, 1, 0, -1])
    p = GeneParams(s, codes, np.array(["A", "B"], dtype=object))
    assert p.get("pp3_spliceai") == 0.2
    assert p.get("ba1_af").tolist() == [0.05, 0.01, 0.05, 0.05]
    none_here = GeneParams(s, np.array([0]), np.array(["A"], dtype=object))
    assert none_here.get("ba1_af") == 0.05


@pytest.mark.parametrize(
    ("data", "loc", "message"),
    [
        ({"ba1_afx": 0.1}, "ba1_afx", "Extra inputs are not permitted"),
        ({"ba1_af": 1.5}, "ba1_af", "less than or equal to 1"),
        ({"pp3_revel_moderate": 0.5}, "", "pp3_revel_supporting <= pp3_revel_moderate"),
        ({"bp4_spliceai": 0.3}, "", "bp4_spliceai must be below pp3_spliceai"),
        ({"pm2_max_af_dominant": 0.01}, "", "pm2_max_af_dominant must be below bs1_af_dominant"),
        ({"strengths": {"PP3": "Strong"}}, "strengths", "cannot set the strength of PP3"),
        ({"disabled": ["PX9"]}, "disabled", "unknown criteria PX9"),
        ({"pvs1_nmd_escape_strength": "Huge"}, "pvs1_nmd_escape_strength", "Input should be"),
        ({"genes": {"MYH7": {"ba1_af": 2}}}, "", "genes.MYH7: ba1_af: Input should be less than or equal to 1"),
        ({"genes": {"MYH7": {"pm2_max_af_dominant": 0.1}}}, "", "genes.MYH7: pm2_max_af_dominant must be below"),
        ({"genes": {"MYH7": {"nonsense": 1}}}, "genes.MYH7.nonsense", "Extra inputs"),
    ],
)
def test_invalid_settings_name_the_field(data, loc, message):
    with pytest.raises(InputError) as err:
        settings_from_dict(data, "acmg.yaml")
    problems = err.value.problems
    assert any(p.loc == loc and message in p.msg for p in problems), problems
    assert str(err.value).startswith("acmg.yaml: ")


def test_load_settings_file_errors(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        load_settings(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a list\n")
    with pytest.raises(InputError, match="top level must be a mapping"):
        load_settings(bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert load_settings(empty) == AcmgSettings()


def test_relative_exception_list_resolves_against_the_yaml(tmp_path):
    (tmp_path / "ex.tsv").write_text("gene\thgvs_c\nGENE1\tc.1A>G\n")
    path = tmp_path / "acmg.yaml"
    path.write_text("ba1_exception_list: ex.tsv\n")
    assert load_settings(path).ba1_exception_list == tmp_path / "ex.tsv"


def test_settings_are_frozen_and_the_schema_is_generated():
    s = AcmgSettings()
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError on frozen models
        s.ba1_af = 0.1  # type: ignore[misc]
    from wgs_east import docstrings

    docstrings.attach(AcmgSettings)
    schema = AcmgSettings.model_json_schema()
    assert schema["additionalProperties"] is False
    assert "Pejaver" not in schema["properties"]["pp3_revel_strong"]["description"]
    assert "REVEL" in schema["properties"]["pp3_revel_strong"]["description"]
    gene_schema = schema["$defs"]["GeneSettings"]["properties"]
    assert "REVEL" in gene_schema["pp3_revel_strong"]["description"]
    assert set(CriteriaSettings.model_fields) | {"moi"} == set(gene_schema)
