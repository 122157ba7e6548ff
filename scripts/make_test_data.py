#!/usr/bin/env python3
"""Build the wgs-east test genome: reference, designed genes, truth set and simulated reads.

Two subcommands, both deterministic (fixed seeds, no wall-clock or host input):

``design`` -- run once by developers; its outputs are committed under ``test_data/``:

* ``reference/genome.fa`` (+ ``.fai``): the real GRCh38 slice ``chr22_16600000_16800000`` (sequence
  unchanged) followed by four synthetic contigs, ``chrSYN1`` (three designed autosomal genes), ``chrSYN2``
  (four genes carrying the planted structural variants, no small variants), ``chrX`` (one X-linked gene)
  and ``chrY`` (no genes, no PAR). Synthetic sequence is random with 41 % GC plus
  sprinkled homopolymers and short tandem repeats.
* ``genes/genes.gff3``: Ensembl-style GFF3 of the designed genes (works with ``bcftools csq``).
* ``truth/truth.vcf.gz`` (+ ``.tbi``): phased genotypes of the four samples. Founder haplotypes are drawn
  from a population pool of sites with allele frequencies (``truth/population_pool.tsv``), the proband
  inherits one (recombined) haplotype from each parent, and clinically interesting events are planted
  (``truth/planted.tsv``). The script asserts that ``bcftools norm`` leaves the VCF unchanged, that the
  genotypes are Mendelian-consistent (except the planted de novo) and that ``bcftools csq`` gives every
  planted variant its intended consequence.
* ``truth/sv_truth.vcf.gz`` (+ ``.tbi``): the planted structural variants (``SV_EVENTS``: deletions, tandem
  duplications, an inversion) with phased genotypes; placed from the built genes, no random draw.
* ``truth/confident.bed``: contigs minus 1 kb at each end minus every base covered by a 100-mer that
  occurs more than once in the reference (either strand), padded by 50 bp.
* ``truth/haplotype_design.json``: seeds, gene models, inheritance (crossovers), ClinVar designations.

``reads --outdir test_data/reads`` -- run by ``make setup`` on every machine (outputs are not committed).
It reads only the committed reference and truth VCFs, builds each sample's haplotypes from the phased
genotypes (small variants and SVs), and simulates 2x150 bp Illumina-like read pairs at ~30x (see ``simulate_unit``). It is
idempotent: when all outputs exist and the stamp file matches the inputs and parameters it does nothing.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pysam

from wgs_east.annotate.hgvs import CODON_TABLE, TranscriptModel, describe, revcomp, translate

# ------------------------------------------------------------------------------------------------
# Fixed design parameters
# ------------------------------------------------------------------------------------------------
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SLICE = Path("/work/shared/data/GRCh38_chr22_16600000-16800000.fa")
SLICE_SHA256 = "cc8e03d07cba09b8ab125050b7ff9983ce78bc890ea19a31e632c937018b472d"
REAL_CONTIG = "chr22_16600000_16800000"
REAL_LENGTH = 200_001
SV_CONTIG = "chrSYN2"  # structural-variant contig: SV genes and events only, no small variants
SYNTHETIC_LENGTHS = {"chrSYN1": 50_000, SV_CONTIG: 45_000, "chrX": 60_000, "chrY": 20_000}
CONTIGS = (REAL_CONTIG, "chrSYN1", SV_CONTIG, "chrX", "chrY")  # reference order (sex contigs last)
# contigs with small variants: every random draw of the small-variant design (inheritance, background pool,
# founders) loops over these only, so adding the SV contig changed none of them
SMALL_CONTIGS = (REAL_CONTIG, "chrSYN1", "chrX", "chrY")
X_CONTIG, Y_CONTIG = "chrX", "chrY"
SYNTHETIC_DESCRIPTION = "synthetic wgs-east test contig"
GC_CONTENT = 0.41
FASTA_WIDTH = 60

DESIGN_SEED = 20_240_622
READS_SEED = 20_240_623

BATCH = "B001"
SAMPLES = ("FATHER1", "MOTHER1", "PROBAND1", "SINGLETON1")
FOUNDERS = ("FATHER1", "MOTHER1", "SINGLETON1")
SEX = {"FATHER1": "male", "MOTHER1": "female", "PROBAND1": "female", "SINGLETON1": "male"}
FAMILY = {"FATHER1": "FAM1", "MOTHER1": "FAM1", "PROBAND1": "FAM1", "SINGLETON1": "FAM2"}
UNITS = {"FATHER1": ("L001",), "MOTHER1": ("L001",), "PROBAND1": ("L001", "L002"), "SINGLETON1": ("L001",)}

SNV_PER_KB_PER_HAPLOTYPE = 1.0  # expected alt alleles per haplotype
INDEL_SPACING_PER_HAPLOTYPE = 9_000  # one indel per 9 kb per haplotype
REPEAT_INDEL_FRACTION = 0.35  # background indels placed in homopolymers / short tandem repeats
MAX_INDEL_LENGTH = 20
MAX_INDEL_AMBIGUITY = 24  # bp over which a background indel may slide (repeat length); longer: rejected
EDGE = 500  # no background variant closer than this to a contig end
GAP_SNV, GAP_INDEL, GAP_PLANTED = 10, 30, 300  # minimum distances between truth events
CONFIDENT_K, CONFIDENT_PAD, CONFIDENT_END = 100, 50, 1_000
SV_CONFIDENT_PAD = 500  # planted SVs +- this many bp are left out of confident.bed

# Read simulation
READ_LEN = 150
DEPTH_PER_HAPLOTYPE = 15.0  # -> ~30x over a diploid genome, ~15x on a male X / Y
FRAGMENT_MEAN, FRAGMENT_SD, FRAGMENT_MIN = 350.0, 70.0, 120
DUPLICATE_FRACTION = 0.025
ADAPTER_R1 = "AGATCGGAAGAGCACACGTCTGAACTCCAGTCA"
ADAPTER_R2 = "AGATCGGAAGAGCGTCGTGTAGGGAAAGAGTGT"
QUAL_BINS = (37, 25, 11, 2)  # Illumina-like binned Phred scores
QUAL_BIN_PROBS_START = (0.98, 0.014, 0.0055, 0.0005)  # -> error rate ~0.1 % at the first cycle
QUAL_BIN_PROBS_END = (0.80, 0.12, 0.07, 0.01)  # -> error rate ~1.2 % at the last cycle
GZIP_LEVEL = 6
READS_FORMAT_VERSION = 2  # bump when the simulation changes, so that stamps go stale
STAMP_NAME = ".make_test_data.stamp"

# ------------------------------------------------------------------------------------------------
# Sequence helpers
# ------------------------------------------------------------------------------------------------
_BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
# Codon table, reverse complement, translation and the HGVS c./p. descriptions of the planted variants
# come from the annotation package (wgs_east.annotate.hgvs), so that the truth set and the pipeline's
# annotation share one implementation. That is why the tests do not trust these strings: they compare both
# this script's planted.tsv and the pipeline's WE_HGVSC / WE_HGVSP with test_data/truth/planted_hgvs.tsv,
# written by hand (its comments show the derivation of each description).
_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")
_TRANSITION = {"A": "G", "G": "A", "C": "T", "T": "C"}


def rng_for(*names: str) -> np.random.Generator:
    """An independent, named random stream of the design (changing one part never shifts another)."""
    return np.random.default_rng([DESIGN_SEED, *(zlib.crc32(n.encode()) for n in names)])


def random_dna(rng: np.random.Generator, length: int, gc: float = GC_CONTENT) -> str:
    """Random DNA with the given GC fraction."""
    probs = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
    return _BASES[rng.choice(4, size=length, p=probs)].tobytes().decode("ascii")


def random_sense_codons(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` random codons drawn from the base composition, stop codons rejected."""
    out: list[str] = []
    while len(out) < n:
        chunk = random_dna(rng, 3 * (n - len(out) + 8))
        out.extend(c for c in (chunk[i : i + 3] for i in range(0, len(chunk), 3)) if CODON_TABLE[c] != "*")
    return out[:n]


def repeat_element(rng: np.random.Generator) -> str:
    """A homopolymer (6-14 bp) or a short tandem repeat (unit 2-4 bp, at most 30 bp)."""
    kind = int(rng.choice(4, p=[0.4, 0.3, 0.15, 0.15]))
    if kind == 0:
        return "ACGT"[int(rng.choice(4, p=[0.4, 0.1, 0.1, 0.4]))] * int(rng.integers(6, 15))
    unit = ""
    while len(set(unit)) < 2:
        unit = random_dna(rng, kind + 1)
    lo, hi = {2: (4, 10), 3: (4, 7), 4: (3, 6)}[kind + 1]
    return unit * int(rng.integers(lo, hi + 1))


def write_fasta(path: Path, contigs: dict[str, tuple[str, str]]) -> None:
    """Write ``{name: (description, sequence)}`` with 60 bases per line."""
    with open(path, "w") as fh:
        for name, (description, seq) in contigs.items():
            fh.write(f">{name} {description}\n" if description else f">{name}\n")
            for i in range(0, len(seq), FASTA_WIDTH):
                fh.write(seq[i : i + FASTA_WIDTH] + "\n")


def read_slice(path: Path) -> str:
    """The real chr22 slice, checked against the checksum documented in shared/data/README.md."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SLICE_SHA256:
        raise SystemExit(f"design: {path} has sha256 {digest}, expected {SLICE_SHA256}")
    lines = data.decode("ascii").splitlines()
    assert lines[0].split()[0] == ">" + REAL_CONTIG, lines[0]
    seq = "".join(lines[1:])
    assert len(seq) == REAL_LENGTH and set(seq) <= set("ACGT"), "unexpected slice content"
    return seq


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ------------------------------------------------------------------------------------------------
# Gene design
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TranscriptSpec:
    transcript_id: str
    name: str
    protein_id: str
    tags: str
    skip_exons: tuple[int, ...] = ()  # exons (1-based, transcript order) left out of this isoform


@dataclass(frozen=True)
class GeneSpec:
    symbol: str
    gene_id: str
    contig: str
    strand: str
    start: int  # leftmost base of the gene on the contig, 1-based
    n_exons: int
    inheritance: str
    mechanism: str
    description: str
    # named coding sites: name -> (exon number, fraction into the exon's CDS, forced codon string)
    sites: dict[str, tuple[int, float, str]]
    transcripts: tuple[TranscriptSpec, ...]
    skippable_exon: int | None = None  # CDS length and phase chosen so that skipping keeps the frame


MANE_TAGS = "basic,Ensembl_canonical,MANE_Select"
GENES = (
    GeneSpec(
        "SYNAD1", "ENSG90000000001", "chrSYN1", "+", 5_001, 6, "AD", "LoF (haploinsufficiency)",
        "synthetic test gene - autosomal dominant - loss of function",
        {"syn": (2, 0.5, "CTG"), "stop": (3, 0.5, "CGA"), "mis_high": (5, 0.5, "GGG")},
        (
            TranscriptSpec("ENST90000000001", "SYNAD1-201", "ENSP90000000001", MANE_TAGS),
            TranscriptSpec("ENST90000000002", "SYNAD1-202", "ENSP90000000002", "basic", (4,)),
        ),
        skippable_exon=4,
    ),
    GeneSpec(
        "SYNAR1", "ENSG90000000002", "chrSYN1", "-", 20_001, 6, "AR", "LoF (biallelic)",
        "synthetic test gene - autosomal recessive - loss of function",
        {"fs": (2, 0.5, "GACTGG"), "mis": (4, 0.5, "TGC"), "pm5": (5, 0.5, "CGG")},
        (TranscriptSpec("ENST90000000003", "SYNAR1-201", "ENSP90000000003", MANE_TAGS),),
    ),
    GeneSpec(
        "SYNMIS1", "ENSG90000000003", "chrSYN1", "+", 35_001, 6, "AD",
        "missense (dominant negative); LoF not a known mechanism",
        "synthetic test gene - autosomal dominant - missense mechanism",
        {"mis_low": (1, 0.6, "GTC"), "clinvar": (2, 0.5, "CGC"), "inframe": (5, 0.5, "GAATCTCAG"),
         "common": (6, 0.3, "GCC")},
        (TranscriptSpec("ENST90000000004", "SYNMIS1-201", "ENSP90000000004", MANE_TAGS),),
    ),
    GeneSpec(
        "SYNXL1", "ENSG90000000004", "chrX", "+", 25_001, 5, "XLR", "LoF (hemizygous males)",
        "synthetic test gene - X-linked recessive - loss of function",
        {},
        (TranscriptSpec("ENST90000000005", "SYNXL1-201", "ENSP90000000005", MANE_TAGS),),
    ),
    # genes of the structural-variant contig (their events: SV_EVENTS)
    GeneSpec(
        "SYNHI1", "ENSG90000000005", SV_CONTIG, "+", 2_501, 5, "AD", "LoF (haploinsufficiency)",
        "synthetic test gene - autosomal dominant - haploinsufficient (SV tests)", {},
        (TranscriptSpec("ENST90000000006", "SYNHI1-201", "ENSP90000000006", MANE_TAGS),),
    ),
    GeneSpec(
        "SYNREC1", "ENSG90000000006", SV_CONTIG, "-", 14_001, 4, "AR", "LoF (biallelic)",
        "synthetic test gene - autosomal recessive - loss of function (SV tests)", {},
        (TranscriptSpec("ENST90000000007", "SYNREC1-201", "ENSP90000000007", MANE_TAGS),),
    ),
    GeneSpec(
        "SYNTS1", "ENSG90000000007", SV_CONTIG, "+", 21_501, 3, "AD",
        "gain of dosage (triplosensitivity); LoF not a known mechanism",
        "synthetic test gene - autosomal dominant - triplosensitive (SV tests)", {},
        (TranscriptSpec("ENST90000000008", "SYNTS1-201", "ENSP90000000008", MANE_TAGS),),
    ),
    GeneSpec(
        "SYNINV1", "ENSG90000000008", SV_CONTIG, "+", 29_001, 4, "AD", "LoF (haploinsufficiency)",
        "synthetic test gene - autosomal dominant - loss of function (SV tests)", {},
        (TranscriptSpec("ENST90000000009", "SYNINV1-201", "ENSP90000000009", MANE_TAGS),),
    ),
)  # fmt: skip


@dataclass
class Transcript(TranscriptModel):
    """A designed transcript: coordinates and HGVS positions from ``TranscriptModel``, plus its design."""

    spec: TranscriptSpec | None = None
    gene: GeneSpec | None = None


@dataclass
class BuiltGene:
    spec: GeneSpec
    seq: str  # genomic (+ strand) sequence from start to end
    start: int
    end: int
    transcripts: list[Transcript]
    sites: dict[str, int]  # site name -> 0-based CDS offset (canonical transcript) of its first base
    cds_exon_lengths: list[int]
    intron_lengths: list[int]

    @property
    def mane(self) -> Transcript:
        return self.transcripts[0]


def make_intron(rng: np.random.Generator) -> str:
    """A GT..AG intron of 700-2200 bp: GTAAGT donor, random body with 0-2 repeats, pyrimidine tract, CAG."""
    length = int(rng.integers(700, 2201))
    donor, tract = "GTAAGT", "".join("CT"[int(b)] for b in rng.integers(0, 2, 14))
    acceptor = tract + random_dna(rng, 1) + "CAG"
    body = random_dna(rng, length - len(donor) - len(acceptor))
    for _ in range(int(rng.integers(0, 3))):
        rep = repeat_element(rng)
        at = int(rng.integers(60, len(body) - 60 - len(rep)))
        body = body[:at] + rep + body[at + len(rep) :]
    return donor + body + acceptor


def build_gene(spec: GeneSpec) -> BuiltGene:
    """Design one gene: exon/intron structure, a valid ORF with forced codons at the named sites."""
    rng = rng_for("gene", spec.symbol)
    n = spec.n_exons
    cds_lens = [int(x) for x in rng.integers(90, 241, size=n)]
    if spec.skippable_exon:
        k = spec.skippable_exon
        cds_lens[k - 1] -= cds_lens[k - 1] % 3  # skipped exon: whole codons
        cds_lens[k - 2] += (-sum(cds_lens[: k - 1])) % 3  # and it starts in phase 0
    cds_lens[-1] += (-sum(cds_lens)) % 3
    n_codons = sum(cds_lens) // 3
    stop = ("TAA", "TAG", "TGA")[int(rng.integers(0, 3))]
    cds = "".join(["ATG", *random_sense_codons(rng, n_codons - 2), stop])
    bounds = np.cumsum([0, *cds_lens]).tolist()
    sites: dict[str, int] = {}
    for name, (exon, frac, forced) in spec.sites.items():
        lo, hi = bounds[exon - 1], bounds[exon]
        off = lo + int(frac * (hi - lo))
        off += (-off) % 3
        assert 3 <= off and off + len(forced) <= min(hi, len(cds) - 3), (spec.symbol, name)
        cds = cds[:off] + forced + cds[off + len(forced) :]
        sites[name] = off
    utr5 = random_dna(rng, int(rng.integers(100, 201)))
    while "ATG" in utr5:  # no upstream ATG: the annotated start is the first one
        utr5 = utr5.replace("ATG", "ACG")
    utr3 = random_dna(rng, int(rng.integers(400, 801)))
    utr3 = utr3[:-30] + "AATAAA" + utr3[-24:]
    exon_seqs = [cds[bounds[i] : bounds[i + 1]] for i in range(n)]
    exon_seqs[0] = utr5 + exon_seqs[0]
    exon_seqs[-1] += utr3
    introns = [make_intron(rng) for _ in range(n - 1)]
    parts: list[str] = []
    exon_tx: list[tuple[int, int]] = []  # 0-based half-open offsets in the gene, transcript orientation
    pos = 0
    for i, ex in enumerate(exon_seqs):
        exon_tx.append((pos, pos + len(ex)))
        parts.append(ex)
        pos += len(ex)
        if i < n - 1:
            parts.append(introns[i])
            pos += len(introns[i])
    gene_tx = "".join(parts)
    glen = len(gene_tx)
    if spec.strand == "+":
        genomic = gene_tx
        exons_g = [(spec.start + a, spec.start + b - 1) for a, b in exon_tx]
    else:
        genomic = revcomp(gene_tx)
        exons_g = [(spec.start + glen - b, spec.start + glen - 1 - a) for a, b in exon_tx]
    built = BuiltGene(spec, genomic, spec.start, spec.start + glen - 1, [], sites, cds_lens,
                      [len(x) for x in introns])  # fmt: skip
    for tspec in spec.transcripts:
        keep = [i for i in range(1, n + 1) if i not in tspec.skip_exons]
        cds_len = sum(cds_lens[i - 1] for i in keep)
        built.transcripts.append(
            Transcript(tspec.transcript_id, spec.strand, [exons_g[i - 1] for i in keep], len(utr5),
                       len(utr5) + cds_len, spec=tspec, gene=spec)  # fmt: skip
        )
    return built


def check_orfs(genes: list[BuiltGene], genome: dict[str, str]) -> None:
    """Translate every spliced CDS from the final reference: ATG ... stop, no premature stop, GT..AG."""
    for g in genes:
        seq = genome[g.spec.contig]
        for t in g.transcripts:
            mrna = t.mrna(seq)
            cds = mrna[t.cds_start : t.cds_end]
            protein = translate(cds)
            assert len(cds) % 3 == 0, f"{t.spec.name}: CDS length {len(cds)} not a multiple of 3"
            assert cds.startswith("ATG"), f"{t.spec.name}: no ATG start"
            assert protein.endswith("*") and "*" not in protein[:-1], f"{t.spec.name}: bad ORF {protein}"
            assert "ATG" not in mrna[: t.cds_start], f"{t.spec.name}: upstream ATG"
            for (s1, e1), (s2, e2) in zip(t.exons, t.exons[1:], strict=False):
                if t.strand == "+":
                    intron = seq[e1 : s2 - 1]
                else:
                    intron = revcomp(seq[e2 : s1 - 1])
                assert intron[:2] == "GT" and intron[-2:] == "AG", f"{t.spec.name}: non-canonical intron"
                assert len(intron) >= 300, f"{t.spec.name}: intron shorter than 300 bp"


def build_reference(slice_seq: str) -> tuple[dict[str, str], list[BuiltGene]]:
    """The four contigs (real slice first) and the designed genes placed on the synthetic ones."""
    genes = [build_gene(spec) for spec in GENES]
    genome = {REAL_CONTIG: slice_seq}
    for name, length in SYNTHETIC_LENGTHS.items():
        rng = rng_for("contig", name)
        seq = bytearray(random_dna(rng, length).encode())
        here = [g for g in genes if g.spec.contig == name]
        protected = [(g.start - 100, g.end + 100) for g in here]
        placed: list[tuple[int, int]] = []
        for _ in range(length // 700):
            rep = repeat_element(rng)
            at = int(rng.integers(100, length - 100 - len(rep)))
            iv = (at - 30, at + len(rep) + 30)
            if any(iv[0] < e and s < iv[1] for s, e in protected + placed):
                continue
            seq[at : at + len(rep)] = rep.encode()
            placed.append(iv)
        for g in here:
            assert g.end <= length - 3_000, f"{g.spec.symbol} does not fit on {name}"
            seq[g.start - 1 : g.end] = g.seq.encode()
        genome[name] = seq.decode("ascii")
    check_orfs(genes, genome)
    return genome, genes


def exon_piece(exon: tuple[int, int], strand: str, exon_idx: int, i0: int, i1: int) -> tuple[int, int]:
    """Genomic interval of the mRNA offsets [i0, i1) lying in ``exon`` (whose first base is ``exon_idx``)."""
    if strand == "+":
        return exon[0] + (i0 - exon_idx), exon[0] + (i1 - 1 - exon_idx)
    return exon[1] - (i1 - 1 - exon_idx), exon[1] - (i0 - exon_idx)


def gff3_text(genes: list[BuiltGene], genome: dict[str, str]) -> str:
    """Ensembl-style GFF3 (gene / mRNA / exon / CDS with phase / UTRs) as bcftools csq expects."""
    src = "wgs_east_synthetic"
    lines = ["##gff-version 3"]
    lines += [
        f"##sequence-region {c} 1 {len(genome[c])}" for c in CONTIGS if any(g.spec.contig == c for g in genes)
    ]
    order = sorted(genes, key=lambda g: (CONTIGS.index(g.spec.contig), g.start))
    # exon ids numbered in design order (GENES), so genes added later never renumber the earlier ones
    first_exon, n = {}, 0
    for g in genes:
        for t in g.transcripts:
            first_exon[t.spec.transcript_id] = n
            n += len(t.exons)
    for g in order:
        s = g.spec
        lines.append("\t".join([s.contig, src, "gene", str(g.start), str(g.end), ".", s.strand, ".",
                                f"ID=gene:{s.gene_id};Name={s.symbol};biotype=protein_coding;"
                                f"description={s.description};gene_id={s.gene_id};version=1"]))  # fmt: skip
        for t in g.transcripts:
            ts = t.spec
            lo, hi = min(a for a, _ in t.exons), max(b for _, b in t.exons)
            lines.append("\t".join([s.contig, src, "mRNA", str(lo), str(hi), ".", s.strand, ".",
                                    f"ID=transcript:{ts.transcript_id};Parent=gene:{s.gene_id};Name={ts.name};"
                                    f"biotype=protein_coding;tag={ts.tags};transcript_id={ts.transcript_id};"
                                    "version=1"]))  # fmt: skip
            feats: list[tuple[int, int, str, str, str]] = []
            parent = f"Parent=transcript:{ts.transcript_id}"
            idx = 0
            exon_no = first_exon[ts.transcript_id]
            for rank, (a, b) in enumerate(t.exons, start=1):
                exon_no += 1
                feats.append((a, b, "exon", ".", f"{parent};Name=ENSE9{exon_no:010d};exon_id=ENSE9{exon_no:010d};"
                                                  f"rank={rank};version=1"))  # fmt: skip
                lo_i, hi_i = idx, idx + (b - a + 1)  # mRNA offsets of this exon, half-open
                if lo_i < t.cds_start:
                    piece = exon_piece((a, b), s.strand, lo_i, lo_i, min(hi_i, t.cds_start))
                    feats.append((*piece, "five_prime_UTR", ".", parent))
                c0, c1 = max(lo_i, t.cds_start), min(hi_i, t.cds_end)
                if c0 < c1:
                    phase = (-(c0 - t.cds_start)) % 3  # bases before the first complete codon
                    feats.append((*exon_piece((a, b), s.strand, lo_i, c0, c1), "CDS", str(phase),
                                  f"ID=CDS:{ts.protein_id};{parent};protein_id={ts.protein_id}"))  # fmt: skip
                if hi_i > t.cds_end:
                    piece = exon_piece((a, b), s.strand, lo_i, max(lo_i, t.cds_end), hi_i)
                    feats.append((*piece, "three_prime_UTR", ".", parent))
                idx = hi_i
            for a, b, ftype, phase, attrs in sorted(feats):
                lines.append("\t".join([s.contig, src, ftype, str(a), str(b), ".", s.strand, phase, attrs]))
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------
# Truth variants
# ------------------------------------------------------------------------------------------------
@dataclass
class Variant:
    contig: str
    pos: int  # VCF POS, 1-based
    ref: str
    alt: str
    af: float | None  # population-pool allele frequency; None = absent from the pool
    span: tuple[int, int]  # 1-based inclusive bases the event occupies, including repeat slack
    planted: str | None = None
    alleles: dict[str, list[int]] = field(default_factory=dict)  # sample -> allele per haplotype

    @property
    def is_snv(self) -> bool:
        return len(self.ref) == 1 and len(self.alt) == 1


def ploidy(sample: str, contig: str) -> int:
    """Autosomes diploid; chrX haploid in males; chrY haploid in males and absent in females."""
    male = SEX[sample] == "male"
    if contig == X_CONTIG:
        return 1 if male else 2
    if contig == Y_CONTIG:
        return 1 if male else 0
    return 2


def normalise_deletion(seq: str, p: int, k: int) -> tuple[int, int]:
    """Left-most and right-most 0-based start of an equivalent deletion of ``seq[p:p+k]``."""
    left = p
    while left > 1 and seq[left - 1] == seq[left + k - 1]:
        left -= 1
    right = p
    while right + k < len(seq) and seq[right] == seq[right + k]:
        right += 1
    return left, right


def normalise_insertion(seq: str, a: int, ins: str) -> tuple[int, str, int]:
    """Left-most anchor (0-based), rotated inserted sequence, right-most anchor for ``ins`` after ``a``."""
    left, lseq = a, ins
    while left > 0 and seq[left] == lseq[-1]:
        lseq, left = lseq[-1] + lseq[:-1], left - 1
    right, rseq = a, ins
    while right + 1 < len(seq) and seq[right + 1] == rseq[0]:
        rseq, right = rseq[1:] + rseq[0], right + 1
    return left, lseq, right


def deletion_variant(contig: str, seq: str, p: int, k: int, af: float | None) -> Variant:
    left, right = normalise_deletion(seq, p, k)
    return Variant(contig, left, seq[left - 1 : left + k], seq[left - 1], af, (left, right + k))


def insertion_variant(contig: str, seq: str, a: int, ins: str, af: float | None) -> Variant:
    left, lseq, right = normalise_insertion(seq, a, ins)
    return Variant(contig, left + 1, seq[left], seq[left] + lseq, af, (left + 1, right + 2))


class Occupancy:
    """Which bases are taken by accepted events, to keep a minimum distance between truth events."""

    def __init__(self, length: int) -> None:
        self.raw = np.zeros(length + 2, dtype=bool)
        self.padded = np.zeros(length + 2, dtype=bool)

    def free(self, span: tuple[int, int], gap: int) -> bool:
        s, e = span
        return not self.raw[max(s - gap, 0) : e + gap + 1].any() and not self.padded[s : e + 1].any()

    def take(self, span: tuple[int, int], gap: int) -> None:
        s, e = span
        self.raw[s : e + 1] = True
        self.padded[max(s - gap, 0) : e + gap + 1] = True


def draw_af(rng: np.random.Generator, n: int) -> np.ndarray:
    """Population allele frequencies: 30 % common (U(0.05, 0.9)), 70 % rare (log-uniform 1e-4..0.05)."""
    common = rng.random(n) < 0.3
    rare = 10 ** rng.uniform(-4, np.log10(0.05), n)
    return np.where(common, rng.uniform(0.05, 0.9, n), rare).round(6)


def afs_summing_to(rng: np.random.Generator, target: float) -> list[float]:
    """Draw AFs until their sum (= expected alt alleles per haplotype) reaches ``target``."""
    out: list[float] = []
    while sum(out) < target:
        out.extend(float(x) for x in draw_af(rng, 64))
    total, keep = 0.0, []
    for af in out:
        if total >= target:
            break
        keep.append(af)
        total += af
    return keep


def find_repeats(seq: str) -> list[tuple[int, int, int]]:
    """Short repeats suitable for realistic indels: (0-based start, unit length, total length).

    Homopolymers of 6-12 bp and tandem repeats of 2-4 bp units with 8-24 bp in total.
    """
    out = []
    for m in re.finditer(r"A{6,}|C{6,}|G{6,}|T{6,}", seq):
        if m.end() - m.start() <= 12:
            out.append((m.start(), 1, m.end() - m.start()))
    for u in (2, 3, 4):
        for m in re.finditer(rf"([ACGT]{{{u}}})\1{{2,}}", seq):
            if len(set(m.group(1))) > 1 and 8 <= m.end() - m.start() <= 24:
                out.append((m.start(), u, m.end() - m.start()))
    return sorted(out)


def background_variants(contig: str, seq: str, occ: Occupancy) -> list[Variant]:
    """Population-pool sites of one contig (SNVs and indels), respecting ``occ``."""
    rng = rng_for("background", contig)
    length = len(seq)
    eff = length - 2 * EDGE
    out: list[Variant] = []
    repeats = [r for r in find_repeats(seq) if EDGE < r[0] < length - EDGE]
    weights = 1.0 / np.arange(1, MAX_INDEL_LENGTH + 1) ** 1.3
    weights /= weights.sum()
    for af in afs_summing_to(rng, eff / INDEL_SPACING_PER_HAPLOTYPE):
        for _ in range(100):
            insertion = bool(rng.random() < 0.5)
            if rng.random() < REPEAT_INDEL_FRACTION and repeats:
                start, unit, total = repeats[int(rng.integers(0, len(repeats)))]
                k = unit * (2 if unit > 1 and total >= 4 * unit and rng.random() < 0.2 else 1)
                if insertion:
                    v = insertion_variant(contig, seq, start - 1, seq[start : start + k], af)
                else:
                    v = deletion_variant(contig, seq, start, k, af)
            else:
                k = int(rng.choice(MAX_INDEL_LENGTH, p=weights)) + 1
                p = int(rng.integers(EDGE, length - EDGE))
                if insertion:
                    v = insertion_variant(contig, seq, p, random_dna(rng, k), af)
                else:
                    v = deletion_variant(contig, seq, p, k, af)
            slack = v.span[1] - v.span[0] + 1 - max(len(v.ref), len(v.alt))
            if slack <= MAX_INDEL_AMBIGUITY and EDGE <= v.span[0] and v.span[1] <= length - EDGE:
                if occ.free(v.span, GAP_INDEL):
                    occ.take(v.span, GAP_INDEL)
                    out.append(v)
                    break
    for af in afs_summing_to(rng, eff * SNV_PER_KB_PER_HAPLOTYPE / 1000):
        for _ in range(100):
            p = int(rng.integers(EDGE, length - EDGE)) + 1
            if occ.free((p, p), GAP_SNV):
                ref = seq[p - 1]
                if rng.random() < 2 / 3:
                    alt = _TRANSITION[ref]
                else:
                    alt = str(rng.choice([b for b in "ACGT" if b not in (ref, _TRANSITION[ref])]))
                occ.take((p, p), GAP_SNV)
                out.append(Variant(contig, p, ref, alt, af, (p, p)))
                break
    return out


@dataclass(frozen=True)
class PlantSpec:
    """A planted clinically interesting variant, described in transcript terms of a designed gene."""

    id: str
    gene: str
    kind: str  # codon_snv | codon_del | donor | acceptor | intron | utr5
    intended: str  # bcftools csq consequence term expected on the canonical transcript
    event: str  # de_novo | comp_het | homozygous | hemizygous | catalogue
    af: float | None  # population-pool AF (None: absent from the pool)
    site: str = ""  # forced-codon site name (codon_* kinds)
    offset: int = 0  # base offset into the site, or intronic offset (+1/+2 donor, -1/-2 acceptor)
    intron: int = 0  # intron number (transcript order) for donor / acceptor / intron kinds
    alt: str = ""  # alt base in transcript orientation (SNVs); "" = transition of the reference
    length: int = 1  # deletion length (codon_del)
    father: str | None = None  # T: on the haplotype transmitted to PROBAND1, N: not, both, hemi
    mother: str | None = None
    singleton: str | None = None  # het | hom | hemi
    de_novo: bool = False  # PROBAND1 only, on the paternal haplotype
    notes: str = ""


PLANTED = (
    PlantSpec("DENOVO_STOP", "SYNAD1", "codon_snv", "stop_gained", "de_novo", None, site="stop", alt="T",
              de_novo=True, notes="de novo in PROBAND1 (paternal haplotype); both parents 0|0; not last exon (NMD)"),
    PlantSpec("COMPHET_FS", "SYNAR1", "codon_del", "frameshift", "comp_het", 8e-5, site="fs", offset=1,
              father="T", notes="paternal allele of the SYNAR1 compound heterozygote in PROBAND1"),
    PlantSpec("COMPHET_MIS", "SYNAR1", "codon_snv", "missense", "comp_het", 4e-5, site="mis", offset=1,
              alt="A", mother="T", notes="maternal allele of the SYNAR1 compound heterozygote (in trans)"),
    PlantSpec("HOM_MIS_PM5", "SYNAR1", "codon_snv", "missense", "homozygous", 1.2e-4, site="pm5", offset=1,
              alt="A", singleton="hom"),
    PlantSpec("HEMI_DONOR", "SYNXL1", "donor", "splice_donor", "hemizygous", None, intron=2, offset=1,
              alt="A", singleton="hemi", notes="canonical +1 donor of intron 2; haploid GT in the male"),
    PlantSpec("ACCEPTOR", "SYNMIS1", "acceptor", "splice_acceptor", "catalogue", None, intron=3, offset=-2,
              alt="G", mother="N", notes="autosomal canonical -2 acceptor; LoF is not a mechanism of SYNMIS1"),
    PlantSpec("MIS_HIGH_REVEL", "SYNAD1", "codon_snv", "missense", "catalogue", None, site="mis_high",
              alt="A", singleton="het", notes="revel_intended=0.93 (Gly>Arg)"),
    PlantSpec("MIS_LOW_REVEL", "SYNMIS1", "codon_snv", "missense", "catalogue", 2.1e-3, site="mis_low",
              alt="A", father="T", notes="revel_intended=0.04 (Val>Ile)"),
    PlantSpec("SYNONYMOUS", "SYNAD1", "codon_snv", "synonymous", "catalogue", 8.7e-3, site="syn", offset=2,
              alt="A", father="T"),
    PlantSpec("INFRAME_DEL", "SYNMIS1", "codon_del", "inframe_deletion", "catalogue", None, site="inframe",
              offset=3, length=3, mother="T", notes="3 bp deletion of one codon in a non-repetitive context"),
    PlantSpec("DEEP_INTRON", "SYNAD1", "intron", "intron", "catalogue", 0.034, intron=1, father="N",
              singleton="het", notes="middle of intron 1, far from splice sites"),
    PlantSpec("COMMON_MIS", "SYNMIS1", "codon_snv", "missense", "catalogue", 0.32, site="common", alt="A",
              father="T", mother="both", singleton="het", notes="common in the pool (AF > 5 %): BA1"),
    PlantSpec("RARE_ABSENT_UTR", "SYNXL1", "utr5", "5_prime_utr", "catalogue", None, father="hemi",
              notes="private variant absent from the population pool; paternal X, so PROBAND1 is het"),
    PlantSpec("CLINVAR_P_MIS", "SYNMIS1", "codon_snv", "missense", "catalogue", 1.6e-5, site="clinvar", alt="T",
              singleton="het", notes="clinvar=Pathogenic (designated ClinVar pathogenic missense, carried)"),
)  # fmt: skip

# Designated ClinVar records that no sample carries: the pathogenic change at the residue of HOM_MIS_PM5.
CLINVAR_ONLY = (
    PlantSpec("CLINVAR_PM5_PARTNER", "SYNAR1", "codon_snv", "missense", "clinvar_only", None, site="pm5",
              alt="T", notes="clinvar=Pathogenic; same residue as HOM_MIS_PM5, different amino acid"),
)  # fmt: skip


# ------------------------------------------------------------------------------------------------
# Structural variants (truth/sv_truth.vcf.gz)
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SVSpec:
    """A planted structural variant. ``where`` places it from the built genes: ("introns", gene, i, j) = from
    the middle of intron i to the middle of intron j (transcript order); ("gene", gene, pad_left, pad_right)
    = the whole gene plus padding; ("intron_to_after", gene, i, pad) = middle of intron i to pad bp past
    the gene's end; ("at", contig, start, end) = fixed 1-based inclusive bases."""

    id: str
    svtype: str  # DEL, DUP (tandem), INV
    where: tuple[str, str, int, int]
    gts: tuple[str, str, str, str]  # FATHER1, MOTHER1, PROBAND1 (paternal|maternal), SINGLETON1
    event: str
    notes: str


SV_EVENTS = (
    SVSpec("SV_DEL_HI_DENOVO", "DEL", ("introns", "SYNHI1", 1, 3), ("0|0", "0|0", "1|0", "0|0"), "de_novo",
           "heterozygous deletion of exons 2-3 of 5 of the haploinsufficient SYNHI1, de novo in PROBAND1"),
    SVSpec("SV_DEL_BG", "DEL", ("at", SV_CONTIG, 11_501, 12_700), ("0|1", "0|0", "1|0", "1|0"), "inherited",
           "intergenic background deletion, paternal in PROBAND1, also in SINGLETON1"),
    SVSpec("SV_DEL_REC_HOM", "DEL", ("introns", "SYNREC1", 1, 2), ("1|0", "0|1", "1|1", "0|0"), "homozygous",
           "deletion of exon 2 of 4 of the recessive SYNREC1: homozygous in PROBAND1, parents carriers"),
    SVSpec("SV_DUP_TS_GENE", "DUP", ("gene", "SYNTS1", 500, 500), ("0|0", "1|0", "0|1", "0|0"), "inherited",
           "tandem duplication of the whole triplosensitive SYNTS1 (+-500 bp), maternal in PROBAND1"),
    SVSpec("SV_INV_GENE", "INV", ("intron_to_after", "SYNINV1", 2, 1_500), ("0|1", "0|0", "1|0", "0|0"),
           "inherited", "inversion from intron 2 of SYNINV1 to 1.5 kb past its end (breaks the gene), paternal"),
    SVSpec("SV_DUP_BG", "DUP", ("at", SV_CONTIG, 39_001, 41_000), ("0|0", "0|1", "0|0", "0|1"), "background",
           "intergenic background duplication in MOTHER1 (not transmitted) and SINGLETON1"),
    SVSpec("SV_DEL_X_HEMI", "DEL", ("at", X_CONTIG, 50_001, 52_000), ("0", "0|0", "0|0", "1"), "hemizygous",
           "intergenic chrX deletion in the male SINGLETON1 (haploid); no small variant of his inside"),
)  # fmt: skip


@dataclass
class SVEvent:
    spec: SVSpec
    contig: str
    start: int  # first affected base, 1-based
    end: int  # last affected base
    gene: str  # the gene it touches ("" if intergenic)


def _intron(t: TranscriptModel, k: int) -> tuple[int, int]:
    """1-based inclusive genomic bases of intron ``k`` (transcript order) of ``t``."""
    a, b = sorted((t.exons[k - 1], t.exons[k]))
    return a[1] + 1, b[0] - 1


def resolve_sv(spec: SVSpec, genes: dict[str, BuiltGene]) -> SVEvent:
    kind, name, i, j = spec.where
    if kind == "at":
        return SVEvent(spec, name, i, j, "")
    g = genes[name]
    t = g.mane
    if kind == "gene":
        return SVEvent(spec, g.spec.contig, g.start - i, g.end + j, name)
    mids = []
    for k in ((i, j) if kind == "introns" else (i,)):
        lo, hi = _intron(t, k)
        mids.append((lo + hi) // 2)
    if kind == "introns":
        return SVEvent(spec, g.spec.contig, min(mids), max(mids), name)
    assert kind == "intron_to_after" and g.spec.strand == "+", spec.id
    return SVEvent(spec, g.spec.contig, mids[0], g.end + j, name)


def sv_alleles(gt: str) -> list[int]:
    return [int(a) for a in gt.split("|")]


def sv_vcf_text(events: list[SVEvent], genome: dict[str, str]) -> str:
    lines = [
        "##fileformat=VCFv4.2",
        "##source=wgs-east scripts/make_test_data.py design (synthetic structural-variant truth, not real)",
        "##reference=genome.fa",
    ]
    lines += [f"##contig=<ID={c},length={len(genome[c])}>" for c in CONTIGS]
    lines += [
        "##ALT=<ID=DEL,Description=\"Deletion\">",
        "##ALT=<ID=DUP,Description=\"Tandem duplication\">",
        "##ALT=<ID=INV,Description=\"Inversion\">",
        '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of the structural variant">',
        '##INFO=<ID=END,Number=1,Type=Integer,Description="Last base affected">',
        '##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="Length (negative for deletions)">',
        '##INFO=<ID=PLANTED,Number=1,Type=String,Description="Id of the planted event">',
        '##INFO=<ID=GENE,Number=1,Type=String,Description="Designed gene the event touches">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Phased genotype; PROBAND1 is paternal|maternal; '
        'males are haploid on chrX and chrY">',
    ]
    lines += [f"##SAMPLE=<ID={s},Sex={SEX[s]},Family={FAMILY[s]}>" for s in SAMPLES]
    lines.append("##PEDIGREE=<Child=PROBAND1,Mother=MOTHER1,Father=FATHER1>")
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *SAMPLES]))
    for e in sorted(events, key=lambda e: (CONTIGS.index(e.contig), e.start)):
        s = e.spec
        length = e.end - e.start + 1
        info = f"SVTYPE={s.svtype};END={e.end};SVLEN={-length if s.svtype == 'DEL' else length};PLANTED={s.id}"
        info += f";GENE={e.gene}" if e.gene else ""
        lines.append("\t".join([e.contig, str(e.start - 1), s.id, genome[e.contig][e.start - 2], f"<{s.svtype}>",
                                ".", "PASS", info, "GT", *s.gts]))  # fmt: skip
    return "\n".join(lines) + "\n"


def check_sv_events(events: list[SVEvent], truth: list[Variant], genome: dict[str, str]) -> None:
    """Per sample and haplotype no two events overlap; every genotype fits the sample's ploidy and PROBAND1's
    parents (except the de novo); no small-variant allele of a carrier lies inside (or within 300 bp of) its
    event."""
    for e in events:
        assert 3_000 < e.start < e.end < len(genome[e.contig]) - 3_000, e.spec.id
        gts = dict(zip(SAMPLES, e.spec.gts, strict=True))
        for s in SAMPLES:
            assert len(sv_alleles(gts[s])) == ploidy(s, e.contig), (e.spec.id, s)
        pat, mat = sv_alleles(gts["PROBAND1"])
        if e.spec.event != "de_novo":
            assert pat in sv_alleles(gts["FATHER1"]) and mat in sv_alleles(gts["MOTHER1"]), e.spec.id
        for s in SAMPLES:
            carried = [h for h, a in enumerate(sv_alleles(gts[s])) if a]
            for o in events:
                if o is e or o.contig != e.contig or not (o.start <= e.end and e.start <= o.end):
                    continue
                other = sv_alleles(dict(zip(SAMPLES, o.spec.gts, strict=True))[s])
                assert not any(other[h] for h in carried), f"{e.spec.id} overlaps {o.spec.id} in {s}"
            for v in truth:
                if v.contig == e.contig and e.start - GAP_PLANTED <= v.pos <= e.end + GAP_PLANTED:
                    assert not any(v.alleles[s][h] for h in carried), f"{e.spec.id}: {s} carries {v.pos}"


@dataclass
class Concrete:
    """A planted variant resolved to genomic coordinates, with HGVS descriptions."""

    spec: PlantSpec
    variant: Variant
    transcript: Transcript
    hgvs_c: str
    hgvs_p: str
    residue: int | None = None


def resolve_plant(spec: PlantSpec, genes: dict[str, BuiltGene], genome: dict[str, str]) -> Concrete:
    """Turn a transcript-level planted design into a normalised VCF variant and its HGVS (c./p. from
    ``wgs_east.annotate.hgvs.describe``, the annotation stage's implementation)."""
    g = genes[spec.gene]
    t = g.mane
    seq = genome[g.spec.contig]
    contig = g.spec.contig
    pos_of = t.mrna_positions()
    minus = t.strand == "-"

    def snv(gpos: int, alt_tx: str) -> Variant:
        ref_g = seq[gpos - 1]
        ref_tx = ref_g.translate(_COMPLEMENT) if minus else ref_g
        alt_tx = alt_tx or _TRANSITION[ref_tx]
        assert alt_tx != ref_tx, spec.id
        alt_g = alt_tx.translate(_COMPLEMENT) if minus else alt_tx
        return Variant(contig, gpos, ref_g, alt_g, spec.af, (gpos, gpos), planted=spec.id)

    def concrete(v: Variant, residue: int | None = None) -> Concrete:
        h = describe(t, seq, v.pos, v.ref, v.alt)
        if residue is not None:
            assert h.aa_pos == residue, f"{spec.id}: residue {h.aa_pos} != {residue}"
        return Concrete(spec, v, t, h.c, h.p or ".", residue)

    if spec.kind == "codon_snv":
        off = g.sites[spec.site] + spec.offset
        return concrete(snv(pos_of[t.cds_start + off], spec.alt), off // 3 + 1)
    if spec.kind == "codon_del":
        off = g.sites[spec.site] + spec.offset
        gps = sorted(pos_of[t.cds_start + off + i] for i in range(spec.length))
        assert gps[-1] - gps[0] == spec.length - 1, "deletion crosses an intron"
        v = deletion_variant(contig, seq, gps[0] - 1, spec.length, spec.af)
        v.planted = spec.id
        assert v.pos == gps[0] - 1 and v.span == (gps[0] - 1, gps[-1]), f"{spec.id}: deletion can slide"
        residue = off // 3 + 1
        if spec.length % 3 == 0 and off % 3 == 0:
            protein = translate(t.mrna(seq)[t.cds_start : t.cds_end])
            n_aa = spec.length // 3
            assert protein[residue - 2] != protein[residue - 1] != protein[residue + n_aa - 1], spec.id
        c = concrete(v)
        c.residue = residue
        return c
    k = spec.intron
    (s1, e1), (s2, e2) = t.exons[k - 1], t.exons[k]
    if spec.kind == "donor":
        return concrete(snv(e1 + spec.offset if not minus else s1 - spec.offset, spec.alt))
    if spec.kind == "acceptor":
        return concrete(snv(s2 + spec.offset if not minus else e2 - spec.offset, spec.alt))
    if spec.kind == "intron":
        lo, hi = (e1, s2) if not minus else (e2, s1)
        return concrete(snv((lo + hi) // 2, spec.alt))
    if spec.kind == "utr5":
        return concrete(snv(pos_of[t.cds_start // 2], spec.alt))
    raise ValueError(spec.kind)


@dataclass
class Inheritance:
    """Which parental haplotype PROBAND1 received: ``first`` before ``crossover``, the other after."""

    first: int
    crossover: int | None

    def hap_at(self, pos: int) -> int:
        return self.first if self.crossover is None or pos < self.crossover else 1 - self.first


def draw_inheritance(genome: dict[str, str]) -> dict[str, dict[str, Inheritance]]:
    """One crossover per contig and parent (the father's single X is passed on whole; no Y to a girl)."""
    rng = rng_for("inheritance")
    out: dict[str, dict[str, Inheritance]] = {}
    for contig in SMALL_CONTIGS:
        length = len(genome[contig])
        out[contig] = {}
        for parent in ("FATHER1", "MOTHER1"):
            first = int(rng.integers(0, 2))
            cross = int(rng.integers(length // 10, 9 * length // 10))
            if ploidy(parent, contig) == 2:
                out[contig][parent] = Inheritance(first, cross)
            elif ploidy(parent, contig) == 1:
                out[contig][parent] = Inheritance(0, None)
    return out


def assign_planted_alleles(c: Concrete, inh: dict[str, dict[str, Inheritance]]) -> None:
    """Founder alleles of a planted variant as the design asks (transmitted haplotype, hom, hemi ...)."""
    v, s = c.variant, c.spec
    for sample in FOUNDERS:
        v.alleles[sample] = [0] * ploidy(sample, v.contig)
    for parent, how in (("FATHER1", s.father), ("MOTHER1", s.mother)):
        if how is None:
            continue
        alleles = v.alleles[parent]
        if how == "hemi":
            assert len(alleles) == 1, s.id
            alleles[0] = 1
        elif how == "both":
            alleles[:] = [1, 1]
        else:
            h = inh[v.contig][parent].hap_at(v.pos)
            alleles[h if how == "T" else 1 - h] = 1
    if s.singleton:
        n = len(v.alleles["SINGLETON1"])
        assert (s.singleton == "hemi") == (n == 1), s.id
        v.alleles["SINGLETON1"] = [1] * n if s.singleton in ("hom", "hemi") else [1, 0]


def proband_alleles(v: Variant, inh: dict[str, dict[str, Inheritance]]) -> list[int]:
    """PROBAND1 (female) = paternal | maternal allele, following the inheritance map."""
    if v.contig == Y_CONTIG:
        return []
    pat = v.alleles["FATHER1"][inh[v.contig]["FATHER1"].hap_at(v.pos)]
    mat = v.alleles["MOTHER1"][inh[v.contig]["MOTHER1"].hap_at(v.pos)]
    return [pat, mat]


def gt_string(alleles: list[int]) -> str:
    return "|".join(str(a) for a in alleles) if alleles else "."


# ------------------------------------------------------------------------------------------------
# Confident regions
# ------------------------------------------------------------------------------------------------
def confident_regions(genome: dict[str, str]) -> dict[str, list[tuple[int, int]]]:
    """Per contig, BED intervals: contig minus 1 kb ends minus non-unique 100-mers (both strands) +/- 50 bp."""
    k = CONFIDENT_K
    counts: Counter[str] = Counter()
    canon: dict[str, list[str]] = {}
    for name, seq in genome.items():
        rc = revcomp(seq)
        n = len(seq)
        kmers = [min(seq[i : i + k], rc[n - i - k : n - i]) for i in range(n - k + 1)]
        canon[name] = kmers
        counts.update(kmers)
    out: dict[str, list[tuple[int, int]]] = {}
    for name, seq in genome.items():
        n = len(seq)
        starts = np.array([i for i, km in enumerate(canon[name]) if counts[km] > 1], dtype=np.int64)
        delta = np.zeros(n + 1, dtype=np.int64)
        np.add.at(delta, starts, 1)
        np.add.at(delta, starts + k, -1)
        repeated = np.cumsum(delta[:n]) > 0
        padded = np.zeros(n, dtype=bool)
        for s, e in runs(repeated):
            padded[max(s - CONFIDENT_PAD, 0) : min(e + CONFIDENT_PAD, n)] = True
        keep = ~padded
        keep[:CONFIDENT_END] = False
        keep[n - CONFIDENT_END :] = False
        out[name] = runs(keep)
    return out


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open 0-based intervals where ``mask`` is True."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    d = np.diff(padded)
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


# ------------------------------------------------------------------------------------------------
# design subcommand
# ------------------------------------------------------------------------------------------------
def vcf_header(genome: dict[str, str]) -> list[str]:
    lines = [
        "##fileformat=VCFv4.2",
        "##source=wgs-east scripts/make_test_data.py design (synthetic truth set, not real genotypes)",
        "##reference=genome.fa",
    ]
    lines += [f"##contig=<ID={c},length={len(genome[c])}>" for c in CONTIGS]
    lines += [
        '##INFO=<ID=PLANTED,Number=1,Type=String,Description="Id of the planted event (truth/planted.tsv)">',
        '##INFO=<ID=POOL_AF,Number=A,Type=Float,Description="Allele frequency in the population pool '
        '(truth/population_pool.tsv); absent = not in the pool">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Phased genotype; PROBAND1 is paternal|maternal; '
        'males are haploid on chrX and chrY; females are . on chrY">',
    ]
    for s in SAMPLES:
        lines.append(f"##SAMPLE=<ID={s},Sex={SEX[s]},Family={FAMILY[s]}>")
    lines.append("##PEDIGREE=<Child=PROBAND1,Mother=MOTHER1,Father=FATHER1>")
    lines.append(
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *SAMPLES])
    )
    return lines


def vcf_record(v: Variant) -> str:
    info = []
    if v.planted:
        info.append(f"PLANTED={v.planted}")
    if v.af is not None:
        info.append(f"POOL_AF={v.af:g}")
    gts = [gt_string(v.alleles[s]) for s in SAMPLES]
    return "\t".join([v.contig, str(v.pos), v.planted or ".", v.ref, v.alt, ".", "PASS",
                      ";".join(info) or ".", "GT", *gts])  # fmt: skip


def run(cmd: list[str]) -> str:
    """Run a tool, return stdout; a failure stops ``design`` with the tool's message."""
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"design: {' '.join(cmd)} failed:\n{res.stderr}")
    return res.stdout


def check_normalised(vcf_gz: Path, fasta: Path) -> None:
    """``bcftools norm -f`` must leave every record unchanged (left-aligned, biallelic, REF matches)."""
    ours = [ln for ln in gzip.open(vcf_gz, "rt") if not ln.startswith("#")]
    normed = run(["bcftools", "norm", "--no-version", "--check-ref", "e", "-f", str(fasta), str(vcf_gz)])
    theirs = [ln + "\n" for ln in normed.splitlines() if not ln.startswith("#")]
    assert ours == theirs, "bcftools norm changes the truth VCF"


def check_consequences(
    plants: list[Concrete], genome: dict[str, str], fasta: Path, gff: Path
) -> dict[str, str]:
    """Run ``bcftools csq -l`` on the planted variants; assert each gets its intended consequence."""
    with tempfile.TemporaryDirectory() as tmp:
        vcf = Path(tmp) / "planted.vcf"
        recs = sorted(plants, key=lambda c: (CONTIGS.index(c.variant.contig), c.variant.pos))
        lines = [ln for ln in vcf_header(genome) if not ln.startswith(("##SAMPLE", "##PEDIGREE", "##FORMAT"))]
        lines[-1] = "\t".join(lines[-1].split("\t")[:8])
        for c in recs:
            v = c.variant
            lines.append("\t".join([v.contig, str(v.pos), c.spec.id, v.ref, v.alt, ".", "PASS", "."]))
        vcf.write_text("\n".join(lines) + "\n")
        out = run(["bcftools", "csq", "--no-version", "-l", "-f", str(fasta), "-g", str(gff), str(vcf)])
    found: dict[str, str] = {}
    for ln in out.splitlines():
        if ln.startswith("#"):
            continue
        f = ln.split("\t")
        bcsq = next(x for x in f[7].split(";") if x.startswith("BCSQ="))[5:]
        found[f[2]] = bcsq
    for c in plants:
        bcsq = found.get(c.spec.id, "")
        t = c.transcript
        entries = [e.split("|") for e in bcsq.split(",")]
        mine = [
            e
            for e in entries
            if len(e) > 2 and (e[2] == t.spec.transcript_id or (e[2] == "" and e[1] == t.gene.symbol))
        ]
        assert mine, f"{c.spec.id}: bcftools csq gave no consequence on {t.spec.transcript_id}: {bcsq}"
        terms = mine[0][0].split("&")
        assert c.spec.intended in terms, f"{c.spec.id}: intended {c.spec.intended}, bcftools csq says {bcsq}"
        if c.spec.kind == "codon_snv" and c.residue is not None:
            assert re.match(rf"{c.residue}[A-Z*]", mine[0][5]), f"{c.spec.id}: residue mismatch {bcsq}"
    return found


def write_tsv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with open(path, "w") as fh:
        fh.write("\t".join(header) + "\n")
        for r in rows:
            fh.write("\t".join(str(x) for x in r) + "\n")


def cmd_design(args: argparse.Namespace) -> int:
    t0 = time.time()
    if shutil.which("bcftools") is None:
        raise SystemExit("design: bcftools (used to check the design) is not on PATH")
    out = Path(args.outdir)
    ref_dir, truth_dir, genes_dir = out / "reference", out / "truth", out / "genes"
    for d in (ref_dir, truth_dir, genes_dir):
        d.mkdir(parents=True, exist_ok=True)

    # 1. reference + genes
    genome, built = build_reference(read_slice(Path(args.slice)))
    fasta = ref_dir / "genome.fa"
    write_fasta(fasta, {c: ("" if c == REAL_CONTIG else SYNTHETIC_DESCRIPTION, genome[c]) for c in CONTIGS})
    pysam.faidx(str(fasta))
    genes = {g.spec.symbol: g for g in built}
    gff = genes_dir / "genes.gff3"
    gff.write_text(gff3_text(built, genome))

    # 2. inheritance, planted events, background pool
    inh = draw_inheritance(genome)
    plants = [resolve_plant(p, genes, genome) for p in PLANTED]
    clinvar_only = [resolve_plant(p, genes, genome) for p in CLINVAR_ONLY]
    occ = {c: Occupancy(len(genome[c])) for c in CONTIGS}
    for g in built:  # no background variant in coding exons (+/- 10 bp) of the designed genes
        for t in g.transcripts:
            for i in range(t.cds_start, t.cds_end):
                p = t.mrna_positions()[i]
                occ[g.spec.contig].raw[max(p - 10, 0) : p + 11] = True
    for c in plants:
        c.variant.planted = c.spec.id
        occ[c.variant.contig].take(c.variant.span, GAP_PLANTED)
        assign_planted_alleles(c, inh)
    variants: list[Variant] = [c.variant for c in plants]
    frng = rng_for("founders")
    for contig in SMALL_CONTIGS:
        for v in background_variants(contig, genome[contig], occ[contig]):
            for s in FOUNDERS:
                n = ploidy(s, contig)
                v.alleles[s] = [int(x) for x in frng.random(n) < v.af] if n else []
            variants.append(v)
    for v in variants:
        v.alleles["PROBAND1"] = proband_alleles(v, inh)
    for c in plants:
        if c.spec.de_novo:
            c.variant.alleles["PROBAND1"][0] = 1
    variants.sort(key=lambda v: (CONTIGS.index(v.contig), v.pos))
    truth = [v for v in variants if any(1 in v.alleles[s] for s in SAMPLES)]

    # 3. consistency checks: Mendel, spacing of planted events
    for v in truth:
        if v.contig == Y_CONTIG or v.planted == "DENOVO_STOP":
            continue
        pat, mat = v.alleles["PROBAND1"]
        assert pat in v.alleles["FATHER1"] and mat in v.alleles["MOTHER1"], (
            f"Mendel error at {v.contig}:{v.pos}"
        )
    for c in plants:
        pv = c.variant
        for v in truth:
            if v is not pv and v.contig == pv.contig:
                gap = max(v.span[0] - pv.span[1], pv.span[0] - v.span[1])
                assert gap >= GAP_PLANTED, f"{c.spec.id} is {gap} bp from {v.contig}:{v.pos}"

    # 4. truth VCF, checked by bcftools norm; consequences checked by bcftools csq
    plain = truth_dir / "truth.vcf"
    plain.write_text("\n".join(vcf_header(genome) + [vcf_record(v) for v in truth]) + "\n")
    vcf_gz = Path(pysam.tabix_index(str(plain), preset="vcf", force=True))
    check_normalised(vcf_gz, fasta)
    bcsq = check_consequences(plants + clinvar_only, genome, fasta, gff)

    # 4b. structural variants: their own truth VCF (the small-variant truth is unchanged)
    sv_events = [resolve_sv(spec, genes) for spec in SV_EVENTS]
    check_sv_events(sv_events, truth, genome)
    sv_plain = truth_dir / "sv_truth.vcf"
    sv_plain.write_text(sv_vcf_text(sv_events, genome))
    pysam.tabix_index(str(sv_plain), preset="vcf", force=True)

    # 5. population pool, planted table, confident regions, design JSON
    pool = [v for v in variants if v.af is not None]
    write_tsv(truth_dir / "population_pool.tsv", ["chrom", "pos", "ref", "alt", "af", "planted"],
              [[v.contig, v.pos, v.ref, v.alt, f"{v.af:g}", v.planted or "."] for v in pool])  # fmt: skip
    partner = clinvar_only[0]
    pv = partner.variant
    rows = []
    for c in plants:
        v, s = c.variant, c.spec
        notes = s.notes
        if s.id == "HOM_MIS_PM5":
            notes = (f"clinvar_pathogenic_same_residue={pv.contig}:{pv.pos}:{pv.ref}>{pv.alt} "
                     f"({partner.hgvs_c} {partner.hgvs_p}; not carried by any sample); PM5")  # fmt: skip
        rows.append([s.id, v.contig, v.pos, v.ref, v.alt, s.gene, c.transcript.spec.transcript_id, s.intended,
                     c.hgvs_c, c.hgvs_p, *(gt_string(v.alleles[x]) for x in SAMPLES), s.event,
                     "absent" if s.af is None else f"{s.af:g}", notes])  # fmt: skip
    write_tsv(truth_dir / "planted.tsv",
              ["id", "chrom", "pos", "ref", "alt", "gene", "transcript", "intended_consequence", "hgvs_c",
               "hgvs_p", *SAMPLES, "event", "pool_af", "notes"], rows)  # fmt: skip
    regions = confident_regions(genome)
    for e in sv_events:  # small-variant truth is undefined in a carrier's event and unreliable at breakpoints
        lo, hi = e.start - 1 - SV_CONFIDENT_PAD, e.end + SV_CONFIDENT_PAD  # 0-based half-open
        regions[e.contig] = [iv for s, t in regions[e.contig]
                             for iv in ((s, min(t, lo)), (max(s, hi), t)) if iv[0] < iv[1]]  # fmt: skip
    with open(truth_dir / "confident.bed", "w") as fh:
        for contig in CONTIGS:
            for s, e in regions[contig]:
                fh.write(f"{contig}\t{s}\t{e}\n")
    for c in plants:
        v = c.variant
        assert any(s < v.pos <= e for s, e in regions[v.contig]), f"{c.spec.id} outside confident regions"
    design = {
        "generator": "scripts/make_test_data.py design",
        "design_seed": DESIGN_SEED,
        "reads_seed": READS_SEED,
        "contigs": {c: len(genome[c]) for c in CONTIGS},
        "samples": {s: {"sex": SEX[s], "family": FAMILY[s], "units": list(UNITS[s])} for s in SAMPLES},
        "pedigree": {"PROBAND1": {"father": "FATHER1", "mother": "MOTHER1"}},
        "proband_haplotypes": "PROBAND1 GT is paternal|maternal; each parent passes one haplotype per contig "
        "with at most one crossover: haplotype `first` before `crossover` (1-based), the other from it on",
        "inheritance": {
            c: {p: {"first": i.first, "crossover": i.crossover} for p, i in inh[c].items()} for c in SMALL_CONTIGS
        },
        "genes": [
            {
                "symbol": g.spec.symbol, "gene_id": g.spec.gene_id, "contig": g.spec.contig,
                "strand": g.spec.strand, "start": g.start, "end": g.end,
                "inheritance": g.spec.inheritance, "mechanism": g.spec.mechanism,
                "transcripts": [
                    {"transcript_id": t.spec.transcript_id, "name": t.spec.name, "protein_id": t.spec.protein_id,
                     "tags": t.spec.tags, "exons": t.exons, "cds_length": t.cds_end - t.cds_start,
                     "protein": translate(t.mrna(genome[g.spec.contig])[t.cds_start : t.cds_end])}
                    for t in g.transcripts
                ],
            }
            for g in built
        ],
        "planted": [
            {"id": c.spec.id, "chrom": c.variant.contig, "pos": c.variant.pos, "ref": c.variant.ref,
             "alt": c.variant.alt, "gene": c.spec.gene, "hgvs_c": c.hgvs_c, "hgvs_p": c.hgvs_p,
             "intended_consequence": c.spec.intended, "bcsq": bcsq[c.spec.id]}
            for c in plants
        ],
        "clinvar_designations": [
            {"id": c.spec.id, "chrom": c.variant.contig, "pos": c.variant.pos, "ref": c.variant.ref,
             "alt": c.variant.alt, "gene": c.spec.gene, "hgvs_c": c.hgvs_c, "hgvs_p": c.hgvs_p,
             "significance": "Pathogenic", "carried": c.spec.id != "CLINVAR_PM5_PARTNER"}
            for c in [*clinvar_only, *(p for p in plants if p.spec.id == "CLINVAR_P_MIS")]
        ],
        "intended_revel": {"MIS_HIGH_REVEL": 0.93, "MIS_LOW_REVEL": 0.04},
        "sv_events": [
            {"id": e.spec.id, "svtype": e.spec.svtype, "chrom": e.contig, "start": e.start, "end": e.end,
             "gene": e.gene, "event": e.spec.event, "genotypes": dict(zip(SAMPLES, e.spec.gts, strict=True)),
             "notes": e.spec.notes}
            for e in sv_events
        ],
    }  # fmt: skip
    (truth_dir / "haplotype_design.json").write_text(json.dumps(design, indent=1) + "\n")

    # 6. summary
    print(f"design: wrote {out} in {time.time() - t0:.1f} s")
    for contig in CONTIGS:
        recs = [v for v in truth if v.contig == contig]
        kept = sum(e - s for s, e in regions[contig])
        print(f"  {contig}: length {len(genome[contig])}, truth SNVs {sum(v.is_snv for v in recs)}, "
              f"indels {sum(not v.is_snv for v in recs)}, pool sites {sum(v.contig == contig for v in pool)}, "
              f"confident {kept} bp ({100 * kept / len(genome[contig]):.1f} %)")  # fmt: skip
    for s in SAMPLES:
        carried = [v for v in truth if 1 in v.alleles[s]]
        print(f"  {s}: {sum(v.is_snv for v in carried)} SNVs, {sum(not v.is_snv for v in carried)} indels")
    return 0


# ------------------------------------------------------------------------------------------------
# reads subcommand
# ------------------------------------------------------------------------------------------------
def _sv_replacement(seq: str, rec: pysam.VariantRecord) -> tuple[int, int, str]:
    """0-based half-open reference span of a symbolic SV record and the sequence a carrier has there."""
    a, b = rec.pos, rec.stop  # POS is the base before the event, END its last base
    kind = rec.info["SVTYPE"]
    body = seq[a:b]
    return a, b, {"DEL": "", "DUP": body + body, "INV": revcomp(body)}[kind]


def load_haplotypes(
    fasta: Path, truth: Path, sv_truth: Path | None = None
) -> tuple[dict[str, str], dict[str, list[tuple[str, np.ndarray]]]]:
    """Sex per sample (from ``##SAMPLE`` header lines) and each sample's haplotype sequences.

    Haplotypes are built only from the reference, the phased truth genotypes and the phased SV truth
    (deletions, tandem duplications, inversions): for every contig one sequence per GT allele slot (2 on
    autosomes, 1 on a male X or Y, none on a female Y).
    """
    ref = pysam.FastaFile(str(fasta))
    vcf = pysam.VariantFile(str(truth))
    sv_vcf = pysam.VariantFile(str(sv_truth)) if sv_truth else None
    sexes: dict[str, str] = {}
    for rec in vcf.header.records:
        if rec.key == "SAMPLE":
            sexes[rec["ID"]] = rec["Sex"]
    samples = list(vcf.header.samples)
    assert set(samples) == set(sexes), "every truth sample needs a ##SAMPLE line with its Sex"
    codes = np.full(256, 255, dtype=np.uint8)
    codes[np.frombuffer(b"ACGT", dtype=np.uint8)] = np.arange(4, dtype=np.uint8)
    haps: dict[str, list[tuple[str, np.ndarray]]] = {s: [] for s in samples}
    for contig in ref.references:
        seq = ref.fetch(contig).upper()
        recs = [(r, r.pos - 1, r.pos - 1 + len(r.ref), None) for r in vcf.fetch(contig)]
        if sv_vcf is not None and contig in sv_vcf.header.contigs:
            recs += [(r, *_sv_replacement(seq, r)) for r in sv_vcf.fetch(contig)]
        recs.sort(key=lambda x: x[1])
        for s in samples:
            male = sexes[s] == "male"
            n_hap = (
                2 if contig not in (X_CONTIG, Y_CONTIG) else (1 if male else (2 if contig == X_CONTIG else 0))
            )
            pieces: list[list[str]] = [[] for _ in range(n_hap)]
            prev = [0] * n_hap
            for rec, start, stop, replacement in recs:
                gt = rec.samples[s]["GT"]
                if n_hap == 0:
                    assert gt in ((None,), None), f"{s} has a genotype on {contig}"
                    continue
                assert len(gt) == n_hap, f"{s} {contig}:{rec.pos} GT {gt} has ploidy != {n_hap}"
                assert n_hap == 1 or rec.samples[s].phased, f"{s} {contig}:{rec.pos} is not phased"
                for h, allele in enumerate(gt):
                    if allele:
                        assert start >= prev[h], f"overlapping alleles in {s} at {contig}:{rec.pos}"
                        alt = rec.alts[allele - 1] if replacement is None else replacement
                        pieces[h] += [seq[prev[h] : start], alt]
                        prev[h] = stop
            for h in range(n_hap):
                hap = "".join(pieces[h]) + seq[prev[h] :]
                arr = codes[np.frombuffer(hap.encode("ascii"), dtype=np.uint8)]
                assert (arr < 4).all(), "reference must be A/C/G/T only"
                haps[s].append((contig, arr))
    return sexes, haps


def quality_model() -> tuple[np.ndarray, np.ndarray]:
    """Per-cycle cumulative probabilities of the quality bins, and the error probability of each bin.

    Bin probabilities move from ``QUAL_BIN_PROBS_START`` to ``QUAL_BIN_PROBS_END`` quadratically along the
    read, so the expected error rate rises from ~0.1 % to ~1.2 %; an error happens with exactly the
    probability its quality states.
    """
    x = (np.arange(READ_LEN) / (READ_LEN - 1)) ** 2
    probs = (1 - x)[:, None] * np.array(QUAL_BIN_PROBS_START) + x[:, None] * np.array(QUAL_BIN_PROBS_END)
    return np.cumsum(probs, axis=1), 10 ** (-np.array(QUAL_BINS) / 10)


def apply_errors(rng: np.random.Generator, reads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draw binned qualities and substitution errors consistent with them; return ASCII seq and qual."""
    cum, perr = quality_model()
    u = rng.random(reads.shape)
    bins = (u[:, :, None] >= cum[None, :, :-1]).sum(axis=2)
    err = rng.random(reads.shape) < perr[bins]
    shift = rng.integers(1, 4, size=reads.shape, dtype=np.uint8)
    called = np.where(err, (reads + shift) % 4, reads)
    qual_chars = np.array([q + 33 for q in QUAL_BINS], dtype=np.uint8)
    return _BASES[called], qual_chars[bins]


def simulate_unit(haps: list[tuple[str, np.ndarray]], depth: float, seed: int) -> tuple[np.ndarray, ...]:
    """Simulate the read pairs of one unit; returns (R1 seq, R1 qual, R2 seq, R2 qual) as uint8 arrays.

    Per haplotype, ``depth * length / 300`` fragments: length ~ Normal(350, 70) clipped to >= 120, start
    uniform, random strand; R1 reads the fragment from one end, R2 from the other (reverse complement);
    fragments shorter than 150 bp read into the Illumina adapters. 2.5 % of pairs are PCR duplicates
    (same fragment, independent errors). Pairs are shuffled across haplotypes and contigs.
    """
    rng = np.random.default_rng(seed)
    cols = np.arange(READ_LEN)
    ad1 = np.frombuffer((ADAPTER_R1 + "A" * READ_LEN).encode(), dtype=np.uint8)
    ad2 = np.frombuffer((ADAPTER_R2 + "A" * READ_LEN).encode(), dtype=np.uint8)
    code = np.full(256, 0, dtype=np.uint8)
    code[np.frombuffer(b"ACGT", dtype=np.uint8)] = np.arange(4, dtype=np.uint8)
    ad1, ad2 = code[ad1], code[ad2]
    r1s, r2s = [], []
    for _contig, hap in haps:
        length = len(hap)
        n = int(round(depth * length / (2 * READ_LEN)))
        frag = np.clip(np.rint(rng.normal(FRAGMENT_MEAN, FRAGMENT_SD, n)), FRAGMENT_MIN, length).astype(
            np.int64
        )
        start = rng.integers(0, length - frag + 1)
        reverse = rng.random(n) < 0.5
        n_dup = int(rng.binomial(n, DUPLICATE_FRACTION))
        dup = rng.choice(n, size=n_dup, replace=False)
        originals = np.setdiff1d(np.arange(n), dup)
        src = originals[rng.integers(0, len(originals), size=n_dup)]
        frag[dup], start[dup], reverse[dup] = frag[src], start[src], reverse[src]
        rc = (3 - hap[::-1]).astype(np.uint8)
        top = hap[np.minimum(start[:, None] + cols, length - 1)]
        bottom = rc[np.minimum((length - start - frag)[:, None] + cols, length - 1)]
        r1 = np.where(reverse[:, None], bottom, top)
        r2 = np.where(reverse[:, None], top, bottom)
        into_adapter = cols[None, :] >= frag[:, None]
        ad_idx = np.clip(cols[None, :] - frag[:, None], 0, None)
        r1s.append(np.where(into_adapter, ad1[ad_idx], r1))
        r2s.append(np.where(into_adapter, ad2[ad_idx], r2))
    r1, r2 = np.concatenate(r1s), np.concatenate(r2s)
    order = rng.permutation(len(r1))
    r1, r2 = r1[order], r2[order]
    s1, q1 = apply_errors(rng, r1)
    s2, q2 = apply_errors(rng, r2)
    return s1, q1, s2, q2


def fastq_bytes(prefix: str, read_no: int, seqs: np.ndarray, quals: np.ndarray) -> bytes:
    """FASTQ records ``@{prefix}{n:07d} {read_no}:N:0:1`` built as one fixed-width byte matrix."""
    n = len(seqs)
    assert n < 10_000_000

    def const(text: str) -> np.ndarray:
        arr = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        return np.broadcast_to(arr, (n, len(arr)))

    digits = (np.arange(1, n + 1)[:, None] // 10 ** np.arange(6, -1, -1)[None, :]) % 10 + 48
    rec = np.concatenate(
        [const("@" + prefix), digits.astype(np.uint8), const(f" {read_no}:N:0:1\n"), seqs, const("\n+\n"), quals,
         const("\n")],
        axis=1,
    )  # fmt: skip
    return rec.tobytes()


def write_gzip_atomic(path: Path, data: bytes) -> None:
    """Gzip with mtime 0 and no file name (deterministic bytes), written to a temp name then renamed."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                               compresslevel=GZIP_LEVEL) as gz:  # fmt: skip
        gz.write(data)
    os.replace(tmp, path)


def unit_seed(sample: str, unit: str) -> int:
    return int(
        np.random.SeedSequence([READS_SEED, zlib.crc32(f"{sample}_{unit}".encode())]).generate_state(1)[0]
    )


def cmd_reads(args: argparse.Namespace) -> int:
    t0 = time.time()
    fasta, truth, outdir = Path(args.reference), Path(args.truth), Path(args.outdir)
    sv_truth = Path(args.sv_truth)
    outputs = [outdir / f"{s}_{u}_R{r}.fastq.gz" for s in SAMPLES for u in UNITS[s] for r in (1, 2)]
    params = {
        "format": READS_FORMAT_VERSION, "seed": READS_SEED, "read_len": READ_LEN, "depth": DEPTH_PER_HAPLOTYPE,
        "fragment": [FRAGMENT_MEAN, FRAGMENT_SD, FRAGMENT_MIN], "dup": DUPLICATE_FRACTION,
        "qual": [QUAL_BINS, QUAL_BIN_PROBS_START, QUAL_BIN_PROBS_END], "units": UNITS,
        "reference_sha256": sha256_file(fasta), "truth_sha256": sha256_file(truth), "numpy": np.__version__,
        "sv_truth_sha256": sha256_file(sv_truth),
    }  # fmt: skip
    stamp_text = json.dumps(params, sort_keys=True) + "\n"
    stamp = outdir / STAMP_NAME
    if (
        not args.force
        and stamp.is_file()
        and stamp.read_text() == stamp_text
        and all(p.is_file() for p in outputs)
    ):
        print(f"reads: {outdir} is up to date")
        return 0
    outdir.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    sexes, haps = load_haplotypes(fasta, truth, sv_truth)
    assert set(sexes) == set(SAMPLES), f"truth samples {sorted(sexes)} != {sorted(SAMPLES)}"
    for s in SAMPLES:
        units = UNITS[s]
        for u in units:
            depth = DEPTH_PER_HAPLOTYPE / len(units)
            # the SV contig's pairs are simulated with a stream of their own and appended, so the other
            # contigs' reads stay those of the genome before the SV contig was added
            s1, q1, s2, q2 = simulate_unit([h for h in haps[s] if h[0] != SV_CONTIG], depth, unit_seed(s, u))
            sv = simulate_unit([h for h in haps[s] if h[0] == SV_CONTIG], depth, unit_seed(s, f"{u}/{SV_CONTIG}"))
            s1, q1, s2, q2 = (np.concatenate([a, b]) for a, b in zip((s1, q1, s2, q2), sv, strict=True))
            for r, (sq, qu) in ((1, (s1, q1)), (2, (s2, q2))):
                write_gzip_atomic(outdir / f"{s}_{u}_R{r}.fastq.gz", fastq_bytes(f"{s}_{u}_", r, sq, qu))
            print(f"reads: {s} {u}: {len(s1)} pairs ({time.time() - t0:.1f} s)")
    stamp.write_text(stamp_text)
    print(f"reads: wrote {len(outputs)} FASTQ files to {outdir} in {time.time() - t0:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("design", help="build reference, genes and truth set (outputs are committed)")
    p.add_argument("--slice", default=str(DEFAULT_SLICE), help="the real GRCh38 chr22 slice FASTA")
    p.add_argument("--outdir", default=str(REPO_ROOT / "test_data"), help="test_data directory")
    p.set_defaults(func=cmd_design)
    p = sub.add_parser("reads", help="simulate the FASTQ files from the committed reference and truth VCF")
    p.add_argument("--outdir", default=str(REPO_ROOT / "test_data" / "reads"))
    p.add_argument("--reference", default=str(REPO_ROOT / "test_data" / "reference" / "genome.fa"))
    p.add_argument("--truth", default=str(REPO_ROOT / "test_data" / "truth" / "truth.vcf.gz"))
    p.add_argument("--sv-truth", default=str(REPO_ROOT / "test_data" / "truth" / "sv_truth.vcf.gz"))
    p.add_argument("--force", action="store_true", help="regenerate even when the stamp matches")
    p.set_defaults(func=cmd_reads)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
