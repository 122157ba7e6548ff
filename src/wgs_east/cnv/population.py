"""Population frequency of a CNV from an ``sv_population`` source (gnomAD-SV-style sites VCF).

Overlap rule: a population record matches a CNV when it is of a compatible type (a loss matches
``DEL`` and the loss states of a multiallelic ``CNV`` site; a gain matches ``DUP`` and the gain states
of a ``CNV`` site) and the two intervals overlap reciprocally by at least 50 % (the overlapping
bases are >= 50 % of each interval's length: ``overlap / max(len_a, len_b) >= 0.5``, the rule of
truvari's ``--pctovl`` and of the gnomAD-SV comparisons). A symbolic VCF record ``POS ... END=e``
affects bases ``POS+1 .. e`` (POS is the padding base); a CNV is ``start .. end``, 1-based inclusive.

Frequency of a match: ``AF`` of a biallelic ``DEL``/``DUP`` site (allele frequency); for a multiallelic
``CNV`` site, the fraction of samples with fewer (loss) or more (gain) than 2 copies, from ``CN_FREQ``
(a sample frequency: gnomAD-SV gives no allele frequency there; reference copy number 2 assumed, so
these sites are used on autosomes only). The CNV's population frequency is the highest over its
matches (what ClinGen 4O asks: does it overlap common population variation).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from wgs_east.cnv.scoring import CnvType
from wgs_east.resources.manifest import SvPopulationFields

MIN_RECIPROCAL_OVERLAP = 0.5
AUTOSOMES = frozenset(f"chr{i}" for i in range(1, 23)) | frozenset(str(i) for i in range(1, 23))
LOSS_TYPES = frozenset({"DEL"})
GAIN_TYPES = frozenset({"DUP"})


@dataclass(frozen=True)
class PopulationSv:
    id: str
    chrom: str
    start: int
    """First affected base (POS + 1)."""
    end: int
    svtype: str
    af: float | None = None
    popmax_af: float | None = None
    cn_freq: tuple[float, ...] = ()

    def frequency(self, kind: CnvType) -> float | None:
        """Frequency of this record as a loss or a gain (None: not that type)."""
        if self.svtype == "CNV":
            if not self.cn_freq or self.chrom not in AUTOSOMES:
                return None
            return float(sum(self.cn_freq[:2]) if kind == CnvType.loss else sum(self.cn_freq[3:]))
        types = LOSS_TYPES if kind == CnvType.loss else GAIN_TYPES
        return self.af if self.svtype in types else None


@dataclass(frozen=True)
class PopulationMatch:
    record: PopulationSv
    overlap: float
    """Reciprocal overlap (0..1)."""
    frequency: float


def reciprocal_overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> float:
    """Overlap of two 1-based inclusive intervals as a fraction of the longer one (0..1)."""
    shared = min(a_end, b_end) - max(a_start, b_start) + 1
    if shared <= 0:
        return 0.0
    return shared / max(a_end - a_start + 1, b_end - b_start + 1)


def matches(
    chrom: str, start: int, end: int, kind: CnvType, records: Iterable[PopulationSv],
    min_overlap: float = MIN_RECIPROCAL_OVERLAP,
) -> list[PopulationMatch]:  # fmt: skip
    """Records of a compatible type overlapping ``chrom:start-end`` reciprocally by >= ``min_overlap``,
    highest frequency first."""
    out = []
    for r in records:
        if r.chrom != chrom:
            continue
        freq = r.frequency(kind)
        ro = reciprocal_overlap(start, end, r.start, r.end)
        if freq is not None and ro >= min_overlap:
            out.append(PopulationMatch(r, ro, freq))
    return sorted(out, key=lambda m: (-m.frequency, -m.overlap, m.record.id))


def population_frequency(
    chrom: str, start: int, end: int, kind: CnvType, records: Iterable[PopulationSv],
    min_overlap: float = MIN_RECIPROCAL_OVERLAP,
) -> PopulationMatch | None:  # fmt: skip
    """The best match (highest frequency) of a CNV, or None when nothing matches."""
    found = matches(chrom, start, end, kind, records, min_overlap)
    return found[0] if found else None


def _first(value: object) -> float | None:
    if isinstance(value, tuple):
        value = value[0] if value else None
    return None if value is None else float(value)  # type: ignore[arg-type]


def read_region(
    path: Path, chrom: str, start: int, end: int, fields: SvPopulationFields | None = None
) -> list[PopulationSv]:
    """Records of the tabix-indexed source overlapping ``chrom:start-end`` (1-based inclusive). The end
    is the record's ``END`` (htslib reads it into the record's stop)."""
    import pysam

    f = fields or SvPopulationFields()
    out = []
    with pysam.VariantFile(str(path)) as vcf:
        try:
            found = list(vcf.fetch(chrom, max(start - 1, 0), end))
        except ValueError:  # a contig the index does not have: no records there
            return []
        for rec in found:
            info = rec.info
            cn = info.get(f.cn_freq) if f.cn_freq and f.cn_freq in info else None
            out.append(PopulationSv(
                id=rec.id or ".", chrom=rec.chrom, start=rec.pos + 1, end=rec.stop,
                svtype=str(info.get(f.svtype, "")), af=_first(info.get(f.af)) if f.af in info else None,
                popmax_af=_first(info.get(f.popmax_af)) if f.popmax_af and f.popmax_af in info else None,
                cn_freq=tuple(float(x) for x in cn) if cn else (),
            ))  # fmt: skip
    return out
