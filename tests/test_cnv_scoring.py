"""ClinGen CNV points (Riggs et al. 2020, Genet Med 22:245): a hand-written catalogue.

Every case states its expected evidence codes with the points of Table 1 (copy-number loss) or
Table 2 (copy-number gain), the total and the class by the tables' bands; expectations are written
from the tables (and the choices documented in ``wgs_east.cnv.scoring``), not from running the code.

The test gene ``HIG`` (plus strand unless said otherwise), 1-based inclusive exons:
    ex1 1001-1100 (100 bp)  ex2 2001-2100 (100)  ex3 3001-3099 (99)  ex4 4001-4100 (100)  ex5 5001-5200 (200)
mRNA offsets: ex1 0-99, ex2 100-199, ex3 200-298, ex4 299-398, ex5 399-598. CDS = offsets 50..499
(genomic 1051..5101 on the plus strand), 450 bp. Last exon-exon junction at offset 399, so a
frameshift ending before offset 349 (399 - 50) predicts NMD.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import REPO
from wgs_east.annotate.genetable import COLUMN_KEYS, read_gene_table
from wgs_east.annotate.hgvs import TranscriptModel
from wgs_east.annotate.transcripts import parse_gff3
from wgs_east.cnv.scoring import (
    Cnv,
    CnvType,
    Gene,
    Inheritance,
    Phenotype,
    Region,
    classify_points,
    genes_from_models,
    score_cnv,
)

EXONS = [(1001, 1100), (2001, 2100), (3001, 3099), (4001, 4100), (5001, 5200)]


def gene(symbol: str = "HIG", shift: int = 0, strand: str = "+", **facts: Any) -> Gene:
    exons = [(s + shift, e + shift) for s, e in EXONS]
    cds = (50, 500)
    if strand == "-":
        exons = exons[::-1]
        cds = (50, 550)  # minus strand: offset 0 = 5200; CDS genomic 5151 down to 1051 (offset 549)
    model = TranscriptModel(f"{symbol}-201", strand, exons, *cds)
    return Gene(symbol, "chr1", model, **facts)


def small_genes(n: int, start: int = 100_000) -> list[Gene]:
    """n single-exon protein-coding genes 1 kb apart, no dosage scores."""
    return [Gene(f"G{i}", "chr1", TranscriptModel(f"G{i}-201", "+", [(start + 1000 * i, start + 1000 * i + 299)], 0, 300))
            for i in range(n)]  # fmt: skip


def loss(start: int, end: int, **kw: Any) -> Cnv:
    return Cnv("chr1", start, end, CnvType.loss, **kw)


def gain(start: int, end: int, **kw: Any) -> Cnv:
    return Cnv("chr1", start, end, CnvType.gain, **kw)


HI = {"hi": 3}
DE_NOVO = {"inheritance": Inheritance.de_novo}

# (id, cnv, genes, extra kwargs of score_cnv, {code: points} of the counted evidence, total, class, citation)
CATALOGUE: list[tuple[str, Cnv, list[Gene], dict[str, Any], dict[str, float], float, str, str]] = [
    ("whole HI gene deleted de novo", loss(500, 6000, **DE_NOVO), [gene(**HI)], {},
     {"1A": 0, "2A": 1.00, "3A": 0, "5A": 0.15}, 1.15, "Pathogenic",
     "T1 2A 1.00; 5A via 4C confirmed de novo 0.15 (phenotype unknown scored as nonspecific)"),
    ("intergenic loss", loss(20_000, 30_000), [gene(**HI)], {},
     {"1B": -0.60, "3A": 0, "5F": 0}, -0.60, "Uncertain significance", "T1 1B -0.60; 5F 0"),
    ("intergenic common loss", loss(20_000, 30_000), [], {"population_af": 0.05},
     {"1B": -0.60, "3A": 0, "4O": -1.00, "5F": 0}, -1.60, "Benign", "T1 1B -0.60, 4O -1.00"),
    ("rare loss below the common threshold", loss(20_000, 30_000), [], {"population_af": 0.009},
     {"1B": -0.60, "3A": 0, "5F": 0}, -0.60, "Uncertain significance", "T1 4O not met below 1 %"),
    ("5' end with coding sequence", loss(500, 1500), [gene(**HI)], {},
     {"1A": 0, "2C-1": 0.90, "3A": 0, "5F": 0}, 0.90, "Likely pathogenic", "T1 2C-1 0.90"),
    ("5' UTR only", loss(500, 1020), [gene(**HI)], {},
     {"1A": 0, "2C-2": 0, "3A": 0, "5F": 0}, 0.0, "Uncertain significance", "T1 2C-2 0 (range 0-0.45)"),
    ("3' UTR only", loss(5150, 6000), [gene(**HI)], {},
     {"1A": 0, "2D-1": 0, "3A": 0, "5F": 0}, 0.0, "Uncertain significance", "T1 2D-1 0"),
    ("last exon only, no known pathogenic variants there", loss(5050, 6000), [gene(**HI)], {},
     {"1A": 0, "2D-3": 0.30, "3A": 0, "5F": 0}, 0.30, "Uncertain significance", "T1 2D-3 0.30"),
    ("last exon only, pathogenic variants known there", loss(5050, 6000), [gene(last_exon_pathogenic=True, **HI)], {},
     {"1A": 0, "2D-2": 0.90, "3A": 0, "5F": 0}, 0.90, "Likely pathogenic", "T1 2D-2 0.90"),
    ("3' end with exons before the last", loss(3500, 6000), [gene(**HI)], {},
     {"1A": 0, "2D-4": 0.90, "3A": 0, "5F": 0}, 0.90, "Likely pathogenic", "T1 2D-4 0.90"),
    ("minus strand: low end is the 3' end, last exon only", loss(500, 1080), [gene(strand="-", **HI)], {},
     {"1A": 0, "2D-3": 0.30, "3A": 0, "5F": 0}, 0.30, "Uncertain significance", "T1 2D-3 0.30 (transcript orientation)"),
    ("minus strand: high end is the 5' end with coding", loss(5100, 6000), [gene(strand="-", **HI)], {},
     {"1A": 0, "2C-1": 0.90, "3A": 0, "5F": 0}, 0.90, "Likely pathogenic", "T1 2C-1 0.90"),
    ("intragenic exon 2 deletion: frameshift, NMD", loss(1900, 2200), [gene(**HI)], {},
     {"1A": 0, "2E": 0.90, "3A": 0, "5F": 0}, 0.90, "Likely pathogenic", "T1 2E PVS1 0.90 (SVI: frameshift + NMD)"),
    ("intragenic exon 3 deletion: in frame, 22 % of the protein", loss(2900, 3200), [gene(**HI)], {},
     {"1A": 0, "2E": 0.45, "3A": 0, "5F": 0}, 0.45, "Uncertain significance", "T1 2E PVS1_Strong 0.45"),
    ("intragenic exon 4 deletion: frameshift escaping NMD", loss(3900, 4200), [gene(**HI)], {},
     {"1A": 0, "2E": 0.45, "3A": 0, "5F": 0}, 0.45, "Uncertain significance", "T1 2E PVS1_Strong 0.45 (no NMD, >10 %)"),
    ("intragenic 30 bp in-frame deletion", loss(2011, 2040), [gene(**HI)], {},
     {"1A": 0, "2E": 0.30, "3A": 0, "5F": 0}, 0.30, "Uncertain significance", "T1 2E PVS1_Moderate 0.30"),
    ("intronic deletion in an HI gene", loss(2200, 2300), [gene(**HI)], {},
     {"1B": -0.60, "2E": 0, "3A": 0, "5F": 0}, -0.60, "Uncertain significance", "T1 1B -0.60; 2E not applicable"),
    ("HI predictors only", loss(500, 6000), [gene(pli=0.99, loeuf=0.2)], {},
     {"1A": 0, "2H": 0.15, "3A": 0, "5F": 0}, 0.15, "Uncertain significance", "T1 2H 0.15"),
    ("emerging HI evidence (score 2) is not established", loss(500, 6000), [gene(hi=2)], {},
     {"1A": 0, "3A": 0, "5F": 0}, 0.0, "Uncertain significance", "T1 2A needs an established (score 3) gene"),
    ("homozygous loss of a recessive (HI 30) gene", loss(500, 6000, copy_number=0), [gene(hi=30)], {},
     {"1A": 0, "2A": 1.00, "3A": 0, "5F": 0}, 1.00, "Pathogenic", "T1 2A, documented deviation for biallelic loss"),
    ("heterozygous loss of a recessive (HI 30) gene", loss(500, 6000, copy_number=1), [gene(hi=30)], {},
     {"1A": 0, "3A": 0, "5F": 0}, 0.0, "Uncertain significance", "HI 30 is not haploinsufficiency"),
    ("24 genes lost", loss(99_000, 99_500 + 24_000), small_genes(24), {},
     {"1A": 0, "3A": 0, "5F": 0}, 0.0, "Uncertain significance", "T1 3A 0-24 genes 0"),
    ("25 genes lost", loss(99_000, 99_500 + 25_000), small_genes(25), {},
     {"1A": 0, "3B": 0.45, "5F": 0}, 0.45, "Uncertain significance", "T1 3B 25-34 genes 0.45"),
    ("35 genes lost, de novo", loss(99_000, 99_500 + 35_000, **DE_NOVO), small_genes(35), {},
     {"1A": 0, "3C": 0.90, "5A": 0.15}, 1.05, "Pathogenic", "T1 3C 35+ genes 0.90; 5A 0.15"),
    ("inside an established benign loss region, inherited", loss(20_000, 30_000, inheritance=Inheritance.inherited_unaffected),
     [], {"regions": [Region("benign1", "chr1", 10_000, 40_000, benign=CnvType.loss)]},
     {"1B": -0.60, "2F": -1.00, "3A": 0, "5C": -0.15}, -1.75, "Benign", "T1 1B, 2F -1.00, 5C -0.15"),
    ("whole HI region deleted", loss(10_000, 50_000), [], {"regions": [Region("hi1", "chr1", 20_000, 40_000, hi=3)]},
     {"1A": 0, "2A": 1.00, "3A": 0, "5F": 0}, 1.00, "Pathogenic", "T1 2A (region), 1A (dosage region)"),
    ("part of an HI region", loss(10_000, 30_000), [], {"regions": [Region("hi1", "chr1", 20_000, 40_000, hi=3)]},
     {"1A": 0, "2B": 0, "3A": 0, "5F": 0}, 0.0, "Uncertain significance", "T1 2B 0"),
    ("de novo whole HI gene, but common in the population", loss(500, 6000, **DE_NOVO), [gene(**HI)], {"population_af": 0.02},
     {"1A": 0, "2A": 1.00, "3A": 0, "4O": -1.00, "5A": 0.15}, 0.15, "Uncertain significance", "T1 2A + 4O + 5A"),
    ("two HI genes: only the strongest section-2 item counts", loss(500, 6000 + 10_000 - 2500),
     [gene(**HI), gene("HIG2", shift=10_000, **HI)], {},
     {"1A": 0, "2A": 1.00, "2C-1": 0.90, "3A": 0, "5F": 0}, 1.00, "Pathogenic", "T1 2A + 2C-1 (5' end of HIG2): section 2 max 1.00"),
    # --- gains (Table 2) ---
    ("whole TS gene duplicated", gain(500, 6000), [gene(ts=3)], {},
     {"1A": 0, "2A": 1.00, "3A": 0, "5F": 0}, 1.00, "Pathogenic", "T2 2A 1"),
    ("TS gene partly duplicated", gain(500, 3000), [gene(ts=3)], {},
     {"1A": 0, "2B": 0, "3A": 0, "5F": 0}, 0.0, "Uncertain significance", "T2 2B 0"),
    ("whole HI gene duplicated", gain(500, 6000), [gene(**HI)], {},
     {"1A": 0, "2H": 0, "3A": 0, "5F": 0}, 0.0, "Uncertain significance", "T2 2H 0"),
    ("intragenic duplication of exon 2, presumed tandem", gain(1900, 2200), [gene(**HI)], {},
     {"1A": 0, "2I": 0.45, "3A": 0, "5F": 0}, 0.45, "Uncertain significance", "T2 2I PVS1_Strong 0.45"),
    ("intragenic duplication of exon 2, proven tandem, de novo", gain(1900, 2200, tandem=True, **DE_NOVO), [gene(**HI)], {},
     {"1A": 0, "2I": 0.90, "3A": 0, "5A": 0.15}, 1.05, "Pathogenic", "T2 2I PVS1 0.90; 5A 0.15"),
    ("intragenic duplication proven not in tandem", gain(1900, 2200, tandem=False), [gene(**HI)], {},
     {"1A": 0, "2I": 0, "3A": 0, "5F": 0}, 0.0, "Uncertain significance", "T2 2I N/A"),
    ("one breakpoint in an HI gene, specific phenotype", gain(3500, 9000, phenotype=Phenotype.specific), [gene(**HI)], {},
     {"1A": 0, "2K": 0.45, "3A": 0, "5H": 0.30}, 0.75, "Uncertain significance", "T2 2K 0.45; 5H 0.30"),
    ("one breakpoint in an HI gene, phenotype unknown", gain(3500, 9000), [gene(**HI)], {},
     {"1A": 0, "2J": 0, "3A": 0, "5F": 0}, 0.0, "Uncertain significance", "T2 2J 0"),
    ("34 genes gained", gain(99_000, 99_500 + 34_000), small_genes(34), {},
     {"1A": 0, "3A": 0, "5F": 0}, 0.0, "Uncertain significance", "T2 3A 0-34 genes"),
    ("35 genes gained", gain(99_000, 99_500 + 35_000), small_genes(35), {},
     {"1A": 0, "3B": 0.45, "5F": 0}, 0.45, "Uncertain significance", "T2 3B 35-49 genes 0.45"),
    ("50 genes gained", gain(99_000, 99_500 + 50_000), small_genes(50), {},
     {"1A": 0, "3C": 0.90, "5F": 0}, 0.90, "Likely pathogenic", "T2 3C 50+ genes 0.90"),
    ("identical gene content to a benign gain", gain(99_500, 101_500), small_genes(2),
     {"regions": [Region("bg", "chr1", 99_000, 102_000, benign=CnvType.gain)]},
     {"1A": 0, "2C": -1.00, "3A": 0, "5F": 0}, -1.00, "Benign", "T2 2C -1"),
    ("smaller than a benign gain, breakpoints outside genes", gain(99_500, 100_500), small_genes(2),
     {"regions": [Region("bg", "chr1", 99_000, 102_000, benign=CnvType.gain)]},
     {"1A": 0, "2D": -1.00, "3A": 0, "5F": 0}, -1.00, "Benign", "T2 2D -1"),
    ("smaller than a benign gain, breakpoint in a gene", gain(99_500, 100_100), small_genes(2),
     {"regions": [Region("bg", "chr1", 99_000, 102_000, benign=CnvType.gain)]},
     {"1A": 0, "2E": 0, "2L": 0, "3A": 0, "5F": 0}, 0.0, "Uncertain significance", "T2 2E 0, 2L 0"),
    ("larger than a benign gain, no additional gene", gain(99_000, 102_500), small_genes(2),
     {"regions": [Region("bg", "chr1", 99_500, 101_500, benign=CnvType.gain)]},
     {"1A": 0, "2C": -1.00, "3A": 0, "5F": 0}, -1.00, "Benign", "T2 2C/2F -1 (same gene content)"),
    ("larger than a benign gain with an additional gene", gain(99_000, 103_000), small_genes(3),
     {"regions": [Region("bg", "chr1", 99_500, 101_500, benign=CnvType.gain)]},
     {"1A": 0, "2G": 0, "3A": 0, "5F": 0}, 0.0, "Uncertain significance", "T2 2G 0"),
    ("gain inherited from an unaffected parent, specific phenotype", gain(20_000, 30_000,
     inheritance=Inheritance.inherited_unaffected, phenotype=Phenotype.specific), [], {},
     {"1B": -0.60, "3A": 0, "5B": -0.30}, -0.90, "Likely benign", "T2 1B -0.60, 5B -0.30"),
    # --- section 5 (same in both tables) ---
    ("assumed de novo, unique phenotype", loss(20_000, 30_000, inheritance=Inheritance.de_novo_assumed,
     phenotype=Phenotype.unique), [], {}, {"1B": -0.60, "3A": 0, "5A": 0.30}, -0.30, "Uncertain significance",
     "5A via 4A assumed de novo 0.30"),
    ("confirmed de novo, inconsistent phenotype", loss(20_000, 30_000, inheritance=Inheritance.de_novo,
     phenotype=Phenotype.inconsistent), [], {}, {"1B": -0.60, "3A": 0, "5A": 0}, -0.60, "Uncertain significance",
     "5A via 4D 0"),
    ("segregates in 4 affected relatives", loss(500, 6000, inheritance=Inheritance.inherited_affected, segregations=4),
     [gene(**HI)], {}, {"1A": 0, "2A": 1.0, "3A": 0, "5D": 0.15}, 1.15, "Pathogenic", "5D via 4F 0.15"),
    ("segregates in 6", loss(20_000, 30_000, inheritance=Inheritance.inherited_affected, segregations=6), [], {},
     {"1B": -0.60, "3A": 0, "5D": 0.30}, -0.30, "Uncertain significance", "5D via 4G 0.30"),
    ("segregates in 8", loss(20_000, 30_000, inheritance=Inheritance.inherited_affected, segregations=8), [], {},
     {"1B": -0.60, "3A": 0, "5D": 0.45}, -0.15, "Uncertain significance", "5D via 4H 0.45"),
    ("segregates in 2 only", loss(20_000, 30_000, inheritance=Inheritance.inherited_affected, segregations=2), [], {},
     {"1B": -0.60, "3A": 0, "5D": 0}, -0.60, "Uncertain significance", "5D: fewer than 3 segregations, 0"),
    ("singleton, nonspecific consistent phenotype", loss(20_000, 30_000, phenotype=Phenotype.nonspecific), [], {},
     {"1B": -0.60, "3A": 0, "5G": 0.10}, -0.50, "Uncertain significance", "5G 0.10"),
    ("inherited from unaffected parent and an unaffected sib carries it: capped", loss(500, 6000,
     inheritance=Inheritance.inherited_unaffected, phenotype=Phenotype.specific, unaffected_carriers=True),
     [gene(**HI)], {}, {"1A": 0, "2A": 1.0, "3A": 0, "5B": -0.30, "5E": -0.30}, 0.55, "Uncertain significance",
     "5B -0.30 + 5E (4J) -0.30, section 5 capped at -0.45"),
    ("de novo but an affected relative lacks it", loss(500, 6000, phenotype=Phenotype.unique, affected_noncarriers=True,
     **DE_NOVO), [gene(**HI)], {}, {"1A": 0, "2A": 1.0, "3A": 0, "5A": 0.45, "5E": -0.45}, 1.0, "Pathogenic",
     "5A (4A confirmed) 0.45 + 5E (4I) -0.45"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "cnv", "genes", "kwargs", "codes", "total", "klass", "cite"), CATALOGUE,
                         ids=[c[0] for c in CATALOGUE])  # fmt: skip
def test_catalogue(
    name: str, cnv: Cnv, genes: list[Gene], kwargs: dict[str, Any], codes: dict[str, float], total: float, klass: str,
    cite: str,
) -> None:
    result = score_cnv(cnv, genes, **kwargs)
    got = {e.code: e.points for e in result.evidence}
    assert got == pytest.approx(codes), result.trail()
    assert result.total == pytest.approx(total), result.trail()
    assert result.classification == klass, result.trail()


def test_catalogue_size_and_citations() -> None:
    assert len(CATALOGUE) >= 20
    assert all(c[7] for c in CATALOGUE)


def test_only_the_strongest_section2_item_counts_and_the_trail_says_so() -> None:
    result = score_cnv(loss(500, 13_500), [gene(**HI), gene("HIG2", shift=10_000, **HI)])
    counted = {e.code: e.counted for e in result.evidence}
    assert counted["2A"] is True and counted["2C-1"] is False
    assert "2C-1 +0.90 not counted" in result.trail()
    assert result.sections[2] == pytest.approx(1.0)


def test_section5_cap() -> None:
    result = score_cnv(loss(500, 6000, inheritance=Inheritance.inherited_unaffected, phenotype=Phenotype.specific,
                            unaffected_carriers=True), [gene(**HI)])  # fmt: skip
    assert result.sections[5] == pytest.approx(-0.45)


@pytest.mark.parametrize(
    ("points", "klass"),
    [(0.99, "Pathogenic"), (2.5, "Pathogenic"), (0.98, "Likely pathogenic"), (0.90, "Likely pathogenic"),
     (0.89, "Uncertain significance"), (0.0, "Uncertain significance"), (-0.89, "Uncertain significance"),
     (-0.90, "Likely benign"), (-0.98, "Likely benign"), (-0.99, "Benign"), (-3.0, "Benign")],
)  # fmt: skip
def test_bands(points: float, klass: str) -> None:
    """Riggs 2020 Tables 1-2, "Scoring" line."""
    assert classify_points(points) == klass


def test_genes_on_other_contigs_are_ignored() -> None:
    g = Gene("HIG", "chr2", gene().model, hi=3)
    assert score_cnv(loss(500, 6000), [g]).codes() == ["1B", "3A", "5F"]


def test_end_before_start_is_an_error() -> None:
    with pytest.raises(ValueError, match="before start"):
        score_cnv(loss(6000, 500), [])


# --- the test bundle's gene models and gene table (read only) ------------------------------------
# SYNAD1 (chrSYN1, +, HI 3) exons 5001-5367 (CDS from 5131: 237 bp), 6557-6756 (200), 8360-8582 (223),
# 10071-10229 (159), 12222-12458 (237), 13192-14051 (CDS to 13326: 135); CDS 1191 bp; mRNA 2046 nt, last
# exon from offset 1186. SYNAR1 (chrSYN1, -, HI 30) first exon 28677-29050, CDS from 28908.
# SYNMIS1 (HI 1, pLI 0.12). SYNXL1 (chrX, HI 3).
BUNDLE_CASES: list[tuple[str, Cnv, dict[str, float], str]] = [
    ("SYNAD1 whole, de novo", Cnv("chrSYN1", 4000, 15000, CnvType.loss, inheritance=Inheritance.de_novo),
     {"1A": 0, "2A": 1.0, "3A": 0, "5A": 0.15}, "Pathogenic"),
    ("SYNAD1 exons 2-3: 423 bp in frame, 36 %", Cnv("chrSYN1", 6000, 9000, CnvType.loss),
     {"1A": 0, "2E": 0.45, "3A": 0, "5F": 0}, "Uncertain significance"),
    ("SYNAD1 exon 2: 200 bp frameshift, NMD", Cnv("chrSYN1", 6000, 7000, CnvType.loss),
     {"1A": 0, "2E": 0.90, "3A": 0, "5F": 0}, "Likely pathogenic"),
    ("SYNAD1 exon 5: 237 bp in frame, 20 %", Cnv("chrSYN1", 12000, 12600, CnvType.loss),
     {"1A": 0, "2E": 0.45, "3A": 0, "5F": 0}, "Uncertain significance"),
    ("SYNAD1 exons 5-6 (3' end)", Cnv("chrSYN1", 12000, 15000, CnvType.loss),
     {"1A": 0, "2D-4": 0.90, "3A": 0, "5F": 0}, "Likely pathogenic"),
    ("SYNAD1 last 27 coding bp + 3' UTR", Cnv("chrSYN1", 13300, 15000, CnvType.loss),
     {"1A": 0, "2D-3": 0.30, "3A": 0, "5F": 0}, "Uncertain significance"),
    ("SYNAD1 3' UTR only", Cnv("chrSYN1", 13400, 15000, CnvType.loss),
     {"1A": 0, "2D-1": 0, "3A": 0, "5F": 0}, "Uncertain significance"),
    ("SYNAD1 5' end with the start codon", Cnv("chrSYN1", 4000, 5200, CnvType.loss),
     {"1A": 0, "2C-1": 0.90, "3A": 0, "5F": 0}, "Likely pathogenic"),
    ("SYNAD1 5' UTR only", Cnv("chrSYN1", 4000, 5100, CnvType.loss),
     {"1A": 0, "2C-2": 0, "3A": 0, "5F": 0}, "Uncertain significance"),
    ("SYNAR1 5' end, heterozygous (HI 30)", Cnv("chrSYN1", 28800, 30000, CnvType.loss, copy_number=1),
     {"1A": 0, "3A": 0, "5F": 0}, "Uncertain significance"),
    ("SYNAR1 5' end, homozygous", Cnv("chrSYN1", 28800, 30000, CnvType.loss, copy_number=0),
     {"1A": 0, "2C-1": 0.90, "3A": 0, "5F": 0}, "Likely pathogenic"),
    ("SYNMIS1 whole (HI 1)", Cnv("chrSYN1", 34000, 46000, CnvType.loss),
     {"1A": 0, "3A": 0, "5F": 0}, "Uncertain significance"),
    ("SYNAD1 whole duplication", Cnv("chrSYN1", 4000, 15000, CnvType.gain),
     {"1A": 0, "2H": 0, "3A": 0, "5F": 0}, "Uncertain significance"),
    ("SYNXL1 whole, hemizygous", Cnv("chrX", 24000, 33000, CnvType.loss, copy_number=0),
     {"1A": 0, "2A": 1.0, "3A": 0, "5F": 0}, "Pathogenic"),
]  # fmt: skip


@pytest.fixture(scope="module")
def bundle_genes() -> list[Gene]:
    with open(REPO / "test_data" / "genes" / "genes.gff3") as fh:
        transcripts = parse_gff3(fh)
    facts = read_gene_table(REPO / "test_data" / "resources" / "gene_table.tsv", {k: k for k in COLUMN_KEYS})
    return genes_from_models(transcripts, facts)


def test_genes_from_models_take_the_ranked_transcript_and_the_scores(bundle_genes: list[Gene]) -> None:
    by = {g.symbol: g for g in bundle_genes}
    # chrSYN2 carries the genes of the planted SVs (test_data/README.md)
    assert set(by) == {"SYNAD1", "SYNAR1", "SYNMIS1", "SYNXL1", "SYNHI1", "SYNREC1", "SYNTS1", "SYNINV1"}
    assert (by["SYNHI1"].hi, by["SYNREC1"].hi, by["SYNTS1"].hi, by["SYNINV1"].hi) == (3, 30, 1, 2)
    assert by["SYNAD1"].model.transcript_id == "ENST90000000001" and by["SYNAD1"].hi == 3
    assert (by["SYNAR1"].hi, by["SYNMIS1"].hi, by["SYNMIS1"].pli, by["SYNAD1"].ts) == (30, 1, 0.12, None)


@pytest.mark.parametrize(("name", "cnv", "codes", "klass"), BUNDLE_CASES, ids=[c[0] for c in BUNDLE_CASES])
def test_bundle_gene_models(name: str, cnv: Cnv, codes: dict[str, float], klass: str, bundle_genes: list[Gene]) -> None:
    result = score_cnv(cnv, bundle_genes)
    assert {e.code: e.points for e in result.evidence} == pytest.approx(codes), result.trail()
    assert result.classification == klass
