"""The engine on frames: input contract, known pitfalls of other tools, BA1 exceptions, trails, a large frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wgs_east.acmg import combine
from wgs_east.acmg.ba1_exceptions import load_exceptions, normalise_hgvs_c
from wgs_east.acmg.codes import STAND_ALONE, STRONG, VERY_STRONG
from wgs_east.acmg.engine import SITE_CRITERIA, classify, classify_frame
from wgs_east.acmg.inputs import REQUIRED_COLUMNS
from wgs_east.acmg.settings import AcmgSettings
from wgs_east.acmg.synthetic import DEFAULT_ROW, synthetic_variants, variant_frame
from wgs_east.errors import InputError

HFE_C282Y = {
    "chrom": "chr6", "pos": 26092913, "ref": "G", "alt": "A", "gene": "HFE", "transcript": "NM_000410.3",
    "consequence": "missense", "hgvs_c": "NM_000410.3:c.845G>A", "gene_moi": "AR", "lof_mechanism": True,
    "pop_af": 0.03, "pop_an": 150_000, "popmax_af": 0.062, "popmax_an": 60_000, "pop_nhom": 150,
    "revel": 0.9, "spliceai": 0.0,
}  # fmt: skip


# --- contract --------------------------------------------------------------------------------------


def test_missing_required_columns_are_named():
    df = variant_frame().drop(columns=["revel", "gene_moi"])
    with pytest.raises(InputError) as err:
        classify_frame(df)
    text = str(err.value)
    assert "revel: required column missing" in text
    assert "gene_moi: required column missing" in text


def test_non_numeric_values_are_reported():
    df = variant_frame({"pop_af": "0.1"}, {"pop_af": "high"})
    with pytest.raises(InputError, match="pop_af: 1 non-numeric values, first 'high'"):
        classify_frame(df)


def test_optional_columns_may_be_absent():
    df = variant_frame({"consequence": "stop_gained"})[list(REQUIRED_COLUMNS)]
    assert classify_frame(df)["acmg_codes"].tolist() == ["PVS1,PM2_Supporting"]


def test_output_columns_index_and_dtypes():
    df = variant_frame({"consequence": "stop_gained"}, {}).set_axis(["v1", "v2"])
    out = classify_frame(df)
    assert out.index.tolist() == ["v1", "v2"]
    for c in SITE_CRITERIA:
        assert out[c].dtype == np.int8
    assert out["acmg_class"].cat.ordered
    assert out["acmg_points"].tolist() == [9, 1]
    assert out["acmg_class"].tolist() == ["Likely pathogenic", "Uncertain significance"]
    assert out["acmg_class_2015"].tolist() == ["Uncertain significance", "Uncertain significance"]
    assert out["acmg_conflict"].tolist() == [True, False]


def test_categorical_and_nullable_inputs_give_the_same_result():
    df = synthetic_variants(3000, seed=7)
    plain = df.astype({"gene": object, "consequence": object, "gene_moi": object, "popmax_pop": object})
    nullable = plain.astype({"pop_an": "Int64", "lof_mechanism": "boolean", "revel": "Float64"})
    a, b, c = classify_frame(df), classify_frame(plain), classify_frame(nullable)
    pd.testing.assert_frame_equal(a.astype({"acmg_codes": str}), b.astype({"acmg_codes": str}))
    pd.testing.assert_frame_equal(a.astype({"acmg_codes": str}), c.astype({"acmg_codes": str}))


# --- pitfalls ---------------------------------------------------------------------------------------


def test_ba1_together_with_pvs1_is_benign_with_the_conflict_visible():
    row = {"consequence": "stop_gained", "pop_af": 0.07, "pop_an": 150_000}
    out = classify(variant_frame(row))
    assert out.frame["PVS1"].iloc[0] == VERY_STRONG
    assert out.frame["BA1"].iloc[0] == STAND_ALONE
    assert out.frame["acmg_class"].iloc[0] == "Benign"
    assert out.frame["acmg_codes"].iloc[0] == "PVS1,BA1"
    assert out.frame["PM2"].iloc[0] == 0
    assert "BA1 classifies Benign despite pathogenic evidence" in combine(["PVS1", "BA1"]).notes[0]


def test_last_exon_frameshift_is_pvs1_strong_not_very_strong():
    out = classify_frame(variant_frame({"consequence": "frameshift", "nmd_escape": True}))
    assert out["acmg_codes"].iloc[0] == "PVS1_Strong,PM2_Supporting"
    assert out["acmg_points"].iloc[0] == 5
    assert out["acmg_class"].iloc[0] == "Uncertain significance"


def test_pvs1_variant_never_also_gets_pp3():
    rows = [
        {"consequence": "splice_donor", "spliceai": 0.95},
        {"consequence": "stop_gained&splice_region", "spliceai": 0.5},
        {"consequence": "splice_donor", "spliceai": 0.95, "lof_mechanism": False},  # no PVS1: PP3 allowed
    ]
    out = classify_frame(variant_frame(*rows))
    assert out["PVS1"].tolist() == [VERY_STRONG, VERY_STRONG, 0]
    assert out["PP3"].tolist() == [0, 0, 1]


def test_multiallelic_alleles_are_classified_independently():
    site = {"chrom": "chr2", "pos": 5000, "ref": "C"}
    common = {**site, "alt": "T", "consequence": "missense", "pop_af": 0.2, "pop_an": 150_000, "revel": 0.9,
              "hgvs_c": "c.100C>T", "spliceai": 0.0}  # fmt: skip
    rare = {**site, "alt": "A", "consequence": "stop_gained", "hgvs_c": "c.100C>A"}
    out = classify_frame(variant_frame(common, rare))
    assert out["acmg_class"].tolist() == ["Benign", "Likely pathogenic"]
    assert out["acmg_codes"].tolist() == ["PP3_Moderate,BA1", "PVS1,PM2_Supporting"]
    alone = classify_frame(variant_frame(rare))
    assert alone["acmg_codes"].iloc[0] == out["acmg_codes"].iloc[1]


# --- BA1 exception list -----------------------------------------------------------------------------


def test_packaged_exception_list_is_the_published_nine():
    ex = load_exceptions()
    assert len(ex.hgvs) == 9
    assert ex.genes == {"ACAD9", "GJB2", "HFE", "MEFV", "PIBF1", "ACADS", "BTD"}
    assert ("HFE", "c.845g>a") in ex.hgvs
    assert ("BTD", "c.1330g>c") in ex.hgvs
    assert ("ACAD9", "c.-44_-41dup") in ex.hgvs
    assert len(ex.alleles) == 9


def test_normalise_hgvs_c():
    s = pd.Series(["NM_000410.3:c.845G>A", "c.845G>A (p.Cys282Tyr)", "NM_014049.4:c.-44_-41dupTAAG", "c.-44_-41dup"])
    assert normalise_hgvs_c(s).tolist() == ["c.845g>a", "c.845g>a", "c.-44_-41dup", "c.-44_-41dup"]


def test_exception_blocks_ba1_bs1_bs2():
    other = {**HFE_C282Y, "hgvs_c": "NM_000410.3:c.800G>A", "pos": 26092868}
    out = classify_frame(variant_frame(HFE_C282Y, other))
    assert out["acmg_ba1_exception"].tolist() == [True, False]
    assert out["BA1"].tolist() == [0, STAND_ALONE]
    assert out["BS1"].tolist() == [0, 0]  # second: BS1 not counted again under BA1
    assert out["BS2"].tolist() == [0, STRONG]
    # the exception keeps the frequency codes away; the rest of the evidence decides
    assert out["acmg_codes"].tolist() == ["PP3_Moderate", "PP3_Moderate,BA1,BS2"]
    assert out["acmg_class"].tolist() == ["Uncertain significance", "Benign"]


def test_exception_matched_by_grch38_allele_when_the_transcript_differs():
    row = {**HFE_C282Y, "hgvs_c": "ENST00000357618.10:c.999G>A", "chrom": "6"}
    out = classify_frame(variant_frame(row))
    assert out["acmg_ba1_exception"].iloc[0]
    assert out["BA1"].iloc[0] == 0


def test_exception_acad9_dup_spelling_and_custom_list(tmp_path):
    acad9 = {"gene": "ACAD9", "consequence": "5_prime_utr", "hgvs_c": "NM_014049.4:c.-44_-41dup",
             "pop_af": 0.12, "pop_an": 150_000, "gene_moi": "AR", "chrom": "chr1", "pos": 1}  # fmt: skip
    assert classify_frame(variant_frame(acad9))["BA1"].iloc[0] == 0
    custom = tmp_path / "ex.tsv"
    custom.write_text("# my list\ngene\thgvs_c\nGENE1\tc.100+50A>G\n")
    row = {"pop_af": 0.2, "pop_an": 150_000}
    assert classify_frame(variant_frame(row))["BA1"].iloc[0] == STAND_ALONE
    s = AcmgSettings(ba1_exception_list=custom)
    out = classify_frame(variant_frame(row, acad9), settings=s)
    assert out["BA1"].tolist() == [0, STAND_ALONE]  # the custom list replaces the packaged one


# --- trail ------------------------------------------------------------------------------------------


def test_trail_names_the_deciding_values():
    rows = [
        {"consequence": "missense", "revel": 0.81, "spliceai": 0.0, "clinvar_same_aa_stars": 2},
        {"consequence": "intron"},
    ]
    res = classify(variant_frame(*rows))
    trail = res.frame["acmg_trail"].tolist()
    assert trail[0] == (
        "PS1: same amino-acid change as a ClinVar Pathogenic record (2 stars >= 2); "
        "PP3_Moderate: REVEL=0.810 >= 0.773; PM2_Supporting: absent from the population resource"
    )
    assert trail[1] == ""  # VUS: not reported
    assert res.trail([1]).iloc[0] == "PM2_Supporting: absent from the population resource"


def test_trail_for_frequency_names_population():
    row = {"popmax_af": 0.08, "popmax_an": 5000, "popmax_pop": "eas", "pop_af": 0.01, "pop_an": 150_000}
    res = classify(variant_frame(row), trail="all")
    assert res.frame["acmg_trail"].iloc[0] == "BA1: eas AF=0.08 > 0.05 (AN=5000)"


def test_vectorised_codes_agree_with_scalar_combine():
    df = synthetic_variants(5000, seed=3)
    out = classify_frame(df, trail="none")
    sample = out.drop_duplicates("acmg_codes")
    assert len(sample) > 20
    for _, row in sample.iterrows():
        codes = [c for c in str(row["acmg_codes"]).split(",") if c]
        one = combine(codes)
        assert one.points == row["acmg_points"]
        assert one.classification == row["acmg_class"]
        assert one.acmg2015 == row["acmg_class_2015"]


def test_engine_on_a_large_frame_keeps_every_row_in_order():
    """200,000 rows (the rate is measured by bench/bench_acmg_engine.py): one output row per input row,
    and the row-by-row combination agrees with the vectorised one on a sample of them."""
    df = synthetic_variants(200_000, seed=5)
    out = classify_frame(df)
    assert len(out) == len(df)
    assert (out.index == df.index).all()
    for _, r in out.sample(200, random_state=1).iterrows():
        assert combine([c for c in str(r["acmg_codes"]).split(",") if c]).points == r["acmg_points"]


def test_default_row_is_the_documented_contract():
    assert set(REQUIRED_COLUMNS) <= set(DEFAULT_ROW)
