"""Classification outputs on a small trio VCF: which samples, which rows, ranking, evidence trail,
QC verdict and parentage, provenance, the per-sample VCF, filters, and `wgs-east classify`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pysam
import pytest
import yaml

from tests.test_classify import trio_batch, write_vcf
from wgs_east.acmg.settings import AcmgSettings
from wgs_east.classify import output
from wgs_east.classify.audit import AUDIT_COLUMNS
from wgs_east.classify.run import classify_vcf, provenance_record

AD = {"gene": "GAD", "gene_moi": "AD"}
AR = {"gene": "GAR", "gene_moi": "AR"}
ROWS: list[dict[str, Any]] = [
    # de novo stop in an AD gene (KID)
    {"chrom": "chr1", "pos": 100, "ref": "C", "alt": "T", "gts": ["0/0", "0/0", "0/1", "0/0"],
     "site": {**AD, "consequence": "stop_gained", "hgvs_c": "c.10C>T", "hgvs_p": "p.Arg4Ter"}},
    # compound het in an AR gene: paternal frameshift + maternal missense (KID)
    {"chrom": "chr1", "pos": 200, "ref": "GT", "alt": "G", "gts": ["0/1", "0/0", "0/1", "0/0"],
     "site": {**AR, "consequence": "frameshift", "hgvs_c": "c.20del", "pop_af": 8e-5, "pop_an": 150000}},
    {"chrom": "chr1", "pos": 300, "ref": "C", "alt": "T", "gts": ["0/0", "0/1", "0/1", "0/0"],
     "site": {**AR, "consequence": "missense", "hgvs_c": "c.30C>T", "revel": 0.5, "spliceai": 0.0}},
    # maternal in-frame deletion in the AD gene: VUS, no pattern (mother unaffected)
    {"chrom": "chr1", "pos": 400, "ref": "ATCT", "alt": "A", "gts": ["0/0", "0/1", "0/1", "0/0"],
     "site": {**AD, "consequence": "inframe_deletion", "hgvs_c": "c.40_42del"}},
    # common missense: Benign, carried by everyone, not listed
    {"chrom": "chr1", "pos": 500, "ref": "G", "alt": "A", "gts": ["0/1", "1/1", "1/1", "0/1"],
     "site": {**AD, "consequence": "missense", "hgvs_c": "c.50G>A", "pop_af": 0.3, "pop_an": 150000}},
    # de novo missense outside any gene: P/LP without a gene must still be listed
    {"chrom": "chr1", "pos": 600, "ref": "C", "alt": "G", "gts": ["0/0", "0/0", "0/1", "0/0"],
     "site": {"gene": "", "gene_moi": "", "consequence": "missense", "hgvs_c": "", "revel": 0.95,
              "lof_mechanism": False}},
    # a rare VUS in another gene (for the panel filter)
    {"chrom": "chr1", "pos": 700, "ref": "C", "alt": "A", "gts": ["0/0", "0/1", "0/1", "0/0"],
     "site": {"gene": "GOTHER", "gene_moi": "AD", "consequence": "5_prime_utr", "hgvs_c": "c.-5C>A"}},
    # hemizygous splice donor in SOLO
    {"chrom": "chrX", "pos": 900, "ref": "G", "alt": "A", "gts": ["0", "0/0", "0/0", "1"],
     "site": {"gene": "GXL", "gene_moi": "XLR", "consequence": "splice_donor", "hgvs_c": "c.50+1G>A"}},
]  # fmt: skip


def qc_json(path: Path, kid_verdict: str = "PASS") -> Path:
    pair = {"expected_relationship": "parent-child", "status": "PASS", "message": "ok"}
    data = {
        "verdicts": {"DAD": "PASS", "MUM": "PASS", "KID": kid_verdict, "SOLO": "PASS"},
        "samples": [{"sample": "KID", "reasons": [{"level": "FAIL", "check": "coverage", "message": "median depth 9 < 20"}]
                     if kid_verdict == "FAIL" else []}],
        "pairs": [{"sample_a": "DAD", "sample_b": "KID", "kinship": 0.24, **pair},
                  {"sample_a": "KID", "sample_b": "MUM", "kinship": 0.26, **pair}],
    }  # fmt: skip
    path.write_text(json.dumps(data))
    return path


def manifest(path: Path) -> Path:
    path.write_text(yaml.safe_dump({"name": "test-bundle", "version": "1.0", "build": "GRCh38",
                                    "sources": {"gnomad": {"kind": "population", "version": "4.1-test"},
                                                "clinvar": {"kind": "clinvar", "version": "2024-05-test"}}}))  # fmt: skip
    return path


def run(tmp_path: Path, *, qc: str | None = "PASS", batch_extra: dict[str, Any] | None = None, rows=ROWS) -> Path:
    vcf = write_vcf(tmp_path / "in.vcf.gz", rows)
    settings = AcmgSettings()
    qc_path = qc_json(tmp_path / "qc.json", qc) if qc else None
    man = manifest(tmp_path / "manifest.yaml")
    prov = provenance_record(
        vcf=vcf, config="/cfg/batch.yaml", config_sha256="ab" * 32, command="test", git_commit="deadbeef",
        qc_json=qc_path, manifest_path=man, manifest=yaml.safe_load(man.read_text()), settings=settings,
    )  # fmt: skip
    outdir = tmp_path / "classified"
    classify_vcf(
        vcf, trio_batch(**(batch_extra or {})), outdir, provenance=prov, settings=settings, qc_json=qc_path,
        manifest_path=man, manifest=yaml.safe_load(man.read_text()),
    )  # fmt: skip
    return outdir


def read_tsv(path: Path) -> tuple[list[str], pd.DataFrame]:
    lines = path.read_text().splitlines()
    comments = [x for x in lines if x.startswith("#")]
    df = pd.read_csv(path, sep="\t", comment=None, skiprows=len(comments), dtype=str, keep_default_na=False)
    return comments, df


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    return run(tmp_path_factory.mktemp("cls"))


def test_only_affected_samples_get_outputs(outputs):
    names = sorted(p.name for p in outputs.iterdir())
    assert names == sorted(f"{s}.{e}" for s in ("KID", "SOLO")
                           for e in ("tsv", "json", "vcf.gz", "vcf.gz.tbi", "benign.tsv.gz"))  # fmt: skip


def test_benign_audit_holds_every_benign_and_ba1_call(outputs):
    """Issue 24 item 7: no false Benign is invisible. 500 (AF 0.3 > 0.05: BA1, Richards 2015 Table 4 /
    SVI BA1) is carried by both samples and stopped by BA1; nothing else they carry is B/LB."""
    audit = pd.read_csv(outputs / "KID.benign.tsv.gz", sep="\t", dtype=str, keep_default_na=False)
    assert list(audit.columns) == list(AUDIT_COLUMNS)
    assert audit["pos"].tolist() == ["500"]
    row = audit.iloc[0]
    assert (row["stopped_by_ba1"], row["classification"], row["genotype"]) == ("yes", "Benign", "1/1")
    assert row["criteria"].split(",")[0] == "BA1"
    doc = json.loads((outputs / "KID.json").read_text())
    assert doc["counts"]["benign_audit"] == {"rows": 1, "stopped_by_ba1": 1}


def test_ranked_list_of_the_trio_proband(outputs):
    comments, df = read_tsv(outputs / "KID.tsv")
    assert list(df.columns) == list(output.TSV_COLUMNS)
    # 500 (Benign) not listed; within LP the compound-het candidate comes before the gene-less de novo
    # 700 (5' UTR VUS: no protein-altering or splice consequence) is not listed (issue 24 item 9), only counted
    assert df["pos"].tolist() == ["100", "200", "600", "300", "400"]
    top = df.iloc[0]
    assert (top["classification"], top["inheritance"], top["moi_match"]) == ("Pathogenic", "de_novo", "yes")
    # SVI de novo v1.1: confirmed, default phenotype row (consistent, not highly specific) = 1 point -> PS2_Moderate
    assert top["criteria"] == "PVS1,PS2_Moderate,PM2_Supporting" and top["points"] == "11"
    assert "SVI de novo v1.1 row: confirmed de novo, phenotype consistent with the gene but not highly specific" in top[
        "evidence"]  # fmt: skip
    assert "PS2_Moderate: de novo: proband 0/1 (DP 30), father DAD 0/0" in top["evidence"]
    assert "parentage confirmed by QC relatedness (DAD kinship 0.240, MUM kinship 0.260)" in top["evidence"]
    assert "PVS1: stop_gained" in top["evidence"] and "PM2_Supporting: absent" in top["evidence"]
    assert (top["father_genotype"], top["mother_genotype"], top["zygosity"]) == ("0/0", "0/0", "het")
    nogene = df.iloc[2]  # LP without a gene: listed, never dropped
    assert (nogene["gene"], nogene["classification"]) == ("", "Likely pathogenic")
    fs, mis = df.iloc[1], df.iloc[3]
    assert fs["inheritance"] == mis["inheritance"] == "compound_heterozygous"
    assert (fs["partners"], mis["partners"]) == ("chr1:300:C>T", "chr1:200:GT>G")
    assert "PM3_Supporting" in mis["criteria"] and "in trans with chr1:200:GT>G" in mis["evidence"]
    assert mis["classification"] == "Uncertain significance" and df.iloc[4]["candidate"] == "no"
    assert mis["rank"] == "4" and int(mis["points"]) < int(df.iloc[4]["points"])  # candidate first within VUS
    assert set(df["qc_verdict"]) == {"PASS"}
    text = "\n".join(comments)
    for needed in ("QC_VERDICT=PASS", "config_sha256=" + "ab" * 32, "wgs_east_version=", "gnomad=4.1-test",
                   "clinvar=2024-05-test", "bundle test-bundle 1.0", "reporting_rule="):  # fmt: skip
        assert needed in text, needed


def test_json_carries_structured_criteria_and_provenance(outputs):
    doc = json.loads((outputs / "KID.json").read_text())
    assert doc["qc_verdict"] == "PASS" and doc["qc"]["parentage_confirmed"] is True
    assert doc["provenance"]["config_sha256"] == "ab" * 32
    assert doc["provenance"]["resources"]["content"]["sources"]["gnomad"]["version"] == "4.1-test"
    first = doc["variants"][0]
    assert [c["code"] for c in first["criteria"]] == ["PVS1", "PS2_Moderate", "PM2_Supporting"]
    assert [c["points"] for c in first["criteria"]] == [8, 2, 1]
    assert first["criteria"][1]["strength"] == "Moderate" and "de novo" in first["criteria"][1]["evidence"]
    assert doc["counts"]["calls"] == 7 and doc["counts"]["listed"] == 5
    assert doc["counts"]["not_listed"]["spooled_by_reason"] == {"VUS: no protein-altering or splice consequence": 1}
    assert doc["counts"]["classes_before_phase"]["Benign"] == 1
    assert doc["acmg_settings"]["ba1_af"] == 0.05


def test_per_sample_vcf_holds_the_listed_calls_with_sample_criteria(outputs):
    with pysam.VariantFile(str(outputs / "KID.vcf.gz")) as vcf:
        assert list(vcf.header.samples) == ["KID", "DAD", "MUM"]
        header = str(vcf.header)
        recs = {r.pos: r for r in vcf.fetch("chr1")}
    assert list(recs) == [100, 200, 300, 400, 600]  # genome order; 500 (Benign) and 700 (UTR VUS) are not listed
    denovo = recs[100]
    assert denovo.info["ACMG_CLASS"] == "Pathogenic" and denovo.info["ACMG_POINTS"] == 11
    assert list(denovo.info["ACMG_CRITERIA"]) == ["PVS1", "PS2_Moderate", "PM2_Supporting"]
    assert denovo.info["INHERITANCE"] == ("de_novo",) and denovo.info["MOI_MATCH"] == "yes"
    assert denovo.samples["DAD"]["GT"] == (0, 0) and denovo.samples["KID"]["DP"] == 30
    assert recs[300].info["ACMG_CRITERIA"] == ("PM2_Supporting", "PM3_Supporting")
    assert recs[400].info["GENE"] == "GAD" and recs[400].info["MOI_MATCH"] == "no"  # a pattern that does not fit AD
    assert "##wgs-east_classify_QC_VERDICT=PASS" in header and "config_sha256=" + "ab" * 32 in header
    assert "##contig=<ID=chr1,length=100000>" in header


def test_singleton_hemizygous_candidate_and_pm6_free(outputs):
    _, df = read_tsv(outputs / "SOLO.tsv")
    assert df["pos"].tolist() == ["900"]
    row = df.iloc[0]
    assert (row["inheritance"], row["zygosity"], row["father_genotype"]) == ("x_linked_hemizygous", "hemi", "not sequenced")
    assert row["classification"] == "Likely pathogenic"


def test_without_qc_de_novo_is_pm6_and_the_trail_says_why(tmp_path):
    out = run(tmp_path, qc=None)
    comments, df = read_tsv(out / "KID.tsv")
    top = df.iloc[0]
    assert top["criteria"] == "PVS1,PM2_Supporting,PM6_Supporting"  # SVI de novo v1.1: assumed, default row: 0.5
    assert "parentage not confirmed: no QC relatedness result was given" in top["evidence"]
    assert "QC_VERDICT=NOT_AVAILABLE (no QC result given)" in "\n".join(comments)


def test_failed_qc_sample_is_classified_with_the_verdict_everywhere(tmp_path, capsys):
    out = run(tmp_path, qc="FAIL")
    comments, df = read_tsv(out / "KID.tsv")
    assert len(df) == 5 and set(df["qc_verdict"]) == {"FAIL"}
    assert "QC_VERDICT=FAIL (FAIL coverage: median depth 9 < 20)" in comments[1]
    doc = json.loads((out / "KID.json").read_text())
    assert doc["qc_verdict"] == "FAIL" and doc["qc"]["reasons"] == ["FAIL coverage: median depth 9 < 20"]
    with pysam.VariantFile(str(out / "KID.vcf.gz")) as vcf:
        assert "##wgs-east_classify_QC_VERDICT=FAIL" in str(vcf.header)
    assert "KID FAILED QC" in capsys.readouterr().err


def test_panel_filter_hides_only_non_plp_outside_the_panel(tmp_path):
    out = run(tmp_path, batch_extra={"classification": {"panel": ["GAR"]}})
    _, df = read_tsv(out / "KID.tsv")
    assert df["pos"].tolist() == ["100", "200", "600", "300"]  # GAD P and gene-less LP kept; 400 hidden
    assert df.set_index("pos").loc["100", "filter_note"] == "outside panel"
    assert df.set_index("pos").loc["200", "filter_note"] == ""
    doc = json.loads((out / "KID.json").read_text())
    assert doc["counts"]["hidden_by_filters"] == 1 and doc["filters"]["panel"] == ["GAR"]


def test_cli_classify(tmp_path, run_cli):
    vcf = write_vcf(tmp_path / "in.vcf.gz", ROWS)
    cfg = tmp_path / "batch.yaml"
    cfg.write_text(yaml.safe_dump(json.loads(trio_batch().model_dump_json())))
    man = manifest(tmp_path / "manifest.yaml")
    code, out, err = run_cli("classify", "--vcf", vcf, "--resources", man, "--config", cfg, "--outdir", tmp_path / "o",
                             "--qc", qc_json(tmp_path / "qc.json"))  # fmt: skip
    assert code == 0, err
    assert "KID: QC PASS, 7 calls, 5 listed (3 P/LP, 3 candidates)" in out
    doc = json.loads((tmp_path / "o" / "KID.json").read_text())
    from wgs_east.config import file_sha256

    assert doc["provenance"]["config_sha256"] == file_sha256(cfg)
    assert doc["provenance"]["command"].startswith("wgs-east classify --vcf ")
    code, _, err = run_cli("classify", "--vcf", tmp_path / "nope.vcf.gz", "--resources", man, "--config", cfg,
                           "--outdir", tmp_path / "o2")  # fmt: skip
    assert code == 2 and "VCF not found" in err and "Traceback" not in err
    code, _, err = run_cli("classify", "--vcf", vcf, "--resources", man, "--config", cfg, "--outdir", tmp_path / "o3",
                           "--sample", "DAD")  # fmt: skip
    assert code == 2 and "not affected" in err
    code, _, err = run_cli("classify", "--vcf", vcf, "--resources", tmp_path / "none.yaml", "--config", cfg,
                           "--outdir", tmp_path / "o4")  # fmt: skip
    assert code == 2 and "resource manifest not found" in err


def test_hpo_filter_uses_the_gene_table(tmp_path):
    (tmp_path / "genes.tsv").write_text("symbol\tmoi\thpo\nGAR\tAR\tHP:0001250|HP:0001263\nGAD\tAD\tHP:0000001\n")
    man = tmp_path / "manifest.yaml"
    man.write_text(yaml.safe_dump({"bundle": "t", "version": "1", "sources": {
        "genetable": {"kind": "gene_table", "path": "genes.tsv", "version": "g1"}}}))  # fmt: skip
    vcf = write_vcf(tmp_path / "in.vcf.gz", ROWS)
    batch = trio_batch(classification={"hpo_filter": True})
    settings = AcmgSettings()
    manifest_doc = yaml.safe_load(man.read_text())
    prov = provenance_record(vcf=vcf, config="c", config_sha256="0", command="t", git_commit=None, qc_json=None,
                             manifest_path=man, manifest=manifest_doc, settings=settings)  # fmt: skip
    classify_vcf(vcf, batch, tmp_path / "o", provenance=prov, settings=settings, manifest_path=man, manifest=manifest_doc)
    _, df = read_tsv(tmp_path / "o" / "KID.tsv")  # KID: HP:0001250 -> GAR matches, GAD does not
    # the de novo stop at 100 is in GAD, whose HPO terms share none with KID's: SVI de novo v1.1 "phenotype not
    # consistent" = 0 points, no PS2; PVS1 + PM2_Supporting = 9: Likely pathogenic, after the Pathogenic 200
    assert df["pos"].tolist() == ["200", "100", "600", "300"]
    assert df.set_index("pos").loc["100", "criteria"] == "PVS1,PM2_Supporting"
    assert df.set_index("pos").loc["100", "filter_note"] == "no HPO match"  # LP kept, flagged
    _, solo = read_tsv(tmp_path / "o" / "SOLO.tsv")  # SOLO has no phenotypes: not filtered
    assert solo["pos"].tolist() == ["900"]


def test_acmg_settings_from_a_yaml_file_named_in_the_config(tmp_path, run_cli):
    vcf = write_vcf(tmp_path / "in.vcf.gz", ROWS)
    (tmp_path / "acmg.yaml").write_text("genes:\n  GAD:\n    strengths: {PM2: Moderate}\n")
    data = json.loads(trio_batch().model_dump_json())
    data["acmg"] = "acmg.yaml"  # relative to the config file
    cfg = tmp_path / "batch.yaml"
    cfg.write_text(yaml.safe_dump(data))
    man = manifest(tmp_path / "manifest.yaml")
    code, _, err = run_cli("classify", "--vcf", vcf, "--resources", man, "--config", cfg, "--outdir", tmp_path / "o")
    assert code == 0, err
    _, df = read_tsv(tmp_path / "o" / "KID.tsv")
    row = df.set_index("pos").loc["400"]  # GAD in-frame deletion: PM4 + PM2 (Moderate here) = 4
    assert (row["criteria"], row["points"]) == ("PM2,PM4", "4")
    (tmp_path / "acmg.yaml").write_text("ba1_af: 2\n")
    code, _, err = run_cli("classify", "--vcf", vcf, "--resources", man, "--config", cfg, "--outdir", tmp_path / "o2")
    assert code == 2 and "ba1_af" in err and "Traceback" not in err
