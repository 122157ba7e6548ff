"""ClinGen/ACMG points for copy-number losses and gains (Riggs et al. 2020, Genet Med 22:245, Table 1
"CNV interpretation scoring metric: copy-number LOSS" and Table 2 "... copy-number GAIN").

:func:`score_cnv` takes one CNV (type, span, copy number, inheritance facts), the genes near it (the
chosen transcript of each, with the gene table's ClinGen haploinsufficiency (HI) / triplosensitivity
(TS) scores 0-3, 30, 40 and pLI/LOEUF), optional curated regions (ClinGen HI/TS regions, established
benign CNV regions) and the CNV's population frequency; it returns every applicable evidence item
(code as in the tables: ``1A``, ``2C-1``, ``4O``, ``5A``...), its points, whether it counts, the total
and the class by the tables' bands (>= 0.99 Pathogenic, 0.90..0.98 Likely pathogenic, -0.89..0.89
Uncertain significance, -0.90..-0.98 Likely benign, <= -0.99 Benign).

Only evidence the data hold is scored: sections 1, 2, 3, 4O (population) and 5 (inheritance). The
literature/case-level items 4A-4N need an analyst and are never assigned here. Points are the
tables' suggested points. Where the tables leave a choice, this module decides as follows (also
in README.md, "Structural variants: status and design"):

- *Established* HI/TS gene or region = ClinGen score 3 (sufficient evidence). Scores 2, 1, 0, 40
  are reported in the evidence text, not scored. Deviation: a homozygous loss (copy number 0) of a
  gene with HI score 30 (autosomal recessive) is scored like an established HI gene in section 2
  (both copies are lost, which is the disease mechanism of that gene); the tables score one-copy
  dosage only.
- Section 1: ``1A`` when the CNV overlaps an exon (UTR or CDS) of a protein-coding gene or an
  established HI/TS region; otherwise ``1B`` (intronic or intergenic).
- Section 2, intragenic (``2E`` loss / ``2I`` gain): the ClinGen SVI PVS1 tree (Abou Tayoun et al.
  2018, Hum Mutat 39:1517) with what the gene model tells: a frameshift (deleted/duplicated coding
  bases not a multiple of 3) whose affected region ends upstream of the last 50 nt of the
  penultimate exon predicts NMD -> PVS1 0.90; otherwise > 10 % of the coding sequence removed ->
  PVS1_Strong 0.45, else PVS1_Moderate 0.30 (critical protein regions are not known here). A
  duplication gets PVS1 only when proven in tandem (``Cnv.tandem is True``), PVS1_Strong when
  presumed (``None``), nothing when proven not in tandem, in frame or escaping NMD.
- ``2D-2``/``2D-3``: whether other pathogenic variants are known in the last exon is an input per
  gene (``Gene.last_exon_pathogenic``, default False -> ``2D-3`` 0.30).
- ``2C-2`` (only the 5' UTR lost) scores the suggested 0 (range 0..0.45).
- ``2H`` (loss): "two or more HI predictors" = pLI >= 0.9 and LOEUF < 0.35 (gnomAD v2.1 thresholds,
  Karczewski et al. 2020) in one gene of the interval that is not an established HI gene (those are
  scored by 2A-2E); counted only when no established HI evidence scored.
- Section 2 total: the strongest positive item plus the strongest negative one, capped at the
  tables' maximum (1.00 / -1.00).
- Section 3 counts protein-coding genes of the bundle's gene models (the tables say RefSeq genes).
- ``4O``: population frequency (see :mod:`wgs_east.cnv.population`) >= 1 % -> -1.00 (the suggested
  points; range 0..-1.00). Below that, no section-4 points.
- Section 5 needs the phenotype's fit (``Phenotype``): ``unique`` (highly specific, relatively
  unique to the gene/region), ``specific``, ``nonspecific``, ``inconsistent`` or ``unknown``.
  ``unknown`` is scored as ``nonspecific`` for a de novo or an inherited CNV (5A at the 4C level,
  5C), and as ``5F`` when inheritance is unknown (5G needs an analyst's statement of consistency).
  De novo confirmed (both parents genotyped, absent in both): 4A 0.45 / 4B 0.30 / 4C 0.15 / 4D 0;
  assumed: 0.30 / 0.15 / 0.10 / 0. Inherited from an unaffected parent: 5B -0.30 (specific
  phenotype) or 5C -0.15. Segregation with affected relatives (5D): 4F-4H (3-4 0.15, 5-6 0.30,
  7+ 0.45). Non-segregation (5E): an affected relative without the CNV 4I -0.45, else an unaffected
  relative (other than the transmitting parent) with it 4J -0.30 / 4K -0.15. Section 5 is capped
  at +-0.45.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from wgs_east.annotate.genes import NMD_WINDOW
from wgs_east.annotate.genetable import GeneFacts
from wgs_east.annotate.hgvs import TranscriptModel
from wgs_east.annotate.transcripts import Transcript

ESTABLISHED = 3
"""ClinGen dosage score of an established HI/TS gene or region (sufficient evidence)."""
RECESSIVE = 30
"""ClinGen dosage score 30: gene associated with an autosomal recessive phenotype."""
COMMON_AF = 0.01
"""Population frequency from which a CNV is common population variation (4O)."""
PLI_HI = 0.9
LOEUF_HI = 0.35
LOSS_GENE_BANDS = ((35, "3C", 0.90), (25, "3B", 0.45), (0, "3A", 0.0))
"""Table 1 section 3: protein-coding genes wholly or partially in the loss."""
GAIN_GENE_BANDS = ((50, "3C", 0.90), (35, "3B", 0.45), (0, "3A", 0.0))
"""Table 2 section 3."""
SECTION_CAP = {2: (-1.0, 1.0), 3: (0.0, 0.9), 5: (-0.45, 0.45)}
CLASS_ORDER = ("Pathogenic", "Likely pathogenic", "Uncertain significance", "Likely benign", "Benign")
"""The classes of :func:`classify_points`, most pathogenic first."""


class CnvType(StrEnum):
    loss = "loss"
    gain = "gain"


class Inheritance(StrEnum):
    de_novo = "de_novo"
    """Absent in both genotyped parents (confirmed de novo)."""
    de_novo_assumed = "de_novo_assumed"
    """Absent in the parents but parentage not confirmed, or one parent not tested and the other negative."""
    inherited_unaffected = "inherited_unaffected"
    """Present in an apparently unaffected parent."""
    inherited_affected = "inherited_affected"
    """Present in an affected parent (segregation scored from ``Cnv.segregations``)."""
    unknown = "unknown"
    """Parents not tested (singleton) or uninformative."""


class Phenotype(StrEnum):
    unique = "unique"
    specific = "specific"
    nonspecific = "nonspecific"
    inconsistent = "inconsistent"
    unknown = "unknown"


SPECIFIC = frozenset({Phenotype.unique, Phenotype.specific})


@dataclass(frozen=True)
class Cnv:
    chrom: str
    start: int
    """1-based first affected base."""
    end: int
    """1-based last affected base (inclusive)."""
    type: CnvType
    copy_number: int | None = None
    inheritance: Inheritance = Inheritance.unknown
    phenotype: Phenotype = Phenotype.unknown
    segregations: int = 0
    """Observed segregations with affected relatives (for 5D via 4F-4H)."""
    affected_noncarriers: bool = False
    """An affected relative does not carry the CNV (5E via 4I)."""
    unaffected_carriers: bool = False
    """An unaffected relative other than the transmitting parent carries it (5E via 4J/4K)."""
    tandem: bool | None = None
    """Gain proven in tandem (True), proven elsewhere (False), presumed in tandem (None)."""

    @property
    def length(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True)
class Gene:
    """A gene as its chosen transcript, with the gene table's dosage facts."""

    symbol: str
    chrom: str
    model: TranscriptModel
    protein_coding: bool = True
    hi: int | None = None
    ts: int | None = None
    pli: float | None = None
    loeuf: float | None = None
    last_exon_pathogenic: bool = False

    @property
    def start(self) -> int:
        return self.model.start

    @property
    def end(self) -> int:
        return self.model.end


@dataclass(frozen=True)
class Region:
    """A curated region: ClinGen HI/TS region (``hi``/``ts`` score) or an established benign CNV
    region (``benign`` = the CNV type it is benign for)."""

    name: str
    chrom: str
    start: int
    end: int
    hi: int | None = None
    ts: int | None = None
    benign: CnvType | None = None


@dataclass(frozen=True)
class Evidence:
    code: str
    """Table 1/2 code: ``1A``, ``2C-1``, ``3B``, ``4O``, ``5A``..."""
    points: float
    text: str
    counted: bool = True
    """False: applies but another item of its section scored instead (shown in the trail)."""

    @property
    def section(self) -> int:
        return int(self.code[0])

    def __str__(self) -> str:
        mark = "" if self.counted else " not counted"
        return f"{self.code} {self.points:+.2f}{mark}: {self.text}"


@dataclass(frozen=True)
class CnvScore:
    type: CnvType
    evidence: tuple[Evidence, ...]
    sections: dict[int, float] = field(default_factory=dict)
    total: float = 0.0
    classification: str = "Uncertain significance"

    def codes(self) -> list[str]:
        return [e.code for e in self.evidence if e.counted]

    def trail(self) -> str:
        return "; ".join(str(e) for e in self.evidence)


def classify_points(total: float) -> str:
    """Riggs 2020 Tables 1-2 bands (points rounded to 2 decimals as the tables write them)."""
    t = round(total, 2)
    if t >= 0.99:
        return "Pathogenic"
    if t >= 0.90:
        return "Likely pathogenic"
    if t > -0.90:
        return "Uncertain significance"
    if t > -0.99:
        return "Likely benign"
    return "Benign"


def _dosage_score(text: str | int | None) -> int | None:
    try:
        return int(str(text).strip())
    except ValueError:
        return None


def genes_from_models(
    transcripts: Iterable[Transcript], facts: Mapping[str, GeneFacts], ts: Mapping[str, int | str] | None = None
) -> list[Gene]:
    """One :class:`Gene` per gene of the bundle's gene models: its rank-1 transcript (MANE Select >
    Ensembl canonical > longest CDS, as for small variants; :func:`wgs_east.annotate.transcripts.parse_gff3`
    ranks them) with the gene table's HI score, pLI and LOEUF; TS scores from ``ts`` (symbol -> score:
    the gene table's optional ``triplosensitivity`` column)."""
    out = []
    for t in transcripts:
        if t.rank != 1:
            continue
        f = facts.get(t.gene, GeneFacts())
        out.append(Gene(t.gene, t.chrom, t.model, protein_coding=t.biotype == "protein_coding" or t.model.coding,
                        hi=_dosage_score(f.hi), ts=_dosage_score((ts or {}).get(t.gene)), pli=f.pli, loeuf=f.loeuf))  # fmt: skip
    return out


# --- geometry -----------------------------------------------------------------------------------
def overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    """Closed intervals [a0, a1] and [b0, b1] share at least one position."""
    return a0 <= b1 and b0 <= a1


def _contains(outer0: int, outer1: int, inner0: int, inner1: int) -> bool:
    return outer0 <= inner0 and inner1 <= outer1


def _coding_offsets(m: TranscriptModel, start: int, end: int) -> list[int]:
    """0-based mRNA offsets of the CDS bases inside [start, end]."""
    if not m.coding:
        return []
    positions = m.mrna_positions()
    return [i for i in range(m.cds_start, m.cds_end) if start <= positions[i] <= end]  # type: ignore[arg-type]


def _exon_offsets(m: TranscriptModel, start: int, end: int) -> list[int]:
    return [i for i, p in enumerate(m.mrna_positions()) if start <= p <= end]


def _last_junction(m: TranscriptModel) -> int:
    """mRNA offset of the first base of the last exon."""
    last = m.exons[-1]
    return sum(e - s + 1 for s, e in m.exons) - (last[1] - last[0] + 1)


def _pvs1(g: Gene, cnv: Cnv, gain: bool) -> tuple[float, str]:
    """ClinGen SVI PVS1 strength of an intragenic deletion/duplication of ``g`` (see module doc)."""
    m = g.model
    coding = _coding_offsets(m, cnv.start, cnv.end)
    if not coding:
        return 0.0, "no coding sequence affected: PVS1 not applicable"
    cds_len = m.cds_end - m.cds_start  # type: ignore[operator]
    frameshift = len(coding) % 3 != 0
    nmd = len(m.exons) > 1 and max(_exon_offsets(m, cnv.start, cnv.end)) < _last_junction(m) - NMD_WINDOW
    what = (f"{len(coding)} coding bp ({100 * len(coding) / cds_len:.0f} % of the CDS), "
            f"{'frameshift' if frameshift else 'in frame'}, NMD {'predicted' if nmd else 'not predicted'}")  # fmt: skip
    if gain:
        if cnv.tandem is False:
            return 0.0, f"{what}; proven not in tandem: PVS1 not applicable"
        if not (frameshift and nmd):
            return 0.0, f"{what}: PVS1 not applicable to a duplication"
        return (0.90, f"{what}; proven in tandem: PVS1") if cnv.tandem else (0.45, f"{what}; presumed in tandem: PVS1_Strong")
    if frameshift and nmd:
        return 0.90, f"{what}: PVS1"
    if len(coding) > 0.1 * cds_len:
        return 0.45, f"{what}, > 10 % of the protein: PVS1_Strong"
    return 0.30, f"{what}, <= 10 % of the protein: PVS1_Moderate"


def _end_hit(g: Gene, cnv: Cnv) -> str:
    """Which end of the gene a partial overlap takes: ``5'`` or ``3'`` (transcript orientation)."""
    low_end = cnv.start <= g.start
    plus = g.model.strand == "+"
    return "5'" if low_end == plus else "3'"


def _score_label(score: int | None) -> str:
    return {3: "3 (sufficient)", 2: "2 (emerging)", 1: "1 (little)", 0: "0 (no evidence)",
            30: "30 (autosomal recessive)", 40: "40 (dosage sensitivity unlikely)"}.get(score, "unscored")  # type: ignore[arg-type]  # fmt: skip


# --- sections -----------------------------------------------------------------------------------
def _section1(cnv: Cnv, genes: Sequence[Gene], regions: Sequence[Region]) -> Evidence:
    hit = [g.symbol for g in genes if g.protein_coding and any(overlaps(cnv.start, cnv.end, s, e) for s, e in g.model.exons)]
    dosage = [r.name for r in regions if ESTABLISHED in (r.hi, r.ts) and overlaps(cnv.start, cnv.end, r.start, r.end)]
    if hit or dosage:
        return Evidence("1A", 0.0, "contains exons of protein-coding genes or an established dosage region: "
                        + ", ".join(hit + dosage))  # fmt: skip
    return Evidence("1B", -0.60, "no exon of a protein-coding gene nor an established dosage region")


def _hi_established(g: Gene, cnv: Cnv) -> bool:
    return g.hi == ESTABLISHED or (g.hi == RECESSIVE and cnv.copy_number == 0)


def _loss_gene(g: Gene, cnv: Cnv) -> Evidence:
    hi = "HI " + _score_label(g.hi) + (", homozygous loss" if g.hi == RECESSIVE else "")
    if _contains(cnv.start, cnv.end, g.start, g.end):
        return Evidence("2A", 1.00, f"{g.symbol} ({hi}) completely deleted")
    if g.start < cnv.start and cnv.end < g.end:
        pts, why = _pvs1(g, cnv, gain=False)
        return Evidence("2E", pts, f"{g.symbol} ({hi}) intragenic deletion: {why}")
    coding = _coding_offsets(g.model, cnv.start, cnv.end)
    if _end_hit(g, cnv) == "5'":
        if coding:
            return Evidence("2C-1", 0.90, f"{g.symbol} ({hi}) 5' end deleted with {len(coding)} coding bp")
        return Evidence("2C-2", 0.0, f"{g.symbol} ({hi}) 5' end deleted, only the 5' UTR")
    if not coding:
        return Evidence("2D-1", 0.0, f"{g.symbol} ({hi}) 3' end deleted, only the 3' UTR")
    if min(coding) >= _last_junction(g.model):
        if g.last_exon_pathogenic:
            return Evidence("2D-2", 0.90, f"{g.symbol} ({hi}) 3' end deleted, only the last exon, which has other pathogenic variants")
        return Evidence("2D-3", 0.30, f"{g.symbol} ({hi}) 3' end deleted, only the last exon (no other pathogenic variants known there)")
    return Evidence("2D-4", 0.90, f"{g.symbol} ({hi}) 3' end deleted including exons before the last (NMD expected)")


def _benign_gain(cnv: Cnv, r: Region, genes: Sequence[Gene]) -> Evidence:
    coding = [g for g in genes if g.protein_coding]
    in_cnv = {g.symbol for g in coding if overlaps(cnv.start, cnv.end, g.start, g.end)}
    in_region = {g.symbol for g in coding if overlaps(r.start, r.end, g.start, g.end)}
    interrupts = [g.symbol for g in coding if overlaps(cnv.start, cnv.end, g.start, g.end)
                  and not _contains(cnv.start, cnv.end, g.start, g.end)]  # fmt: skip
    name = f"benign gain region {r.name}"
    if in_cnv == in_region and not interrupts:
        return Evidence("2C", -1.0, f"identical in gene content to {name}")
    if _contains(r.start, r.end, cnv.start, cnv.end):
        if interrupts:
            return Evidence("2E", 0.0, f"smaller than {name}; breakpoint within {', '.join(interrupts)}")
        return Evidence("2D", -1.0, f"smaller than {name}; breakpoints interrupt no protein-coding gene")
    if _contains(cnv.start, cnv.end, r.start, r.end) and not (in_cnv - in_region):
        return Evidence("2F", -1.0, f"larger than {name}, no additional protein-coding gene")
    return Evidence("2G", 0.0, f"overlaps {name} and includes additional genomic material")


def _section2(cnv: Cnv, genes: Sequence[Gene], regions: Sequence[Region]) -> list[Evidence]:
    out: list[Evidence] = []
    near = [g for g in genes if overlaps(cnv.start, cnv.end, g.start, g.end)]
    if cnv.type == CnvType.loss:
        out += [_loss_gene(g, cnv) for g in near if _hi_established(g, cnv)]
        for r in regions:
            if not overlaps(cnv.start, cnv.end, r.start, r.end):
                continue
            if r.hi == ESTABLISHED:
                full = _contains(cnv.start, cnv.end, r.start, r.end)
                out.append(Evidence("2A", 1.0, f"HI region {r.name} completely deleted") if full
                           else Evidence("2B", 0.0, f"partial overlap of HI region {r.name}"))  # fmt: skip
            if r.benign == CnvType.loss:
                if _contains(r.start, r.end, cnv.start, cnv.end):
                    out.append(Evidence("2F", -1.0, f"completely contained in benign loss region {r.name}"))
                else:
                    out.append(Evidence("2G", 0.0, f"overlaps benign loss region {r.name} with additional material"))
        if not any(e.points > 0 for e in out):
            predicted = [g.symbol for g in near if not _hi_established(g, cnv) and g.pli is not None
                         and g.pli >= PLI_HI and g.loeuf is not None and g.loeuf < LOEUF_HI]  # fmt: skip
            if predicted:
                out.append(Evidence("2H", 0.15, f"pLI >= {PLI_HI} and LOEUF < {LOEUF_HI}: {', '.join(predicted)}"))
        return out
    for g in near:
        whole = _contains(cnv.start, cnv.end, g.start, g.end)
        if g.ts == ESTABLISHED:
            out.append(Evidence("2A", 1.0, f"{g.symbol} (TS {_score_label(g.ts)}) completely duplicated") if whole
                       else Evidence("2B", 0.0, f"{g.symbol} (TS {_score_label(g.ts)}) partially duplicated"))  # fmt: skip
        if g.hi == ESTABLISHED:
            hi = f"HI {_score_label(g.hi)}"
            if whole:
                out.append(Evidence("2H", 0.0, f"{g.symbol} ({hi}) completely duplicated"))
            elif g.start < cnv.start and cnv.end < g.end:
                pts, why = _pvs1(g, cnv, gain=True)
                out.append(Evidence("2I", pts, f"{g.symbol} ({hi}) intragenic duplication: {why}"))
            elif cnv.phenotype in SPECIFIC:
                out.append(Evidence("2K", 0.45, f"one breakpoint in {g.symbol} ({hi}); phenotype highly specific for its LOF"))
            else:
                out.append(Evidence("2J", 0.0, f"one breakpoint in {g.symbol} ({hi}); phenotype {cnv.phenotype.value}"))
        elif not whole and g.protein_coding and g.ts != ESTABLISHED:
            out.append(Evidence("2L", 0.0, f"breakpoint within {g.symbol}, no established dosage sensitivity"))
    for r in regions:
        if not overlaps(cnv.start, cnv.end, r.start, r.end):
            continue
        if r.ts == ESTABLISHED:
            full = _contains(cnv.start, cnv.end, r.start, r.end)
            out.append(Evidence("2A", 1.0, f"TS region {r.name} completely duplicated") if full
                       else Evidence("2B", 0.0, f"partial overlap of TS region {r.name}"))  # fmt: skip
        if r.benign == CnvType.gain:
            out.append(_benign_gain(cnv, r, genes))
    return out


def _count_section2(items: list[Evidence]) -> tuple[list[Evidence], float]:
    """Keep the strongest positive and the strongest negative item; the others stay in the trail."""
    best_pos = max((e for e in items if e.points > 0), key=lambda e: e.points, default=None)
    best_neg = min((e for e in items if e.points < 0), key=lambda e: e.points, default=None)
    out = [e if e.points == 0 or e is best_pos or e is best_neg else Evidence(e.code, e.points, e.text, counted=False)
           for e in items]  # fmt: skip
    return out, sum(e.points for e in (best_pos, best_neg) if e is not None)


def _section3(cnv: Cnv, genes: Sequence[Gene]) -> Evidence:
    n = sum(1 for g in genes if g.protein_coding and overlaps(cnv.start, cnv.end, g.start, g.end))
    bands = LOSS_GENE_BANDS if cnv.type == CnvType.loss else GAIN_GENE_BANDS
    for low, code, pts in bands:
        if n >= low:
            return Evidence(code, pts, f"{n} protein-coding gene{'s' if n != 1 else ''} wholly or partially included")
    raise AssertionError("unreachable")


def _section4(population_af: float | None, common_af: float) -> list[Evidence]:
    if population_af is not None and population_af >= common_af:
        return [Evidence("4O", -1.0, f"overlaps common population variation (frequency {population_af:.4g} >= {common_af:g})")]
    return []


DE_NOVO_POINTS = {  # Riggs 2020 Tables 1-2, 4A-4D: (confirmed, assumed) de novo points
    Phenotype.unique: ("4A", 0.45, 0.30), Phenotype.specific: ("4B", 0.30, 0.15),
    Phenotype.nonspecific: ("4C", 0.15, 0.10), Phenotype.unknown: ("4C", 0.15, 0.10),
    Phenotype.inconsistent: ("4D", 0.0, 0.0),
}  # fmt: skip


def _section5(cnv: Cnv) -> list[Evidence]:
    out: list[Evidence] = []
    inh, ph = cnv.inheritance, cnv.phenotype
    if inh in (Inheritance.de_novo, Inheritance.de_novo_assumed):
        cat, confirmed, assumed = DE_NOVO_POINTS[ph]
        how = "confirmed" if inh == Inheritance.de_novo else "assumed"
        pts = confirmed if inh == Inheritance.de_novo else assumed
        out.append(Evidence("5A", pts, f"de novo ({how}), phenotype {ph.value}: scored as {cat} {how}"))
    elif inh == Inheritance.inherited_unaffected:
        if ph in SPECIFIC:
            out.append(Evidence("5B", -0.30, "inherited from an apparently unaffected parent; specific phenotype"))
        else:
            out.append(Evidence("5C", -0.15, f"inherited from an apparently unaffected parent; phenotype {ph.value}"))
    elif inh == Inheritance.inherited_affected:
        n = cnv.segregations
        cat, pts = ("4H", 0.45) if n >= 7 else ("4G", 0.30) if n >= 5 else ("4F", 0.15) if n >= 3 else ("", 0.0)
        scored = f"scored as {cat}" if cat else "fewer than 3, no points"
        out.append(Evidence("5D", pts, f"segregates with the phenotype: {n} segregation{'s' if n != 1 else ''}, {scored}"))
    elif ph in SPECIFIC:
        out.append(Evidence("5H", 0.30, "inheritance unknown; phenotype highly specific and consistent with similar cases"))
    elif ph == Phenotype.nonspecific:
        out.append(Evidence("5G", 0.10, "inheritance unknown; phenotype nonspecific but consistent with similar cases"))
    else:
        out.append(Evidence("5F", 0.0, "inheritance information unavailable or uninformative"))
    if cnv.affected_noncarriers:
        out.append(Evidence("5E", -0.45, "an affected relative does not carry it: scored as 4I"))
    elif cnv.unaffected_carriers:
        pts, cat = (-0.30, "4J") if ph in SPECIFIC else (-0.15, "4K")
        out.append(Evidence("5E", pts, f"an unaffected relative carries it: scored as {cat}"))
    return out


def _cap(section: int, value: float) -> float:
    low, high = SECTION_CAP.get(section, (float("-inf"), float("inf")))
    return min(max(value, low), high)


def score_cnv(
    cnv: Cnv,
    genes: Iterable[Gene],
    *,
    population_af: float | None = None,
    regions: Iterable[Region] = (),
    common_af: float = COMMON_AF,
) -> CnvScore:
    """Score one CNV by Riggs 2020 Table 1 (loss) or Table 2 (gain); genes/regions on other
    contigs are ignored."""
    if cnv.end < cnv.start:
        raise ValueError(f"CNV end {cnv.end} before start {cnv.start}")
    gs = [g for g in genes if g.chrom == cnv.chrom]
    rs = [r for r in regions if r.chrom == cnv.chrom]
    s2, s2_points = _count_section2(_section2(cnv, gs, rs))
    evidence = [_section1(cnv, gs, rs), *s2, _section3(cnv, gs), *_section4(population_af, common_af), *_section5(cnv)]
    sections: dict[int, float] = {}
    for e in evidence:
        if e.counted and e.section != 2:
            sections[e.section] = sections.get(e.section, 0.0) + e.points
    sections[2] = s2_points
    sections = {k: round(_cap(k, v), 2) for k, v in sorted(sections.items())}
    total = round(sum(sections.values()), 2)
    return CnvScore(cnv.type, tuple(evidence), sections, total, classify_points(total))
