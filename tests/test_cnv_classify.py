"""python -m wgs_east.cnv.classify: a CNV table scored against a bundle (the test bundle's gene models
and gene table; the real gnomAD-SV v4.0 excerpt as sv_population)."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from wgs_east.cnv import classify
from wgs_east.resources import prepare

TEST_BUNDLE = REPO / "test_data" / "resources" / "manifest.yaml"
EXCERPT = REPO.parent / "shared" / "data" / "real-resources" / "gnomad_sv_v4.0_chr1_excerpt.vcf.gz"


def _run(tmp_path: Path, manifest: Path, table: str) -> dict[str, dict[str, str]]:
    cnvs = tmp_path / "cnvs.tsv"
    cnvs.write_text(table)
    out = tmp_path / "scores.tsv"
    assert classify.main(["--manifest", str(manifest), "--cnvs", str(cnvs), "--out", str(out)]) == 0
    with open(out) as fh:
        return {r["id"]: r for r in csv.DictReader(fh, delimiter="\t")}


def _bundle_with_genes(tmp_path: Path) -> Path:
    """A new bundle holding a copy of the test bundle's gene models."""
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    shutil.copy(REPO / "test_data" / "genes" / "genes.gff3", bundle / "genes.gff3")  # = the bundle's gene models
    prepare.update_manifest(bundle, "genes", {"kind": "gene_models", "path": "genes.gff3", "version": "x"})
    return bundle


def test_scores_against_the_test_bundle(tmp_path: Path) -> None:
    rows = _run(tmp_path, TEST_BUNDLE, (
        "id\tchrom\tstart\tend\ttype\tinheritance\tcopy_number\n"
        "synad1\tchrSYN1\t4000\t15000\tDEL\tde_novo\t1\n"
        "between\tchrSYN1\t15500\t19000\tloss\t\t\n"
        "synar1-hom\tchrSYN1\t28800\t30000\tloss\tinherited_unaffected\t0\n"
        "synad1-dup\tchrSYN1\t4000\t15000\tDUP\t\t\n"
    ))  # fmt: skip
    # expected from Riggs 2020 Table 1/2 by hand (gene structures in tests/test_cnv_scoring.py)
    assert (rows["synad1"]["codes"], rows["synad1"]["total"], rows["synad1"]["classification"]) == (
        "1A,2A,3A,5A", "1.15", "Pathogenic")  # fmt: skip
    assert (rows["between"]["codes"], rows["between"]["total"]) == ("1B,3A,5F", "-0.60")
    assert (rows["synar1-hom"]["codes"], rows["synar1-hom"]["total"]) == ("1A,2C-1,3A,5C", "0.75")
    assert (rows["synad1-dup"]["codes"], rows["synad1-dup"]["classification"]) == ("1A,2H,3A,5F", "Uncertain significance")
    assert all(r["population_frequency"] == "." for r in rows.values())  # the test bundle has no sv_population
    assert "2A +1.00: SYNAD1 (HI 3 (sufficient)) completely deleted" in rows["synad1"]["evidence"]
    assert list(rows) == ["synad1", "between", "synar1-hom", "synad1-dup"]


def test_population_frequency_from_the_bundle(tmp_path: Path) -> None:
    bundle = _bundle_with_genes(tmp_path)
    assert prepare.main(["gnomad-sv", "--bundle", str(bundle), "--vcf", str(EXCERPT), "--version", "v4.0"]) == 0
    # gnomAD-SV_v3_DEL_chr1_b26f63f7: POS 40000, END 47000, AF 0.099721, PASS (in the excerpt)
    rows = _run(tmp_path, bundle / "manifest.yaml", (
        "chrom\tstart\tend\ttype\n"
        "chr1\t40001\t47000\tloss\n"
        "chr1\t40001\t47000\tgain\n"
    ))  # fmt: skip
    loss, gain = rows["chr1:40001-47000:loss"], rows["chr1:40001-47000:gain"]
    assert (loss["population_frequency"], loss["population_match"]) == ("0.099721", "gnomAD-SV_v3_DEL_chr1_b26f63f7 (RO 1.00)")
    assert (loss["codes"], loss["total"], loss["classification"]) == ("1B,3A,4O,5F", "-1.60", "Benign")
    assert "4O" not in gain["codes"].split(",")


def test_bad_table_is_a_clear_error(tmp_path: Path) -> None:
    cnvs = tmp_path / "bad.tsv"
    cnvs.write_text("chrom\tstart\tend\ttype\tinheritance\n"
                    "chrSYN1\t100\t50\tloss\t\n"
                    "chrSYN1\tx\t500\tinversion\tmaybe\n")  # fmt: skip
    out = tmp_path / "out.tsv"
    proc = subprocess.run([sys.executable, "-m", "wgs_east.cnv.classify", "--manifest", str(TEST_BUNDLE), "--cnvs",
                           str(cnvs), "--out", str(out)], capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and str(cnvs) in proc.stderr
    for msg in ("line 2, column end: end 50 is before start 100", "line 3, column start: 'x' is not an integer",
                "line 3, column type: 'inversion' is not loss/gain", "line 3, column inheritance: 'maybe' is not one of"):
        assert msg in proc.stderr
    assert not out.exists()


def test_missing_columns(tmp_path: Path) -> None:
    cnvs = tmp_path / "cols.tsv"
    cnvs.write_text("chrom\tstart\tstop\n")
    with pytest.raises(classify.InputError, match="columns missing: end, type"):
        classify.read_cnvs(cnvs)


def test_triplosensitivity_column_of_the_gene_table(tmp_path: Path) -> None:
    bundle = _bundle_with_genes(tmp_path)
    lines = (REPO / "test_data" / "resources" / "gene_table.tsv").read_text().splitlines()
    ts = {"SYNAD1": "3", "SYNMIS1": "40"}
    rows = [lines[0] + "\ttriplosensitivity"] + [f"{line}\t{ts.get(line.split(chr(9))[0], '')}" for line in lines[1:]]
    (bundle / "gene_table.tsv").write_text("\n".join(rows) + "\n")
    prepare.update_manifest(bundle, "genetable", {"kind": "gene_table", "path": "gene_table.tsv", "version": "x",
                                                  "columns": {"triplosensitivity": "triplosensitivity"}})  # fmt: skip
    got = _run(tmp_path, bundle / "manifest.yaml", (
        "id\tchrom\tstart\tend\ttype\n"
        "synad1-dup\tchrSYN1\t4000\t15000\tgain\n"
        "synmis1-dup\tchrSYN1\t34000\t46000\tgain\n"
    ))  # fmt: skip
    # Table 2: 2A (TS 3 gene completely duplicated) 1.00 -> Pathogenic; SYNAD1 is also HI 3 -> 2H 0
    assert (got["synad1-dup"]["codes"], got["synad1-dup"]["total"]) == ("1A,2A,2H,3A,5F", "1.00")
    assert got["synad1-dup"]["classification"] == "Pathogenic"
    assert (got["synmis1-dup"]["codes"], got["synmis1-dup"]["total"]) == ("1A,3A,5F", "0.00")  # TS 40: no points
