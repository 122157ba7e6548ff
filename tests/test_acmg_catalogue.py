"""A hand-written clinical catalogue of ACMG/AMP cases (issue 24 item 8).

Each case is an input (engine annotations over ``acmg.synthetic.DEFAULT_ROW``: a rare intronic variant in an
AD loss-of-function gene, absent from the population resource; genotypes for the sample-level cases) with
the expected codes, Tavtigian points and class, and a comment citing the rule it checks. The expected
values were worked out by hand from the rules, not by running the engine:

- points (Tavtigian et al. 2020, Hum Mutat 41:1734, Table 2): Supporting 1, Moderate 2, Strong 4, Very
  Strong 8 (benign negative); bands <= -7 Benign, -6..-1 Likely benign, 0..5 VUS, 6..9 Likely
  pathogenic, >= 10 Pathogenic; BA1 gives Benign whatever else applies.
- PM2 at Supporting (ClinGen SVI PM2 v1.0, 2020); maxima 0.002 % dominant / 0.01 % recessive (settings).
- BA1 AF > 5 % with AN >= 2000, the exception list of Ghosh et al. 2018 (Hum Mutat 39:1525, Table 1).
- PP3/BP4 REVEL thresholds: Pejaver et al. 2022 (Am J Hum Genet 109:2163), Table 2.
- SpliceAI PP3 >= 0.2, BP4/BP7 <= 0.1, BP7 at c.N+7 / c.N-21 or beyond: Walker et al. 2023 (Am J Hum Genet
  110:1046), Figure 2 and recommendations.
- PS1 / PM5 / PM4 / BP3 / PVS1 / BS1 / BS2: Richards et al. 2015 (Genet Med 17:405), Table 3 and 4.
- BS1 on the filtering allele frequency (FAF95, gnomAD ``fafmax_faf95_max``; Whiffin et al. 2017, Genet Med
  19:1151: the 95 % lower bound is what is compared with a maximum credible AF); per-gene thresholds from a VCEP
  (Hearing Loss VCEP v1 2018: BS1 >= 0.02 % for autosomal dominant genes).
- A population record that is present but filtered (FILTER not PASS, e.g. gnomAD AS_VQSR / AC0: the site or
  every high-quality genotype failed gnomAD's QC) is no evidence of frequency (BA1/BS1/BS2) nor of absence
  (PM2; ClinGen SVI PM2 v1.0 asks for adequate, reliable coverage before absence counts): not evaluable.
- BS2 X-linked: gnomAD v4 makes XY genotypes haploid on non-PAR X (gnomad_methods adjusted_sex_ploidy_expr);
  the resource build writes nhemi = AC_XY and nhomalt = nhomalt_XX there, so hemizygotes + homozygotes count
  each individual once.
- Pejaver et al. 2022 recommendations: computational evidence at most Strong (BP4 <= 0.003 Very Strong in
  Table 2 is capped at Strong); missense BP4 only with SpliceAI <= 0.1 (Walker 2023), a missing SpliceAI
  score makes it not evaluable.
- PS2 / PM6: ClinGen SVI "Recommendation for de novo criteria (PS2 & PM6)" v1.1: points per occurrence by
  phenotype (highly specific: confirmed 2 / assumed 1; consistent, not highly specific 1 / 0.5; with high
  genetic heterogeneity 0.5 / 0.25; not consistent 0), points -> Supporting 0.5, Moderate 1, Strong 2, Very
  Strong 4; confirmed = parentage confirmed by QC (Richards 2015 Table 3).
- PM3: ClinGen SVI "Recommendation for in trans criterion (PM3)" v1.0, Table 1 (points per proband: other
  variant P/LP confirmed in trans 1.0, phase unknown 0.5; homozygous occurrence 0.5, rare and not due to a
  deletion) and Table 2 (0.5 Supporting, 1 Moderate, 2 Strong, 4 Very Strong); a Likely pathogenic partner one
  step down (0.5 in trans, 0.25 phase unknown). BP2 in cis / in trans in a dominant gene: Richards 2015; an X-linked
  recessive gene is biallelic in a female, a male's X calls are all in cis.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wgs_east.acmg.engine import classify, classify_frame
from wgs_east.acmg.family import classify_family
from wgs_east.acmg.settings import AcmgSettings
from wgs_east.acmg.synthetic import variant_frame

AR = {"gene": "GENEAR", "gene_moi": "AR"}
XLR = {"gene": "GENEX", "gene_moi": "XLR", "chrom": "chrX"}
MIS = {"consequence": "missense", "hgvs_c": "c.100A>G", "spliceai": 0.0}
POP = {"pop_an": 150_000, "popmax_an": 20_000}

# (id, annotations, expected codes (sorted set), points, class, rule)
SITE_CASES = [
    ("stop_gained_lof_gene", {"consequence": "stop_gained", "hgvs_c": "c.100C>T"},
     "PM2_Supporting,PVS1", 9, "Likely pathogenic", "Richards 2015 PVS1; SVI PM2_Supporting; Tavtigian 8+1"),
    ("frameshift_lof_gene", {"consequence": "frameshift", "hgvs_c": "c.100del"},
     "PM2_Supporting,PVS1", 9, "Likely pathogenic", "Richards 2015 PVS1 (frameshift is a null variant)"),
    ("stop_gained_not_lof_mechanism", {"consequence": "stop_gained", "lof_mechanism": False},
     "PM2_Supporting", 1, "Uncertain significance", "Richards 2015: PVS1 only where LOF is a disease mechanism"),
    ("stop_gained_common", {"consequence": "stop_gained", "pop_af": 0.06, **POP},
     "BA1,PVS1", -8 + 8, "Benign", "Richards 2015 BA1 stand-alone; Tavtigian 2020: BA1 overrides the points"),
    ("stop_gained_ar_rare", {**AR, "consequence": "stop_gained", "pop_af": 8e-5, **POP},
     "PM2_Supporting,PVS1", 9, "Likely pathogenic", "SVI PM2: recessive maximum 0.01 % (8e-5 is below)"),
    ("stop_gained_ad_above_pm2", {"consequence": "stop_gained", "pop_af": 8e-5, **POP},
     "PVS1", 8, "Likely pathogenic", "SVI PM2: dominant maximum 0.002 % (8e-5 is above); below BS1 0.1 %"),
    ("missense_revel_strong", {**MIS, "revel": 0.95},
     "PM2_Supporting,PP3_Strong", 5, "Uncertain significance", "Pejaver 2022 Table 2: REVEL >= 0.932 Strong"),
    ("missense_revel_at_strong", {**MIS, "revel": 0.932},
     "PM2_Supporting,PP3_Strong", 5, "Uncertain significance", "Pejaver 2022 Table 2: the bound is inclusive"),
    ("missense_revel_below_strong", {**MIS, "revel": 0.931},
     "PM2_Supporting,PP3_Moderate", 3, "Uncertain significance", "Pejaver 2022 Table 2: [0.773, 0.932) Moderate"),
    ("missense_revel_at_moderate", {**MIS, "revel": 0.773},
     "PM2_Supporting,PP3_Moderate", 3, "Uncertain significance", "Pejaver 2022 Table 2: 0.773 Moderate"),
    ("missense_revel_supporting", {**MIS, "revel": 0.644},
     "PM2_Supporting,PP3", 2, "Uncertain significance", "Pejaver 2022 Table 2: [0.644, 0.773) Supporting"),
    ("missense_revel_indeterminate", {**MIS, "revel": 0.643},
     "PM2_Supporting", 1, "Uncertain significance", "Pejaver 2022 Table 2: (0.290, 0.644) no evidence"),
    ("missense_revel_bp4", {**MIS, "revel": 0.290},
     "BP4,PM2_Supporting", 0, "Uncertain significance", "Pejaver 2022 Table 2: <= 0.290 BP4 Supporting"),
    ("missense_revel_bp4_moderate", {**MIS, "revel": 0.183},
     "BP4_Moderate,PM2_Supporting", -1, "Likely benign", "Pejaver 2022 Table 2: <= 0.183 BP4 Moderate"),
    ("missense_revel_bp4_strong", {**MIS, "revel": 0.016},
     "BP4_Strong,PM2_Supporting", -3, "Likely benign", "Pejaver 2022 Table 2: <= 0.016 BP4 Strong"),
    ("missense_spliceai_pp3", {**MIS, "revel": 0.5, "spliceai": 0.25},
     "PM2_Supporting,PP3", 2, "Uncertain significance", "Walker 2023: SpliceAI >= 0.2 gives PP3"),
    ("synonymous_no_splice", {"consequence": "synonymous", "hgvs_c": "c.102A>G", "spliceai": 0.05},
     "BP4,BP7,PM2_Supporting", -1, "Likely benign", "Walker 2023: synonymous with SpliceAI <= 0.1: BP7 and BP4"),
    ("synonymous_no_score", {"consequence": "synonymous", "hgvs_c": "c.102A>G"},
     "PM2_Supporting", 1, "Uncertain significance", "Walker 2023: BP7 needs a prediction of no splicing impact"),
    ("intron_plus7", {"hgvs_c": "c.100+7A>G", "spliceai": 0.0},
     "BP4,BP7,PM2_Supporting", -1, "Likely benign", "Walker 2023: intronic at +7 or beyond: BP7"),
    ("intron_plus6", {"hgvs_c": "c.100+6A>G", "spliceai": 0.0},
     "BP4,PM2_Supporting", 0, "Uncertain significance", "Walker 2023: +6 is inside the BP7 exclusion"),
    ("intron_minus21", {"hgvs_c": "c.101-21A>G", "spliceai": 0.0},
     "BP4,BP7,PM2_Supporting", -1, "Likely benign", "Walker 2023: intronic at -21 or beyond: BP7"),
    ("intron_minus20", {"hgvs_c": "c.101-20A>G", "spliceai": 0.0},
     "BP4,PM2_Supporting", 0, "Uncertain significance", "Walker 2023: -20 is inside the BP7 exclusion"),
    ("inframe_deletion", {"consequence": "inframe_deletion", "hgvs_c": "c.100_102del"},
     "PM2_Supporting,PM4", 3, "Uncertain significance", "Richards 2015 PM4: in-frame deletion outside a repeat"),
    ("inframe_deletion_in_repeat", {"consequence": "inframe_deletion", "hgvs_c": "c.100_102del", "in_repeat": True},
     "BP3,PM2_Supporting", 0, "Uncertain significance", "Richards 2015 BP3: in-frame indel in a repeat"),
    ("stop_lost", {"consequence": "stop_lost", "hgvs_c": "c.300A>G"},
     "PM2_Supporting,PM4", 3, "Uncertain significance", "Richards 2015 PM4: stop-loss"),
    ("ps1_same_amino_acid", {**MIS, "revel": 0.5, "clinvar_same_aa_stars": 2},
     "PM2_Supporting,PS1", 5, "Uncertain significance", "Richards 2015 PS1: same amino-acid change as a pathogenic one"),
    ("ps1_one_star_record", {**MIS, "revel": 0.5, "clinvar_same_aa_stars": 1},
     "PM2_Supporting", 1, "Uncertain significance", "PS1 needs a >= 2-star ClinVar record (settings ps1_min_stars)"),
    ("pm5_same_residue", {**MIS, "revel": 0.5, "clinvar_same_residue_stars": 2},
     "PM2_Supporting,PM5", 3, "Uncertain significance", "Richards 2015 PM5: another pathogenic missense at the residue"),
    ("ps1_and_pm5_not_both", {**MIS, "revel": 0.5, "clinvar_same_aa_stars": 2, "clinvar_same_residue_stars": 2},
     "PM2_Supporting,PS1", 5, "Uncertain significance", "Richards 2015: PM5 and PS1 rest on one residue: PS1 only"),
    ("ps1_pp3_strong", {**MIS, "revel": 0.95, "clinvar_same_aa_stars": 2},
     "PM2_Supporting,PP3_Strong,PS1", 9, "Likely pathogenic", "Tavtigian 2020: 4 + 4 + 1 = 9"),
    ("ba1_overall", {"pop_af": 0.06, **POP},
     "BA1", -8, "Benign", "Richards 2015 / SVI BA1: AF > 5 %"),
    ("ba1_low_allele_number", {"pop_af": 0.06, "pop_an": 1000},
     "", 0, "Uncertain significance", "SVI BA1: the population needs AN >= 2000; PM2 needs coverage too"),
    ("ba1_exception_gjb2", {"gene": "GJB2", "gene_moi": "AR", "chrom": "chr13", "pos": 20189473, "ref": "C",
                            "alt": "T", "hgvs_c": "NM_004004.5:c.109G>A", "consequence": "missense",
                            "pop_af": 0.07, **POP, "revel": 0.5, "spliceai": 0.0},
     "", 0, "Uncertain significance", "Ghosh 2018 Table 1: GJB2 c.109G>A is a BA1 exception (and no BS1)"),
    ("bs1_dominant", {"pop_af": 0.002, **POP},
     "BS1", -4, "Likely benign", "Richards 2015 BS1: above the dominant threshold 0.1 %"),
    ("bs1_not_recessive", {**AR, "pop_af": 0.002, **POP},
     "", 0, "Uncertain significance", "BS1 recessive threshold 2 % (settings): 0.2 % is below"),
    ("bs1_recessive", {**AR, "pop_af": 0.03, **POP},
     "BS1", -4, "Likely benign", "Richards 2015 BS1: above the recessive threshold 2 %"),
    ("bs2_recessive_homozygotes", {**AR, "pop_af": 0.001, **POP, "pop_nhom": 3},
     "BS2", -4, "Likely benign", "Richards 2015 BS2: homozygotes of a recessive disorder in healthy adults"),
    ("bs2_not_dominant_by_default", {"pop_af": 0.001, **POP, "pop_nhom": 3},
     "", 0, "Uncertain significance", "BS2 homozygotes count in dominant genes only when fully penetrant"),
    ("bs2_x_linked_hemizygotes", {**XLR, "pop_af": 0.0005, **POP, "pop_nhemi": 2},
     "BS2", -4, "Likely benign", "Richards 2015 BS2: hemizygotes of an X-linked disorder"),
    ("bs1_and_bs2", {**AR, "pop_af": 0.03, **POP, "pop_nhom": 5},
     "BS1,BS2", -8, "Benign", "Richards 2015 Table 5: two strong benign criteria -> Benign"),
    ("pm2_popmax_above", {"pop_af": 1e-5, **POP, "popmax_af": 5e-4},
     "", 0, "Uncertain significance", "SVI PM2: the popmax frequency counts (AN >= 2000)"),
    # --- item 4: population and predictors ---
    ("bs1_faf_above_dominant", {"pop_af": 0.0015, **POP, "pop_faf": 0.0012, "pop_filter": "PASS"},
     "BS1", -4, "Likely benign", "BS1 on FAF95: 0.0012 > 0.1 % dominant threshold"),
    ("bs1_raw_af_above_faf_below", {"pop_af": 0.0015, **POP, "pop_faf": 0.0008, "pop_filter": "PASS"},
     "", 0, "Uncertain significance", "BS1 on FAF95 (Whiffin 2017): the raw AF 0.15 % is above 0.1 %, FAF 0.08 % is not"),
    ("bs1_faf_recessive", {**AR, "pop_af": 0.03, **POP, "pop_faf": 0.025, "pop_filter": "PASS"},
     "BS1", -4, "Likely benign", "BS1 on FAF95: 2.5 % > 2 % recessive threshold"),
    ("bs1_faf_recessive_below", {**AR, "pop_af": 0.022, **POP, "pop_faf": 0.018, "pop_filter": "PASS"},
     "", 0, "Uncertain significance", "BS1 on FAF95: 1.8 % <= 2 % recessive threshold (raw AF 2.2 % does not count)"),
    ("filtered_common_no_ba1", {"pop_af": 0.08, **POP, "pop_faf": 0.07, "pop_filter": "AS_VQSR"},
     "", 0, "Uncertain significance", "a filtered gnomAD record is no evidence of frequency: no BA1, no BS1"),
    ("pass_common_ba1", {"pop_af": 0.08, **POP, "pop_faf": 0.07, "pop_filter": "PASS"},
     "BA1", -8, "Benign", "Richards 2015 / SVI BA1: the same record with FILTER PASS"),
    ("filtered_ac0_no_pm2", {"consequence": "stop_gained", "hgvs_c": "c.100C>T", "pop_af": 0.0, **POP,
                             "pop_filter": "AC0"},
     "PVS1", 8, "Likely pathogenic", "AC0-filtered record: no evidence of absence, PM2 not evaluable; PVS1 8 points"),
    ("pass_zero_af_pm2", {"consequence": "stop_gained", "hgvs_c": "c.100C>T", "pop_af": 0.0, **POP,
                          "pop_filter": "PASS"},
     "PM2_Supporting,PVS1", 9, "Likely pathogenic", "SVI PM2: covered, AF 0 <= 0.002 % -> PM2_Supporting; 8 + 1"),
    ("absent_pm2", {"consequence": "stop_gained", "hgvs_c": "c.100C>T"},
     "PM2_Supporting,PVS1", 9, "Likely pathogenic", "absent from the resource (no record at all) -> PM2_Supporting"),
    ("bs2_filtered_record", {**AR, "pop_af": 0.001, **POP, "pop_nhom": 3, "pop_filter": "AS_VQSR"},
     "", 0, "Uncertain significance", "filtered record: its homozygote count is no BS2 evidence"),
    ("bs2_x_hemizygote_plus_homozygote", {**XLR, "pop_af": 0.0005, **POP, "pop_nhemi": 1, "pop_nhom": 1},
     "BS2", -4, "Likely benign", "gnomAD v4 coding: 1 XY hemizygote + 1 XX homozygote = 2 >= 2 -> BS2"),
    ("bs2_x_one_hemizygote", {**XLR, "pop_af": 0.0005, **POP, "pop_nhemi": 1, "pop_nhom": 0},
     "", 0, "Uncertain significance", "gnomAD v4 coding: 1 XY hemizygote < 2 -> no BS2"),
    ("bp4_capped_at_strong", {**MIS, "revel": 0.001},
     "BP4_Strong,PM2_Supporting", -3, "Likely benign", "Pejaver 2022 recommendations: BP4 at most Strong (-4 + 1)"),
    ("bp4_missense_no_spliceai", {**MIS, "revel": 0.1, "spliceai": float("nan")},
     "PM2_Supporting", 1, "Uncertain significance", "Walker 2023: missense BP4 needs SpliceAI <= 0.1; none: not evaluable"),
    ("bp4_missense_spliceai_between", {**MIS, "revel": 0.1, "spliceai": 0.15},
     "PM2_Supporting", 1, "Uncertain significance", "Walker 2023: SpliceAI 0.15 > 0.1: splicing not excluded, no BP4"),
    ("bp4_missense_spliceai_at_threshold", {**MIS, "revel": 0.1, "spliceai": 0.1},
     "BP4_Moderate,PM2_Supporting", -1, "Likely benign", "Pejaver Table 2 REVEL <= 0.183 Moderate; SpliceAI 0.1 <= 0.1"),
    ("pp3_strong_is_the_maximum", {**MIS, "revel": 0.999},
     "PM2_Supporting,PP3_Strong", 5, "Uncertain significance", "Pejaver 2022: PP3 at most Strong"),
    # --- item 3: PVS1 decision tree (Abou Tayoun et al. 2018, Fig. 1) ---
    ("nonsense_nmd_escape_large", {"consequence": "stop_gained", "nmd_escape": True, "prot_removed": 0.25,
                                   "ptc_aa": 300, "exon": "6/6"},
     "PM2_Supporting,PVS1_Strong", 5, "Uncertain significance", "NMD escape, > 10 % of the protein removed: Strong"),
    ("nonsense_nmd_escape_small", {"consequence": "stop_gained", "nmd_escape": True, "prot_removed": 0.05},
     "PM2_Supporting,PVS1_Moderate", 3, "Uncertain significance", "NMD escape, <= 10 % removed: Moderate"),
    ("frameshift_nmd_escape_at_ten_percent", {"consequence": "frameshift", "nmd_escape": True, "prot_removed": 0.10},
     "PM2_Supporting,PVS1_Moderate", 3, "Uncertain significance", "10 % exactly is not > 10 %: Moderate"),
    ("nonsense_nmd_predicted", {"consequence": "stop_gained", "prot_removed": 0.6, "ptc_aa": 150},
     "PM2_Supporting,PVS1", 9, "Likely pathogenic", "NMD predicted: Very Strong, whatever the fraction"),
    ("splice_inframe_skip_large", {"consequence": "splice_donor", "skip_exon_len": 300, "prot_removed": 0.2},
     "PM2_Supporting,PVS1_Strong", 5, "Uncertain significance", "in-frame exon skip (300 nt), 20 % removed: Strong"),
    ("splice_inframe_skip_small", {"consequence": "splice_acceptor", "skip_exon_len": 99, "prot_removed": 0.05},
     "PM2_Supporting,PVS1_Moderate", 3, "Uncertain significance", "in-frame exon skip (99 nt), 5 % removed: Moderate"),
    ("splice_frameshift_skip_nmd", {"consequence": "splice_donor", "skip_exon_len": 100, "prot_removed": 0.1},
     "PM2_Supporting,PVS1", 9, "Likely pathogenic", "frameshifting exon skip (100 nt), NMD predicted: Very Strong"),
    ("splice_frameshift_skip_nmd_escape", {"consequence": "splice_donor", "skip_exon_len": 100, "prot_removed": 0.04,
                                           "nmd_escape": True},
     "PM2_Supporting,PVS1_Moderate", 3, "Uncertain significance", "frameshifting skip escaping NMD, 4 %: Moderate"),
    ("splice_exon_unknown", {"consequence": "splice_donor"},
     "PM2_Supporting,PVS1", 9, "Likely pathogenic", "no exon length in the annotation: the coarse branch, Very Strong"),
    ("start_lost_supporting", {"consequence": "start_lost", "hgvs_c": "c.1A>G"},
     "PM2_Supporting,PVS1_Supporting", 2, "Uncertain significance",
     "initiation codon: Supporting without known upstream pathogenic variants (Fig. 1)"),
    # --- item 5: PS1 / PM5 comparators (Walker 2023 PS1 table: LP comparator one step down; no splicing impact) ---
    ("ps1_pathogenic_comparator", {**MIS, "revel": 0.5, "clinvar_same_aa_stars": 2, "clinvar_same_aa_p_stars": 2},
     "PM2_Supporting,PS1", 5, "Uncertain significance", "PS1 Strong: the comparator is Pathogenic (4 + 1)"),
    ("ps1_likely_pathogenic_comparator", {**MIS, "revel": 0.5, "clinvar_same_aa_stars": 2,
                                          "clinvar_same_aa_p_stars": -1},
     "PM2_Supporting,PS1_Moderate", 3, "Uncertain significance", "LP comparator only: PS1 one step down (2 + 1)"),
    ("pm5_likely_pathogenic_comparator", {**MIS, "revel": 0.5, "clinvar_same_residue_stars": 2,
                                          "clinvar_same_residue_p_stars": -1},
     "PM2_Supporting,PM5_Supporting", 2, "Uncertain significance", "LP comparator only: PM5 one step down (1 + 1)"),
    ("pm5_pathogenic_one_star_lp_two_stars", {**MIS, "revel": 0.5, "clinvar_same_residue_stars": 2,
                                              "clinvar_same_residue_p_stars": 1},
     "PM2_Supporting,PM5_Supporting", 2, "Uncertain significance",
     "the P record has 1 star < 2: only the 2-star LP record qualifies, one step down"),
    ("ps1_blocked_by_splicing", {**MIS, "revel": 0.5, "spliceai": 0.5, "clinvar_same_aa_stars": 2,
                                 "clinvar_same_aa_p_stars": 2},
     "PM2_Supporting,PP3", 2, "Uncertain significance",
     "Walker 2023: SpliceAI 0.5 > 0.2, the variant may act through splicing: no PS1 (PP3 from SpliceAI)"),
    ("pm5_blocked_by_splicing", {**MIS, "revel": 0.5, "spliceai": 0.25, "clinvar_same_residue_stars": 3,
                                 "clinvar_same_residue_p_stars": 3},
     "PM2_Supporting,PP3", 2, "Uncertain significance", "Walker 2023: SpliceAI 0.25 > 0.2: no PM5"),
    ("ps1_spliceai_at_threshold", {**MIS, "revel": 0.5, "spliceai": 0.2, "clinvar_same_aa_stars": 2,
                                   "clinvar_same_aa_p_stars": 2},
     "PM2_Supporting,PP3,PS1", 6, "Likely pathogenic",
     "SpliceAI 0.2 is not > 0.2: PS1 stays; PP3 at SpliceAI >= 0.2 (Walker 2023): 4 + 1 + 1"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "row", "codes", "points", "klass", "rule"), SITE_CASES, ids=[c[0] for c in SITE_CASES])
def test_site_catalogue(case, row, codes, points, klass, rule):
    out = classify_frame(variant_frame(row), AcmgSettings(), trail="none").iloc[0]
    got = ",".join(sorted(c for c in str(out["acmg_codes"]).split(",") if c))
    assert (got, int(out["acmg_points"]), str(out["acmg_class"])) == (codes, points, klass), rule


# Status of one criterion (met / not met / not evaluable) for a row: (id, annotations, criterion, status, rule)
STATUS_CASES = [
    ("pm2_filtered_not_evaluable", {"pop_af": 0.0, **POP, "pop_filter": "AC0"}, "PM2", "not evaluable",
     "AC0-filtered: no evidence of absence"),
    ("ba1_filtered_not_evaluable", {"pop_af": 0.08, **POP, "pop_filter": "AS_VQSR"}, "BA1", "not evaluable",
     "filtered record: no evidence of frequency"),
    ("bs1_filtered_not_evaluable", {"pop_af": 0.003, **POP, "pop_faf": 0.002, "pop_filter": "AS_VQSR"}, "BS1",
     "not evaluable", "filtered record: no evidence of frequency"),
    ("bs2_filtered_not_evaluable", {**AR, "pop_af": 0.001, **POP, "pop_nhom": 3, "pop_filter": "AS_VQSR"}, "BS2",
     "not evaluable", "filtered record: no BS2 counts"),
    ("bs1_absent_not_met", {}, "BS1", "not met", "absent from the resource: BS1 evaluated, not met"),
    ("pm2_absent_met", {}, "PM2", "met", "absent from the resource: PM2 met"),
    ("bp4_missense_no_spliceai", {**MIS, "revel": 0.1, "spliceai": float("nan")}, "BP4", "not evaluable",
     "Walker 2023: missense BP4 needs a SpliceAI score <= 0.1"),
    ("bp4_missense_spliceai_above", {**MIS, "revel": 0.1, "spliceai": 0.15}, "BP4", "not met",
     "Walker 2023: SpliceAI > 0.1: BP4 evaluated and not met"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "row", "criterion", "status", "rule"), STATUS_CASES, ids=[c[0] for c in STATUS_CASES])
def test_status_catalogue(case, row, criterion, status, rule):
    got, text = classify(variant_frame(row), AcmgSettings()).evidence[criterion].status(0)
    assert got == status, f"{rule}: {text}"


def test_filtered_record_names_its_filter():
    """The trail says the record was present but filtered, with gnomAD's FILTER value."""
    got, text = classify(variant_frame({"pop_af": 0.0, **POP, "pop_filter": "AC0"}), AcmgSettings()).evidence[
        "PM2"].status(0)  # fmt: skip
    assert got == "not evaluable" and "filtered" in text and "AC0" in text


def test_ps1_trail_names_the_clinvar_record():
    """The trail names the ClinVar comparator: variation id, review stars, significance."""
    row = {**MIS, "revel": 0.5, "clinvar_same_aa_stars": 2, "clinvar_same_aa_p_stars": -1,
           "clinvar_same_aa": "p.Arg5Gln|12345|2|chr1:1000000:G:A|LP"}  # fmt: skip
    text = classify(variant_frame(row)).evidence["PS1"].explain(0)
    assert text.startswith("PS1_Moderate: same amino-acid change as a ClinVar Likely pathogenic record only")
    assert "ClinVar p.Arg5Gln|12345|2|chr1:1000000:G:A|LP" in text


def test_pvs1_trail_gives_exon_stop_and_fraction():
    row = {"consequence": "stop_gained", "nmd_escape": True, "prot_removed": 0.25, "ptc_aa": 300, "exon": "6/6"}
    text = classify(variant_frame(row)).evidence["PVS1"].explain(0)
    assert text.startswith("PVS1_Strong: stop_gained in exon 6/6, new stop at codon 300, predicted to escape NMD")
    assert "removes 25.0% of the protein" in text
    through = {"consequence": "frameshift", "nmd_escape": True, "prot_removed": 0.3, "ptc_aa": -1, "exon": "6/6"}
    text = classify(variant_frame(through)).evidence["PVS1"].explain(0)
    assert text.startswith("PVS1_Strong: frameshift in exon 6/6, no new stop (the frameshift reads through")


def test_bs1_faf_named_in_trail():
    ev = classify(variant_frame({"pop_af": 0.0015, **POP, "pop_faf": 0.0012, "pop_filter": "PASS"})).evidence["BS1"]
    assert ev.explain(0).startswith("BS1: filtering AF (FAF95)=0.0012 > 0.001")


# Per-gene thresholds (a VCEP specification in the settings): (id, settings, annotations, codes, points, class, rule)
GENE_CASES = [
    ("bs1_gene_threshold_vcep", {"genes": {"GENE1": {"bs1_af_dominant": 0.0002, "pm2_max_af_dominant": 0.00002}}},
     {"pop_af": 0.0006, **POP, "pop_faf": 0.0005, "pop_filter": "PASS"}, "BS1", -4, "Likely benign",
     "Hearing Loss VCEP v1: BS1 >= 0.02 % for AD genes; FAF 0.05 % is above"),
    ("bs1_global_threshold_same_row", {}, {"pop_af": 0.0006, **POP, "pop_faf": 0.0005, "pop_filter": "PASS"}, "", 0,
     "Uncertain significance", "global BS1 0.1 %: FAF 0.05 % is below (and above PM2's 0.002 %)"),
    ("ps1_lp_comparator_without_step_down", {"plp_comparator_step_down": False},
     {**MIS, "revel": 0.5, "clinvar_same_aa_stars": 2, "clinvar_same_aa_p_stars": -1}, "PM2_Supporting,PS1", 5,
     "Uncertain significance", "a lab that counts LP comparators fully (Richards 2015 wording): PS1 Strong"),
    ("bp4_very_strong_when_configured", {"bp4_max_strength": "VeryStrong"}, {**MIS, "revel": 0.001},
     "BP4_VeryStrong,PM2_Supporting", -7, "Benign", "Pejaver 2022 Table 2 interval when a lab lifts the cap: -8 + 1"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "settings", "row", "codes", "points", "klass", "rule"), GENE_CASES,
                         ids=[c[0] for c in GENE_CASES])  # fmt: skip
def test_gene_settings_catalogue(case, settings, row, codes, points, klass, rule):
    out = classify_frame(variant_frame(row), AcmgSettings(**settings), trail="none").iloc[0]
    got = ",".join(sorted(c for c in str(out["acmg_codes"]).split(",") if c))
    assert (got, int(out["acmg_points"]), str(out["acmg_class"])) == (codes, points, klass), rule


def test_catalogue_has_at_least_40_cases():
    assert len(SITE_CASES) + len(SAMPLE_CASES) >= 40


def test_gene_setting_disables_a_criterion():
    """A VCEP marks a criterion not applicable for a gene (settings ``genes.X.disabled``): PVS1 alone, 8 points."""
    settings = AcmgSettings(genes={"GENE1": {"disabled": ["PM2"]}})
    out = classify_frame(variant_frame({"consequence": "stop_gained"}), settings, trail="none").iloc[0]
    assert (str(out["acmg_codes"]), int(out["acmg_points"]), str(out["acmg_class"])) == ("PVS1", 8, "Likely pathogenic")


# Sample-level: (id, variants, calls (proband_ac, father_ac, mother_ac, father_dp, mother_dp), confirmed,
# expected codes per call, class per call, rule)
STOP = {"consequence": "stop_gained", "hgvs_c": "c.100C>T"}
FS_AR = {**AR, "consequence": "frameshift", "hgvs_c": "c.20del", "pop_af": 8e-5, **POP}
MIS_AR = {**AR, **MIS, "pos": 1_000_100, "revel": 0.5, "pop_af": 4e-5, **POP}
FS_ADAR = {"gene": "GENEAR", "gene_moi": "AD|AR", "consequence": "frameshift", "hgvs_c": "c.20del"}
MIS_ADAR = {"gene": "GENEAR", "gene_moi": "AD|AR", **MIS, "pos": 1_000_100, "revel": 0.5}
FS_X = {**XLR, "consequence": "frameshift", "hgvs_c": "c.20del"}
MIS_X = {**XLR, **MIS, "pos": 1_000_100, "revel": 0.5}
FEMALE, MALE = {"male": False}, {"male": True}
SAMPLE_CASES = [
    ("de_novo_confirmed", [STOP], [(1, 0, 0, 30, 30)], True, ["PM2_Supporting,PS2_Moderate,PVS1"], ["Pathogenic"],
     "SVI de novo v1.1: confirmed, phenotype consistent not highly specific (the default without HPO data) = 1 "
     "point -> Moderate: 8 + 2 + 1 = 11"),
    ("de_novo_assumed", [STOP], [(1, 0, 0, 30, 30)], False, ["PM2_Supporting,PM6_Supporting,PVS1"], ["Pathogenic"],
     "SVI de novo v1.1: assumed, consistent = 0.5 point -> Supporting: 8 + 1 + 1 = 10"),
    ("de_novo_specific_confirmed", [STOP], [(1, 0, 0, 30, 30, {"phenotype_row": 3})], True,
     ["PM2_Supporting,PS2,PVS1"], ["Pathogenic"], "SVI de novo v1.1: confirmed, highly specific = 2 points -> Strong"),
    ("de_novo_specific_assumed", [STOP], [(1, 0, 0, 30, 30, {"phenotype_row": 3})], False,
     ["PM2_Supporting,PM6,PVS1"], ["Pathogenic"], "SVI de novo v1.1: assumed, highly specific = 1 point -> Moderate"),
    ("de_novo_heterogeneous_confirmed", [STOP], [(1, 0, 0, 30, 30, {"phenotype_row": 1})], True,
     ["PM2_Supporting,PS2_Supporting,PVS1"], ["Pathogenic"],
     "SVI de novo v1.1: confirmed, high genetic heterogeneity = 0.5 point -> Supporting: 8 + 1 + 1 = 10"),
    ("de_novo_heterogeneous_assumed", [STOP], [(1, 0, 0, 30, 30, {"phenotype_row": 1})], False,
     ["PM2_Supporting,PVS1"], ["Likely pathogenic"], "SVI de novo v1.1: assumed, heterogeneous = 0.25 < 0.5: none"),
    ("de_novo_phenotype_not_consistent", [STOP], [(1, 0, 0, 30, 30, {"phenotype_row": 0})], True,
     ["PM2_Supporting,PVS1"], ["Likely pathogenic"], "SVI de novo v1.1: phenotype not consistent = 0 points"),
    ("de_novo_parent_alt_read", [STOP], [(1, 0, 0, 30, 30, {"father_alt": 1})], True, ["PM2_Supporting,PVS1"],
     ["Likely pathogenic"], "an alt read in the father: not a clean hom-ref parent (denovo_max_parent_alt_reads 0)"),
    ("de_novo_parent_low_gq", [STOP], [(1, 0, 0, 30, 30, {"mother_gq": 15})], True, ["PM2_Supporting,PVS1"],
     ["Likely pathogenic"], "mother's GQ 15 < 20 (gnomAD adj): her hom-ref call is not reliable"),
    ("de_novo_parents_clean", [STOP], [(1, 0, 0, 30, 30, {"father_alt": 0, "mother_alt": 0, "father_gq": 60,
                                                          "mother_gq": 60})], True,
     ["PM2_Supporting,PS2_Moderate,PVS1"], ["Pathogenic"], "AD 0 and GQ 60 in both parents: de novo as above"),
    ("de_novo_recessive_only_gene", [{**AR, **MIS, "revel": 0.8}], [(1, 0, 0, 30, 30, {"phenotype_row": 3})], True,
     ["PM2_Supporting,PP3_Moderate"], ["Uncertain significance"],
     "de novo needs a gene whose modes admit a de novo cause (AD, X-linked, unknown): not an AR-only gene"),
    ("de_novo_x_linked_gene", [{**XLR, **MIS, "revel": 0.8}], [(1, 0, 0, 30, 30, {"phenotype_row": 3})], True,
     ["PM2_Supporting,PP3_Moderate,PS2"], ["Likely pathogenic"],
     "X-linked gene admits a de novo cause; highly specific, confirmed: 4 + 2 + 1 = 7"),
    ("de_novo_unknown_modes", [{"gene_moi": "", **MIS, "revel": 0.8}], [(1, 0, 0, 30, 30)], True,
     ["PM2_Supporting,PP3_Moderate,PS2_Moderate"], ["Uncertain significance"],
     "unknown modes admit a de novo cause; default phenotype row 1 point: 2 + 2 + 1 = 5"),
    ("de_novo_parent_shallow", [STOP], [(1, 0, 0, 9, 30)], True, ["PM2_Supporting,PVS1"], ["Likely pathogenic"],
     "a parent with depth 9 < 10 is not a reliable hom-ref: no de novo evidence"),
    ("in_trans_with_likely_pathogenic", [FS_AR, MIS_AR], [(1, 1, 0, 30, 30), (1, 0, 1, 30, 30)], True,
     ["PM2_Supporting,PVS1", "PM2_Supporting,PM3_Supporting"], ["Likely pathogenic", "Uncertain significance"],
     "SVI PM3 v1.0 Table 1 in trans with P/LP (1.0), an LP partner one step down (stated) = 0.5 -> PM3_Supporting"),
    ("in_cis_with_likely_pathogenic", [FS_AR, MIS_AR], [(1, 1, 0, 30, 30), (1, 1, 0, 30, 30)], True,
     ["PM2_Supporting,PVS1", "BP2,PM2_Supporting"], ["Likely pathogenic", "Uncertain significance"],
     "Richards 2015 BP2: in cis with a pathogenic variant (both paternal)"),
    ("phase_unknown_with_likely_pathogenic", [FS_AR, MIS_AR], [(1, -1, -1, 0, 0), (1, -1, -1, 0, 0)], False,
     ["PM2_Supporting,PVS1", "PM2_Supporting"], ["Likely pathogenic", "Uncertain significance"],
     "SVI PM3 v1.0 Table 1, phase unknown (no parents): an LP partner (0.5 point in trans) counts half = 0.25 < "
     "0.5 Supporting: no PM3; BP2 needs a known phase"),
    ("phase_unknown_with_de_novo_pathogenic", [FS_ADAR, MIS_ADAR], [(1, 0, 0, 30, 30), (1, 1, 0, 30, 30)], True,
     ["PM2_Supporting,PS2_Moderate,PVS1", "PM2_Supporting,PM3_Supporting"], ["Pathogenic", "Uncertain significance"],
     "the P partner is de novo (8 + 2 + 1 = 11), so its phase to the paternal missense is unknown: SVI PM3 v1.0 "
     "Table 1 'P/LP, phase unknown' 0.5 point -> PM3_Supporting: 1 + 1 = 2"),
    ("homozygous_occurrence_parents_carriers", [MIS_AR], [(2, 1, 1, 30, 30)], True,
     ["PM2_Supporting,PM3_Supporting"], ["Uncertain significance"],
     "SVI PM3 v1.0 Table 1 'homozygous occurrence' 0.5 point -> PM3_Supporting (rare, both parents carriers)"),
    ("homozygous_occurrence_parent_hom_ref", [MIS_AR], [(2, 1, 0, 30, 30)], True, ["PM2_Supporting"],
     ["Uncertain significance"], "a hom-ref mother: apparent homozygosity from a deletion or UPD, which the SVI PM3 "
     "homozygous row excludes: no PM3"),
    ("homozygous_occurrence_no_parents", [MIS_AR], [(2, -1, -1, 0, 0)], False, ["PM2_Supporting,PM3_Supporting"],
     ["Uncertain significance"], "SVI PM3 v1.0 homozygous row without parents: no parent contradicts it (stated)"),
    ("homozygous_in_dominant_gene", [{**MIS, "pos": 1_000_100}], [(2, 1, 1, 30, 30)], True, ["PM2_Supporting"],
     ["Uncertain significance"], "PM3 is for recessive disorders (Richards 2015): not in an AD-only gene"),
    ("x_linked_recessive_female_in_trans", [FS_X, MIS_X], [(1, 1, 0, 30, 30, FEMALE), (1, 0, 1, 30, 30, FEMALE)],
     True, ["PM2_Supporting,PVS1", "PM2_Supporting,PM3_Supporting"], ["Likely pathogenic", "Uncertain significance"],
     "XLR gene in a female: biallelic mechanism, so in trans with LP = SVI PM3 v1.0 0.5 point -> PM3_Supporting, "
     "not BP2 (Richards 2015 BP2 'in trans ... dominant gene')"),
    ("x_linked_recessive_male_same_x", [FS_X, MIS_X], [(1, 0, 1, 30, 30, MALE), (1, 0, 1, 30, 30, MALE)],
     True, ["PM2_Supporting,PVS1", "BP2,PM2_Supporting"], ["Likely pathogenic", "Uncertain significance"],
     "a male has one X: the second variant is in cis with the LP one (Richards 2015 BP2), never in trans (no PM3)"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "rows", "calls", "confirmed", "codes", "klass", "rule"), SAMPLE_CASES,
                         ids=[c[0] for c in SAMPLE_CASES])  # fmt: skip
def test_sample_catalogue(case, rows, calls, confirmed, codes, klass, rule):
    variants = variant_frame(*rows)
    site = classify_frame(variants, AcmgSettings())
    frame = pd.DataFrame(
        [{"sample": "KID", "row": i, "proband_ac": c[0], "father_ac": c[1], "mother_ac": c[2], "father_dp": c[3],
          "mother_dp": c[4], "proband_dp": 30, "parentage_confirmed": confirmed, **(c[5] if len(c) > 5 else {})}
         for i, c in enumerate(calls)]
    )  # fmt: skip
    out = classify_family(variants, site, frame, AcmgSettings())
    got = [",".join(sorted(x for x in str(v).split(",") if x)) for v in out["acmg_codes"]]
    assert got == codes, rule
    assert out["acmg_class"].astype(str).tolist() == klass, rule
    assert np.all(out["acmg_points"].to_numpy() == out["acmg_points"].to_numpy().astype(int))
