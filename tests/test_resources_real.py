"""Every preparation step on excerpts of the REAL public releases (``../shared/data/real-resources``: ClinVar,
gnomAD v4.0 genomes and exomes incl. chrX with non-PASS sites, gnomAD v4.1.1 constraint, GenCC submissions,
Ensembl GRCh38 GFF3). Each test reads the input records on its own (pysam / csv), not with the step's code,
and checks the prepared records field by field against them."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pysam
import pytest

from tests.conftest import REPO
from wgs_east.annotate.sources import population_columns
from wgs_east.resources import prepare
from wgs_east.resources.check import check_bundle
from wgs_east.resources.manifest import load_manifest

REAL = REPO.parent / "shared" / "data" / "real-resources"
GNOMAD = {
    "genomes_chr1": REAL / "gnomad_v4.0_genomes_chr1_excerpt.vcf.gz",
    "exomes_chr1": REAL / "gnomad_v4.0_exomes_chr1_excerpt.vcf.gz",
    "exomes_chrX": REAL / "gnomad_v4.0_exomes_chrX_excerpt.vcf.gz",
}
KEPT = ("AC", "AN", "AF", "nhomalt", "AF_grpmax", "AN_grpmax", "grpmax", "fafmax_faf95_max", "fafmax_faf95_max_gen_anc")

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"real resource excerpts not found: {REAL}")


def _records(path: Path) -> dict[tuple[str, int, str, str], pysam.VariantRecord]:
    with pysam.VariantFile(str(path)) as vcf:
        return {(r.chrom, r.pos, r.ref, r.alts[0]): r for r in vcf}


def _info(rec: pysam.VariantRecord, tag: str) -> object:
    value = rec.info.get(tag)
    return value[0] if isinstance(value, tuple) else value


def _ucsc(chrom: str) -> str:
    return "chrM" if chrom == "MT" else chrom if chrom.startswith("chr") else f"chr{chrom}"


def _with_gene_models(bundle: Path) -> Path:
    """A manifest needs gene models: a two-line GFF3 so that the bundle loads."""
    (bundle / "g.gff3").write_text("##gff-version 3\nchr1\tx\tgene\t1\t9\t.\t+\t.\tID=gene:G1\n"
                                   "chr1\tx\tmRNA\t1\t9\t.\t+\t.\tID=transcript:T1;Parent=gene:G1\n")  # fmt: skip
    return prepare.update_manifest(bundle, "genes", {"kind": "gene_models", "path": "g.gff3", "version": "x"})


# --- gnomAD ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(GNOMAD))
def test_gnomad_step_keeps_every_site_with_its_filter_and_values(tmp_path: Path, name: str) -> None:
    src = GNOMAD[name]
    out = tmp_path / "part.bcf"
    prepare.gnomad_part(src, out)
    given, made = _records(src), _records(out)
    assert len(made) == len(given) and set(made) == set(given)  # nothing dropped, filtered sites included
    tags_out = set(pysam.VariantFile(str(out)).header.info)
    assert tags_out == {*KEPT, "filters", "nhemi"}  # the slim set: AC_XY / nhomalt_XX / vep ... dropped
    for key, rec in given.items():
        got = made[key]
        assert list(got.filter) == list(rec.filter), key
        assert list(got.info["filters"]) == list(rec.filter), key
        for tag in KEPT:
            assert _info(got, tag) == _info(rec, tag), (key, tag)
        assert "nhemi" not in got.info  # chr1 and the chrX PAR1 excerpt: no hemizygotes
    if name == "exomes_chrX":
        non_pass = sum(1 for r in given.values() if "PASS" not in r.filter)
        assert non_pass == 883 and sum(1 for r in made.values() if "PASS" not in r.filter) == non_pass


def test_gnomad_genomes_and_exomes_in_one_bundle(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    for dataset, vcfs in (("genomes", [GNOMAD["genomes_chr1"]]), ("exomes", [GNOMAD["exomes_chr1"], GNOMAD["exomes_chrX"]])):
        assert prepare.main(["gnomad", "--bundle", str(bundle), "--dataset", dataset, "--version", f"gnomAD v4.0 {dataset}",
                             "--vcf", *map(str, vcfs)]) == 0  # fmt: skip
    manifest = load_manifest(_with_gene_models(bundle))
    genomes, exomes = manifest.sources["gnomad_genomes"], manifest.sources["gnomad_exomes"]
    assert (genomes.dataset, exomes.dataset) == ("genomes", "exomes")
    assert "INFO/POP_FILTER:=INFO/filters" in population_columns(genomes)
    assert "INFO/POPEX_AF:=INFO/AF" in population_columns(exomes) and "POP_AF" not in population_columns(exomes)
    assert check_bundle(manifest, None, "GRCh38") == []
    made = _records(exomes.path)
    given = {**_records(GNOMAD["exomes_chr1"]), **_records(GNOMAD["exomes_chrX"])}
    assert set(made) == set(given)
    assert [k[0] for k in made] == sorted((k[0] for k in made), key=prepare.PRIMARY.index)


# --- ClinVar --------------------------------------------------------------------------------------
def test_clinvar_step_renames_contigs_and_keeps_every_field(tmp_path: Path) -> None:
    src = REAL / "clinvar_20211025_grch38_excerpt.vcf.gz"
    out = tmp_path / "clinvar.vcf.gz"
    prepare.prepare_clinvar(src, out)
    with pysam.VariantFile(str(src)) as vin, pysam.VariantFile(str(out)) as vout:
        given, made = list(vin), list(vout)
    assert len(given) == len(made) == 50
    assert {r.chrom for r in made} == {_ucsc(r.chrom) for r in given} and "chrM" in {r.chrom for r in made}
    for a, b in zip(given, made, strict=True):
        assert (b.chrom, b.pos, b.id, b.ref, b.alts) == (_ucsc(a.chrom), a.pos, a.id, a.ref, a.alts)
        assert dict(b.info) == dict(a.info)
    assert out.with_name(out.name + ".tbi").exists()


# --- gene models ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["ensembl_grch38_chr21_excerpt.gff3.gz", "ensembl_grch38_10genes_excerpt.gff3.gz"])
def test_gene_models_step_renames_every_feature(tmp_path: Path, name: str) -> None:
    bundle = tmp_path / "b"
    assert prepare.main(["gene-models", "--bundle", str(bundle), "--gff", str(REAL / name), "--version", "Ensembl"]) == 0
    with gzip.open(REAL / name, "rt") as fh:
        given = [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#") and line.strip()]
    with gzip.open(bundle / "gene_models.gff3.gz", "rt") as fh:
        made = [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#") and line.strip()]
    assert len(made) == len(given) > 100
    for a, b in zip(given, made, strict=True):
        assert b == [_ucsc(a[0]), *a[1:]]
    manifest = load_manifest(bundle / "manifest.yaml")
    assert check_bundle(manifest, None, "GRCh38") == []  # Ensembl-style gene / transcript IDs found


# --- gene table: gnomAD constraint + GenCC ----------------------------------------------------------
def _tsv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="module")
def gene_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bundle = tmp_path_factory.mktemp("genetable")
    code = prepare.main(["gene-table", "--bundle", str(bundle), "--version", "excerpts",
                         "--constraint", str(REAL / "gnomad_v4.1.1_constraint_metrics_excerpt.tsv"),
                         "--gencc", str(REAL / "gencc_submissions_excerpt.tsv")])  # fmt: skip
    assert code == 0
    return bundle


def test_gene_table_constraint_from_the_ensembl_mane_row(gene_table: Path) -> None:
    given = _tsv(REAL / "gnomad_v4.1.1_constraint_metrics_excerpt.tsv")
    made = {r["symbol"]: r for r in _tsv(gene_table / "gene_table.tsv")}
    mane = [r for r in given if r["mane_select"] == "true" and r["gene_id"].startswith("ENSG")]
    assert {r["gene"] for r in mane} == {r["gene"] for r in given} == {"BRCA1", "BRCA2", "OR4F5", "WDR45"}
    for r in mane:
        got = made[r["gene"]]
        assert (got["gene_id"], got["loeuf"], got["pli"]) == (r["gene_id"], r["lof.oe_ci.upper"], r["lof.pLI"])
    assert check_bundle(load_manifest(_with_gene_models(gene_table)), None, "GRCh38") == []  # the table passes the check


HPO_MOI = {"HP:0000006": "AD", "HP:0000007": "AR", "HP:0001427": "MT", "HP:0032113": "SD"}


def test_gene_table_pairs_from_gencc(gene_table: Path) -> None:
    given = _tsv(REAL / "gencc_submissions_excerpt.tsv")
    pairs = {(r["symbol"], r["disease_id"]): r for r in _tsv(gene_table / "gene_disease.tsv")}
    confident = [r for r in given if r["classification_title"] in ("Definitive", "Strong", "Moderate", "Supportive")]
    assert {(r["gene_symbol"], r["disease_curie"]) for r in confident} == set(pairs)
    for r in confident:
        pair = pairs[(r["gene_symbol"], r["disease_curie"])]
        assert pair["disease"] == r["disease_title"]
        if r["moi_curie"] in HPO_MOI:
            assert HPO_MOI[r["moi_curie"]] in pair["moi"].split("|"), (r["gene_symbol"], r["disease_curie"])
        assert f"GenCC:{r['submitter_title']}" in pair["sources"].split("|")
    weak_only = {(r["gene_symbol"], r["disease_curie"]) for r in given} - set(pairs)
    assert weak_only and all(r["classification_title"] not in ("Definitive", "Strong", "Moderate")
                             for r in given if (r["gene_symbol"], r["disease_curie"]) in weak_only)  # fmt: skip
    genes = {r["symbol"]: r for r in _tsv(gene_table / "gene_table.tsv")}
    for sym in {r["gene_symbol"] for r in confident}:
        modes = {HPO_MOI[r["moi_curie"]] for r in confident if r["gene_symbol"] == sym and r["moi_curie"] in HPO_MOI}
        assert set(filter(None, genes[sym]["moi"].split("|"))) == modes, sym


# --- resources check: what each source holds -----------------------------------------------------------
def test_check_summary_counts_records_contigs_and_non_pass(tmp_path: Path) -> None:
    from wgs_east.resources.check import format_summary, source_summary, tabix_counts

    bundle = tmp_path / "bundle"
    assert prepare.main(["gnomad", "--bundle", str(bundle), "--dataset", "exomes", "--version", "v4.0",
                         "--vcf", str(GNOMAD["exomes_chr1"]), str(GNOMAD["exomes_chrX"])]) == 0  # fmt: skip
    src = load_manifest(_with_gene_models(bundle)).sources["gnomad_exomes"]
    given = [r for path in (GNOMAD["exomes_chr1"], GNOMAD["exomes_chrX"]) for r in pysam.VariantFile(str(path))]
    per_contig = {c: sum(1 for r in given if r.chrom == c) for c in ("chr1", "chrX")}
    non_pass = sum(1 for r in given if list(r.filter) != ["PASS"])
    summary = source_summary(src, full=True)
    assert (summary["records"], summary["contigs"], summary["non_pass"]) == (len(given), per_contig, non_pass)
    line = format_summary("gnomad_exomes", src, summary, {"chr1": 1, "chr2": 1, "chrX": 1})
    assert f"{len(given):,} records on 2 contigs" in line and f"{100 * non_pass / len(given):.1f} %" in line
    assert line.endswith("primary reference contigs without records: chr2")
    # the index of the upstream excerpt (made by tabix there) is read the same way
    assert tabix_counts(Path(f"{GNOMAD['exomes_chrX']}.tbi")) == {"chrX": 891}


def test_resources_check_cli_prints_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    from wgs_east.cli import main

    bundle = REPO / "test_data" / "resources"
    assert main(["resources", "check", str(bundle / "manifest.yaml"), "--reference",
                 str(REPO / "test_data" / "reference" / "genome.fa"), "--full"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    n = sum(1 for _ in pysam.VariantFile(str(bundle / "gnomad.genomes.sites.vcf.gz")))
    assert f"gnomad_genomes (population): {n:,} records on 4 contigs" in out and "non-PASS 0 (0.0 %)" in out
    with gzip.open(bundle / "revel.tsv.gz", "rt") as fh:
        rows = sum(1 for line in fh if not line.startswith("#"))
    assert f"revel (insilico): {rows:,} records" in out


def test_a_vcf_that_is_not_gnomad_is_refused_naming_the_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    wrong = REAL / "clinvar_20211025_grch38_excerpt.vcf.gz"
    proc = subprocess.run([sys.executable, "-m", "wgs_east.resources.prepare", "gnomad-part", "--vcf", str(wrong),
                           "--out", str(tmp_path / "x.bcf")], capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert str(wrong) in proc.stderr and "INFO tags missing: AC, AN, AF" in proc.stderr
    assert not (tmp_path / "x.bcf").exists()
