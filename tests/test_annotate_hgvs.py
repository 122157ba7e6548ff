"""HGVS-like c./p. descriptions (wgs_east.annotate.hgvs) on a designed transcript, both strands, and on
the planted variants of the test genome."""

from __future__ import annotations

import csv

import pysam
import pytest

from tests.conftest import REPO
from wgs_east.annotate.hgvs import TranscriptModel, describe, revcomp, translate
from wgs_east.annotate.transcripts import parse_gff3

# 5' UTR (5) + CDS M A K K R W E F Q G S * (36) + 3' UTR with a stop 2 codons after the CDS stop (12)
UTR5, CDS, UTR3 = "GGCCT", "ATGGCTAAAAAGCGTTGGGAATTCCAGGGATCCTAA", "GCGTGACATAAA"
MRNA = UTR5 + CDS + UTR3
CUTS = (17, 35)  # exon 1 = mRNA[0:17], exon 2 = [17:35], exon 3 = [35:53]
INTRON = "GTAAGTCCCCCCCCCCCCCCCCCCTTTCAG"
FLANK = "GATCGATCGATCGATCGATC"


def build(strand: str) -> tuple[TranscriptModel, str]:
    """The transcript on a small genome (intron 30 bp, 20 bp flanks); minus strand: reverse complement."""
    exons_tx = [MRNA[: CUTS[0]], MRNA[CUTS[0] : CUTS[1]], MRNA[CUTS[1] :]]
    gene = exons_tx[0] + INTRON + exons_tx[1] + INTRON + exons_tx[2]
    genome = FLANK + (gene if strand == "+" else revcomp(gene)) + FLANK
    starts, pos = [], len(FLANK) + 1
    for ex in exons_tx:
        starts.append((pos, pos + len(ex) - 1))
        pos += len(ex) + len(INTRON)
    if strand == "+":
        exons = starts
    else:  # mirror the intervals; transcript order = descending
        total = len(genome)
        exons = [(total - e + 1, total - s + 1) for s, e in starts]
    t = TranscriptModel("TX1", strand, exons, len(UTR5), len(UTR5) + len(CDS))
    assert t.mrna(genome) == MRNA
    return t, genome


def vcf_edit(t: TranscriptModel, genome: str, i: int, j: int, inserted: str = "") -> tuple[int, str, str]:
    """VCF allele of replacing mRNA[i:j] by ``inserted`` (transcript orientation); anchored for indels."""
    g = t.mrna_positions()
    ins = inserted if t.strand == "+" else revcomp(inserted)
    if j > i:
        lo, hi = min(g[i], g[j - 1]), max(g[i], g[j - 1])
        if len(inserted) == j - i:  # substitution / MNV
            return lo, genome[lo - 1 : hi], ins
        return lo - 1, genome[lo - 2 : hi], genome[lo - 2] + ins
    left = min(g[i - 1], g[i])  # insertion between mRNA i-1 and i
    return left, genome[left - 1], genome[left - 1] + ins


def intronic(t: TranscriptModel, genome: str, exon_idx: int, offset: int, alt: str) -> tuple[int, str, str]:
    """An SNV ``offset`` bases into the intron from the mRNA base ``exon_idx`` (+ after it, - before it)."""
    g = t.mrna_positions()[exon_idx]
    step = offset if t.strand == "+" else -offset
    pos = g + step
    return pos, genome[pos - 1], alt if t.strand == "+" else revcomp(alt)


CASES = [
    # (name, mRNA start, end, inserted, c., p.)
    ("missense", 17, 18, "T", "c.13C>T", "p.Arg5Cys"),
    ("synonymous", 10, 11, "C", "c.6T>C", "p.Ala2="),
    ("nonsense", 21, 22, "A", "c.17G>A", "p.Trp6Ter"),
    ("frameshift del in homopolymer (3' shifted), no stop after", 11, 12, "", "c.11del", "p.Lys4SerfsTer?"),
    ("frameshift dup in homopolymer", 11, 11, "A", "c.11dup", "p.Arg5AlafsTer12"),
    ("in-frame codon deletion", 23, 26, "", "c.19_21del", "p.Glu7del"),
    ("in-frame insertion", 26, 26, "GGG", "c.21_22insGGG", "p.Glu7_Phe8insGly"),
    ("MNV", 17, 19, "TT", "c.13_14delinsTT", "p.Arg5Phe"),
    ("stop lost", 38, 39, "C", "c.34T>C", "p.Ter12GlnextTer2"),
    ("start codon", 6, 7, "C", "c.2T>C", "p.Met1?"),
    ("5' UTR", 2, 3, "A", "c.-3C>A", ""),
    ("3' UTR", 45, 46, "T", "c.*5G>T", ""),
]


@pytest.mark.parametrize("strand", ["+", "-"])
@pytest.mark.parametrize(("name", "i", "j", "ins", "c", "p"), CASES, ids=[c[0] for c in CASES])
def test_describe_on_both_strands(strand: str, name: str, i: int, j: int, ins: str, c: str, p: str) -> None:
    t, genome = build(strand)
    pos, ref, alt = vcf_edit(t, genome, i, j, ins)
    h = describe(t, genome, pos, ref, alt)
    assert (h.c, h.p) == (c, p), name


@pytest.mark.parametrize("strand", ["+", "-"])
def test_left_aligned_deletion_in_a_repeat_is_3prime_shifted(strand: str) -> None:
    """The VCF (left-aligned) and the 3'-most placement describe the same deletion: c.11del either way."""
    t, genome = build(strand)
    for i in range(11, 16):  # any A of the AAAAA run
        pos, ref, alt = vcf_edit(t, genome, i, i + 1)
        assert describe(t, genome, pos, ref, alt).c == "c.11del"


@pytest.mark.parametrize("strand", ["+", "-"])
@pytest.mark.parametrize(
    ("exon_idx", "offset", "c", "p"),
    [(16, 1, "c.12+1G>A", "p.?"), (16, 2, "c.12+2T>A", "p.?"), (16, 3, "c.12+3A>T", ""),
     (17, -1, "c.13-1G>A", "p.?"), (17, -2, "c.13-2A>T", "p.?"), (17, -12, "c.13-12C>A", "")],
)  # fmt: skip
def test_intronic_offsets(strand: str, exon_idx: int, offset: int, c: str, p: str) -> None:
    t, genome = build(strand)
    ref_tx = {1: "G", 2: "T", 3: "A", -1: "G", -2: "A", -12: "C"}[offset]
    alt_tx = c[-1]
    pos, ref, alt = intronic(t, genome, exon_idx, offset, alt_tx)
    assert (ref if strand == "+" else revcomp(ref)) == ref_tx
    h = describe(t, genome, pos, ref, alt)
    assert (h.c, h.p) == (c, p)


def test_positions_outside_the_transcript_and_exon_numbers() -> None:
    t, genome = build("+")
    first = t.exons[0][0]
    assert t.c_of_genomic(first - 3) == "-8"
    assert t.c_of_genomic(t.exons[-1][1] + 2) == "*14"
    assert t.region(first) == ("exon", 1)
    assert t.region(t.exons[0][1] + 1) == ("intron", 1)
    assert t.region(first - 1) == ("upstream", 0)


def test_nonsense_and_frameshift_report_the_premature_stop() -> None:
    t, genome = build("+")
    h = describe(t, genome, *vcf_edit(t, genome, 21, 22, "A"))
    assert (h.aa_pos, h.aa_ref, h.aa_alt, h.ptc_index) == (6, "W", "*", 5 + 15)
    h = describe(t, genome, *vcf_edit(t, genome, 11, 11, "A"))
    assert (h.aa_pos, h.ptc_index) == (5, 5 + 3 * 15)
    h = describe(t, genome, *vcf_edit(t, genome, 11, 12))
    assert h.ptc_index == -1  # reads through the end of the mRNA


def test_non_coding_transcript_uses_n_dot() -> None:
    t, genome = build("+")
    nc = TranscriptModel("NC1", "+", t.exons)
    h = describe(nc, genome, *vcf_edit(nc, genome, 2, 3, "A"))
    assert (h.c, h.p) == ("n.3C>A", "")


def test_translate_and_revcomp() -> None:
    assert translate(CDS) == "MAKKRWEFQGS*"
    assert revcomp("ACGTN") == "NACGT"


HAND_HGVS = REPO / "test_data" / "truth" / "planted_hgvs.tsv"


def hand_hgvs() -> dict[tuple[str, int, str, str], dict[str, str]]:
    """The hand-written HGVS of the planted variants (test_data/truth/planted_hgvs.tsv, derivations in its
    comments), by (chrom, pos, ref, alt); an absent p. description is ''."""
    with open(HAND_HGVS) as fh:
        rows = list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"))
    for r in rows:
        r["hgvs_p"] = "" if r["hgvs_p"] == "." else r["hgvs_p"]
    return {(r["chrom"], int(r["pos"]), r["ref"], r["alt"]): r for r in rows}


def test_planted_variants_of_the_test_genome() -> None:
    """The package describes every planted variant as the hand-written table says."""
    with open(REPO / "test_data" / "genes" / "genes.gff3") as fh:
        models = {t.id: t.model for t in parse_gff3(fh)}
    fasta = pysam.FastaFile(str(REPO / "test_data" / "reference" / "genome.fa"))
    hand = hand_hgvs()
    assert len(hand) == 14
    for (chrom, pos, ref, alt), r in hand.items():
        h = describe(models[r["transcript"]], fasta.fetch(chrom), pos, ref, alt)
        assert (h.c, h.p) == (r["hgvs_c"], r["hgvs_p"]), r["id"]


@pytest.mark.parametrize("table", ["truth/planted.tsv", "resources/expected_annotations.tsv"])
def test_generated_truth_tables_agree_with_the_hand_written_hgvs(table: str) -> None:
    """planted.tsv and expected_annotations.tsv are written by scripts with wgs_east.annotate.hgvs: the
    HGVS they carry must be the hand-written one, variant for variant."""
    hand = hand_hgvs()
    with open(REPO / "test_data" / table) as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    got = {(r["chrom"], int(r["pos"]), r["ref"], r["alt"]): (r["hgvs_c"], "" if r["hgvs_p"] == "." else r["hgvs_p"]) for r in rows}
    assert got == {k: (r["hgvs_c"], r["hgvs_p"]) for k, r in hand.items()}


def test_describe_never_fails_on_any_small_variant_near_the_genes() -> None:
    """Robustness: SNVs, deletions and insertions of 1-40 bp everywhere around the designed genes
    (exon/intron boundaries, start/stop codons, transcript ends, both strands) are described."""
    import random

    with open(REPO / "test_data" / "genes" / "genes.gff3") as fh:
        transcripts = parse_gff3(fh)
    fasta = pysam.FastaFile(str(REPO / "test_data" / "reference" / "genome.fa"))
    rng = random.Random(7)
    for t in transcripts:
        seq = fasta.fetch(t.chrom)
        points = [p for s, e in t.model.exons for p in (s - 3, s, s + 2, e - 2, e, e + 3)]
        points += [t.start - 50, t.end + 50] + [rng.randint(t.start - 100, t.end + 100) for _ in range(150)]
        for pos in points:
            for kind in ("snv", "del", "ins"):
                n = rng.randint(1, 40)
                ref = seq[pos - 1] if kind != "del" else seq[pos - 1 : pos + n]
                alt = {"snv": "A" if ref != "A" else "C", "del": ref[:1], "ins": ref + "ACGT"[: 1 + n % 4]}[kind]
                h = describe(t.model, seq, pos, ref, alt)
                assert h.c.startswith("c."), (t.id, pos, ref, alt, h)
