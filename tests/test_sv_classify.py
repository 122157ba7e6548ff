"""wgs-east classify-sv: a hand-made batch SV VCF (the calling stage's contract) annotated and classified
against the test bundle's gene models and gene table (a test-local bundle copy adds TS scores, an
sv_population file and a ClinVar SV record; test_data/ is not changed); the report section."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pysam
import pytest

from tests.conftest import REPO
from wgs_east.cli import main as cli_main
from wgs_east.config import load_batch
from wgs_east.resources import prepare

RES = REPO / "test_data" / "resources"
SAMPLES = ("FATHER1", "MOTHER1", "PROBAND1", "SINGLETON1")
HEADER = """##fileformat=VCFv4.2
##source=wgs-east test (hand-made, SV contract)
##contig=<ID=chrSYN1,length=50000>
##contig=<ID=chrX,length=60000>
##contig=<ID=chrY,length=20000>
##ALT=<ID=DEL,Description="Deletion">
##ALT=<ID=DUP,Description="Duplication">
##ALT=<ID=INV,Description="Inversion">
##INFO=<ID=SVTYPE,Number=1,Type=String,Description="SV type">
##INFO=<ID=END,Number=1,Type=Integer,Description="End">
##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="Length">
##INFO=<ID=CALLERS,Number=.,Type=String,Description="Callers">
##INFO=<ID=PE,Number=1,Type=Integer,Description="Paired-end support">
##INFO=<ID=SR,Number=1,Type=Integer,Description="Split-read support">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=CN,Number=1,Type=Integer,Description="Copy number">
##FORMAT=<ID=DV,Number=1,Type=Integer,Description="Variant pairs">
"""
# (chrom, pos, id, alt, info, {sample: GT:CN}) - FATHER1, MOTHER1, PROBAND1, SINGLETON1
EVENTS = [
    # de novo heterozygous deletion of SYNAD1 exons 3-4 (8,360-8,582 and 10,071-10,229; affected 8,001-11,000)
    ("chrSYN1", 8000, "DEL_DENOVO", "<DEL>", "SVTYPE=DEL;END=11000;SVLEN=-3000;CALLERS=delly,cnvkit;PE=12;SR=7",
     ("0/0:2", "0/0:2", "0/1:1", "0/0:2")),
    # intergenic deletion inherited from the father, common in the sv_population file
    ("chrSYN1", 15100, "DEL_COMMON", "<DEL>", "SVTYPE=DEL;END=19000;SVLEN=-3900;CALLERS=delly",
     ("0/1:1", "0/0:2", "0/1:1", "0/0:2")),
    # homozygous whole-gene deletion of SYNAR1 (HI 30), both parents carriers; proband CN '.'
    ("chrSYN1", 19500, "DEL_HOM", "<DEL>", "SVTYPE=DEL;END=29500;SVLEN=-10000;CALLERS=delly,tiddit",
     ("0/1:1", "0/1:1", "1/1:.", "0/0:2")),
    # whole-gene duplication of SYNMIS1 inherited from the mother
    ("chrSYN1", 34000, "DUP_WHOLE", "<DUP>", "SVTYPE=DUP;END=46500;SVLEN=12500;CALLERS=delly,cnvkit;PE=9",
     ("0/0:2", "0/1:3", "0/1:3", "0/0:2")),
    # inversion with one breakpoint in SYNMIS1 intron 1 (35,217 | 37,115), inherited from the father
    ("chrSYN1", 37000, "INV_BREAK", "<INV>", "SVTYPE=INV;END=48000;SVLEN=11000;CALLERS=delly,tiddit;PE=6;SR=4",
     ("0/1:.", "0/0:.", "0/1:.", "0/0:.")),
    # carried by the mother only: not a row of PROBAND1
    ("chrSYN1", 30500, "DEL_MOTHER", "<DEL>", "SVTYPE=DEL;END=31500;SVLEN=-1000;CALLERS=delly",
     ("0/0:2", "0/1:1", "0/0:2", "0/0:2")),
    # breakend in an intergenic stretch: listed, not scored
    ("chrSYN1", 31000, "BND_1", "N[chrX:50000[", "SVTYPE=BND;CALLERS=delly;PE=5",
     ("0/0:.", "0/0:.", "0/1:.", "0/0:.")),
    # hemizygous deletion of SYNXL1 exons 2-3 (26,285-26,428, 27,557-27,779) in the male singleton
    ("chrX", 26000, "DEL_X", "<DEL>", "SVTYPE=DEL;END=28000;SVLEN=-2000;CALLERS=delly,cnvkit",
     ("0:1", "0/0:2", "0/0:2", "1:0")),
]  # fmt: skip


def write_vcf(path: Path, events: list[tuple[Any, ...]] = EVENTS, header: str = HEADER) -> Path:
    lines = [header + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(SAMPLES)]
    for chrom, pos, ident, alt, info, gts in sorted(events, key=lambda e: (e[0] != "chrSYN1", e[1])):
        lines.append(f"{chrom}\t{pos}\t{ident}\tN\t{alt}\t.\tPASS\t{info}\tGT:CN\t" + "\t".join(gts))
    return bgzip_vcf(path, "\n".join(lines) + "\n")


def bgzip_vcf(path: Path, text: str) -> Path:
    plain = path.with_suffix("")
    plain.write_text(text)
    pysam.tabix_compress(str(plain), str(path), force=True)
    pysam.tabix_index(str(path), preset="vcf", force=True)
    plain.unlink()
    return path


def make_bundle(root: Path) -> Path:
    """A copy of the test bundle's gene models and gene table (with a TS column: SYNMIS1 TS 3), a small
    gnomAD-SV-style sv_population file and a ClinVar file with one symbolic deletion."""
    bundle = root / "bundle"
    bundle.mkdir()
    (bundle / "genes.gff3").write_bytes((RES.parent / "genes" / "genes.gff3").read_bytes())  # = the bundle's gene models
    table = (RES / "gene_table.tsv").read_text().splitlines()
    ts = {"symbol": "ts", "SYNMIS1": "3", "SYNAD1": "1"}
    table = [f"{line}\t{ts.get(line.split(chr(9))[0], '')}" for line in table]
    (bundle / "gene_table.tsv").write_text("\n".join(table) + "\n")
    sv_head = ("##fileformat=VCFv4.2\n##contig=<ID=chrSYN1,length=50000>\n"
               '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="t">\n##INFO=<ID=END,Number=1,Type=Integer,Description="e">\n'
               '##INFO=<ID=AF,Number=A,Type=Float,Description="af">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n')  # fmt: skip
    bgzip_vcf(bundle / "sv.vcf.gz", sv_head
              + "chrSYN1\t15000\tPOP_DEL\tN\t<DEL>\t.\tPASS\tSVTYPE=DEL;END=19000;AF=0.05\n"
              + "chrSYN1\t15000\tPOP_DUP\tN\t<DUP>\t.\tPASS\tSVTYPE=DUP;END=19000;AF=0.5\n")  # fmt: skip
    cv_head = ("##fileformat=VCFv4.1\n##contig=<ID=chrSYN1,length=50000>\n"
               '##INFO=<ID=END,Number=1,Type=Integer,Description="e">\n##INFO=<ID=CLNSIG,Number=.,Type=String,Description="s">\n'
               '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="r">\n##INFO=<ID=CLNVC,Number=1,Type=String,Description="v">\n'
               "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")  # fmt: skip
    bgzip_vcf(bundle / "clinvar.vcf.gz", cv_head + "chrSYN1\t8200\t990001\tN\t<DEL>\t.\t.\tEND=10500;CLNSIG=Pathogenic;"
              "CLNREVSTAT=criteria_provided,_single_submitter;CLNVC=Deletion\n")  # fmt: skip
    prepare.update_manifest(bundle, "genes", {"kind": "gene_models", "path": "genes.gff3", "version": "x"})
    prepare.update_manifest(bundle, "genetable", {"kind": "gene_table", "path": "gene_table.tsv", "version": "x",
                                                  "columns": {"triplosensitivity": "ts"}})  # fmt: skip
    prepare.update_manifest(bundle, "gnomad_sv", {"kind": "sv_population", "path": "sv.vcf.gz", "version": "t1"})
    prepare.update_manifest(bundle, "clinvar", {"kind": "clinvar", "path": "clinvar.vcf.gz", "version": "c1"})
    return bundle / "manifest.yaml"


def qc_json(path: Path) -> Path:
    pairs = [{"sample_a": p, "sample_b": "PROBAND1", "expected_relationship": "parent-child", "kinship": 0.25,
              "status": "PASS", "message": "declared parent-child"} for p in ("FATHER1", "MOTHER1")]  # fmt: skip
    verdicts = {"FATHER1": "PASS", "MOTHER1": "PASS", "PROBAND1": "PASS", "SINGLETON1": "WARN"}
    samples = [{"sample": "SINGLETON1", "reasons": [{"level": "WARN", "check": "coverage", "message": "low"}]}]
    path.write_text(json.dumps({"verdicts": verdicts, "samples": samples, "pairs": pairs}))
    return path


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("sv")
    batch = root / "batch.json"
    batch.write_text(load_batch(REPO / "config" / "test.yaml", check_inputs=False).model_dump_json())
    run = root / "run.json"
    run.write_text(json.dumps({"config_path": "/cfg/test.yaml", "config_sha256": "ab" * 32, "command": "wgs-east run x",
                               "git_commit": "0123456789ab"}))  # fmt: skip
    return {"root": root, "vcf": write_vcf(root / "B001.sv.vcf.gz"), "batch": batch, "run": run,
            "qc": qc_json(root / "qc.json"), "manifest": make_bundle(root)}  # fmt: skip


def classify(work: dict[str, Path], sample: str, manifest: Path | None = None) -> tuple[dict[str, dict[str, str]], list[str], dict]:
    out = work["root"] / sample
    args = ["classify-sv", "--vcf", work["vcf"], "--sample", sample, "--batch-json", work["batch"], "--run-json",
            work["run"], "--qc", work["qc"], "--resources", manifest or work["manifest"], "--out-tsv",
            out.with_suffix(".sv.tsv"), "--out-json", out.with_suffix(".sv.json")]  # fmt: skip
    assert cli_main([str(a) for a in args]) == 0
    text = out.with_suffix(".sv.tsv").read_text().splitlines()
    comments = [line for line in text if line.startswith("#")]
    rows = {r["id"]: r for r in csv.DictReader([line for line in text if not line.startswith("#")], delimiter="\t")}
    return rows, comments, json.loads(out.with_suffix(".sv.json").read_text())


def test_de_novo_multi_exon_deletion_of_an_hi_gene(work: dict[str, Path]) -> None:
    rows, _, _ = classify(work, "PROBAND1")
    r = rows["DEL_DENOVO"]
    # Riggs 2020 Table 1: 1A 0 (exons of a protein-coding gene); section 2: SYNAD1 HI 3, deletion inside the
    # gene -> 2E by the SVI PVS1 tree: exons 3-4 are wholly coding, 223 + 159 = 382 bp (382 % 3 = 1: frameshift),
    # last deleted mRNA offset 948 < last-exon start 1,186 - 50 -> NMD -> PVS1 0.90; 3A 0 (1 gene);
    # 5A: de novo, parentage confirmed by QC, phenotype fit unknown -> scored at the 4C level, 0.15.
    # Total 0.90 + 0.15 = 1.05 >= 0.99: Pathogenic.
    assert (r["codes"], r["section2"], r["section5"], r["total"], r["classification"]) == (
        "1A,2E,3A,5A", "0.90", "0.15", "1.05", "Pathogenic")  # fmt: skip
    assert "382 coding bp (32 % of the CDS), frameshift, NMD predicted: PVS1" in r["evidence"]
    assert (r["start"], r["end"], r["size"], r["genotype"], r["copy_number"]) == ("8001", "11000", "3000", "0/1", "1")
    assert r["exons"] == "SYNAD1 ENST90000000001: exons 3-4 of 6"
    assert r["dosage"] == "SYNAD1 HI 3 TS 1"
    assert (r["father_genotype"], r["mother_genotype"], r["callers"]) == ("0/0", "0/0", "delly,cnvkit")
    assert r["inheritance"].startswith("de novo (father FATHER1 0/0, mother MOTHER1 0/0; parentage confirmed")
    # the bundle's symbolic ClinVar deletion 8,201-10,500 overlaps
    assert r["clinvar"] == "990001 Pathogenic (1 stars) chrSYN1:8201-10500 RO 0.77"
    assert r["rank"] == "1"


def test_homozygous_deletion_of_a_recessive_gene(work: dict[str, Path]) -> None:
    r = classify(work, "PROBAND1")[0]["DEL_HOM"]
    # SYNAR1 (HI 30, 20,001-29,050) inside 19,501-29,500; GT 1/1 without FORMAT/CN -> copy number 0: scored
    # like an established HI gene (stated deviation, scoring.py): 2A +1.00; 1A, 3A; both parents carry one copy
    # -> section 5 not scored (5F 0). Total 1.00: Pathogenic.
    assert (r["codes"], r["total"], r["classification"], r["zygosity"]) == ("1A,2A,3A,5F", "1.00", "Pathogenic", "homozygous")
    assert "2A +1.00: SYNAR1 (HI 30 (autosomal recessive), homozygous loss) completely deleted" in r["evidence"]
    assert "copy number 0 from GT 1/1 (no FORMAT/CN)" in r["evidence"]
    assert r["inheritance"].startswith("inherited from father and mother")


def test_whole_gene_duplication_with_a_ts_gene(work: dict[str, Path]) -> None:
    r = classify(work, "PROBAND1")[0]["DUP_WHOLE"]
    # Table 2: SYNMIS1 (TS 3 in the local gene table) completely inside 34,001-46,500 -> 2A +1.00; 1A, 3A;
    # inherited from the unaffected mother, phenotype unknown -> 5C -0.15. Total 0.85: VUS.
    assert (r["codes"], r["total"], r["classification"], r["copy_number"]) == (
        "1A,2A,3A,5C", "0.85", "Uncertain significance", "3")  # fmt: skip
    assert r["exons"] == "SYNMIS1 ENST90000000004: all 6 exons"
    assert r["inheritance"].startswith("inherited from mother")
    assert r["population_match"].startswith("none")


def test_inversion_breaking_a_gene_is_a_candidate_without_points(work: dict[str, Path]) -> None:
    rows, _, doc = classify(work, "PROBAND1")
    r = rows["INV_BREAK"]
    assert (r["classification"], r["candidate"], r["total"], r["codes"]) == ("Candidate (gene broken)", "yes", ".", "")
    assert r["breakpoints"] == "SYNMIS1 ENST90000000004 intron 1 (chrSYN1:37000^37001)"
    assert r["inheritance"].startswith("inherited from father")
    assert {r["section1"], r["section5"]} == {"."}
    assert rows["BND_1"]["classification"] == "Not scored (no gene broken)"
    assert "DEL_MOTHER" not in rows  # carried by the mother only
    ranks = [e["id"] for e in doc["events"]]
    assert ranks == ["DEL_DENOVO", "DEL_HOM", "DUP_WHOLE", "INV_BREAK", "DEL_COMMON", "BND_1"]


def test_population_frequency_from_the_sv_population_source(work: dict[str, Path]) -> None:
    r = classify(work, "PROBAND1")[0]["DEL_COMMON"]
    # POP_DEL 15,001-19,000 vs the call 15,101-19,000: reciprocal overlap 3,900 / 4,000 = 0.975; AF 0.05 (the
    # POP_DUP record, AF 0.5, is another type). 1B -0.60, 3A 0, 4O -1.00, 5C -0.15 = -1.75: Benign.
    assert (r["population_af"], r["population_match"]) == ("0.05", "POP_DEL (RO 0.97)")
    assert (r["codes"], r["total"], r["classification"]) == ("1B,3A,4O,5C", "-1.75", "Benign")


def test_haploid_chrx_deletion_in_a_male(work: dict[str, Path]) -> None:
    rows, comments, doc = classify(work, "SINGLETON1")
    r = rows["DEL_X"]
    # SYNXL1 (HI 3) exons 2-3 (144 + 223 = 367 coding bp, 367 % 3 = 1: frameshift; last deleted offset 720 <
    # last-exon start 913 - 50: NMD) -> 2E PVS1 0.90; no parent sequenced -> 5F 0. Total 0.90: Likely pathogenic.
    assert (r["genotype"], r["zygosity"], r["codes"], r["total"], r["classification"]) == (
        "1", "hemizygous", "1A,2E,3A,5F", "0.90", "Likely pathogenic")  # fmt: skip
    assert "only the mother is informative on chrX" in r["inheritance"]
    assert (r["father_genotype"], r["mother_genotype"]) == ("not sequenced", "not sequenced")
    assert list(rows) == ["DEL_X"]
    assert "QC_VERDICT=WARN (WARN coverage: low)" in [c.lstrip("# ") for c in comments]
    assert doc["qc_verdict"] == "WARN" and doc["sex"] == "male"


def test_provenance_and_qc_headers_as_the_small_variant_table(work: dict[str, Path]) -> None:
    from wgs_east.classify import output
    from wgs_east.classify.pedigree import probands, read_qc
    from wgs_east.config.models import Batch

    _, comments, doc = classify(work, "PROBAND1")
    text = [c[2:] for c in comments]
    batch = Batch.model_validate_json(work["batch"].read_text())
    p = probands(batch, list(SAMPLES), read_qc(work["qc"]), ["PROBAND1"])[0]
    expected = output.comment_lines(p, doc["provenance"], rule=doc["reporting_rule"])
    assert text == expected
    assert text[1] == "QC_VERDICT=PASS" and text[2].startswith("parentage=parentage confirmed by QC relatedness")
    assert "config=/cfg/test.yaml config_sha256=" + "ab" * 32 in text
    assert f"input_vcf={work['vcf']}" in text
    assert any(t.startswith("resources=bundle wgs-east-grch38") and "gnomad_sv=t1" in t for t in text)
    assert doc["provenance"]["git_commit"] == "0123456789ab"
    assert doc["counts"]["events_carried"] == 7 - 1 and doc["counts"]["reported"] == 4


def test_clinvar_without_sv_records_is_not_available(work: dict[str, Path]) -> None:
    rows, _, doc = classify(work, "PROBAND1", manifest=RES / "manifest.yaml")
    assert rows["DEL_DENOVO"]["clinvar"].startswith("not available: the bundle's ClinVar (clinvar test-2026.11) holds no")
    assert rows["DEL_DENOVO"]["population_match"] == "not available: the bundle has no sv_population source"
    # the committed gene table's triplosensitivity column: SYNAD1 TS 0 (no evidence)
    assert rows["DEL_DENOVO"]["dosage"] == "SYNAD1 HI 3 TS 0"
    # with TS 0 (not established) the whole-gene duplication of SYNMIS1 (HI 1) gets no section-2 points
    assert (rows["DUP_WHOLE"]["codes"], rows["DUP_WHOLE"]["total"]) == ("1A,3A,5C", "-0.15")


@pytest.mark.parametrize(("change", "where"), [
    (lambda e: [("chrSYN1", 100, "X", "<DEL>", "SVTYPE=DEL;SVLEN=-10", ("0/0", "0/0", "0/1", "0/0"))], "INFO/END"),
    (lambda e: [("chrSYN1", 100, "X", "<CPX>", "SVTYPE=CPX;END=200", ("0/0", "0/0", "0/1", "0/0"))], "INFO/SVTYPE"),
    (lambda e: [("chrSYN1", 500, "X", "<DEL>", "SVTYPE=DEL;END=200", ("0/0", "0/0", "0/1", "0/0"))], "INFO/END"),
])  # fmt: skip
def test_bad_records_are_named(work: dict[str, Path], tmp_path: Path, change: Any, where: str) -> None:
    vcf = write_vcf(tmp_path / "bad.vcf.gz", change(EVENTS))
    proc = subprocess.run(
        [sys.executable, "-m", "wgs_east.cli", "classify-sv", "--vcf", str(vcf), "--sample", "PROBAND1", "--batch-json",
         str(work["batch"]), "--resources", str(work["manifest"]), "--out-tsv", str(tmp_path / "o.tsv"),
         "--out-json", str(tmp_path / "o.json")], capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(vcf) in proc.stderr and f"record 1 (chrSYN1:{change(EVENTS)[0][1]}), {where}" in proc.stderr
    assert not (tmp_path / "o.tsv").exists() and not (tmp_path / "o.json").exists()


def test_bad_header_and_sample_are_named(work: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vcf = write_vcf(tmp_path / "nogt.vcf.gz", EVENTS[:1], HEADER.replace("##INFO=<ID=SVTYPE", "##INFO=<ID=XTYPE"))
    base = ["classify-sv", "--batch-json", str(work["batch"]), "--resources", str(work["manifest"]),
            "--out-tsv", str(tmp_path / "o.tsv"), "--out-json", str(tmp_path / "o.json")]  # fmt: skip
    assert cli_main([*base, "--vcf", str(vcf), "--sample", "PROBAND1"]) == 2
    assert "header, INFO/SVTYPE: not declared" in capsys.readouterr().err
    assert cli_main([*base, "--vcf", str(work["vcf"]), "--sample", "FATHER1"]) == 2
    assert "--sample FATHER1: not affected" in capsys.readouterr().err
    assert cli_main([*base, "--vcf", str(tmp_path / "missing.vcf.gz"), "--sample", "PROBAND1"]) == 2
    assert "missing.vcf.gz" in capsys.readouterr().err


def test_report_section_from_the_sv_json(work: dict[str, Path]) -> None:
    from tests.test_report import prov
    from wgs_east.config.models import Batch
    from wgs_east.report import context, render

    _, _, doc = classify(work, "PROBAND1")
    batch = Batch.model_validate_json(work["batch"].read_text())
    html = render.render("sample.html.j2", context.sample_context(batch, "PROBAND1", None, None, prov(), sv=doc))
    assert "Structural variants and copy-number changes" in html
    section = html[html.index('id="sv"'):]
    assert "DEL_DENOVO" in section and "1A,2E,3A,5A" not in section  # codes are shown as chips
    assert "2E" in section and "+0.90" in section and "1.05" in section and "SYNAD1" in section
    assert "<strong>1.00</strong>" in section  # DEL_HOM total, two decimals as the tables write points
    assert "INV_BREAK" in section and "Candidate (gene broken)" in section
    assert "DEL_COMMON" not in section and "BND_1" not in section  # Benign / not scored: not listed
    without = render.render("sample.html.j2", context.sample_context(batch, "PROBAND1", None, None, prov()))
    assert "Structural-variant and copy-number calling was not run" in without


def test_report_entry_point_takes_the_sv_json(work: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from wgs_east.report import sample as sample_cli

    classify(work, "PROBAND1")
    classify(work, "SINGLETON1")
    out = work["root"] / "reports" / "PROBAND1.html"
    common = ["--batch-json", str(work["batch"]), "--run-json", str(work["run"]), "--out", str(out)]
    assert sample_cli.main(["--sample", "PROBAND1", "--sv", str(work["root"] / "PROBAND1.sv.json"), *common]) == 0
    page = out.read_text()
    assert 'data-sv="DEL_DENOVO"' in page and 'data-sv="DEL_HOM"' in page and "sv-not-run" not in page
    from wgs_east.errors import InputError

    with pytest.raises(InputError, match="not 'PROBAND1'"):
        sample_cli.main(["--sample", "PROBAND1", "--sv", str(work["root"] / "SINGLETON1.sv.json"), *common])


def test_copy_number_from_the_segments_and_bad_segment_tables(work: dict[str, Path], tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    seg = tmp_path / "PROBAND1.cnv.tsv"
    seg.write_text("# cnvkit 0.9.9\nchrom\tstart\tend\tcopy_number\tlog2\tbins\tcall\tcaller\n"
                   "chrSYN1\t19601\t29400\t0\t-5.1\t40\tloss\tcnvkit\n"
                   "chrSYN1\t34001\t36000\t3\t0.58\t4\tgain\tcnvkit\n")  # fmt: skip
    base = ["classify-sv", "--vcf", str(work["vcf"]), "--sample", "PROBAND1", "--batch-json", str(work["batch"]),
            "--resources", str(work["manifest"]), "--out-tsv", str(tmp_path / "o.tsv"), "--out-json", str(tmp_path / "o.json")]  # fmt: skip
    assert cli_main([*base, "--cnv", str(seg)]) == 0
    events = {e["id"]: e for e in json.loads((tmp_path / "o.json").read_text())["events"]}
    # DEL_HOM 19,501-29,500 (CN '.') vs the segment 19,601-29,400: 9,800 / 10,000 = 0.98 >= 0.5
    assert events["DEL_HOM"]["copy_number"] == 0
    assert "loss: copy number 0 from the segment chrSYN1:19601-29400 (cnvkit, RO 0.98)" in events["DEL_HOM"]["notes"]
    # the INV has no copy number; DUP_WHOLE keeps its FORMAT/CN (the 2 kb segment overlaps it by 0.16 only)
    assert events["INV_BREAK"]["copy_number"] == "." and events["DUP_WHOLE"]["copy_number"] == 3
    bad = tmp_path / "bad.cnv.tsv"
    bad.write_text("chrom\tstart\tend\tcopy_number\tlog2\tbins\tcall\tcaller\nchrSYN1\t500\t100\tone\t0\t1\tloss\tcnvkit\n")
    assert cli_main([*base, "--cnv", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "line 2, column copy_number: 'one' is not an integer" in err
    bad.write_text("chrom\tstart\tend\n")
    assert cli_main([*base, "--cnv", str(bad)]) == 2
    assert "columns missing: copy_number, log2, bins, call, caller" in capsys.readouterr().err
