"""ClinVar preparation: review stars, the P/LP test, the allele table, the residue index."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import pytest

from wgs_east.annotate.clinvar import (
    ResidueIndex,
    _vcf_lines,
    is_pathogenic_only,
    is_plp,
    residue_rows,
    stars,
    table_rows,
    write_table,
)


@pytest.mark.parametrize(
    ("revstat", "expected"),
    [("practice_guideline", 4), ("reviewed_by_expert_panel", 3),
     ("criteria_provided,_multiple_submitters,_no_conflicts", 2), ("criteria_provided,_single_submitter", 1),
     ("criteria_provided,_conflicting_classifications", 1), ("no_assertion_criteria_provided", 0),
     ("no_classification_provided", 0), ("something_new", 0), ("", 0)],
)  # fmt: skip
def test_stars(revstat: str, expected: int) -> None:
    assert stars(revstat) == expected


@pytest.mark.parametrize(
    ("sig", "expected"),
    [("Pathogenic", True), ("Likely_pathogenic", True), ("Pathogenic/Likely_pathogenic", True),
     ("Pathogenic|risk_factor", True), ("Likely_pathogenic,_low_penetrance", True),
     ("Conflicting_classifications_of_pathogenicity", False), ("Uncertain_significance", False),
     ("Pathogenic/Likely_pathogenic/Likely_risk_allele", False), ("Benign", False), (".", False), ("", False)],
)  # fmt: skip
def test_plp(sig: str, expected: bool) -> None:
    assert is_plp(sig) is expected


@pytest.mark.parametrize(
    ("sig", "expected"),
    [("Pathogenic", True), ("Pathogenic|risk_factor", True), ("Likely_pathogenic", False),
     ("Pathogenic/Likely_pathogenic", False), ("Likely_pathogenic,_low_penetrance", False), ("", False)],
)  # fmt: skip
def test_pathogenic_only(sig: str, expected: bool) -> None:
    """PS1/PM5 comparator strength: only a Pathogenic record gives the full strength; Pathogenic/Likely_pathogenic
    (some submitters say LP) counts as LP, one step down."""
    assert is_pathogenic_only(sig) is expected


def test_table_rows() -> None:
    rows = list(table_rows([
        "chr1\t10\tA\tG\t123\tPathogenic\treviewed_by_expert_panel",
        "chr1\t20\tA\t.\t124\tBenign\tpractice_guideline",  # no ALT: dropped
        "chr1\t30\tC\tT\t125\tLikely_benign\t.",
    ]))  # fmt: skip
    assert rows == [["chr1", "10", "A", "G", "123", "Pathogenic", "3", "reviewed_by_expert_panel"],
                    ["chr1", "30", "C", "T", "125", "Likely_benign", ".", "."]]  # fmt: skip


def test_residue_rows_keep_plp_missense_per_transcript() -> None:
    lines = [
        "chr1\t10\tG\tA\t1\tPathogenic\tcriteria_provided,_single_submitter\t"
        "missense|G|T1|protein_coding|+|322R>322W|10G>A,missense|G|T2|protein_coding|+|300R>300W|10G>A",
        "chr1\t20\tG\tA\t2\tConflicting_classifications_of_pathogenicity\tx\tmissense|G|T1|pc|+|5R>5W|20G>A",
        "chr1\t30\tG\tA\t3\tLikely_pathogenic\treviewed_by_expert_panel\tstop_gained|G|T1|pc|+|7R>7*|30G>A",
    ]
    recs = list(residue_rows(lines))
    assert [(r.transcript, r.aa_pos, r.aa_alt, r.hgvs_p, r.stars, r.significance) for r in recs] == [
        ("T1", 322, "W", "p.Arg322Trp", 1, "P"), ("T2", 300, "W", "p.Arg300Trp", 1, "P")]  # fmt: skip
    assert recs[0].evidence() == "p.Arg322Trp|1|1|chr1:10:G:A|P"
    index = ResidueIndex(recs)
    same_aa, same_residue = index.match("T1", 322, "R", "Q", ("chr1", 11, "G", "A"))
    assert not same_aa and [r.id for r in same_residue] == ["1"]
    same_aa, same_residue = index.match("T1", 322, "R", "W", ("chr1", 12, "C", "T"))
    assert [r.id for r in same_aa] == ["1"] and not same_residue


def test_table_from_a_clinvar_style_vcf(tmp_path: Path) -> None:
    vcf = tmp_path / "cv.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.1\n##contig=<ID=chr1,length=1000>\n"
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="s">\n'
        '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="r">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "chr1\t5\t77\tA\tG\t.\t.\tCLNSIG=Likely_pathogenic,_low_penetrance;CLNREVSTAT=criteria_provided,_single_submitter\n"
    )  # fmt: skip
    lines = list(_vcf_lines(vcf, ("CLNSIG", "CLNREVSTAT")))
    assert lines == ["chr1\t5\tA\tG\t77\tLikely_pathogenic,_low_penetrance\tcriteria_provided,_single_submitter"]
    out = tmp_path / "t.tsv.gz"
    assert write_table(lines, out) == 1
    assert gzip.open(out, "rt").read().split("\t")[6] == "1"
    subprocess.run(["tabix", "-l", str(out)], check=True, capture_output=True)  # indexed
