"""The reader of the annotated VCF (wgs_east.annotate.frame): columns, types, missing values; many records in chunks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wgs_east.acmg.inputs import REQUIRED_COLUMNS, validate_frame
from wgs_east.annotate.fields import FIELDS, header_text, markdown_table
from wgs_east.annotate.frame import COLUMNS, read_all, read_annotated
from wgs_east.errors import InputError

CONTIGS = "##contig=<ID=chr1,length=100000000>\n"
HEAD = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
RECORDS = [
    # in the population resource, AF 0 (AC 0): not the same as absent
    "chr1\t100\t.\tC\tT\t50\tPASS\tWE_GENE=G1;WE_TRANSCRIPT=T1;WE_CSQ=missense;WE_HGVSC=c.10C>T;WE_HGVSP=p.Arg4Trp;"
    "WE_AA_POS=4;WE_AA_REF=R;WE_AA_ALT=W;POP_AF=0;POP_AN=150000;POP_NHOM=0;POPMAX_AF=0;POPMAX_AN=80000;"
    "POPMAX_POP=nfe;REVEL=0.93;CLINVAR_SAME_RESIDUE_STARS=2;CLINVAR_SAME_RESIDUE=p.Arg4Gln|9|2|chr1:101:G:A;"
    "CLINVAR_SAME_AA_STARS=-1;GENE_MOI=AD|AR;GENE_LOF;GENE_LOEUF=0.2",
    # absent from the population resource, synonymous (p. with '=' percent-encoded), repeat, NMD flag
    "chr1\t200\t.\tG\tA\t50\tLowQual\tWE_GENE=G1;WE_CSQ=synonymous;WE_HGVSP=p.Leu5%3D;WE_IN_REPEAT;WE_NMD_ESCAPE;"
    "SPLICEAI=0.01;CLINVAR_SIG=Likely_benign;CLINVAR_STARS=1",
    # intergenic, nothing annotated
    "chr1\t300\t.\tA\tAT\t50\tPASS\t.",
]


def write_vcf(path: Path, records: list[str], header: str | None = None) -> Path:
    text = "##fileformat=VCFv4.2\n" + CONTIGS + (header if header is not None else header_text(None)) + HEAD
    plain = path.with_suffix("")
    plain.write_text(text + "".join(r + "\n" for r in records))
    subprocess.run(["bgzip", "-f", str(plain)], check=True)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(path)], check=True)
    return path


def test_columns_types_and_missing_values(tmp_path: Path) -> None:
    df = read_all(write_vcf(tmp_path / "a.vcf.gz", RECORDS))
    assert list(df.columns) == list(COLUMNS)
    assert set(REQUIRED_COLUMNS) <= set(df.columns)
    validate_frame(df)  # the ACMG engine accepts it
    r0, r1, r2 = (df.iloc[i] for i in range(3))
    assert (r0.gene, r0.consequence, r0.hgvs_p, r0.aa_pos, r0.aa_ref, r0.aa_alt) == ("G1", "missense", "p.Arg4Trp", 4, "R", "W")
    assert r0.pop_af == 0.0 and r0.pop_an == 150000 and r0.popmax_pop == "nfe"
    assert pd.isna(r1.pop_af) and pd.isna(r1.pop_an)  # absent != AF 0
    assert (r0.clinvar_same_residue_stars, r0.clinvar_same_aa_stars, r1.clinvar_same_residue_stars) == (2, -1, -1)
    assert r0.clinvar_same_residue == "p.Arg4Gln|9|2|chr1:101:G:A"
    assert (r0.revel, r0.lof_mechanism, r0.gene_moi, r0.loeuf) == (0.93, True, "AD|AR", 0.2)
    assert r1.hgvs_p == "p.Leu5=" and r1.in_repeat and r1.nmd_escape and not r0.in_repeat
    assert (r1.clinvar_sig, r1.clinvar_stars, r0.clinvar_stars, r1["filter"]) == ("Likely_benign", 1, -1, "LowQual")
    assert np.isnan(r0.spliceai) and r1.spliceai == 0.01
    assert pd.isna(r2.gene) and r2.aa_pos == -1 and not r2.lof_mechanism and np.isnan(r2.revel)
    assert df.pos.dtype == np.int64 and str(df.pop_an.dtype) == "Int64" and df.nmd_escape.dtype == bool
    assert isinstance(df.gene.dtype, pd.CategoricalDtype)


def test_fields_absent_from_the_header_are_missing_columns(tmp_path: Path) -> None:
    """A bundle without REVEL or a population resource: the columns are there, all missing."""
    header = "".join(line + "\n" for line in header_text(None).splitlines() if "ID=REVEL" not in line and "ID=POP" not in line)
    df = read_all(write_vcf(tmp_path / "b.vcf.gz", ["chr1\t5\t.\tA\tG\t.\tPASS\tWE_GENE=G2"], header))
    assert list(df.columns) == list(COLUMNS)
    assert np.isnan(df.revel[0]) and pd.isna(df.pop_an[0]) and df.gene[0] == "G2"


def test_region_and_chunks(tmp_path: Path) -> None:
    path = write_vcf(tmp_path / "c.vcf.gz", RECORDS)
    assert list(read_all(path, "chr1:150-250").pos) == [200]
    assert [len(c) for c in read_annotated(path, chunk_rows=2)] == [2, 1]
    assert read_all(path, "chr1:5000-6000").empty


def test_errors_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        next(read_annotated(tmp_path / "missing.vcf.gz"))
    bad = tmp_path / "bad.vcf.gz"
    bad.write_bytes(b"not a vcf")
    with pytest.raises(InputError):
        next(read_annotated(bad))


def test_every_frame_column_has_an_info_field_and_readme_documents_them() -> None:
    from tests.conftest import REPO

    columns = {f.column for f in FIELDS if f.column}
    assert set(COLUMNS) - columns == {"chrom", "pos", "ref", "alt", "filter"}
    assert markdown_table() in (REPO / "README.md").read_text(), "README: python -m wgs_east.annotate.fields markdown"


def test_reader_on_many_records_with_percent_decoding(tmp_path: Path) -> None:
    """Many records in several chunks, a third percent-encoded: every row read once, decoded, in order.
    (Its speed is measured by bench/bench_annotate_reader.py, not here.)"""
    n = 30_000
    rng = np.random.default_rng(1)
    pos = np.arange(1, n + 1) * 10
    kinds = rng.integers(0, 3, n)
    info = np.array([RECORDS[0].split("\t")[7], RECORDS[1].split("\t")[7], "POP_AF=0.001;POP_AN=150000"])[kinds]
    lines = np.char.add(np.char.add("chr1\t", pos.astype(str)), "\t.\tC\tT\t50\tPASS\t")
    path = write_vcf(tmp_path / "big.vcf.gz", list(np.char.add(lines, info)))
    chunks = list(read_annotated(path, chunk_rows=7_000))
    assert [len(c) for c in chunks] == [7_000] * 4 + [2_000]
    df = pd.concat(chunks, ignore_index=True)
    assert (df.pos.to_numpy() == pos).all()
    assert (df.hgvs_p == "p.Leu5=").sum() == (kinds == 1).sum() > 0
    assert (df.pop_af == 0.001).sum() == (kinds == 2).sum() > 0
