"""The bundle build as a Snakemake workflow (resources/Snakefile) on the real excerpts (gnomAD genomes and
exomes, ClinVar, Ensembl GFF3, gnomAD constraint, GenCC) and small synthetic SpliceAI / REVEL files in the
real formats (bench/make_bundle_inputs.py): every source built per chromosome where it can be, the bundle
passes the check, its records match the inputs (counted here with pysam / csv), and a rerun after a lost
output redoes only that source."""

from __future__ import annotations

import csv
import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import pysam
import pytest

from tests.conftest import REPO
from wgs_east.resources.check import check_bundle
from wgs_east.resources.manifest import load_manifest

sys.path.insert(0, str(REPO / "bench"))

from make_bundle_inputs import gnomad_mito_vcf, revel_csv, spliceai_vcf  # noqa: E402

REAL = REPO.parent / "shared" / "data" / "real-resources"
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"real resource excerpts not found: {REAL}")

COPIES = {
    "clinvar.vcf.gz": "clinvar_20211025_grch38_excerpt.vcf.gz",
    "Homo_sapiens.GRCh38.113.gff3.gz": "ensembl_grch38_10genes_excerpt.gff3.gz",
    "gnomad.v4.1.constraint_metrics.tsv": "gnomad_v4.1.1_constraint_metrics_excerpt.tsv",
    "gencc-submissions.tsv": "gencc_submissions_excerpt.tsv",
    "gnomad.genomes.v4.1.sites.chr1.vcf.bgz": "gnomad_v4.0_genomes_chr1_excerpt.vcf.gz",
    "gnomad.exomes.v4.1.sites.chr1.vcf.bgz": "gnomad_v4.0_exomes_chr1_excerpt.vcf.gz",
    "gnomad.exomes.v4.1.sites.chrX.vcf.bgz": "gnomad_v4.0_exomes_chrX_excerpt.vcf.gz",
}


def _snakemake(bundle: Path, downloads: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [SNAKEMAKE, "-s", str(REPO / "resources" / "Snakefile"), "--cores", "2", "--config", f"bundle={bundle}",
           f"downloads={downloads}", "chroms=[chr1,chrX]", "gnomad_chroms={genomes: [chr1]}", f"python={sys.executable}",
           *extra]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=bundle.parent)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("bundle_wf")
    downloads = root / "downloads"
    downloads.mkdir()
    for name, real in COPIES.items():
        shutil.copy(REAL / real, downloads / name)
        if (REAL / f"{real}.tbi").exists():
            shutil.copy(REAL / f"{real}.tbi", downloads / f"{name}.tbi")
    spliceai_vcf(downloads / "spliceai_scores.masked.snv.hg38.vcf.gz", "chr1", 1500)
    spliceai_vcf(downloads / "spliceai_scores.masked.indel.hg38.vcf.gz", "chr1", 150, indel=True)
    revel_csv(downloads / "revel_with_transcript_ids", "chr1", 3000)
    gnomad_mito_vcf(downloads / "gnomad.genomes.v3.1.sites.chrM.vcf.bgz", 60)  # chrM: gnomAD's mitochondrial format
    proc = _snakemake(root / "bundle", downloads)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root / "bundle", downloads


def _alleles_vcf(*paths: Path) -> set[tuple[str, int, str, str]]:
    out = set()
    for path in paths:
        with pysam.VariantFile(str(path)) as vcf:
            out |= {(r.chrom if r.chrom.startswith("chr") else f"chr{r.chrom}", r.pos, r.ref, r.alts[0]) for r in vcf}
    return out


def _alleles_table(path: Path) -> list[tuple[str, int, str, str]]:
    with gzip.open(path, "rt") as fh:
        return [(f[0], int(f[1]), f[2], f[3]) for f in (line.split("\t") for line in fh if not line.startswith("#"))]


def test_workflow_builds_a_bundle_that_passes_the_check(built: tuple[Path, Path]) -> None:
    bundle, downloads = built
    manifest = load_manifest(bundle / "manifest.yaml")
    assert sorted(manifest.sources) == ["clinvar", "ensembl", "genetable", "gnomad_exomes", "gnomad_genomes", "revel",
                                        "spliceai"]  # fmt: skip
    assert check_bundle(manifest, None, "GRCh38") == []
    exomes = _alleles_vcf(manifest.sources["gnomad_exomes"].path)
    assert exomes == _alleles_vcf(downloads / "gnomad.exomes.v4.1.sites.chr1.vcf.bgz",
                                  downloads / "gnomad.exomes.v4.1.sites.chrX.vcf.bgz")  # fmt: skip
    # genomes: chr1 and chrM (from the mitochondrial release) in one file, its chrM fields in the manifest
    genomes = manifest.sources["gnomad_genomes"]
    assert _alleles_vcf(genomes.path) == _alleles_vcf(downloads / "gnomad.genomes.v4.1.sites.chr1.vcf.bgz",
                                                      downloads / "gnomad.genomes.v3.1.sites.chrM.vcf.bgz")  # fmt: skip
    assert (genomes.fields.af_hom, genomes.fields.af_het, genomes.fields.max_hl) == ("AF_hom", "AF_het", "max_hl")
    assert manifest.sources["gnomad_exomes"].fields.af_hom is None
    # SpliceAI: every allele of the SNV and indel files once, in position order, from per-chromosome parts
    made = _alleles_table(bundle / "spliceai.tsv.gz")
    given = _alleles_vcf(downloads / "spliceai_scores.masked.snv.hg38.vcf.gz",
                         downloads / "spliceai_scores.masked.indel.hg38.vcf.gz")  # fmt: skip
    assert len(made) == len(set(made)) and set(made) == given
    assert [m[1] for m in made] == sorted(m[1] for m in made)
    # REVEL: one row per allele (max over transcripts), sorted by GRCh38 position
    with open(downloads / "revel_with_transcript_ids", newline="") as fh:
        rows = list(csv.DictReader(fh))
    revel = _alleles_table(bundle / "revel.tsv.gz")
    assert set(revel) == {(f"chr{r['chr']}", int(r["grch38_pos"]), r["ref"], r["alt"]) for r in rows}
    assert len(revel) == len(set(revel)) and [r[1] for r in revel] == sorted(r[1] for r in revel)
    assert (bundle / "gene_disease.tsv").exists() and (bundle / "work" / "logs" / "spliceai" / "chr1.log").exists()


def test_workflow_resumes_only_what_is_missing(built: tuple[Path, Path]) -> None:
    bundle, downloads = built
    again = _snakemake(bundle, downloads, "-n")
    assert "Nothing to be done" in again.stdout + again.stderr
    kept = bundle / "spliceai.tsv.gz"
    backup = bundle.parent / "spliceai.kept"
    shutil.move(kept, backup)
    try:
        dry = _snakemake(bundle, downloads, "-n", "--quiet", "rules")
        jobs = dry.stdout + dry.stderr
        assert "prepare_spliceai" in jobs and "prepare_gnomad" not in jobs and "prepare_revel" not in jobs
    finally:
        shutil.move(backup, kept)
