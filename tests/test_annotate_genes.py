"""The gene step: transcript choice, consequence parsing, NMD escape, repeat context, ClinVar residue
matches and gene facts (wgs_east.annotate.{genes,transcripts,repeats,genetable})."""

from __future__ import annotations

from pathlib import Path

import pysam
import pytest

from tests.conftest import REPO
from wgs_east.annotate.clinvar import ResidueIndex, ResidueRecord
from wgs_east.annotate.genes import Annotator, nmd_escape, parse_bcsq, severity, vcf_text
from wgs_east.annotate.genetable import parse_moi, read_gene_table
from wgs_east.annotate.hgvs import Hgvs, TranscriptModel
from wgs_east.annotate.repeats import base_in_repeat, changed_span, in_repeat, periodic_run
from wgs_east.annotate.transcripts import Transcript, parse_gff3, rank_genes, read_table, write_table

GFF = REPO / "test_data" / "genes" / "genes.gff3"
FASTA = REPO / "test_data" / "reference" / "genome.fa"
BUNDLE = REPO / "test_data" / "resources"


@pytest.fixture(scope="module")
def transcripts() -> list[Transcript]:
    with open(GFF) as fh:
        return parse_gff3(fh)


@pytest.fixture(scope="module")
def annotator(transcripts: list[Transcript]) -> Annotator:
    residues = ResidueIndex([
        ResidueRecord("ENST90000000003", 322, "R", "W", "p.Arg322Trp", "chrSYN1", 21618, "G", "A", "900002", 2, "P"),
        ResidueRecord("ENST90000000003", 322, "R", "Q", "p.Arg322Gln", "chrSYN1", 21616, "G", "T", "900009", 1),
    ])  # fmt: skip
    genes = read_gene_table(BUNDLE / "gene_table.tsv", {k: k for k in ("symbol", "moi", "loeuf", "pli",
                            "haploinsufficiency", "disease", "lof_mechanism")})  # fmt: skip
    return Annotator(transcripts, pysam.FastaFile(str(FASTA)), residues, genes)


# --- transcripts ---------------------------------------------------------------------------------
def test_gff3_transcripts_and_choice(transcripts: list[Transcript]) -> None:
    by_id = {t.id: t for t in transcripts}
    assert len(by_id) == 9  # 5 on chrSYN1 / chrX, 4 on the SV contig chrSYN2
    mane, alt = by_id["ENST90000000001"], by_id["ENST90000000002"]
    assert (mane.gene, mane.rank, mane.rule, alt.rank, alt.rule) == ("SYNAD1", 1, "MANE_Select", 2, "other")
    assert mane.cds_length == 3 * 397 and alt.cds_length == 3 * 344  # 396 / 343 aa + stop
    assert by_id["ENST90000000003"].model.strand == "-" and by_id["ENST90000000003"].model.exons[0][0] > 28000


def _tx(tid: str, tags: tuple[str, ...], cds: int, gene: str = "G1") -> Transcript:
    model = TranscriptModel(tid, "+", [(1, 1000)], 0, cds)
    return Transcript(model, gene, gene, "chr1", "protein_coding", tags)


def test_choice_mane_then_canonical_then_longest() -> None:
    ranked = {t.id: (t.rank, t.rule) for t in rank_genes(
        [_tx("T1", (), 900), _tx("T2", ("Ensembl_canonical",), 300), _tx("T3", ("MANE_Select",), 150)])}  # fmt: skip
    assert ranked == {"T3": (1, "MANE_Select"), "T2": (2, "canonical"), "T1": (3, "other")}
    ranked = {t.id: (t.rank, t.rule) for t in rank_genes([_tx("T1", (), 300), _tx("T2", (), 900)])}
    assert ranked == {"T2": (1, "longest"), "T1": (2, "other")}


def test_transcript_table_round_trip(transcripts: list[Transcript], tmp_path: Path) -> None:
    write_table(transcripts, tmp_path / "t.tsv")
    back = {t.id: t for t in read_table(tmp_path / "t.tsv")}
    for t in transcripts:
        b = back[t.id]
        assert (b.model.exons, b.model.cds_start, b.model.cds_end, b.rank, b.tags) == (
            t.model.exons, t.model.cds_start, t.model.cds_end, t.rank, t.tags)  # fmt: skip
    assert [t.id for t in read_table(tmp_path / "t.tsv", {"chrX"})] == ["ENST90000000005"]


# --- consequences, choice per variant --------------------------------------------------------------
def test_parse_bcsq_and_severity() -> None:
    entries = parse_bcsq("missense|G1|T1|protein_coding|+|5R>5C|100C>T,intron|G1||protein_coding,@123,*synonymous|G2|T9")
    assert [(e.terms, e.gene, e.transcript) for e in entries] == [
        (("missense",), "G1", "T1"), (("intron",), "G1", ""), (("synonymous",), "G2", "T9")]  # fmt: skip
    assert severity(["splice_region", "synonymous"]) < severity(["synonymous"]) < severity(["intron"])
    assert severity(["stop_gained"]) == 0


def test_exon_skipped_by_the_other_isoform(annotator: Annotator, transcripts: list[Transcript]) -> None:
    """A variant in SYNAD1 exon 4 (skipped by SYNAD1-202): MANE transcript chosen, 202 intronic in WE_OTHER_TX."""
    mane = next(t for t in transcripts if t.id == "ENST90000000001")
    s, e = mane.model.exons[3]
    pos = (s + e) // 2
    ref = pysam.FastaFile(str(FASTA)).fetch("chrSYN1", pos - 1, pos)
    alt = "A" if ref != "A" else "C"
    values = annotator.annotate("chrSYN1", pos, ref, alt, "missense|SYNAD1|ENST90000000001|protein_coding|+|x|y,"
                                "intron|SYNAD1||protein_coding")  # fmt: skip
    assert values["WE_TRANSCRIPT"] == "ENST90000000001" and values["WE_EXON"] == "4/6"
    assert values["WE_OTHER_TX"].startswith("ENST90000000002|SYNAD1|intron|c.")


def test_planted_stop_gets_facts_and_no_nmd_escape(annotator: Annotator) -> None:
    values = annotator.annotate("chrSYN1", 8472, "C", "T", "stop_gained|SYNAD1|ENST90000000001|protein_coding|+|"
                                "184R>184*|8472C>T,stop_gained|SYNAD1|ENST90000000002|protein_coding|+|184R>184*|8472C>T")  # fmt: skip
    assert values["WE_HGVSC"] == "c.550C>T" and values["WE_HGVSP"] == "p.Arg184Ter"
    assert (values["WE_AA_POS"], values["WE_AA_REF"], values["WE_AA_ALT"]) == ("184", "R", "*")
    assert "WE_NMD_ESCAPE" not in values
    assert (values["GENE_MOI"], values["GENE_LOF"], values["GENE_LOEUF"]) == ("AD", "1", "0.21")
    assert values["CLINVAR_SAME_AA_STARS"] == "-1"  # not a missense
    # PVS1 tree facts: the stop at codon 184 of a 396-residue protein removes (396 - 183) / 396
    assert (values["WE_PTC_AA"], values["WE_PROT_LEN"]) == ("184", "396")
    assert values["WE_PROT_REMOVED"] == f"{(396 - 183) / 396:.4f}"


def test_canonical_donor_gives_the_skipped_exon() -> None:
    """HEMI_DONOR c.363+1G>A: the donor of intron 2 -> exon 2 would be skipped; its coding length and the fraction
    of the CDS (894 nt = 297 residues + stop) it holds."""
    tx = parse_gff3(open(GFF))
    ann = Annotator(tx, pysam.FastaFile(str(FASTA)), None, None)
    values = ann.annotate("chrX", 26429, "G", "A", "splice_donor|SYNXL1|ENST90000000005|protein_coding|+")
    model = next(t for t in tx if t.id == "ENST90000000005").model
    pos = model.mrna_positions()
    s, e = model.exons[1]
    exon2 = [i for i, g in enumerate(pos) if s <= g <= e]
    coding = [i for i in exon2 if model.cds_start <= i < model.cds_end]
    assert values["WE_SKIP_EXON_LEN"] == str(len(coding))
    assert values["WE_PROT_REMOVED"] == f"{len(coding) / (model.cds_end - model.cds_start):.4f}"
    assert values["WE_PROT_LEN"] == "297"


def test_clinvar_residue_matches(annotator: Annotator) -> None:
    """HOM_MIS_PM5 p.Arg322Gln: a P record p.Arg322Trp (2 stars) at the residue -> PM5; the P record with
    the same change from another nucleotide change (1 star) -> PS1."""
    values = annotator.annotate("chrSYN1", 21617, "C", "T", "missense|SYNAR1|ENST90000000003|protein_coding|-|322R>322Q|21617C>T")
    assert values["CLINVAR_SAME_RESIDUE_STARS"] == "2"
    assert values["CLINVAR_SAME_RESIDUE"] == "p.Arg322Trp|900002|2|chrSYN1:21618:G:A|P"
    assert values["CLINVAR_SAME_RESIDUE_P_STARS"] == "2"  # a Pathogenic comparator: PM5 at full strength
    assert values["CLINVAR_SAME_AA_P_STARS"] == "-1"  # the same-change record is LP only: PS1 one step down
    assert values["CLINVAR_SAME_AA_STARS"] == "1"
    same = ResidueIndex([ResidueRecord("T", 5, "R", "Q", "p.Arg5Gln", "c", 10, "G", "A", "1", 3)])
    assert same.match("T", 5, "R", "Q", ("c", 10, "G", "A")) == ([], [])  # the record itself is no evidence


def test_variant_outside_genes_gets_only_the_repeat_flag(annotator: Annotator) -> None:
    assert annotator.annotate("chrSYN1", 2000, "A", "G", None) in ({}, {"WE_IN_REPEAT": "1"})


# --- NMD -----------------------------------------------------------------------------------------
def test_nmd_escape_rule() -> None:
    # exons of 100 nt: last junction at mRNA offset 200
    t = TranscriptModel("T", "+", [(1, 100), (201, 300), (401, 500)], 10, 450)
    assert not nmd_escape(t, 250, Hgvs("c", "p", ptc_index=149))  # 51 nt before the junction
    assert nmd_escape(t, 250, Hgvs("c", "p", ptc_index=150))  # last 50 nt of the penultimate exon
    assert nmd_escape(t, 50, Hgvs("c", "p", ptc_index=-1))  # no stop before the end
    assert nmd_escape(t, 450, Hgvs("c", "p"))  # last exon
    assert nmd_escape(t, 302, Hgvs("c", "p"))  # donor +2 of the last intron
    assert not nmd_escape(t, 310, Hgvs("c", "p"))  # deeper intronic
    assert not nmd_escape(t, 102, Hgvs("c", "p"))  # donor of the first intron
    assert nmd_escape(TranscriptModel("S", "+", [(1, 900)], 0, 600), 5, Hgvs("c", "p", ptc_index=3))
    assert not nmd_escape(TranscriptModel("N", "+", [(1, 100), (201, 300)]), 250, Hgvs("n", ""))


# --- repeats -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("context", "i", "expected"),
    [("CGTAAAAAAGCT", 5, True), ("CGTAAAAAGCT", 5, False), ("TTCAGCAGCAGTT", 6, True),
     ("GACACACACGT", 4, False), ("GACACACACACGT", 4, True), ("AAAAAAGCT", 7, False)],
)  # fmt: skip
def test_repeat_rule(context: str, i: int, expected: bool) -> None:
    assert base_in_repeat(context, i) is expected


def test_repeat_spans() -> None:
    assert periodic_run("CCAGCAGCAGTT", 5, 3) == 9
    assert changed_span(100, "AT", "A") == (101, 101)
    assert changed_span(100, "A", "AT") == (100, 101)  # insertion: both flanking bases
    assert changed_span(100, "C", "T") == (100, 100)
    seq = "GCTAGC" + "T" * 8 + "GACGT"
    assert in_repeat(seq, 0, 6, "C", "CT")  # insertion before a T8 run
    assert not in_repeat(seq, 0, 2, "C", "G")


# --- gene table, encoding ------------------------------------------------------------------------
def test_gene_table_and_moi() -> None:
    genes = read_gene_table(BUNDLE / "gene_table.tsv", {"symbol": "symbol", "moi": "moi", "lof_mechanism": "lof_mechanism"})
    assert genes["SYNMIS1"].lof is False and genes["SYNXL1"].moi == "XLR" and genes["SYNAD1"].loeuf is None
    assert parse_moi("ad, AR / xlr") == ["AD", "AR", "XLR"]


def test_vcf_text_escapes_separators() -> None:
    assert vcf_text("p.Leu114=") == "p.Leu114%3D"
    assert vcf_text("a b;c,d") == "a_b%3Bc%2Cd"
    assert vcf_text("") == "."
