"""Each site-level criterion at the edges of its thresholds (just below / at / above)."""

from __future__ import annotations

import numpy as np
import pytest

from wgs_east.acmg.codes import MODERATE, STAND_ALONE, STRONG, SUPPORTING, VERY_STRONG
from wgs_east.acmg.engine import classify_frame
from wgs_east.acmg.settings import AcmgSettings
from wgs_east.acmg.synthetic import variant_frame

COMMON = {"pop_an": 150_000, "popmax_an": 20_000}


def run(*rows, settings=None):
    return classify_frame(variant_frame(*rows), settings)


def strengths(criterion, *rows, settings=None):
    return run(*rows, settings=settings)[criterion].tolist()


# --- PVS1 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("consequence", "nmd_escape", "expected"),
    [
        ("stop_gained", False, VERY_STRONG),
        ("frameshift", False, VERY_STRONG),
        ("splice_donor", False, VERY_STRONG),
        ("splice_acceptor&intron", False, VERY_STRONG),
        ("stop_gained&splice_region", False, VERY_STRONG),
        ("frameshift_variant", False, VERY_STRONG),  # VEP spelling
        ("frameshift", True, STRONG),  # last exon: escapes NMD
        ("stop_gained", True, STRONG),
        ("start_lost", False, SUPPORTING),  # Abou Tayoun 2018 Fig. 1 default (no upstream pathogenic variants known)
        ("missense", False, 0),
        ("stop_lost", False, 0),
        ("inframe_deletion", False, 0),
        ("intron", False, 0),
    ],
)
def test_pvs1_by_consequence(consequence, nmd_escape, expected):
    assert strengths("PVS1", {"consequence": consequence, "nmd_escape": nmd_escape}) == [expected]


def test_pvs1_only_where_loss_of_function_is_the_mechanism():
    assert strengths("PVS1", {"consequence": "stop_gained", "lof_mechanism": False}) == [0]
    assert strengths("PVS1", {"consequence": "stop_gained", "lof_mechanism": None}) == [0]


def test_pvs1_strengths_are_settings():
    s = AcmgSettings(pvs1_nmd_escape_strength="Moderate", pvs1_start_lost_strength="Moderate")
    rows = [{"consequence": "frameshift", "nmd_escape": True}, {"consequence": "start_lost"}]
    assert strengths("PVS1", *rows, settings=s) == [MODERATE, MODERATE]
    capped = AcmgSettings(strengths={"PVS1": "Strong", "PM2": "Supporting"})
    assert strengths("PVS1", {"consequence": "stop_gained"}, settings=capped) == [STRONG]


# --- PS1 / PM5 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("stars", "expected"), [(-1, 0), (0, 0), (1, 0), (2, STRONG), (4, STRONG)])
def test_ps1_min_stars(stars, expected):
    assert strengths("PS1", {"consequence": "missense", "clinvar_same_aa_stars": stars}) == [expected]


@pytest.mark.parametrize(("stars", "expected"), [(1, 0), (2, MODERATE), (3, MODERATE)])
def test_pm5_min_stars(stars, expected):
    assert strengths("PM5", {"consequence": "missense", "clinvar_same_residue_stars": stars}) == [expected]


def test_ps1_pm5_missense_only_and_not_both():
    row = {"clinvar_same_aa_stars": 3, "clinvar_same_residue_stars": 3}
    assert strengths("PS1", {**row, "consequence": "synonymous"}) == [0]
    assert strengths("PM5", {**row, "consequence": "stop_gained"}) == [0]
    out = run({**row, "consequence": "missense"})
    assert (out["PS1"].iloc[0], out["PM5"].iloc[0]) == (STRONG, 0)
    both = run({**row, "consequence": "missense"}, settings=AcmgSettings(pm5_with_ps1=True))
    assert (both["PS1"].iloc[0], both["PM5"].iloc[0]) == (STRONG, MODERATE)


# --- PM2 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moi", "af", "expected"),
    [
        ("AD", 0.0000199, SUPPORTING),
        ("AD", 0.00002, SUPPORTING),
        ("AD", 0.0000201, 0),
        ("AR", 0.0001, SUPPORTING),
        ("AR", 0.000101, 0),
        ("AD|AR", 0.00005, 0),  # mixed: the dominant (stricter) maximum
        ("", 0.00005, 0),  # unknown: dominant maximum
        ("AR", 0.00005, SUPPORTING),
    ],
)
def test_pm2_inheritance_dependent_maximum(moi, af, expected):
    row = {**COMMON, "gene_moi": moi, "pop_af": af, "popmax_af": af}
    assert strengths("PM2", row) == [expected]


def test_pm2_absent_or_adequately_covered():
    assert strengths("PM2", {}) == [SUPPORTING]  # absent: pop_af NaN, pop_an -1
    assert strengths("PM2", {"pop_af": 0.0, "pop_an": 1999}) == [0]  # site poorly covered
    assert strengths("PM2", {"pop_af": 0.0, "pop_an": 2000}) == [SUPPORTING]
    # a high popmax counts only with an adequate popmax AN
    assert strengths("PM2", {"pop_af": 1e-6, "pop_an": 150_000, "popmax_af": 0.001, "popmax_an": 2000}) == [0]
    assert strengths("PM2", {"pop_af": 1e-6, "pop_an": 150_000, "popmax_af": 0.001, "popmax_an": 1999}) == [SUPPORTING]


def test_pm2_strength_moderate_by_setting():
    s = AcmgSettings(strengths={"PM2": "Moderate"})
    assert strengths("PM2", {}, settings=s) == [MODERATE]


# --- BA1 / BS1 / BS2 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("popmax_af", "popmax_an", "ba1"),
    [(0.0501, 2000, STAND_ALONE), (0.05, 2000, 0), (0.0499, 2000, 0), (0.2, 1999, 0), (0.2, 2001, STAND_ALONE)],
)
def test_ba1_popmax_above_five_percent_with_an_2000(popmax_af, popmax_an, ba1):
    row = {"pop_af": 0.001, "pop_an": 150_000, "popmax_af": popmax_af, "popmax_an": popmax_an, "gene_moi": "AR"}
    assert strengths("BA1", row) == [ba1]


def test_ba1_overall_frequency_needs_an_too():
    assert strengths("BA1", {"pop_af": 0.06, "pop_an": 2000}) == [STAND_ALONE]
    assert strengths("BA1", {"pop_af": 0.06, "pop_an": 1999}) == [0]


def test_ba1_threshold_per_gene():
    s = AcmgSettings(genes={"MYH7": {"ba1_af": 0.001, "bs1_af_dominant": 0.0002}})
    rows = [{"gene": "MYH7", "pop_af": 0.0011, **{"pop_an": 150_000}}, {"gene": "OTHER", "pop_af": 0.0011, "pop_an": 150_000}]
    out = run(*rows, settings=s)
    assert out["BA1"].tolist() == [STAND_ALONE, 0]
    assert out["BS1"].tolist() == [0, STRONG]  # BS1 not counted again under BA1


@pytest.mark.parametrize(
    ("moi", "af", "expected"),
    [
        ("AD", 0.001, 0),
        ("AD", 0.00101, STRONG),
        ("AR", 0.02, 0),
        ("AR", 0.0201, STRONG),
        ("AD|AR", 0.01, 0),  # mixed: recessive (lenient) threshold
        ("", 0.01, 0),  # unknown: recessive threshold
        ("XLR", 0.00101, STRONG),  # X-linked: dominant-like
    ],
)
def test_bs1_inheritance_dependent(moi, af, expected):
    assert strengths("BS1", {"gene_moi": moi, "pop_af": af, "pop_an": 150_000}) == [expected]


@pytest.mark.parametrize(
    ("moi", "nhom", "nhemi", "expected"),
    [
        ("AR", 1, 0, 0),
        ("AR", 2, 0, STRONG),
        ("AD", 10, 0, 0),  # dominant genes need the fully-penetrant flag
        ("XLR", 0, 1, 0),
        ("XLR", 0, 2, STRONG),
        ("XLD", 1, 1, STRONG),  # hemizygotes + homozygotes
        ("", 50, 50, 0),  # unknown inheritance: no BS2
    ],
)
def test_bs2_counts(moi, nhom, nhemi, expected):
    row = {"gene_moi": moi, "pop_af": 0.001, "pop_an": 150_000, "pop_nhom": nhom, "pop_nhemi": nhemi}
    assert strengths("BS2", row) == [expected]


def test_bs2_fully_penetrant_dominant_gene_override():
    s = AcmgSettings(genes={"GENE1": {"bs2_dominant_fully_penetrant": True}})
    row = {"gene_moi": "AD", "pop_af": 0.001, "pop_an": 150_000, "pop_nhom": 2}
    assert strengths("BS2", row, settings=s) == [STRONG]
    assert strengths("BS2", {**row, "gene": "GENE2"}, settings=s) == [0]


# --- PM4 / BP3 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("consequence", "in_repeat", "pm4", "bp3"),
    [
        ("inframe_deletion", False, MODERATE, 0),
        ("inframe_insertion", False, MODERATE, 0),
        ("inframe_altering", False, MODERATE, 0),
        ("inframe_deletion", True, 0, SUPPORTING),
        ("stop_lost", False, MODERATE, 0),
        ("stop_lost", True, 0, 0),
        ("missense", False, 0, 0),
        ("frameshift", False, 0, 0),
    ],
)
def test_pm4_bp3(consequence, in_repeat, pm4, bp3):
    out = run({"consequence": consequence, "in_repeat": in_repeat})
    assert (out["PM4"].iloc[0], out["BP3"].iloc[0]) == (pm4, bp3)


# --- PP3 / BP4 (REVEL, Pejaver 2022) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("revel", "pp3", "bp4"),
    [
        (0.932, STRONG, 0),
        (0.931, MODERATE, 0),
        (0.773, MODERATE, 0),
        (0.772, SUPPORTING, 0),
        (0.644, SUPPORTING, 0),
        (0.643, 0, 0),
        (0.5, 0, 0),
        (0.291, 0, 0),
        (0.290, 0, SUPPORTING),
        (0.184, 0, SUPPORTING),
        (0.183, 0, MODERATE),
        (0.017, 0, MODERATE),
        (0.016, 0, STRONG),
        (0.004, 0, STRONG),
        (0.003, 0, VERY_STRONG),
        (0.0, 0, VERY_STRONG),
        (np.nan, 0, 0),
    ],
)
def test_revel_bands(revel, pp3, bp4):
    """Pejaver 2022 Table 2 intervals (BP4 uncapped here; the default caps BP4 at Strong, see below)."""
    out = run({"consequence": "missense", "revel": revel, "spliceai": 0.0},
              settings=AcmgSettings(bp4_max_strength="VeryStrong"))
    assert (out["PP3"].iloc[0], out["BP4"].iloc[0]) == (pp3, bp4)


def test_missense_bp4_needs_no_predicted_splicing_impact():
    row = {"consequence": "missense", "revel": 0.1}
    assert strengths("BP4", {**row, "spliceai": 0.1}) == [MODERATE]
    assert strengths("BP4", {**row, "spliceai": 0.11}) == [0]
    assert strengths("BP4", {**row, "spliceai": np.nan}) == [0]  # default: Walker 2023, no score -> not evaluable
    lenient = AcmgSettings(bp4_allow_missing_spliceai=True)
    assert strengths("BP4", {**row, "spliceai": np.nan}, settings=lenient) == [MODERATE]


def test_pp3_takes_the_higher_of_revel_and_spliceai_never_the_sum():
    out = run(
        {"consequence": "missense", "revel": 0.5, "spliceai": 0.2},
        {"consequence": "missense", "revel": 0.8, "spliceai": 0.9},
        {"consequence": "missense", "revel": 0.1, "spliceai": 0.5},
    )
    assert out["PP3"].tolist() == [SUPPORTING, MODERATE, SUPPORTING]
    assert out["BP4"].tolist() == [0, 0, 0]


@pytest.mark.parametrize(
    ("consequence", "spliceai", "pp3", "bp4"),
    [
        ("intron", 0.2, SUPPORTING, 0),
        ("intron", 0.19, 0, 0),
        ("intron", 0.11, 0, 0),
        ("intron", 0.1, 0, SUPPORTING),
        ("intron", np.nan, 0, 0),
        ("synonymous", 0.0, 0, SUPPORTING),
        ("splice_region&intron", 0.05, 0, SUPPORTING),
        ("5_prime_utr", 0.0, 0, 0),  # splicing says nothing about a UTR variant's effect
        ("5_prime_utr", 0.3, SUPPORTING, 0),
        ("inframe_deletion", 0.0, 0, 0),
    ],
)
def test_spliceai_pp3_bp4(consequence, spliceai, pp3, bp4):
    out = run({"consequence": consequence, "spliceai": spliceai, "hgvs_c": "c.100+3A>G"})
    assert (out["PP3"].iloc[0], out["BP4"].iloc[0]) == (pp3, bp4)


# --- BP7 (Walker 2023) -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("consequence", "hgvs_c", "spliceai", "bp7"),
    [
        ("synonymous", "c.300C>T", 0.1, SUPPORTING),
        ("synonymous", "c.300C>T", 0.11, 0),
        ("synonymous", "c.300C>T", np.nan, 0),  # no score: no evidence of no impact
        ("intron", "NM_1.1:c.300+6C>T", 0.0, 0),
        ("intron", "NM_1.1:c.300+7C>T", 0.0, SUPPORTING),
        ("intron", "c.301-20C>T", 0.0, 0),
        ("intron", "c.301-21C>T", 0.0, SUPPORTING),
        ("intron", "c.301-21_301-19del", 0.0, 0),  # the range reaches -19
        ("intron", "c.300+150_300+160del", 0.0, SUPPORTING),
        ("intron", "c.-20+8C>T", 0.0, SUPPORTING),  # 5' UTR intron
        ("intron", "c.300+50C>T", 0.15, 0),
        ("missense", "c.300C>T", 0.0, 0),
        ("intron", "not-hgvs", 0.0, 0),
    ],
)
def test_bp7(consequence, hgvs_c, spliceai, bp7):
    assert strengths("BP7", {"consequence": consequence, "hgvs_c": hgvs_c, "spliceai": spliceai}) == [bp7]


def test_bp7_with_or_without_bp4_and_offsets_by_setting():
    row = {"consequence": "intron", "hgvs_c": "c.300+7C>T", "spliceai": 0.0}
    out = run(row)
    assert (out["BP7"].iloc[0], out["BP4"].iloc[0]) == (SUPPORTING, SUPPORTING)
    alone = run(row, settings=AcmgSettings(bp7_with_bp4=False))
    assert (alone["BP7"].iloc[0], alone["BP4"].iloc[0]) == (SUPPORTING, 0)
    deeper = AcmgSettings(genes={"GENE1": {"bp7_min_donor_offset": 8}})
    assert strengths("BP7", row, {**row, "gene": "GENE2"}, settings=deeper) == [0, SUPPORTING]


# --- retired / disabled ----------------------------------------------------------------------------


def test_clinvar_assertions_are_never_evidence():
    out = run({"consequence": "missense", "clinvar_sig": "Pathogenic", "clinvar_stars": 4, "revel": 0.5, "spliceai": 0.0})
    assert "PP5" not in out.columns and "BP6" not in out.columns
    assert out["acmg_codes"].iloc[0] == "PM2_Supporting"


def test_disabled_criteria_per_gene():
    s = AcmgSettings(genes={"GENE1": {"disabled": ["PM2", "PVS1"]}})
    out = run({"consequence": "stop_gained"}, {"consequence": "stop_gained", "gene": "GENE2"}, settings=s)
    assert out["acmg_codes"].tolist() == ["", "PVS1,PM2_Supporting"]
