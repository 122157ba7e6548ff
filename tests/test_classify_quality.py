"""Genotype quality gates (acmg/quality.py; issue 24 item 1): FILTER, FT, GQ, DP (absolute and relative
to the sample's median depth), allele balance of het / hom-alt / hemizygous calls. A failing call keeps
its site evidence, gets no sample-level evidence, is no phase partner and is listed in the
low-confidence section with the failed gate, never in the main list.

Expected values come from the gate table of acmg/quality.py (gnomAD "adj": GQ >= 20, DP >= 10, DP >= 5
haploid, het AB >= 0.2; slivar: het AB <= 0.8; Li 2014: DP <= d + 4 sqrt(d)), not from running the code.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.test_classify import trio_batch, write_vcf
from tests.test_classify_outputs import manifest, read_tsv
from wgs_east.acmg import quality
from wgs_east.acmg.settings import AcmgSettings
from wgs_east.classify.run import classify_vcf, provenance_record

S = AcmgSettings()


def _gates(**kw):
    n = len(kw["copies"])
    args = {"filters": np.array(["PASS"] * n, dtype=object), "ploidy": np.full(n, 2), "dp": np.full(n, 30),
            "gq": np.full(n, 99.0), "ad": None, "ft": None, "median_dp": None} | kw  # fmt: skip
    return quality.evaluate(S, **args)


@pytest.mark.parametrize(
    ("case", "copies", "ploidy", "dp", "gq", "ad", "expected"),
    [
        # gnomAD adj: GQ >= 20 passes, 19 fails; a missing GQ on a call fails
        ("GQ 20 passes", 1, 2, 30, 20.0, "15,15", ""),
        ("GQ 19 fails", 1, 2, 30, 19.0, "15,15", "GQ"),
        ("GQ missing fails", 1, 2, 30, np.nan, "15,15", "GQ"),
        # gnomAD adj: DP >= 10 diploid, DP >= 5 haploid
        ("DP 10 passes", 1, 2, 10, 99.0, "5,5", ""),
        ("DP 9 fails", 1, 2, 9, 99.0, "5,4", "DP"),
        ("haploid DP 5 passes", 1, 1, 5, 99.0, "0,5", ""),
        ("haploid DP 4 fails", 1, 1, 4, 99.0, "0,4", "DP"),
        # het AB: gnomAD adj >= 0.2, slivar <= 0.8 (one alt read of 30 is the example)
        ("het 1 alt read of 30", 1, 2, 30, 99.0, "29,1", "AB"),
        ("het AB 0.2 passes", 1, 2, 30, 99.0, "24,6", ""),
        ("het AB 0.8 passes", 1, 2, 30, 99.0, "6,24", ""),
        ("het AB 0.9 fails", 1, 2, 30, 99.0, "3,27", "AB"),
        # hom-alt and hemizygous: AB >= 0.8 (project value, mirror of the het maximum)
        ("hom-alt AB 0.7 fails", 2, 2, 30, 99.0, "9,21", "AB"),
        ("hom-alt AB 1 passes", 2, 2, 30, 99.0, "0,30", ""),
        ("hemizygous AB 0.625 fails", 1, 1, 8, 99.0, "3,5", "AB"),
        # AD summing to 0: no allele balance (not evaluable for the call), the other gates decide
        ("AD 0,0", 1, 2, 30, 99.0, "0,0", ""),
        ("several gates", 1, 2, 5, 3.0, "9,1", "GQ,DP,AB"),
    ],
)  # fmt: skip
def test_gate_table(case, copies, ploidy, dp, gq, ad, expected):
    res = _gates(copies=np.array([copies]), ploidy=np.array([ploidy]), dp=np.array([dp]), gq=np.array([gq]),
                 ad=np.array([ad], dtype=object))  # fmt: skip
    assert quality.names(int(res.failed[0])) == expected, case


def test_filter_ft_relative_depth_and_not_evaluable_gates():
    res = _gates(copies=np.ones(4, int), filters=np.array(["LowQual", "PASS", ".", "PASS"], dtype=object),
                 ft=np.array(["PASS", "LowGQ", ".", "PASS"], dtype=object), dp=np.array([30, 30, 51, 52]),
                 median_dp=30.0)  # fmt: skip
    # Li 2014: d + 4 sqrt(d) = 30 + 4 x 5.477 = 51.9 -> DP 51 passes, 52 fails
    assert [quality.names(int(f)) for f in res.failed] == ["FILTER", "FT", "", "DP_HIGH"]
    assert "AB: no FORMAT/AD in the VCF" in res.not_evaluable
    bare = _gates(copies=np.ones(1, int), gq=None, dp=None)
    assert set(bare.not_evaluable) >= {"GQ: no FORMAT/GQ in the VCF", "DP: no FORMAT/DP in the VCF",
                                       "FT: no FORMAT/FT in the VCF"}  # fmt: skip
    assert bare.passed.all()  # nothing evaluable failed: the call is not failed for missing inputs
    assert "DP_HIGH: no median depth of the sample (QC coverage result)" in _gates(copies=np.ones(1, int)).not_evaluable


AD_GENE = {"gene": "GAD", "gene_moi": "AD"}
AR_GENE = {"gene": "GAR", "gene_moi": "AR"}
STOP = {**AD_GENE, "consequence": "stop_gained", "hgvs_c": "c.10C>T"}
GOOD = {"gq": [99, 99, 99, 99], "ad": ["30,0", "30,0", "15,15", "30,0"]}
ROWS = [
    # de novo stop, one alt read of 30 (AB 0.03): low confidence (AB), no PS2
    {"chrom": "chr1", "pos": 100, "ref": "C", "alt": "T", "gts": ["0/0", "0/0", "0/1", "0/0"], "site": STOP,
     **GOOD, "ad": ["30,0", "30,0", "29,1", "30,0"]},
    # AR gene: paternal frameshift with FILTER LowQual (low confidence) + maternal missense that passes
    {"chrom": "chr1", "pos": 200, "ref": "GT", "alt": "G", "gts": ["0/1", "0/0", "0/1", "0/0"], "filter": "LowQual",
     "site": {**AR_GENE, "consequence": "frameshift", "hgvs_c": "c.20del", "pop_af": 8e-5, "pop_an": 150000}, **GOOD},
    # (REVEL 0.7: PP3, so PM2_Supporting + PP3 = 2 points, a VUS-mid listed whatever the phenotype)
    {"chrom": "chr1", "pos": 300, "ref": "C", "alt": "T", "gts": ["0/0", "0/1", "0/1", "0/0"],
     "site": {**AR_GENE, "consequence": "missense", "hgvs_c": "c.30C>T", "revel": 0.7, "spliceai": 0.0}, **GOOD},
    # de novo stop at twice the median depth (60 > 30 + 4 sqrt 30 = 51.9): DP_HIGH
    {"chrom": "chr1", "pos": 400, "ref": "C", "alt": "T", "gts": ["0/0", "0/0", "0/1", "0/0"], "site": STOP,
     "dp": [30, 30, 60, 30], **GOOD, "ad": ["30,0", "30,0", "30,30", "30,0"]},
    # de novo stop that passes every gate: listed, PS2
    {"chrom": "chr1", "pos": 600, "ref": "C", "alt": "T", "gts": ["0/0", "0/0", "0/1", "0/0"], "site": STOP, **GOOD},
    # de novo stop with FORMAT/FT LowGQ on the proband
    {"chrom": "chr1", "pos": 700, "ref": "C", "alt": "T", "gts": ["0/0", "0/0", "0/1", "0/0"], "site": STOP, **GOOD,
     "ft": ["PASS", "PASS", "LowGQ", "PASS"]},
    # synonymous at AF 1 % in a dominant gene with SpliceAI 0: BS1 (AF > 0.001, dominant threshold) -4, BP4
    # (SpliceAI <= 0.1) -1 and BP7 (synonymous; Walker 2023 keeps both, bp7_with_bp4) -1 = -6 points: Likely
    # benign (Tavtigian 2020: -1 to -6)
    {"chrom": "chr1", "pos": 800, "ref": "C", "alt": "T", "gts": ["0/1", "0/0", "0/1", "0/0"], **GOOD,
     "site": {**AD_GENE, "consequence": "synonymous", "hgvs_c": "c.30C>T", "spliceai": 0.0, "pop_af": 0.01,
              "pop_an": 150000, "popmax_af": 0.01, "popmax_an": 150000}},
    # SOLO (male): hemizygous splice donor with 3 ref + 5 alt reads (AB 0.625 < 0.8), DP 8 >= 5
    {"chrom": "chrX", "pos": 900, "ref": "G", "alt": "A", "gts": ["0", "0/0", "0/0", "1"], "dp": 8,
     "site": {"gene": "GXL", "gene_moi": "XLR", "consequence": "splice_donor", "hgvs_c": "c.50+1G>A"},
     "gq": [99, 99, 99, 99], "ad": ["0,8", "8,0", "8,0", "3,5"]},
]  # fmt: skip


@pytest.fixture(scope="module")
def gated(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("gates")
    vcf = write_vcf(tmp / "in.vcf.gz", ROWS)
    pair = {"expected_relationship": "parent-child", "status": "PASS", "message": "ok"}
    qc = tmp / "qc.json"
    qc.write_text(json.dumps({
        "verdicts": {"DAD": "PASS", "MUM": "PASS", "KID": "PASS", "SOLO": "PASS"},
        "samples": [{"sample": s, "reasons": [], "metrics": {"median_depth": 30.0}} for s in ("KID", "DAD", "MUM")],
        "pairs": [{"sample_a": "DAD", "sample_b": "KID", "kinship": 0.25, **pair},
                  {"sample_a": "KID", "sample_b": "MUM", "kinship": 0.25, **pair}],
    }))  # fmt: skip
    man = manifest(tmp / "manifest.yaml")
    prov = provenance_record(vcf=vcf, config="c", config_sha256="0" * 64, command="test", git_commit=None, qc_json=qc,
                             manifest_path=man, manifest=yaml.safe_load(man.read_text()), settings=S)  # fmt: skip
    out = tmp / "classified"
    classify_vcf(vcf, trio_batch(), out, provenance=prov, settings=S, qc_json=qc, manifest_path=man,
                 manifest=yaml.safe_load(man.read_text()))  # fmt: skip
    return out


def test_failing_calls_go_to_the_low_confidence_section_with_the_gate(gated):
    _, df = read_tsv(gated / "KID.tsv")
    listed = df[df["section"] == "listed"]
    low = df[df["section"] == "low_confidence"].set_index("pos")
    assert listed["pos"].tolist() == ["600", "300"]
    assert listed.iloc[0]["criteria"] == "PVS1,PS2_Moderate,PM2_Supporting" and listed.iloc[0]["quality"] == "PASS"
    assert sorted(low.index) == ["100", "200", "400", "700"]
    assert low.loc["100", "quality"] == "AB 0.03 outside 0.2-0.8 (het)"
    assert low.loc["200", "quality"] == "FILTER LowQual"
    assert low.loc["400", "quality"].startswith("DP 60 > 30 + 4 x sqrt(30)")
    assert low.loc["700", "quality"] == "FT LowGQ"
    # never promoted: site evidence only (no PS2), so the de novo stops are LP (PVS1 + PM2_Supporting)
    assert set(low["criteria"]) == {"PVS1,PM2_Supporting"}
    assert set(low["classification"]) == {"Likely pathogenic"}


def test_a_low_confidence_call_is_no_phase_partner(gated):
    _, df = read_tsv(gated / "KID.tsv")
    mis = df.set_index("pos").loc["300"]
    # the LowQual paternal frameshift is LP by site evidence, but gives no PM3 and no compound het
    assert "PM3" not in mis["criteria"] and mis["inheritance"] == "" and mis["partners"] == ""


def test_hemizygous_allele_balance_and_json_section(gated):
    doc = json.loads((gated / "SOLO.json").read_text())
    assert doc["variants"] == []
    (low,) = doc["low_confidence"]
    assert low["pos"] == 900 and low["quality"] == "AB 0.62 < 0.8 (hemizygous)" and low["section"] == "low_confidence"
    assert doc["counts"]["low_confidence_listed"] == 1 and doc["counts"]["listed"] == 0
    kid = json.loads((gated / "KID.json").read_text())
    assert kid["counts"]["low_confidence_calls"] == 4 and len(kid["low_confidence"]) == 4
    assert "AB: no FORMAT/AD in the VCF" not in kid["counts"]["quality_gates_not_evaluable"]
    assert pd.Series([v["section"] for v in kid["variants"]]).eq("listed").all()


def test_likely_benign_call_is_in_the_audit_with_its_codes(gated):
    audit = pd.read_csv(gated / "KID.benign.tsv.gz", sep="\t", dtype=str, keep_default_na=False)
    row = audit.set_index("pos").loc["800"]
    assert (row["classification"], row["criteria"], row["points"], row["stopped_by_ba1"]) == (
        "Likely benign", "BS1,BP4,BP7", "-6", "no")
    _, df = read_tsv(gated / "KID.tsv")
    assert "800" not in set(df["pos"])  # not listed, but not invisible


def test_evidence_trail_names_met_not_met_and_not_evaluable(gated):
    doc = json.loads((gated / "KID.json").read_text())
    top = doc["variants"][0]
    assert [c["code"] for c in top["criteria"]] == ["PVS1", "PS2_Moderate", "PM2_Supporting"]
    not_met = {c["criterion"]: c["evidence"] for c in top["not_met"]}
    missing = {c["criterion"]: c["evidence"] for c in top["not_evaluable"]}
    # every criterion of the engine is accounted for, once
    assert sorted([*not_met, *missing, "PVS1", "PS2", "PM2"]) == sorted(
        ["PVS1", "PS1", "PM2", "PM4", "PM5", "PP3", "BA1", "BS1", "BS2", "BP3", "BP4", "BP7", "PS2", "PM6", "PM3", "BP2"])
    assert not_met["PS1"] == "stop_gained: not a missense variant"
    assert not_met["BA1"] == "absent from the population resource"
    assert not_met["PM6"].startswith("PS2 applies instead")
    assert not_met["BS2"].startswith("gene modes 'AD': homozygotes count in recessive")
    assert missing == {"PP3": "no SpliceAI score (and no REVEL score for a missense variant)"}
    _, df = read_tsv(gated / "KID.tsv")
    assert df.iloc[0]["unmet"].startswith("not met: PS1,") and "not evaluable: " in df.iloc[0]["unmet"]
    low = doc["low_confidence"][0]
    assert {c["criterion"]: c["status"] for c in low["not_evaluable"]}["PS2"] == "not evaluable"


# --- listing rule and phenotype ranking (issue 24 item 9) ----------------------------------------------


def test_phenotype_similarity_is_resnik_best_match_average_over_shared_terms():
    from wgs_east.classify.phenotype import gene_similarity, information_content

    table = {"A": {"HP:1", "HP:2"}, "B": {"HP:2", "HP:3"}, "C": {"HP:3"}, "D": set()}
    ic = information_content(table)  # 3 annotated genes: HP:1 in 1, HP:2 in 2, HP:3 in 2
    assert ic["HP:1"] == pytest.approx(np.log(3)) and ic["HP:2"] == pytest.approx(np.log(3 / 2))
    sim = gene_similarity(["HP:1", "HP:2"], table)
    # A shares both: (ln 3 + ln 1.5) / 2; B shares HP:2: ln 1.5 / 2; C, D nothing (not in the result)
    assert sim == pytest.approx({"A": (np.log(3) + np.log(1.5)) / 2, "B": np.log(1.5) / 2})
    assert gene_similarity([], table) == {}


def test_listing_rule_reasons():
    from wgs_east.acmg.combine import LIKELY_PATHOGENIC, UNCERTAIN
    from wgs_east.classify.sample import listing_rule

    calls = pd.DataFrame({
        "plp": [True, False, False, False, False, False, False],
        "consequence": ["stop_gained", "5_prime_utr", "missense", "missense", "intron", "intron&splice_region",
                        "missense"],
        "spliceai": [np.nan, np.nan, 0.0, 0.0, 0.5, 0.0, 0.0],
        "acmg_points": [9, 1, 2, 1, 2, 1, 0],
    })  # fmt: skip
    codes = np.array([LIKELY_PATHOGENIC] + [UNCERTAIN] * 6)
    in_gene = np.ones(7, bool)
    known = np.array([True, True, True, False, True, True, True])
    none = np.full(7, "", dtype=object)
    listed, why = listing_rule(calls, codes, in_gene, np.zeros(7, bool), none, known, S)
    assert listed.tolist() == [True, False, True, False, True, False, False]
    assert why.tolist() == [
        "P/LP", "VUS: no protein-altering or splice consequence", "VUS", "VUS: gene without known disease association",
        "VUS",  # intronic with SpliceAI 0.5 >= 0.2: a predicted splicing impact
        "VUS: no protein-altering or splice consequence",  # splice region with SpliceAI 0: evidence of no impact
        "VUS: no net pathogenic evidence",
    ]  # fmt: skip
    # a candidate whose pattern fits the gene's known modes is listed when its consequence is relevant, whatever
    # its points; one of unknown modes, or with a 5' UTR consequence, is not
    cand = np.array([False, True, False, True, False, False, True])
    match = np.array(["", "yes", "", "unknown", "", "", "yes"], dtype=object)
    listed, why = listing_rule(calls, codes, in_gene, cand, match, known, S)
    assert listed.tolist() == [True, False, True, False, True, False, True] and why[6] == "candidate"
    # VUS-low (1 point: one Supporting line, e.g. PM2_Supporting alone) is listed only in a gene whose HPO
    # terms match the proband's; VUS-mid (2 points) whatever the phenotype
    low = calls.assign(acmg_points=[9, 1, 1, 1, 1, 1, 0])
    listed, why = listing_rule(low, codes, in_gene, np.zeros(7, bool), none, known, S)
    assert listed.tolist() == [True, False, False, False, False, False, False]
    assert why[2] == why[4] == "VUS-low: 1 point, gene without phenotype match"
    pheno = np.array([False, True, True, True, False, True, True])
    listed, why = listing_rule(low, codes, in_gene, np.zeros(7, bool), none, known, S, pheno)
    assert listed.tolist() == [True, False, True, False, False, False, False] and why[2] == "VUS"


def test_gate_settings_are_validated():
    from wgs_east.acmg.settings import settings_from_dict
    from wgs_east.errors import InputError

    with pytest.raises(InputError, match="gate_het_ab_min must be below gate_het_ab_max"):
        settings_from_dict({"gate_het_ab_min": 0.8, "gate_het_ab_max": 0.3})
    with pytest.raises(InputError, match="gate_min_gq"):
        settings_from_dict({"gate_min_gq": -1})


def test_chrm_calls_have_their_own_section_with_heteroplasmy(tmp_path):
    """Issue 24 item 6: chrM calls are not classified with the nuclear ACMG rules (no PM2, no PP3 from a nuclear
    codon table): they are listed in a mitochondrial section with the heteroplasmy = alt / total AD reads
    (>= 95 % homoplasmic), in the TSV and the JSON."""
    mt = {"gene_moi": "MT"}
    rows = [
        ROWS[4],  # the nuclear de novo stop that passes every gate: listed as before
        {"chrom": "chrM", "pos": 3243, "ref": "A", "alt": "G", "gts": ["0/0", "0/0", "0/1", "0/0"], "dp": 100,
         "gq": [99, 99, 99, 99], "ad": ["100,0", "100,0", "70,30", "100,0"],
         "site": {**mt, "gene": "MT-TL1", "consequence": "non_coding", "hgvs_c": "n.14A>G"}},
        {"chrom": "chrM", "pos": 8993, "ref": "T", "alt": "G", "gts": ["0/0", "0/0", "1/1", "0/0"], "dp": 100,
         "gq": [99, 99, 99, 99], "ad": ["100,0", "100,0", "2,98", "100,0"],
         "site": {**mt, "gene": "MT-ATP6", "consequence": "missense", "hgvs_c": "c.467T>G", "hgvs_p": "p.Leu156Arg", "revel": 0.95,
                  "spliceai": 0.0}},
    ]  # fmt: skip
    vcf = write_vcf(tmp_path / "in.vcf.gz", rows)
    man = manifest(tmp_path / "manifest.yaml")
    prov = provenance_record(vcf=vcf, config="c", config_sha256="0" * 64, command="test", git_commit=None, qc_json=None,
                             manifest_path=man, manifest=yaml.safe_load(man.read_text()), settings=S)  # fmt: skip
    out = tmp_path / "classified"
    classify_vcf(vcf, trio_batch(), out, provenance=prov, settings=S, manifest_path=man,
                 manifest=yaml.safe_load(man.read_text()))  # fmt: skip
    _, df = read_tsv(out / "KID.tsv")
    assert df[df["section"] == "listed"]["pos"].tolist() == ["600"]
    mito = df[df["section"] == "mitochondrial"].set_index("pos")
    assert sorted(mito.index) == ["3243", "8993"]
    assert (mito.loc["3243", "allele_balance"], mito.loc["3243", "zygosity"]) == ("0.300", "heteroplasmic")
    assert (mito.loc["8993", "allele_balance"], mito.loc["8993", "zygosity"]) == ("0.980", "homoplasmic")
    assert set(mito["criteria"]) == {""} and set(mito["points"]) == {""}  # no ACMG evidence at all
    assert set(mito["classification"]) == {"not classified (mitochondrial: nuclear ACMG rules do not apply)"}
    assert mito.loc["3243", "listing"] == "chrM: heteroplasmy 30.0% (30/100 reads)"
    assert (mito.loc["8993", "hgvs_p"], mito.loc["3243", "hgvs_p"]) == ("p.Leu156Arg", "")  # read for the shown calls
    doc = json.loads((out / "KID.json").read_text())
    assert doc["counts"]["mitochondrial"] == 2 and [m["heteroplasmy"] for m in doc["mitochondrial"]] == [0.3, 0.98]
    assert all(v["chrom"] != "chrM" for v in doc["variants"])


def test_benign_audit_rows_formatting(tmp_path):
    """The audit rows are joined by Arrow (site part per chunk, per-call part per distinct combination):
    missing gene / genotype / filter as empty fields, values written as they are (a value with a tab is
    not quoted: it gives the same text as the joined fields)."""
    import gzip

    from wgs_east.classify.audit import AUDIT_COLUMNS, BenignAudit

    def write(path, gene):
        audit = BenignAudit(path)
        sites = {"chrom": np.array(["chr1", "chr2", "chr1"], dtype=object), "pos": np.array([5, 7, 9]),
                 "ref": np.array(["A", "C", "G"], dtype=object), "alt": np.array(["T", "G", "A"], dtype=object),
                 "gene": np.array(gene, dtype=object), "consequence": np.array(["intron", "missense", "intron"], dtype=object)}  # fmt: skip
        audit.add(sites, gt=np.array(["0/1", None, "1/1"], dtype=object), filters=np.array(["PASS", "PASS", np.nan], dtype=object),
                  codes=pd.Categorical(["BA1", "BS1,BP4", "BA1"]), klass=np.array([0, 1, 0]), klass_2015=np.array([0, 1, 0]),
                  points=np.array([-8, -5, -8]), ba1=np.array([True, False, True]))  # fmt: skip
        audit.close()
        return gzip.open(path, "rt").read().splitlines()

    arrow = write(tmp_path / "a.tsv.gz", ["G1", None, "G1"])
    assert arrow[0].split("\t") == list(AUDIT_COLUMNS)
    assert arrow[1:] == ["chr1\t5\tA\tT\tG1\tintron\t0/1\tPASS\tBenign\tBenign\t-8\tBA1\tyes",
                         "chr2\t7\tC\tG\t\tmissense\t\tPASS\tLikely benign\tLikely benign\t-5\tBS1,BP4\tno",
                         "chr1\t9\tG\tA\tG1\tintron\t1/1\t\tBenign\tBenign\t-8\tBA1\tyes"]  # fmt: skip
    tabbed = write(tmp_path / "b.tsv.gz", ["G\t1", None, "G\t1"])  # a tab in a value: written as it is
    assert [x.replace("G\t1", "G1") for x in tabbed] == arrow
