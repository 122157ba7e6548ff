"""Sample-dependent criteria: PS2/PM6 (de novo) and PM3/BP2 (phase), and the two-pass helper."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wgs_east.acmg.codes import MODERATE, STRONG, SUPPORTING, VERY_STRONG
from wgs_east.acmg.combine import LIKELY_PATHOGENIC, PATHOGENIC, UNCERTAIN
from wgs_east.acmg.engine import classify_frame
from wgs_east.acmg.family import (
    MATERNAL,
    PATERNAL,
    UNKNOWN,
    classify_family,
    de_novo,
    parental_origin,
    phase_criteria,
)
from wgs_east.acmg.settings import AcmgSettings
from wgs_east.acmg.synthetic import variant_frame
from wgs_east.errors import InputError


def _dn(child, father, mother, fdp=30, mdp=30, confirmed=True, **kw):
    ps2, pm6 = de_novo(
        np.array([child]), np.array([father]), np.array([mother]), np.array([fdp]), np.array([mdp]),
        parentage_confirmed=confirmed, **kw,
    )  # fmt: skip
    return int(ps2[0]), int(pm6[0])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((1, 0, 0), (STRONG, 0)),
        ((1, 0, 0, 30, 30, False), (0, MODERATE)),  # parentage not confirmed: PM6
        ((1, 0, 0, 10, 10), (STRONG, 0)),  # at the minimum depth
        ((1, 0, 0, 9, 30), (0, 0)),  # father below
        ((1, 0, 0, 30, 9), (0, 0)),  # mother below
        ((1, 1, 0), (0, 0)),  # inherited
        ((1, 0, 1), (0, 0)),
        ((2, 0, 0), (0, 0)),  # proband homozygous
        ((0, 0, 0), (0, 0)),
        ((1, -1, 0), (0, 0)),  # father missing
        ((-1, 0, 0), (0, 0)),
    ],
)
def test_de_novo(args, expected):
    assert _dn(*args) == expected


def test_de_novo_depth_thresholds_and_proband_depth():
    assert _dn(1, 0, 0, 14, 14, min_parent_dp=15) == (0, 0)
    assert _dn(1, 0, 0, 15, 15, min_parent_dp=15) == (STRONG, 0)
    ps2, _ = de_novo(np.array([1, 1]), np.zeros(2), np.zeros(2), np.full(2, 30), np.full(2, 30),
                     parentage_confirmed=np.array([True, True]), proband_dp=np.array([9, 10]))  # fmt: skip
    assert ps2.tolist() == [0, STRONG]


def test_parental_origin():
    child = np.array([1, 1, 1, 1, 1, 2, 1])
    father = np.array([1, 0, 1, 0, -1, 1, 2])
    mother = np.array([0, 1, 1, 0, 0, 1, 0])
    assert parental_origin(child, father, mother).tolist() == [PATERNAL, MATERNAL, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, PATERNAL]


def _phase(origins, classes, recessive=True, dominant_only=False, groups=None):
    n = len(origins)
    return phase_criteria(
        np.zeros(n, dtype=int) if groups is None else np.array(groups), np.array(origins), np.array(classes),
        np.full(n, recessive), np.full(n, dominant_only),
    )  # fmt: skip


def test_pm3_in_trans_with_pathogenic_or_likely_pathogenic_in_recessive_gene():
    pm3, bp2 = _phase([PATERNAL, MATERNAL], [UNCERTAIN, PATHOGENIC])
    assert pm3.tolist() == [MODERATE, 0]
    assert bp2.tolist() == [0, 0]
    pm3, _ = _phase([PATERNAL, MATERNAL], [UNCERTAIN, LIKELY_PATHOGENIC])
    assert pm3.tolist() == [SUPPORTING, 0]
    pm3, _ = _phase([PATERNAL, MATERNAL], [UNCERTAIN, UNCERTAIN])
    assert pm3.tolist() == [0, 0]
    pm3, _ = _phase([PATERNAL, MATERNAL], [UNCERTAIN, PATHOGENIC], recessive=False)
    assert pm3.tolist() == [0, 0]


def test_both_pathogenic_in_trans_support_each_other():
    pm3, _ = _phase([PATERNAL, MATERNAL], [PATHOGENIC, LIKELY_PATHOGENIC])
    assert pm3.tolist() == [SUPPORTING, MODERATE]


def test_bp2_in_cis_or_in_trans_in_dominant_gene():
    _, bp2 = _phase([PATERNAL, PATERNAL], [UNCERTAIN, PATHOGENIC])
    assert bp2.tolist() == [SUPPORTING, 0]  # the P variant itself gets no BP2
    pm3, bp2 = _phase([PATERNAL, MATERNAL], [UNCERTAIN, PATHOGENIC], recessive=False, dominant_only=True)
    assert (pm3.tolist(), bp2.tolist()) == ([0, 0], [SUPPORTING, 0])
    _, bp2 = _phase([PATERNAL, MATERNAL], [UNCERTAIN, PATHOGENIC], recessive=True, dominant_only=False)
    assert bp2.tolist() == [0, 0]


def test_phase_stays_within_sample_and_gene_and_unknown_phase_counts_half():
    pm3, bp2 = _phase([PATERNAL, MATERNAL], [UNCERTAIN, PATHOGENIC], groups=[0, 1])
    assert (pm3.tolist(), bp2.tolist()) == ([0, 0], [0, 0])
    # SVI PM3 v1.0 Table 1, "phase unknown": a P partner 0.5 point -> Supporting; no BP2 (cis not known)
    pm3, bp2 = _phase([UNKNOWN, MATERNAL], [UNCERTAIN, PATHOGENIC])
    assert (pm3.tolist(), bp2.tolist()) == ([SUPPORTING, 0], [0, 0])
    pm3, _ = _phase([UNKNOWN, UNKNOWN], [UNCERTAIN, PATHOGENIC])
    assert pm3.tolist() == [SUPPORTING, 0]
    # an LP partner at 0.5 point in trans counts 0.25 with phase unknown: below Supporting, nothing
    pm3, _ = _phase([PATERNAL, UNKNOWN], [UNCERTAIN, LIKELY_PATHOGENIC])
    assert pm3.tolist() == [0, 0]
    # confirmed in trans outranks phase unknown (one row per proband: the best)
    pm3, _ = _phase([PATERNAL, MATERNAL, UNKNOWN], [UNCERTAIN, PATHOGENIC, PATHOGENIC])
    assert pm3.tolist()[0] == MODERATE


def test_pm3_homozygous_occurrence_and_hemizygous_calls():
    from wgs_east.acmg.family import biallelic_mechanism, homozygous_occurrence

    # SVI PM3 v1.0 Table 1 "homozygous occurrence": 0.5 point -> Supporting, only in a recessive gene
    hom = homozygous_occurrence(np.array([2, 2, 2, 2, 1]), np.array([1, 0, -1, 1, 0]), np.array([1, 1, -1, 1, 0]),
                                np.zeros(5, bool), np.array([False, False, False, True, False]))  # fmt: skip
    assert hom.tolist() == [True, False, True, False, False]  # a hom-ref parent or a frequent variant: not
    pm3, _ = phase_criteria(np.arange(2), np.array([UNKNOWN, UNKNOWN]), np.array([UNCERTAIN, UNCERTAIN]),
                            np.array([True, False]), np.array([False, True]), homozygous=np.array([True, True]))  # fmt: skip
    assert pm3.tolist() == [SUPPORTING, 0]
    # a male's X calls are one haplotype: never in trans (no PM3), every other P/LP call in cis (BP2)
    pm3, bp2 = phase_criteria(np.zeros(2, int), np.array([MATERNAL, UNKNOWN]), np.array([UNCERTAIN, PATHOGENIC]),
                              np.ones(2, bool), np.zeros(2, bool), hemizygous=np.ones(2, bool))  # fmt: skip
    assert (pm3.tolist(), bp2.tolist()) == ([0, 0], [SUPPORTING, 0])
    # X-linked recessive gene on the X: biallelic in a female (PM3, no BP2 in trans), not in a male
    rec, dom = biallelic_mechanism(np.zeros(3, bool), np.ones(3, bool), np.ones(3, bool),
                                   np.array([True, True, False]), np.array([False, True, False]))  # fmt: skip
    assert rec.tolist() == [True, False, False] and dom.tolist() == [False, True, True]


# --- two-pass helper ----------------------------------------------------------------------------------

AR = {"gene": "CFTR", "gene_moi": "AR", "chrom": "chr7"}


def _trio_calls(rows, **extra):
    base = {"sample": "KID1", "father_dp": 30, "mother_dp": 30, "proband_dp": 30, "parentage_confirmed": True}
    return pd.DataFrame([{**base, **r, **extra} for r in rows])


def test_classify_family_two_pass_pm3_from_a_pathogenic_partner():
    settings = AcmgSettings(genes={"CFTR": {"strengths": {"PM2": "Moderate"}}})
    variants = variant_frame(
        {**AR, "pos": 100, "consequence": "missense", "revel": 0.8, "spliceai": 0.0, "hgvs_c": "c.10A>G"},  # PP3_M + PM2
        {**AR, "pos": 200, "consequence": "stop_gained", "hgvs_c": "c.20C>T"},  # PVS1 + PM2 = 10: P
        {"gene": "OTHER", "gene_moi": "AD", "pos": 300, "consequence": "stop_gained"},
    )
    site = classify_frame(variants, settings)
    assert site["acmg_class"].tolist()[:2] == ["Uncertain significance", "Pathogenic"]
    calls = _trio_calls([
        {"row": 0, "proband_ac": 1, "father_ac": 1, "mother_ac": 0},
        {"row": 1, "proband_ac": 1, "father_ac": 0, "mother_ac": 1},
        {"row": 2, "proband_ac": 1, "father_ac": 0, "mother_ac": 0},  # de novo in another gene
    ])  # fmt: skip
    out = classify_family(variants, site, calls, settings)
    assert out["PM3"].tolist() == [MODERATE, 0, 0]
    assert out["PS2"].tolist() == [0, 0, MODERATE]  # SVI de novo v1.1: confirmed, default phenotype row = 1 point
    assert out["acmg_codes"].tolist()[0] == "PM2,PM3,PP3_Moderate"
    assert out["acmg_class"].tolist() == ["Likely pathogenic", "Pathogenic", "Pathogenic"]
    assert out["sample"].tolist() == ["KID1"] * 3  # the calls' own columns are kept


def test_classify_family_pm6_without_confirmed_parentage_and_bp2_in_cis():
    variants = variant_frame(
        {**AR, "pos": 100, "consequence": "missense", "revel": 0.5, "spliceai": 0.0},
        {**AR, "pos": 200, "consequence": "stop_gained"},
    )
    site = classify_frame(variants)
    calls = _trio_calls([
        {"row": 0, "proband_ac": 1, "father_ac": 1, "mother_ac": 0},
        {"row": 1, "proband_ac": 1, "father_ac": 1, "mother_ac": 0},
    ])  # fmt: skip
    out = classify_family(variants, site, calls)
    assert out["BP2"].tolist() == [SUPPORTING, 0]  # in cis with an LP variant
    denovo = _trio_calls([{"row": 0, "proband_ac": 1, "father_ac": 0, "mother_ac": 0}], parentage_confirmed=False)
    out = classify_family(variants, site, denovo)
    assert (out["PS2"].iloc[0], out["PM6"].iloc[0]) == (0, 0)  # an AR-only gene admits no de novo cause
    out = classify_family(variants, site, denovo, AcmgSettings(genes={"CFTR": {"moi": "AD"}}))
    assert (out["PS2"].iloc[0], out["PM6"].iloc[0]) == (0, SUPPORTING)  # assumed, default row: 0.5 point


def test_de_novo_points_rows():
    """SVI de novo v1.1 Table 1 x Table 2 for one occurrence: rows not consistent / heterogeneous / consistent /
    highly specific; confirmed 0 / 0.5 / 1 / 2 points, assumed 0 / 0.25 / 0.5 / 1."""
    from wgs_east.acmg.family import de_novo_points_strength

    assert de_novo_points_strength(np.array([0, 0.25, 0.5, 1, 2, 3.5, 4])).tolist() == [
        0, 0, SUPPORTING, MODERATE, STRONG, STRONG, VERY_STRONG]
    ones = np.ones(4, dtype=np.int64)
    rows = np.arange(4)
    for confirmed, expected in ((True, [0, SUPPORTING, MODERATE, STRONG]), (False, [0, 0, SUPPORTING, MODERATE])):
        ps2, pm6 = de_novo(ones, 0 * ones, 0 * ones, 30 * ones, 30 * ones, parentage_confirmed=confirmed,
                           phenotype=rows, use_points=True)  # fmt: skip
        assert (ps2 if confirmed else pm6).tolist() == expected


def test_classify_family_no_phase_evidence_outside_genes():
    """Calls without a gene are no group: an intergenic VUS is not 'in cis' with an intergenic P/LP call."""
    variants = variant_frame(
        {"pos": 100, "gene": None, "gene_moi": None, "consequence": "intron", "spliceai": 0.0},
        {"pos": 900, "gene": None, "gene_moi": None, "consequence": "intron", "spliceai": 0.0},
    )
    site = classify_frame(variants)
    site.loc[1, "PVS1"] = VERY_STRONG  # a P/LP call outside any gene (as if by other evidence)
    site.loc[1, "PS1"] = STRONG
    calls = _trio_calls([
        {"row": 0, "proband_ac": 1, "father_ac": 1, "mother_ac": 0},
        {"row": 1, "proband_ac": 1, "father_ac": 1, "mother_ac": 0},
    ])  # fmt: skip
    out = classify_family(variants, site, calls)
    assert out["acmg_class"].iloc[1] == "Pathogenic"
    assert out["BP2"].tolist() == [0, 0] and out["PM3"].tolist() == [0, 0]


def test_classify_family_checks_its_input():
    variants = variant_frame({})
    site = classify_frame(variants)
    with pytest.raises(InputError, match="mother_dp: required column missing"):
        classify_family(variants, site, pd.DataFrame({"sample": ["A"], "row": [0], "proband_ac": [1],
                                                      "father_ac": [0], "mother_ac": [0], "father_dp": [10]}))  # fmt: skip
    with pytest.raises(InputError, match="not positions in the variants frame"):
        classify_family(variants, site, _trio_calls([{"row": 5, "proband_ac": 1, "father_ac": 0, "mother_ac": 0}]))
