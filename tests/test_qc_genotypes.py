"""The one-pass genotype QC reader over a (tiny, hand-written) batch VCF."""

from __future__ import annotations

from pathlib import Path

import pysam
import pytest

from wgs_east.config.models import Batch
from wgs_east.qc import genotypes

HEADER = """##fileformat=VCFv4.2
##contig=<ID=chr1,length=600>
##contig=<ID=chrX,length=300>
##contig=<ID=chrY,length=120>
##contig=<ID=chrM,length=50>
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=LowQual,Description="low">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tDAD1\tMUM1\tKID1
"""
RECORDS = [
    # autosomal PASS SNVs: KID1 gets one allele from each parent
    "chr1\t10\t.\tA\tG\t50\tPASS\t.\tGT:AD\t0/1:10,10\t0/0:20,0\t0/1:9,11",
    "chr1\t20\t.\tC\tT\t50\tPASS\t.\tGT:AD\t1/1:0,20\t0/1:10,10\t0/1:10,10",
    "chr1\t30\t.\tG\tA\t50\tPASS\t.\tGT:AD\t1/1:1,19\t1/1:0,20\t1/1:0,20",
    "chr1\t40\t.\tT\tC\t50\tPASS\t.\tGT:AD\t0/1:10,10\t./.:.\t0/0:.",  # missing GT, hom-ref block without AD
    # skipped: filtered, indel, multiallelic (not split), excluded contig
    "chr1\t50\t.\tA\tG\t5\tLowQual\t.\tGT:AD\t0/1:10,10\t0/1:10,10\t0/1:10,10",
    "chr1\t60\t.\tAT\tA\t50\tPASS\t.\tGT:AD\t0/1:10,10\t0/1:10,10\t0/1:10,10",
    "chr1\t70\t.\tA\tG,T\t50\tPASS\t.\tGT:AD\t1/2:0,10,10\t0/1:10,10,0\t0/1:10,10,0",
    "chrM\t5\t.\tA\tG\t50\tPASS\t.\tGT:AD\t1/1:0,50\t1/1:0,50\t1/1:0,50",
    # X: the male is haploid (GT 1); a PAR site (1-100) is left out of X heterozygosity
    "chrX\t50\t.\tA\tG\t50\tPASS\t.\tGT:AD\t1:0,15\t0/1:12,12\t0/1:10,12",
    "chrX\t150\t.\tA\tG\t50\tPASS\t.\tGT:AD\t1:0,15\t0/1:12,12\t0/1:10,12",
    "chrX\t160\t.\tC\tT\t50\tPASS\t.\tGT:AD\t1:1,14\t1/1:0,25\t0/1:12,12",
]


@pytest.fixture
def vcf(tmp_path: Path) -> Path:
    plain = tmp_path / "b.vcf"
    plain.write_text(HEADER + "\n".join(RECORDS) + "\n")
    out = tmp_path / "b.vcf.gz"
    pysam.tabix_compress(str(plain), str(out))
    pysam.tabix_index(str(out), preset="vcf")
    return out


def batch_of(mini) -> Batch:  # noqa: ANN001
    data = mini.copy()
    data["reference"]["exclude_contigs"] = ["chrM"]
    data["reference"]["par_regions"] = [{"contig": "chrX", "start": 1, "end": 100}]
    for s in data["samples"]:
        if s["id"] == "KID1":
            s["father"], s["mother"] = "DAD1", "MUM1"
    return Batch.model_validate(data, context={"base_dir": mini.root})


def test_genotype_qc_reads_only_biallelic_pass_snvs(vcf: Path, mini) -> None:  # noqa: ANN001
    result = genotypes.genotype_qc(vcf, batch_of(mini))
    assert result["sites"] == {"autosomal_snvs": 4, "x_snvs_outside_par": 2}
    s = result["samples"]
    assert s["DAD1"]["x_het_sites"] == 2 and s["DAD1"]["x_het_fraction"] == 0  # haploid alt: carried, not het
    assert s["KID1"]["x_het_fraction"] == 1.0
    assert s["MUM1"]["x_het_fraction"] == 0.5
    assert s["DAD1"]["contamination_sites"] == 2  # hom-alt at chr1:20 and chr1:30
    pairs = {(p["sample_a"], p["sample_b"]): p for p in result["pairs"]}
    assert pairs[("DAD1", "KID1")]["sites_both_genotyped"] == 4
    assert pairs[("DAD1", "MUM1")]["sites_both_genotyped"] == 3  # MUM1 missing at chr1:40
    assert pairs[("DAD1", "KID1")]["opposite_hom"] == 0
    assert pairs[("DAD1", "KID1")]["het_het"] == 1


def test_chunking_does_not_change_the_result(vcf: Path, mini) -> None:  # noqa: ANN001
    batch = batch_of(mini)
    samples, chunks = genotypes.read_chunks(vcf, batch, chunk_sites=1)
    acc = genotypes.GenotypeQc(samples)
    for c in chunks:
        assert len(c.gt) == 1
        acc.add(c)
    assert acc.result() == genotypes.genotype_qc(vcf, batch)


def test_cli_writes_json(vcf: Path, mini, tmp_path: Path) -> None:  # noqa: ANN001
    bj = tmp_path / "batch.json"
    bj.write_text(batch_of(mini).model_dump_json())
    out = tmp_path / "g.json"
    assert genotypes.main(["--batch-json", str(bj), "--vcf", str(vcf), "--out", str(out)]) == 0
    assert '"pairs"' in out.read_text()
