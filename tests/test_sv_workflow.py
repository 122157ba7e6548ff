"""The SV / CNV stage on the test genome (one workflow run per session, `pipeline_run`): the batch SV VCF's
contract, the planted events (test_data/truth/sv_truth.vcf.gz) with every member's genotype, the copy-number
tables, and truvari per sample."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pysam
import pytest

from tests.conftest import REPO

TRUTH = REPO / "test_data" / "truth" / "sv_truth.vcf.gz"
REFERENCE = REPO / "test_data" / "reference" / "genome.fa"
SAMPLES = ("FATHER1", "MOTHER1", "PROBAND1", "SINGLETON1")
# truvari per sample: measured 1.0 precision, recall and GT concordance in every sample (3-5 events each);
# margin 0.25: one miss among 4 events
MIN_PRECISION = MIN_RECALL = 0.75
MIN_GT_CONCORDANCE = 0.75
MIN_OVERLAP, MAX_DISTANCE = 0.5, 500

pytestmark = pytest.mark.slow


def _truth() -> list[pysam.VariantRecord]:
    with pysam.VariantFile(str(TRUTH)) as vcf:
        return list(vcf)


def _calls(run: Path) -> tuple[pysam.VariantHeader, list[pysam.VariantRecord]]:
    vcf = pysam.VariantFile(str(run / "sv" / "B001.sv.vcf.gz"))
    return vcf.header, list(vcf)


def _gt(call: pysam.libcbcf.VariantRecordSample) -> str:
    """Unphased GT text: `0/1`, haploid `1`, missing `.`."""
    alleles = call["GT"]
    if alleles is None or alleles == (None,):
        return "."
    return "/".join(sorted("." if a is None else str(a) for a in alleles))


def _same_event(truth: pysam.VariantRecord, call: pysam.VariantRecord) -> bool:
    if truth.chrom != call.chrom or truth.info["SVTYPE"] != call.info["SVTYPE"]:
        return False
    a, b = (truth.pos, truth.stop), (call.pos, call.stop)
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return (
        abs(a[0] - b[0]) <= MAX_DISTANCE
        and abs(a[1] - b[1]) <= MAX_DISTANCE
        and shared >= MIN_OVERLAP * (a[1] - a[0])
        and shared >= MIN_OVERLAP * (b[1] - b[0])
    )


def test_sv_vcf_follows_the_contract(pipeline_run: Path) -> None:
    header, calls = _calls(pipeline_run)
    assert list(header.samples) == list(SAMPLES)
    for tag in ("SVTYPE", "END", "SVLEN", "CALLERS", "PE", "SR", "CIPOS", "CIEND"):
        assert tag in header.info, tag
    for tag in ("GT", "CN", "DV", "RV"):
        assert tag in header.formats, tag
    text = str(header)
    assert "##wgs-east_version=" in text and "##wgs-east_config_sha256=" in text
    tools = next(line for line in text.splitlines() if line.startswith("##wgs-east_tools="))
    assert "delly=1.1.6" in tools and "cnvkit=0.9.9" in tools
    assert (pipeline_run / "sv" / "B001.sv.vcf.gz.tbi").is_file()
    ref = pysam.FastaFile(str(REFERENCE))
    assert calls, "no SV records"
    for rec in calls:
        kind = rec.info["SVTYPE"]
        assert kind in ("DEL", "DUP", "INV", "BND")
        assert rec.ref == ref.fetch(rec.chrom, rec.pos - 1, rec.pos)
        if kind != "BND":
            assert rec.alts == (f"<{kind}>",)
            length = rec.stop - rec.pos
            assert rec.info["SVLEN"] == (-length if kind == "DEL" else length)
        assert set(rec.info["CALLERS"]) <= {"delly", "cnvkit"}
        assert any("1" in _gt(rec.samples[s]) for s in SAMPLES), f"{rec.id}: no carrier"
        for s in ("FATHER1", "SINGLETON1"):  # males: haploid on chrX (no PAR on the test genome)
            if rec.chrom == "chrX":
                assert len(rec.samples[s]["GT"]) == 1
    # bcftools reads it
    subprocess.run(["bcftools", "view", "-H", str(pipeline_run / "sv" / "B001.sv.vcf.gz")], check=True,
                   capture_output=True)  # fmt: skip


def test_planted_svs_once_each_with_every_members_genotype(pipeline_run: Path) -> None:
    _, calls = _calls(pipeline_run)
    truth = _truth()
    assert len(truth) == 7
    matched = set()
    for t in truth:
        hits = [c for c in calls if _same_event(t, c)]
        assert len(hits) == 1, f"{t.id}: {len(hits)} records"
        call = hits[0]
        matched.add(call.id)
        got = {s: _gt(call.samples[s]) for s in SAMPLES}
        want = {s: _gt(t.samples[s]) for s in SAMPLES}
        assert got == want, f"{t.id}: {got} != {want}"
        assert "delly" in call.info["CALLERS"]
        assert call.info["PE"] > 0 and call.info["SR"] > 0
    # every record is a planted event: no false positive on the test genome
    assert {c.id for c in calls} == matched
    by_id = {t.id: next(c for c in calls if _same_event(t, c)) for t in truth}
    # the cases, spelled out
    denovo = by_id["SV_DEL_HI_DENOVO"].samples
    assert (_gt(denovo["PROBAND1"]), _gt(denovo["FATHER1"]), _gt(denovo["MOTHER1"])) == ("0/1", "0/0", "0/0")
    hom = by_id["SV_DEL_REC_HOM"].samples
    assert (_gt(hom["PROBAND1"]), _gt(hom["FATHER1"]), _gt(hom["MOTHER1"])) == ("1/1", "0/1", "0/1")
    hemi = by_id["SV_DEL_X_HEMI"].samples
    assert _gt(hemi["SINGLETON1"]) == "1" and _gt(hemi["FATHER1"]) == "0" and _gt(hemi["MOTHER1"]) == "0/0"
    # depth supports the large / two-copy changes: CN from cnvkit, caller listed
    assert by_id["SV_DEL_HI_DENOVO"].samples["PROBAND1"]["CN"] == 1
    assert hom["PROBAND1"]["CN"] == 0 and hemi["SINGLETON1"]["CN"] == 0
    dup = by_id["SV_DUP_TS_GENE"]
    assert dup.samples["PROBAND1"]["CN"] == 3 and dup.samples["MOTHER1"]["CN"] == 3
    assert dup.samples["FATHER1"]["CN"] == 2
    for key in ("SV_DEL_HI_DENOVO", "SV_DEL_REC_HOM", "SV_DUP_TS_GENE", "SV_DEL_X_HEMI"):
        assert "cnvkit" in by_id[key].info["CALLERS"], key
    assert by_id["SV_INV_GENE"].samples["PROBAND1"]["CN"] is None  # no copy number for an inversion


def _cnv_table(run: Path, sample: str) -> list[dict[str, str]]:
    lines = (run / "sv" / f"{sample}.cnv.tsv").read_text().splitlines()
    comments = [x for x in lines if x.startswith("#")]
    assert any(x.startswith("# wgs-east_config_sha256=") for x in comments)
    body = [x for x in lines if not x.startswith("#")]
    assert body[0].split("\t") == ["chrom", "start", "end", "copy_number", "log2", "bins", "call", "caller"]
    return list(csv.DictReader(body, delimiter="\t"))


def test_cnv_tables_have_the_planted_copy_numbers(pipeline_run: Path) -> None:
    truth = [t for t in _truth() if t.info["SVTYPE"] in ("DEL", "DUP")]
    expected_copies = {("SINGLETON1", "chrX"): 1, ("FATHER1", "chrX"): 1, ("SINGLETON1", "chrY"): 1,
                       ("FATHER1", "chrY"): 1, ("MOTHER1", "chrY"): 0, ("PROBAND1", "chrY"): 0}  # fmt: skip
    found = {}
    for s in SAMPLES:
        rows = _cnv_table(pipeline_run, s)
        for r in rows:
            assert int(r["start"]) >= 1 and int(r["end"]) >= int(r["start"])
            assert r["caller"] == "cnvkit" and r["call"] in ("LOSS", "GAIN", "NEUTRAL")
            base = expected_copies.get((s, r["chrom"]), 2)
            cn = int(r["copy_number"])
            assert r["call"] == ("LOSS" if cn < base else "GAIN" if cn > base else "NEUTRAL")
        for t in truth:
            a, b = t.pos + 1, t.stop  # affected bases, 1-based inclusive
            alt = t.samples[s]["GT"].count(1)
            base = expected_copies.get((s, t.chrom), 2)
            want = base - alt if t.info["SVTYPE"] == "DEL" else base + alt
            hits = [r for r in rows if min(int(r["end"]), b) - max(int(r["start"]), a) + 1 >= 0.5 * (b - a + 1)]
            found[(t.id, s)] = [int(r["copy_number"]) for r in hits]
            if alt == 0:  # a non-carrier: the segment over the event is neutral
                assert all(r["call"] == "NEUTRAL" for r in hits), (t.id, s, hits)
            elif (b - a + 1) >= 4_000 or want == 0:
                # carriers of the large (>= 4 kb) and the zero-copy events: a segment with the copy number,
                # reciprocally overlapping >= 50 %
                assert any(int(r["copy_number"]) == want and min(int(r["end"]), b) - max(int(r["start"]), a) + 1
                           >= 0.5 * (int(r["end"]) - int(r["start"]) + 1) for r in hits), (t.id, s, hits)  # fmt: skip
        # no depth call (>= 4 bins) away from the planted events
        for r in rows:
            if r["call"] == "NEUTRAL" or int(r["bins"]) < 4:
                continue
            assert any(t.chrom == r["chrom"] and int(r["start"]) <= t.stop and t.pos + 1 <= int(r["end"])
                       for t in truth), (s, r)  # fmt: skip


def test_truvari_per_sample(pipeline_run: Path, tmp_path: Path) -> None:
    truvari = Path(sys.executable).parent / "truvari"
    results = {}
    for s in SAMPLES:
        paths = {}
        for name, src in (("base", TRUTH), ("comp", pipeline_run / "sv" / "B001.sv.vcf.gz")):
            out = tmp_path / f"{s}.{name}.vcf.gz"
            subprocess.run(["bcftools", "view", "--samples", s, "--min-ac", "1", "--output-type", "z", "--output",
                            str(out), str(src)], check=True)  # fmt: skip
            pysam.tabix_index(str(out), preset="vcf", force=True)
            paths[name] = out
        res = subprocess.run([str(truvari), "bench", "-b", str(paths["base"]), "-c", str(paths["comp"]), "-o",
                              str(tmp_path / f"truvari_{s}"), "--pctseq", "0", "--pctsize", "0.7", "--pctovl",
                              str(MIN_OVERLAP), "--refdist", str(MAX_DISTANCE), "--sizemin", "50"],
                             capture_output=True, text=True, check=False)  # fmt: skip
        assert res.returncode == 0, res.stderr[-2000:]
        summary = json.loads((tmp_path / f"truvari_{s}" / "summary.json").read_text())
        results[s] = summary
        assert summary["TP-base"] >= 3, (s, summary)
        assert summary["precision"] >= MIN_PRECISION, (s, summary)
        assert summary["recall"] >= MIN_RECALL, (s, summary)
        assert summary["gt_concordance"] >= MIN_GT_CONCORDANCE, (s, summary)


def test_qc_table_and_multiqc_count_svs_and_cnvs(pipeline_run: Path) -> None:
    _, calls = _calls(pipeline_run)
    table = {r["sample"]: r for r in csv.DictReader((pipeline_run / "qc" / "B001.qc.tsv").open(), delimiter="\t")}
    mqc = json.loads((pipeline_run / "qc" / "multiqc_custom" / "B001.wgs_east_verdicts_mqc.json").read_text())
    for s in SAMPLES:
        carried = sum("1" in _gt(c.samples[s]) for c in calls)
        segments = sum(r["call"] != "NEUTRAL" for r in _cnv_table(pipeline_run, s))
        assert int(table[s]["sv_calls"]) == carried and int(table[s]["cnv_segments"]) == segments
        assert table[s]["verdict_sv"] == "PASS"
        assert mqc["data"][s]["sv_calls"] == carried and mqc["data"][s]["cnv_segments"] == segments
    assert int(table["PROBAND1"]["sv_calls"]) == 5  # the planted events she carries


def _sv_rows(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def test_proband_sv_classification_and_report_list_the_de_novo_deletion(pipeline_run: Path) -> None:
    """The planted de novo deletion of SYNHI1 exons 2-3 in PROBAND1, scored by hand (Riggs et al. 2020, Table 1
    "copy-number loss"): 1A 0 (contains exons of a protein-coding gene); 2E +0.90 (both breakpoints inside
    SYNHI1, an established HI gene (HI score 3, test gene table): the deleted CDS is exon 2 (237 bp) + exon 3
    (188 bp) = 425 bp, 425 mod 3 = 2, a frameshift far from the last exon junction -> NMD -> PVS1 ->
    0.90); 3A 0 (one gene); 5A +0.15 (de novo confirmed by QC relatedness; the phenotype fit is not known:
    scored at the 4C level "consistent, not highly specific", 0.15, as README states). Total 1.05 >= 0.99:
    Pathogenic."""
    rows = _sv_rows(pipeline_run / "classified" / "PROBAND1.sv.tsv")
    hits = [r for r in rows if r["chrom"] == "chrSYN2" and r["svtype"] == "DEL" and "SYNHI1" in r["genes"]]
    assert len(hits) == 1, rows
    row = hits[0]
    assert row["genotype"] == "0/1" and row["father_genotype"] == "0/0" and row["mother_genotype"] == "0/0"
    assert row["inheritance"].startswith("de novo")
    assert "exons 2-3 of 5" in row["exons"]
    assert set(row["codes"].split(",")) == {"1A", "2E", "3A", "5A"}
    assert float(row["section2"]) == pytest.approx(0.90) and float(row["section5"]) == pytest.approx(0.15)
    assert float(row["total"]) == pytest.approx(1.05)
    assert row["classification"] == "Pathogenic"
    assert row["rank"] == "1"
    # the same headers as the small-variant table (QC verdict, provenance)
    def keys(name: str) -> set[str]:
        text = (pipeline_run / "classified" / name).read_text().splitlines()
        return {ln.split("=", 1)[0] for ln in text if ln.startswith("# ") and "=" in ln}

    assert {"# sample", "# QC_VERDICT", "# parentage"} <= keys("PROBAND1.sv.tsv")
    assert keys("PROBAND1.tsv") == keys("PROBAND1.sv.tsv")
    # the sample report's SV section lists it with its points
    html = (pipeline_run / "reports" / "PROBAND1.html").read_text()
    section = html[html.rfind("Structural variants and copy-number changes") :]
    assert "chrSYN2:3720-7895" in section or f"chrSYN2:{row['start']}-{row['end']}" in section
    assert "2E" in section and "+0.90" in section and "1.05" in section and "Pathogenic" in section


def test_singleton_hemizygous_chrx_deletion_is_classified(pipeline_run: Path) -> None:
    """SINGLETON1 (male, no parents): the planted 2 kb chrX deletion (chrX:50,001-52,001, no gene: SYNXL1 ends
    at 32,112) is hemizygous (haploid GT 1) and scored by hand (Riggs 2020 Table 1, loss): 1B -0.60 (no
    protein-coding or functionally important element), 3A 0, 5F 0 (inheritance unknown) = -0.60:
    uncertain significance (-0.89..0.89)."""
    rows = _sv_rows(pipeline_run / "classified" / "SINGLETON1.sv.tsv")
    hits = [r for r in rows if r["chrom"] == "chrX" and r["svtype"] == "DEL"]
    assert len(hits) == 1, rows
    assert hits[0]["genotype"] == "1" and hits[0]["zygosity"] == "hemizygous"
    assert hits[0]["inheritance"].startswith("unknown")
    assert set(hits[0]["codes"].split(",")) == {"1B", "3A", "5F"}
    assert float(hits[0]["total"]) == pytest.approx(-0.60)
    assert hits[0]["classification"] == "Uncertain significance"
